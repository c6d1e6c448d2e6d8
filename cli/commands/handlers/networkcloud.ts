/**
 * The one handler behind every generated `azemu networkcloud ...` command. The command's
 * NetworkCloudRun (from the extension's model) says what to send: method, URL template, which
 * argument fills which placeholder, query parameter, header or body path; long-running or not
 * and its final-state-via; what to print (flattened result, identity, nothing) with which table
 * columns and which floats. Operations: show, list, create (PUT), update (PATCH), delete,
 * actions (POST), wait, and identity show/assign/remove (GET then full PUT, as az does).
 */
import { Progress } from '../../client.js';
import type { CommandContext, Handler, Outcome } from '../../context.js';
import { CliError, UsageError } from '../../errors.js';
import { intFormatProblem, stringFormatProblem } from '../../shorthand.js';
import { generatedPublicKey, keysFromPaths } from '../../ssh-keys.js';
import { flattenProperties } from '../../transform.js';
import { allArgs } from '../table.js';
import type { NetworkCloudOp, NetworkCloudRun } from '../types.js';
import { waitFor } from './wait.js';

type Params = Record<string, string>;

export const run: Handler = async (ctx) => {
  const spec = ctx.command.run as NetworkCloudRun;
  const outcome = await OPS[spec.op](ctx, spec);
  return { ...outcome, tableTransformer: spec.table ? tableOf(spec.table) : undefined, floatKeys: spec.floats };
};

const OPS: Record<NetworkCloudOp, (ctx: CommandContext, spec: NetworkCloudRun) => Promise<Outcome>> = {
  show: (ctx, spec) => perTarget(ctx, spec, async (p) => output(spec, await ctx.client().json('GET', url(ctx, spec.url, p)))),
  list,
  create: (ctx, spec) => perTarget(ctx, spec, (p) => send(ctx, spec, p, bodyFromArgs(ctx, spec))),
  update: (ctx, spec) => perTarget(ctx, spec, (p) => send(ctx, spec, p, bodyFromArgs(ctx, spec))),
  delete: (ctx, spec) => perTarget(ctx, spec, async (p) => (await send(ctx, spec, p, undefined), null)),
  action: (ctx, spec) => perTarget(ctx, spec, (p) => send(ctx, spec, p, ctx.command.args.some((a) => a.body) ? bodyFromArgs(ctx, spec) : undefined)),
  wait: (ctx, spec) => perTarget(ctx, spec, (p) => waitFor(ctx, () => ctx.client().send('GET', url(ctx, spec.resourceUrl, p)))),
  'identity-show': (ctx, spec) => perTarget(ctx, spec, async (p) => ((await ctx.client().json<Resource>('GET', url(ctx, spec.resourceUrl, p))).identity ?? null)),
  'identity-assign': (ctx, spec) => perTarget(ctx, spec, (p) => changeIdentity(ctx, spec, p, 'assign')),
  'identity-remove': (ctx, spec) => perTarget(ctx, spec, (p) => changeIdentity(ctx, spec, p, 'remove')),
};

// ---- targets: the URL parameters of each resource (-n/-g, or each --ids entry) --------------

async function perTarget(ctx: CommandContext, spec: NetworkCloudRun, fn: (params: Params) => Promise<unknown>): Promise<Outcome> {
  const targets = resolveTargets(ctx, spec);
  const results: unknown[] = [];
  for (const target of targets) results.push(await fn(target));
  if (targets.length === 1) return { result: results[0] };
  const printed = results.filter((r) => r !== null && r !== undefined);
  return { result: printed.length ? printed : null };
}

const pathArgs = (ctx: CommandContext) => ctx.command.args.filter((a) => a.pathParam);

