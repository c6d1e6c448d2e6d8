/**
 * Everything version-dependent is computed here from the resource trees: which fields a version
 * shows (projection, hub -> spoke), what a request may carry (JSON Schema for ajv, spoke -> hub),
 * and how a PUT at an older version keeps what that version cannot see.
 */
import { atLeast, VERSION_FEATURES, type ApiVersion } from './versions.js';
import type { ActionDef, Field, ResourceTypeDef } from './schema.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };
export type JsonSchema = Record<string, unknown>;

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A deep copy of a JSON value: for stored resources, several times cheaper than structuredClone. */
export function cloneJson<T extends Json>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out: Json[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = cloneJson(value[i]);
    return out as T;
  }
  const out: JsonObject = {};
  for (const k in value) {
    const v = cloneJson((value as JsonObject)[k]);
    // A parsed '__proto__' member is data: keep it an own property.
    if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    else out[k] = v;
  }
  return out as T;
}

export const visibleAt = (f: Field, v: ApiVersion): boolean => atLeast(v, f.since);

/** The fields of an object field (or of a type's top level) that exist at version v. */
export function childrenAt(fields: Record<string, Field> | undefined, v: ApiVersion): [string, Field][] {
  return Object.entries(fields ?? {}).filter(([, f]) => visibleAt(f, v));
}

export function hasEtag(v: ApiVersion): boolean {
  return atLeast(v, VERSION_FEATURES.etag);
}

export function actionsAt(def: ResourceTypeDef, v: ApiVersion): ActionDef[] {
  return def.actions.filter((a) => atLeast(v, a.since));
}

/** The whole resource as a Field, with the ARM envelope that every tracked resource carries. */
export function resourceField(def: ResourceTypeDef): Field {
  return {
    type: 'object',
    description: `A ${def.displayName}.`,
    definition: def.definition,
    fields: {
      id: { type: 'string', format: 'arm-id', readOnly: true, description: 'Fully qualified resource id.' },
      name: { type: 'string', readOnly: true, description: 'The name of the resource.' },
      type: { type: 'string', readOnly: true, description: 'The type of the resource, e.g. "Microsoft.NetworkCloud/clusters".' },
      systemData: { ...SYSTEM_DATA },
      etag: { type: 'string', readOnly: true, since: VERSION_FEATURES.etag, description: 'Changes whenever the resource changes; send it in If-Match to update only the version you read.' },
      ...def.fields,
    },
  };
}

export const SYSTEM_DATA: Field = {
  type: 'object',
  readOnly: true,
  definition: 'SystemData',
  description: 'Who created and last modified the resource, and when.',
  fields: {
    createdAt: { type: 'string', format: 'date-time', readOnly: true, description: 'When the resource was created.' },
    createdBy: { type: 'string', readOnly: true, description: 'Who created it.' },
    createdByType: { type: 'string', readOnly: true, enum: ['User', 'Application', 'ManagedIdentity', 'Key'], description: 'What kind of identity created it.' },
    lastModifiedAt: { type: 'string', format: 'date-time', readOnly: true, description: 'When it was last modified.' },
    lastModifiedBy: { type: 'string', readOnly: true, description: 'Who last modified it.' },
    lastModifiedByType: { type: 'string', readOnly: true, enum: ['User', 'Application', 'ManagedIdentity', 'Key'], description: 'What kind of identity last modified it.' },
  },
};

// ---------------------------------------------------------------- projection (hub -> spoke)

/** Shows a stored value as version v sees it: fields v lacks and secrets are left out. */
export function projectValue(field: Field, value: Json | undefined, v: ApiVersion): Json | undefined {
  if (value === undefined || value === null) return value;
  switch (field.type) {
    case 'object': {
      if (!isObject(value)) return value;
      const out: JsonObject = {};
      for (const [key, child] of childrenAt(field.fields, v)) {
        if (child.secret || !(key in value)) continue;
        const projected = projectValue(child, value[key], v);
        if (projected !== undefined) out[key] = projected;
      }
      return out;
    }
    case 'array':
      return Array.isArray(value) ? value.map((item) => projectValue(field.items!, item, v) as Json) : value;
    case 'map':
      if (!isObject(value)) return value;
      return Object.fromEntries(Object.entries(value).map(([k, item]) => [k, projectValue(field.values!, item, v) as Json]));
    default:
      return value;
  }
}

export function projectResource(def: ResourceTypeDef, hub: JsonObject, v: ApiVersion): JsonObject {
  return projectValue(resourceField(def), hub, v) as JsonObject;
}

// ---------------------------------------------------------------- requests (spoke -> hub)

/** Keeps what a client may set: read-only fields (envelope included) are dropped, as ARM ignores them. */
export function writableValue(field: Field, value: Json | undefined, v: ApiVersion): Json | undefined {
  if (value === undefined || field.readOnly) return undefined;
  if (value === null) return null;
  switch (field.type) {
    case 'object': {
      if (!isObject(value)) return value;
      const out: JsonObject = {};
      for (const [key, child] of childrenAt(field.fields, v)) {
        const kept = writableValue(child, value[key], v);
        if (kept !== undefined) out[key] = kept;
      }
      return out;
    }
    case 'array':
      return Array.isArray(value) ? value.map((item) => (writableValue(field.items!, item, v) ?? null) as Json) : value;
    case 'map':
      if (!isObject(value)) return value;
      return Object.fromEntries(Object.entries(value).map(([k, item]) => [k, writableValue(field.values!, item, v) ?? null]));
    default:
      return value;
  }
}

