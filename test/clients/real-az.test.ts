/**
 * The real Azure CLI as a client: Debian's azure-cli (installed by .ci/run, never by a test), with a private AZURE_CONFIG_DIR, the emulator registered as a cloud and a managed-identity
 * login. Runs examples/real-az.sh and checks that az printed what the emulator stored.
 */
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, spawnEmulator, type Spawned } from '../helpers/emulator.js';
import { requirePrereq } from '../helpers/prereq.js';

function hasAz(): boolean {
  return spawnSync('sh', ['-c', 'command -v az && command -v jq'], { stdio: 'ignore' }).status === 0;
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
    requirePrereq(this, hasAz(), 'az and jq are not installed (.ci/run installs azure-cli and jq)');
    // The emulator as `npm start` runs it: default operation duration.
    emu = await spawnEmulator([]);
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
