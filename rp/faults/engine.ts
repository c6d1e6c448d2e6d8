/**
 * The fault engine: applies the rules in force at two points.
 * - The ARM front door, after authentication and before dispatch (so before any state changes):
 *   ARM errors, delays, dropped connections and ARM-shaped throttling.
 * - The long-running-operation engine: an operation started by a matching request ends Failed or
 *   Canceled with the rule's error, and/or stays InProgress until the emulator's clock passes a time.
 * Every injected fault is logged with its rule id and marked with the x-ms-emulator-fault header.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { NextFunction, Request, Response } from 'express';
import type { JsonObject } from '../api/derive.js';
import { ArmError, type ErrorDetail } from '../arm/errors.js';
import { newEtag } from '../arm/etag.js';
import type { Logger } from '../arm/http.js';
import type { Finisher, OperationFaults, OperationRecord, OperationState } from '../arm/operations.js';
import { idKey } from '../arm/resource-id.js';
import type { Clock } from '../clock.js';
import { RESOURCES, type StoredResource } from '../providers/resource-store.js';
import type { Store } from '../store/store.js';
import { matches, requestFacts, type RequestFacts } from './matcher.js';
import { draw } from './prng.js';
import { defaultCode, durationMs, parseRule, ruleState, ruleView, type ErrorEffect, type FaultRule, type OperationEffect, type ThrottleEffect } from './rules.js';
import { FaultRuleStore } from './store.js';
import { randomUUID } from 'node:crypto';

export const FAULT_HEADER = 'x-ms-emulator-fault';

export interface FaultDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  /** An operation's record. */
  operation(name: string): OperationRecord | undefined;
  /** Completes an operation under its resource's write lock (releases one held by operationDelay). */
  completeOperation(name: string): Promise<void>;
}

/** An operation failed or canceled by a rule: the engine records `operationStatus` as its final status. */
export class InjectedOperationError extends ArmError {
  constructor(status: number, readonly operationStatus: OperationState, detail: ErrorDetail) {
    super(status, detail.code, detail.message, detail.target, detail.details);
  }
}

/** What the front door does with a request a rule fired on. */
type Decision =
  | { rule: FaultRule; kind: 'error'; error: ArmError; delayMs: number }
  | { rule: FaultRule; kind: 'delay'; delayMs: number }
  | { rule: FaultRule; kind: 'drop'; delayMs: number };

interface RequestScope {
  facts: RequestFacts;
  res: Response;
}

export class Faults {
  readonly rules: FaultRuleStore;
  private readonly scope = new AsyncLocalStorage<RequestScope>();
  /** Operations waiting for the clock (operationDelay). */
  private readonly held = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  /** While above zero (the emulator seeding its demo through its own API), rules do not apply. */
  private pausedDepth = 0;

  constructor(private readonly deps: FaultDeps) {
    this.rules = new FaultRuleStore(deps.store);
    deps.clock.onChange(() => this.releaseHeld());
  }

  // ------------------------------------------------------------------ rules

  parse(input: unknown): FaultRule {
    return parseRule(input, () => this.deps.clock.iso(), () => `fault-${randomUUID().slice(0, 8)}`);
  }

  async add(input: unknown): Promise<FaultRule> {
    const rule = this.parse(input);
    if (this.rules.get(rule.id)) throw new ArmError(409, 'FaultRuleExists', `A fault rule with id '${rule.id}' already exists; remove it first or choose another id.`, 'id');
    await this.rules.add([rule]);
    return rule;
  }

  /** Replaces every rule (the --faults start option). Each input is validated before anything changes. */
  async replaceAll(inputs: unknown[]): Promise<FaultRule[]> {
    const rules = inputs.map((input, i) => {
      try {
        return this.parse(input);
      } catch (e) {
        if (e instanceof ArmError) throw new ArmError(e.status, e.code, `rule ${i + 1}: ${e.message}`, e.target, e.details);
        throw e;
      }
    });
    const ids = new Set<string>();
    for (const r of rules) {
      if (ids.has(r.id)) throw new ArmError(400, 'InvalidFaultRule', `Two rules have the id '${r.id}'.`, 'id');
      ids.add(r.id);
    }
    await this.rules.replace(rules);
    return rules;
  }

