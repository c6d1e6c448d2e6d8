/**
 * The generic networkcloud operations behind every `azemu networkcloud <type> <verb>`:
 * show, list, update (PATCH), create (PUT), delete, POST actions, wait, and the identity
 * commands (GET then full PUT, as az does). Output is flattened like aaz's client_flatten.
 */
import { intArg } from '../../argv.js';
import { Progress } from '../../client.js';
import type { CommandContext, Handler, Outcome } from '../../context.js';
import { UsageError } from '../../errors.js';
import { flattenProperties } from '../../transform.js';
import { allArgs } from '../table.js';
import type { NetworkCloudOp, Run } from '../types.js';
import { waitFor } from './wait.js';

type NcRun = Extract<Run, { handler: 'networkcloud' }>;

interface Target {
  subscription: string;
  resourceGroup: string;
  name: string;
}

const PROVIDER = 'Microsoft.NetworkCloud';

export const run: Handler = async (ctx) => {
  const spec = ctx.command.run as NcRun;
  return OPS[spec.op](ctx, spec);
};

const OPS: Record<NetworkCloudOp, (ctx: CommandContext, spec: NcRun) => Promise<Outcome | void>> = {
  show: (ctx, spec) => perTarget(ctx, spec, async (path) => flattenProperties(await ctx.client().json('GET', withApi(ctx, path)))),
  list,
  update: (ctx, spec) => perTarget(ctx, spec, (path) => update(ctx, path)),
  create: (ctx, spec) => perTarget(ctx, spec, (path) => create(ctx, path)),
  delete: (ctx, spec) => perTarget(ctx, spec, (path) => remove(ctx, path)),
  action: (ctx, spec) => perTarget(ctx, spec, (path) => action(ctx, spec, path)),
  wait: (ctx, spec) => perTarget(ctx, spec, (path) => waitFor(ctx, () => ctx.client().send('GET', withApi(ctx, path)))),
  'identity-show': (ctx, spec) => perTarget(ctx, spec, async (path) => ((await ctx.client().json('GET', withApi(ctx, path))) as Resource).identity ?? null),
  'identity-assign': (ctx, spec) => perTarget(ctx, spec, (path) => changeIdentity(ctx, path, 'assign')),
  'identity-remove': (ctx, spec) => perTarget(ctx, spec, (path) => changeIdentity(ctx, path, 'remove')),
};

// ---- targets --------------------------------------------------------------------------------

/** Run once per resource: the -n/-g pair, or each --ids entry (az prints a list for several ids). */
async function perTarget(ctx: CommandContext, spec: NcRun, fn: (path: string) => Promise<unknown>): Promise<Outcome> {
  const targets = resolveTargets(ctx, spec);
  const results: unknown[] = [];
  for (const target of targets) results.push(await fn(resourcePath(target, spec.resource)));
  if (targets.length === 1) return { result: results[0] };
  const printed = results.filter((r) => r !== null && r !== undefined);
  // several ids under --no-wait: nothing to print, like a single one
  return { result: printed.length ? printed : null };
}

function resolveTargets(ctx: CommandContext, spec: NcRun): Target[] {
  const ids = ctx.values.ids as string[] | undefined;
  if (!ids) {
    return [{ subscription: ctx.subscriptionId(), resourceGroup: ctx.values.resourceGroup as string, name: ctx.values.name as string }];
  }
  return ids.map((id) => parseResourceId(id, spec.resource));
}

const ID_PATTERN = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/([^/]+)\/([^/]+)\/?$/i;

export function parseResourceId(id: string, armType: string): Target {
  const m = ID_PATTERN.exec(id.trim());
  if (!m || m[3].toLowerCase() !== PROVIDER.toLowerCase() || m[4].toLowerCase() !== armType.toLowerCase()) {
    throw new UsageError(`argument --ids: invalid resource ID: '${id}' (expected /subscriptions/SUB/resourceGroups/RG/providers/${PROVIDER}/${armType}/NAME)`);
  }
  return { subscription: m[1], resourceGroup: m[2], name: m[5] };
}

const resourcePath = (t: Target, armType: string) =>
  `/subscriptions/${enc(t.subscription)}/resourceGroups/${enc(t.resourceGroup)}/providers/${PROVIDER}/${armType}/${enc(t.name)}`;

const enc = encodeURIComponent;
const withApi = (ctx: CommandContext, path: string, extra = '') => `${path}?api-version=${enc(String(ctx.values.apiVersion))}${extra}`;

// ---- list -----------------------------------------------------------------------------------

