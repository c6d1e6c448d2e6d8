/**
 * Request validation: ajv over JSON Schemas built from a version's PUT/PATCH trees (and action body
 * trees), compiled on first use per type, version and verb, and cached. Errors become ARM 400s
 * naming the JSON path.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { ArmError, errors, type ErrorDetail } from '../arm/errors.js';
import type { JsonSchema } from './derive.js';
import type { ActionModel, TypeModel, VersionModel } from './model.js';
import type { Field } from './schema.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

// unicodeRegExp off: upstream patterns escape characters (\_) that the 'u' flag rejects.
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, unicodeRegExp: false });
addFormats(ajv);
ajv.addKeyword('x-nc-definition');
ajv.addFormat('arm-id', /^\/(subscriptions|providers)\/[^/]/i);

type Mode = 'put' | 'patch' | 'action';

/** Members a PATCH may carry although the version cannot change them: ARM ignores them. */
const IGNORED_ON_PATCH = new Set(['location', 'extendedLocation']);

/**
 * The JSON Schema of what a request may carry for `tree`. `get` is the same place in the version's
 * response tree: members only it has (read-only state a client sends back from a GET) are ignored
 * on PUT; on PATCH they are refused unless read-only.
 */
export function requestSchema(tree: Field, get: Field | undefined, mode: Mode): JsonSchema {
  switch (tree.type) {
    case 'object': {
      if (!tree.fields && !get?.fields) return { type: 'object' };
      const properties: Record<string, JsonSchema> = {};
      const required: string[] = [];
      for (const [key, child] of Object.entries(tree.fields ?? {})) {
        if (child.readOnly) {
          properties[key] = {};
          continue;
        }
        const s = requestSchema(child, get?.fields?.[key], mode);
        properties[key] = child.nullable ? nullable(s) : s;
        if (child.required) required.push(key);
      }
      for (const [key, child] of Object.entries(get?.fields ?? {})) {
        if (key in properties) continue;
        if (mode !== 'patch' || child.readOnly || IGNORED_ON_PATCH.has(key)) properties[key] = {};
      }
      const schema: JsonSchema = { type: 'object', properties, additionalProperties: false, 'x-nc-definition': tree.definition ?? get?.definition ?? null };
      if (required.length) schema.required = required.sort();
      return schema;
    }
    case 'array': {
      const s: JsonSchema = { type: 'array' };
      if (tree.items) s.items = requestSchema(tree.items, get?.items, mode);
      if (tree.minItems !== undefined) s.minItems = tree.minItems;
      return s;
    }
    case 'map': {
      const values = tree.values ? requestSchema(tree.values, get?.values, mode) : {};
      return { type: 'object', additionalProperties: tree.values?.nullable || mode === 'patch' ? nullable(values) : values };
    }
    case 'any':
      return {};
    default:
      return scalarSchema(tree);
  }
}

function scalarSchema(f: Field): JsonSchema {
  const s: JsonSchema = { type: f.type };
  if (f.pattern) s.pattern = f.pattern;
  for (const k of ['minLength', 'maxLength', 'minimum', 'maximum'] as const) if (f[k] !== undefined) s[k] = f[k];
  if (f.format === 'arm-id' || f.format === 'uuid' || f.format === 'date-time' || f.format === 'uri') s.format = f.format;
  // An extensible enum (modelAsString) is open by definition; only a closed one limits the values.
  if (f.enum && f.extensible === false) s.enum = f.enum;
  return s;
}

function nullable(s: JsonSchema): JsonSchema {
  if (!s.type) return s;
  return { ...s, type: [...new Set([...(Array.isArray(s.type) ? s.type : [s.type]), 'null'])] };
}

const cache = new WeakMap<object, Map<string, ValidateFunction>>();

function compiled(owner: object, key: string, schema: () => JsonSchema): ValidateFunction {
  let byKey = cache.get(owner);
  if (!byKey) cache.set(owner, (byKey = new Map()));
  let fn = byKey.get(key);
  if (!fn) byKey.set(key, (fn = ajv.compile(schema())));
  return fn;
}

/** The body schema of a PUT or PATCH at one version. */
export function bodySchema(v: VersionModel, mode: 'put' | 'patch'): JsonSchema {
  const tree = mode === 'put' ? v.put : v.patch;
  return tree ? requestSchema(tree, v.get, mode) : { type: 'object', additionalProperties: false };
}

export function validateBody(type: TypeModel, v: VersionModel, mode: 'put' | 'patch', body: unknown): void {
  const fn = compiled(v, mode, () => bodySchema(v, mode));
  if (!fn(body)) throw toArmError(fn.errors ?? [], type, mode);
}

export function validateActionBody(type: TypeModel, v: VersionModel, action: ActionModel, body: unknown): void {
  if (!action.body) return;
  const fn = compiled(v, `action:${action.name}`, () => requestSchema(action.body!, undefined, 'action'));
  if (!fn(body)) throw toArmError(fn.errors ?? [], type, 'action');
}

/** 'properties/bmcMacAddress' -> 'properties.bmcMacAddress'; array indexes become [n]. */
function jsonPath(instancePath: string, extra?: string): string {
  const parts = instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

function describe(e: ErrorObject, type: TypeModel, mode: string): ErrorDetail {
  const parent = (e.parentSchema as JsonSchema | undefined)?.['x-nc-definition'] as string | undefined;
  switch (e.keyword) {
    case 'additionalProperties': {
      const member = (e.params as { additionalProperty: string }).additionalProperty;
      const target = jsonPath(e.instancePath, member);
      const message = mode === 'patch' && !['id', 'name', 'type'].includes(member)
        ? `The property '${target}' is unknown or cannot be changed with PATCH on a ${type.displayName}. Path '${target}'.`
        : `Could not find member '${member}' on object of type '${parent ?? 'Object'}'. Path '${target}'.`;
      return { code: 'InvalidRequestContent', target, message };
    }
    case 'required': {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      const target = jsonPath(e.instancePath, missing);
      return { code: 'MissingRequiredProperty', target, message: `The property '${target}' is required but was not supplied.` };
    }
    case 'type': {
      const target = jsonPath(e.instancePath) || '(body)';
      return { code: 'InvalidRequestContent', target, message: `The value at '${target}' has the wrong type: expected ${(e.params as { type: string | string[] }).type}.` };
    }
    default: {
      const target = jsonPath(e.instancePath) || '(body)';
      return { code: 'InvalidPropertyValue', target, message: `The value at '${target}' is invalid: it ${e.message ?? 'does not match the schema'}.` };
    }
  }
}

function toArmError(list: ErrorObject[], type: TypeModel, mode: string): ArmError {
  const details = list.map((e) => describe(e, type, mode));
  const first = details[0] ?? { code: 'InvalidRequestContent', message: 'The request content is invalid.' };
  return errors.invalidRequestContent(`The request content was invalid: ${first.message}`, first.target, details);
}

export function assertJsonObject(body: unknown, what = 'request body'): asserts body is Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ArmError(400, 'InvalidRequestContent', `The ${what} must be a JSON object.`);
  }
}
