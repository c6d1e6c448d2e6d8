import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DurableJsonFile } from '../../rp/store/durable-file.js';
import { lastWrites, type StoreOp } from '../../rp/store/store.js';

describe('store/durable-file', () => {
  it('writes a snapshot in pieces that are, byte for byte, JSON.stringify of it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nce-durable-'));
    try {
      const file = path.join(dir, 'db.json');
      const big = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`/subscriptions/s/r${i}`, { id: i, text: 'x'.repeat(600), nested: { list: [i, null, 'é\u2028"'] } }]));
      const cases: unknown[] = [
        { format: 1, journalSeq: 7, collections: { resources: big, empty: {}, odd: { 'a"b': { when: new Date(0), gone: undefined, n: -0.5 }, nothing: null, skipped: undefined } } },
        { format: 1, collections: {} },
        { a: { b: { c: { d: { e: 1 } } } }, list: [1, { x: undefined }] },
      ];
      for (const data of cases) {
        await new DurableJsonFile(file).write(data);
        expect(readFileSync(file, 'utf8')).to.equal(JSON.stringify(data));
        expect(await new DurableJsonFile(file).read()).to.deep.equal(JSON.parse(JSON.stringify(data)));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a transaction logs the last write of each record only, in the order of those writes', () => {
    const ops: StoreOp[] = [
      { op: 'put', collection: 'resources', key: 'a', value: 1 },
      { op: 'put', collection: 'operations', key: 'a', value: 'op' },
      { op: 'put', collection: 'resources', key: 'b', value: 2 },
      { op: 'put', collection: 'resources', key: 'a', value: 3 },
      { op: 'delete', collection: 'resources', key: 'b' },
    ];
    expect(lastWrites(ops)).to.deep.equal([
      { op: 'put', collection: 'operations', key: 'a', value: 'op' },
      { op: 'put', collection: 'resources', key: 'a', value: 3 },
      { op: 'delete', collection: 'resources', key: 'b' },
    ]);
    const distinct = ops.slice(0, 3);
    expect(lastWrites(distinct)).to.equal(distinct);
  });
});
