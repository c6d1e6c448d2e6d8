/**
 * The API surface of a resource type, version by version, as request handling uses it. Built from
 * the generated model (rp/api/generated/networkcloud.json, Microsoft.NetworkCloud) or from a
 * hand-written tree with `since` marks (other providers' small types). Hub and spoke: the stored
 * resource is version-less; each version's GET tree projects it, its PUT/PATCH trees validate and
 * filter what a request may write, and what a version cannot see carries over on PUT.
 */
import { readFileSync } from 'node:fs';
import { isObject, projectValue, type Json, type JsonObject } from './derive.js';
import type { GeneratedModel, GeneratedOperation, GeneratedType } from './model-types.js';
import type { ActionDef, Field, ResourceTypeDef } from './schema.js';
import type { ApiVersion } from './versions.js';

export type RequestMode = 'put' | 'patch';

/** One action (POST) of a type at one version. */
export interface ActionModel {
  /** Path segment, e.g. 'powerOff'. */
  name: string;
  /** Operation id suffix, e.g. 'PowerOff'. */
  operation: string;
  operationId: string;
  body?: Field;
  bodyRequired: boolean;
  /** Headers the 202 carries. */
  acceptedHeaders: string[];
  description?: string;
}

/** A type's surface at one api-version. */
export class VersionModel {
  readonly etag: boolean;
  readonly paging: boolean;
  readonly syncPatch: boolean;
  readonly retryAfterOnActions: boolean;
  readonly actions: ActionModel[];

  constructor(
    readonly version: string,
    /** The response tree: what this version shows. */
    readonly get: Field,
    /** The create-or-replace body; undefined where the type has no PUT. */
    readonly put: Field | undefined,
    readonly patch: Field | undefined,
    readonly operations: GeneratedOperation[],
    flags: { etag: boolean; paging: boolean; syncPatch: boolean; retryAfterOnActions: boolean; actions: ActionModel[] },
  ) {
    this.etag = flags.etag;
    this.paging = flags.paging;
    this.syncPatch = flags.syncPatch;
    this.retryAfterOnActions = flags.retryAfterOnActions;
    this.actions = flags.actions;
  }

  operation(method: string, kind: GeneratedOperation['kind'], action?: string): GeneratedOperation | undefined {
    return this.operations.find((o) => o.method === method && o.kind === kind && (action === undefined || o.action?.toLowerCase() === action.toLowerCase()));
  }

  action(name: string): ActionModel | undefined {
    return this.actions.find((a) => a.name.toLowerCase() === name.toLowerCase());
  }

  /** The stored resource as this version shows it: members it lacks and secrets left out. */
  view(hub: JsonObject): JsonObject {
    return projectValue(this.get, hub, this.version as ApiVersion) as JsonObject;
  }

  /** What a request may write: the members of the version's PUT or PATCH tree (read-only input is ignored). */
  writable(body: Json, mode: RequestMode): JsonObject {
    const tree = mode === 'put' ? this.put : this.patch;
    return (tree ? keepWritable(tree, body) : {}) as JsonObject;
  }

  /**
   * A PUT replaces what this version can write; everything else of the stored resource (read-only
   * state, members of other versions) carries over.
   */
  carryOver(stored: JsonObject, incoming: JsonObject): JsonObject {
    return this.put ? (carry(this.put, stored, incoming) as JsonObject) : incoming;
  }

  /** Dotted paths of every member this version shows (array items and map values add no segment). */
  paths(): string[] {
    return treePaths(this.get);
  }
}

/** What of `value` the request tree `tree` lets a client write. */
export const writableOf = (tree: Field, value: Json): Json | undefined => keepWritable(tree, value);

