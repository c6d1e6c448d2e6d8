/**
 * /_emulator is the emulator's control surface: every route there needs the Emulator Administrator
 * role (or Owner) at '/', checked like an ARM action by one guard in front of the prefix. These
 * tests replay the attacks from issue 11 (no role, a Reader, a principal of another tenant) and
 * check both the answer (ARM's 403 body) and that nothing changed; they walk every route the app
 * serves under /_emulator, so a route added later is checked too; and they grant the role to
 * another principal through a role assignment.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { adminAccess } from '../../rp/admin/guard.js';
import { createApp } from '../../rp/server.js';
import { startEmulator, type Running } from '../helpers/emulator.js';
import { authorizationFailedMessage, grant, newPrincipal, ROLES, type TestPrincipal } from '../authorization/principals.js';

const RG_API = '2021-04-01';

interface RouteEntry {
  method: string;
  path: string;
}

/** Every (method, path) the Express app serves, from its router stacks (Express 5). */
function routesOf(stack: any[], prefix = ''): RouteEntry[] {
  const out: RouteEntry[] = [];
  for (const layer of stack) {
    if (layer.route) {
      for (const method of Object.keys(layer.route.methods)) {
        if (method === '_all') continue;
        for (const p of [].concat(layer.route.path)) out.push({ method: method.toUpperCase(), path: prefix + String(p) });
      }
    } else if (layer.handle?.stack) {
      out.push(...routesOf(layer.handle.stack, prefix));
    }
  }
  return out;
}

/** A concrete path for a route pattern: parameters become plausible values. */
function concrete(pattern: string, values: Record<string, string>): string {
  return pattern.replace(/:(\w+)/g, (_m, name: string) => values[name] ?? 'x');
}

