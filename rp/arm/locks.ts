/**
 * One writer at a time per resource: a precondition check (If-Match, "is it busy?") and the write
 * it guards must not interleave with another request's, or concurrent updates would be lost.
 */
import { parseResourceId } from './resource-id.js';

/** The lock key of a resource id: the same one the ARM write path uses (see TrackedResourceType). */
export function resourceLockKey(id: string): string {
  const p = parseResourceId(id);
  return p ? `${p.subscriptionId}/${p.resourceGroup}/${p.namespace}/${p.type}/${p.name}`.toLowerCase() : id.toLowerCase();
}

export class KeyedLock {
  private tails = new Map<string, Promise<void>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
