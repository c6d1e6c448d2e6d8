/**
 * Which requests a rule matches: a pure function of the request's facts and the rule's match.
 * The facts come from the method, the path, the api-version and the authenticated caller.
 */
import { parsePath } from '../arm/resource-id.js';
import { globMatch } from './glob.js';
import type { FaultMatch } from './rules.js';

export interface RequestFacts {
  method: string;
  /** The request path, lower-cased, without a trailing slash. */
  path: string;
  /** Namespace/type, lower-cased (Microsoft.Resources/resourceGroups for a group). */
  resourceType?: string;
  /** The last resource name in the path, lower-cased. */
  name?: string;
  /** A POST action's name, lower-cased. */
  action?: string;
  apiVersion?: string;
  /** The caller's object id and app id, lower-cased. */
  callers: string[];
  /** Where ARM would count the request for throttling: 'subscription' with its id, else 'tenant'. */
  scope: { kind: 'subscription' | 'tenant'; id: string };
  callerObjectId?: string;
}

export interface CallerFacts {
  objectId?: string;
  appId?: string;
  tenantId?: string;
}

/** The facts of an ARM request. */
export function requestFacts(method: string, pathname: string, apiVersion: unknown, caller: CallerFacts | undefined): RequestFacts {
  const parsed = parsePath(pathname);
  const lower = (s: string | undefined) => s?.toLowerCase();
  const m = method.toUpperCase();
  let resourceType: string | undefined;
  let name: string | undefined;
  let action: string | undefined;
  if (parsed.namespace) {
    const types = [...parsed.types];
    if (m === 'POST' && types.length >= 2 && types.length === parsed.names.length + 1) action = types.pop();
    resourceType = [parsed.namespace, ...types].join('/');
    if (parsed.names.length === types.length && types.length > 0) name = parsed.names[parsed.names.length - 1];
  } else if (parsed.resourceGroup !== undefined) {
    resourceType = 'Microsoft.Resources/resourceGroups';
    name = parsed.segments.length === 4 ? parsed.resourceGroup : undefined;
  } else if (parsed.segments[0]?.toLowerCase() === 'subscriptions') {
    if (parsed.segments.length >= 3 && parsed.segments[2].toLowerCase() === 'resourcegroups') resourceType = 'Microsoft.Resources/resourceGroups';
    else resourceType = 'Microsoft.Resources/subscriptions';
    name = parsed.segments.length === 2 ? parsed.subscriptionId : undefined;
  }
  const callers = [caller?.objectId, caller?.appId].filter((c): c is string => typeof c === 'string' && c.length > 0).map((c) => c.toLowerCase());
  return {
    method: m,
    path: pathname.toLowerCase().replace(/\/+$/, ''),
    resourceType: lower(resourceType),
    name: lower(name),
    action: lower(action),
    apiVersion: typeof apiVersion === 'string' ? apiVersion.toLowerCase() : undefined,
    callers,
    scope: parsed.subscriptionId ? { kind: 'subscription', id: parsed.subscriptionId.toLowerCase() } : { kind: 'tenant', id: (caller?.tenantId ?? '').toLowerCase() },
    callerObjectId: lower(caller?.objectId),
  };
}

/** Does the rule's match select this request? Every field given must hold; an empty match selects all. */
export function matches(match: FaultMatch, facts: RequestFacts): boolean {
  if (match.method !== undefined && match.method.toUpperCase() !== facts.method) return false;
  if (match.resourceType !== undefined && match.resourceType.toLowerCase() !== facts.resourceType) return false;
  if (match.name !== undefined && (facts.name === undefined || !globMatch(match.name.toLowerCase(), facts.name))) return false;
  if (match.id !== undefined && !globMatch(match.id.toLowerCase().replace(/\/+$/, ''), facts.path)) return false;
  if (match.action !== undefined && match.action.toLowerCase() !== facts.action) return false;
  if (match.apiVersion !== undefined && match.apiVersion.toLowerCase() !== facts.apiVersion) return false;
  if (match.caller !== undefined && !facts.callers.includes(match.caller.toLowerCase())) return false;
  return true;
}
