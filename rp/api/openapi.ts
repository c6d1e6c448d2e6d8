/**
 * The OpenAPI 2.0 document of one api-version, computed from the model (the resource trees, the
 * version features and derive.ts) and from what the server answers (status codes, headers, LRO
 * style). Nothing here is written per version: specs/ is this function's output.
 */
import { ERROR_RESPONSE, OPERATION_LIST_RESULT, OPERATION_STATUS_RESULT } from './arm-shapes.js';
import { actionsAt, bodySchema, childrenAt, hasEtag, resourceField, type JsonSchema } from './derive.js';
import { NETWORKCLOUD_TYPES } from './registry.js';
import { arr, obj, str, type ActionDef, type Field, type ResourceTypeDef } from './schema.js';
import { atLeast, VERSION_FEATURES, type ApiVersion } from './versions.js';

export type Schema = Record<string, unknown>;
export type OpenApiDocument = Record<string, unknown> & { paths: Record<string, Record<string, Operation>>; definitions: Record<string, Schema> };
export interface Operation {
  operationId: string;
  parameters: Schema[];
  responses: Record<string, Schema>;
  [extension: string]: unknown;
}

const NAMESPACE = 'Microsoft.NetworkCloud';
const SUB = '/subscriptions/{subscriptionId}';
const RG = `${SUB}/resourceGroups/{resourceGroupName}`;

/** Where the x-ms-examples of a version live, relative to specs/<version>/networkcloud.json. */
export const exampleRef = (v: ApiVersion, operationId: string) => `../../examples/${v}/${operationId}.json`;

const pascal = (s: string) => s[0].toUpperCase() + s.slice(1);
const camel = (s: string) => s[0].toLowerCase() + s.slice(1);
const ref = (kind: 'definitions' | 'parameters', name: string) => ({ $ref: `#/${kind}/${name}` });
/** The stem of x-ms-enum names: ClusterProperties.detailedStatus -> ClusterDetailedStatus. */
const enumStem = (schemaName: string) => schemaName.replace(/(Properties|Parameters)$/, '');

// ------------------------------------------------------------------ Field -> JSON schema

/**
 * The named schemas of one document. A definition can be reached from several places (an
 * ExtendedLocation the client sends, another the service reports); each place yields a variant,
 * and variants must agree on everything but descriptions and read-only marks (see merge()).
 */
class Definitions {
  private readonly variants = new Map<string, Schema[]>();
  private readonly building = new Set<string>();

  constructor(readonly v: ApiVersion) {}

  /** A $ref to `name`, built by `build` unless this is a recursive use. */
  use(name: string, build: () => Schema): Schema {
    if (!this.building.has(name)) {
      this.building.add(name);
      const body = build();
      this.building.delete(name);
      this.variants.set(name, [...(this.variants.get(name) ?? []), body]);
    }
    return ref('definitions', name);
  }

  /** The schema of a field where it is used: its type (a $ref for named objects) and annotations. */
  property(f: Field, enumName: string): Schema {
    const s: Schema = { description: f.description, ...this.type(f, enumName) };
    if (f.readOnly) s.readOnly = true;
    if (f.secret) s['x-ms-secret'] = true;
    if (f.createOnly) s['x-ms-mutability'] = ['read', 'create'];
    if (f.default !== undefined) s.default = f.default;
    return s;
  }

  type(f: Field, enumName: string): Schema {
    switch (f.type) {
      case 'object':
        return f.definition ? this.use(f.definition, () => this.object(f, f.definition!)) : this.object(f, enumName);
      case 'array': {
        const s: Schema = { type: 'array', items: this.property(f.items!, enumName) };
        if (f.minItems !== undefined) s.minItems = f.minItems;
        if (f.items!.type === 'object') s['x-ms-identifiers'] = [];
        return s;
      }
      case 'map':
        return { type: 'object', additionalProperties: this.property(f.values!, enumName) };
      default:
        return this.scalar(f, enumName);
    }
  }

