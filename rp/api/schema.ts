/**
 * The vocabulary of the API model. Each resource type is one tree of Fields; a field says which
 * version introduced it (`since`) and how it behaves (read-only, required, secret, patchable...).
 * Request validation, response projection and the OpenAPI documents in specs/ are all derived
 * from these trees by the functions in ./derive.ts: nothing else describes the API surface.
 */
import type { ApiVersion } from './versions.js';

export type Format = 'arm-id' | 'uuid' | 'date-time' | 'int32' | 'int64' | 'uri' | 'password' | 'float';

export interface Field {
  type: 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array' | 'map' | 'any';
  /** Prose for specs/ (hand-written trees; generated ones carry none). */
  description?: string;
  /** First api-version that has this field; absent means every version. */
  since?: ApiVersion;
  readOnly?: boolean;
  /** Required when the enclosing object is sent (PUT; and PATCH for children of a patched object). */
  required?: boolean;
  /** x-ms-secret: accepted and stored, never returned. */
  secret?: boolean;
  /** In the PATCH body, `null` clears it. */
  nullable?: boolean;
  /** x-ms-mutability read+create: may be set on create, may not change afterwards. */
  createOnly?: boolean;
  format?: Format;
  /** Known values of an extensible (modelAsString) enum, with the version that added any late one. */
  enum?: string[];
  enumSince?: Record<string, ApiVersion>;
  default?: string | number | boolean;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  /** object: its children. */
  fields?: Record<string, Field>;
  /** array: the item schema. */
  items?: Field;
  /** map: the schema of each value (keys are free-form strings). */
  values?: Field;
  /** Name of the definition this object is emitted as in specs/. */
  definition?: string;
  // ---- as the upstream facts state them (generated trees only)
  /** modelAsString of an enum: true = open (values outside the list are accepted). */
  extensible?: boolean;
  /** x-ms-mutability, sorted: e.g. ['create', 'read'] for a create-only field. */
  mutability?: string[];
  /** x-ms-identifiers of an array of objects. */
  identifiers?: string[];
  clientFlatten?: boolean;
  /** id template of an arm-id (the resource's own id). */
  idTemplate?: string;
  aazType?: string;
  /** Array items that repeat an enclosing definition (ErrorDetail, OperationStatusResult). */
  recursiveRef?: string;
  /** Transient while a tree is read: the value type of an additionalProperties object. */
  additionalProperties?: string;
}

export interface ActionDef {
  /** Path segment after the resource name, e.g. 'powerOff'. */
  name: string;
  /** Operation id suffix, e.g. 'PowerOff'. */
  operation: string;
  description: string;
  since?: ApiVersion;
  body?: Field;
  bodyRequired?: boolean;
}

export interface ResourceTypeDef {
  namespace: string;
  /** Resource type segment as ARM spells it, e.g. 'bareMetalMachines'. */
  type: string;
  /** Operation-id prefix in specs/, e.g. 'BareMetalMachines'. */
  operationGroup: string;
  /** Definition name of the resource in specs/, e.g. 'BareMetalMachine'. */
  definition: string;
  /** Human name used in messages ("bare metal machine"). */
  displayName: string;
  namePattern: string;
  nameParameter: string;
  /** Top-level fields (envelope + properties). id, name, type, systemData and etag are added by derive. */
  fields: Record<string, Field>;
  /** Paths (dot-separated, from the top) that a customer PATCH may carry. */
  patchable: string[];
  /** PUT and DELETE rejected: the system owns the lifecycle. */
  systemManaged?: boolean;
  /** PATCH answers synchronously (200 only). */
  syncPatch?: boolean;
  actions: ActionDef[];
}

// Small builders keep the resource trees readable.
type Opts = Omit<Partial<Field>, 'type' | 'description'>;
export const str = (description: string, o: Opts = {}): Field => ({ type: 'string', description, ...o });
export const int = (description: string, o: Opts = {}): Field => ({ type: 'integer', format: 'int64', description, ...o });
export const bool = (description: string, o: Opts = {}): Field => ({ type: 'boolean', description, ...o });
export const armId = (description: string, o: Opts = {}): Field => str(description, { format: 'arm-id', ...o });
export const dateTime = (description: string, o: Opts = {}): Field => str(description, { format: 'date-time', ...o });
export const enm = (values: string[], description: string, o: Opts = {}): Field => str(description, { enum: values, ...o });
export const obj = (description: string, fields: Record<string, Field>, o: Opts = {}): Field => ({ type: 'object', description, fields, ...o });
export const arr = (description: string, items: Field, o: Opts = {}): Field => ({ type: 'array', description, items, ...o });
export const map = (description: string, values: Field, o: Opts = {}): Field => ({ type: 'map', description, values, ...o });

/** Marks a field and, recursively, everything under it read-only. */
export function readOnly(f: Field): Field {
  const out: Field = { ...f, readOnly: true };
  if (f.fields) out.fields = Object.fromEntries(Object.entries(f.fields).map(([k, v]) => [k, readOnly(v)]));
  if (f.items) out.items = readOnly(f.items);
  if (f.values) out.values = readOnly(f.values);
  return out;
}

export const ro = readOnly;

/** The ARM envelope members hand-written trees share. */
export const location: Field = str('The Azure region the resource lives in.', { required: true, createOnly: true });
export const tags: Field = map('Resource tags: free-form key/value pairs.', str('A tag value.'));
