/** Microsoft.KeyVault/vaults over ARM: CRUD, vaultUri, global names, and the data plane following the resource. */
import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnEmulator } from '../helpers/emulator.js';
import { findVaultByUri, vaultNameFromUri } from '../../rp/providers/keyvault/vaults.js';
import { assignRole, createVault, ensureGroup, groupPath, KV_API, ROLE, secretClient, startWorld, vaultId, type World } from './world.js';

describe('vault: Microsoft.KeyVault/vaults', () => {
  let w: World;

  before(async () => {
    w = await startWorld();
    await ensureGroup(w, 'kv-arm');
    await ensureGroup(w, 'kv-arm-2');
  });
  after(() => w.stop());

  it('creates a vault with defaults and an Azure-form vaultUri, and reads, lists and deletes it', async () => {
    const put = await w.client.put(`${vaultId(w, 'kv-arm', 'Contoso-KV1')}?api-version=${KV_API}`, { location: 'eastus', properties: {} });
    expect(put.status, put.text).to.equal(201);
    expect(put.body).to.deep.include({ name: 'Contoso-KV1', type: 'Microsoft.KeyVault/vaults', location: 'eastus' });
    expect(put.body.properties).to.deep.include({
      vaultUri: 'https://contoso-kv1.vault.azure.net/',
      tenantId: w.emu.tenantId,
      sku: { family: 'A', name: 'standard' },
      enableRbacAuthorization: true,
      enableSoftDelete: true,
      softDeleteRetentionInDays: 90,
      provisioningState: 'Succeeded',
    });
    const again = await w.client.put(`${vaultId(w, 'kv-arm', 'contoso-kv1')}?api-version=2024-11-01`, { location: 'eastus', tags: { team: 'nexus' }, properties: { vaultUri: 'https://ignored.example/' } });
    expect(again.status).to.equal(200);
    expect(again.body.properties.vaultUri).to.equal('https://contoso-kv1.vault.azure.net/');
    const patched = await w.client.patch(`${vaultId(w, 'kv-arm', 'contoso-kv1')}?api-version=${KV_API}`, { properties: { enablePurgeProtection: true } });
    expect(patched.status).to.equal(200);
    expect(patched.body.properties).to.include({ enablePurgeProtection: true });
    expect(patched.body.tags).to.deep.equal({ team: 'nexus' });
    const byGroup = await w.client.get(`${groupPath(w, 'kv-arm')}/providers/Microsoft.KeyVault/vaults?api-version=${KV_API}`);
    expect(byGroup.body.value.map((v: any) => v.name)).to.deep.equal(['Contoso-KV1']);
    const bySub = await w.client.get(`/subscriptions/${w.sub}/providers/Microsoft.KeyVault/vaults?api-version=${KV_API}`);
    expect(bySub.body.value.map((v: any) => v.name)).to.include('Contoso-KV1');
    expect((await w.client.delete(`${vaultId(w, 'kv-arm', 'contoso-kv1')}?api-version=${KV_API}`)).status).to.equal(200);
    expect((await w.client.get(`${vaultId(w, 'kv-arm', 'contoso-kv1')}?api-version=${KV_API}`)).status).to.equal(404);
  });

  it('keeps vault names global and valid', async () => {
    await createVault(w, 'kv-arm', 'only-one');
    const twin = await w.client.put(`${vaultId(w, 'kv-arm-2', 'only-one')}?api-version=${KV_API}`, { location: 'eastus', properties: {} });
    expect(twin.status).to.equal(409);
    expect(twin.body.error.code).to.equal('VaultAlreadyExists');
    for (const bad of ['ab', '1starts-with-digit', 'double--hyphen', 'ends-with-', 'x'.repeat(25)]) {
      const r = await w.client.put(`${vaultId(w, 'kv-arm', bad)}?api-version=${KV_API}`, { location: 'eastus', properties: {} });
      expect(r.status, bad).to.equal(400);
    }
    const noProps = await w.client.put(`${vaultId(w, 'kv-arm', 'no-props')}?api-version=${KV_API}`, { location: 'eastus' });
    expect(noProps.status).to.equal(400);
    const badVersion = await w.client.get(`${vaultId(w, 'kv-arm', 'only-one')}?api-version=2015-01-01`);
    expect(badVersion.status).to.equal(400);
  });

  it('resolves vault URIs of the Azure and the emulator form to the vault', () => {
    expect(vaultNameFromUri('https://Only-One.vault.azure.net/')).to.equal('only-one');
    expect(vaultNameFromUri('https://only-one.vault.azure.net:443/secrets/x')).to.equal('only-one');
    expect(vaultNameFromUri(`${w.client.endpoint}vaults/only-one`)).to.equal('only-one');
    expect(vaultNameFromUri('https://only-one.vault.azure.cn/')).to.equal(undefined);
    expect(vaultNameFromUri('http://only-one.vault.azure.net/')).to.equal(undefined);
    expect(findVaultByUri(w.emu, 'https://only-one.vault.azure.net/')?.id).to.equal(vaultId(w, 'kv-arm', 'only-one'));
  });

  it('soft-deletes: the data plane answers VaultNotFound, the name stays taken, and after a purge a new vault of the same name starts empty', async () => {
    await createVault(w, 'kv-arm', 'short-lived');
    await assignRole(w, vaultId(w, 'kv-arm', 'short-lived'), ROLE.secretsOfficer, w.emu.demoPrincipalObjectId);
    await secretClient(w, 'short-lived').setSecret('s', 'v');
    expect((await w.client.delete(`${vaultId(w, 'kv-arm', 'short-lived')}?api-version=${KV_API}`)).status).to.equal(200);
    const gone = await w.client.get('/vaults/short-lived/secrets/s?api-version=7.5', { token: await w.client.token('https://vault.azure.net/.default') });
    expect(gone.status).to.equal(404);
    expect(gone.body.error.code).to.equal('VaultNotFound');
    expect(gone.body.error.message).to.contain('soft-deleted');
    // Its secret waits with it.
    expect(w.emu.store.get('vaultSecrets', 'short-lived/s')).to.not.equal(undefined);
    const again = await w.client.put(`${vaultId(w, 'kv-arm-2', 'short-lived')}?api-version=${KV_API}`, { location: 'eastus', properties: {} });
    expect(again.status).to.equal(409);
    expect(again.body.error.code).to.equal('ConflictError');
    const purge = await w.client.post(`/subscriptions/${w.sub}/providers/Microsoft.KeyVault/locations/eastus/deletedVaults/short-lived/purge?api-version=${KV_API}`);
    expect(purge.status, purge.text).to.equal(202);
    expect((await w.client.poll(purge)).status).to.equal(200);
    expect(w.emu.store.get('vaultSecrets', 'short-lived/s')).to.equal(undefined);
    await createVault(w, 'kv-arm-2', 'short-lived');
    // The old assignment was at the old vault's scope; the new vault is elsewhere.
    await assignRole(w, vaultId(w, 'kv-arm-2', 'short-lived'), ROLE.secretsOfficer, w.emu.demoPrincipalObjectId);
    const names: string[] = [];
    for await (const p of secretClient(w, 'short-lived').listPropertiesOfSecrets()) names.push(p.name);
    expect(names).to.deep.equal([]);
  });
});

