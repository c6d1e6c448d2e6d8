/**
 * Microsoft.Resources through @azure/arm-resources: the version the project pins (7.0.0) and the
 * newest from the registry (8.0.0, which declares Node 22 but runs on 20), each at the api-version
 * it sends (2025-04-01): resource groups, generic resources by id (create, get, check, delete),
 * listing, and provider registrations with every type's api-versions.
 */
import { ResourceManagementClient as Client7 } from '@azure/arm-resources';
import { ResourceManagementClient as Client8 } from '@azure/arm-resources-v8';
import { expect } from 'chai';
import { credentialFor, startWorld, type World } from '../vault/world.js';

const KV = '2026-02-01';

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('providers: Microsoft.Resources with @azure/arm-resources 7 and 8', function () {
  this.timeout(60_000);
  let w: World;

  before(async () => {
    w = await startWorld();
  });
  after(() => w.stop());

  const clients = () => {
    const credential = credentialFor(w);
    const endpoint = w.client.endpoint.replace(/\/$/, '');
    return [
      ['7.0.0', new Client7(credential, w.sub, { endpoint, credentialScopes: ['https://management.azure.com/.default'], agent: w.agent } as any)],
      ['8.0.0', new Client8(credential, w.sub, { endpoint, credentials: { scopes: ['https://management.azure.com/.default'] }, agent: w.agent } as any)],
    ] as const;
  };

  for (const [version, index] of [['7.0.0', 0], ['8.0.0', 1]] as const) {
    it(`${version}: resource groups and generic resources by id`, async () => {
      const client = clients()[index][1] as any;
      const rg = `res-sdk-${index}`;
      const group = await client.resourceGroups.createOrUpdate(rg, { location: 'eastus', tags: { sdk: version } });
      expect(group.id).to.equal(`/subscriptions/${w.sub}/resourceGroups/${rg}`);
      expect((await client.resourceGroups.get(rg)).tags).to.deep.equal({ sdk: version });
      expect((await client.resourceGroups.checkExistence(rg)).body).to.equal(true);
      expect((await all(client.resourceGroups.list())).map((g: any) => g.name)).to.include(rg);

      const id = `${group.id}/providers/Microsoft.KeyVault/vaults/res-kv-${index}`;
      const body = { location: 'eastus', properties: { tenantId: w.emu.tenantId, sku: { family: 'A', name: 'standard' } } };
      const vault = index === 0
        ? await client.resources.beginCreateOrUpdateByIdAndWait(id, KV, body, { updateIntervalInMs: 50 })
        : await client.resources.createOrUpdateById(id, KV, body, { updateIntervalInMs: 50 });
      expect(vault.id).to.equal(id);
      expect(vault.properties.vaultUri).to.equal(`https://res-kv-${index}.vault.azure.net/`);
      expect((await client.resources.getById(id, KV)).name).to.equal(`res-kv-${index}`);
      expect((await client.resources.checkExistenceById(id, KV)).body).to.equal(true);
      const inGroup = await all(client.resources.listByResourceGroup(rg));
      expect(inGroup.map((r: any) => [r.name, r.type])).to.deep.equal([[`res-kv-${index}`, 'Microsoft.KeyVault/vaults']]);
      const filtered = await all(client.resources.list({ filter: "resourceType eq 'Microsoft.KeyVault/vaults'" }));
      expect(filtered.map((r: any) => r.name)).to.include(`res-kv-${index}`);

      if (index === 0) await client.resources.beginDeleteByIdAndWait(id, KV, { updateIntervalInMs: 50 });
      else await client.resources.deleteById(id, KV, { updateIntervalInMs: 50 });
      expect((await client.resources.checkExistenceById(id, KV)).body).to.equal(false);
      // Deleting a vault soft-deletes it.
      expect(w.emu.store.get('deletedVaults', `res-kv-${index}`)).to.not.equal(undefined);
      if (index === 0) await client.resourceGroups.beginDeleteAndWait(rg, { updateIntervalInMs: 50 });
      else await client.resourceGroups.delete(rg, { updateIntervalInMs: 50 });
      expect((await client.resourceGroups.checkExistence(rg)).body).to.equal(false);
    });

    it(`${version}: provider registrations list each type with its own api-versions`, async () => {
      const client = clients()[index][1] as any;
      const providers = await all(client.providers.list());
      const namespaces = providers.map((p: any) => p.namespace);
      expect(namespaces).to.include.members(['Microsoft.NetworkCloud', 'Microsoft.KeyVault', 'Microsoft.ManagedIdentity', 'Microsoft.Authorization', 'Microsoft.Resources']);
      const types = async (ns: string) => Object.fromEntries((await client.providers.get(ns)).resourceTypes.map((t: any) => [t.resourceType, t.apiVersions]));
      const resources = await types('Microsoft.Resources');
      expect(resources.resourceGroups).to.include.members(['2025-04-01', '2021-04-01']);
      expect(resources.subscriptions).to.include('2022-12-01');
      const msi = await types('Microsoft.ManagedIdentity');
      expect(msi.userAssignedIdentities).to.include.members(['2024-11-30', '2023-01-31', '2022-01-31-preview']);
      expect(msi['userAssignedIdentities/federatedIdentityCredentials']).to.include('2024-11-30').and.not.include('2018-11-30');
      const authz = await types('Microsoft.Authorization');
      expect(authz.roleAssignments).to.include('2022-04-01');
      expect(authz.roleDefinitions).to.include('2022-04-01');
      expect((await types('Microsoft.KeyVault')).vaults).to.include('2026-02-01');
    });
  }
});
