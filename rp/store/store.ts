/**
 * The embedded store: named collections of JSON records held in memory (reads never touch disk),
 * persisted as a lowdb snapshot (db.json) plus a write-ahead journal (see journal.ts).
 * Writes are group-committed: every batch applied before a flush starts rides in that flush (one
 * append, one fsync), and a caller's write is acknowledged only once its journal line is on disk.
 * The journal is folded into a new snapshot when it grows, so a write costs the size of the
 * change, not of the store.
 */
import { Low, Memory, type Adapter } from 'lowdb';
import { DurableJsonFile } from './durable-file.js';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { encodeRecord, JournalCorruptError, journalFile, JournalWriter, journalSeqs, readJournals, removeJournalsBefore } from './journal.js';

export interface StoreData {
  format: 1;
  /** First journal number to replay over this snapshot. */
  journalSeq?: number;
  collections: Record<string, Record<string, unknown>>;
}

/** Journal size at which it is folded into a new snapshot. */
const COMPACT_AT_BYTES = 32 * 1024 * 1024;

export type StoreOp =
  | { op: 'put'; collection: string; key: string; value: unknown }
  | { op: 'delete'; collection: string; key: string };

export class StoreCorruptError extends Error {}

/** Deletes the snapshot and every journal: what --reset means. */
export async function removeStoreFiles(file: string): Promise<void> {
  await rm(file, { force: true });
  for (const seq of await journalSeqs(file)) await rm(journalFile(file, seq), { force: true });
}

export class Store {
  private readonly db: Low<StoreData>;
  private writeChain: Promise<void> = Promise.resolve();
  private nextFlush: Promise<void> | null = null;
  /** Journal lines applied in memory and waiting for the next flush. */
  private pending: string[] = [];
  private journal: JournalWriter | null = null;
  private readonly versions = new Map<string, number>();
  /** Number of flushes (journal appends) so far: lets tests and benchmarks see group commit at work. */
  flushCount = 0;

  private constructor(adapter: Adapter<StoreData>, readonly file: string | null) {
    this.db = new Low<StoreData>(adapter, { format: 1, collections: {} });
  }

  /** Opens the store at `file`, or an in-memory one when file is null. A corrupt file is an error, never a silent reset. */
  static async open(file: string | null): Promise<Store> {
    const store = new Store(file ? new DurableJsonFile<StoreData>(file) : new Memory<StoreData>(), file);
    try {
      await store.db.read();
    } catch (e) {
      throw new StoreCorruptError(`The emulator's store ${file} cannot be read (${(e as Error).message}). Move it aside, or start with --reset to begin again.`);
    }
    const data = store.db.data as Partial<StoreData> | null;
    if (!data || data.format !== 1 || typeof data.collections !== 'object' || data.collections === null) {
      throw new StoreCorruptError(`The emulator's store ${file} is not in the expected format. Move it aside, or start with --reset to begin again.`);
    }
    if (file) {
      // Journals without their snapshot (someone moved db.json aside) would replay onto nothing: refuse.
      const snapshotMissing = await stat(file).then(() => false, () => true);
      if (snapshotMissing && (await journalSeqs(file)).length) {
        throw new StoreCorruptError(`The emulator's store ${file} is missing but its journals are there. Move the journals (${path.basename(journalFile(file, 1)).replace(/1$/, '*')}) aside too, or start with --reset to begin again.`);
      }
      await store.recover(file);
    }
    return store;
  }

  /** Replays the journals over the snapshot, then folds them into a fresh snapshot and a new journal. */
  private async recover(file: string): Promise<void> {
    const from = this.db.data.journalSeq ?? 1;
    try {
      for (const ops of await readJournals(file, from)) this.apply(ops);
    } catch (e) {
      if (e instanceof JournalCorruptError) throw new StoreCorruptError(`The emulator's store cannot be read (${e.message}). Move ${file} and its journals aside, or start with --reset to begin again.`);
      throw e;
    }
    const next = Math.max(from, ...(await journalSeqs(file))) + 1;
    await this.snapshot(file, next);
  }

  /** Writes the whole state as the snapshot that starts at journal `seq`, opens that journal and drops older ones. */
  private async snapshot(file: string, seq: number): Promise<void> {
    const previous = this.journal;
    this.journal = await JournalWriter.open(file, seq);
    this.db.data.journalSeq = seq;
    await this.db.write();
    await previous?.close();
    await removeJournalsBefore(file, seq);
  }

  /** How many times a collection has changed: lets caches of derived facts (e.g. RBAC decisions) notice. */
  version(collection: string): number {
    return this.versions.get(collection) ?? 0;
  }

  private apply(ops: StoreOp[]): void {
    for (const o of ops) {
      this.versions.set(o.collection, (this.versions.get(o.collection) ?? 0) + 1);
      const coll = this.collection<unknown>(o.collection);
      if (o.op === 'put') coll[o.key] = o.value;
      else delete coll[o.key];
    }
  }

  private collection<T>(name: string): Record<string, T> {
    const all = this.db.data.collections;
    return (all[name] ??= {}) as Record<string, T>;
  }

  get<T>(collection: string, key: string): T | undefined {
    return this.collection<T>(collection)[key];
  }

  list<T>(collection: string): T[] {
    return Object.values(this.collection<T>(collection));
  }

  entries<T>(collection: string): [string, T][] {
    return Object.entries(this.collection<T>(collection));
  }

  size(collection: string): number {
    return Object.keys(this.collection(collection)).length;
  }

  put<T>(collection: string, key: string, value: T): Promise<void> {
    return this.batch([{ op: 'put', collection, key, value }]);
  }

  delete(collection: string, key: string): Promise<void> {
    return this.batch([{ op: 'delete', collection, key }]);
  }

  /** Applies all operations at once (in memory, synchronously) and resolves when they are durable. */
  batch(ops: StoreOp[]): Promise<void> {
    if (!ops.length) return this.commit();
    this.apply(ops);
    // Serialised now, so later in-memory changes to the same objects cannot alter what is logged.
    if (this.file) this.pending.push(encodeRecord(ops));
    return this.commit();
  }

  /** Resolves once every batch applied so far is durable; concurrent callers share one append and fsync. */
  commit(): Promise<void> {
    if (!this.file) return Promise.resolve();
    if (this.nextFlush) return this.nextFlush;
    const file = this.file;
    const flush = this.writeChain.then(async () => {
      this.nextFlush = null;
      const lines = this.pending.join('');
      this.pending = [];
      if (!lines) return;
      this.flushCount++;
      await this.journal!.append(lines);
      if (this.journal!.bytes >= COMPACT_AT_BYTES) await this.snapshot(file, this.journal!.seq + 1);
    });
    this.nextFlush = flush;
    this.writeChain = flush.catch(() => undefined);
    return flush;
  }

  /** Lets go of the journal file without folding it, as a crash would (tests only). */
  async releaseForTest(): Promise<void> {
    await this.writeChain;
    await this.journal?.close();
    this.journal = null;
  }

  /** Waits for any flush in progress, folds the journal into the snapshot and closes it. */
  async close(): Promise<void> {
    await this.commit().catch(() => undefined);
    await this.writeChain;
    if (this.file && this.journal) {
      const done = this.writeChain.then(() => this.snapshot(this.file!, this.journal!.seq + 1));
      this.writeChain = done.catch(() => undefined);
      await done;
      await this.journal.close();
      this.journal = null;
    }
  }
}
