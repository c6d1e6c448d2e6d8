/** Microsoft.Authorization over HTTPS: role assignments and definitions at every kind of scope. */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { AUTH_API, createIdentity, createVault, ensureGroup, groupPath, roleDefinitionId, ROLE, startWorld, vaultId, type World } from '../vault/world.js';

const RA = 'providers/Microsoft.Authorization/roleAssignments';
const RD = 'providers/Microsoft.Authorization/roleDefinitions';

describe('authorization: role assignments and role definitions', () => {
  let w: World;
  let principalId: string;

  before(async () => {
    w = await startWorld();
    await ensureGroup(w, 'auth-rg');
    await createVault(w, 'auth-rg', 'kv-auth');
    principalId = (await createIdentity(w, 'auth-rg', 'auth-uai')).principalId;
  });
  after(() => w.stop());

  const put = (scope: string, name: string, role: string, extra: Record<string, unknown> = {}) =>
    w.client.put(`${scope === '/' ? '' : scope}/${RA}/${name}?api-version=${AUTH_API}`, { properties: { roleDefinitionId: roleDefinitionId(w, role), principalId, ...extra } });

  it('creates, reads, lists and deletes assignments at tenant, subscription, group and resource scope', async () => {
    const scopes = ['/', `/subscriptions/${w.sub}`, groupPath(w, 'auth-rg'), vaultId(w, 'auth-rg', 'kv-auth')];
    const names: string[] = [];
    for (const [i, scope] of scopes.entries()) {
      const name = randomUUID();
      names.push(name);
      const r = await put(scope, name, [ROLE.reader, ROLE.contributor, ROLE.secretsUser, ROLE.nexusWriter][i]);
      expect(r.status, r.text).to.equal(201);
      expect(r.body).to.deep.include({ name, type: 'Microsoft.Authorization/roleAssignments', id: `${scope === '/' ? '' : scope}/${RA}/${name}` });
      expect(r.body.properties).to.include({ principalId, principalType: 'ServicePrincipal', scope });
      const got = await w.client.get(`${scope === '/' ? '' : scope}/${RA}/${name}?api-version=${AUTH_API}`);
      expect(got.status).to.equal(200);
      expect(got.body.properties.roleDefinitionId).to.match(/\/providers\/Microsoft\.Authorization\/roleDefinitions\/[0-9a-f-]{36}$/);
    }
    // Only this test's principal's assignments (the emulator may hold others, e.g. the demo principal's).
    const mine = (r: any) => r.body.value.filter((a: any) => a.properties.principalId === principalId).map((a: any) => a.name);
    // At the vault: its own assignment and the ones above it; atScope() keeps those, the plain list adds nothing below.
    const atVault = await w.client.get(`${vaultId(w, 'auth-rg', 'kv-auth')}/${RA}?api-version=${AUTH_API}&$filter=atScope()`);
    expect(mine(atVault)).to.have.members(names);
    // At the group without atScope(): above, at and below (the vault's).
    const atGroup = await w.client.get(`${groupPath(w, 'auth-rg')}/${RA}?api-version=${AUTH_API}`);
    expect(mine(atGroup)).to.have.members(names);
    const atGroupOnly = await w.client.get(`${groupPath(w, 'auth-rg')}/${RA}?api-version=${AUTH_API}&$filter=atScope()`);
    expect(mine(atGroupOnly)).to.have.members(names.slice(0, 3));
    const byPrincipal = await w.client.get(`/subscriptions/${w.sub}/${RA}?api-version=${AUTH_API}&$filter=${encodeURIComponent(`principalId eq '${principalId}'`)}`);
    expect(byPrincipal.body.value).to.have.length(4);
    const nobody = await w.client.get(`/subscriptions/${w.sub}/${RA}?api-version=${AUTH_API}&$filter=${encodeURIComponent(`assignedTo('${randomUUID()}')`)}`);
    expect(nobody.body.value).to.deep.equal([]);
    for (const [i, scope] of scopes.entries()) {
      const path = `${scope === '/' ? '' : scope}/${RA}/${names[i]}?api-version=${AUTH_API}`;
      expect((await w.client.delete(path)).status).to.equal(200);
      expect((await w.client.delete(path)).status).to.equal(204);
      expect((await w.client.get(path)).status).to.equal(404);
    }
  });

  it('refuses what Azure refuses', async () => {
    const scope = groupPath(w, 'auth-rg');
    const notGuid = await put(scope, 'not-a-guid', ROLE.reader);
    expect(notGuid.status).to.equal(400);
    expect(notGuid.body.error.code).to.equal('InvalidRoleAssignmentId');
    const noRole = await put(scope, randomUUID(), randomUUID());
    expect(noRole.status).to.equal(400);
    expect(noRole.body.error.code).to.equal('RoleDefinitionDoesNotExist');
    const stranger = randomUUID();
    const noPrincipal = await w.client.put(`${scope}/${RA}/${randomUUID()}?api-version=${AUTH_API}`, { properties: { roleDefinitionId: roleDefinitionId(w, ROLE.reader), principalId: stranger } });
    expect(noPrincipal.status).to.equal(400);
    expect(noPrincipal.body.error.code).to.equal('PrincipalNotFound');
    // Naming the principal type skips the directory lookup, as in Azure.
    const typed = await w.client.put(`${scope}/${RA}/${randomUUID()}?api-version=${AUTH_API}`, { properties: { roleDefinitionId: roleDefinitionId(w, ROLE.reader), principalId: stranger, principalType: 'User' } });
    expect(typed.status, typed.text).to.equal(201);
    expect(typed.body.properties.principalType).to.equal('User');

    const name = randomUUID();
    expect((await put(scope, name, ROLE.reader)).status).to.equal(201);
    expect((await put(scope, name, ROLE.reader, { description: 'same, described' })).status).to.equal(200);
    const duplicate = await put(scope, randomUUID(), ROLE.reader);
    expect(duplicate.status).to.equal(409);
    expect(duplicate.body.error.code).to.equal('RoleAssignmentExists');
    const changed = await put(scope, name, ROLE.owner);
    expect(changed.status).to.equal(400);
    expect(changed.body.error.code).to.equal('RoleAssignmentUpdateNotPermitted');
    const missingGroup = await put(groupPath(w, 'no-such-rg'), randomUUID(), ROLE.reader);
    expect(missingGroup.status).to.equal(404);
    const missingVault = await put(vaultId(w, 'auth-rg', 'kv-nope'), randomUUID(), ROLE.reader);
    expect(missingVault.status).to.equal(404);
    const oldVersion = await w.client.get(`${scope}/${RA}?api-version=2099-01-01`);
    expect(oldVersion.status).to.equal(400);
  });

  it('serves the built-in definitions by id and by roleName filter, at any scope', async () => {
    const byId = await w.client.get(`/subscriptions/${w.sub}/${RD}/${ROLE.nexusWriter}?api-version=${AUTH_API}`);
    expect(byId.status).to.equal(200);
    expect(byId.body).to.deep.include({ id: `/subscriptions/${w.sub}/${RD}/${ROLE.nexusWriter}`, name: ROLE.nexusWriter, type: 'Microsoft.Authorization/roleDefinitions' });
    expect(byId.body.properties).to.deep.include({ roleName: 'Operator Nexus Key Vault Writer Service Role (Preview)', type: 'BuiltInRole' });
    expect(byId.body.properties.permissions[0].dataActions).to.deep.equal(['Microsoft.KeyVault/vaults/secrets/setSecret/action']);
    const tenant = await w.client.get(`/${RD}/${ROLE.owner}?api-version=${AUTH_API}`);
    expect(tenant.body.id).to.equal(`/${RD}/${ROLE.owner}`);
    const byName = await w.client.get(`${vaultId(w, 'auth-rg', 'kv-auth')}/${RD}?api-version=${AUTH_API}&$filter=${encodeURIComponent("roleName eq 'Key Vault Secrets Officer'")}`);
    expect(byName.body.value.map((d: any) => d.name)).to.deep.equal([ROLE.secretsOfficer]);
    const all = await w.client.get(`/subscriptions/${w.sub}/${RD}?api-version=${AUTH_API}&$filter=${encodeURIComponent("type eq 'BuiltInRole'")}`);
    expect(all.body.value.map((d: any) => d.properties.roleName)).to.include.members(['Owner', 'Contributor', 'Reader', 'Key Vault Secrets User']);
    expect((await w.client.get(`/subscriptions/${w.sub}/${RD}/${randomUUID()}?api-version=${AUTH_API}`)).status).to.equal(404);
  });

  it('creates, uses and deletes a custom role definition', async () => {
    const id = randomUUID();
    const path = `/subscriptions/${w.sub}/${RD}/${id}?api-version=${AUTH_API}`;
    const created = await w.client.put(path, {
      properties: {
        roleName: 'Secret Reader Only', description: 'get secrets', type: 'CustomRole',
        permissions: [{ actions: [], dataActions: ['Microsoft.KeyVault/vaults/secrets/getSecret/action'] }],
        assignableScopes: [`/subscriptions/${w.sub}`],
      },
    });
    expect(created.status, created.text).to.equal(201);
    expect(created.body.properties).to.deep.include({ roleName: 'Secret Reader Only', type: 'CustomRole' });
    const clash = await w.client.put(`/subscriptions/${w.sub}/${RD}/${randomUUID()}?api-version=${AUTH_API}`, {
      properties: { roleName: 'Reader', permissions: [{ actions: ['*/read'] }], assignableScopes: ['/'] },
    });
    expect(clash.status).to.equal(409);
    const builtIn = await w.client.put(`/subscriptions/${w.sub}/${RD}/${ROLE.owner}?api-version=${AUTH_API}`, { properties: { roleName: 'x', permissions: [{}], assignableScopes: ['/'] } });
    expect(builtIn.status).to.equal(400);

    const assignment = `${groupPath(w, 'auth-rg')}/${RA}/${randomUUID()}?api-version=${AUTH_API}`;
    expect((await w.client.put(assignment, { properties: { roleDefinitionId: `/subscriptions/${w.sub}/${RD}/${id}`, principalId } })).status).to.equal(201);
    const inUse = await w.client.delete(path);
    expect(inUse.status).to.equal(409);
    expect((await w.client.delete(assignment)).status).to.equal(200);
    expect((await w.client.delete(path)).status).to.equal(200);
    expect((await w.client.get(path)).status).to.equal(404);
  });

  it('shows Microsoft.Authorization and Microsoft.KeyVault among the providers', async () => {
    const r = await w.client.get(`/subscriptions/${w.sub}/providers?api-version=2021-04-01`);
    const namespaces = r.body.value.map((p: any) => p.namespace);
    expect(namespaces).to.include.members(['Microsoft.Authorization', 'Microsoft.KeyVault', 'Microsoft.NetworkCloud']);
  });
});
