/**
 * Fault rules: their shape, validation (ajv, then the checks a schema cannot say) and the
 * normalised form the engine keeps. A rule matches requests (match) and says what happens
 * (effect); count, probability with seed, and expires (on the emulator's clock) bound it.
 */
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { ArmError, type ErrorDetail } from '../arm/errors.js';
import { parseDuration } from '../clock.js';
import { randomSeed } from './prng.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export interface FaultMatch {
  method?: string;
  /** Namespace/type, e.g. Microsoft.NetworkCloud/bareMetalMachines (case-insensitive). */
  resourceType?: string;
  /** Glob over the resource name (case-insensitive). */
  name?: string;
  /** Glob over the whole request path, e.g. /subscriptions/x/resourceGroups/rg-* (case-insensitive). */
  id?: string;
  action?: string;
  apiVersion?: string;
  /** The caller's principal object id or application (client) id. */
  caller?: string;
}

export interface ErrorEffect {
  status: number;
  code?: string;
  message?: string;
  retryAfter?: number;
  target?: string;
  /** Wait this long before answering with the error. */
  delayMs?: number;
}

export interface ThrottleEffect {
  throttle: { reads?: number; writes?: number; window?: string; retryAfter?: number };
}

export interface OperationEffect {
  operationStatus?: 'Failed' | 'Canceled';
  error?: ErrorDetail;
  /** The HTTP status the operation's Location URL answers with once it has failed (default 400). */
  status?: number;
  /** How long (on the emulator's clock) the operation stays InProgress, e.g. "2h". */
  operationDelay?: string;
}

export type FaultEffect = ErrorEffect | { delayMs: number } | { drop: true; delayMs?: number } | OperationEffect | ThrottleEffect;

export type EffectKind = 'error' | 'delay' | 'drop' | 'operation' | 'throttle';

/** A rule as posted. */
export interface FaultRuleInput {
  id?: string;
  description?: string;
  match?: FaultMatch;
  effect: FaultEffect;
  count?: number;
  probability?: number;
  seed?: number;
  expires?: string;
}

/** Per caller and scope: when the current window started and how much of it is used. */
export interface ThrottleBucket {
  windowStart: number;
  reads: number;
  writes: number;
}

/** A rule as kept in the store: the input, normalised, plus what it has done so far. */
export interface FaultRule {
  id: string;
  description?: string;
  match: FaultMatch;
  effect: FaultEffect;
  kind: EffectKind;
  count?: number;
  probability?: number;
  seed?: number;
  expires?: string;
  createdAt: string;
  /** Creation order (rules are tried oldest first). */
  seq: number;
  /** Requests (or operations) the rule matched. */
  matched: number;
  /** Faults it injected. */
  fired: number;
  lastFiredAt?: string;
  /** The PRNG state after the draws so far (present when probability is). */
  rng?: number;
  buckets?: Record<string, ThrottleBucket>;
}

const ID = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';
const GLOB = { type: 'string', minLength: 1, maxLength: 256 } as const;
const CODE = { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9._]{0,99}$' } as const;
const MESSAGE = { type: 'string', maxLength: 2048 } as const;
const DELAY_MS = { type: 'integer', minimum: 0, maximum: 600_000 } as const;
const DURATION = { type: 'string', minLength: 1, maxLength: 32 } as const;

const errorDetail = {
  type: 'object',
  additionalProperties: false,
  required: ['code', 'message'],
  properties: {
    code: CODE,
    message: MESSAGE,
    target: { type: 'string', maxLength: 256 },
    details: { type: 'array', maxItems: 20, items: { type: 'object', additionalProperties: false, required: ['code', 'message'], properties: { code: CODE, message: MESSAGE, target: { type: 'string', maxLength: 256 } } } },
  },
} as const;

