/** Request validation: ajv over the schemas derived from the model, errors turned into ARM 400s naming the JSON path. */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { ArmError, errors, type ErrorDetail } from '../arm/errors.js';
import { bodySchema, requestSchema, type JsonSchema } from './derive.js';
import type { ActionDef, ResourceTypeDef } from './schema.js';
import type { ApiVersion } from './versions.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats(ajv);
ajv.addKeyword('x-nc-definition');
ajv.addFormat('arm-id', /^\/(subscriptions|providers)\/[^/]/i);

const cache = new Map<string, ValidateFunction>();

function compiled(key: string, schema: () => JsonSchema): ValidateFunction {
  let fn = cache.get(key);
  if (!fn) {
    fn = ajv.compile(schema());
    cache.set(key, fn);
  }
  return fn;
}

export function validateBody(def: ResourceTypeDef, v: ApiVersion, mode: 'put' | 'patch', body: unknown): void {
  const fn = compiled(`${def.type}|${v}|${mode}`, () => bodySchema(def, v, mode));
  if (!fn(body)) throw toArmError(fn.errors ?? [], def, mode);
}

export function validateActionBody(def: ResourceTypeDef, action: ActionDef, v: ApiVersion, body: unknown): void {
  if (!action.body) return;
  const fn = compiled(`${def.type}|${v}|action:${action.name}`, () => requestSchema(action.body!, v, 'action'));
  if (!fn(body)) throw toArmError(fn.errors ?? [], def, 'action');
}

/** 'properties/bmcMacAddress' -> 'properties.bmcMacAddress'; array indexes become [n]. */
function jsonPath(instancePath: string, extra?: string): string {
  const parts = instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

function describe(e: ErrorObject, def: ResourceTypeDef, mode: string): ErrorDetail {
  const parent = (e.parentSchema as JsonSchema | undefined)?.['x-nc-definition'] as string | undefined;
  switch (e.keyword) {
    case 'additionalProperties': {
      const member = (e.params as { additionalProperty: string }).additionalProperty;
      const target = jsonPath(e.instancePath, member);
      const message = mode === 'patch' && !['id', 'name', 'type'].includes(member)
        ? `The property '${target}' is unknown or cannot be changed with PATCH on a ${def.displayName}. Path '${target}'.`
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

function toArmError(list: ErrorObject[], def: ResourceTypeDef, mode: string): ArmError {
  const details = list.map((e) => describe(e, def, mode));
  const first = details[0] ?? { code: 'InvalidRequestContent', message: 'The request content is invalid.' };
  return errors.invalidRequestContent(`The request content was invalid: ${first.message}`, first.target, details);
}

export function assertJsonObject(body: unknown, what = 'request body'): asserts body is Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ArmError(400, 'InvalidRequestContent', `The ${what} must be a JSON object.`);
  }
}