function keepWritable(tree: Field, value: Json | undefined): Json | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  switch (tree.type) {
    case 'object': {
      if (!isObject(value) || !tree.fields) return value;
      const out: JsonObject = {};
      for (const [key, child] of Object.entries(tree.fields)) {
        if (child.readOnly) continue;
        const kept = keepWritable(child, value[key]);
        if (kept !== undefined) out[key] = kept;
      }
      return out;
    }
    case 'array':
      return Array.isArray(value) && tree.items ? value.map((item) => (keepWritable(tree.items!, item) ?? null) as Json) : value;
    case 'map':
      return isObject(value) && tree.values ? Object.fromEntries(Object.entries(value).map(([k, item]) => [k, keepWritable(tree.values!, item) ?? null])) : value;
    default:
      return value;
  }
}

function carry(put: Field, stored: Json | undefined, incoming: Json | undefined): Json | undefined {
  if (put.type !== 'object' || !isObject(stored) || !put.fields) return incoming;
  const next: JsonObject = isObject(incoming) ? { ...incoming } : {};
  for (const [key, value] of Object.entries(stored)) {
    const child = put.fields[key];
    if (!child || child.readOnly) next[key] = value;
    else if (child.type === 'object' && key in next) next[key] = carry(child, value, next[key]) as Json;
  }
  if (!isObject(incoming) && Object.keys(next).length === 0) return incoming;
  return next;
}

export function treePaths(tree: Field, prefix = ''): string[] {
  const holder = tree.type === 'array' ? tree.items : tree.type === 'map' ? tree.values : tree;
  const out: string[] = [];
  for (const [key, child] of Object.entries(holder?.fields ?? {})) {
    const p = prefix ? `${prefix}.${key}` : key;
    out.push(p, ...treePaths(child, p));
  }
  return out;
}

/** create-only: x-ms-mutability has create but not update. */
export const isCreateOnly = (f: Field): boolean => !!f.mutability && f.mutability.includes('create') && !f.mutability.includes('update');

/** A resource type: where it lives, its name rules, and its surface at each api-version. */
export class TypeModel {
  /** Namespace/type path, e.g. 'Microsoft.NetworkCloud/clusters/bmcKeySets'. */
  readonly fullType: string;
  /** The last type segment, e.g. 'bmcKeySets'. */
  readonly segment: string;
  private readonly byVersion: Map<string, VersionModel>;
  private hubTree?: Field;

  constructor(
    readonly namespace: string,
    /** 'clusters', 'clusters/bmcKeySets' */
    readonly type: string,
    readonly scope: 'resourceGroup' | 'subscription',
    readonly operationGroup: string,
    readonly nameParameter: string,
    readonly name: Field,
    /** The instance path template. */
    readonly path: string,
    versions: VersionModel[],
    readonly displayName: string,
    readonly definition: string,
  ) {
    this.fullType = `${namespace}/${type}`;
    this.segment = type.split('/').pop()!;
    this.byVersion = new Map(versions.map((v) => [v.version, v]));
  }

  get parent(): string | undefined {
    return this.type.includes('/') ? this.type.split('/').slice(0, -1).join('/') : undefined;
  }

  get versions(): string[] {
    return [...this.byVersion.keys()];
  }

  at(version: string): VersionModel | undefined {
    return this.byVersion.get(version);
  }

  /** at(), for a version the router has already checked. */
  require(version: string): VersionModel {
    const m = this.byVersion.get(version);
    if (!m) throw new Error(`${this.fullType} has no api-version ${version}`);
    return m;
  }

  /** The version-less hub: the union of every version's GET tree (and PUT tree, for write-only members). */
  get hub(): Field {
    if (!this.hubTree) {
      let tree: Field = { type: 'object', fields: {} };
      for (const v of this.byVersion.values()) {
        tree = union(tree, v.get);
        if (v.put) tree = union(tree, v.put);
      }
      this.hubTree = tree;
    }
    return this.hubTree;
  }

  /** Every action any version has, by path segment. */
  allActions(): string[] {
    return [...new Set([...this.byVersion.values()].flatMap((v) => v.actions.map((a) => a.name)))];
  }
}

