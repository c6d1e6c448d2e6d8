/**
 * The embedded store: named collections of JSON records held in memory (reads never touch disk),
 * persisted as a lowdb snapshot (db.json) plus a write-ahead journal (see journal.ts).
 *
 * - Writes are group-committed: every batch queued before a flush starts rides in that flush (one
 *   append, one fsync). A batch reaches memory only once its journal line is on disk, so readers
 *   never see a write that could still be lost, and a write that failed (disk full) leaves no trace.
 * - `transaction(fn)` makes everything `fn` writes (in any collection, through any module) ONE
 *   journal record: applied together or not at all, after one fsync. Inside, reads see the
 *   transaction's own writes; elsewhere nothing is visible until it is durable.
 * - Values of sealed collections (and sealed fields) are encrypted on their way to disk by a
 *   Sealer (rp/secrets/at-rest.ts): memory holds them in clear, db.json and the journals never do.
 * - The journal is folded into a new snapshot when it grows, so a write costs the size of the
 *   change, not of the store.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Low, Memory, type Adapter } from 'lowdb';
import { DurableJsonFile } from './durable-file.js';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { ArmError } from '../arm/errors.js';
import { encodeRecord, JournalCorruptError, type StoreOp, journalFile, JournalWriter, journalSeqs, readJournals, removeJournalsBefore } from './journal.js';

export interface StoreData {
  format: 1;
  /** First journal number to replay over this snapshot. */
  journalSeq?: number;
  collections: Record<string, Record<string, unknown>>;
}

/** Longest string shareStrings() makes one copy of (longer ones are rarely repeated). */
const SHARED_STRING_MAX = 256;

/** Journal size at which it is folded into a new snapshot. */
const COMPACT_AT_BYTES = 32 * 1024 * 1024;

export type { StoreOp };

/**
 * Turns a record into its on-disk form and back. seal/unseal see every record of every collection
 * and return it unchanged when there is nothing to protect. unseal throws when a sealed value
 * cannot be opened (wrong key).
 */
export interface Sealer {
  seal(collection: string, key: string, value: unknown): unknown;
  unseal(collection: string, key: string, value: unknown): unknown;
}

export class StoreCorruptError extends Error {}

/** The store cannot be opened for another reason than damage (disk full, wrong key): the message says what to do. */
export class StoreStartError extends StoreCorruptError {}

const SPACE_CODES = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

export function isOutOfSpace(e: unknown): boolean {
  return SPACE_CODES.has((e as NodeJS.ErrnoException | undefined)?.code ?? '');
}

/** A write refused because the disk holding the store is full: ARM-shaped, 503, nothing was changed. */
export class StoreOutOfSpaceError extends ArmError {
  constructor(dir: string, cause: NodeJS.ErrnoException) {
    super(
      503,
      'StoreOutOfSpace',
      `The emulator's store is out of disk space (${cause.code} in ${dir}): the change was not made. Free some space on that disk and retry.`,
      undefined,
      undefined,
      { 'Retry-After': '10' },
    );
  }
}

/** Deletes the snapshot and every journal: what --reset means. */
export async function removeStoreFiles(file: string): Promise<void> {
  await rm(file, { force: true });
  for (const seq of await journalSeqs(file)) await rm(journalFile(file, seq), { force: true });
}

/** Bytes of the snapshot and its journals: about what a start needs free to write a new snapshot. */
export async function storeBytes(file: string): Promise<number> {
  let total = 0;
  for (const f of [file, ...(await journalSeqs(file)).map((s) => journalFile(file, s))]) total += await stat(f).then((s) => s.size, () => 0);
  return total;
}

/** A transaction's writes, not yet durable: visible only inside it. */
interface Tx {
  ops: StoreOp[];
  overlay: Map<string, Map<string, { value: unknown } | null>>;
  closed: boolean;
  afterCommit: (() => void)[];
  onAbort: (() => void | Promise<void>)[];
}

interface Pending {
  line: string;
  ops: StoreOp[];
}