  /** Runs work (the demo seed, which calls the emulator's own API) with every rule set aside. */
  async paused<T>(work: () => Promise<T>): Promise<T> {
    this.pausedDepth += 1;
    try {
      return await work();
    } finally {
      this.pausedDepth -= 1;
    }
  }

  view(rule: FaultRule): Record<string, unknown> {
    return ruleView(rule, this.deps.clock.nowMs());
  }

  // ------------------------------------------------------------------ the front door

  /**
   * The front-door hook: (req, res, fail, next). With no rules it only calls next. Otherwise it
   * decides (synchronously, so concurrent requests see each other's counts), then answers with the
   * fault, or delays, or drops, or goes on with the request inside a scope the operation hook reads.
   */
  frontDoor(): (req: Request, res: Response, fail: NextFunction, next: () => void) => void {
    return (req, res, fail, next) => {
      if (this.pausedDepth > 0 || this.rules.all().length === 0) return next();
      const facts = requestFacts(req.method, req.path, req.query['api-version'], res.locals.principal as { objectId?: string; appId?: string; tenantId?: string } | undefined);
      // The scope (async hooks on every promise) is only needed while operation rules are in force.
      const proceed = this.hasOperationRules() ? () => this.scope.run({ facts, res }, next) : next;
      const decision = this.decide(facts, res);
      if (!decision) return proceed();
      const { rule } = decision;
      res.setHeader(FAULT_HEADER, rule.id);
      const act = () => {
        if (decision.kind === 'error') {
          this.logFault(rule, `${decision.error.status} ${decision.error.code}`, facts);
          fail(decision.error);
        } else if (decision.kind === 'drop') {
          this.logFault(rule, 'dropped the connection', facts);
          req.socket.destroy();
        } else {
          this.logFault(rule, `delayed ${decision.delayMs} ms`, facts);
          proceed();
        }
      };
      if (decision.delayMs > 0) this.after(decision.delayMs, act, () => req.socket.destroy());
      else act();
    };
  }

  private hasOperationRules(): boolean {
    const now = this.deps.clock.nowMs();
    if (this.rules.all().some((r) => r.kind === 'operation' && ruleState(r, now) === 'Active')) return true;
    this.scope.disable();
    return false;
  }

  private decide(facts: RequestFacts, res: Response): Decision | null {
    const now = this.deps.clock.nowMs();
    for (const rule of this.rules.all()) {
      if (rule.kind === 'operation' || ruleState(rule, now) !== 'Active' || !matches(rule.match, facts)) continue;
      if (rule.kind === 'throttle') {
        const error = this.throttle(rule, facts, now, res);
        if (error) return { rule, kind: 'error', error, delayMs: 0 };
        continue;
      }
      rule.matched += 1;
      if (!this.roll(rule)) {
        this.save(rule);
        continue;
      }
      this.fired(rule);
      const effect = rule.effect as ErrorEffect & { drop?: true };
      if (rule.kind === 'drop') return { rule, kind: 'drop', delayMs: effect.delayMs ?? 0 };
      if (rule.kind === 'delay') return { rule, kind: 'delay', delayMs: effect.delayMs ?? 0 };
      const code = effect.code ?? defaultCode(effect.status);
      const headers: Record<string, string> = { [FAULT_HEADER]: rule.id };
      if (effect.retryAfter !== undefined) headers['Retry-After'] = String(effect.retryAfter);
      const message = effect.message ?? `Fault rule '${rule.id}' answered this request with ${effect.status} ${code}.`;
      return { rule, kind: 'error', error: new ArmError(effect.status, code, message, effect.target, undefined, headers), delayMs: effect.delayMs ?? 0 };
    }
    return null;
  }

