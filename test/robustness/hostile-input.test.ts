/**
 * A seeded generator sends thousands of malformed and hostile requests. Every answer must be a 4xx
 * (413 for oversize, 412 PreconditionFailed for a stale etag) with ARM's body {error:{code,message}}
 * (the token endpoint answers in Entra ID's shape), never a 2xx or 5xx; nothing the attacks touch
 * may change; the process must survive with bounded memory; no stack trace or secret may leak. NCE_FUZZ_REQUESTS sets the count, NCE_FUZZ_SEED the seed.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { generateKeyPair, SignJWT } from 'jose';
import { ncPath, spawnEmulator, type Spawned } from '../helpers/emulator.js';

const COUNT = Number(process.env.NCE_FUZZ_REQUESTS ?? 2500);
const SEED = Number(process.env.NCE_FUZZ_SEED ?? 7);

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

interface Attack {
  kind: string;
  method: string;
  path: string;
  raw?: string | Buffer;
  body?: unknown;
  headers?: Record<string, string>;
  token?: string | false;
  expect?: number[];
}

describe(`hostile input (${COUNT} requests, seed ${SEED})`, function () {
  this.timeout(180_000);
  let emu: Spawned;

  before(async () => {
    emu = await spawnEmulator(['--operation-duration', '0']);
  });
  after(() => emu.stop());

  it('answers every one with an ARM-shaped 4xx and stays up, small and quiet', async () => {
    const random = rng(SEED);
    const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];
    const info = emu.client.info;
    const sub = info.subscriptionId;
    const mrg = info.demo!.managedResourceGroup;
    const token = await emu.client.token();
    const { privateKey } = await generateKeyPair('RS256');
    const foreign = await new SignJWT({ oid: 'x', tid: info.tenantId, aud: 'https://management.azure.com/' }).setProtectedHeader({ alg: 'RS256' }).setIssuedAt().setExpirationTime('1h').sign(privateKey);
    const vaultToken = await emu.client.token('https://vault.azure.net/.default');
    const bmm = `${info.demo!.bareMetalMachineIds[0]}`;
    const cluster = info.demo!.clusterId;
    const weirdNames = ['a/b', '..', '../..%2Fetc%2Fpasswd', '%2e%2e%2f', 'name\u0000nul', 'ünïcödé', '\u202ertl', 'x'.repeat(300), ' spaced ', 'semi;colon', '%00', 'emoji😀', 'a%2Fb', '$(rm)', '<script>'];
    const versions = ['', 'x'.repeat(5000), '9999-99-99', '2025-09-01,2024-07-01', '../../', '%00', '2025-13-45-preview', 'null'];
    const junkBodies = ['{', '[', '{"a":', 'null', '"str"', '42', 'true', '{"location": }', '\u0000\u0001', '{"properties": {"tags": ' + '['.repeat(50) + ']'.repeat(50) + '}}', '[' .repeat(20000) + ']'.repeat(20000), '{"__proto__": {"polluted": true}}', '{"constructor": {"prototype": {"x": 1}}}'];
    const deep = (n: number): unknown => (n === 0 ? 'leaf' : { a: deep(n - 1) });
    const generators: (() => Attack)[] = [
      () => ({ kind: 'broken-json', method: pick(['PUT', 'PATCH', 'POST']), path: `${cluster}${random() < 0.3 ? '/deploy' : ''}?api-version=2025-09-01`, raw: pick(junkBodies) }),
      () => ({ kind: 'oversize', method: 'PUT', path: `${ncPath(sub, 'nexus-demo-rg', 'clusters', 'big')}?api-version=2025-09-01`, raw: Buffer.alloc(4 * 1024 * 1024 + 10, 0x61), expect: [413] }),
      () => ({ kind: 'deep-nesting', method: 'PATCH', path: `${cluster}?api-version=2025-09-01`, body: { properties: { clusterLocation: deep(1 + Math.floor(random() * 2000)) } } }),
      () => ({ kind: 'wrong-types', method: 'PATCH', path: `${bmm}?api-version=2025-09-01`, body: pick([{ tags: 5 }, { tags: { a: 1 } }, { properties: { machineDetails: ['x'] } }, { properties: null }, [], { properties: { machineDetails: 'x'.repeat(300) } }]) }),
      () => {
        // (A DELETE of a cluster that does not exist is ARM's 204, not an attack: deletes go to system-managed types.)
        const method = pick(['GET', 'PUT', 'DELETE']);
        const type = method === 'DELETE' ? pick(['bareMetalMachines', 'storageAppliances']) : pick(['clusters', 'bareMetalMachines', 'storageAppliances']);
        return { kind: 'weird-names', method, path: `${ncPath(sub, pick(['nexus-demo-rg', encodeURIComponent(pick(weirdNames))]), type, encodeURIComponent(pick(weirdNames)))}?api-version=2025-09-01`, body: { location: 'eastus' } };
      },
      () => ({ kind: 'traversal', method: 'GET', path: pick([`/subscriptions/${sub}/resourceGroups/..%2F..%2F/providers/Microsoft.NetworkCloud/clusters?api-version=2025-09-01`, `/subscriptions/${sub}/../../etc/passwd?api-version=2025-09-01`, `/subscriptions/%2e%2e/resourceGroups/x?api-version=2021-04-01`, `/subscriptions/${sub}/resourceGroups/${mrg}/providers/Microsoft.NetworkCloud/bareMetalMachines/r01c001%2F..%2F..?api-version=2025-09-01`, `/_emulator/..%2F..%2Fdb.json`, '/%ZZ?api-version=2025-09-01']) }),
      () => ({ kind: 'duplicate-query', method: 'GET', path: `${ncPath(sub, mrg, 'bareMetalMachines')}?api-version=2025-09-01&api-version=2024-07-01&$top=1&$top=2` }),
      () => ({ kind: 'absurd-version', method: pick(['GET', 'PUT']), path: `${bmm}?api-version=${encodeURIComponent(pick(versions))}` }),
      () => ({ kind: 'bad-token', method: 'GET', path: `${bmm}?api-version=2025-09-01`, token: pick(['', 'x', 'a.b.c', `${token}x`, token.split('.').slice(0, 2).join('.') + '.', foreign, vaultToken, 'Bearer', 'e30.e30.e30', '..']), expect: [401] }),
      () => ({ kind: 'bad-auth-header', method: 'GET', path: `${bmm}?api-version=2025-09-01`, token: false, headers: { Authorization: pick(['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer  ', `bearer ${'a'.repeat(10000)}`, 'Negotiate x']) }, expect: [401] }),
      () => ({ kind: 'header-flood', method: 'GET', path: `${bmm}?api-version=2025-09-01`, headers: Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`x-flood-${i}`, 'y'.repeat(200)])), expect: [431] }),
      () => ({ kind: 'stale-etag', method: 'PATCH', path: `${bmm}?api-version=2025-09-01`, body: { tags: { stale: 'write' } }, headers: { 'If-Match': pick(['"nope"', 'W/"x"', '"00000000-0000-0000-0000-000000000000"', `"${'e'.repeat(500)}"`, '"a", "b"']) }, expect: [412] }),
      () => ({ kind: 'bad-paging', method: 'GET', path: `${ncPath(sub, mrg, 'bareMetalMachines')}?api-version=2025-09-01&${pick(['$top=0', '$top=abc', '$top=99999999999', '$skipToken=%%%', '$skipToken=eyJvIjotMX0', '$top=-5'])}` }),
      () => ({ kind: 'bad-action', method: 'POST', path: `${bmm}/${pick(['explode', 'runCommand', 'cordon', '..', '%2F'])}?api-version=2025-09-01`, body: pick([{ limitTimeSeconds: 1 }, { evacuate: 5 }, { script: 7, limitTimeSeconds: 99999 }, 'x']) }),
      () => ({ kind: 'bad-method', method: pick(['PUT', 'DELETE', 'OPTIONS', 'TRACE']), path: `/subscriptions?api-version=2022-12-01` }),
      () => ({ kind: 'bad-clock', method: 'POST', path: '/_emulator/clock', body: pick([{ advance: '-5d' }, { set: 'yesterday' }, { advance: 1e308 }, {}, { advance: 'P' }, { advance: '999999999999d' }]) }),
      () => ({ kind: 'token-endpoint', method: 'POST', path: `/${pick([info.tenantId, 'common', '..', 'x'])}/oauth2/v2.0/token`, raw: pick(['grant_type=password&username=a&password=b', 'client_id=&client_secret=', '%%%', 'grant_type=client_credentials&client_id=' + info.clientId + '&client_secret=wrong&scope=x']), headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, token: false }),
    ];

    // What the attacks aim at, as stored before: none of it may change.
    const watched = [bmm, cluster].map((id) => `${id}?api-version=2025-09-01`);
    const before = await Promise.all(watched.map((p) => emu.client.get(p)));
    const leaks = [info.clientSecret, info.msiSecret, 'PRIVATE KEY', 'node_modules', '    at ', 'bmc-secret'];
    const counts: Record<string, number> = {};
    const rssStart = rssKb(emu.child.pid!);
    let rssPeak = rssStart;
    for (let i = 0; i < COUNT; i++) {
      const attack = pick(generators)();
      counts[attack.kind] = (counts[attack.kind] ?? 0) + 1;
      const r = await emu.client.send(attack.method, attack.path, attack.body, { raw: attack.raw, headers: attack.headers, token: attack.token === undefined ? token : attack.token });
      const label = `${attack.kind} ${attack.method} ${attack.path.slice(0, 120)} -> ${r.status} ${r.text.slice(0, 200)}`;
      expect(r.status, label).to.be.within(400, 499);
      if (attack.expect) expect(attack.expect, label).to.include(r.status);
      if (attack.path.includes('/oauth2/')) {
        // Entra ID's error shape
        expect(r.body?.error, label).to.be.a('string').and.not.equal('');
        expect(r.body?.error_description, label).to.be.a('string');
      } else {
        expect(r.body, label).to.be.an('object');
        expect(Object.keys(r.body), label).to.deep.equal(['error']);
        expect(r.body.error.code, label).to.be.a('string').and.not.equal('');
        expect(r.body.error.message, label).to.be.a('string').and.not.equal('');
      }
      if (attack.kind === 'stale-etag') expect(r.body.error.code, label).to.equal('PreconditionFailed');
      for (const leak of leaks) expect(r.text.includes(leak), `${label} leaks ${leak.slice(0, 12)}`).to.equal(false);
      if (i % 250 === 0) rssPeak = Math.max(rssPeak, rssKb(emu.child.pid!));
    }
    expect(emu.child.exitCode).to.equal(null);
    const after = await Promise.all(watched.map((p) => emu.client.get(p)));
    after.forEach((r, i) => {
      expect(r.status).to.equal(200);
      expect(r.body, `${watched[i]} changed`).to.deep.equal(before[i].body);
      expect(r.headers.etag, `${watched[i]} etag changed`).to.equal(before[i].headers.etag);
    });
    expect(after[0].body.tags ?? {}).to.not.have.property('stale');
    const health = await emu.client.get('/_emulator/health', { token: false });
    expect(health.status).to.equal(200);
    const rssEnd = rssKb(emu.child.pid!);
    console.log(`      kinds: ${JSON.stringify(counts)}\n      RSS: start ${Math.round(rssStart / 1024)} MiB, peak ${Math.round(rssPeak / 1024)} MiB, end ${Math.round(rssEnd / 1024)} MiB`);
    expect(rssEnd).to.be.lessThan(rssStart + 200 * 1024);
    expect(emu.output()).to.not.contain('PRIVATE KEY').and.not.contain(info.clientSecret);
  });
});