/**
 * A PUT at version v replaces what v can see; what v cannot see (fields of later versions) and what
 * only the service writes (read-only fields) carry over from the stored resource.
 */
export function carryOver(field: Field, stored: Json | undefined, incoming: Json | undefined, v: ApiVersion): Json | undefined {
  if (field.type !== 'object' || !isObject(stored)) return incoming;
  const next: JsonObject = isObject(incoming) ? { ...incoming } : {};
  for (const [key, child] of Object.entries(field.fields ?? {})) {
    if (!(key in stored)) continue;
    if (!visibleAt(child, v) || child.readOnly) next[key] = stored[key];
    else if (child.type === 'object' && key in next) next[key] = carryOver(child, stored[key], next[key], v) as Json;
  }
  if (!isObject(incoming) && Object.keys(next).length === 0) return incoming;
  return next;
}

/**
 * RFC 7396 JSON merge patch, with ARM's twist: the fields named in `replaceWhole` (tags) are
 * replaced, not merged.
 */
export function mergePatch(target: Json | undefined, patch: Json, path = '', replaceWhole: ReadonlySet<string> = new Set(['tags'])): Json {
  if (!isObject(patch) || replaceWhole.has(path)) return patch;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    const childPath = path ? `${path}.${key}` : key;
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value, childPath, replaceWhole);
  }
  return out;
}

// ---------------------------------------------------------------- JSON Schema for request validation

export type RequestMode = 'put' | 'patch' | 'action';

/** Fields a client sends back from a GET and the service ignores on write. */
const IGNORED_ON_WRITE: JsonSchema = {};

function scalarSchema(f: Field): JsonSchema {
  const s: JsonSchema = { type: f.type };
  if (f.pattern) s.pattern = f.pattern;
  if (f.minLength !== undefined) s.minLength = f.minLength;
  if (f.maxLength !== undefined) s.maxLength = f.maxLength;
  if (f.minimum !== undefined) s.minimum = f.minimum;
  if (f.maximum !== undefined) s.maximum = f.maximum;
  if (f.format === 'arm-id' || f.format === 'uuid' || f.format === 'date-time') s.format = f.format;
  return s;
}

/**
 * JSON Schema of what a request may carry for `field` at version v. `only` limits an object's
 * children to the named paths (the PATCH body); unknown members are rejected, read-only ones ignored.
 */
export function requestSchema(field: Field, v: ApiVersion, mode: RequestMode, only?: string[]): JsonSchema {
  let schema: JsonSchema;
  switch (field.type) {
    case 'object': {
      const properties: Record<string, JsonSchema> = {};
      const required: string[] = [];
      for (const [key, child] of childrenAt(field.fields, v)) {
        if (child.readOnly) {
          properties[key] = IGNORED_ON_WRITE;
          continue;
        }
        const nested = only?.filter((p) => p === key || p.startsWith(`${key}.`)).map((p) => p.slice(key.length + 1)).filter(Boolean);
        if (only && !only.includes(key) && !(nested && nested.length)) {
          if (mode === 'patch' && (key === 'location' || key === 'extendedLocation')) properties[key] = IGNORED_ON_WRITE;
          continue;
        }
        const childSchema = requestSchema(child, v, mode, only && !only.includes(key) ? nested : undefined);
        properties[key] = mode === 'patch' && child.nullable ? nullable(childSchema) : childSchema;
        if (child.required && !(mode === 'patch' && only)) required.push(key);
      }
      schema = { type: 'object', properties, additionalProperties: false, 'x-nc-definition': field.definition ?? null };
      if (required.length) schema.required = required;
      break;
    }
    case 'array':
      schema = { type: 'array', items: requestSchema(field.items!, v, mode) };
      if (field.minItems !== undefined) schema.minItems = field.minItems;
      break;
    case 'map':
      schema = { type: 'object', additionalProperties: mode === 'patch' ? nullable(requestSchema(field.values!, v, mode)) : requestSchema(field.values!, v, mode) };
      break;
    default:
      schema = scalarSchema(field);
  }
  return schema;
}

function nullable(s: JsonSchema): JsonSchema {
  return { ...s, type: [s.type as string, 'null'] };
}

/** The body schema of a PUT or PATCH of `def` at v. */
export function bodySchema(def: ResourceTypeDef, v: ApiVersion, mode: 'put' | 'patch'): JsonSchema {
  return requestSchema(resourceField(def), v, mode, mode === 'patch' ? def.patchable : undefined);
}

/** The dotted paths of every field visible at v (used by tests and the version diff view). */
export function fieldPaths(field: Field, v: ApiVersion, prefix = ''): string[] {
  const out: string[] = [];
  const children = field.type === 'object' ? field.fields : field.type === 'array' ? field.items?.fields : field.type === 'map' ? field.values?.fields : undefined;
  for (const [key, child] of childrenAt(children, v)) {
    const p = prefix ? `${prefix}.${key}` : key;
    out.push(p, ...fieldPaths(child, v, p));
  }
  return out;
}
