/**
 * The whole RBAC matrix on ARM calls, for every built-in role the emulator knows and for no role:
 * read, PUT (create), PATCH, DELETE, a POST action and a role assignment. Each answer is checked
 * with its body (ARM's AuthorizationFailed, naming principal, action and scope) and each refusal with
 * the state it must leave alone (a refused DELETE keeps the resource, a refused PUT creates nothing,
 * a refused PATCH changes nothing, a refused action starts nothing, a refused assignment is not
 * stored). A check that lets one operation through on a weaker right turns a row red.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { clusterManagerBody } from '../helpers/bodies.js';
import { ncPath, rgPath, startEmulator, type Reply, type Running } from '../helpers/emulator.js';
import { authorizationFailedMessage, grant, newPrincipal, RA_API, ROLES, type RoleName, type TestPrincipal } from './principals.js';

const V = '2025-09-01';
const GROUP = 'matrix-rg';
type Op = 'read' | 'put' | 'patch' | 'delete' | 'action' | 'assign';
const OPS: Op[] = ['read', 'put', 'patch', 'delete', 'action', 'assign'];

/** What each role may do here; everything else must be refused. */
const ALLOWED: Record<RoleName | 'none', Op[]> = {
  none: [],
  reader: ['read'],
  contributor: ['read', 'put', 'patch', 'delete', 'action'],
  owner: ['read', 'put', 'patch', 'delete', 'action', 'assign'],
  keyVaultSecretsOfficer: [],
  keyVaultSecretsUser: [],
  operatorNexusKeyVaultWriter: [],
  // The emulator's own role is about /_emulator only: no ARM rights at all.
  emulatorAdministrator: [],
};

