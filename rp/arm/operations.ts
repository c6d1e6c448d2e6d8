/**
 * Long-running operations. An operation is a stored record that stays InProgress for the configured
 * duration (wall-clock time, so pollers behave as against Azure) and then runs its named finisher,
 * which applies the effect to the store. Finishers are looked up by name, so an operation that was
 * in flight when the emulator stopped completes after a restart.
 *
 * Crash consistency: an operation's record is written in the same store transaction as the change
 * that starts it (the caller wraps both in store.transaction), and its finisher's effect is written
 * in one transaction with the record that says it finished. So after a crash a resource is never
 * left in a transitional state without the operation that ends it: resume() re-arms every
 * operation still InProgress (one whose finisher is unknown fails with an error body).
 *
 * Finished operation records are kept for OPERATION_RETENTION_MS on the virtual clock (ARM keeps
 * an operation's status for a limited time too) and then removed, so the store does not grow
 * without bound; a status URL of a removed operation answers 404.
 *
 * Two status URLs, as ARM has them:
 * - Azure-AsyncOperation: .../locations/{loc}/operationStatuses/{id}: always 200 with the status body.
 * - Location:             .../locations/{loc}/operationResults/{id}: 202 while running; then 200 with
 *   the final OperationStatusResult, or the failure's status code with the ARM error body.
 */
import { randomUUID } from 'node:crypto';
import type { Json, JsonObject } from '../api/derive.js';
import type { Clock } from '../clock.js';
import type { Store } from '../store/store.js';
import { ArmError, type ErrorDetail } from './errors.js';

export type OperationState = 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled';

export interface OperationRecord {
  /** The operation's id (a GUID); also its name. */
  name: string;
  subscriptionId: string;
  namespace: string;
  location: string;
  resourceId: string;
  /** What started it: 'put', 'patch', 'delete' or an action name. */
  verb: string;
  finisher: string;
  args: Json;
  status: OperationState;
  startTime: string;
  endTime?: string;
  percentComplete: number;
  /** Wall-clock ms at which it finishes. */
  dueAt: number;
  error?: ErrorDetail;
  /** HTTP status the Location URL answers with when the operation failed. */
  failureStatus?: number;
  properties?: JsonObject;
  /** An outcome injected by a fault rule (rp/faults): end Failed/Canceled, and/or stay InProgress until holdUntil on the clock. */
  fault?: { ruleId: string; status?: 'Failed' | 'Canceled'; error?: ErrorDetail; failureStatus?: number; holdUntil?: string };
}

/** Fault injection's hooks (rp/faults/engine.ts): mark an operation at its start; at its end, hold it or replace its finisher. */
export interface OperationFaults {
  atStart(op: OperationRecord): void;
  atFinish(op: OperationRecord): Finisher | 'hold' | undefined;
}

export interface FinisherOutcome {
  properties?: JsonObject;
  /**
   * The work goes on (e.g. a rolling upgrade stepping with the clock): the operation stays
   * InProgress, what the finisher wrote commits, and whoever drives the work calls complete() again.
   */
  pending?: boolean;
}

/** A finisher applies the operation's effect. Throwing an ArmError fails the operation with it. */
export type Finisher = (op: OperationRecord) => Promise<FinisherOutcome | void>;

const COLLECTION = 'operations';

/** How long a finished operation's status stays readable, on the virtual clock: 24 hours. */
export const OPERATION_RETENTION_MS = 24 * 3_600_000;
/** A completion whose write failed (disk full) is tried again after this long. */
const RETRY_MS = 5_000;