  /** An object's schema; `name` names it (and the enums under it). A field-less object is free-form. */
  object(f: Field, name: string, only?: (key: string, child: Field) => Schema | undefined): Schema {
    const s: Schema = { description: f.description, type: 'object' };
    if (!f.fields) return s;
    const properties: Record<string, Schema> = {};
    const required: string[] = [];
    for (const [key, child] of childrenAt(f.fields, this.v)) {
      const p = only ? only(key, child) : this.property(child, enumStem(name) + pascal(key));
      if (!p) continue;
      properties[key] = p;
      if (child.required && !only) required.push(key);
    }
    s.properties = properties;
    if (required.length) s.required = required;
    return s;
  }

  private scalar(f: Field, enumName: string): Schema {
    const s: Schema = { type: f.type };
    if (f.format) s.format = f.format;
    if (f.enum) {
      s.enum = f.enum.filter((value) => atLeast(this.v, f.enumSince?.[value]));
      s['x-ms-enum'] = { name: enumName, modelAsString: true };
    }
    for (const k of ['pattern', 'minLength', 'maxLength', 'minimum', 'maximum'] as const) if (f[k] !== undefined) s[k] = f[k];
    return s;
  }

  /** Every definition, sorted by name. */
  all(): Record<string, Schema> {
    return Object.fromEntries([...this.variants.keys()].sort().map((name) => [name, merge(name, this.variants.get(name)!)]));
  }
}

/**
 * Variants of one definition: the first one's text (its own description only when all agree, since
 * each use keeps its own), read-only only where every variant says so.
 */
function merge(name: string, variants: Schema[]): Schema {
  const shape = (x: unknown): unknown =>
    Array.isArray(x) ? x.map(shape)
      : x && typeof x === 'object'
        ? Object.fromEntries(Object.entries(x).filter(([k, val]) => !(k === 'description' && typeof val === 'string') && k !== 'readOnly').map(([k, val]) => [k, shape(val)]))
        : x;
  const first = JSON.stringify(shape(variants[0]));
  const odd = variants.find((x) => JSON.stringify(shape(x)) !== first);
  if (odd) throw new Error(`definition '${name}' is used with two different shapes:\n${first}\n${JSON.stringify(shape(odd))}`);
  const keepReadOnly = (target: unknown, others: unknown[]): void => {
    if (!target || typeof target !== 'object') return;
    const t = target as Schema;
    if (t.readOnly === true && !others.every((o) => (o as Schema | undefined)?.readOnly === true)) delete t.readOnly;
    for (const [k, val] of Object.entries(t)) keepReadOnly(val, others.map((o) => (o as Schema | undefined)?.[k]));
  };
  const out = structuredClone(variants[0]);
  keepReadOnly(out, variants.slice(1));
  if (variants.some((x) => x.description !== out.description)) delete out.description;
  return out;
}

// ------------------------------------------------------------------ parameters

