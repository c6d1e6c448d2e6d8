/**
 * ARM's tag limits (issue 11, item 10): at most 50 tags, names of at most 512 characters without
 * `< > % & \ ? /`, values of at most 256 characters. Every kind of write that takes tags is tried
 * (resource group PUT and PATCH, a Network Cloud cluster manager PUT and PATCH, a bare metal
 * machine PATCH, a user-assigned identity and a key vault PUT), each bad body gets ARM's 400 with
 * its code and message, and the stored resource is exactly what it was before.
 */
import { expect } from 'chai';
import { clusterManagerBody } from '../helpers/bodies.js';
import { ncPath, rgPath, startEmulator, type Reply, type Running } from '../helpers/emulator.js';

const NC = '2025-09-01';
const RG_API = '2022-09-01';

const manyTags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, `v${i}`]));

const BAD: { what: string; tags: Record<string, string>; code: string; message: RegExp }[] = [
  { what: '51 tags', tags: manyTags(51), code: 'InvalidTagCount', message: /has 51 tags; at most 50 tags are allowed/ },
  { what: '100,000 tags', tags: manyTags(100_000), code: 'InvalidTagCount', message: /has 100000 tags; at most 50/ },
  { what: 'a 513-character name', tags: { ['n'.repeat(513)]: 'v' }, code: 'InvalidTagName', message: /^Tag key too large\. Following tag name 'n{513}' exceeded the maximum length\. Maximum allowed length for tag name - '512' characters\.$/ },
  { what: 'a 10,000-character name', tags: { ['n'.repeat(10_000)]: 'v' }, code: 'InvalidTagName', message: /^Tag key too large\. Following tag name 'n{600}\.\.\.' exceeded/ },
  { what: 'a 257-character value', tags: { env: 'v'.repeat(257) }, code: 'InvalidTagValueLength', message: /^Tag value too large\. Following tag value 'v{257}' exceeded the maximum length\. Maximum allowed length for tag value - '256' characters\.$/ },
  { what: 'a 3.9 MB value', tags: { env: 'v'.repeat(3_900_000) }, code: 'InvalidTagValueLength', message: /^Tag value too large\. Following tag value 'v{600}\.\.\.' exceeded/ },
  ...['<', '>', '%', '&', '\\', '?', '/', '\u0001'].map((c) => ({
    what: `a name with ${JSON.stringify(c)}`,
    tags: { [`a${c}b`]: 'v' },
    code: 'InvalidTagNameCharacters',
    message: new RegExp(`^The tag names '${`a${c}b`.replace(/[\\?]/g, (m) => `\\${m}`)}' have reserved characters '<,>,%,&,\\\\,\\?,/' or control characters\\.$`),
  })),
];

