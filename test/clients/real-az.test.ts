/**
 * The real Azure CLI as a client: Debian's azure-cli, installed here when missing (on Debian, as
 * root), with a private AZURE_CONFIG_DIR, the emulator registered as a cloud and a managed-identity
 * login. Runs examples/real-az.sh and checks that az printed what the emulator stored.
 */
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, spawnEmulator, type Spawned } from '../helpers/emulator.js';

function hasAz(): boolean {
  return spawnSync('sh', ['-c', 'command -v az && command -v jq'], { stdio: 'ignore' }).status === 0;
}

function tryInstallAz(): string | undefined {
  if (!existsSync('/etc/debian_version')) return 'not a Debian machine';
  if (process.getuid?.() !== 0) return 'installing azure-cli needs root';
  const r = spawnSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq azure-cli jq'], { stdio: 'ignore', timeout: 600_000 });
  return r.status === 0 ? undefined : `apt-get install azure-cli failed (${r.status ?? r.signal})`;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

describe('the real Azure CLI against the emulator', function () {
  this.timeout(720_000);
  let emu: Spawned;

  before(async function () {
    if (!hasAz()) {
      const reason = tryInstallAz();
      if (reason || !hasAz()) {
        console.log(`      (skipped: az is not available and could not be installed: ${reason ?? 'unknown'})`);
        this.skip();
      }
    }
    emu = await spawnEmulator(['--operation-duration', '0']);
  });
  after(async () => emu && (await emu.stop()));

  it('registers the cloud, logs in with the managed identity and reads what the emulator stored', async () => {
    const env = { ...process.env, AZURE_CONFIG_DIR: mkdtempSync(path.join(os.tmpdir(), 'nce-az-')) };
    const r = await run('bash', [path.join(ROOT, 'examples/real-az.sh'), emu.dataDir], env);
    expect(r.code, r.err + r.out).to.equal(0);
    const info = emu.client.info;
    expect(r.out).to.contain(`${info.subscriptionId}\t${info.tenantId}`);
    expect(r.out).to.contain('"cloud": "NetworkCloudEmulator"');
    expect(r.out).to.contain('"name": "Operator Nexus emulator"');
    for (const group of ['nexus-demo-rg', 'demo-cluster-mrg']) expect(r.out).to.contain(group);
    expect(r.out).to.contain('"location": "eastus"');
    const bmm = await emu.client.get(`${info.demo!.bareMetalMachineIds[0]}?api-version=2025-09-01`);
    expect(r.out.trim().split('\n').pop()).to.equal(bmm.body.properties.caCertificate.hash);
    expect(r.out + r.err).to.not.contain(info.clientSecret).and.not.contain('PRIVATE KEY');
  });
});
