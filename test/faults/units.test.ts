/** The pure parts of fault injection: glob, seeded generator, request facts and matching, rule validation. */
import { expect } from 'chai';
import { ArmError } from '../../rp/arm/errors.js';
import { globMatch } from '../../rp/faults/glob.js';
import { matches, requestFacts } from '../../rp/faults/matcher.js';
import { draw } from '../../rp/faults/prng.js';
import { durationMs, parseRule, ruleState } from '../../rp/faults/rules.js';

const SUB = '00000000-0000-0000-0000-000000000001';
const BMM = `/subscriptions/${SUB}/resourceGroups/mrg/providers/Microsoft.NetworkCloud/bareMetalMachines/r01c001`;
const caller = { objectId: 'AAAA-OID', appId: 'bbbb-app', tenantId: 'tttt' };

function rejected(input: unknown): ArmError {
  try {
    parseRule(input, () => '2026-01-01T00:00:00.000Z', () => 'x');
  } catch (e) {
    expect(e).to.be.instanceOf(ArmError);
    return e as ArmError;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
}

describe('faults: glob', () => {
  it('matches * and ? over whole names', () => {
    expect(globMatch('r01c00*', 'r01c001')).to.equal(true);
    expect(globMatch('r01c00*', 'r02c001')).to.equal(false);
    expect(globMatch('r0?c*1', 'r01c0001')).to.equal(true);
    expect(globMatch('*', '')).to.equal(true);
    expect(globMatch('a*b*c', 'aXXbYYc')).to.equal(true);
    expect(globMatch('a*b*c', 'aXXcYYb')).to.equal(false);
    expect(globMatch('ab*ba', 'aba')).to.equal(false);
    expect(globMatch('exact', 'exact')).to.equal(true);
    expect(globMatch('exact', 'exact1')).to.equal(false);
    expect(globMatch('*.*', 'a.b')).to.equal(true);
    expect(globMatch('(a+)+$', '(a+)+$')).to.equal(true);
  });

  it('takes no longer on a pathological pattern than a plain scan', () => {
    const pattern = `${'*a'.repeat(120)}*b`;
    const text = 'a'.repeat(5000);
    const t0 = process.hrtime.bigint();
    expect(globMatch(pattern, text)).to.equal(false);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    // A backtracking matcher needs astronomically long here; this one scans a few times at most.
    expect(ms).to.be.below(500);
  });
});

describe('faults: seeded generator', () => {
  it('gives the same sequence for the same seed and a different one for another', () => {
    const seq = (seed: number) => {
      const out: number[] = [];
      let s = seed;
      for (let i = 0; i < 20; i++) {
        const d = draw(s);
        out.push(d.value);
        s = d.next;
      }
      return out;
    };
    expect(seq(7)).to.deep.equal(seq(7));
    expect(seq(7)).to.not.deep.equal(seq(8));
    for (const v of seq(123)) expect(v).to.be.at.least(0).and.below(1);
  });
});

describe('faults: request facts and matching', () => {
  it('works out type, name and action from ARM paths', () => {
    const get = requestFacts('get', BMM, '2025-09-01', caller);
    expect(get).to.include({ method: 'GET', resourceType: 'microsoft.networkcloud/baremetalmachines', name: 'r01c001', apiVersion: '2025-09-01' });
    expect(get.action).to.equal(undefined);
    expect(get.scope).to.deep.equal({ kind: 'subscription', id: SUB });
    const post = requestFacts('POST', `${BMM}/cordon`, '2025-09-01', caller);
    expect(post).to.include({ resourceType: 'microsoft.networkcloud/baremetalmachines', name: 'r01c001', action: 'cordon' });
    const list = requestFacts('GET', `/subscriptions/${SUB}/resourceGroups/mrg/providers/Microsoft.NetworkCloud/bareMetalMachines`, '2025-09-01', caller);
    expect(list.name).to.equal(undefined);
    expect(list.resourceType).to.equal('microsoft.networkcloud/baremetalmachines');
    expect(requestFacts('PUT', `/subscriptions/${SUB}/resourcegroups/rg1`, '2021-04-01', caller)).to.include({ resourceType: 'microsoft.resources/resourcegroups', name: 'rg1' });
    const tenant = requestFacts('GET', '/providers/Microsoft.NetworkCloud/operations', '2025-09-01', caller);
    expect(tenant.scope).to.deep.equal({ kind: 'tenant', id: 'tttt' });
    const child = requestFacts('GET', `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.NetworkCloud/clusters/c1/bmcKeySets/k1`, '2025-09-01', caller);
    expect(child).to.include({ resourceType: 'microsoft.networkcloud/clusters/bmckeysets', name: 'k1' });
  });

  it('needs every field given, compares case-insensitively, and an empty match selects all', () => {
    const facts = requestFacts('POST', `${BMM}/cordon`, '2025-09-01', caller);
    expect(matches({}, facts)).to.equal(true);
    expect(matches({ method: 'post', resourceType: 'Microsoft.NetworkCloud/BareMetalMachines', name: 'R01C00*', action: 'Cordon', apiVersion: '2025-09-01' }, facts)).to.equal(true);
    expect(matches({ action: 'uncordon' }, facts)).to.equal(false);
    expect(matches({ apiVersion: '2025-02-01' }, facts)).to.equal(false);
    expect(matches({ caller: 'aaaa-oid' }, facts)).to.equal(true);
    expect(matches({ caller: 'BBBB-APP' }, facts)).to.equal(true);
    expect(matches({ caller: 'someone-else' }, facts)).to.equal(false);
    expect(matches({ id: '/subscriptions/*/resourcegroups/mrg/*' }, facts)).to.equal(true);
    expect(matches({ name: 'r01c00*' }, requestFacts('GET', `/subscriptions/${SUB}/resourceGroups/mrg/providers/Microsoft.NetworkCloud/bareMetalMachines`, 'x', caller))).to.equal(false);
  });
});

describe('faults: rule validation', () => {
  it('normalises a good rule', () => {
    const rule = parseRule({ match: { method: 'get' }, effect: { status: 429, retryAfter: 2 }, probability: 0.5 }, () => '2026-01-01T00:00:00.000Z', () => 'gen');
    expect(rule).to.include({ id: 'gen', kind: 'error', fired: 0, matched: 0, probability: 0.5 });
    expect(rule.match.method).to.equal('GET');
    expect(rule.seed).to.be.a('number');
    expect(rule.rng).to.equal(rule.seed);
    expect(parseRule({ effect: { operationDelay: '2h' } }, () => 'now', () => 'g').kind).to.equal('operation');
    expect(parseRule({ effect: { throttle: { reads: 5 } } }, () => 'now', () => 'g').kind).to.equal('throttle');
    expect(durationMs('2h')).to.equal(7_200_000);
    expect(durationMs('250ms')).to.equal(250);
  });

  it('refuses bad rules with InvalidFaultRule and a target', () => {
    const cases: [unknown, RegExp][] = [
      [{}, /effect/],
      [{ effect: {} }, /effect/],
      [{ effect: { status: 200 } }, /status/],
      [{ effect: { status: 500, drop: true } }, /additional/],
      [{ effect: { colour: 'red' } }, /effect/],
      [{ effect: { operationDelay: '2 fortnights' } }, /operationDelay/],
      [{ effect: { operationStatus: 'Exploded' } }, /operationStatus|Failed/],
      [{ effect: { throttle: { window: '1h' } } }, /reads, writes/],
      [{ effect: { throttle: { reads: 1 } }, probability: 0.5 }, /probability/],
      [{ effect: { status: 500 }, seed: 3 }, /seed/],
      [{ effect: { status: 500 }, probability: 2 }, /probability/],
      [{ effect: { status: 500 }, count: 0 }, /count/],
      [{ effect: { status: 500 }, expires: 'tomorrow' }, /expires/],
      [{ effect: { status: 500 }, match: { name: 'x'.repeat(300) } }, /name/],
      [{ effect: { status: 500 }, match: { colour: 'red' } }, /colour/],
      [{ effect: { status: 500 }, id: 'has spaces' }, /id/],
      [[], /JSON object/],
    ];
    for (const [input, pattern] of cases) {
      const e = rejected(input);
      expect(e.status, JSON.stringify(input)).to.equal(400);
      expect(e.code).to.equal('InvalidFaultRule');
      const text = `${e.message} ${e.target ?? ''} ${JSON.stringify(e.details ?? [])}`;
      expect(text, JSON.stringify(input)).to.match(pattern);
    }
  });

  it('tells Active, Exhausted and Expired apart on the clock it is given', () => {
    const rule = parseRule({ effect: { status: 500 }, count: 1, expires: '2027-01-01T00:00:00Z' }, () => 'now', () => 'g');
    expect(ruleState(rule, Date.parse('2026-06-01T00:00:00Z'))).to.equal('Active');
    expect(ruleState(rule, Date.parse('2027-01-01T00:00:00Z'))).to.equal('Expired');
    rule.fired = 1;
    expect(ruleState(rule, Date.parse('2026-06-01T00:00:00Z'))).to.equal('Exhausted');
  });
});