export class Store {
  private readonly db: Low<StoreData>;
  private readonly adapter: Adapter<StoreData>;
  private writeChain: Promise<void> = Promise.resolve();
  private nextFlush: Promise<void> | null = null;
  /** Batches waiting for the next flush; they reach memory when it is durable. */
  private pending: Pending[] = [];
  private journal: JournalWriter | null = null;
  private readonly versions = new Map<string, number>();
  private readonly txs = new AsyncLocalStorage<Tx>();
  private openTxs = 0;
  private sealer: Sealer | null;
  /** Number of flushes (journal appends) so far: lets tests and benchmarks see group commit at work. */
  flushCount = 0;

  private constructor(adapter: Adapter<StoreData>, readonly file: string | null, sealer: Sealer | null) {
    this.adapter = adapter;
    this.sealer = sealer;
    this.db = new Low<StoreData>(adapter, { format: 1, collections: {} });
  }

  /**
   * Opens the store at `file`, or an in-memory one when file is null. A corrupt file is an error,
   * never a silent reset. `sealer` encrypts secrets on their way to disk (see rp/secrets/at-rest.ts).
   */
  static async open(file: string | null, sealer: Sealer | null = null): Promise<Store> {
    const store = new Store(file ? new DurableJsonFile<StoreData>(file) : new Memory<StoreData>(), file, sealer);
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
      store.unsealSnapshot(file);
      await store.recover(file);
      store.shareStrings();
    }
    return store;
  }

  private unsealSnapshot(file: string): void {
    if (!this.sealer) return;
    try {
      for (const [name, records] of Object.entries(this.db.data.collections)) {
        for (const [key, value] of Object.entries(records)) records[key] = this.sealer.unseal(name, key, value);
      }
    } catch (e) {
      throw new StoreStartError(`The emulator's store ${file} holds secrets that cannot be decrypted: ${(e as Error).message}`);
    }
  }

  /**
   * Makes equal short strings of the records loaded at start one string: a parsed snapshot holds a
   * separate copy of every repeated value (states, locations, SKUs, parent ids), and the copies cost
   * more memory than the records' own text. Records are fresh from JSON.parse, so they are updated in place.
   */
  private shareStrings(): void {
    const pool = new Map<string, string>();
    const share = (text: string): string => {
      if (text.length > SHARED_STRING_MAX) return text;
      const known = pool.get(text);
      if (known !== undefined) return known;
      pool.set(text, text);
      return text;
    };
    const walk = (value: unknown): void => {
      if (typeof value !== 'object' || value === null) return;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const v: unknown = value[i];
          if (typeof v === 'string') value[i] = share(v);
          else walk(v);
        }
        return;
      }
      const record = value as Record<string, unknown>;
      for (const k in record) {
        const v = record[k];
        if (typeof v === 'string') record[k] = share(v);
        else walk(v);
      }
    };
    for (const records of Object.values(this.db.data.collections)) walk(records);
  }

  /** Replays the journals over the snapshot, then folds them into a fresh snapshot and a new journal. */
  private async recover(file: string): Promise<void> {
    const from = this.db.data.journalSeq ?? 1;
    try {
      for (const ops of await readJournals(file, from)) this.apply(this.unsealOps(ops, file));
    } catch (e) {
      if (e instanceof JournalCorruptError) throw new StoreCorruptError(`The emulator's store cannot be read (${e.message}). Move ${file} and its journals aside, or start with --reset to begin again.`);
      throw e;
    }
    const next = Math.max(from, ...(await journalSeqs(file))) + 1;
    try {
      await this.snapshot(file, next);
    } catch (e) {
      if (!isOutOfSpace(e)) throw e;
      await this.journal?.close().catch(() => undefined);
      this.journal = null;
      await rm(journalFile(file, next), { force: true }).catch(() => undefined);
      const need = JSON.stringify(this.db.data).length + 64 * 1024;
      throw new StoreStartError(
        `The disk holding ${path.dirname(file)} is full (${(e as NodeJS.ErrnoException).code}): the emulator rewrites its store (${path.basename(file)}) when it starts and needs about ${formatBytes(need)} free for that. Free that much space on the disk and start again; nothing was changed.`,
      );
    }
  }

  private unsealOps(ops: StoreOp[], file: string): StoreOp[] {
    if (!this.sealer) return ops;
    try {
      return ops.map((o) => (o.op === 'put' ? { ...o, value: this.sealer!.unseal(o.collection, o.key, o.value) } : o));
    } catch (e) {
      throw new StoreStartError(`The emulator's store journal beside ${file} holds secrets that cannot be decrypted: ${(e as Error).message}`);
    }
  }

  private sealOps(ops: StoreOp[]): StoreOp[] {
    if (!this.sealer) return ops;
    return ops.map((o) => (o.op === 'put' ? { ...o, value: this.sealer!.seal(o.collection, o.key, o.value) } : o));
  }

  /** The whole state as written to db.json: sealed values encrypted, memory left in clear. */
  private diskImage(): StoreData {
    const data = this.db.data;
    if (!this.sealer) return data;
    const collections: StoreData['collections'] = {};
    for (const [name, records] of Object.entries(data.collections)) {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(records)) out[key] = this.sealer.seal(name, key, value);
      collections[name] = out;
    }
    return { ...data, collections };
  }

  /** Writes the whole state as the snapshot that starts at journal `seq`, opens that journal and drops older ones. */
  private async snapshot(file: string, seq: number): Promise<void> {
    const previous = this.journal;
    const opened = await JournalWriter.open(file, seq);
    const before = this.db.data.journalSeq;
    this.db.data.journalSeq = seq;
    try {
      await this.adapter.write(this.diskImage());
    } catch (e) {
      // Keep appending where we were: the old snapshot and journals still describe the state.
      this.db.data.journalSeq = before;
      await opened.close().catch(() => undefined);
      if (previous) await rm(journalFile(file, seq), { force: true }).catch(() => undefined);
      throw e;
    }
    this.journal = opened;
    await previous?.close();
    await removeJournalsBefore(file, seq);
  }

  /** How many times a collection has changed: lets caches of derived facts (e.g. RBAC decisions) notice. */
  version(collection: string): number {
    // Inside a transaction that wrote the collection, no cached fact is valid (NaN equals nothing).
    if (this.tx()?.overlay.has(collection)) return NaN;
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

  /** The transaction the caller runs in, if any (a finished one no longer counts: timers may outlive it). */
  private tx(): Tx | undefined {
    const tx = this.txs.getStore();
    return tx && !tx.closed ? tx : undefined;
  }

  get<T>(collection: string, key: string): T | undefined {
    const own = this.tx()?.overlay.get(collection)?.get(key);
    if (own !== undefined) return own === null ? undefined : (own.value as T);
    return this.collection<T>(collection)[key];
  }

  list<T>(collection: string): T[] {
    return this.entries<T>(collection).map(([, v]) => v);
  }

  entries<T>(collection: string): [string, T][] {
    const base = Object.entries(this.collection<T>(collection));
    const own = this.tx()?.overlay.get(collection);
    if (!own) return base;
    const merged = new Map<string, T>(base);
    for (const [key, v] of own) {
      if (v === null) merged.delete(key);
      else merged.set(key, v.value as T);
    }
    return [...merged];
  }

  size(collection: string): number {
    return this.tx()?.overlay.has(collection) ? this.entries(collection).length : Object.keys(this.collection(collection)).length;
  }

  put<T>(collection: string, key: string, value: T): Promise<void> {
    return this.batch([{ op: 'put', collection, key, value }]);
  }

  delete(collection: string, key: string): Promise<void> {
    return this.batch([{ op: 'delete', collection, key }]);
  }

  /**
   * Writes all operations as one journal record and resolves when they are durable; only then do
   * they reach memory. Inside a transaction they join it instead (and resolve at once).
   */
  batch(ops: StoreOp[]): Promise<void> {
    const tx = this.tx();
    if (tx) {
      for (const o of ops) {
        tx.ops.push(o);
        const coll = tx.overlay.get(o.collection) ?? tx.overlay.set(o.collection, new Map()).get(o.collection)!;
        coll.set(o.key, o.op === 'put' ? { value: o.value } : null);
      }
      return Promise.resolve();
    }
    if (!ops.length) return this.commit();
    if (!this.file) {
      this.apply(ops);
      return Promise.resolve();
    }
    // Serialised now, so later in-memory changes to the same objects cannot alter what is logged.
    this.pending.push({ line: encodeRecord(this.sealOps(ops)), ops });
    return this.commit();
  }

  /**
   * Runs `fn` so that every store write it makes, directly or through other modules, becomes one
   * journal record: durable and visible together, or (when fn throws, or the disk is full) not at
   * all. Resolves with fn's result once the record is durable. A transaction inside another joins it.
   */
  async transaction<T>(fn: () => Promise<T> | T): Promise<T> {
    if (this.tx()) return fn();
    const tx: Tx = { ops: [], overlay: new Map(), closed: false, afterCommit: [], onAbort: [] };
    let result: T;
    this.openTxs++;
    try {
      result = await this.txs.run(tx, fn);
      tx.closed = true;
      await this.batch(lastWrites(tx.ops));
    } catch (e) {
      tx.closed = true;
      for (const undo of tx.onAbort) await Promise.resolve().then(undo).catch(() => undefined);
      throw e;
    } finally {
      // On Node 20, AsyncLocalStorage makes every await in the process dearer while it is enabled:
      // it is enabled only while a transaction runs (run() enables it again).
      if (--this.openTxs === 0) this.txs.disable();
    }
    for (const done of tx.afterCommit) done();
    return result;
  }

  /** Runs `fn` once the caller's transaction is durable (at once outside a transaction). */
  afterCommit(fn: () => void): void {
    const tx = this.tx();
    if (tx) tx.afterCommit.push(fn);
    else fn();
  }

  /** Runs `fn` if the caller's transaction is abandoned (fn threw, or its commit failed); outside one, never. */
  onAbort(fn: () => void | Promise<void>): void {
    this.tx()?.onAbort.push(fn);
  }

  /** Resolves once every batch queued so far is durable; concurrent callers share one append and fsync. */
  commit(): Promise<void> {
    if (!this.file) return Promise.resolve();
    if (this.nextFlush) return this.nextFlush;
    const file = this.file;
    const flush = this.writeChain.then(async () => {
      this.nextFlush = null;
      const batch = this.pending;
      this.pending = [];
      if (!batch.length) return;
      this.flushCount++;
      try {
        await this.journal!.append(batch.map((p) => p.line).join(''));
      } catch (e) {
        if (isOutOfSpace(e)) throw new StoreOutOfSpaceError(path.dirname(file), e as NodeJS.ErrnoException);
        throw e;
      }
      for (const p of batch) this.apply(p.ops);
      if (this.journal!.bytes >= COMPACT_AT_BYTES) {
        // The writes are durable already; a snapshot that cannot be written (disk full) waits for the next try.
        await this.snapshot(file, this.journal!.seq + 1).catch(() => undefined);
      }
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
      // A snapshot that cannot be written (disk full) is no loss: the journal holds every write.
      const done = this.writeChain.then(() => this.snapshot(this.file!, this.journal!.seq + 1)).catch(() => undefined);
      this.writeChain = done;
      await done;
      await this.journal?.close();
      this.journal = null;
    }
  }
}

/**
 * A transaction's operations with only the last write of each record kept, in the order of those
 * last writes: the same end state, and a record written twice in one transaction (e.g. an
 * operation accepted and finished at once) is serialised, sealed and logged once.
 */
export function lastWrites(ops: StoreOp[]): StoreOp[] {
  if (ops.length < 2) return ops;
  const last = new Map<string, number>();
  ops.forEach((o, i) => last.set(`${o.collection}\u0000${o.key}`, i));
  if (last.size === ops.length) return ops;
  return ops.filter((o, i) => last.get(`${o.collection}\u0000${o.key}`) === i);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${Math.ceil(n / 1024)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
