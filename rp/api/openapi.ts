/**
 * The OpenAPI 2.0 document of one api-version, computed from the generated model: every operation
 * the facts list for the served types at that version (paths, parameters, bodies, LRO style, paging)
 * with the status codes and headers the server answers with. Nothing here is written per version:
 * specs/ is this function's output.
 */
import { ERROR_RESPONSE, OPERATION_LIST_RESULT, OPERATION_STATUS_RESULT } from './arm-shapes.js';
import { PLATFORM_OWNED, SERVED_TYPES } from './behaviour.js';
import type { TypeModel, VersionModel } from './model.js';
import type { GeneratedOperation } from './model-types.js';
import { NETWORKCLOUD_TYPES } from './registry.js';
import { arr, obj, str, type Field } from './schema.js';
import type { ApiVersion } from './versions.js';

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

/** Where the x-ms-examples of a version live, relative to specs/<version>/networkcloud.json. */
export const exampleRef = (v: string, operationId: string) => `../../examples/${v}/${operationId}.json`;

const pascal = (s: string) => s[0].toUpperCase() + s.slice(1);
const ref = (kind: 'definitions' | 'parameters', name: string) => ({ $ref: `#/${kind}/${name}` });
/** The stem of x-ms-enum names: ClusterProperties.detailedStatus -> ClusterDetailedStatus. */
const enumStem = (schemaName: string) => schemaName.replace(/(Properties|Parameters)$/, '');

// ------------------------------------------------------------------ Field -> JSON schema

/**
 * The named schemas of one document. A name the facts give to two different shapes (the same
 * definition seen from two types or two verbs) gets a numbered twin, so that no $ref lies.
 */
class Definitions {
  private readonly bodies = new Map<string, Schema>();
  private readonly enums = new Map<string, string>();
  private readonly building = new Set<string>();

  /** A $ref to a definition named like `name`, built by `build` (a recursive use refers to the one being built). */
  use(name: string, build: () => Schema): Schema {
    if (this.building.has(name)) return ref('definitions', name);
    this.building.add(name);
    let body: Schema;
    try {
      body = build();
    } finally {
      this.building.delete(name);
    }
    const text = JSON.stringify(body);
    for (let n = 1; ; n++) {
      const candidate = n === 1 ? name : `${name}${n}`;
      const existing = this.bodies.get(candidate);
      if (existing === undefined) {
        this.bodies.set(candidate, body);
        return ref('definitions', candidate);
      }
      if (JSON.stringify(existing) === text) return ref('definitions', candidate);
    }
  }

  /** The schema of a field where it is used: its type (a $ref for named objects) and annotations. */
  property(f: Field, enumName: string, recursion: Map<string, string>): Schema {
    const s: Schema = { ...(f.description ? { description: f.description } : {}), ...this.type(f, enumName, recursion) };
    if (f.readOnly) s.readOnly = true;
    if (f.secret) s['x-ms-secret'] = true;
    if (f.mutability) s['x-ms-mutability'] = f.mutability;
    if (f.nullable) s['x-nullable'] = true;
    if (f.default !== undefined) s.default = f.default;
    return s;
  }

  type(f: Field, enumName: string, recursion = new Map<string, string>()): Schema {
    switch (f.type) {
      case 'object':
        return f.definition ? this.use(f.definition, () => this.object(f, f.definition!, recursion)) : this.object(f, enumName, recursion);
      case 'array': {
        if (f.recursiveRef && recursion.has(f.recursiveRef)) return { type: 'array', items: ref('definitions', recursion.get(f.recursiveRef)!) };
        const s: Schema = { type: 'array', items: f.items ? this.property(f.items, enumName, recursion) : {} };
        if (f.minItems !== undefined) s.minItems = f.minItems;
        if (f.items?.type === 'object') s['x-ms-identifiers'] = f.identifiers ?? [];
        return s;
      }
      case 'map':
        return { type: 'object', additionalProperties: f.values ? this.property(f.values, enumName, recursion) : {} };
      case 'any':
        return {};
      default:
        return this.scalar(f, enumName);
    }
  }