function resolveTargets(ctx: CommandContext, spec: NetworkCloudRun): Params[] {
  const ids = ctx.values.ids as string[] | undefined;
  if (!ids) {
    const params: Params = { ...spec.fixed };
    for (const arg of pathArgs(ctx)) if (ctx.values[arg.dest] !== undefined) params[arg.pathParam!] = String(ctx.values[arg.dest]);
    // format checks come first, as in az: a bad name is refused without a login or a request
    checkFormats(ctx, params);
    return [{ ...params, subscriptionId: ctx.subscriptionId() }];
  }
  const targets = ids.map((id) => parseResourceId(id, spec.resourceUrl));
  for (const target of targets) checkFormats(ctx, target);
  return targets;
}

/** A resource ID matched against the command's URL template, case-insensitively, like ARM. */
export function parseResourceId(id: string, template: string): Params {
  const want = template.split('/').filter(Boolean);
  const have = id.trim().split('/').filter(Boolean);
  const params: Params = {};
  const ok =
    want.length === have.length &&
    want.every((seg, i) => {
      const m = /^\{(\w+)\}$/.exec(seg);
      if (m) {
        params[m[1]] = decodeURIComponent(have[i]);
        return true;
      }
      return seg.toLowerCase() === have[i].toLowerCase();
    });
  if (!ok) throw new UsageError(`argument --ids: invalid resource ID: '${id}' (expected ${template.replace(/\{(\w+)\}/g, (_, p: string) => p.toUpperCase())})`);
  return params;
}

/** aaz's format checks on the arguments (and on names taken from --ids), before anything is sent. */
function checkFormats(ctx: CommandContext, target: Params): void {
  for (const arg of ctx.command.args) {
    if (!arg.fmt) continue;
    const raw = arg.pathParam ? target[arg.pathParam] : ctx.values[arg.dest];
    if (raw === undefined || raw === null) continue;
    let problem: string | undefined;
    if (arg.valueType === 'int') problem = intFormatProblem(Number(raw), arg.fmt.minimum, arg.fmt.maximum);
    else if (typeof raw === 'string') problem = stringFormatProblem(raw, arg.fmt);
    else if (Array.isArray(raw) && arg.fmt.minLength !== undefined && raw.length < arg.fmt.minLength) problem = `Invalid format: list length is less than ${arg.fmt.minLength}`;
    if (problem) throw new CliError(`InvalidArgumentValue: ${arg.options[0]}: ${problem}`);
  }
}

const enc = encodeURIComponent;

function url(ctx: CommandContext, template: string, params: Params, query = ''): string {
  const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new UsageError(`the value for {${name}} is missing`);
    return enc(value);
  });
  return `${path}?api-version=${enc(String(ctx.values.apiVersion))}${query}`;
}

// ---- list -----------------------------------------------------------------------------------

async function list(ctx: CommandContext, spec: NetworkCloudRun): Promise<Outcome> {
  const params: Params = {};
  for (const arg of pathArgs(ctx)) if (ctx.values[arg.dest] !== undefined) params[arg.pathParam!] = String(ctx.values[arg.dest]);
  checkFormats(ctx, params);
  params.subscriptionId = ctx.subscriptionId();
  const template = (spec.listUrls ?? [spec.url]).find((t) => [...t.matchAll(/\{(\w+)\}/g)].every((m) => params[m[1]] !== undefined));
  if (!template) throw new UsageError('the arguments do not name a collection to list');
  let query = '';
  for (const arg of ctx.command.args) {
    const value = ctx.values[arg.dest];
    if (arg.query && value !== undefined) query += `&${arg.query}=${enc(String(value))}`;
  }
  const maxItems = ctx.values.maxItems as number | undefined;
  const start = ctx.values.nextToken ? decodeNextToken(String(ctx.values.nextToken)) : undefined;
  const page = await ctx.client().listAll(url(ctx, template, params, query), { maxItems, startLink: start?.next_link, offset: start?.offset });
  if (page.next) {
    // aaz's pagination token: base64 of {"next_link", "offset"}, announced as a warning
    ctx.log.warn(`Token of next page: ${Buffer.from(JSON.stringify({ next_link: page.next.link, offset: page.next.offset })).toString('base64')}`);
  }
  return { result: page.items.map(flattenProperties) };
}

