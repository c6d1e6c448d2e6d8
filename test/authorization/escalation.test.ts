/**
 * RBAC that cannot be widened: the role-escalation of issue 11 (a read-only custom role re-PUT under
 * a subscription its holder owns, with actions and dataActions ["*"]) is refused and changes
 * nothing; writing a definition needs rights at every assignable scope; and action patterns are
 * matched in linear time (a hostile pattern on a long path costs about what a plain match costs,
 * and one request with it leaves the emulator answering).
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { actionMatches, checkDataAction } from '../../rp/providers/authorization/rbac.js';
import { SECRET_DATA_ACTIONS } from '../../rp/providers/authorization/roles.js';
import { spawnEmulator, startEmulator, type Client, type Running } from '../helpers/emulator.js';
import { authorizationFailedMessage, grant, newPrincipal, type TestPrincipal } from './principals.js';

const RD_API = '2022-04-01';
const HOSTILE = '*a*a*a*a*a*a*a*a*a*a*!';

const definitionUrl = (scope: string, guid: string) => `${scope === '/' ? '' : scope}/providers/Microsoft.Authorization/roleDefinitions/${guid}?api-version=${RD_API}`;
const definitionBody = (roleName: string, actions: string[], assignableScopes: string[], dataActions: string[] = []) => ({
  properties: { roleName, description: 'test role', permissions: [{ actions, notActions: [], dataActions, notDataActions: [] }], assignableScopes },
});

describe('authorization: role definitions cannot be widened', function () {
  this.timeout(60_000);
  let run: Running;
  let subA: string;
  let vaultScope: string;

  before(async () => {
    run = await startEmulator({ demo: true });
    subA = `/subscriptions/${run.client.info.subscriptionId}`;
    vaultScope = `${subA}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv`;
  });
  after(() => run.stop());

  /** P holds a read-only custom role at subscription A, and owns subscription B (made for it by the administrator). */
  async function setUp(): Promise<{ p: TestPrincipal; guid: string; subB: string }> {
    const p = await newPrincipal(run.client);
    const guid = randomUUID();
    const made = await run.client.put(definitionUrl(subA, guid), definitionBody(`Read only ${guid.slice(0, 8)}`, ['*/read'], [subA]));
    expect(made.status, made.text).to.equal(201);
    expect((await grant(run.client, p.objectId, guid, subA)).status).to.equal(201);
    const b = randomUUID();
    const sub = await run.client.put(`/_emulator/subscriptions/${b}`, { displayName: 'owned by P', ownerObjectId: p.objectId });
    expect(sub.status, sub.text).to.equal(201);
    return { p, guid, subB: `/subscriptions/${b}` };
  }

  async function storedDefinition(client: Client, guid: string) {
    const r = await client.get(definitionUrl(subA, guid));
    expect(r.status, r.text).to.equal(200);
    return r.body.properties;
  }

  it('re-PUTting an existing role GUID under another subscription, with actions ["*"] and dataActions ["*"], is refused and changes nothing', async () => {
    const { p, guid, subB } = await setUp();
    const before = await storedDefinition(run.client, guid);

    const widened = await run.client.put(definitionUrl(subB, guid), definitionBody(before.roleName, ['*'], [subB], ['*']), { token: p.token });
    expect(widened.status, widened.text).to.equal(409);
    expect(widened.body.error.code).to.equal('RoleDefinitionWithSameNameExists');
    expect(widened.body.error.message).to.match(/^A role definition cannot be updated with a name that already exists\./);
    // The same attack, naming subscription A among the assignable scopes: no write right there.
    const both = await run.client.put(definitionUrl(subB, guid), definitionBody(before.roleName, ['*'], [subA, subB], ['*']), { token: p.token });
    expect(both.status, both.text).to.equal(409);

    expect(await storedDefinition(run.client, guid)).to.deep.equal(before);
    expect(before.permissions).to.deep.equal([{ actions: ['*/read'], notActions: [], dataActions: [], notDataActions: [] }]);
    // And P still cannot write at A, make itself Owner there, or read a vault's secrets.
    const write = await run.client.put(`${subA}/resourcegroups/escalated?api-version=2021-04-01`, { location: 'eastus' }, { token: p.token });
    expect(write.status).to.equal(403);
    const owner = await grant(run.client, p.objectId, '8e3af657-a8ff-443c-a75c-2fe8c4bcb635', subA, p.token);
    expect(owner.status).to.equal(403);
    expect(owner.body.error.message).to.equal(authorizationFailedMessage(p, 'Microsoft.Authorization/roleAssignments/write', subA));
    expect(checkDataAction(run.emu.store, p.objectId, vaultScope, SECRET_DATA_ACTIONS.getSecret).allowed).to.equal(false);
  });

  it('a new definition needs roleDefinitions/write at every assignable scope, not only at the URL', async () => {
    const { p, subB } = await setUp();
    const guid = randomUUID();
    const r = await run.client.put(definitionUrl(subB, guid), definitionBody(`Wide ${guid.slice(0, 8)}`, ['*'], [subB, subA], ['*']), { token: p.token });
    expect(r.status, r.text).to.equal(403);
    expect(r.body.error).to.deep.equal({ code: 'AuthorizationFailed', message: authorizationFailedMessage(p, 'Microsoft.Authorization/roleDefinitions/write', subA) });
    expect((await run.client.get(definitionUrl(subB, guid))).status).to.equal(404);
    // At the tenant root too.
    const root = await run.client.put(definitionUrl(subB, guid), definitionBody(`Root ${guid.slice(0, 8)}`, ['*'], ['/']), { token: p.token });
    expect(root.status).to.equal(403);
    expect(root.body.error.message).to.equal(authorizationFailedMessage(p, 'Microsoft.Authorization/roleDefinitions/write', '/'));
    // Where P has the right everywhere (its own subscription), it may.
    const own = await run.client.put(definitionUrl(subB, guid), definitionBody(`Own ${guid.slice(0, 8)}`, ['*/read'], [subB]), { token: p.token });
    expect(own.status, own.text).to.equal(201);
    // Widening that definition to A later is refused just the same, and so is deleting a definition assignable at A.
    const widen = await run.client.put(definitionUrl(subB, guid), definitionBody(`Own ${guid.slice(0, 8)}`, ['*/read'], [subB, subA]), { token: p.token });
    expect(widen.status).to.equal(403);
    expect((await run.client.get(definitionUrl(subB, guid))).body.properties.assignableScopes).to.deep.equal([subB]);
  });

  it('an administrator may still change a definition where it was created', async () => {
    const { guid } = await setUp();
    const before = await storedDefinition(run.client, guid);
    const r = await run.client.put(definitionUrl(subA, guid), definitionBody(before.roleName, ['*/read', 'Microsoft.Resources/subscriptions/resourceGroups/write'], [subA]));
    expect(r.status, r.text).to.equal(200);
    expect((await storedDefinition(run.client, guid)).permissions[0].actions).to.deep.equal(['*/read', 'Microsoft.Resources/subscriptions/resourceGroups/write']);
  });
});

