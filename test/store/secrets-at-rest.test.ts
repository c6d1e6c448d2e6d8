/**
 * Secrets at rest: after the demo, a deploy with known passwords, a Key Vault secret, credential
 * rotation (clock) and an on-demand rotation, neither db.json nor any journal holds a private key,
 * a password, a client or MSI secret, a rotated credential, a vault value or the token-signing key.
 * They are sealed with the key in store.key (0600), which the store needs to start again.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { openSealer } from '../../rp/secrets/at-rest.js';
import { Store } from '../../rp/store/store.js';
import { clusterBody } from '../helpers/bodies.js';
import { ncPath, rgPath, spawnEmulator } from '../helpers/emulator.js';

const SECRETS_OFFICER = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7';

/** db.json and its journals, as text. */
function storeFiles(dir: string): [string, string][] {
  return readdirSync(dir)
    .filter((n) => n === 'db.json' || /^db\.journal\.\d+$/.test(n) || n.startsWith('.db.json'))
    .map((n) => [n, readFileSync(path.join(dir, n), 'utf8')]);
}

/** The base64 body of a PEM (its distinctive part), a line of it being enough to recognise it. */
const pemBody = (pem: string) => pem.split('\n').filter((l) => l && !l.startsWith('-----'))[1] ?? pem;

describe('secrets at rest', function () {
  this.timeout(180_000);

  it('db.json and the journals hold no secret in clear; the key file is 0600 and needed to start', async () => {
    let emu = await spawnEmulator(['--operation-duration', '0']);
    const dir = emu.dataDir;
    const info = emu.client.info;
    const sub = info.subscriptionId;
    const rg = 'rest-rg';
    const vaultValue = `vault-value-${crypto.randomUUID()}`;
    let sentPasswords: string[] = [];
    try {
      const v = '2025-09-01';
      const cm = await emu.client.get(`${info.demo!.clusterManagerId}?api-version=${v}`);
      expect((await emu.client.put(`${rgPath(sub, rg)}?api-version=2021-04-01`, { location: 'eastus' })).status).to.equal(201);
      const body = clusterBody(sub, rg, cm.body.properties.managerExtendedLocation, { mrg: 'rest-mrg', machines: 2, appliances: 1 });
      sentPasswords = [
        ...body.properties.aggregatorOrSingleRackDefinition.bareMetalMachineConfigurationData.map((m) => m.bmcCredentials.password),
        ...body.properties.aggregatorOrSingleRackDefinition.storageApplianceConfigurationData.map((a) => a.adminCredentials.password),
      ];
      const clusterId = ncPath(sub, rg, 'clusters', 'rest-cluster');
      expect((await emu.client.put(`${clusterId}?api-version=${v}`, body)).status).to.equal(201);
      const deploy = await emu.client.post(`${clusterId}/deploy?api-version=${v}`, {});
      expect(deploy.status, deploy.text).to.equal(202);
      expect((await emu.client.poll(deploy)).status).to.equal(200);

      // A Key Vault secret with a known value.
      const vault = await emu.client.put(`${rgPath(sub, rg)}/providers/Microsoft.KeyVault/vaults/rest-kv?api-version=2023-07-01`, { location: 'eastus', properties: { tenantId: info.tenantId, sku: { family: 'A', name: 'standard' } } });
      expect(vault.status, vault.text).to.be.oneOf([200, 201]);
      const oid = JSON.parse(Buffer.from((await emu.client.token()).split('.')[1], 'base64url').toString()).oid as string;
      const ra = await emu.client.put(`${vault.body.id}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=2022-04-01`, {
        properties: { roleDefinitionId: `${vault.body.id}/providers/Microsoft.Authorization/roleDefinitions/${SECRETS_OFFICER}`, principalId: oid },
      });
      expect(ra.status, ra.text).to.equal(201);
      const vaultToken = await emu.client.token('https://vault.azure.net/.default');
      const set = await emu.client.put('/vaults/rest-kv/secrets/known?api-version=7.4', { value: vaultValue }, { token: vaultToken });
      expect(set.status, set.text).to.equal(200);

      // Rotation: by the clock, then on demand.
      expect((await emu.client.post('/_emulator/clock', { advance: '61d' })).status).to.equal(200);
      const rotate = await emu.client.post(`${clusterId}/rotateCredential?api-version=2026-07-01`, { credentials: ['BMC Credential'] });
      expect(rotate.status, rotate.text).to.equal(202);
      expect((await emu.client.poll(rotate)).status).to.equal(200);
    } finally {
      // As after a crash: the journals hold everything since the start.
      await emu.stop('SIGKILL');
    }

    const keyFile = path.join(dir, 'store.key');
    expect(statSync(keyFile).mode & 0o777).to.equal(0o600);
    const journaled = storeFiles(dir);
    expect(journaled.some(([n]) => n.startsWith('db.journal.'))).to.equal(true);

    // The secrets themselves, read back through the key: what must not be found in clear.
    const store = await Store.open(path.join(dir, 'db.json'), await openSealer(dir));
    const rotated = store.list<{ value: string }>('managedCredentials').map((c) => c.value);
    expect(rotated.length).to.be.greaterThan(2);
    const pkiKeys = store.list<Record<string, { privateKeyPem: string }>>('clusterPkiKeys').flatMap((k) => Object.values(k).map((x) => pemBody(x.privateKeyPem)));
    expect(pkiKeys.length).to.be.greaterThan(5);
    const signing = store.get<{ privateKeyPkcs8: string }>('keys', 'token-signing')!;
    const vaultRecords = JSON.stringify(store.list('vaultSecrets'));
    expect(vaultRecords).to.contain(vaultValue);
    await store.close();
    const forbidden = ['PRIVATE KEY', info.clientSecret, info.msiSecret, pemBody(signing.privateKeyPkcs8), vaultValue, ...sentPasswords, ...rotated, ...pkiKeys];

    // The journals as the kill left them, then the snapshot the reopened store folded them into.
    const folded = storeFiles(dir);
    expect(folded.find(([n]) => n === 'db.json')![1]).to.contain('"$sealed"');
    for (const [name, text] of [...journaled, ...folded]) {
      for (const secret of forbidden) expect(text.includes(secret), `${name} holds a secret in clear (${secret.slice(0, 8)}…)`).to.equal(false);
    }

    // The same key opens it again (the client secret still signs in); another key is refused with a clear message.
    emu = await spawnEmulator(['--operation-duration', '0'], dir);
    try {
      const vaultToken = await emu.client.token('https://vault.azure.net/.default');
      const got = await emu.client.get('/vaults/rest-kv/secrets/known?api-version=7.4', { token: vaultToken });
      expect(got.body.value).to.equal(vaultValue);
    } finally {
      await emu.stop();
    }
    process.env.NCE_STORE_KEY = 'not the key this store was sealed with';
    let error = '';
    try {
      await spawnEmulator(['--operation-duration', '0'], dir);
    } catch (e) {
      error = (e as Error).message;
    } finally {
      delete process.env.NCE_STORE_KEY;
    }
    expect(error).to.match(/emulator exited with 1/);
    expect(error).to.contain('cannot be decrypted');
    expect(error).to.contain('NCE_STORE_KEY');
    expect(error).not.to.match(/\n\s+at /);
  });
});
