/**
 * Front-door effects with a real server over HTTPS: ARM errors (count, caller, expiry on the
 * virtual clock), a failed PUT leaves no trace, natural 412 stays natural, delays, dropped
 * connections, seeded probability replayed on fresh emulators, and ARM-shaped throttling.
 */
import { expect } from 'chai';
import { clusterManagerBody } from '../helpers/bodies.js';
import { ncPath, rgPath, startEmulator, type Running } from '../helpers/emulator.js';
import { addRule, captureLog, rawGet, ruleById } from './helpers.js';

const V = '2025-09-01';
const CM = 'Microsoft.NetworkCloud/clusterManagers';

describe('faults: front-door effects', () => {
  let run: Running;
  let sub: string;
  let log: string[];
  const cmPath = (name: string) => `${ncPath(sub, 'rg1', 'clusterManagers', name)}?api-version=${V}`;

  before(async () => {
    run = await startEmulator();
    sub = run.client.info.subscriptionId;
    log = captureLog(run);
    await run.client.put(`${rgPath(sub, 'rg1')}?api-version=2021-04-01`, { location: 'eastus' });
    for (const name of ['cm-a', 'cm-b', 'other']) {
      const put = await run.client.put(cmPath(name), clusterManagerBody(sub, 'rg1'));
      expect(put.status).to.equal(201);
    }
  });
  after(() => run.stop());
  afterEach(async () => {
    await run.client.delete('/_emulator/faults');
  });

  it('answers matching requests with the ARM error, header and log line, count times only', async () => {
    const rule = await addRule(run.client, {
      match: { method: 'GET', resourceType: CM, name: 'cm-*' },
      effect: { status: 503, code: 'ServiceUnavailable', message: 'Try later.', retryAfter: 3 },
      count: 2,
    });
    const first = await run.client.get(cmPath('cm-a'));
    expect(first.status).to.equal(503);
    expect(first.body).to.deep.equal({ error: { code: 'ServiceUnavailable', message: 'Try later.' } });
    expect(first.headers['x-ms-emulator-fault']).to.equal(rule.id);
    expect(first.headers['retry-after']).to.equal('3');
    expect(first.headers['x-ms-request-id']).to.be.a('string');
    expect((await run.client.get(cmPath('other'))).status, 'name outside the glob').to.equal(200);
    expect((await run.client.put(cmPath('cm-b'), clusterManagerBody(sub, 'rg1'))).status, 'PUT is not GET').to.not.equal(503);
    expect((await run.client.get(cmPath('CM-B'))).status, 'names match case-insensitively').to.equal(503);
    const third = await run.client.get(cmPath('cm-a'));
    expect(third.status).to.equal(200);
    expect(third.headers['x-ms-emulator-fault']).to.equal(undefined);
    const after = await ruleById(run.client, rule.id);
    expect(after).to.include({ fired: 2, matched: 2, state: 'Exhausted' });
    const lines = log.filter((l) => l.startsWith(`fault ${rule.id}:`));
    expect(lines).to.have.length(2);
    expect(lines[0]).to.contain('503 ServiceUnavailable on GET /subscriptions/').and.not.contain('api-version');
  });

  it('matches the caller by object id or app id', async () => {
    const info = run.client.info;
    const someoneElse = await addRule(run.client, { match: { caller: '11111111-2222-3333-4444-555555555555' }, effect: { status: 500 } });
    expect((await run.client.get(cmPath('cm-a'))).status).to.equal(200);
    const demo = await addRule(run.client, { match: { caller: info.clientId }, effect: { status: 502 }, count: 1 });
    const r = await run.client.get(cmPath('cm-a'));
    expect(r.status).to.equal(502);
    expect(r.body.error.code).to.equal('BadGateway');
    expect(r.headers['x-ms-emulator-fault']).to.equal(demo.id);
    expect((await ruleById(run.client, someoneElse.id)).matched).to.equal(0);
  });

  it('fails a PUT before the write: nothing is created or changed, no operation starts', async () => {
    const before = await run.client.get(cmPath('cm-a'));
    const operations = run.emu.store.size('operations');
    await addRule(run.client, { match: { method: 'PUT', resourceType: CM }, effect: { status: 500, code: 'InternalServerError' } });
    const create = await run.client.put(cmPath('cm-new'), clusterManagerBody(sub, 'rg1'));
    expect(create.status).to.equal(500);
    expect(create.body.error.code).to.equal('InternalServerError');
    expect((await run.client.get(cmPath('cm-new'))).status).to.equal(404);
    const replace = await run.client.put(cmPath('cm-a'), clusterManagerBody(sub, 'rg1', { tags: { changed: 'yes' } }));
    expect(replace.status).to.equal(500);
    const after = await run.client.get(cmPath('cm-a'));
    expect(after.body).to.deep.equal(before.body);
    expect(after.headers.etag).to.equal(before.headers.etag);
    expect(run.emu.store.size('operations')).to.equal(operations);
  });

  it('leaves natural faults alone: a stale If-Match is still a plain 412', async () => {
    await addRule(run.client, { match: { method: 'GET', resourceType: 'Microsoft.NetworkCloud/storageAppliances' }, effect: { status: 500 } });
    const stale = await run.client.patch(cmPath('cm-a'), { tags: { a: 'b' } }, { headers: { 'If-Match': '"not-the-etag"' } });
    expect(stale.status).to.equal(412);
    expect(stale.body.error.code).to.equal('PreconditionFailed');
    expect(stale.headers['x-ms-emulator-fault']).to.equal(undefined);
  });

  it("honours expires on the emulator's clock", async () => {
    const now = Date.parse((await run.client.get('/_emulator/clock')).body.now);
    const rule = await addRule(run.client, { match: { name: 'cm-a' }, effect: { status: 500 }, expires: new Date(now + 3_600_000).toISOString() });
    expect((await run.client.get(cmPath('cm-a'))).status).to.equal(500);
    expect((await run.client.post('/_emulator/clock', { advance: '2h' })).status).to.equal(200);
    expect((await run.client.get(cmPath('cm-a'))).status).to.equal(200);
    expect(await ruleById(run.client, rule.id)).to.include({ state: 'Expired', fired: 1 });
  });

  it('delays the response by at least delayMs, then answers normally', async () => {
    const baseline = Date.now();
    expect((await run.client.get(cmPath('cm-b'))).status).to.equal(200);
    const plain = Date.now() - baseline;
    const rule = await addRule(run.client, { match: { name: 'cm-a', method: 'GET' }, effect: { delayMs: 600 } });
    const t0 = Date.now();
    const r = await run.client.get(cmPath('cm-a'));
    const delayed = Date.now() - t0;
    expect(r.status).to.equal(200);
    expect(r.body.name).to.equal('cm-a');
    expect(r.headers['x-ms-emulator-fault']).to.equal(rule.id);
    expect(delayed).to.be.at.least(595);
    expect(delayed, `plain ${plain} ms, delayed ${delayed} ms`).to.be.greaterThan(plain);
    expect(log.some((l) => l.startsWith(`fault ${rule.id}: delayed 600 ms on GET`))).to.equal(true);
  });

  it('drops the connection: the client sees a reset, the next request is served', async () => {
    const rule = await addRule(run.client, { match: { name: 'cm-a' }, effect: { drop: true }, count: 1 });
    const token = await run.client.token();
    const dropped = await rawGet(run.client, cmPath('cm-a'), token);
    expect(dropped.status).to.equal(undefined);
    expect(dropped.error?.code).to.equal('ECONNRESET');
    expect((await rawGet(run.client, cmPath('cm-a'), token)).status).to.equal(200);
    expect(log.some((l) => l.startsWith(`fault ${rule.id}: dropped the connection on GET`))).to.equal(true);
  });

  it('throttles like ARM: remaining reads count down, then 429 with Retry-After until the window ends', async () => {
    const rule = await addRule(run.client, { id: 'reads', effect: { throttle: { reads: 3, window: '1h' } } });
    const remaining: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await run.client.get(cmPath('cm-a'));
      expect(r.status).to.equal(200);
      remaining.push(r.headers['x-ms-ratelimit-remaining-subscription-reads']);
    }
    expect(remaining).to.deep.equal(['2', '1', '0']);
    const limited = await run.client.get(cmPath('cm-b'));
    expect(limited.status).to.equal(429);
    expect(limited.body.error.code).to.equal('SubscriptionRequestsThrottled');
    expect(limited.headers['x-ms-emulator-fault']).to.equal(rule.id);
    expect(Number(limited.headers['retry-after'])).to.be.within(3500, 3600);
    // Writes have no limit in this rule, so they go through and carry no read count.
    const write = await run.client.patch(cmPath('cm-b'), { tags: { t: '1' } });
    expect(write.status).to.equal(200);
    expect(write.headers['x-ms-ratelimit-remaining-subscription-reads']).to.equal(undefined);
    await run.client.post('/_emulator/clock', { advance: '61m' });
    const fresh = await run.client.get(cmPath('cm-a'));
    expect(fresh.status).to.equal(200);
    expect(fresh.headers['x-ms-ratelimit-remaining-subscription-reads']).to.equal('2');
    expect(await ruleById(run.client, 'reads')).to.include({ fired: 1, matched: 5 });
  });
});

describe('faults: a seeded probability is replayable', function () {
  this.timeout(60_000);

  async function pattern(seed: number): Promise<boolean[]> {
    const run = await startEmulator();
    try {
      const sub = run.client.info.subscriptionId;
      await addRule(run.client, { match: { resourceType: 'Microsoft.Resources/resourceGroups' }, effect: { status: 500 }, probability: 0.5, seed });
      const out: boolean[] = [];
      for (let i = 0; i < 40; i++) {
        const r = await run.client.get(`${rgPath(sub, `rg${i % 4}`)}?api-version=2021-04-01`);
        expect([404, 500]).to.include(r.status);
        out.push(r.status === 500);
      }
      const rule = (await run.client.get('/_emulator/faults')).body.value[0];
      expect(rule).to.include({ seed, matched: 40, fired: out.filter(Boolean).length });
      return out;
    } finally {
      await run.stop();
    }
  }

  it('fails the same requests on two fresh emulators with the same seed', async () => {
    const a = await pattern(7);
    const b = await pattern(7);
    expect(a).to.deep.equal(b);
    expect(a.filter(Boolean).length).to.be.within(5, 35);
    const c = await pattern(8);
    expect(c).to.not.deep.equal(a);
  });
});