function parameters(v: ApiVersion): Record<string, Schema> {
  const method = { 'x-ms-parameter-location': 'method' };
  const params: Record<string, Schema> = {
    ApiVersionParameter: { name: 'api-version', in: 'query', required: true, type: 'string', minLength: 1, description: `The api-version of the request: ${v} for this document.` },
    SubscriptionIdParameter: { name: 'subscriptionId', in: 'path', required: true, type: 'string', format: 'uuid', description: 'The id of the subscription.' },
    ResourceGroupNameParameter: { name: 'resourceGroupName', in: 'path', required: true, type: 'string', minLength: 1, maxLength: 90, pattern: '^[-\\w\\._\\(\\)]+$', description: 'The name of the resource group (case-insensitive).', ...method },
    LocationParameter: { name: 'location', in: 'path', required: true, type: 'string', minLength: 1, description: 'The Azure region the operation runs in.', ...method },
    OperationIdParameter: { name: 'operationId', in: 'path', required: true, type: 'string', minLength: 1, description: 'The id of the long-running operation.', ...method },
  };
  for (const def of NETWORKCLOUD_TYPES) {
    params[nameParameter(def)] = { name: def.nameParameter, in: 'path', required: true, type: 'string', pattern: def.namePattern, description: `The name of the ${def.displayName}.`, ...method };
  }
  if (hasEtag(v)) {
    params.IfMatchParameter = { name: 'If-Match', in: 'header', required: false, type: 'string', description: 'Go ahead only if the resource\'s current etag matches this one (or * for any existing resource).', ...method };
    params.IfNoneMatchParameter = { name: 'If-None-Match', in: 'header', required: false, type: 'string', description: 'Go ahead only if the resource\'s current etag does not match this one (* to create only).', ...method };
  }
  if (atLeast(v, VERSION_FEATURES.listPaging)) {
    params.TopParameter = { name: '$top', in: 'query', required: false, type: 'integer', format: 'int32', minimum: 1, description: 'The most items a page may hold.', ...method };
    params.SkipTokenParameter = { name: '$skipToken', in: 'query', required: false, type: 'string', description: 'Where the page starts: the opaque token of a nextLink.', ...method };
  }
  return Object.fromEntries(Object.entries(params).sort(([a], [b]) => a.localeCompare(b)));
}

const nameParameter = (def: ResourceTypeDef) => `${pascal(def.nameParameter)}Parameter`;

// ------------------------------------------------------------------ responses

const header = (description: string, format?: string): Schema => (format ? { type: 'integer', format, description } : { type: 'string', description });
const HEADERS = {
  'Azure-AsyncOperation': header('The URL to poll for the status of the operation (operationStatuses).'),
  Location: header('The URL to poll for the outcome of the operation (operationResults): 202 while it runs, then its result.'),
  'Retry-After': header('Seconds to wait before polling again.', 'int32'),
  ETag: header('The etag of the resource as it now stands.'),
} as const;
type HeaderName = keyof typeof HEADERS;

function response(description: string, schema?: Schema, headers: HeaderName[] = []): Schema {
  const r: Schema = { description };
  if (schema) r.schema = schema;
  if (headers.length) r.headers = Object.fromEntries(headers.map((h) => [h, HEADERS[h]]));
  return r;
}

const errorResponse = () => response('An error: the body says what went wrong.', ref('definitions', 'ErrorResponse'));

// ------------------------------------------------------------------ operations

interface OpSpec {
  verb: 'get' | 'put' | 'patch' | 'delete' | 'post';
  path: string;
  operationId: string;
  tag: string;
  description: string;
  parameters: Schema[];
  responses: Record<string, Schema>;
  lro?: { via: 'azure-async-operation' | 'location'; schema: string };
  pageable?: boolean;
}

function operation(v: ApiVersion, op: OpSpec): Operation {
  const out: Operation = {
    tags: [op.tag],
    operationId: op.operationId,
    description: op.description,
    parameters: op.parameters,
    responses: { ...op.responses, default: errorResponse() },
  };
  if (op.lro) {
    out['x-ms-long-running-operation'] = true;
    out['x-ms-long-running-operation-options'] = { 'final-state-via': op.lro.via, 'final-state-schema': `#/definitions/${op.lro.schema}` };
  }
  if (op.pageable) out['x-ms-pageable'] = { nextLinkName: 'nextLink' };
  out['x-ms-examples'] = { [op.operationId]: { $ref: exampleRef(v, op.operationId) } };
  return out;
}

