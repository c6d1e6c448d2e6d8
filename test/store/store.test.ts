/** The store's journal and snapshot: replay, torn tails, compaction, corruption, group commit. */
import { expect } from 'chai';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { journalFile } from '../../rp/store/journal.js';
import { Store, StoreCorruptError } from '../../rp/store/store.js';

const tmpFile = () => path.join(mkdtempSync(path.join(os.tmpdir(), 'nce-store-')), 'db.json');

describe('store', () => {
  it('replays acknowledged batches after a crash (no close) and starts a fresh journal', async () => {
    const file = tmpFile();
    const a = await Store.open(file);
    await a.put('things', 'k1', { v: 1 });
    await a.batch([{ op: 'put', collection: 'things', key: 'k2', value: { v: 2 } }, { op: 'delete', collection: 'things', key: 'k1' }]);
    // no close(): as after kill -9 (the handle is released without folding the journal)
    await a.releaseForTest();
    const b = await Store.open(file);
    expect(b.get('things', 'k1')).to.equal(undefined);
    expect(b.get('things', 'k2')).to.deep.equal({ v: 2 });
    const journals = readdirSync(path.dirname(file)).filter((n) => n.startsWith('db.journal.'));
    expect(journals).to.have.length(1);
    expect(JSON.parse(readFileSync(file, 'utf8')).collections.things).to.deep.equal({ k2: { v: 2 } });
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    await b.close();
  });

  it('ignores a torn last line (never acknowledged) but refuses damage elsewhere', async () => {
    const file = tmpFile();
    const a = await Store.open(file);
    await a.put('things', 'k1', { v: 1 });
    const seq = JSON.parse(readFileSync(file, 'utf8')).journalSeq;
    await a.releaseForTest();
    appendFileSync(journalFile(file, seq), '0123456789abcdef [{"op":"put","coll');
    const b = await Store.open(file);
    expect(b.get('things', 'k1')).to.deep.equal({ v: 1 });
    await b.put('things', 'k2', { v: 2 });
    const seq2 = JSON.parse(readFileSync(file, 'utf8')).journalSeq;
    await b.releaseForTest();
    writeFileSync(journalFile(file, seq2), `garbage line\n${readFileSync(journalFile(file, seq2), 'utf8')}`);
    let error: unknown;
    try {
      await Store.open(file);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(StoreCorruptError);
    expect((error as Error).message).to.contain('damaged');
  });

  it('group-commits concurrent writes into fewer flushes, each acknowledged when durable', async () => {
    const file = tmpFile();
    const s = await Store.open(file);
    const before = s.flushCount;
    await Promise.all(Array.from({ length: 200 }, (_, i) => s.put('things', `k${i}`, { i })));
    const flushes = s.flushCount - before;
    expect(flushes).to.be.lessThan(20);
    await s.releaseForTest();
    const reopened = await Store.open(file);
    expect(reopened.size('things')).to.equal(200);
    await reopened.close();
  });

  it('keeps the write cost independent of the store size (journal, not whole-file rewrite)', async () => {
    const file = tmpFile();
    const s = await Store.open(file);
    await s.batch(Array.from({ length: 5000 }, (_, i) => ({ op: 'put' as const, collection: 'big', key: `k${i}`, value: { pad: 'x'.repeat(1000) } })));
    const seq = JSON.parse(readFileSync(file, 'utf8')).journalSeq;
    const journal = journalFile(file, seq);
    const sizeBefore = statSync(journal).size;
    await s.put('big', 'one', { v: 1 });
    expect(statSync(journal).size - sizeBefore).to.be.lessThan(200);
    await s.close();
  });

  it('in memory: nothing touches disk', async () => {
    const s = await Store.open(null);
    await s.put('a', 'b', { c: 1 });
    expect(s.get('a', 'b')).to.deep.equal({ c: 1 });
    expect(s.flushCount).to.equal(0);
  });
});