describe('authorization: action patterns in linear time', function () {
  this.timeout(120_000);

  it('matches like the glob it is', () => {
    const cases: [string, string, boolean][] = [
      ['*', '', true], ['*', 'anything/at/all', true], ['', '', true], ['', 'a', false],
      ['a*', 'a', true], ['*a', 'a', true], ['a*a', 'a', false], ['a*a', 'aa', true], ['**', 'x', true],
      ['Microsoft.Compute/*/read', 'microsoft.compute/virtualMachines/read', true],
      ['Microsoft.Compute/*/read', 'Microsoft.Compute/read', false],
      ['*/read', 'Microsoft.Resources/subscriptions/resourceGroups/read', true],
      ['*/read', 'Microsoft.Resources/subscriptions/resourceGroups/reader', false],
      ['Microsoft.Authorization/*/Write', 'Microsoft.Authorization/roleAssignments/write', true],
      ['*a*b*c', 'xxaxxbxxc', true], ['*a*b*c', 'xxbxxaxxc', false], ['*ab*ab', 'abab', true], ['*ab*ab', 'aba', false],
      // (The hostile pattern on a long path is timed in a worker below: a backtracking matcher would block here.)
      [HOSTILE, `${'a'.repeat(11)}!`, true], [HOSTILE, `${'a'.repeat(9)}!`, false],
      ['a.b', 'aXb', false], ['a?b', 'aXb', false], ['a[b]', 'a[b]', true], ['(a|b)', 'a', false],
    ];
    for (const [pattern, action, want] of cases) expect(actionMatches(pattern, action), `${pattern} ~ ${action}`).to.equal(want);
  });

  it('a hostile pattern on a long path costs no more than a plain match of the same path (ratio, same run)', async () => {
    // In a worker, so an exponential matcher can be stopped rather than freezing this process.
    const worker = new Worker(`
      const { parentPort } = require('node:worker_threads');
      import(${JSON.stringify(new URL('../../rp/providers/authorization/rbac.js', import.meta.url).href)}).then(({ actionMatches }) => {
        const long = 'Microsoft.' + 'a'.repeat(20000) + '/things/read';
        const time = (pattern, text, n) => { const t = process.hrtime.bigint(); for (let i = 0; i < n; i++) actionMatches(pattern, text); return Number(process.hrtime.bigint() - t) / 1e6; };
        const N = 200;
        time(long.toUpperCase(), long, 20);
        const baseline = time(long.toUpperCase(), long, N);
        parentPort.postMessage({ baseline });
        const hostile = Math.max(
          time(${JSON.stringify(HOSTILE)}, long, N),
          time(${JSON.stringify(HOSTILE)}, long.slice(0, -5) + '!', N),
          time('*a*a*a*a*a*a*a*a*a*a*b*', long, N),
          time('*a*a*a*a*a*a*a*a*a*a*!', 'Microsoft.' + 'a'.repeat(40) + '/things/read', N),
        );
        parentPort.postMessage({ hostile });
      });
    `, { eval: true });
    const result = await new Promise<{ baseline: number; hostile?: number }>((resolve, reject) => {
      let baseline = 0;
      let timer: NodeJS.Timeout | undefined;
      worker.on('message', (m: { baseline?: number; hostile?: number }) => {
        if (m.baseline !== undefined) {
          baseline = m.baseline;
          // A stop, not the measurement: a backtracking matcher would run for hours.
          timer = setTimeout(() => resolve({ baseline }), Math.max(100 * baseline, 5_000));
        } else {
          clearTimeout(timer);
          resolve({ baseline, hostile: m.hostile });
        }
      });
      worker.on('error', reject);
    });
    await worker.terminate();
    expect(result.hostile, `the hostile patterns did not finish (baseline ${result.baseline.toFixed(1)} ms)`).to.be.a('number');
    const ratio = result.hostile! / result.baseline;
    console.log(`      measured: plain match ${result.baseline.toFixed(1)} ms, worst hostile pattern ${result.hostile!.toFixed(1)} ms (200 matches each on a 20 kB path): ratio ${ratio.toFixed(2)}`);
    expect(ratio).to.be.below(20);
  });

  it('one request checked against a hostile role leaves the emulator answering', async () => {
    const emu = await spawnEmulator(['--operation-duration', '0']);
    try {
      const sub = `/subscriptions/${emu.client.info.subscriptionId}`;
      const p = await newPrincipal(emu.client);
      const guid = randomUUID();
      expect((await emu.client.put(definitionUrl(sub, guid), definitionBody('Hostile', [HOSTILE], [sub]))).status).to.equal(201);
      expect((await grant(emu.client, p.objectId, guid, sub)).status).to.equal(201);
      expect((await emu.client.put(`${sub}/resourcegroups/rg?api-version=2021-04-01`, { location: 'eastus' })).status).to.equal(201);
      const t0 = process.hrtime.bigint();
      expect((await emu.client.get('/_emulator/health', { token: false })).status).to.equal(200);
      const healthMs = Number(process.hrtime.bigint() - t0) / 1e6;
      // The request: a provider name of 40 characters.
      const probe = emu.client.get(`${sub}/resourceGroups/rg/providers/Microsoft.${'a'.repeat(40)}/things/x?api-version=2021-04-01`, { token: p.token });
      const t1 = process.hrtime.bigint();
      const health = await Promise.race([
        emu.client.get('/_emulator/health', { token: false }),
        new Promise<null>((r) => setTimeout(() => r(null), Math.max(50 * healthMs, 3_000))),
      ]);
      expect(health, 'the health check did not answer').to.not.equal(null);
      expect(health!.status).to.equal(200);
      const after = Number(process.hrtime.bigint() - t1) / 1e6;
      const refused = await probe;
      expect(refused.status).to.equal(403);
      expect(refused.body.error.code).to.equal('AuthorizationFailed');
      console.log(`      measured: health ${healthMs.toFixed(1)} ms before, ${after.toFixed(1)} ms right after the hostile request`);
    } finally {
      await emu.stop('SIGKILL');
    }
  });
});