/** The operations of one resource type at version v, in document order. */
function typeOperations(def: ResourceTypeDef, v: ApiVersion, defs: Definitions): OpSpec[] {
  const group = def.operationGroup;
  const plural = `${def.displayName}s`;
  const itemPath = `${RG}/providers/${NAMESPACE}/${def.type}/{${def.nameParameter}}`;
  const common = [ref('parameters', 'ApiVersionParameter'), ref('parameters', 'SubscriptionIdParameter')];
  const item = [...common, ref('parameters', 'ResourceGroupNameParameter'), ref('parameters', nameParameter(def))];
  const preconditions = hasEtag(v) ? [ref('parameters', 'IfMatchParameter'), ref('parameters', 'IfNoneMatchParameter')] : [];
  const paging = atLeast(v, VERSION_FEATURES.listPaging) ? [ref('parameters', 'TopParameter'), ref('parameters', 'SkipTokenParameter')] : [];
  const etag: HeaderName[] = hasEtag(v) ? ['ETag'] : [];
  const resource = defs.type(resourceField(def), def.definition);
  const list = defs.type(listField(def), '');
  const body = (name: string, required: boolean, schema: Schema, description: string): Schema => ({ name, in: 'body', required, schema, description });
  const rejected = ' All customer requests are rejected (400 OperationNotAllowed): the platform manages the life cycle of this resource.';

  const ops: OpSpec[] = [
    { verb: 'get', path: `${SUB}/providers/${NAMESPACE}/${def.type}`, operationId: `${group}_ListBySubscription`, tag: group, pageable: true,
      description: `List the ${plural} in the subscription.`, parameters: [...common, ...paging], responses: { 200: response(`A page of ${plural}.`, list) } },
    { verb: 'get', path: `${RG}/providers/${NAMESPACE}/${def.type}`, operationId: `${group}_ListByResourceGroup`, tag: group, pageable: true,
      description: `List the ${plural} in the resource group.`, parameters: [...common, ref('parameters', 'ResourceGroupNameParameter'), ...paging], responses: { 200: response(`A page of ${plural}.`, list) } },
    { verb: 'get', path: itemPath, operationId: `${group}_Get`, tag: group,
      description: `Get the ${def.displayName}.`, parameters: item, responses: { 200: response(`The ${def.displayName}.`, resource, etag) } },
  ];
  const putBody = body(`${camel(def.definition)}Parameters`, true, ref('definitions', def.definition), `The ${def.displayName} to create or the new state of an existing one.`);
  if (def.systemManaged) {
    ops.push({ verb: 'put', path: itemPath, operationId: `${group}_CreateOrUpdate`, tag: group, description: `Create or replace a ${def.displayName}.${rejected}`,
      parameters: [...item, ...preconditions, putBody], responses: {} });
  } else {
    const started: HeaderName[] = ['Azure-AsyncOperation', 'Retry-After', ...etag];
    ops.push({ verb: 'put', path: itemPath, operationId: `${group}_CreateOrUpdate`, tag: group, lro: { via: 'azure-async-operation', schema: def.definition },
      description: `Create a ${def.displayName} or replace the properties of an existing one. The work continues in the background; poll Azure-AsyncOperation.`,
      parameters: [...item, ...preconditions, putBody],
      responses: { 200: response(`The ${def.displayName} was replaced; the update continues.`, resource, started), 201: response(`The ${def.displayName} was created; provisioning continues.`, resource, started) } });
  }
  const patchBody = body(`${camel(def.definition)}UpdateParameters`, false, patchParameters(def, v, defs), `The changes: tags (replaced whole) and the properties a customer may change.`);
  ops.push(def.syncPatch
    ? { verb: 'patch', path: itemPath, operationId: `${group}_Update`, tag: group, description: `Update the tags or identity of the ${def.displayName}; the change is made at once.`,
      parameters: [...item, ...preconditions, patchBody], responses: { 200: response(`The updated ${def.displayName}.`, resource, etag) } }
    : { verb: 'patch', path: itemPath, operationId: `${group}_Update`, tag: group, lro: { via: 'azure-async-operation', schema: def.definition },
      description: `Update the tags and the customer-changeable properties of the ${def.displayName} (a JSON merge patch).`,
      parameters: [...item, ...preconditions, patchBody],
      responses: {
        200: response(`The update is done: the updated ${def.displayName}.`, resource, ['Azure-AsyncOperation', ...etag]),
        202: response('The update has started; poll Azure-AsyncOperation or Location.', undefined, ['Azure-AsyncOperation', 'Location', 'Retry-After', ...etag]),
      } });
  ops.push(def.systemManaged
    ? { verb: 'delete', path: itemPath, operationId: `${group}_Delete`, tag: group, description: `Delete a ${def.displayName}.${rejected}`, parameters: [...item, ...preconditions], responses: {} }
    : { verb: 'delete', path: itemPath, operationId: `${group}_Delete`, tag: group, lro: { via: 'location', schema: 'OperationStatusResult' },
      description: `Delete the ${def.displayName}, and what it owns.`, parameters: [...item, ...preconditions],
      responses: {
        202: response('The deletion has started; poll Location.', undefined, ['Location', 'Azure-AsyncOperation', 'Retry-After']),
        204: response(`There is no such ${def.displayName}: nothing to delete.`),
      } });
  for (const action of actionsAt(def, v)) ops.push(actionOperation(def, action, v, item, defs));
  return ops;
}