describe('admin: /_emulator routes are for administrators', function () {
  this.timeout(60_000);
  let run: Running;
  let sub: string;
  let cluster: string;
  let group: string;
  let nobody: TestPrincipal;
  let reader: TestPrincipal;
  let foreigner: TestPrincipal;

  before(async () => {
    run = await startEmulator({ demo: true });
    sub = run.client.info.subscriptionId;
    const id = run.client.info.demo!.clusterId.split('/');
    group = id[4];
    cluster = id[8];
    nobody = await newPrincipal(run.client);
    reader = await newPrincipal(run.client);
    expect((await grant(run.client, reader.objectId, ROLES.reader, `/subscriptions/${sub}`)).status).to.equal(201);
    foreigner = await newPrincipal(run.client, randomUUID());
  });
  after(() => run.stop());

  const site = () => `/_emulator/sites/${sub}/${group}/${cluster}`;

  function expect403(r: { status: number; body: any; text: string }, p: TestPrincipal, action: string, scope = '/') {
    expect(r.status, r.text).to.equal(403);
    expect(r.body.error).to.deep.equal({ code: 'AuthorizationFailed', message: authorizationFailedMessage(p, action, scope) });
  }

  it('derives one action per method and path, in the Microsoft.Emulator namespace', () => {
    const cases: [string, string, unknown][] = [
      ['GET', '/health', { kind: 'public' }],
      ['GET', '/pki/crl/abc/interface-issuer-r1.crl', { kind: 'public' }],
      ['GET', '/pki/roots/ab', { kind: 'public' }],
      ['GET', '/clock', { kind: 'signedIn' }],
      ['GET', '/subscriptions', { kind: 'filtered' }],
      ['GET', '/sites/', { kind: 'filtered' }],
      ['POST', '/clock', { kind: 'check', action: 'Microsoft.Emulator/clock/action', scope: '/' }],
      ['POST', '/Reset/', { kind: 'check', action: 'Microsoft.Emulator/reset/action', scope: '/' }],
      ['POST', '/health', { kind: 'check', action: 'Microsoft.Emulator/health/action', scope: '/' }],
      ['POST', '/principals', { kind: 'check', action: 'Microsoft.Emulator/principals/action', scope: '/' }],
      ['PUT', `/subscriptions/${randomUUID()}`, { kind: 'check', action: 'Microsoft.Emulator/subscriptions/write', scope: '/' }],
      ['POST', '/sites/s/g/c/revocations', { kind: 'check', action: 'Microsoft.Emulator/sites/revocations/action', scope: '/' }],
      ['DELETE', '/sites/s/g/c/revocations/r1', { kind: 'check', action: 'Microsoft.Emulator/sites/revocations/delete', scope: '/' }],
      ['PUT', '/sites/s/g/c/settings', { kind: 'check', action: 'Microsoft.Emulator/sites/settings/write', scope: '/' }],
      ['POST', '/sites/s/g/c/issuer/csr', { kind: 'check', action: 'Microsoft.Emulator/sites/issuer/action', scope: '/' }],
      ['GET', '/sites/s/g/c', { kind: 'check', action: 'Microsoft.Emulator/sites/read', scope: '/subscriptions/s/resourceGroups/g/providers/Microsoft.NetworkCloud/clusters/c' }],
      ['GET', '/sites/s/g/c/trust-bundle.pem', { kind: 'check', action: 'Microsoft.Emulator/sites/trust-bundle/read', scope: '/subscriptions/s/resourceGroups/g/providers/Microsoft.NetworkCloud/clusters/c' }],
      // Routes that do not exist yet are covered by construction.
      ['PUT', '/faults/f1', { kind: 'check', action: 'Microsoft.Emulator/faults/write', scope: '/' }],
      ['GET', '/faults', { kind: 'check', action: 'Microsoft.Emulator/faults/read', scope: '/' }],
      ['GET', '//', { kind: 'check', action: 'Microsoft.Emulator/read', scope: '/' }],
    ];
    for (const [method, path, want] of cases) expect(adminAccess(method, path), `${method} ${path}`).to.deep.equal(want);
  });

  it('every route the app serves under /_emulator answers 401 without a token and 403 to a principal without the role, except the documented open reads', async () => {
    const routes = routesOf((createApp(run.emu) as any).router.stack).filter((r) => /^\/_emulator(\/|$)/i.test(r.path));
    expect(routes.length).to.be.greaterThan(15);
    const values = { subscriptionId: sub, resourceGroup: group, clusterName: cluster, ruleId: randomUUID(), name: 'x', sha256: 'ab'.repeat(32), pkiId: 'p', file: 'x-r1.crl' };
    const checked: string[] = [];
    for (const r of routes) {
      const path = concrete(r.path, values);
      const access = adminAccess(r.method, path.replace(/^\/_emulator/i, ''));
      const anonymous = await run.client.send(r.method, path, r.method === 'GET' ? undefined : {}, { token: false });
      if (access.kind === 'public') {
        expect(anonymous.status, `${r.method} ${path}`).to.not.equal(401);
        continue;
      }
      expect(anonymous.status, `${r.method} ${path}: ${anonymous.text}`).to.equal(401);
      expect(anonymous.body.error.code).to.equal('AuthenticationFailed');
      if (access.kind !== 'check' || access.scope !== '/') continue;
      const refused = await run.client.send(r.method, path, r.method === 'GET' ? undefined : {}, { token: reader.token });
      expect403(refused, reader, access.action);
      checked.push(`${r.method} ${r.path}`);
    }
    for (const must of ['POST /_emulator/clock', 'POST /_emulator/reset', 'POST /_emulator/principals', 'PUT /_emulator/subscriptions/:subscriptionId']) expect(checked).to.include(must);
  });

  it('refuses reset, clock changes, new principals and subscriptions to a principal with no role, a Reader and another tenant, and changes nothing', async () => {
    const groups = async () => (await run.client.get(`/subscriptions/${sub}/resourcegroups?api-version=${RG_API}`)).body.value.map((g: any) => g.name).sort();
    const before = { groups: await groups(), clock: (await run.client.get('/_emulator/clock')).body, subs: (await run.client.get('/_emulator/subscriptions')).body.value };
    expect(before.groups.length).to.be.greaterThan(0);
    const newSub = randomUUID();
    for (const p of [nobody, reader, foreigner]) {
      expect403(await run.client.post('/_emulator/reset', {}, { token: p.token }), p, 'Microsoft.Emulator/reset/action');
      expect403(await run.client.post('/_emulator/clock', { advance: '80d' }, { token: p.token }), p, 'Microsoft.Emulator/clock/action');
      expect403(await run.client.post('/_emulator/principals', { displayName: 'mine' }, { token: p.token }), p, 'Microsoft.Emulator/principals/action');
      expect403(await run.client.put(`/_emulator/subscriptions/${sub}`, { displayName: 'taken over' }, { token: p.token }), p, 'Microsoft.Emulator/subscriptions/write');
      expect403(await run.client.put(`/_emulator/subscriptions/${newSub}`, {}, { token: p.token }), p, 'Microsoft.Emulator/subscriptions/write');
      expect403(await run.client.post(`${site()}/revocations`, { by: 'group', value: 'bmc' }, { token: p.token }), p, 'Microsoft.Emulator/sites/revocations/action');
      expect403(await run.client.put(`${site()}/settings`, {}, { token: p.token }), p, 'Microsoft.Emulator/sites/settings/write');
    }
    expect(await groups()).to.deep.equal(before.groups);
    const clock = (await run.client.get('/_emulator/clock')).body;
    expect(clock.offsetSeconds).to.equal(before.clock.offsetSeconds);
    expect((await run.client.get('/_emulator/subscriptions')).body.value).to.deep.equal(before.subs);
    expect((await run.client.get(`${site()}/revocations`)).body.value).to.deep.equal([]);
  });

  it('GET /_emulator/subscriptions shows an administrator every tenant, anyone else only what ARM would list for them', async () => {
    const other = randomUUID();
    const otherTenant = randomUUID();
    const put = await run.client.put(`/_emulator/subscriptions/${other}`, { displayName: 'elsewhere', tenantId: otherTenant });
    expect(put.status, put.text).to.equal(201);
    const all = (await run.client.get('/_emulator/subscriptions')).body.value.map((s: any) => s.subscriptionId);
    expect(all).to.include.members([sub, other]);
    expect((await run.client.get('/_emulator/subscriptions', { token: reader.token })).body.value.map((s: any) => s.subscriptionId)).to.deep.equal([sub]);
    expect((await run.client.get('/_emulator/subscriptions', { token: nobody.token })).body.value).to.deep.equal([]);
    expect((await run.client.get('/_emulator/subscriptions', { token: foreigner.token })).body.value).to.deep.equal([]);
  });

  it('site views: readable by whoever may read the cluster; the list shows only those', async () => {
    const list = async (token: string) => (await run.client.get('/_emulator/sites', { token })).body.value.map((s: any) => s.clusterId);
    expect(await list(reader.token)).to.have.length(1);
    expect(await list(nobody.token)).to.deep.equal([]);
    expect(await list(foreigner.token)).to.deep.equal([]);
    expect((await run.client.get(site(), { token: reader.token })).status).to.equal(200);
    const clusterId = run.client.info.demo!.clusterId;
    expect403(await run.client.get(`${site()}/certificates`, { token: nobody.token }), nobody, 'Microsoft.Emulator/sites/certificates/read', clusterId);
    expect((await run.client.get(site(), { token: false })).status).to.equal(401);
    // Open: health, the clock for any signed-in caller, public PKI material.
    expect((await run.client.get('/_emulator/health', { token: false })).status).to.equal(200);
    expect((await run.client.get('/_emulator/clock', { token: nobody.token })).status).to.equal(200);
    expect((await run.client.get('/_emulator/clock', { token: false })).status).to.equal(401);
  });

  it('a role assignment at / grants the Emulator Administrator role to another principal; Owner of a subscription is not enough', async () => {
    const owner = await newPrincipal(run.client);
    expect((await grant(run.client, owner.objectId, ROLES.owner, `/subscriptions/${sub}`)).status).to.equal(201);
    expect403(await run.client.post('/_emulator/clock', { advance: '1h' }, { token: owner.token }), owner, 'Microsoft.Emulator/clock/action');

    const admin = await newPrincipal(run.client);
    // The demo principal holds the role itself.
    const mine = await run.client.get(`/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=${encodeURIComponent(`principalId eq '${run.emu.demoPrincipalObjectId}'`)}`);
    expect(mine.body.value.filter((a: any) => a.properties.scope === '/').map((a: any) => a.properties.roleDefinitionId)).to.include(`/providers/Microsoft.Authorization/roleDefinitions/${ROLES.emulatorAdministrator}`);
    // Nobody but an Owner at '/' may hand it out.
    const selfGrant = await grant(run.client, admin.objectId, ROLES.emulatorAdministrator, '/', owner.token);
    expect403(selfGrant, owner, 'Microsoft.Authorization/roleAssignments/write');
    const granted = await grant(run.client, admin.objectId, ROLES.emulatorAdministrator, '/');
    expect(granted.status, granted.text).to.equal(201);

    const before = (await run.client.get('/_emulator/clock')).body.offsetSeconds;
    const moved = await run.client.post('/_emulator/clock', { advance: '1h' }, { token: admin.token });
    expect(moved.status, moved.text).to.equal(200);
    expect(moved.body.offsetSeconds - before).to.be.within(3599, 3601);
    const made = await run.client.post('/_emulator/principals', { displayName: 'by admin' }, { token: admin.token });
    expect(made.status, made.text).to.equal(201);
    // An administrator is not an Owner: ARM writes still need their own roles.
    const rg = await run.client.put(`/subscriptions/${sub}/resourcegroups/by-admin?api-version=${RG_API}`, { location: 'eastus' }, { token: admin.token });
    expect403(rg, admin, 'Microsoft.Resources/subscriptions/resourceGroups/write', `/subscriptions/${sub}/resourceGroups/by-admin`);
  });

  it('revocation rules can be listed, read and deleted by an administrator, only listed by a Reader', async () => {
    const made = await run.client.post(`${site()}/revocations`, { by: 'group', value: 'bmc', notBefore: '2000-01-01T00:00:00Z' });
    expect(made.status, made.text).to.equal(201);
    const id = made.body.rule.id as string;
    const listed = (await run.client.get(`${site()}/revocations`, { token: reader.token })).body.value;
    expect(listed.map((r: any) => r.id)).to.deep.equal([id]);
    const one = await run.client.get(`${site()}/revocations/${id}`);
    expect(one.status, one.text).to.equal(200);
    expect(one.body).to.include({ id, by: 'group', value: 'bmc' });
    expect(one.body.revokedSerials).to.be.an('array');

    expect403(await run.client.delete(`${site()}/revocations/${id}`, { token: reader.token }), reader, 'Microsoft.Emulator/sites/revocations/delete');
    expect((await run.client.get(`${site()}/revocations`)).body.value).to.have.length(1);

    const gone = await run.client.delete(`${site()}/revocations/${id}`);
    expect(gone.status, gone.text).to.equal(200);
    expect(gone.body.rule).to.include({ id, by: 'group', value: 'bmc' });
    expect((await run.client.get(`${site()}/revocations`)).body.value).to.deep.equal([]);
    const again = await run.client.delete(`${site()}/revocations/${id}`);
    expect(again.status).to.equal(404);
    expect(again.body.error.code).to.equal('RevocationRuleNotFound');
    expect((await run.client.get(`${site()}/revocations/${id}`)).body.error.code).to.equal('RevocationRuleNotFound');
  });
});