  /**
   * ARM-shaped throttling: per subscription (or tenant) and caller, a window of `reads` GETs and
   * `writes` other requests. Each counted request carries the remaining count, as ARM's do; once
   * none remain, 429 with Retry-After until the window (on the emulator's clock) ends.
   */
  private throttle(rule: FaultRule, facts: RequestFacts, now: number, res: Response): ArmError | null {
    const t = (rule.effect as ThrottleEffect).throttle;
    const kind = facts.method === 'GET' || facts.method === 'HEAD' ? 'reads' : 'writes';
    const limit = t[kind];
    if (limit === undefined) return null;
    rule.matched += 1;
    const windowMs = durationMs(t.window ?? '1h');
    const key = `${facts.scope.kind}:${facts.scope.id}|${facts.callerObjectId ?? ''}`;
    const buckets = (rule.buckets ??= {});
    let bucket = buckets[key];
    if (!bucket || now >= bucket.windowStart + windowMs) bucket = buckets[key] = { windowStart: now, reads: 0, writes: 0 };
    const header = `x-ms-ratelimit-remaining-${facts.scope.kind}-${kind}`;
    if (bucket[kind] < limit) {
      bucket[kind] += 1;
      res.setHeader(header, String(limit - bucket[kind]));
      this.save(rule);
      return null;
    }
    this.fired(rule);
    const retryAfter = t.retryAfter ?? Math.max(1, Math.ceil((bucket.windowStart + windowMs - now) / 1000));
    const what = facts.scope.kind === 'subscription' ? `subscription '${facts.scope.id}'` : `tenant '${facts.scope.id}'`;
    return new ArmError(
      429,
      facts.scope.kind === 'subscription' ? 'SubscriptionRequestsThrottled' : 'TenantRequestsThrottled',
      `The ${limit} ${kind === 'reads' ? 'read' : 'write'} requests allowed per ${t.window ?? '1h'} for ${what} and caller '${facts.callerObjectId ?? 'anonymous'}' are used up. Try again after ${retryAfter} seconds.`,
      undefined,
      undefined,
      { [FAULT_HEADER]: rule.id, 'Retry-After': String(retryAfter), [header]: '0' },
    );
  }

  /** One draw of the rule's seeded generator against its probability (always true without one). */
  private roll(rule: FaultRule): boolean {
    if (rule.probability === undefined) return true;
    const { value, next } = draw(rule.rng ?? rule.seed ?? 0);
    rule.rng = next;
    return value < rule.probability;
  }

  private fired(rule: FaultRule): void {
    rule.fired += 1;
    rule.lastFiredAt = this.deps.clock.iso();
    this.save(rule);
  }

  private save(rule: FaultRule): void {
    this.rules.save(rule).catch((e) => this.deps.log.error(`fault rule ${rule.id}: its counters could not be saved: ${(e as Error).message}`));
  }

  private logFault(rule: FaultRule, what: string, facts: { method: string; path: string } | undefined, extra = ''): void {
    // Method and path only: query strings may carry secrets.
    this.deps.log.request(`fault ${rule.id}: ${what}${facts ? ` on ${facts.method} ${facts.path}` : ''}${extra}`);
  }

