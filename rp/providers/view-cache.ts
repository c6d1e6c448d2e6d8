/**
 * The serialised views of resources (one per api-version), remembered for the most recently read
 * resources only: a GET of a hot resource does no projection and no JSON work, and a store of tens of
 * thousands of resources read once does not keep a second copy of each as text. Least recently
 * used entries go first once the cached bytes pass the budget.
 *
 * Keyed by the stored object itself, as before: every write stores a new object, so an entry can
 * never describe a newer state than the one it was made from (the etag check covers writes that
 * keep the object but change the etag).
 */
export interface ViewEntry {
  etag: string;
  byVersion: Map<string, Buffer>;
}

/** Default budget: enough for a few thousand typical resources at one api-version. */
export const VIEW_CACHE_BYTES = 8 * 1024 * 1024;

export class ViewCache<K extends object> {
  private readonly entries = new Map<K, ViewEntry>();
  private bytes = 0;

  constructor(readonly budgetBytes = VIEW_CACHE_BYTES) {}

  /** The cached text of `key` at `version` when its etag still matches, else `make()`'s, remembered. */
  text(key: K, etag: string, version: string, make: () => Buffer): Buffer {
    let entry = this.entries.get(key);
    if (entry && entry.etag !== etag) {
      this.forget(key, entry);
      entry = undefined;
    }
    const hit = entry?.byVersion.get(version);
    if (entry && hit !== undefined) {
      // Most recently used goes last.
      this.entries.delete(key);
      this.entries.set(key, entry);
      return hit;
    }
    const bytes = make();
    if (bytes.length > this.budgetBytes) return bytes;
    if (!entry) entry = { etag, byVersion: new Map() };
    else this.entries.delete(key);
    entry.byVersion.set(version, bytes);
    this.entries.set(key, entry);
    this.bytes += bytes.length;
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.budgetBytes) break;
      this.forget(k, e);
    }
    return bytes;
  }

  get size(): number {
    return this.entries.size;
  }

  get cachedBytes(): number {
    return this.bytes;
  }

  private forget(key: K, entry: ViewEntry): void {
    for (const b of entry.byVersion.values()) this.bytes -= b.length;
    this.entries.delete(key);
  }
}