  /** An object's schema; `name` names the enums under it. A field-less object is free-form. */
  object(f: Field, name: string, recursion: Map<string, string>): Schema {
    const s: Schema = { ...(f.description ? { description: f.description } : {}), type: 'object' };
    if (!f.fields) return s;
    const properties: Record<string, Schema> = {};
    const required: string[] = [];
    for (const [key, child] of Object.entries(f.fields).sort(([a], [b]) => a.localeCompare(b))) {
      properties[key] = this.property(child, enumStem(name) + pascal(key), recursion);
      if (child.required) required.push(key);
    }
    s.properties = properties;
    if (required.length) s.required = required;
    return s;
  }

  private scalar(f: Field, enumName: string): Schema {
    const s: Schema = { type: f.type };
    if (f.format) s.format = f.format;
    if (f.enum) {
      s.enum = f.enum;
      s['x-ms-enum'] = { name: this.enumName(enumName, f.enum), modelAsString: f.extensible !== false };
    }
    for (const k of ['pattern', 'minLength', 'maxLength', 'minimum', 'maximum'] as const) if (f[k] !== undefined) s[k] = f[k];
    return s;
  }

  /** x-ms-enum names are unique per value set. */
  private enumName(name: string, values: string[]): string {
    const text = JSON.stringify(values);
    for (let n = 1; ; n++) {
      const candidate = n === 1 ? name : `${name}${n}`;
      const seen = this.enums.get(candidate);
      if (seen === undefined) this.enums.set(candidate, text);
      if (seen === undefined || seen === text) return candidate;
    }
  }

  /** Every definition, sorted by name. */
  all(): Record<string, Schema> {
    return Object.fromEntries([...this.bodies.keys()].sort().map((name) => [name, this.bodies.get(name)!]));
  }
}

// ------------------------------------------------------------------ parameters

function parameters(v: string): Record<string, Schema> {
  const method = { 'x-ms-parameter-location': 'method' };
  const params: Record<string, Schema> = {
    ApiVersionParameter: { name: 'api-version', in: 'query', required: true, type: 'string', minLength: 1, description: `The api-version of the request: ${v} for this document.` },
    SubscriptionIdParameter: { name: 'subscriptionId', in: 'path', required: true, type: 'string', format: 'uuid', description: 'The id of the subscription.' },
    ResourceGroupNameParameter: { name: 'resourceGroupName', in: 'path', required: true, type: 'string', minLength: 1, maxLength: 90, description: 'The name of the resource group (case-insensitive).', ...method },
    LocationParameter: { name: 'location', in: 'path', required: true, type: 'string', minLength: 1, description: 'The Azure region the operation runs in.', ...method },
    OperationIdParameter: { name: 'operationId', in: 'path', required: true, type: 'string', minLength: 1, description: 'The id of the long-running operation.', ...method },
    IfMatchParameter: { name: 'If-Match', in: 'header', required: false, type: 'string', description: 'Go ahead only if the resource\'s current etag matches this one (or * for any existing resource).', ...method },
    IfNoneMatchParameter: { name: 'If-None-Match', in: 'header', required: false, type: 'string', description: 'Go ahead only if the resource\'s current etag does not match this one (* to create only).', ...method },
    TopParameter: { name: '$top', in: 'query', required: false, type: 'integer', format: 'int32', description: 'The most items a page may hold.', ...method },
    SkipTokenParameter: { name: '$skipToken', in: 'query', required: false, type: 'string', description: 'Where the page starts: the opaque token of a nextLink.', ...method },
  };
  return Object.fromEntries(Object.entries(params).sort(([a], [b]) => a.localeCompare(b)));
}

