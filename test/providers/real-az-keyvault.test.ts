/**
 * The real az against the emulator: identities at the api-version Debian's az 2.45 sends
 * (2022-01-31-preview) and its Key Vault soft-delete commands (2022-07-01). Without az and jq the test
 * is pending outside CI and fails under CI=true.
 */
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, spawnEmulator, type Spawned } from '../helpers/emulator.js';
import { requirePrereq } from '../helpers/prereq.js';

const missing = ['az', 'jq', 'bash'].filter((t) => spawnSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' }).status !== 0);

function sections(out: string): Record<string, string> {
  const parts: Record<string, string> = {};
  let current = '';
  for (const line of out.split('\n')) {
    const m = /^== (.+)$/.exec(line);
    if (m) parts[(current = m[1])] = '';
    else if (current) parts[current] += `${line}\n`;
  }
  return parts;
}

describe('providers: the real az with identities and Key Vault soft delete', function () {
  this.timeout(600_000);
  let emu: Spawned | undefined;

  before(async function () {
    requirePrereq(this, !missing.length, `${missing.join(' and ')} not installed (.ci/run installs azure-cli and jq)`);
    emu = await spawnEmulator(['--operation-duration', '0']);
  });
  after(async () => emu && (await emu.stop()));

  it('creates an identity, and deletes, lists, shows, recovers and purges a vault', async () => {
    const env = { ...process.env, AZURE_CONFIG_DIR: mkdtempSync(path.join(os.tmpdir(), 'nce-az-kv-')) };
    const r = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const child = spawn('bash', [path.join(ROOT, 'test/providers/real-az-keyvault.sh'), emu!.dataDir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('exit', (code) => resolve({ code, out, err }));
    });
    expect(r.code, r.err + r.out).to.equal(0);
    const s = sections(r.out);
    const sub = emu!.client.info.subscriptionId;
    expect(s.create.trim()).to.equal('az-kv-soft');
    expect(s.identity.trim()).to.equal('az-soft-uai');
    const listed = JSON.parse(s['list-deleted']);
    expect(listed).to.have.length(1);
    expect(listed[0]).to.deep.include({ id: `/subscriptions/${sub}/providers/Microsoft.KeyVault/locations/eastus/deletedVaults/az-kv-soft`, name: 'az-kv-soft', type: 'Microsoft.KeyVault/deletedVaults' });
    expect(listed[0].properties.vaultId).to.equal(`/subscriptions/${sub}/resourceGroups/nexus-demo-rg/providers/Microsoft.KeyVault/vaults/az-kv-soft`);
    expect(Date.parse(listed[0].properties.scheduledPurgeDate) - Date.parse(listed[0].properties.deletionDate)).to.equal(7 * 86_400_000);
    expect(JSON.parse(s['show-deleted'])).to.deep.equal(listed[0]);
    expect(s.recover.trim()).to.equal('https://az-kv-soft.vault.azure.net/');
    const after = await emu!.client.get(`/subscriptions/${sub}/providers/Microsoft.KeyVault/deletedVaults?api-version=2022-07-01`);
    expect(after.body.value).to.deep.equal([]);
    // Every az keyvault delete prints Key Vault's soft-delete reminder.
    expect(r.err).to.contain('soft deleted state');
  });
});
