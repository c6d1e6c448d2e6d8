/**
 * The embedded store: named collections of JSON records held in memory (reads never touch disk)
 * and persisted through lowdb. Writes are group-committed: every mutation made before a flush
 * starts rides in that flush, and a caller's write is acknowledged only once the file that
 * contains it is on disk (write to a temp file, fsync, rename, fsync the folder).
 */
import { Low, Memory, type Adapter } from 'lowdb';
import { DurableJsonFile } from './durable-file.js';

export interface StoreData {
  format: 1;
  collections: Record<string, Record<string, unknown>>;
}

export type StoreOp =
  | { op: 'put'; collection: string; key: string; value: unknown }
  | { op: 'delete'; collection: string; key: string };

export class StoreCorruptError extends Error {}

export class Store {
  private readonly db: Low<StoreData>;
  private writeChain: Promise<void> = Promise.resolve();
  private nextFlush: Promise<void> | null = null;
  /** Number of file writes so far: lets tests and benchmarks see group commit at work. */
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
    return store;
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
    for (const o of ops) {
      const coll = this.collection<unknown>(o.collection);
      if (o.op === 'put') coll[o.key] = o.value;
      else delete coll[o.key];
    }
    return this.commit();
  }

  /** Drops everything. */
  clear(): Promise<void> {
    this.db.data.collections = {};
    return this.commit();
  }

  /** Resolves once the current in-memory state is on disk; concurrent callers share one file write. */
  commit(): Promise<void> {
    if (this.nextFlush) return this.nextFlush;
    const flush = this.writeChain.then(async () => {
      this.nextFlush = null;
      this.flushCount++;
      await this.db.write();
    });
    this.nextFlush = flush;
    this.writeChain = flush.catch(() => undefined);
    return flush;
  }

  /** Waits for any flush in progress. */
  async close(): Promise<void> {
    await this.writeChain;
  }
}
