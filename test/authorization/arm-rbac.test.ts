/**
 * RBAC on ARM calls: Reader reads, Contributor also writes and runs actions, Owner also manages role
 * assignments; anyone else gets ARM's 403 AuthorizationFailed naming principal, action and scope.
 * Plus subscriptions in several tenants, isolated from each other.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { ncPath, rgPath, startEmulator, type Client, type Running } from '../helpers/emulator.js';

const ROLES = { owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635', contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c', reader: 'acdd72a7-3c48-4e46-9046-4b40c0c4b0bd' };
const RA_API = '2022-04-01';

interface Principal {
  objectId: string;
  clientId: string;
  tenantId: string;
  clientSecret: string;
}

describe('RBAC on ARM', () => {
  let run: Running;
  let sub: string;
  let mrg: string;

  before(async () => {
    run = await startEmulator({ demo: true });
    sub = run.client.info.subscriptionId;
    mrg = run.client.info.demo!.managedResourceGroup;
  });
  after(() => run.stop());

  async function newPrincipal(tenantId?: string): Promise<Principal> {
    const r = await run.client.post('/_emulator/principals', { displayName: 'rbac test', ...(tenantId ? { tenantId } : {}) });
    expect(r.status, r.text).to.equal(201);
    return r.body;
  }

  async function tokenFor(p: Principal): Promise<string> {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: p.clientId, client_secret: p.clientSecret, scope: 'https://management.azure.com/.default' });
    const r = await run.client.send('POST', `/${p.tenantId}/oauth2/v2.0/token`, undefined, { token: false, raw: form.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(r.status, r.text).to.equal(200);
    return r.body.access_token;
  }

  async function grant(p: Principal, role: string, scope: string, client: Client = run.client, token?: string) {
    return client.put(`${scope}/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}?api-version=${RA_API}`, {
      properties: { roleDefinitionId: `${scope}/providers/Microsoft.Authorization/roleDefinitions/${role}`, principalId: p.objectId },
    }, token ? { token } : undefined);
  }

  /** What a principal holding `role` at the subscription gets for a read, a write, an action and a role assignment. */
  async function matrix(role: keyof typeof ROLES | null) {
    const p = await newPrincipal();
    if (role) expect((await grant(p, ROLES[role], `/subscriptions/${sub}`)).status).to.equal(201);
    const token = await tokenFor(p);
    const bmm = run.client.info.demo!.bareMetalMachineIds[1];
    const read = await run.client.get(`${bmm}?api-version=2025-09-01`, { token });
    const write = await run.client.patch(`${bmm}?api-version=2025-09-01`, { tags: { by: role ?? 'none' } }, { token });
    const action = await run.client.post(`${bmm}/cordon?api-version=2025-09-01`, {}, { token });
    if (action.status === 202) await run.client.poll(action);
    const assign = await grant(await newPrincipal(), ROLES.reader, `/subscriptions/${sub}/resourceGroups/${mrg}`, run.client, token);
    return { p, read, write, action, assign };
  }

  it('Reader: read only', async () => {
    const m = await matrix('reader');
    expect([m.read.status, m.write.status, m.action.status, m.assign.status]).to.deep.equal([200, 403, 403, 403]);
    expect(m.write.body.error.code).to.equal('AuthorizationFailed');
    expect(m.write.body.error.message).to.equal(
      `The client '${m.p.clientId}' with object id '${m.p.objectId}' does not have authorization to perform action 'Microsoft.NetworkCloud/bareMetalMachines/write' over scope '${run.client.info.demo!.bareMetalMachineIds[1]}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    );
    expect(m.action.body.error.message).to.contain("'Microsoft.NetworkCloud/bareMetalMachines/cordon/action'");
    expect(m.assign.body.error.message).to.contain("'Microsoft.Authorization/roleAssignments/write'");
  });

  it('Contributor: read, write and actions, but no role management', async () => {
    const m = await matrix('contributor');
    expect([m.read.status, m.write.status, m.action.status, m.assign.status]).to.deep.equal([200, 200, 202, 403]);
  });

  it('Owner: everything, role assignments included', async () => {
    const m = await matrix('owner');
    expect([m.read.status, m.write.status, m.action.status, m.assign.status]).to.deep.equal([200, 200, 202, 201]);
  });

  it('no assignment: 403 everywhere and no subscription in sight', async () => {
    const m = await matrix(null);
    expect([m.read.status, m.write.status, m.action.status, m.assign.status]).to.deep.equal([403, 403, 403, 403]);
    const token = await tokenFor(m.p);
    expect((await run.client.get('/subscriptions?api-version=2022-12-01', { token })).body.value).to.deep.equal([]);
    expect((await run.client.get(`/subscriptions/${sub}/resourcegroups?api-version=2021-04-01`, { token })).status).to.equal(200);
  });

  it('nobody without rights may grant roles at the tenant root (no self-made Owners)', async () => {
    const p = await newPrincipal();
    const token = await tokenFor(p);
    const selfGrant = await run.client.put(`/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}?api-version=${RA_API}`, {
      properties: { roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${ROLES.owner}`, principalId: p.objectId },
    }, { token });
    expect(selfGrant.status).to.equal(403);
    expect(selfGrant.body.error.message).to.contain("'Microsoft.Authorization/roleAssignments/write' over scope '/'");
    expect((await run.client.get(`${run.client.info.demo!.clusterId}?api-version=2025-09-01`, { token })).status).to.equal(403);
    const definitions = await run.client.get(`/providers/Microsoft.Authorization/roleDefinitions?api-version=${RA_API}`, { token });
    expect(definitions.status).to.equal(200);
  });

  it('a group-scoped Reader sees that group only, in lists too', async () => {
    const p = await newPrincipal();
    await grant(p, ROLES.reader, `/subscriptions/${sub}/resourceGroups/${mrg}`);
    const token = await tokenFor(p);
    const subs = await run.client.get('/subscriptions?api-version=2022-12-01', { token });
    expect(subs.body.value.map((s: { subscriptionId: string }) => s.subscriptionId)).to.deep.equal([sub]);
    const groups = await run.client.get(`/subscriptions/${sub}/resourcegroups?api-version=2021-04-01`, { token });
    expect(groups.body.value.map((g: { name: string }) => g.name)).to.deep.equal([mrg]);
    const bySub = await run.client.get(`/subscriptions/${sub}/providers/Microsoft.NetworkCloud/clusters?api-version=2025-09-01`, { token });
    expect(bySub.body.value).to.deep.equal([]);
    const machines = await run.client.get(`/subscriptions/${sub}/providers/Microsoft.NetworkCloud/bareMetalMachines?api-version=2025-09-01`, { token });
    expect(machines.body.value).to.have.length(6);
    const other = await run.client.get(`${rgPath(sub, 'nexus-demo-rg')}?api-version=2021-04-01`, { token });
    expect(other.status).to.equal(403);
  });

  it('keeps subscriptions of different tenants apart', async () => {
    const otherTenant = randomUUID();
    const otherSub = randomUUID();
    const b = await newPrincipal(otherTenant);
    const created = await run.client.put(`/_emulator/subscriptions/${otherSub}`, { displayName: 'Tenant B', tenantId: otherTenant, ownerObjectId: b.objectId });
    expect(created.status, created.text).to.equal(201);
    const tokenB = await tokenFor(b);
    const own = await run.client.put(`${rgPath(otherSub, 'rg-b')}?api-version=2021-04-01`, { location: 'eastus' }, { token: tokenB });
    expect(own.status).to.equal(201);
    const cross = await run.client.get(`${rgPath(sub, 'nexus-demo-rg')}?api-version=2021-04-01`, { token: tokenB });
    expect(cross.status).to.equal(401);
    expect(cross.body.error.code).to.equal('InvalidAuthenticationTokenTenant');
    const back = await run.client.get(`${rgPath(otherSub, 'rg-b')}?api-version=2021-04-01`);
    expect(back.status).to.equal(401);
    const listB = await run.client.get('/subscriptions?api-version=2022-12-01', { token: tokenB });
    expect(listB.body.value.map((s: { subscriptionId: string }) => s.subscriptionId)).to.deep.equal([otherSub]);
    const listA = await run.client.get('/subscriptions?api-version=2022-12-01');
    expect(listA.body.value.map((s: { subscriptionId: string }) => s.subscriptionId)).to.not.include(otherSub);
    const clusters = await run.client.get(`${ncPath(otherSub, 'rg-b', 'clusters')}?api-version=2025-09-01`, { token: tokenB });
    expect(clusters.body.value).to.deep.equal([]);
  });
});