const RULE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['effect'],
  properties: {
    id: { type: 'string', pattern: ID },
    description: { type: 'string', maxLength: 512 },
    match: {
      type: 'object',
      additionalProperties: false,
      properties: {
        method: { type: 'string', enum: ['GET', 'PUT', 'PATCH', 'DELETE', 'POST', 'HEAD', 'get', 'put', 'patch', 'delete', 'post', 'head'] },
        resourceType: { type: 'string', minLength: 1, maxLength: 256 },
        name: GLOB,
        id: GLOB,
        action: { type: 'string', minLength: 1, maxLength: 128 },
        apiVersion: { type: 'string', minLength: 1, maxLength: 64 },
        caller: { type: 'string', minLength: 1, maxLength: 128 },
      },
    },
    effect: { type: 'object', minProperties: 1 },
    count: { type: 'integer', minimum: 1, maximum: 1_000_000_000 },
    probability: { type: 'number', minimum: 0, maximum: 1 },
    seed: { type: 'integer', minimum: 0, maximum: 4294967295 },
    expires: { type: 'string', format: 'date-time' },
  },
} as const;

/** One schema per kind of effect; the kind is told by which keys the effect has. */
const EFFECT_SCHEMAS: Record<EffectKind, object> = {
  error: {
    type: 'object',
    additionalProperties: false,
    required: ['status'],
    properties: { status: { type: 'integer', minimum: 400, maximum: 599 }, code: CODE, message: MESSAGE, target: { type: 'string', maxLength: 256 }, retryAfter: { type: 'integer', minimum: 0, maximum: 86_400 }, delayMs: DELAY_MS },
  },
  delay: { type: 'object', additionalProperties: false, required: ['delayMs'], properties: { delayMs: { ...DELAY_MS, minimum: 1 } } },
  drop: { type: 'object', additionalProperties: false, required: ['drop'], properties: { drop: { const: true }, delayMs: DELAY_MS } },
  operation: {
    type: 'object',
    additionalProperties: false,
    properties: {
      operationStatus: { type: 'string', enum: ['Failed', 'Canceled'] },
      error: errorDetail,
      status: { type: 'integer', minimum: 400, maximum: 599 },
      operationDelay: DURATION,
    },
  },
  throttle: {
    type: 'object',
    additionalProperties: false,
    required: ['throttle'],
    properties: {
      throttle: {
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        properties: { reads: { type: 'integer', minimum: 0, maximum: 1_000_000 }, writes: { type: 'integer', minimum: 0, maximum: 1_000_000 }, window: DURATION, retryAfter: { type: 'integer', minimum: 0, maximum: 86_400 } },
      },
    },
  },
};

const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv);
const validateRule = ajv.compile(RULE_SCHEMA);
const validateEffect = Object.fromEntries(Object.entries(EFFECT_SCHEMAS).map(([k, s]) => [k, ajv.compile(s)])) as Record<EffectKind, ReturnType<typeof ajv.compile>>;

/** The default ARM code for an injected status. */
const DEFAULT_CODES: Record<number, string> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 408: 'RequestTimeout', 409: 'Conflict', 412: 'PreconditionFailed',
  429: 'TooManyRequests', 500: 'InternalServerError', 502: 'BadGateway', 503: 'ServiceUnavailable', 504: 'GatewayTimeout',
};

export function defaultCode(status: number): string {
  return DEFAULT_CODES[status] ?? (status >= 500 ? 'InternalServerError' : 'BadRequest');
}

function invalid(message: string, target?: string, details?: ErrorDetail[]): ArmError {
  return new ArmError(400, 'InvalidFaultRule', message, target, details);
}

function ajvDetails(errs: ErrorObject[], prefix: string): ErrorDetail[] {
  return errs.map((e) => {
    const where = `${prefix}${e.instancePath.split('/').slice(1).join('.')}`.replace(/\.$/, '') || '(rule)';
    const extra = e.keyword === 'additionalProperties' ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'` : e.keyword === 'enum' ? `: ${((e.params as { allowedValues: unknown[] }).allowedValues).join(', ')}` : '';
    return { code: 'InvalidFaultRule', target: where, message: `${where} ${e.message ?? 'is invalid'}${extra}` };
  });
}

/** Which kind of effect this is, by its keys; null when it mixes kinds or has none. */
export function effectKind(effect: Record<string, unknown>): EffectKind | null {
  const has = (k: string) => effect[k] !== undefined;
  if (has('throttle')) return 'throttle';
  if (has('operationStatus') || has('operationDelay')) return 'operation';
  if (has('drop')) return 'drop';
  if (has('status')) return 'error';
  if (has('delayMs')) return 'delay';
  return null;
}

/** Parses "2h", "30m", "90s", "1d", "250ms" or an ISO 8601 duration into milliseconds. */
export function durationMs(text: string): number {
  const ms = /^\s*(\d+)\s*ms\s*$/i.exec(text);
  if (ms) return Number(ms[1]);
  return parseDuration(text);
}

