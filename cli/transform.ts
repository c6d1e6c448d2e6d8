/**
 * What az does to a result between the HTTP response and the formatter:
 *  1. generated networkcloud commands flatten `properties` into the top level (aaz client_flatten);
 *  2. every object whose `id` is under a resource group gets `resourceGroup` (not for `az rest`);
 *  3. `--query` (JMESPath) runs on that.
 */
import { CliError, UsageError } from './errors.js';
import { loadJmespath } from './jmespath.js';

const QUERY_HELP = "To learn more about --query, please visit: 'https://docs.microsoft.com/cli/azure/query-azure-cli'";

/** `{id, name, properties: {a, b}, tags}` -> `{id, name, a, b, tags}`, keeping the position of `properties`. */
export function flattenProperties(resource: unknown): unknown {
  if (resource === null || typeof resource !== 'object' || Array.isArray(resource)) return resource;
  const obj = resource as Record<string, unknown>;
  const props = obj.properties;
  if (props === null || typeof props !== 'object' || Array.isArray(props)) return resource;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    if (key !== 'properties') {
      out[key] = value;
      continue;
    }
    for (const [pk, pv] of Object.entries(props as Record<string, unknown>)) {
      // the ARM envelope (id, name, type, ...) wins over a same-named property
      if (!(pk in obj)) out[pk] = pv;
    }
  }
  return out;
}

/**
 * azure-cli's _add_resource_group: recursively, an object with a truthy `id` of the form
 * /subscriptions/S/resourceGroups/RG/providers/NS/TYPE/NAME... (case-insensitive
 * "resourcegroups", at least 9 segments) and no `resourceGroup` key gets one, appended last.
 */
export function addResourceGroup(value: unknown): void {
  if (Array.isArray(value)) {
    value.forEach(addResourceGroup);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const obj = value as Record<string, unknown>;
  if (!('resourceGroup' in obj) && typeof obj.id === 'string' && obj.id) {
    const parts = obj.id.split('/');
    if (parts.length > 8 && parts[3].toLowerCase() === 'resourcegroups') obj.resourceGroup = parts[4];
  }
  for (const [key, child] of Object.entries(obj)) if (key !== 'sourceVault') addResourceGroup(child);
}

export interface QueryResult {
  result: unknown;
  /** objects the query built (multiselect hashes): tsv keeps their key order, like knack's OrderedDict */
  isOrdered: (obj: object) => boolean;
}

/** Compile early, so a bad query is a command-line error (exit 2) before any request is sent. */
export async function checkQuery(query: string): Promise<void> {
  const jp = await loadJmespath();
  try {
    jp.compile(query);
  } catch {
    throw new UsageError(`argument --query: invalid jmespath_type value: '${query}'`, [QUERY_HELP]);
  }
}

export async function applyQuery(data: unknown, query: string): Promise<QueryResult> {
  const jp = await loadJmespath();
  const inputObjects = new WeakSet<object>();
  collectObjects(data, inputObjects);
  let result: unknown;
  try {
    result = jp.search(data as never, query);
  } catch (err) {
    // a query that compiles but fails on the data (a type error): az's handle_exception wording, exit 1
    throw new CliError(`Invalid jmespath query supplied for \`--query\`: ${(err as Error).message}`, 1, [QUERY_HELP]);
  }
  return { result, isOrdered: (obj) => !inputObjects.has(obj) };
}

function collectObjects(value: unknown, into: WeakSet<object>): void {
  if (value === null || typeof value !== 'object') return;
  into.add(value);
  for (const child of Object.values(value)) collectObjects(child, into);
}