function decodeNextToken(token: string): { next_link: string; offset: number } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { next_link: string; offset: number };
    if (typeof parsed.next_link === 'string') return parsed;
  } catch {
    /* fall through */
  }
  throw new UsageError(`argument --next-token: invalid token: '${token}'`);
}

// ---- request bodies ---------------------------------------------------------------------------

type Resource = Record<string, unknown> & { identity?: Identity; properties?: Record<string, unknown> };
interface Identity {
  type?: string;
  principalId?: string;
  tenantId?: string;
  userAssignedIdentities?: Record<string, unknown>;
}

/** The request body from every argument that names a body path, defaults included (what az sends). */
function bodyFromArgs(ctx: CommandContext, spec: NetworkCloudRun): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const arg of allArgs(ctx.command)) {
    const value = ctx.values[arg.dest];
    if (!arg.body || value === undefined) continue;
    const sent = arg.bodyItemKey && Array.isArray(value) ? value.map((v) => ({ [arg.bodyItemKey!]: v })) : value;
    setPath(body, arg.body, sent);
  }
  addSshKeys(ctx, body);
  const identity = identityFromFlags(ctx, spec);
  if (identity) body.identity = identity;
  return body;
}

/** --generate-ssh-keys and --ssh-dest-key-path add their keys before those of --ssh-key-values (see ssh-keys.ts). */
function addSshKeys(ctx: CommandContext, body: Record<string, unknown>): void {
  const target = ctx.command.args.find((a) => a.dest === 'sshKeyValues');
  const paths = ctx.values.sshDestKeyPath as string[] | undefined;
  const generating = ctx.values.generateSshKeys === true;
  if (!target?.body || (!generating && !paths?.length)) return;
  const keys = [
    ...(generating ? [generatedPublicKey((line) => ctx.log.warn(line))] : []),
    ...keysFromPaths(paths ?? []),
    ...((ctx.values.sshKeyValues as string[] | undefined) ?? []),
  ];
  setPath(body, target.body, keys.map((k) => ({ [target.bodyItemKey ?? 'keyData']: k })));
}

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let obj = target;
  for (const part of parts.slice(0, -1)) {
    if (typeof obj[part] !== 'object' || obj[part] === null) obj[part] = {};
    obj = obj[part] as Record<string, unknown>;
  }
  obj[parts[parts.length - 1]] = value;
}

/**
 * The extension's managed identity arguments (common_managedidentity.py): --mi-system-assigned
 * and --mi-user-assigned set the identity to exactly that; `create` with neither sends
 * identity {type: None}; `update` with neither leaves the identity alone.
 */
function identityFromFlags(ctx: CommandContext, spec: NetworkCloudRun): Identity | undefined {
  const systemArg = ctx.command.args.find((a) => a.identity === 'system');
  const userArg = ctx.command.args.find((a) => a.identity === 'user');
  if (!systemArg && !userArg) return undefined;
  const system = systemArg ? ctx.values[systemArg.dest] === true : false;
  const user = (userArg ? (ctx.values[userArg.dest] as string[] | undefined) : undefined) ?? [];
  if (!system && !user.length) return spec.managedIdentity === 'create' ? { type: 'None' } : undefined;
  return identityOf(system, user);
}

function identityOf(system: boolean, userIds: string[]): Identity {
  const type = system && userIds.length ? 'SystemAssigned,UserAssigned' : system ? 'SystemAssigned' : userIds.length ? 'UserAssigned' : 'None';
  return userIds.length ? { type, userAssignedIdentities: Object.fromEntries(userIds.map((id) => [id, {}])) } : { type };
}

function headers(ctx: CommandContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const arg of ctx.command.args) if (arg.header && ctx.values[arg.dest] !== undefined) out[arg.header] = String(ctx.values[arg.dest]);
  return out;
}

// ---- sending ------------------------------------------------------------------------------------