describe('authorization: the RBAC matrix for every role', function () {
  this.timeout(120_000);
  let run: Running;
  let sub: string;
  let machines: string[];
  let next = 0;

  before(async () => {
    run = await startEmulator({ demo: true });
    sub = run.client.info.subscriptionId;
    machines = run.client.info.demo!.bareMetalMachineIds;
    expect((await run.client.put(`${rgPath(sub, GROUP)}?api-version=2021-04-01`, { location: 'eastus' })).status).to.equal(201);
  });
  after(() => run.stop());

  const admin = () => run.client;
  const cmPath = (name: string) => ncPath(sub, GROUP, 'clusterManagers', name);
  const settle = async (r: Reply) => (r.status === 202 ? admin().poll(r) : r);

  function refused(r: Reply, p: TestPrincipal, action: string, scope: string, what: string) {
    expect(r.status, `${what}: ${r.text}`).to.equal(403);
    expect(r.body, what).to.deep.equal({ error: { code: 'AuthorizationFailed', message: authorizationFailedMessage(p, action, scope) } });
  }

  for (const role of Object.keys(ALLOWED) as (RoleName | 'none')[]) {
    it(`${role}: ${ALLOWED[role].join(', ') || 'nothing'}`, async () => {
      const p = await newPrincipal(admin());
      if (role !== 'none') expect((await grant(admin(), p.objectId, ROLES[role], `/subscriptions/${sub}`)).status).to.equal(201);
      const as = { token: p.token };
      const may = (op: Op) => ALLOWED[role].includes(op);

      // A cluster manager of this row's own, made by the administrator.
      const name = `cm-${role.toLowerCase()}`;
      const made = await settle(await admin().put(`${cmPath(name)}?api-version=${V}`, clusterManagerBody(sub, GROUP, { tags: { owner: 'admin' } })));
      expect([200, 201], made.text).to.include(made.status);
      const original = (await admin().get(`${cmPath(name)}?api-version=${V}`)).body;
      const cmId = original.id as string;

      // read
      const read = await run.client.get(`${cmPath(name)}?api-version=${V}`, as);
      if (may('read')) {
        expect(read.status, read.text).to.equal(200);
        expect(read.body.id).to.equal(cmId);
      } else refused(read, p, 'Microsoft.NetworkCloud/clusterManagers/read', cmId, 'read');

      // PUT (create)
      const newName = `${name}-new`;
      const put = await run.client.put(`${cmPath(newName)}?api-version=${V}`, clusterManagerBody(sub, GROUP), as);
      const afterPut = await admin().get(`${cmPath(newName)}?api-version=${V}`);
      if (may('put')) {
        expect([200, 201], put.text).to.include(put.status);
        await settle(put);
        expect(afterPut.status).to.equal(200);
      } else {
        refused(put, p, 'Microsoft.NetworkCloud/clusterManagers/write', cmPath(newName), 'put');
        expect(afterPut.status, 'a refused PUT created the resource').to.equal(404);
      }

      // PATCH
      const patch = await settle(await run.client.patch(`${cmPath(name)}?api-version=${V}`, { tags: { owner: 'attacker' } }, as));
      const afterPatch = (await admin().get(`${cmPath(name)}?api-version=${V}`)).body;
      if (may('patch')) {
        expect(patch.status, patch.text).to.equal(200);
        expect(afterPatch.tags).to.deep.equal({ owner: 'attacker' });
      } else {
        refused(patch, p, 'Microsoft.NetworkCloud/clusterManagers/write', cmId, 'patch');
        expect(afterPatch, 'a refused PATCH changed the resource').to.deep.equal(original);
      }

      // DELETE
      const before = (await admin().get(`${cmPath(name)}?api-version=${V}`)).body;
      const del = await run.client.delete(`${cmPath(name)}?api-version=${V}`, as);
      if (may('delete')) {
        expect([200, 202, 204], del.text).to.include(del.status);
        await settle(del);
        expect((await admin().get(`${cmPath(name)}?api-version=${V}`)).status).to.equal(404);
      } else {
        refused(del, p, 'Microsoft.NetworkCloud/clusterManagers/delete', cmId, 'delete');
        const still = await admin().get(`${cmPath(name)}?api-version=${V}`);
        expect(still.status, 'a refused DELETE removed the resource').to.equal(200);
        expect(still.body).to.deep.equal(before);
      }

      // action (each row its own machine, so operations never overlap)
      const bmm = machines[next++ % machines.length];
      const bmmBefore = (await admin().get(`${bmm}?api-version=${V}`)).body;
      const action = await run.client.post(`${bmm}/cordon?api-version=${V}`, {}, as);
      if (may('action')) {
        expect(action.status, action.text).to.equal(202);
        expect((await admin().poll(action)).body.status).to.equal('Succeeded');
        await settle(await admin().post(`${bmm}/uncordon?api-version=${V}`, {}));
      } else {
        refused(action, p, 'Microsoft.NetworkCloud/bareMetalMachines/cordon/action', bmm, 'action');
        expect((await admin().get(`${bmm}?api-version=${V}`)).body, 'a refused action changed the machine').to.deep.equal(bmmBefore);
      }

      // role assignment
      const other = await newPrincipal(admin());
      const scope = rgPath(sub, GROUP);
      const assign = await grant(run.client, other.objectId, ROLES.reader, scope, p.token);
      const stored = await admin().get(`${scope}/providers/Microsoft.Authorization/roleAssignments?api-version=${RA_API}&$filter=${encodeURIComponent(`principalId eq '${other.objectId}'`)}`);
      if (may('assign')) {
        expect(assign.status, assign.text).to.equal(201);
        expect(stored.body.value).to.have.length(1);
      } else {
        refused(assign, p, 'Microsoft.Authorization/roleAssignments/write', scope, 'assign');
        expect(stored.body.value, 'a refused assignment was stored').to.deep.equal([]);
      }

      // Clean up what this row made (as the administrator).
      for (const n of [name, newName]) await settle(await admin().delete(`${cmPath(n)}?api-version=${V}`));
      expect(OPS.filter(may)).to.deep.equal(ALLOWED[role]);
    });
  }

  it('a refused role-assignment DELETE leaves the assignment; a refused resource-group DELETE leaves the group', async () => {
    const reader = await newPrincipal(admin());
    expect((await grant(admin(), reader.objectId, ROLES.reader, `/subscriptions/${sub}`)).status).to.equal(201);
    const target = await newPrincipal(admin());
    const name = randomUUID();
    const scope = rgPath(sub, GROUP);
    const url = `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}?api-version=${RA_API}`;
    const put = await admin().put(url, { properties: { roleDefinitionId: `${scope}/providers/Microsoft.Authorization/roleDefinitions/${ROLES.reader}`, principalId: target.objectId, principalType: 'ServicePrincipal' } });
    expect(put.status, put.text).to.equal(201);
    refused(await run.client.delete(url, { token: reader.token }), reader, 'Microsoft.Authorization/roleAssignments/delete', scope, 'assignment delete');
    expect((await admin().get(url)).status).to.equal(200);
    refused(await run.client.delete(`${scope}?api-version=2021-04-01`, { token: reader.token }), reader, 'Microsoft.Resources/subscriptions/resourceGroups/delete', scope, 'group delete');
    expect((await admin().get(`${scope}?api-version=2021-04-01`)).status).to.equal(200);
  });
});