describe('vault: an emulator reset', () => {
  it('forgets vaults, deleted vaults, their secrets, the assignments at their scopes and rotated credentials; keeps subscription assignments', async () => {
    const w = await startWorld();
    try {
      await ensureGroup(w, 'reset-rg');
      await createVault(w, 'reset-rg', 'reset-kv');
      const atVault = await assignRole(w, vaultId(w, 'reset-rg', 'reset-kv'), ROLE.secretsOfficer, w.emu.demoPrincipalObjectId);
      const atSubscription = await assignRole(w, `/subscriptions/${w.sub}`, ROLE.reader, w.emu.demoPrincipalObjectId);
      await secretClient(w, 'reset-kv').setSecret('s', 'v');
      await createVault(w, 'reset-rg', 'reset-kv-deleted');
      expect((await w.client.delete(`${vaultId(w, 'reset-rg', 'reset-kv-deleted')}?api-version=${KV_API}`)).status).to.equal(200);
      expect(w.emu.store.size('deletedVaults')).to.equal(1);
      expect((await w.client.post('/_emulator/reset', { seed: 'none' })).status).to.equal(200);
      const assignments = await w.client.get(`/subscriptions/${w.sub}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01`);
      const ids = assignments.body.value.map((a: any) => a.id);
      expect(ids).to.include(atSubscription).and.not.include(atVault);
      for (const collection of ['vaultSecrets', 'managedCredentials', 'deletedVaults']) expect(w.emu.store.size(collection), collection).to.equal(0);
    } finally {
      await w.stop();
    }
  });
});

describe('vault: secrets and role assignments survive a restart', function () {
  it('reads a secret set before the restart', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nce-vault-'));
    const first = await spawnEmulator(['--seed', 'none', '--operation-duration', '0'], dataDir);
    const sub = first.client.info.subscriptionId;
    const vault = `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/durable-kv`;
    try {
      expect((await first.client.put(`/subscriptions/${sub}/resourceGroups/rg?api-version=2021-04-01`, { location: 'eastus' })).status).to.equal(201);
      expect((await first.client.put(`${vault}?api-version=${KV_API}`, { location: 'eastus', properties: {} })).status).to.equal(201);
      const assignment = await first.client.put(`${vault}/providers/Microsoft.Authorization/roleAssignments/6a9f4e0c-1d4e-4d55-9a4c-3b7c1f3e2a10?api-version=2022-04-01`, {
        properties: { roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${ROLE.secretsOfficer}`, principalId: await principalOf(first.client) },
      });
      expect(assignment.status, assignment.text).to.equal(201);
      const token = await first.client.token('https://vault.azure.net/.default');
      expect((await first.client.put('/vaults/durable-kv/secrets/kept?api-version=7.5', { value: 'across-restarts' }, { token })).status).to.equal(200);
    } finally {
      await first.stop();
    }
    const second = await spawnEmulator(['--operation-duration', '0'], dataDir);
    try {
      const token = await second.client.token('https://vault.azure.net/.default');
      const r = await second.client.get('/vaults/durable-kv/secrets/kept?api-version=7.5', { token });
      expect(r.status, r.text).to.equal(200);
      expect(r.body.value).to.equal('across-restarts');
    } finally {
      await second.stop();
    }
  });
});

/** The object id of the client's own principal, from a token's oid claim. */
async function principalOf(client: { token(scope?: string): Promise<string> }): Promise<string> {
  const token = await client.token();
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')).oid;
}