function actionOperation(def: ResourceTypeDef, action: ActionDef, v: ApiVersion, item: Schema[], defs: Definitions): OpSpec {
  const params = [...item];
  if (action.body) {
    params.push({
      name: `${camel(def.definition)}${action.operation}Parameters`, in: 'body', required: action.bodyRequired ?? false,
      schema: defs.type(action.body, `${def.definition}${action.operation}`), description: action.body.description,
    });
  }
  const headers: HeaderName[] = atLeast(v, VERSION_FEATURES.retryAfterOnActions) ? ['Location', 'Retry-After'] : ['Location'];
  return {
    verb: 'post', path: `${RG}/providers/${NAMESPACE}/${def.type}/{${def.nameParameter}}/${action.name}`, operationId: `${def.operationGroup}_${action.operation}`,
    tag: def.operationGroup, description: `${action.description} Long-running: poll Location; the result is an OperationStatusResult.`,
    parameters: params, lro: { via: 'location', schema: 'OperationStatusResult' },
    responses: { 202: response('The action has started; poll Location.', undefined, headers) },
  };
}

function listField(def: ResourceTypeDef): Field {
  return obj(`A page of ${def.displayName}s.`, {
    nextLink: str('The URL of the next page, when there is one.'),
    value: arr(`The ${def.displayName}s.`, resourceField(def), { required: true }),
  }, { definition: `${def.definition}List` });
}

/**
 * The PATCH body: the fields derive.ts's patch schema accepts, as <Type>PatchParameters. A path the
 * model lists in `patchable` is sent whole (its usual definition); a parent of such paths gets a
 * definition of its own with just those children.
 */
function patchParameters(def: ResourceTypeDef, v: ApiVersion, defs: Definitions): Schema {
  const accepted = (s: JsonSchema | undefined) => !!s && Object.keys(s).length > 0;
  const nullable = (s: JsonSchema) => Array.isArray(s.type) && s.type.includes('null');
  const partial = (field: Field, guide: JsonSchema, path: string, name: string, enumName: string): Schema =>
    defs.use(name, () => defs.object(field, enumName, (key, child) => {
      const g = (guide.properties as Record<string, JsonSchema>)[key];
      if (!accepted(g)) return undefined;
      const p = path ? `${path}.${key}` : key;
      const s = def.patchable.includes(p)
        ? defs.property(child, enumStem(enumName) + pascal(key))
        : { description: child.description, ...partial(child, g, p, `${def.definition}Patch${pascal(key)}`, child.definition ?? enumName) };
      if (nullable(g)) s['x-nullable'] = true;
      return s;
    }));
  const top = { ...resourceField(def), description: `The changes a PATCH of a ${def.displayName} may carry.` };
  return partial(top, bodySchema(def, v, 'patch'), '', `${def.definition}PatchParameters`, def.definition);
}

