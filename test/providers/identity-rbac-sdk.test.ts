/**
 * Microsoft.ManagedIdentity through @azure/arm-msi 2.x and Microsoft.Authorization through
 * @azure/arm-authorization 9.x, then the whole secret-archive setup as a user builds it with today's
 * SDKs: a vault, a user-assigned identity, the Nexus writer role on the vault, a cluster using the
 * identity in secretArchiveSettings, and a rotation that lands in the vault.
 */
import { expect } from 'chai';
import type { AuthorizationManagementClient } from '@azure/arm-authorization';
import type { KeyVaultManagementClient } from '@azure/arm-keyvault';
import type { ManagedServiceIdentityClient } from '@azure/arm-msi';
import type { ResourceManagementClient } from '@azure/arm-resources';
import { randomUUID } from 'node:crypto';
import { advance, createDeployedCluster, createManager, machinesOf, ROLE, secretClient, startWorld, statusOf, uaiId, vaultId, type World } from '../vault/world.js';
import { sdks } from './sdk-clients.js';

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('providers: identities and role assignments with @azure/arm-msi and @azure/arm-authorization', function () {
  this.timeout(90_000);
  let w: World;
  let msi: ManagedServiceIdentityClient;
  let auth: AuthorizationManagementClient;
  let kv: KeyVaultManagementClient;
  let arm: ResourceManagementClient;

  before(async () => {
    w = await startWorld();
    ({ msi, authorization: auth, keyVault: kv, resources: arm } = sdks(w));
    await arm.resourceGroups.createOrUpdate('ids-sdk', { location: 'eastus' });
  });
  after(() => w.stop());

  it('manages user-assigned identities and their federated credentials', async () => {
    const created = await msi.userAssignedIdentities.createOrUpdate('ids-sdk', 'sdk-uai', { location: 'eastus', tags: { from: 'sdk' } });
    expect(created.id).to.equal(uaiId(w, 'ids-sdk', 'sdk-uai'));
    expect(created.principalId).to.match(/^[0-9a-f-]{36}$/);
    expect(created.tenantId).to.equal(w.emu.tenantId);
    expect((await msi.userAssignedIdentities.get('ids-sdk', 'SDK-UAI')).clientId).to.equal(created.clientId);
    const patched = await msi.userAssignedIdentities.update('ids-sdk', 'sdk-uai', { tags: { from: 'sdk', patched: 'yes' } });
    expect(patched.tags).to.deep.equal({ from: 'sdk', patched: 'yes' });
    expect((await all(msi.userAssignedIdentities.listByResourceGroup('ids-sdk'))).map((i) => i.name)).to.deep.equal(['sdk-uai']);

    const fic = await msi.federatedIdentityCredentials.createOrUpdate('ids-sdk', 'sdk-uai', 'github-main', {
      issuer: 'https://token.actions.githubusercontent.com',
      subject: 'repo:contoso/nexus:ref:refs/heads/main',
      audiences: ['api://AzureADTokenExchange'],
    });
    expect(fic.id).to.equal(`${uaiId(w, 'ids-sdk', 'sdk-uai')}/federatedIdentityCredentials/github-main`);
    expect(fic.type).to.equal('Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials');
    expect(fic.subject).to.equal('repo:contoso/nexus:ref:refs/heads/main');
    await msi.federatedIdentityCredentials.createOrUpdate('ids-sdk', 'sdk-uai', 'github-tags', {
      issuer: 'https://token.actions.githubusercontent.com',
      subject: 'repo:contoso/nexus:ref:refs/tags/v1',
      audiences: ['api://AzureADTokenExchange'],
    });
    expect((await msi.federatedIdentityCredentials.get('ids-sdk', 'sdk-uai', 'github-main')).audiences).to.deep.equal(['api://AzureADTokenExchange']);
    expect((await all(msi.federatedIdentityCredentials.list('ids-sdk', 'sdk-uai', { top: 1 }))).map((c) => c.name)).to.deep.equal(['github-main', 'github-tags']);
    const twin = await msi.federatedIdentityCredentials
      .createOrUpdate('ids-sdk', 'sdk-uai', 'github-twin', { issuer: 'https://token.actions.githubusercontent.com', subject: 'repo:contoso/nexus:ref:refs/tags/v1', audiences: ['api://AzureADTokenExchange'] })
      .then(() => undefined, (e) => e);
    expect(twin?.statusCode).to.equal(409);
    const badIssuer = await msi.federatedIdentityCredentials
      .createOrUpdate('ids-sdk', 'sdk-uai', 'plain-http', { issuer: 'http://insecure.example', subject: 's', audiences: ['api://AzureADTokenExchange'] })
      .then(() => undefined, (e) => e);
    expect(badIssuer?.statusCode).to.equal(400);
    await msi.federatedIdentityCredentials.delete('ids-sdk', 'sdk-uai', 'github-tags');
    expect((await all(msi.federatedIdentityCredentials.list('ids-sdk', 'sdk-uai'))).map((c) => c.name)).to.deep.equal(['github-main']);

    // The credentials go with their identity.
    await msi.userAssignedIdentities.delete('ids-sdk', 'sdk-uai');
    expect(w.emu.store.size('federatedIdentityCredentials')).to.equal(0);
    expect(await all(msi.userAssignedIdentities.listByResourceGroup('ids-sdk'))).to.deep.equal([]);
  });

  it('reads role definitions and creates, gets, lists and deletes role assignments', async () => {
    const scope = `/subscriptions/${w.sub}/resourceGroups/ids-sdk`;
    const [officer] = await all(auth.roleDefinitions.list(scope, { filter: "roleName eq 'Key Vault Secrets Officer'" }));
    expect(officer.name).to.equal(ROLE.secretsOfficer);
    expect(officer.roleType).to.equal('BuiltInRole');
    const byId = await auth.roleDefinitions.get(scope, ROLE.secretsOfficer);
    expect(byId.roleName).to.equal('Key Vault Secrets Officer');
    expect(byId.permissions![0].dataActions).to.include('Microsoft.KeyVault/vaults/secrets/*');
    expect((await all(auth.roleDefinitions.list(scope))).length).to.be.greaterThan(4);

    const uai = await msi.userAssignedIdentities.createOrUpdate('ids-sdk', 'reader-uai', { location: 'eastus' });
    const name = randomUUID();
    const created = await auth.roleAssignments.create(scope, name, { roleDefinitionId: officer.id!, principalId: uai.principalId!, principalType: 'ServicePrincipal' });
    expect(created.id).to.equal(`${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`);
    expect(created.scope).to.equal(scope);
    expect((await auth.roleAssignments.get(scope, name)).principalId).to.equal(uai.principalId);
    expect((await auth.roleAssignments.getById(created.id!)).roleDefinitionId).to.equal(officer.id);
    const listed = await all(auth.roleAssignments.listForScope(scope, { filter: `principalId eq '${uai.principalId}'` }));
    expect(listed.map((a) => a.name)).to.deep.equal([name]);
    expect((await all(auth.roleAssignments.listForResourceGroup('ids-sdk'))).map((a) => a.name)).to.include(name);
    const deleted = await auth.roleAssignments.delete(scope, name);
    expect(deleted.name).to.equal(name);
    expect(await all(auth.roleAssignments.listForScope(scope, { filter: `principalId eq '${uai.principalId}'` }))).to.deep.equal([]);
  });

  it('sets up the secret archive with the SDKs: rotated credentials land in the vault', async () => {
    const vault = await kv.vaults.createOrUpdate('ids-sdk', 'archive-sdk-kv', {
      location: 'eastus',
      properties: { tenantId: w.emu.tenantId, sku: { family: 'A', name: 'standard' }, enableRbacAuthorization: true },
    } as any);
    const identity = await msi.userAssignedIdentities.createOrUpdate('ids-sdk', 'archive-uai', { location: 'eastus' });
    const [writer] = await all(auth.roleDefinitions.list(vault.id!, { filter: "roleName eq 'Operator Nexus Key Vault Writer Service Role (Preview)'" }));
    expect(writer.name).to.equal(ROLE.nexusWriter);
    await auth.roleAssignments.create(vault.id!, randomUUID(), { roleDefinitionId: writer.id!, principalId: identity.principalId!, principalType: 'ServicePrincipal' });
    const [officer] = await all(auth.roleDefinitions.list(vault.id!, { filter: "roleName eq 'Key Vault Secrets Officer'" }));
    await auth.roleAssignments.create(vault.id!, randomUUID(), { roleDefinitionId: officer.id!, principalId: w.emu.demoPrincipalObjectId });

    const manager = await createManager(w, 'ids-sdk', 'archive-cm');
    const cluster = await createDeployedCluster(w, 'ids-sdk', 'archive-cluster', manager, {
      machines: 1,
      appliances: 1,
      identity: { type: 'UserAssigned', userAssignedIdentities: { [identity.id!]: {} } },
      properties: {
        secretArchiveSettings: { vaultUri: vault.properties.vaultUri, associatedIdentity: { identityType: 'UserAssignedIdentity', userAssignedIdentityResourceId: identity.id } },
      },
    });
    await advance(w, '61d');
    const { machines, appliances } = await machinesOf(w, cluster);
    const ref = statusOf(machines[0], 'Bare Metal Machine BMC').secretArchiveReference;
    expect(ref.keyVaultId).to.equal(vaultId(w, 'ids-sdk', 'archive-sdk-kv'));
    expect(ref.keyVaultUri).to.equal('https://archive-sdk-kv.vault.azure.net/');
    const secret = await secretClient(w, 'archive-sdk-kv').getSecret(ref.secretName);
    expect(secret.properties.version).to.equal(ref.secretVersion);
    expect(secret.value).to.be.a('string').and.not.equal('');
    expect(appliances[0].properties.secretRotationStatus.every((s: any) => s.secretArchiveReference?.keyVaultId === vault.id)).to.equal(true);

    // A soft-deleted vault takes no more archives; recovered, it does again.
    await kv.vaults.delete('ids-sdk', 'archive-sdk-kv');
    await advance(w, '61d');
    expect(statusOf((await machinesOf(w, cluster)).machines[0], 'Bare Metal Machine BMC')).to.not.have.property('secretArchiveReference');
    await kv.vaults.createOrUpdate('ids-sdk', 'archive-sdk-kv', { location: 'eastus', properties: { tenantId: w.emu.tenantId, sku: { family: 'A', name: 'standard' }, createMode: 'recover' } } as any);
    await advance(w, '61d');
    const after = statusOf((await machinesOf(w, cluster)).machines[0], 'Bare Metal Machine BMC').secretArchiveReference;
    expect(after.keyVaultId).to.equal(vault.id);
    expect((await secretClient(w, 'archive-sdk-kv').getSecret(after.secretName)).properties.version).to.equal(after.secretVersion);
  });
});
