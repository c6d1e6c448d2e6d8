/**
 * Microsoft.KeyVault through @azure/arm-keyvault 5.x (api-version 2026-02-01): vault CRUD, name
 * checks, soft delete into deletedVaults, recover with the secrets, purge (a long-running operation),
 * purge protection, automatic purge when the clock passes scheduledPurgeDate, and each version's shape.
 */
import { expect } from 'chai';
import type { KeyVaultManagementClient } from '@azure/arm-keyvault';
import { advance, assignRole, ensureGroup, groupPath, ROLE, secretClient, startWorld, vaultId, type World } from '../vault/world.js';
import { sdks } from './sdk-clients.js';

const DAY = 86_400_000;

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function errorOf(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail');
}

describe('providers: Key Vault with @azure/arm-keyvault', function () {
  this.timeout(60_000);
  let w: World;
  let kv: KeyVaultManagementClient;
  const RG = 'kv-sdk';

  before(async () => {
    w = await startWorld();
    await ensureGroup(w, RG);
    kv = sdks(w).keyVault;
  });
  after(() => w.stop());

  const create = (name: string, extra: Record<string, unknown> = {}) =>
    kv.vaults.createOrUpdate(RG, name, {
      location: 'eastus',
      tags: { team: 'nexus' },
      properties: { tenantId: w.emu.tenantId, sku: { family: 'A', name: 'standard' }, enableRbacAuthorization: true, ...extra },
    } as any, { updateIntervalInMs: 50 } as any);

  it('checks names: invalid, free, then taken', async () => {
    const invalid = await kv.vaults.checkNameAvailability({ name: 'no--double', type: 'Microsoft.KeyVault/vaults' });
    expect(invalid.nameAvailable).to.equal(false);
    expect(invalid.reason).to.equal('AccountNameInvalid');
    expect(invalid.message).to.contain('no--double').and.contain('3-24');
    expect(await kv.vaults.checkNameAvailability({ name: 'sdk-kv-1', type: 'Microsoft.KeyVault/vaults' })).to.include({ nameAvailable: true, reason: undefined });
    await create('sdk-kv-1');
    const taken = await kv.vaults.checkNameAvailability({ name: 'SDK-KV-1', type: 'Microsoft.KeyVault/vaults' });
    expect(taken).to.include({ nameAvailable: false, reason: 'AlreadyExists' });
    expect(taken.message).to.contain("'SDK-KV-1' is already in use");
  });

  it('creates, reads, updates and lists vaults at 2026-02-01', async () => {
    const vault = await kv.vaults.get(RG, 'sdk-kv-1');
    expect(vault.id).to.equal(vaultId(w, RG, 'sdk-kv-1'));
    expect(vault.properties).to.deep.include({ vaultUri: 'https://sdk-kv-1.vault.azure.net/', enableSoftDelete: true, softDeleteRetentionInDays: 90, enableRbacAuthorization: true, publicNetworkAccess: 'Enabled' });
    expect(vault.properties.createMode).to.equal(undefined);
    const updated = await kv.vaults.update(RG, 'sdk-kv-1', { tags: { team: 'nexus', stage: 'test' } });
    expect(updated.tags).to.deep.equal({ team: 'nexus', stage: 'test' });
    expect((await all(kv.vaults.listByResourceGroup(RG))).map((v) => v.name)).to.deep.equal(['sdk-kv-1']);
    expect((await all(kv.vaults.listBySubscription())).map((v) => v.name)).to.include('sdk-kv-1');
    // vaults.list goes through ARM's generic resources at 2015-11-01 with a resourceType filter.
    const generic = await all(kv.vaults.list());
    expect(generic.map((r) => [r.name, r.type])).to.deep.include(['sdk-kv-1', 'Microsoft.KeyVault/vaults']);
  });

  it('soft-deletes a vault into deletedVaults with its secrets, keeps the name taken, and recovers both', async () => {
    await assignRole(w, vaultId(w, RG, 'sdk-kv-1'), ROLE.secretsOfficer, w.emu.demoPrincipalObjectId);
    await secretClient(w, 'sdk-kv-1').setSecret('kept', 'through-delete');
    const before = Date.parse(w.emu.clock.iso());
    await kv.vaults.delete(RG, 'sdk-kv-1');
    expect((await errorOf(kv.vaults.get(RG, 'sdk-kv-1'))).statusCode).to.equal(404);

    const deleted = await kv.vaults.getDeleted('sdk-kv-1', 'eastus');
    expect(deleted.id).to.equal(`/subscriptions/${w.sub}/providers/Microsoft.KeyVault/locations/eastus/deletedVaults/sdk-kv-1`);
    expect(deleted.type).to.equal('Microsoft.KeyVault/deletedVaults');
    expect(deleted.properties).to.deep.include({ vaultId: vaultId(w, RG, 'sdk-kv-1'), location: 'eastus', purgeProtectionEnabled: false });
    expect(deleted.properties!.tags).to.deep.equal({ team: 'nexus', stage: 'test' });
    const deletedAt = deleted.properties!.deletionDate!.getTime();
    expect(deletedAt).to.be.closeTo(before, 5_000);
    expect(deleted.properties!.scheduledPurgeDate!.getTime() - deletedAt).to.equal(90 * DAY);
    expect((await all(kv.vaults.listDeleted())).map((d) => d.name)).to.deep.equal(['sdk-kv-1']);

    // The name stays taken, in this subscription with Key Vault's ConflictError.
    expect((await kv.vaults.checkNameAvailability({ name: 'sdk-kv-1', type: 'Microsoft.KeyVault/vaults' })).reason).to.equal('AlreadyExists');
    const again = await errorOf(create('sdk-kv-1'));
    expect(again.statusCode).to.equal(409);
    expect(again.code).to.equal('ConflictError');
    expect(again.message).to.contain('already exists in deleted state');

    // The data plane follows: a deleted vault serves no secrets.
    const plane = await errorOf(secretClient(w, 'sdk-kv-1').getSecret('kept'));
    expect(plane.statusCode).to.equal(404);
    expect(plane.code).to.equal('VaultNotFound');

    const recovered = await create('sdk-kv-1', { createMode: 'recover' });
    expect(recovered.id).to.equal(vaultId(w, RG, 'sdk-kv-1'));
    expect(recovered.tags).to.deep.equal({ team: 'nexus', stage: 'test' });
    expect((await secretClient(w, 'sdk-kv-1').getSecret('kept')).value).to.equal('through-delete');
    expect(await all(kv.vaults.listDeleted())).to.deep.equal([]);
    expect((await errorOf(kv.vaults.getDeleted('sdk-kv-1', 'eastus'))).statusCode).to.equal(404);
  });

  it('refuses to recover a vault that was never deleted', async () => {
    const e = await errorOf(create('never-deleted', { createMode: 'recover' }));
    expect(e.statusCode).to.equal(404);
    expect(e.code).to.equal('SoftDeletedVaultDoesNotExist');
    expect((await kv.vaults.checkNameAvailability({ name: 'never-deleted', type: 'Microsoft.KeyVault/vaults' })).nameAvailable).to.equal(true);
  });

  it('purges a deleted vault through the long-running operation: record and secrets gone, name free', async () => {
    await kv.vaults.delete(RG, 'sdk-kv-1');
    await kv.vaults.purgeDeleted('sdk-kv-1', 'eastus', { updateIntervalInMs: 50 } as any);
    expect((await errorOf(kv.vaults.getDeleted('sdk-kv-1', 'eastus'))).statusCode).to.equal(404);
    expect(w.emu.store.get('vaultSecrets', 'sdk-kv-1/kept')).to.equal(undefined);
    expect(await kv.vaults.checkNameAvailability({ name: 'sdk-kv-1', type: 'Microsoft.KeyVault/vaults' })).to.include({ nameAvailable: true, reason: undefined });
    const fresh = await create('sdk-kv-1');
    expect(fresh.properties.vaultUri).to.equal('https://sdk-kv-1.vault.azure.net/');
  });

  it('forbids purge under purge protection, and purges by itself when the clock passes scheduledPurgeDate', async () => {
    const refused = await errorOf(create('sdk-kv-pp', { enablePurgeProtection: false }));
    expect(refused.statusCode).to.equal(400);
    expect(refused.message).to.contain('irreversible');
    await create('sdk-kv-pp', { enablePurgeProtection: true, softDeleteRetentionInDays: 7 });
    await kv.vaults.delete(RG, 'sdk-kv-pp');
    const deleted = await kv.vaults.getDeleted('sdk-kv-pp', 'eastus');
    expect(deleted.properties!.purgeProtectionEnabled).to.equal(true);
    expect(deleted.properties!.scheduledPurgeDate!.getTime() - deleted.properties!.deletionDate!.getTime()).to.equal(7 * DAY);
    const e = await errorOf(kv.vaults.purgeDeleted('sdk-kv-pp', 'EastUS', { updateIntervalInMs: 50 } as any));
    expect(e.statusCode).to.equal(405);
    expect(e.code).to.equal('MethodNotAllowed');
    expect(e.message).to.equal("Operation 'DeletedVaultPurge' is not allowed.");
    await advance(w, '6d');
    expect((await kv.vaults.getDeleted('sdk-kv-pp', 'eastus')).name).to.equal('sdk-kv-pp');
    await advance(w, '1d');
    expect((await errorOf(kv.vaults.getDeleted('sdk-kv-pp', 'eastus'))).statusCode).to.equal(404);
    expect(w.emu.store.get('deletedVaults', 'sdk-kv-pp')).to.equal(undefined);
    expect((await kv.vaults.checkNameAvailability({ name: 'sdk-kv-pp', type: 'Microsoft.KeyVault/vaults' })).nameAvailable).to.equal(true);
  });

  it('soft-deletes the vaults of a deleted resource group', async () => {
    await ensureGroup(w, 'kv-doomed');
    await kv.vaults.createOrUpdate('kv-doomed', 'doomed-kv', { location: 'westeurope', properties: { tenantId: w.emu.tenantId, sku: { family: 'A', name: 'standard' } } } as any);
    expect((await w.client.delete(`${groupPath(w, 'kv-doomed')}?api-version=2021-04-01`)).status).to.equal(200);
    const deleted = await kv.vaults.getDeleted('doomed-kv', 'westeurope');
    expect(deleted.properties!.vaultId).to.equal(vaultId(w, 'kv-doomed', 'doomed-kv'));
  });

  it('shows and accepts each version\'s properties only', async () => {
    const path = `${vaultId(w, RG, 'sdk-kv-1')}`;
    const old = await w.client.get(`${path}?api-version=2016-10-01`);
    expect(old.status, old.text).to.equal(200);
    expect(old.body.properties).to.include.keys('vaultUri', 'enableSoftDelete', 'sku');
    expect(old.body.properties).to.not.have.any.keys('enableRbacAuthorization', 'softDeleteRetentionInDays', 'publicNetworkAccess', 'provisioningState', 'enablePurgeProtection');
    const mid = await w.client.get(`${path}?api-version=2019-09-01`);
    expect(mid.body.properties).to.include.keys('enableRbacAuthorization', 'softDeleteRetentionInDays', 'provisioningState');
    expect(mid.body.properties).to.not.have.property('publicNetworkAccess');
    const refused = await w.client.patch(`${path}?api-version=2019-09-01`, { properties: { publicNetworkAccess: 'Disabled' } });
    expect(refused.status).to.equal(400);
    expect(refused.body.error.code).to.equal('InvalidRequestContent');
    expect(refused.body.error.message).to.contain('properties.publicNetworkAccess');
    for (const v of ['2022-07-01', '2023-07-01', '2024-11-01', '2025-05-01', '2026-02-01']) {
      const r = await w.client.get(`${path}?api-version=${v}`);
      expect(r.status, v).to.equal(200);
      expect(r.body.properties.publicNetworkAccess, v).to.equal('Enabled');
    }
    const unknown = await w.client.get(`${path}?api-version=2026-09-01`);
    expect(unknown.status).to.equal(400);
    expect(unknown.body.error.code).to.equal('NoRegisteredProviderFound');
  });

  it('lists every Key Vault type with its api-versions in the provider registration', async () => {
    const provider = await sdks(w).resources.providers.get('Microsoft.KeyVault');
    const types = Object.fromEntries(provider.resourceTypes!.map((t) => [t.resourceType!, t.apiVersions!]));
    expect(types.vaults[0]).to.equal('2026-02-01');
    expect(types.vaults).to.include.members(['2022-07-01', '2024-11-01', '2016-10-01']);
    for (const t of ['deletedVaults', 'locations/deletedVaults', 'checkNameAvailability', 'operations', 'locations/operationResults']) expect(types[t], t).to.deep.equal(types.vaults);
  });
});