/** The OpenAPI 2.0 document of Microsoft.NetworkCloud at api-version v. */
export function buildSpec(v: ApiVersion): OpenApiDocument {
  const defs = new Definitions(v);
  const specs: OpSpec[] = [{
    verb: 'get', path: `/providers/${NAMESPACE}/operations`, operationId: 'Operations_List', tag: 'Operations', pageable: true,
    description: 'List the operations the provider offers.', parameters: [ref('parameters', 'ApiVersionParameter')],
    responses: { 200: response('The operations.', defs.type(OPERATION_LIST_RESULT, 'OperationListResult')) },
  }];
  for (const def of NETWORKCLOUD_TYPES) specs.push(...typeOperations(def, v, defs));
  const status = defs.type(OPERATION_STATUS_RESULT, 'OperationStatusResult');
  const statusParams = [ref('parameters', 'ApiVersionParameter'), ref('parameters', 'SubscriptionIdParameter'), ref('parameters', 'LocationParameter'), ref('parameters', 'OperationIdParameter')];
  specs.push(
    { verb: 'get', path: `${SUB}/providers/${NAMESPACE}/locations/{location}/operationStatuses/{operationId}`, operationId: 'OperationStatuses_Get', tag: 'OperationStatuses',
      description: 'The status of a long-running operation (the Azure-AsyncOperation URL): always 200, whatever the state.', parameters: statusParams,
      responses: { 200: response('The status of the operation.', status, ['Retry-After']) } },
    { verb: 'get', path: `${SUB}/providers/${NAMESPACE}/locations/{location}/operationResults/{operationId}`, operationId: 'OperationResults_Get', tag: 'OperationStatuses',
      description: 'The outcome of a long-running operation (the Location URL): 202 while it runs, then 200 with its result, or the error it failed with. The result of a PUT or PATCH is the resource itself; of a DELETE or an action, an OperationStatusResult.', parameters: statusParams,
      responses: { 200: response('The operation succeeded: the resource (PUT, PATCH) or an OperationStatusResult (DELETE, actions).', { type: 'object' }), 202: response('The operation is still running.', undefined, ['Location', 'Retry-After']) } },
  );
  defs.type(ERROR_RESPONSE, 'ErrorResponse');

  const paths: Record<string, Record<string, Operation>> = {};
  for (const op of specs) (paths[op.path] ??= {})[op.verb] = operation(v, op);
  return {
    swagger: '2.0',
    info: {
      title: 'Network Cloud (networkcloud-emulator)',
      description: `Microsoft.NetworkCloud (Azure Operator Nexus) at api-version ${v}, as the networkcloud-emulator serves it. Generated from the emulator's API model by npm run specs; do not edit.`,
      version: v,
    },
    host: 'localhost:8443',
    schemes: ['https'],
    consumes: ['application/json'],
    produces: ['application/json'],
    security: [{ azure_auth: ['user_impersonation'] }],
    securityDefinitions: {
      azure_auth: {
        type: 'oauth2',
        description: 'Entra ID OAuth 2.0. The emulator issues its own tokens (POST /{tenantId}/oauth2/v2.0/token) for the audience https://management.azure.com/.',
        flow: 'implicit',
        authorizationUrl: 'https://login.microsoftonline.com/common/oauth2/authorize',
        scopes: { user_impersonation: 'impersonate your user account' },
      },
    },
    tags: [...new Set(specs.map((s) => s.tag))].map((name) => ({ name })),
    paths,
    definitions: defs.all(),
    parameters: parameters(v),
  };
}

/** The document as committed: two-space JSON with a final newline. */
export function renderSpec(v: ApiVersion): string {
  return `${JSON.stringify(buildSpec(v), null, 2)}\n`;
}

export const specFile = (v: ApiVersion) => `specs/${v}/networkcloud.json`;
