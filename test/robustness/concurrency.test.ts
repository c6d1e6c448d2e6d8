/** 200 concurrent PATCHes to one resource with If-Match: each succeeds or gets 412, and none is lost. */
import { expect } from 'chai';
import { clusterManagerBody } from '../helpers/bodies.js';
import { ncPath, rgPath, startEmulator, type Running } from '../helpers/emulator.js';

describe('concurrent conditional updates', () => {
  let run: Running;
  let path: string;
  before(async () => {
    run = await startEmulator();
    const sub = run.client.info.subscriptionId;
    await run.client.put(`${rgPath(sub, 'rg1')}?api-version=2021-04-01`, { location: 'eastus' });
    path = `${ncPath(sub, 'rg1', 'clusterManagers', 'cm1')}?api-version=2025-09-01`;
    await run.client.put(path, clusterManagerBody(sub, 'rg1', { tags: { n: '0' } }));
  });
  after(() => run.stop());

  it('lets exactly one of 200 PATCHes with the same If-Match win', async () => {
    const { etag } = (await run.client.get(path)).body;
    const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => run.client.patch(path, { tags: { n: String(i + 1) } }, { headers: { 'If-Match': etag } })));
    const codes = replies.map((r) => r.status);
    expect(codes.filter((c) => c === 200)).to.have.length(1);
    expect(codes.filter((c) => c === 412)).to.have.length(199);
    const winner = replies.find((r) => r.status === 200)!;
    const now = (await run.client.get(path)).body;
    expect(now.tags).to.deep.equal(winner.body.tags);
    expect(now.etag).to.equal(winner.body.etag);
  });

  it('loses no increment when 40 clients read-modify-write with If-Match and retry on 412', async () => {
    const start = Number((await run.client.get(path)).body.tags.n);
    const etags = new Set<string>();
    const worker = async () => {
      for (;;) {
        const cur = (await run.client.get(path)).body;
        const r = await run.client.patch(path, { tags: { n: String(Number(cur.tags.n) + 1) } }, { headers: { 'If-Match': cur.etag } });
        if (r.status === 200) {
          etags.add(r.body.etag);
          return;
        }
        expect(r.status).to.equal(412);
      }
    };
    await Promise.all(Array.from({ length: 40 }, worker));
    const end = (await run.client.get(path)).body;
    expect(Number(end.tags.n)).to.equal(start + 40);
    expect(etags.size).to.equal(40);
    expect(etags.has(end.etag)).to.equal(true);
  });
});
