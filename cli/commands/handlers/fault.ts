/** `azemu emulator fault ...`: POST/GET/DELETE {endpoint}_emulator/faults (see cli/commands/faults.ts). */
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import type { CommandContext, Handler, Outcome } from '../../context.js';
import { UsageError } from '../../errors.js';
import type { Run } from '../types.js';

type FaultRun = Extract<Run, { handler: 'fault' }>;
type Json = Record<string, unknown>;

const enc = encodeURIComponent;

export const run: Handler = async (ctx) => OPS[(ctx.command.run as FaultRun).op](ctx);

function table(result: unknown): unknown {
  return (result as Json[]).map((r) => ({ Id: r.id, Kind: r.kind, State: r.state, Matched: r.matched, Fired: r.fired, Count: r.count ?? '', Expires: r.expires ?? '' }));
}

function int(ctx: CommandContext, dest: string, flag: string): number | undefined {
  const v = ctx.values[dest];
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(String(v))) throw new UsageError(`argument ${flag}: invalid int value: '${String(v)}'`);
  return Number(v);
}

/** The rule the flags describe, in the route's JSON shape. */
function ruleFromFlags(ctx: CommandContext): Json {
  const v = ctx.values;
  const str = (dest: string) => (v[dest] === undefined ? undefined : String(v[dest]));
  const match: Json = {};
  for (const [dest, key] of [['method', 'method'], ['resourceType', 'resourceType'], ['name', 'name'], ['resourceId', 'id'], ['action', 'action'], ['apiVersion', 'apiVersion'], ['caller', 'caller']]) {
    if (str(dest) !== undefined) match[key] = str(dest);
  }
  const effect: Json = {};
  const status = int(ctx, 'status', '--status');
  if (str('operationStatus') !== undefined || str('operationDelay') !== undefined) {
    if (str('operationStatus') !== undefined) effect.operationStatus = str('operationStatus');
    if (str('operationDelay') !== undefined) effect.operationDelay = str('operationDelay');
    if (str('errorCode') !== undefined || str('errorMessage') !== undefined) {
      effect.error = { code: str('errorCode') ?? `Operation${str('operationStatus') ?? 'Failed'}`, message: str('errorMessage') ?? 'The operation did not succeed.' };
    }
    if (status !== undefined) effect.status = status;
  } else if (str('throttleReads') !== undefined || str('throttleWrites') !== undefined) {
    const throttle: Json = {};
    if (str('throttleReads') !== undefined) throttle.reads = int(ctx, 'throttleReads', '--throttle-reads');
    if (str('throttleWrites') !== undefined) throttle.writes = int(ctx, 'throttleWrites', '--throttle-writes');
    if (str('throttleWindow') !== undefined) throttle.window = str('throttleWindow');
    effect.throttle = throttle;
  } else {
    if (status !== undefined) effect.status = status;
    if (str('code') !== undefined) effect.code = str('code');
    if (str('message') !== undefined) effect.message = str('message');
    if (str('retryAfter') !== undefined) effect.retryAfter = int(ctx, 'retryAfter', '--retry-after');
    if (v.drop === true) effect.drop = true;
    if (str('delayMs') !== undefined) effect.delayMs = int(ctx, 'delayMs', '--delay-ms');
  }
  if (!Object.keys(effect).length) {
    throw new UsageError('usage error: give an effect: --status, --delay-ms, --drop, --operation-status, --operation-delay, or --throttle-reads/--throttle-writes');
  }
  const rule: Json = { effect };
  if (Object.keys(match).length) rule.match = match;
  if (str('ruleId') !== undefined) rule.id = str('ruleId');
  if (str('description') !== undefined) rule.description = str('description');
  const count = int(ctx, 'count', '--count');
  if (count !== undefined) rule.count = count;
  if (str('probability') !== undefined) {
    const p = Number(str('probability'));
    if (!Number.isFinite(p)) throw new UsageError(`argument --probability: invalid float value: '${str('probability')}'`);
    rule.probability = p;
  }
  const seed = int(ctx, 'seed', '--seed');
  if (seed !== undefined) rule.seed = seed;
  if (str('expires') !== undefined) rule.expires = str('expires');
  return rule;
}

function rulesFromFile(file: string): unknown[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`argument --file: cannot read '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = /\.json$/i.test(file) ? JSON.parse(text) : yaml.load(text, { schema: yaml.JSON_SCHEMA });
  } catch (e) {
    throw new UsageError(`argument --file: '${file}' is not valid JSON or YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (Array.isArray(doc)) return doc;
  if (doc && typeof doc === 'object' && Array.isArray((doc as Json).faults)) return (doc as Json).faults as unknown[];
  if (doc && typeof doc === 'object') return [doc];
  throw new UsageError(`argument --file: '${file}' must hold a rule, a list of rules, or {"faults": [...]}`);
}

const OPS: Record<FaultRun['op'], (ctx: CommandContext) => Promise<Outcome>> = {
  add: async (ctx) => {
    const client = ctx.client();
    if (ctx.values.file !== undefined) {
      const others = Object.entries(ctx.values).filter(([k, v]) => k !== 'file' && v !== undefined && v !== false && addDests.has(k));
      if (others.length) throw new UsageError('usage error: --file cannot be combined with rule flags');
      const created: unknown[] = [];
      for (const rule of rulesFromFile(String(ctx.values.file))) created.push(await client.json('POST', '/_emulator/faults', { body: rule }));
      return { result: created, addResourceGroup: false, tableTransformer: table };
    }
    return { result: await client.json('POST', '/_emulator/faults', { body: ruleFromFlags(ctx) }), addResourceGroup: false };
  },
  list: async (ctx) => ({ result: (await ctx.client().json<{ value: unknown[] }>('GET', '/_emulator/faults')).value, addResourceGroup: false, tableTransformer: table }),
  show: async (ctx) => ({ result: await ctx.client().json('GET', `/_emulator/faults/${enc(String(ctx.values.id))}`), addResourceGroup: false }),
  remove: async (ctx) => {
    await ctx.client().json('DELETE', `/_emulator/faults/${enc(String(ctx.values.id))}`);
    return { result: null };
  },
  clear: async (ctx) => ({ result: await ctx.client().json('DELETE', '/_emulator/faults'), addResourceGroup: false }),
};

const addDests = new Set(['ruleId', 'description', 'method', 'resourceType', 'name', 'resourceId', 'action', 'apiVersion', 'caller', 'status', 'code', 'message', 'retryAfter', 'delayMs', 'drop', 'operationStatus', 'errorCode', 'errorMessage', 'operationDelay', 'throttleReads', 'throttleWrites', 'throttleWindow', 'count', 'probability', 'seed', 'expires']);
