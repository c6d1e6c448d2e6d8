/**
 * ARM resource ids and request paths. Matching is case-insensitive everywhere; the casing a
 * resource was created with is what responses show.
 */
export interface ParsedPath {
  subscriptionId?: string;
  resourceGroup?: string;
  /** Resource provider namespace after the last '/providers/', e.g. Microsoft.NetworkCloud. */
  namespace?: string;
  /** Type segments after the namespace, e.g. ['bareMetalMachines']. */
  types: string[];
  /** Names matching `types` (one fewer when the path ends at a collection). */
  names: string[];
  /** Trailing segment after a full resource id, e.g. 'deploy'. */
  action?: string;
  /** Everything before the last '/providers/' (an extension resource's scope). */
  scope: string;
  segments: string[];
}

const decode = (s: string) => {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** Splits a path into segments; empty segments (double slashes) are dropped. */
export function segmentsOf(pathname: string): string[] {
  return pathname.split('/').filter((s) => s.length > 0).map(decode);
}

export function parsePath(pathname: string): ParsedPath {
  const segments = segmentsOf(pathname);
  const out: ParsedPath = { types: [], names: [], scope: '', segments };
  let i = 0;
  if (segments[i]?.toLowerCase() === 'subscriptions') {
    out.subscriptionId = segments[i + 1];
    i += 2;
    if (segments[i]?.toLowerCase() === 'resourcegroups') {
      out.resourceGroup = segments[i + 1];
      i += 2;
    }
  }
  let lastProviders = -1;
  for (let j = i; j < segments.length; j++) if (segments[j].toLowerCase() === 'providers') lastProviders = j;
  if (lastProviders >= 0) {
    out.scope = '/' + segments.slice(0, lastProviders).join('/');
    out.namespace = segments[lastProviders + 1];
    const rest = segments.slice(lastProviders + 2);
    for (let k = 0; k < rest.length; k += 2) {
      out.types.push(rest[k]);
      if (k + 1 < rest.length) out.names.push(rest[k + 1]);
    }
  } else {
    out.scope = '/' + segments.join('/');
  }
  return out;
}

export function resourceId(sub: string, group: string, namespace: string, type: string, name: string): string {
  return `/subscriptions/${sub}/resourceGroups/${group}/providers/${namespace}/${type}/${name}`;
}

export function resourceGroupId(sub: string, group: string): string {
  return `/subscriptions/${sub}/resourceGroups/${group}`;
}

/** The key under which anything addressed by an id is stored: ids compare case-insensitively. */
export function idKey(id: string): string {
  return id.toLowerCase().replace(/\/+$/, '');
}

export interface ResourceIdParts {
  subscriptionId: string;
  resourceGroup: string;
  namespace: string;
  type: string;
  name: string;
}

/** Parses a full tracked-resource id; undefined when it is not one. */
export function parseResourceId(id: string): ResourceIdParts | undefined {
  const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/([^/]+)\/([^/]+)$/i.exec(id.replace(/\/+$/, ''));
  if (!m) return undefined;
  return { subscriptionId: m[1], resourceGroup: m[2], namespace: m[3], type: m[4], name: m[5] };
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const RESOURCE_GROUP_NAME = /^[-\w._()]{1,90}$/u;

export function isValidResourceGroupName(name: string): boolean {
  return RESOURCE_GROUP_NAME.test(name) && !name.endsWith('.');
}
