/**
 * The rules in force, kept in the emulator's store (collection 'faultRules') so they survive a
 * restart like any other emulator state. Reads come from an in-memory list, refreshed when the
 * collection changes; counters are written back as the rules fire.
 */
import type { Store } from '../store/store.js';
import type { FaultRule } from './rules.js';

export const FAULT_RULES = 'faultRules';

export class FaultRuleStore {
  private cache: FaultRule[] = [];
  private cachedVersion = -1;

  constructor(private readonly store: Store) {}

  /** Every rule, oldest first. */
  all(): FaultRule[] {
    const version = this.store.version(FAULT_RULES);
    if (version !== this.cachedVersion) {
      this.cache = this.store.list<FaultRule>(FAULT_RULES).sort((a, b) => a.seq - b.seq);
      this.cachedVersion = version;
    }
    return this.cache;
  }

  get(id: string): FaultRule | undefined {
    return this.store.get<FaultRule>(FAULT_RULES, id);
  }

  /** Adds rules in one commit; each gets the next creation number. */
  async add(rules: FaultRule[]): Promise<void> {
    let seq = this.all().reduce((m, r) => Math.max(m, r.seq), 0);
    for (const r of rules) r.seq = ++seq;
    await this.store.batch(rules.map((r) => ({ op: 'put' as const, collection: FAULT_RULES, key: r.id, value: r })));
  }

  /** Replaces every rule with these, in one commit. */
  async replace(rules: FaultRule[]): Promise<void> {
    rules.forEach((r, i) => (r.seq = i + 1));
    await this.store.batch([
      ...this.store.entries(FAULT_RULES).map(([key]) => ({ op: 'delete' as const, collection: FAULT_RULES, key })),
      ...rules.map((r) => ({ op: 'put' as const, collection: FAULT_RULES, key: r.id, value: r })),
    ]);
  }

  async remove(id: string): Promise<boolean> {
    if (!this.get(id)) return false;
    await this.store.delete(FAULT_RULES, id);
    return true;
  }

  async clear(): Promise<number> {
    const keys = this.store.entries(FAULT_RULES).map(([key]) => key);
    await this.store.batch(keys.map((key) => ({ op: 'delete' as const, collection: FAULT_RULES, key })));
    return keys.length;
  }

  /**
   * Records a rule's new counters. The change is applied in memory at once (so concurrent requests
   * see it) and is durable when the returned promise resolves.
   */
  save(rule: FaultRule): Promise<void> {
    return this.store.put(FAULT_RULES, rule.id, { ...rule });
  }
}