/** A path parameter as the facts constrain it. */
function pathParameter(name: string, f: Field): Schema {
  const s: Schema = { name, in: 'path', required: true, type: 'string', description: `The ${name.replace(/Name$/, '').replace(/([A-Z])/g, ' $1').toLowerCase()} name.` };
  for (const k of ['pattern', 'minLength', 'maxLength'] as const) if (f[k] !== undefined) s[k] = f[k];
  if (f.enum) {
    s.enum = f.enum;
    s['x-ms-enum'] = { name: pascal(name), modelAsString: f.extensible !== false };
  }
  return s;
}

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

function operation(v: string, op: OpSpec): Operation {
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

const COMMON: Record<string, Schema> = {
  subscriptionId: ref('parameters', 'SubscriptionIdParameter'),
  resourceGroupName: ref('parameters', 'ResourceGroupNameParameter'),
};

/** The operations of one resource type at version v, in the facts' order. */
function typeOperations(t: TypeModel, vm: VersionModel, defs: Definitions): OpSpec[] {
  const plural = `${t.displayName}s`;
  const resourceName = t.definition;
  const resource = defs.type({ ...vm.get, definition: resourceName }, resourceName);
  const list = defs.use(`${resourceName}List`, () => ({
    type: 'object',
    properties: { nextLink: { type: 'string', description: 'The URL of the next page, when there is one.' }, value: { type: 'array', items: resource, 'x-ms-identifiers': ['id'] } },
  }));
  const etag: HeaderName[] = vm.etag ? ['ETag'] : [];
  const platformOwned = PLATFORM_OWNED.has(t.type);
  const rejected = ' Customer requests are refused (400 OperationNotAllowed): the platform manages the life cycle of this resource.';
  return vm.operations.map((o: GeneratedOperation): OpSpec => {
    const params: Schema[] = [ref('parameters', 'ApiVersionParameter')];
    for (const p of o.pathParams) params.push(COMMON[p.name] ?? pathParameter(p.name, p.field));
    if (o.query.some((q) => q.name === '$top')) params.push(ref('parameters', 'TopParameter'));
    if (o.query.some((q) => q.name === '$skipToken')) params.push(ref('parameters', 'SkipTokenParameter'));
    if (o.requestHeaders.includes('If-Match')) params.push(ref('parameters', 'IfMatchParameter'));
    if (o.requestHeaders.includes('If-None-Match')) params.push(ref('parameters', 'IfNoneMatchParameter'));
    const base = { path: o.path, operationId: o.operationId, tag: t.operationGroup, parameters: params };
    const body = (schema: Schema, description: string) => params.push({ name: o.body!.parameter, in: 'body', required: o.body!.required, schema, description });
    const lro = o.lro ? { via: o.lro.finalStateVia, schema: o.lro.finalStateVia === 'location' ? 'OperationStatusResult' : resourceName } : undefined;
    switch (o.method) {
      case 'GET':
        if (o.kind === 'collection') {
          const where = o.scope === 'subscription' ? 'subscription' : t.parent && o.path.split('/').length > 9 ? `parent ${t.parent}` : 'resource group';
          return { ...base, verb: 'get', pageable: true, description: `List the ${plural} of the ${where}.`, responses: { 200: response(`A page of ${plural}.`, list) } };
        }
        return { ...base, verb: 'get', description: `Get the ${t.displayName}.`, responses: { 200: response(`The ${t.displayName}.`, resource, etag) } };
      case 'PUT': {
        if (o.body) body(resource, `The ${t.displayName} to create, or the new state of an existing one.`);
        if (platformOwned) return { ...base, verb: 'put', description: `Create or replace a ${t.displayName}.${rejected}`, responses: {} };
        const started: HeaderName[] = ['Azure-AsyncOperation', 'Retry-After', ...etag];
        return { ...base, verb: 'put', lro, description: `Create a ${t.displayName} or replace an existing one. The work continues in the background; poll Azure-AsyncOperation.`,
          responses: { 200: response(`The ${t.displayName} was replaced; the update continues.`, resource, started), 201: response(`The ${t.displayName} was created; provisioning continues.`, resource, started) } };
      }
      case 'PATCH': {
        if (o.body) body(vm.patch ? defs.type({ ...vm.patch, definition: `${resourceName}PatchParameters` }, `${resourceName}Patch`) : { type: 'object' }, 'The changes: tags (replaced whole) and the properties a customer may change.');
        if (!o.lro) return { ...base, verb: 'patch', description: `Update the ${t.displayName}; the change is made at once.`, responses: { 200: response(`The updated ${t.displayName}.`, resource, etag) } };
        return { ...base, verb: 'patch', lro, description: `Update the ${t.displayName} (a JSON merge patch).`,
          responses: {
            200: response(`The update is done: the updated ${t.displayName}.`, resource, ['Azure-AsyncOperation', ...etag]),
            202: response('The update has started; poll Azure-AsyncOperation or Location.', undefined, ['Azure-AsyncOperation', 'Location', 'Retry-After', ...etag]),
          } };
      }
      case 'DELETE':
        if (platformOwned) return { ...base, verb: 'delete', description: `Delete a ${t.displayName}.${rejected}`, responses: {} };
        return { ...base, verb: 'delete', lro, description: `Delete the ${t.displayName}, and what it owns.`,
          responses: {
            202: response('The deletion has started; poll Location.', undefined, ['Location', 'Azure-AsyncOperation', 'Retry-After']),
            204: response(`There is no such ${t.displayName}: nothing to delete.`),
          } };
      default: {
        const action = vm.action(o.action!)!;
        if (o.body) body(action.body ? defs.type({ ...action.body, definition: `${resourceName}${action.operation}Parameters` }, `${resourceName}${action.operation}`) : { type: 'object' }, `What the ${action.name} action takes.`);
        const headers = (action.acceptedHeaders.filter((h) => h in HEADERS) as HeaderName[]);
        return { ...base, verb: 'post', lro, description: `Run the ${action.name} action on the ${t.displayName}. Long-running: poll Location; the result is an OperationStatusResult.`,
          responses: { 202: response('The action has started; poll Location.', undefined, headers.length ? headers : ['Location']) } };
      }
    }
  });
}

/** The types the spec of v covers: those the emulator serves at v. */
export function specTypes(v: string): TypeModel[] {
  return NETWORKCLOUD_TYPES.filter((t) => t.at(v) && SERVED_TYPES.has(t.type));
}

/** The OpenAPI 2.0 document of Microsoft.NetworkCloud at api-version v. */
export function buildSpec(v: ApiVersion | string): OpenApiDocument {
  const defs = new Definitions();
  const specs: OpSpec[] = [{
    verb: 'get', path: `/providers/${NAMESPACE}/operations`, operationId: 'Operations_List', tag: 'Operations', pageable: true,
    description: 'List the operations the provider offers.', parameters: [ref('parameters', 'ApiVersionParameter')],
    responses: { 200: response('The operations.', defs.type(OPERATION_LIST_RESULT, 'OperationListResult')) },
  }];
  for (const t of specTypes(v)) specs.push(...typeOperations(t, t.require(v), defs));
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
  const used = new Set(specs.flatMap((s) => s.parameters.map((p) => (typeof p.$ref === 'string' ? p.$ref.split('/').pop()! : ''))));
  return {
    swagger: '2.0',
    info: {
      title: 'Network Cloud (networkcloud-emulator)',
      description: `Microsoft.NetworkCloud (Azure Operator Nexus) at api-version ${v}, as the networkcloud-emulator serves it. Generated from the emulator's API model (rp/api/generated) by npm run specs; do not edit.`,
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
    parameters: Object.fromEntries(Object.entries(parameters(v)).filter(([k]) => used.has(k))),
  };
}

/** The document as committed: two-space JSON with a final newline. */
export function renderSpec(v: ApiVersion | string): string {
  return `${JSON.stringify(buildSpec(v), null, 2)}\n`;
}

export const specFile = (v: string) => `specs/${v}/networkcloud.json`;

// Kept for callers that describe list pages by hand.
export const listOf = (name: string, item: Field): Field => obj(`A page of ${name}.`, { nextLink: str('The URL of the next page.'), value: arr(`The ${name}.`, item) });