/** The union of two trees: every member of either; flags from the first that has the member. */
function union(a: Field, b: Field): Field {
  const out: Field = { ...a };
  if (b.secret) out.secret = true;
  if (a.fields || b.fields) {
    out.fields = { ...(a.fields ?? {}) };
    for (const [k, f] of Object.entries(b.fields ?? {})) out.fields[k] = out.fields[k] ? union(out.fields[k], f) : f;
  }
  if (a.items && b.items) out.items = union(a.items, b.items);
  else if (b.items) out.items = b.items;
  if (a.values && b.values) out.values = union(a.values, b.values);
  else if (b.values) out.values = b.values;
  return out;
}

// ------------------------------------------------------------------ from the generated model

const pascal = (s: string) => s[0].toUpperCase() + s.slice(1);

/** 'bareMetalMachines' -> 'bare metal machine'; 'clusters/bmcKeySets' -> 'BMC key set'. */
export function displayNameOf(type: string): string {
  const last = type.split('/').pop()!;
  const special: Record<string, string> = { bmcKeySets: 'BMC key set', l2Networks: 'L2 network', l3Networks: 'L3 network', rackSkus: 'rack SKU', metricsConfigurations: 'metrics configuration' };
  if (special[last]) return special[last];
  const words = last.replace(/([A-Z])/g, ' $1').toLowerCase().trim();
  return words.endsWith('ies') ? `${words.slice(0, -3)}y` : words.endsWith('s') ? words.slice(0, -1) : words;
}

function versionModel(model: GeneratedModel, v: string, gv: GeneratedType['versions'][string]): VersionModel {
  const get = model.trees[gv.get];
  const put = gv.put !== undefined ? model.trees[gv.put] : undefined;
  const patch = gv.patch !== undefined ? model.trees[gv.patch] : undefined;
  const ops = gv.operations.map((i) => model.operations[i]);
  const putOp = ops.find((o) => o.method === 'PUT' && o.kind === 'instance');
  const patchOp = ops.find((o) => o.method === 'PATCH' && o.kind === 'instance');
  const listOp = ops.find((o) => o.method === 'GET' && o.kind === 'collection');
  const actions: ActionModel[] = ops.filter((o) => o.kind === 'action').map((o) => ({
    name: o.action!,
    operation: o.operationId.split('_')[1],
    operationId: o.operationId,
    ...(o.body?.tree !== undefined ? { body: model.trees[o.body.tree] } : {}),
    bodyRequired: !!o.body?.required,
    acceptedHeaders: o.responses['202']?.headers ?? [],
  }));
  return new VersionModel(v, get, put, patch, ops, {
    etag: !!get.fields?.etag || !!putOp?.requestHeaders.includes('If-Match'),
    paging: !!listOp?.query.some((q) => q.name === '$top'),
    syncPatch: !!patchOp && !patchOp.lro,
    retryAfterOnActions: actions.some((a) => a.acceptedHeaders.includes('Retry-After')),
    actions,
  });
}

/** Prose names the facts do not carry: the definition names of the resources in specs/. */
const DEFINITIONS: Record<string, string> = {
  'clusters/metricsConfigurations': 'ClusterMetricsConfiguration',
  'kubernetesClusters/features': 'KubernetesClusterFeature',
};

function definitionOf(t: GeneratedType): string {
  if (DEFINITIONS[t.type]) return DEFINITIONS[t.type];
  const last = pascal(t.type.split('/').pop()!);
  return last.endsWith('ies') ? `${last.slice(0, -3)}y` : last.endsWith('s') ? last.slice(0, -1) : last;
}

export function typesOf(model: GeneratedModel): TypeModel[] {
  return model.types.map((t) => new TypeModel(
    model.namespace, t.type, t.scope, t.operationGroup, t.nameParameter, t.name, t.path,
    model.versions.filter((v) => t.versions[v]).map((v) => versionModel(model, v, t.versions[v])),
    displayNameOf(t.type), definitionOf(t),
  ));
}