async function list(ctx: CommandContext, spec: NcRun): Promise<Outcome> {
  const rg = ctx.values.resourceGroup as string | undefined;
  const scope = `/subscriptions/${enc(ctx.subscriptionId())}${rg ? `/resourceGroups/${enc(rg)}` : ''}`;
  const top = intArg(ctx.values, 'top', '--top');
  const maxItems = intArg(ctx.values, 'maxItems', '--max-items');
  const skipToken = ctx.values.skipToken as string | undefined;
  const query = (top !== undefined ? `&$top=${top}` : '') + (skipToken ? `&$skipToken=${enc(skipToken)}` : '');
  const start = ctx.values.nextToken ? decodeNextToken(String(ctx.values.nextToken)) : undefined;
  const page = await ctx.client().listAll(withApi(ctx, `${scope}/providers/${PROVIDER}/${spec.resource}`, query), {
    maxItems,
    startLink: start?.next_link,
    offset: start?.offset,
  });
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

/** The request body from every argument that names a body path (`properties.machineDetails`, `tags`, ...). */
function bodyFromArgs(ctx: CommandContext): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const arg of allArgs(ctx.command)) {
    const value = ctx.values[arg.dest];
    if (!arg.body || value === undefined) continue;
    setPath(body, arg.body, value);
  }
  const identity = identityFromFlags(ctx);
  if (identity) body.identity = identity;
  return body;
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

/** --mi-system-assigned / --mi-user-assigned on create/update set the identity to exactly that. */
function identityFromFlags(ctx: CommandContext): Identity | undefined {
  const system = ctx.values.miSystemAssigned === true;
  const user = ctx.values.miUserAssigned as string[] | undefined;
  if (!system && !user?.length) return undefined;
  return identityOf(system, user ?? []);
}

function identityOf(system: boolean, userIds: string[]): Identity {
  const type = system && userIds.length ? 'SystemAssigned,UserAssigned' : system ? 'SystemAssigned' : userIds.length ? 'UserAssigned' : 'None';
  return userIds.length ? { type, userAssignedIdentities: Object.fromEntries(userIds.map((id) => [id, {}])) } : { type };
}

function conditionalHeaders(ctx: CommandContext): Record<string, string> {
  const headers: Record<string, string> = {};
  if (ctx.values.ifMatch !== undefined) headers['If-Match'] = String(ctx.values.ifMatch);
  if (ctx.values.ifNoneMatch !== undefined) headers['If-None-Match'] = String(ctx.values.ifNoneMatch);
  return headers;
}

// ---- mutations ------------------------------------------------------------------------------

/** Send a mutation and, unless --no-wait, follow its long-running operation. */
async function mutate(ctx: CommandContext, method: 'PUT' | 'PATCH' | 'DELETE' | 'POST', url: string, resourceUrl: string, body?: unknown): Promise<unknown> {
  const client = ctx.client();
  const first = await client.arm(method, url, { body, headers: conditionalHeaders(ctx) });
  if (ctx.values.noWait) return null;
  const kind = method.toLowerCase() as 'put' | 'patch' | 'delete' | 'post';
  return client.completeLro(first, kind, resourceUrl, new Progress());
}

async function update(ctx: CommandContext, path: string): Promise<unknown> {
  const url = withApi(ctx, path);
  return flattenProperties(await mutate(ctx, 'PATCH', url, url, bodyFromArgs(ctx)));
}

async function create(ctx: CommandContext, path: string): Promise<unknown> {
  const url = withApi(ctx, path);
  return flattenProperties(await mutate(ctx, 'PUT', url, url, bodyFromArgs(ctx)));
}

async function remove(ctx: CommandContext, path: string): Promise<unknown> {
  const url = withApi(ctx, path);
  return flattenProperties(await mutate(ctx, 'DELETE', url, url));
}

async function action(ctx: CommandContext, spec: NcRun, path: string): Promise<unknown> {
  const bodyArgs = ctx.command.args.filter((a) => a.body && !a.idPart);
  const body = bodyArgs.length ? bodyFromArgs(ctx) : undefined;
  return flattenProperties(await mutate(ctx, 'POST', withApi(ctx, `${path}/${spec.action}`), withApi(ctx, path), body));
}

// ---- identity assign/remove: GET, change identity, full PUT -----------------------------------------

async function changeIdentity(ctx: CommandContext, path: string, mode: 'assign' | 'remove'): Promise<unknown> {
  const system = ctx.values.miSystemAssigned === true;
  const userGiven = ctx.values.miUserAssigned as string[] | undefined;
  if (!system && userGiven === undefined) {
    throw new UsageError('usage error: give --mi-system-assigned and/or --mi-user-assigned');
  }
  const url = withApi(ctx, path);
  const resource = await ctx.client().json<Resource>('GET', url);
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
  const final = (await mutate(ctx, 'PUT', url, url, body)) as Resource | null;
  return final ? (final.identity ?? null) : null;
}

/** The resource as a PUT body: without the read-only ARM envelope. */
function putBodyOf(resource: Resource): Resource {
  const { id: _id, name: _name, type: _type, systemData: _systemData, etag: _etag, ...rest } = resource;
  void [_id, _name, _type, _systemData, _etag];
  return rest as Resource;
}
