/** Shared by the contract tests: reading specs/, checking a document's structure, validating replies with ajv. */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../rp/api/emit-specs.js';
import { specFile, type OpenApiDocument, type Operation, type Schema } from '../../rp/api/openapi.js';
import type { ApiVersion } from '../../rp/api/versions.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export function committedSpec(v: ApiVersion): OpenApiDocument {
  return JSON.parse(readFileSync(path.join(REPO_ROOT, specFile(v)), 'utf8')) as OpenApiDocument;
}

export function operations(doc: OpenApiDocument): { path: string; verb: string; op: Operation }[] {
  return Object.entries(doc.paths).flatMap(([p, ops]) => Object.entries(ops).map(([verb, op]) => ({ path: p, verb, op })));
}

function walkJson(x: unknown, visit: (node: Record<string, unknown>, at: string) => void, at = '#'): void {
  if (Array.isArray(x)) x.forEach((item, i) => walkJson(item, visit, `${at}/${i}`));
  else if (x && typeof x === 'object') {
    visit(x as Record<string, unknown>, at);
    for (const [k, v] of Object.entries(x)) walkJson(v, visit, `${at}/${k}`);
  }
}

function resolvePointer(doc: unknown, pointer: string): unknown {
  return pointer.slice(2).split('/').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), doc);
}

/**
 * What is wrong with a document, as sentences (empty when nothing is): unresolved $refs (internal
 * and x-ms-examples files), operations without a 'default' ErrorResponse, duplicate operationIds,
 * path parameters that do not match the path, x-ms-enum names with two value sets, unused definitions.
 */
export function structuralProblems(doc: OpenApiDocument, v: ApiVersion): string[] {
  const problems: string[] = [];
  const referenced = new Set<string>();
  walkJson(doc, (node, at) => {
    if (typeof node.$ref !== 'string') return;
    const target = node.$ref;
    if (target.startsWith('#/')) {
      if (resolvePointer(doc, target) === undefined) problems.push(`${at}: $ref ${target} does not resolve`);
      if (target.startsWith('#/definitions/')) referenced.add(target.slice('#/definitions/'.length));
    } else if (!existsSync(path.resolve(path.dirname(path.join(REPO_ROOT, specFile(v))), target))) {
      problems.push(`${at}: $ref ${target} names a missing file`);
    }
  });
  for (const name of Object.keys(doc.definitions)) if (!referenced.has(name)) problems.push(`definition ${name} is never used`);

  const ids = new Map<string, number>();
  for (const { path: p, verb, op } of operations(doc)) {
    ids.set(op.operationId, (ids.get(op.operationId) ?? 0) + 1);
    const where = `${verb.toUpperCase()} ${p}`;
    const def = op.responses.default as Schema | undefined;
    if ((def?.schema as Schema | undefined)?.$ref !== '#/definitions/ErrorResponse') problems.push(`${where}: no 'default' ErrorResponse`);
    for (const [code, r] of Object.entries(op.responses)) if (typeof r.description !== 'string') problems.push(`${where} ${code}: no description`);
    const params = op.parameters.map((x) => (typeof x.$ref === 'string' ? (resolvePointer(doc, x.$ref) as Schema) : x));
    const inPath = new Set(params.filter((x) => x.in === 'path').map((x) => x.name as string));
    const inTemplate = new Set([...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]));
    for (const name of inTemplate) if (!inPath.has(name)) problems.push(`${where}: path parameter {${name}} is not declared`);
    for (const name of inPath) if (!inTemplate.has(name)) problems.push(`${where}: parameter ${name} is not in the path`);
    if (params.filter((x) => x.in === 'body').length > 1) problems.push(`${where}: more than one body parameter`);
    if (!params.some((x) => x.name === 'api-version')) problems.push(`${where}: no api-version parameter`);
    if (op['x-ms-long-running-operation'] && !(op['x-ms-long-running-operation-options'] as Schema | undefined)?.['final-state-via']) problems.push(`${where}: LRO without final-state-via`);
  }
  for (const [id, n] of ids) if (n > 1) problems.push(`operationId ${id} is used ${n} times`);

  const enums = new Map<string, string>();
  walkJson(doc, (node, at) => {
    const xe = node['x-ms-enum'] as { name?: string } | undefined;
    if (!xe?.name) return;
    const values = JSON.stringify(node.enum);
    const seen = enums.get(xe.name);
    if (seen === undefined) enums.set(xe.name, values);
    else if (seen !== values) problems.push(`${at}: x-ms-enum ${xe.name} has values ${values} here and ${seen} elsewhere`);
  });
  return problems;
}

/**
 * Response schemas made strict, for checking what the server sends: no member the document does
 * not list (a field leaking into a version that lacks it fails), and x-ms-secret members must be absent.
 */
function strictForResponses(definitions: Record<string, Schema>): Record<string, Schema> {
  const copy = structuredClone(definitions);
  walkJson(copy, (node) => {
    const props = node.properties as Record<string, Schema> | undefined;
    if (!props || node.type !== 'object') return;
    if (node.additionalProperties === undefined) node.additionalProperties = false;
    for (const [key, p] of Object.entries(props)) {
      if (p['x-ms-secret']) {
        props[key] = { not: {}, description: 'a secret: never returned' };
        if (Array.isArray(node.required)) node.required = node.required.filter((r: string) => r !== key);
      }
    }
  });
  return copy;
}

/** Validates reply bodies against a document's definitions. */
export class ResponseValidator {
  private readonly ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  private readonly id: string;
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(doc: OpenApiDocument) {
    addFormats(this.ajv);
    this.ajv.addFormat('arm-id', /^\/(subscriptions|providers)\/[^/]/i);
    for (const k of ['x-ms-enum', 'x-ms-secret', 'x-ms-mutability', 'x-ms-identifiers', 'x-nullable']) this.ajv.addKeyword(k);
    this.id = `urn:nce:spec:${String((doc.info as Schema).version)}`;
    this.ajv.addSchema({ $id: this.id, definitions: strictForResponses(doc.definitions) });
  }

  /** Problems of `body` against `schema` (a $ref into the document's definitions), as text; empty when valid. */
  check(schema: Schema, body: unknown): string[] {
    // An inline schema (e.g. the Location result, which is a resource or a status) is compiled as is.
    const ref = typeof schema.$ref === 'string' ? schema.$ref : JSON.stringify(schema);
    let fn = this.cache.get(ref);
    if (!fn) {
      fn = this.ajv.compile(typeof schema.$ref === 'string' ? { $ref: `${this.id}${ref}` } : schema);
      this.cache.set(ref, fn);
    }
    return fn(body) ? [] : (fn.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  }
}