/** Send the command's request and, for a long-running one without --no-wait, follow it to the end. */
async function send(ctx: CommandContext, spec: NetworkCloudRun, params: Params, body: unknown, method: string = spec.method): Promise<unknown> {
  const client = ctx.client();
  const target = url(ctx, spec.url, params);
  const first = await client.arm(method, target, { body, headers: headers(ctx) });
  if (ctx.values.noWait) return null;
  if (!spec.lro) return output(spec, parseBody(first.body));
  const kind = method.toLowerCase() as 'put' | 'patch' | 'delete' | 'post';
  // the operation's final-state-via from the model picks the final GET, as azure-core's poller does
  const final = await client.completeLro(first, kind, url(ctx, spec.resourceUrl, params), new Progress(), spec.finalStateVia);
  return output(spec, final);
}

const parseBody = (text: string): unknown => {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
};

function output(spec: NetworkCloudRun, value: unknown): unknown {
  if (spec.output === 'none') return null;
  if (spec.output === 'identity') return value && typeof value === 'object' ? ((value as Resource).identity ?? null) : null;
  return flattenProperties(value);
}

// ---- identity assign/remove: GET, change identity, full PUT -----------------------------------------

async function changeIdentity(ctx: CommandContext, spec: NetworkCloudRun, params: Params, mode: 'assign' | 'remove'): Promise<unknown> {
  const systemArg = ctx.command.args.find((a) => a.identity === 'system');
  const userArg = ctx.command.args.find((a) => a.identity === 'user');
  const system = systemArg ? ctx.values[systemArg.dest] === true : false;
  const userGiven = userArg ? (ctx.values[userArg.dest] as string[] | undefined) : undefined;
  if (!system && userGiven === undefined) {
    throw new UsageError('usage error: give --mi-system-assigned and/or --mi-user-assigned');
  }
  const resourceUrl = url(ctx, spec.resourceUrl, params);
  const resource = await ctx.client().json<Resource>('GET', resourceUrl);
  const current = resource.identity ?? {};
  const currentTypes = (current.type ?? 'None').split(',').map((t) => t.trim().toLowerCase());
  let hasSystem = currentTypes.includes('systemassigned');
  let userIds = Object.keys(current.userAssignedIdentities ?? {});
  const sameId = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  if (mode === 'assign') {
    if (system) hasSystem = true;
    for (const id of userGiven ?? []) if (!userIds.some((u) => sameId(u, id))) userIds.push(id);
  } else {
    if (system) hasSystem = false;
    if (userGiven !== undefined) userIds = userGiven.length === 0 ? [] : userIds.filter((u) => !userGiven.some((id) => sameId(u, id)));
  }
  const body = putBodyOf(resource);
  body.identity = identityOf(hasSystem, userIds);
  return send(ctx, spec, params, body, 'PUT');
}

/** The resource as a PUT body: without the read-only ARM envelope. */
function putBodyOf(resource: Resource): Resource {
  const { id: _id, name: _name, type: _type, systemData: _systemData, etag: _etag, ...rest } = resource;
  void [_id, _name, _type, _systemData, _etag];
  return rest as Resource;
}

// ---- -o table: the extension's transformers ----------------------------------------------------------

/**
 * Rows of exactly the transformer's columns, in its order (Name <- name, ResourceGroup <-
 * resourceGroup, ...); a column over a list (racksku's StorageAppliances, ComputeMachines)
 * shows how many entries it has.
 */
export function tableOf(columns: string[]): (result: unknown) => unknown {
  const key = (column: string) => column.charAt(0).toLowerCase() + column.slice(1);
  const row = (item: unknown) => {
    const obj = (item ?? {}) as Record<string, unknown>;
    return Object.fromEntries(
      columns.map((c) => {
        const v = obj[key(c)];
        return [c, Array.isArray(v) ? v.length : (v ?? null)];
      }),
    );
  };
  return (result) => (Array.isArray(result) ? result.map(row) : row(result));
}

