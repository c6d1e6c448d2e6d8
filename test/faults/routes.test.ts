/** POST/GET/DELETE /_emulator/faults: the contract scripts rely on, ARM-shaped refusals, auth, persistence. */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, type Running } from '../helpers/emulator.js';
import { addRule } from './helpers.js';

describe('faults: the /_emulator/faults routes', () => {
  let run: Running;
  before(async () => {
    run = await startEmulator();
  });
  after(() => run.stop());
  afterEach(async () => {
    await run.client.delete('/_emulator/faults');
  });

  it('adds a rule (201 with its id), lists it with its counters, shows and removes it', async () => {
    const rule = {
      match: { method: 'GET', resourceType: 'Microsoft.NetworkCloud/bareMetalMachines', name: 'r01c00*', action: 'cordon', apiVersion: '2025-09-01' },
      effect: { status: 429, code: 'TooManyRequests', message: 'Slow down.', retryAfter: 2 },
      count: 1,
      probability: 0.5,
      seed: 7,
      expires: '2099-01-01T00:00:00Z',
    };
    const r = await run.client.post('/_emulator/faults', rule);
    expect(r.status).to.equal(201);
    expect(r.body.id).to.be.a('string').and.match(/^fault-/);
    expect(r.headers.location).to.equal(`/_emulator/faults/${r.body.id}`);
    expect(r.body).to.deep.include({ match: rule.match, effect: rule.effect, count: 1, probability: 0.5, seed: 7, expires: '2099-01-01T00:00:00.000Z', fired: 0, matched: 0, state: 'Active', kind: 'error' });
    expect(r.body.createdAt).to.equal(r.body.createdAt && new Date(r.body.createdAt).toISOString());
    const list = await run.client.get('/_emulator/faults');
    expect(list.status).to.equal(200);
    expect(list.body.value.map((x: any) => x.id)).to.deep.equal([r.body.id]);
    expect(list.body.value[0]).to.include({ fired: 0, matched: 0 });
    expect((await run.client.get(`/_emulator/faults/${r.body.id}`)).body.id).to.equal(r.body.id);
    const removed = await run.client.delete(`/_emulator/faults/${r.body.id}`);
    expect(removed.status).to.equal(200);
    expect(removed.body.id).to.equal(r.body.id);
    const again = await run.client.delete(`/_emulator/faults/${r.body.id}`);
    expect(again.status).to.equal(404);
    expect(again.body.error).to.include({ code: 'FaultRuleNotFound' });
    expect((await run.client.get('/_emulator/faults')).body.value).to.deep.equal([]);
  });

  it('keeps rules in the order they were added, takes a chosen id once, and clears them all', async () => {
    await addRule(run.client, { id: 'first', effect: { delayMs: 1 } });
    await addRule(run.client, { id: 'second', effect: { drop: true }, match: { method: 'DELETE' } });
    const dup = await run.client.post('/_emulator/faults', { id: 'first', effect: { delayMs: 1 } });
    expect(dup.status).to.equal(409);
    expect(dup.body.error.code).to.equal('FaultRuleExists');
    expect((await run.client.get('/_emulator/faults')).body.value.map((x: any) => x.id)).to.deep.equal(['first', 'second']);
    const cleared = await run.client.delete('/_emulator/faults');
    expect(cleared.status).to.equal(200);
    expect(cleared.body).to.deep.equal({ removed: 2 });
    expect((await run.client.get('/_emulator/faults')).body.value).to.deep.equal([]);
  });

  it('answers bad rules with ARM-shaped 400s that say what is wrong', async () => {
    const bad = await run.client.post('/_emulator/faults', { effect: { status: 200, colour: 'red' } });
    expect(bad.status).to.equal(400);
    expect(bad.body.error.code).to.equal('InvalidFaultRule');
    expect(bad.body.error.target).to.equal('effect');
    const messages = bad.body.error.details.map((d: any) => d.message).join(' | ');
    expect(messages).to.match(/effect\.status must be >= 400/).and.match(/colour/);
    const seed = await run.client.post('/_emulator/faults', { effect: { status: 500 }, seed: 1 });
    expect(seed.status).to.equal(400);
    expect(seed.body.error).to.include({ code: 'InvalidFaultRule', target: 'seed' });
    const notJson = await run.client.post('/_emulator/faults', undefined, { raw: '{"effect":', headers: { 'Content-Type': 'application/json' } });
    expect(notJson.status).to.equal(400);
    expect(notJson.body.error.code).to.equal('InvalidRequestContent');
    expect((await run.client.get('/_emulator/faults')).body.value).to.deep.equal([]);
  });

  it('needs a bearer token for every route, reading included', async () => {
    for (const [method, p, body] of [['POST', '/_emulator/faults', { effect: { status: 500 } }], ['GET', '/_emulator/faults'], ['GET', '/_emulator/faults/x'], ['DELETE', '/_emulator/faults/x'], ['DELETE', '/_emulator/faults']] as const) {
      const r = await run.client.send(method, p, body, { token: false });
      expect(r.status, `${method} ${p}`).to.equal(401);
      expect(r.body.error.code).to.be.a('string');
    }
    expect((await run.client.get('/_emulator/faults')).body.value).to.deep.equal([]);
  });
});

describe('faults: rules are emulator state', () => {
  it('survive a restart with their counters', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nce-faults-'));
    try {
      let run = await startEmulator({ inMemory: false, dataDir });
      const sub = run.client.info.subscriptionId;
      await addRule(run.client, { id: 'groups-fail', match: { resourceType: 'Microsoft.Resources/resourceGroups' }, effect: { status: 503 }, count: 3 });
      expect((await run.client.get(`/subscriptions/${sub}/resourcegroups/nope?api-version=2021-04-01`)).status).to.equal(503);
      await run.stop();
      run = await startEmulator({ inMemory: false, dataDir });
      try {
        const rule = (await run.client.get('/_emulator/faults/groups-fail')).body;
        expect(rule).to.include({ fired: 1, matched: 1, count: 3, state: 'Active' });
        expect((await run.client.get(`/subscriptions/${sub}/resourcegroups/nope?api-version=2021-04-01`)).status).to.equal(503);
        expect((await run.client.get('/_emulator/faults/groups-fail')).body.fired).to.equal(2);
      } finally {
        await run.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