let loaded: GeneratedModel | undefined;

/** The committed generated model (next to the sources, also when running from dist/). */
export function generatedModel(): GeneratedModel {
  if (!loaded) {
    const candidates = [new URL('./generated/networkcloud.json', import.meta.url), new URL('../../../rp/api/generated/networkcloud.json', import.meta.url)];
    let text: string | undefined;
    for (const c of candidates) {
      try {
        text = readFileSync(c, 'utf8');
        break;
      } catch {
        // try the next place
      }
    }
    if (text === undefined) throw new Error('rp/api/generated/networkcloud.json not found: run npm run sync-api');
    loaded = JSON.parse(text) as GeneratedModel;
  }
  return loaded;
}

// ------------------------------------------------------------------ from a hand-written tree

/** Keeps the members visible at v (by `since`), recursively. */
function treeAt(f: Field, v: ApiVersion, atLeast: (v: ApiVersion, since?: ApiVersion) => boolean, keep: (path: string, f: Field) => boolean = () => true, prefix = ''): Field {
  const out: Field = { ...f };
  if (f.createOnly) out.mutability = ['create', 'read'];
  if (f.fields) {
    out.fields = {};
    for (const [k, c] of Object.entries(f.fields)) {
      const p = prefix ? `${prefix}.${k}` : k;
      if (atLeast(v, c.since) && keep(p, c)) out.fields[k] = treeAt(c, v, atLeast, keep, p);
    }
  }
  if (f.items) out.items = treeAt(f.items, v, atLeast);
  if (f.values) out.values = treeAt(f.values, v, atLeast);
  return out;
}

function withoutRequired(f: Field): Field {
  const out: Field = { ...f };
  delete out.required;
  if (f.fields) out.fields = Object.fromEntries(Object.entries(f.fields).map(([k, c]) => [k, withoutRequired(c)]));
  if (f.items) out.items = withoutRequired(f.items);
  if (f.values) out.values = withoutRequired(f.values);
  return out;
}

/**
 * A hand-written type (KeyVault vaults, user-assigned identities) as a TypeModel with one surface,
 * served under each of its api-versions: GET = the tree at `modelVersion`, PUT = its writable part,
 * PATCH = the `patchable` paths.
 */
export function legacyType(def: ResourceTypeDef, resource: Field, apiVersions: readonly string[], modelVersion: ApiVersion, atLeast: (v: ApiVersion, since?: ApiVersion) => boolean, opts: { etag: boolean; paging: boolean }): TypeModel {
  const get = treeAt(resource, modelVersion, atLeast);
  const put = treeAt(resource, modelVersion, atLeast, (_p, f) => !f.readOnly);
  const patchable = new Set(def.patchable);
  // A hand-written PATCH never requires a member: everything in it is optional.
  const patch = withoutRequired(treeAt(resource, modelVersion, atLeast, (p, f) => !f.readOnly && [...patchable].some((x) => x === p || x.startsWith(`${p}.`) || p.startsWith(`${x}.`))));
  const actions = (def.actions as ActionDef[]).filter((a) => atLeast(modelVersion, a.since)).map((a) => ({
    name: a.name, operation: a.operation, operationId: `${def.operationGroup}_${a.operation}`, body: a.body, bodyRequired: !!a.bodyRequired, acceptedHeaders: ['Location'], description: a.description,
  }));
  const versions = apiVersions.map((v) => new VersionModel(v, get, put, patch, [], { etag: opts.etag, paging: opts.paging, syncPatch: !!def.syncPatch, retryAfterOnActions: true, actions }));
  const name: Field = { type: 'string', pattern: def.namePattern };
  return new TypeModel(def.namespace, def.type, 'resourceGroup', def.operationGroup, def.nameParameter, name, '', versions, def.displayName, def.definition);
}