describe('ARM tag limits on every write that takes tags', function () {
  this.timeout(120_000);
  let run: Running;
  let sub: string;
  const rg = 'tags-rg';
  const paths = () => ({
    group: `${rgPath(sub, rg)}?api-version=${RG_API}`,
    manager: `${ncPath(sub, rg, 'clusterManagers', 'tags-cm')}?api-version=${NC}`,
    identity: `${rgPath(sub, rg)}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/tags-uai?api-version=2023-01-31`,
    vault: `${rgPath(sub, rg)}/providers/Microsoft.KeyVault/vaults/tags-kv-${process.pid}?api-version=2022-07-01`,
    machine: `${run.client.info.demo!.bareMetalMachineIds[0]}?api-version=${NC}`,
  });
  const vaultBody = () => ({ location: 'eastus', properties: { tenantId: run.client.info.tenantId, sku: { family: 'A', name: 'standard' }, enableRbacAuthorization: true } });

  before(async () => {
    run = await startEmulator({ demo: true });
    sub = run.client.info.subscriptionId;
    const p = paths();
    expect((await run.client.put(p.group, { location: 'eastus', tags: { keep: 'group' } })).status).to.equal(201);
    const cm = await run.client.put(p.manager, clusterManagerBody(sub, rg, { tags: { keep: 'manager' } }));
    expect(cm.status, cm.text).to.be.oneOf([200, 201]);
    await run.client.poll(cm);
    expect((await run.client.put(p.identity, { location: 'eastus', tags: { keep: 'identity' } })).status).to.be.oneOf([200, 201]);
    const kv = await run.client.put(p.vault, { ...vaultBody(), tags: { keep: 'vault' } });
    expect(kv.status, kv.text).to.be.oneOf([200, 201]);
  });
  after(async () => {
    await run?.stop();
  });

  function expectRefused(r: Reply, bad: (typeof BAD)[number], where: string) {
    expect(r.status, `${where}, ${bad.what}: ${r.text.slice(0, 300)}`).to.equal(400);
    expect(Object.keys(r.body), where).to.deep.equal(['error']);
    expect(r.body.error.code, `${where}, ${bad.what}`).to.equal(bad.code);
    expect(r.body.error.message, `${where}, ${bad.what}`).to.match(bad.message);
    expect(r.body.error.target).to.equal('tags');
  }

  const stored = async (path: string) => {
    const r = await run.client.get(path);
    expect(r.status).to.equal(200);
    return r.body;
  };

  it('refuses each bad tag set on every PUT and PATCH, and stores nothing', async () => {
    const p = paths();
    const writes: { where: string; path: string; send: (tags: Record<string, string>) => Promise<Reply> }[] = [
      { where: 'resource group PUT', path: p.group, send: (tags) => run.client.put(p.group, { location: 'eastus', tags }) },
      { where: 'resource group PATCH', path: p.group, send: (tags) => run.client.patch(p.group, { tags }) },
      { where: 'cluster manager PUT', path: p.manager, send: (tags) => run.client.put(p.manager, clusterManagerBody(sub, rg, { tags })) },
      { where: 'cluster manager PATCH', path: p.manager, send: (tags) => run.client.patch(p.manager, { tags }) },
      { where: 'bare metal machine PATCH', path: p.machine, send: (tags) => run.client.patch(p.machine, { tags }) },
      { where: 'user-assigned identity PUT', path: p.identity, send: (tags) => run.client.put(p.identity, { location: 'eastus', tags }) },
      { where: 'key vault PUT', path: p.vault, send: (tags) => run.client.put(p.vault, { ...vaultBody(), tags }) },
    ];
    for (const w of writes) {
      const before = await stored(w.path);
      for (const bad of BAD) expectRefused(await w.send(bad.tags), bad, w.where);
      expect(await stored(w.path), `${w.where}: the stored resource changed`).to.deep.equal(before);
    }
    // and a new resource with bad tags is not created at all
    const fresh = `${ncPath(sub, rg, 'clusterManagers', 'tags-cm-new')}?api-version=${NC}`;
    expectRefused(await run.client.put(fresh, clusterManagerBody(sub, rg, { tags: manyTags(51) })), BAD[0], 'new cluster manager');
    expect((await run.client.get(fresh)).status).to.equal(404);
    const freshGroup = `${rgPath(sub, 'tags-rg-new')}?api-version=${RG_API}`;
    expectRefused(await run.client.put(freshGroup, { location: 'eastus', tags: { 'a/b': 'v' } }), BAD[6 + 6], 'new resource group');
    expect((await run.client.get(freshGroup)).status).to.equal(404);
  });

  it('accepts exactly the limits: 50 tags, a 512-character name, a 256-character value', async () => {
    const p = paths();
    const atLimit = { ...manyTags(48), ['n'.repeat(512)]: 'v', env: 'v'.repeat(256) };
    expect(Object.keys(atLimit)).to.have.length(50);
    const g = await run.client.patch(p.group, { tags: atLimit });
    expect(g.status, g.text.slice(0, 300)).to.equal(200);
    expect((await stored(p.group)).tags).to.deep.equal(atLimit);
    const m = await run.client.patch(p.manager, { tags: atLimit });
    expect(m.status, m.text.slice(0, 300)).to.equal(200);
    expect((await stored(p.manager)).tags).to.deep.equal(atLimit);
    // names ARM allows: spaces, dots, colons, dashes, non-ASCII letters
    const allowed = { 'cost center': 'x', 'app.tier': 'y', 'ns:key': 'z', 'naïve-ä': 'w' };
    const b = await run.client.patch(p.machine, { tags: allowed });
    expect(b.status, b.text.slice(0, 300)).to.be.oneOf([200, 202]);
    await run.client.poll(b);
    expect((await stored(p.machine)).tags).to.deep.equal(allowed);
  });
});