export class Operations {
  private finishers = new Map<string, Finisher>();
  private timers = new Map<string, NodeJS.Timeout>();
  private running = new Map<string, Promise<void>>();
  /** Operations still InProgress, by lower-cased resource id (kept in memory; rebuilt by resume()). */
  private active = new Map<string, Set<string>>();
  private closed = false;
  faults?: OperationFaults;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private durationMs: number,
    /** Runs a timer-driven completion under the same per-resource lock as client writes. */
    private readonly exclusive: (resourceId: string, work: () => Promise<void>) => Promise<void> = (_id, work) => work(),
    /** Where a completion that failed outside any request is reported (it must never crash the process). */
    private readonly onError: (line: string) => void = () => undefined,
  ) {}

  get duration(): number {
    return this.durationMs;
  }

  set duration(ms: number) {
    this.durationMs = ms;
  }

  register(name: string, finisher: Finisher): void {
    this.finishers.set(name, finisher);
  }

  /**
   * Resumes operations left in flight by a previous run: each is re-armed and completes when due
   * (at once if its time has passed). One whose finisher no longer exists fails with an error body.
   */
  async resume(): Promise<void> {
    for (const op of this.store.list<OperationRecord>(COLLECTION)) {
      if (op.status !== 'InProgress') continue;
      this.track(op);
      if (this.finishers.has(op.finisher)) this.schedule(op);
      else await this.complete(op.name);
    }
    await this.prune();
  }

  /** The resource ids that have an operation in flight (lower case). */
  busyResources(): Set<string> {
    return new Set(this.active.keys());
  }

  /** Removes finished operations older than the retention period (virtual clock), in one write. */
  async prune(): Promise<number> {
    const cutoff = this.clock.nowMs() - OPERATION_RETENTION_MS;
    const stale = this.store
      .entries<OperationRecord>(COLLECTION)
      .filter(([, op]) => op.status !== 'InProgress' && Date.parse(op.endTime ?? op.startTime) < cutoff)
      .map(([key]) => ({ op: 'delete' as const, collection: COLLECTION, key }));
    if (stale.length) await this.store.batch(stale);
    return stale.length;
  }

  /**
   * Starts an operation. With a zero duration it completes before this returns, so the first
   * response can already say Succeeded.
   */
  async start(init: Omit<OperationRecord, 'name' | 'status' | 'startTime' | 'percentComplete' | 'dueAt'>): Promise<OperationRecord> {
    const op: OperationRecord = {
      ...init,
      name: randomUUID(),
      status: 'InProgress',
      startTime: this.clock.iso(),
      percentComplete: 0,
      dueAt: Date.now() + this.durationMs,
    };
    this.faults?.atStart(op);
    // In the caller's transaction, the record becomes durable with the change it belongs to; only
    // then is it tracked and its timer armed.
    await this.store.put(COLLECTION, op.name, op);
    if (this.durationMs <= 0) {
      this.store.afterCommit(() => this.track(op));
      await this.complete(op.name);
    } else {
      this.store.afterCommit(() => {
        this.track(op);
        this.schedule(op);
      });
    }
    return this.get(op.name)!;
  }

  /** The operations still running against a resource. */
  inProgressFor(resourceId: string): OperationRecord[] {
    return [...(this.active.get(resourceId.toLowerCase()) ?? [])].map((n) => this.get(n)).filter((o): o is OperationRecord => o?.status === 'InProgress');
  }

  private track(op: OperationRecord): void {
    const key = op.resourceId.toLowerCase();
    (this.active.get(key) ?? this.active.set(key, new Set()).get(key)!).add(op.name);
  }

  private untrack(op: OperationRecord): void {
    const key = op.resourceId.toLowerCase();
    const names = this.active.get(key);
    names?.delete(op.name);
    if (names && !names.size) this.active.delete(key);
  }

  get(name: string): OperationRecord | undefined {
    return this.store.get<OperationRecord>(COLLECTION, name.toLowerCase());
  }

  /** Waits until the operation is no longer InProgress (used by the seed and by tests). */
  async settle(name: string): Promise<OperationRecord> {
    const op = this.get(name);
    if (op?.status === 'InProgress') await this.complete(name);
    return this.get(name)!;
  }

  private schedule(op: OperationRecord, delayMs = Math.max(0, op.dueAt - Date.now())): void {
    if (this.closed || this.timers.has(op.name)) return;
    const timer = setTimeout(() => {
      this.timers.delete(op.name);
      this.exclusive(op.resourceId, () => this.complete(op.name)).catch((e) => {
        this.onError(`operation ${op.name} could not be completed: ${(e as Error).message}`);
        // Nothing of it was written (one transaction): it is still InProgress, so try again later.
        if (this.get(op.name)?.status === 'InProgress') this.schedule(op, RETRY_MS);
      });
    }, delayMs);
    timer.unref();
    this.timers.set(op.name, timer);
  }

  /** Runs the finisher once, however many callers ask. */
  complete(name: string): Promise<void> {
    let run = this.running.get(name);
    if (!run) {
      run = this.finish(name).finally(() => this.running.delete(name));
      this.running.set(name, run);
    }
    return run;
  }

  private async finish(name: string): Promise<void> {
    if (this.closed) return;
    const op = this.get(name);
    if (!op || op.status !== 'InProgress') return;
    const timer = this.timers.get(name);
    if (timer) clearTimeout(timer);
    this.timers.delete(name);
    const injected = this.faults?.atFinish(op);
    if (injected === 'hold') return;
    const finisher = injected ?? this.finishers.get(op.finisher);
    // The finisher's effect and the record saying it finished are one commit.
    let pending = false;
    await this.store.transaction(async () => {
      const done: OperationRecord = { ...op, percentComplete: 100, endTime: undefined };
      try {
        if (!finisher) throw new ArmError(500, 'InternalServerError', `The emulator has no way to finish a '${op.verb}' operation of kind '${op.finisher}'.`);
        const outcome = await finisher(op);
        if (outcome?.pending) {
          pending = true;
          return;
        }
        done.status = 'Succeeded';
        if (outcome?.properties) done.properties = outcome.properties;
      } catch (e) {
        const err = e instanceof ArmError ? e : new ArmError(500, 'InternalServerError', 'The operation failed unexpectedly.');
        done.status = (err as { operationStatus?: OperationState }).operationStatus ?? 'Failed';
        done.error = err.toBody().error;
        done.failureStatus = err.status;
      }
      done.endTime = this.clock.iso();
      await this.store.put(COLLECTION, name, done);
      this.store.afterCommit(() => this.untrack(done));
    });
    if (Date.now() - this.lastPrune > 60_000) {
      this.lastPrune = Date.now();
      await this.prune().catch(() => undefined);
    }
  }

  private lastPrune = Date.now();

  /** NetworkCloud's OperationStatusResult for an operation. */
  statusBody(op: OperationRecord): JsonObject {
    const body: JsonObject = {
      id: `/subscriptions/${op.subscriptionId}/providers/${op.namespace}/locations/${op.location}/operationStatuses/${op.name}`,
      name: op.name,
      resourceId: op.resourceId,
      status: op.status,
      percentComplete: op.percentComplete,
      startTime: op.startTime,
    };
    if (op.endTime) body.endTime = op.endTime;
    if (op.error) body.error = op.error as unknown as Json;
    if (op.properties) body.properties = op.properties;
    return body;
  }

  statusUrl(base: string, op: OperationRecord, apiVersion: string, kind: 'operationStatuses' | 'operationResults'): string {
    return `${base}subscriptions/${op.subscriptionId}/providers/${op.namespace}/locations/${op.location}/${kind}/${op.name}?api-version=${apiVersion}`;
  }

  /** Accepts new operations again after close() (used by reset). */
  reopen(): void {
    this.closed = false;
  }

  /** Stops timers; in-flight finishers are awaited so the store is left consistent. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.running.values()]);
  }
}
