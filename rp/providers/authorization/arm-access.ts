/**
 * RBAC on ARM calls: which action and scope a management request needs (a pure function of its
 * method and path), and the check against the caller's role assignments. Reader reads, Contributor
 * also writes and runs actions, Owner also manages role assignments; everyone else gets ARM's 403.
 */
import { ArmError } from '../../arm/errors.js';
import type { ParsedPath } from '../../arm/resource-id.js';
import type { EmulatorHost } from '../../host.js';
import type { CallerPrincipal } from '../../identity/auth.js';
import { decide, normaliseScope, ROLE_ASSIGNMENTS, ROLE_DEFINITIONS, roleDefinitionOf, scopeCovers, storedAssignments } from './rbac.js';

export type Access =
  /** Authenticated callers only: tenant-level metadata, the status of operations. */
  | { kind: 'open' }
  /** The handler shows only what the caller may read (subscription lists, lists across a subscription). */
  | { kind: 'filtered' }
  | { kind: 'check'; action: string; scope: string };

const VERB_ACTION: Record<string, string> = { GET: 'read', HEAD: 'read', PUT: 'write', PATCH: 'write', DELETE: 'delete' };

/** The action and scope a request needs, from its method and path alone. */
export function requiredAccess(method: string, path: ParsedPath): Access {
  const seg = path.segments.map((s) => s.toLowerCase());
  const verb = VERB_ACTION[method] ?? 'write';
  // Role assignments and definitions at any scope, the tenant root ('/') included.
  if (path.namespace?.toLowerCase() === 'microsoft.authorization' && path.types.length) {
    const type = path.types[0];
    // Anyone signed in may read role definitions, as in Azure.
    if (type.toLowerCase() === 'roledefinitions' && verb === 'read') return { kind: 'open' };
    return { kind: 'check', action: `Microsoft.Authorization/${type}/${verb}`, scope: normaliseScope(path.scope) };
  }
  if (seg[0] !== 'subscriptions') return { kind: 'open' };
  if (seg.length === 1) return { kind: 'filtered' };
  const sub = `/subscriptions/${path.subscriptionId}`;
  if (seg.length === 2) return { kind: 'check', action: 'Microsoft.Resources/subscriptions/read', scope: sub };

  if (seg[2] === 'resources' && seg.length === 3) return { kind: 'filtered' };
  if (seg[2] === 'resourcegroups' && path.namespace === undefined) {
    if (seg.length === 3) return { kind: 'filtered' };
    const group = `${sub}/resourceGroups/${path.resourceGroup}`;
    if (seg.length === 5 && seg[4] === 'resources') return { kind: 'check', action: 'Microsoft.Resources/subscriptions/resourceGroups/resources/read', scope: group };
    return { kind: 'check', action: `Microsoft.Resources/subscriptions/resourceGroups/${verb}`, scope: group };
  }
  if (seg[2] === 'providers' && path.resourceGroup === undefined) {
    if (seg[4] === 'locations') return { kind: 'open' };
    if (seg.length === 5 && (seg[4] === 'register' || seg[4] === 'unregister')) return { kind: 'check', action: `${path.segments[3]}/${seg[4]}/action`, scope: sub };
    if (seg.length === 5) return { kind: 'filtered' };
    return { kind: 'check', action: 'Microsoft.Resources/subscriptions/providers/read', scope: sub };
  }
  if (path.resourceGroup !== undefined && path.namespace !== undefined) {
    const rest = path.segments.slice(path.segments.findIndex((s) => s.toLowerCase() === 'providers') + 2);
    const group = `${sub}/resourceGroups/${path.resourceGroup}`;
    const type = `${path.namespace}/${rest[0]}`;
    if (rest.length === 1) return { kind: 'check', action: `${type}/read`, scope: group };
    // Nested types (clusters/{c}/bmcKeySets[/{k}]): the type path is every other segment.
    const typePath = (n: number) => `${path.namespace}/${rest.slice(0, n).filter((_s, i) => i % 2 === 0).join('/')}`;
    if (rest.length % 2 === 1) {
      const parent = `${group}/providers/${path.namespace}/${rest.slice(0, -1).join('/')}`;
      if (method === 'POST') return { kind: 'check', action: `${typePath(rest.length - 1)}/${rest[rest.length - 1]}/action`, scope: parent };
      return { kind: 'check', action: `${typePath(rest.length)}/read`, scope: parent };
    }
    return { kind: 'check', action: `${typePath(rest.length)}/${verb}`, scope: `${group}/providers/${path.namespace}/${rest.join('/')}` };
  }
  return { kind: 'open' };
}

/** Whether the caller may perform `action` at `scope`. With --loose-auth there is no RBAC. */
export function callerCan(emu: EmulatorHost, caller: CallerPrincipal, action: string, scope: string): boolean {
  if (emu.config.looseAuth) return true;
  // Decisions are remembered until a role assignment or definition changes.
  const epoch = `${emu.store.version(ROLE_ASSIGNMENTS)}.${emu.store.version(ROLE_DEFINITIONS)}`;
  if (decisionEpoch.get(emu) !== epoch) {
    decisionEpoch.set(emu, epoch);
    decisionCache.set(emu, new Map());
  }
  const cache = decisionCache.get(emu)!;
  const key = `${caller.objectId}|${action}|${scope}`.toLowerCase();
  let allowed = cache.get(key);
  if (allowed === undefined) {
    allowed = decideNow(emu, caller, action, scope);
    if (cache.size > 10_000) cache.clear();
    cache.set(key, allowed);
  }
  return allowed;
}

const decisionEpoch = new WeakMap<EmulatorHost, string>();
const decisionCache = new WeakMap<EmulatorHost, Map<string, boolean>>();

function decideNow(emu: EmulatorHost, caller: CallerPrincipal, action: string, scope: string): boolean {
  return decide({
    assignments: storedAssignments(emu.store),
    definitionOf: (id) => roleDefinitionOf(emu.store, id),
    principalId: caller.objectId,
    scope,
    action,
    dataAction: false,
  }).allowed;
}

/** Whether the caller holds any assignment at, above or below `scope` (what makes a subscription visible). */
export function callerSees(emu: EmulatorHost, caller: CallerPrincipal, scope: string): boolean {
  if (emu.config.looseAuth) return true;
  const principal = caller.objectId.toLowerCase();
  return storedAssignments(emu.store).some(
    (a) => a.principalId.toLowerCase() === principal && (scopeCovers(a.scope, scope) || scopeCovers(scope, a.scope)),
  );
}

export function authorizationFailed(caller: CallerPrincipal, action: string, scope: string): ArmError {
  const client = caller.appId || caller.objectId;
  return new ArmError(
    403,
    'AuthorizationFailed',
    `The client '${client}' with object id '${caller.objectId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
  );
}

export function enforce(emu: EmulatorHost, caller: CallerPrincipal, access: Access): void {
  if (access.kind !== 'check') return;
  if (!callerCan(emu, caller, access.action, access.scope)) throw authorizationFailed(caller, access.action, access.scope);
}