  private after(ms: number, run: () => void, abandon: () => void): void {
    if (this.closed) return abandon();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.closed) abandon();
      else run();
    }, ms);
    this.timers.add(timer);
  }

  // ------------------------------------------------------------------ long-running operations

  /** The hooks the operation engine calls (rp/arm/operations.ts). */
  operationHooks(): OperationFaults {
    return {
      atStart: (op) => this.atStart(op),
      atFinish: (op) => this.atFinish(op),
    };
  }

  /** Marks an operation started by a matching request with the rule's outcome (stored with the operation). */
  private atStart(op: OperationRecord): void {
    const scope = this.scope.getStore();
    // Timers set up during a request carry its scope; only the request's own operations count.
    if (!scope || scope.res.headersSent || scope.res.writableEnded) return;
    const now = this.deps.clock.nowMs();
    for (const rule of this.rules.all()) {
      if (rule.kind !== 'operation' || ruleState(rule, now) !== 'Active' || !matches(rule.match, scope.facts)) continue;
      rule.matched += 1;
      if (!this.roll(rule)) {
        this.save(rule);
        continue;
      }
      this.fired(rule);
      const effect = rule.effect as OperationEffect;
      op.fault = { ruleId: rule.id };
      if (effect.operationDelay !== undefined) op.fault.holdUntil = new Date(now + durationMs(effect.operationDelay)).toISOString();
      if (effect.operationStatus) {
        op.fault.status = effect.operationStatus;
        op.fault.failureStatus = effect.status ?? 400;
        op.fault.error = effect.error ?? {
          code: effect.operationStatus === 'Failed' ? 'OperationFailed' : 'OperationCanceled',
          message: `Fault rule '${rule.id}' made this operation end ${effect.operationStatus}.`,
        };
      }
      scope.res.setHeader(FAULT_HEADER, rule.id);
      const parts = [op.fault.holdUntil ? `held InProgress until ${op.fault.holdUntil}` : '', op.fault.status ? `will end ${op.fault.status} (${op.fault.error!.code})` : ''].filter(Boolean);
      this.logFault(rule, `operation ${op.name} ${parts.join(', then ')}`, scope.facts);
      return;
    }
  }

  /** At completion: hold it while the clock is short of holdUntil; else fail or cancel it as the rule said. */
  private atFinish(op: OperationRecord): Finisher | 'hold' | undefined {
    const fault = op.fault;
    if (!fault) return undefined;
    if (fault.holdUntil && this.deps.clock.nowMs() < Date.parse(fault.holdUntil)) {
      this.held.add(op.name);
      return 'hold';
    }
    this.held.delete(op.name);
    if (!fault.status) return undefined;
    const status = fault.status;
    return async (record) => {
      await this.markResource(record, status);
      this.deps.log.request(`fault ${fault.ruleId}: operation ${record.name} ended ${status}`);
      throw new InjectedOperationError(fault.failureStatus ?? 400, status, fault.error ?? { code: 'OperationFailed', message: 'The operation failed.' });
    };
  }

  /**
   * What ARM shows after a failed operation, and nothing more: a PUT or PATCH leaves the resource
   * in provisioningState Failed (or Canceled); a deploy action leaves the cluster's detailedStatus
   * Failed (its deploying state would otherwise never end). A failed DELETE or other action leaves
   * the resource as it was.
   */
  private async markResource(op: OperationRecord, status: 'Failed' | 'Canceled'): Promise<void> {
    const stored = this.deps.store.get<StoredResource>(RESOURCES, idKey(op.resourceId));
    if (!stored) return;
    const hub = structuredClone(stored.resource);
    const props = (hub.properties ?? (hub.properties = {})) as JsonObject;
    if (op.verb === 'put' || op.verb === 'patch') {
      props.provisioningState = status;
    } else if (op.verb === 'deploy' && props.detailedStatus === 'Deploying') {
      props.detailedStatus = 'Failed';
      props.detailedStatusMessage = `The deployment ended ${status} (fault rule ${op.fault?.ruleId}).`;
    } else {
      return;
    }
    hub.etag = newEtag();
    await this.deps.store.put(RESOURCES, idKey(stored.id), { ...stored, resource: hub });
  }

  /** Completes held operations whose time on the emulator's clock has come. */
  private async releaseHeld(): Promise<void> {
    const now = this.deps.clock.nowMs();
    for (const name of [...this.held]) {
      const op = this.deps.operation(name);
      if (!op || op.status !== 'InProgress') {
        this.held.delete(name);
        continue;
      }
      if (op.fault?.holdUntil && now < Date.parse(op.fault.holdUntil)) continue;
      this.held.delete(name);
      await this.deps.completeOperation(name).catch((e) => this.deps.log.error(`operation ${name} could not be completed: ${(e as Error).message}`));
    }
  }

  /** Abandons delayed requests (their connections are closed with the server). */
  close(): void {
    this.closed = true;
    // Stops the per-request scope's bookkeeping (async hooks) once this emulator is gone.
    this.scope.disable();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