/**
 * Validates a posted rule and returns it normalised (id, defaults, upper-cased method, a seed when
 * a probability is given without one). Bad rules are ARM 400s with code InvalidFaultRule.
 */
export function parseRule(input: unknown, now: () => string, newId: () => string): FaultRule {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw invalid('A fault rule is a JSON object with at least an "effect".');
  if (!validateRule(input)) throw invalid('The fault rule is not valid.', undefined, ajvDetails(validateRule.errors ?? [], ''));
  const body = input as FaultRuleInput;
  const effect = body.effect as unknown as Record<string, unknown>;
  const kind = effectKind(effect);
  if (!kind) throw invalid('The effect must be one of {status, code, message, retryAfter}, {delayMs}, {drop: true}, {operationStatus, error} or {operationDelay}, or {throttle: {reads, writes, window}}.', 'effect');
  const check = validateEffect[kind];
  if (!check(effect)) throw invalid(`The ${kind} effect is not valid.`, 'effect', ajvDetails(check.errors ?? [], 'effect.'));

  if (kind === 'operation') {
    const op = effect as OperationEffect;
    if (op.error && !op.operationStatus) throw invalid('effect.error goes with effect.operationStatus (Failed or Canceled).', 'effect.error');
    if (op.status !== undefined && !op.operationStatus) throw invalid('effect.status goes with effect.operationStatus (Failed or Canceled).', 'effect.status');
    if (op.operationDelay !== undefined) checkDuration(op.operationDelay, 'effect.operationDelay', 1);
  }
  if (kind === 'throttle') {
    const t = (effect as unknown as ThrottleEffect).throttle;
    if (t.reads === undefined && t.writes === undefined) throw invalid('A throttle needs reads, writes or both: how many requests of each kind a window allows.', 'effect.throttle');
    checkDuration(t.window ?? '1h', 'effect.throttle.window', 1000);
    if (body.probability !== undefined) throw invalid('A throttle counts every request it matches, so it takes no probability.', 'probability');
  }
  if (body.seed !== undefined && body.probability === undefined) throw invalid('seed goes with probability: it makes the random choice replayable.', 'seed');
  if (body.expires !== undefined && Number.isNaN(Date.parse(body.expires))) throw invalid(`expires '${body.expires}' is not an ISO 8601 date-time.`, 'expires');

  const match: FaultMatch = { ...(body.match ?? {}) };
  if (match.method) match.method = match.method.toUpperCase();
  const rule: FaultRule = {
    id: body.id ?? newId(),
    ...(body.description !== undefined ? { description: body.description } : {}),
    match,
    effect: body.effect,
    kind,
    ...(body.count !== undefined ? { count: body.count } : {}),
    createdAt: now(),
    seq: 0,
    matched: 0,
    fired: 0,
  };
  if (body.probability !== undefined) {
    rule.probability = body.probability;
    rule.seed = body.seed ?? randomSeed();
    rule.rng = rule.seed;
  }
  if (body.expires !== undefined) rule.expires = new Date(body.expires).toISOString();
  if (kind === 'throttle') rule.buckets = {};
  return rule;
}

function checkDuration(text: string, target: string, minimumMs: number): number {
  let ms: number;
  try {
    ms = durationMs(text);
  } catch (e) {
    throw invalid(`${target}: ${(e as Error).message}.`, target);
  }
  if (ms < minimumMs) throw invalid(`${target} must be at least ${minimumMs} ms.`, target);
  return ms;
}

/** How the API shows a rule: what was asked, and what it has done. */
export function ruleView(rule: FaultRule, nowMs: number): Record<string, unknown> {
  const { rng: _rng, buckets: _buckets, seq: _seq, kind, ...shown } = rule;
  void _rng;
  void _buckets;
  void _seq;
  return { ...shown, kind, state: ruleState(rule, nowMs) };
}

export type RuleState = 'Active' | 'Exhausted' | 'Expired';

export function ruleState(rule: FaultRule, nowMs: number): RuleState {
  if (rule.expires !== undefined && nowMs >= Date.parse(rule.expires)) return 'Expired';
  if (rule.count !== undefined && rule.fired >= rule.count) return 'Exhausted';
  return 'Active';
}
