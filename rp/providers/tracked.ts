/**
 * The ARM behaviour every tracked resource type shares, driven by its model: GET, LIST with
 * nextLink paging, PUT (create or replace), PATCH (merge), DELETE and POST actions, with etags,
 * preconditions, systemData, provisioningState and long-running operations. A type adds only
 * its own rules through hooks.
 */
import { cloneJson, isObject, mergePatch, resourceField, type Json, type JsonObject } from '../api/derive.js';
import { isCreateOnly, legacyType, TypeModel, type ActionModel, type VersionModel } from '../api/model.js';
import type { Field, ResourceTypeDef } from '../api/schema.js';
import { assertJsonObject, validateActionBody, validateBody } from '../api/validate.js';
import { atLeast, type ApiVersion } from '../api/versions.js';
import { ArmError, errors } from '../arm/errors.js';
import { checkPreconditions, newEtag } from '../arm/etag.js';
import { ViewCache } from './view-cache.js';
import { headerValue, sendJson, sendJsonText } from '../arm/http.js';
import type { OperationRecord } from '../arm/operations.js';
import { decodeSkipToken, DEFAULT_PAGE_SIZE, encodeSkipToken, paginate, parseTop } from '../arm/paging.js';
import { idKey, resourceId } from '../arm/resource-id.js';
import { assertValidTags } from '../arm/tags.js';
import type { EmulatorHost } from '../host.js';
import { resourceLockKey } from '../arm/locks.js';
import type { StoreOp } from '../store/store.js';
import { callerCan } from './authorization/arm-access.js';
import type { ArmContext, TypeHandler } from './context.js';
import { RESOURCES, type StoredResource, systemDataFor } from './resource-store.js';

export interface WriteContext extends ArmContext {
  /** The surface of the api-version the request speaks. */
  version: VersionModel;
  existing?: StoredResource;
}

export interface TrackedHooks {
  /** Fills the service-owned fields of a resource being created. */
  initialize?(hub: JsonObject, ctx: WriteContext): void | Promise<void>;
  /** Semantic checks and derived fields for a resource about to be written (after PUT or PATCH). */
  prepare?(hub: JsonObject, ctx: WriteContext): void | Promise<void>;
  /** Runs when a PUT or PATCH operation completes. */
  afterWrite?(hub: JsonObject, emu: EmulatorHost): void | Promise<void>;
  /** Checks before a DELETE starts; throw to refuse. */
  beforeDelete?(stored: StoredResource, ctx: ArmContext): void | Promise<void>;
  /** Removes what the resource owns when its DELETE completes. */
  afterDelete?(stored: StoredResource, emu: EmulatorHost): void | Promise<void>;
  /**
   * Store changes that go with the resource's removal, in the same commit: whenever it is deleted,
   * by its own DELETE or with its resource group (e.g. a vault moving to deletedVaults).
   */
  deleteOps?(stored: StoredResource, emu: EmulatorHost): StoreOp[];
  /** Per action: checks at the request, and the effect when the operation completes. */
  actions?: Record<string, ActionHooks>;
  /** provisioningState while a PUT or PATCH of an existing resource runs. */
  updatingState?: string;
}

export interface ActionHooks {
  accept?(stored: StoredResource, body: JsonObject, ctx: ArmContext): void | Promise<void>;
  finish(stored: StoredResource, body: JsonObject, emu: EmulatorHost, op: OperationRecord): Promise<JsonObject | void> | JsonObject | void;
}

/**
 * References between a provider's resources (rp/providers/networkcloud/references.ts): checked on
 * write, protecting what is in use from deletion, and the read-only state derived from who uses whom.
 */
export interface ReferencePolicy {
  /** Throws an ArmError when a reference the write adds does not resolve to a usable resource. */
  check(type: TypeModel, hub: JsonObject, existing: JsonObject | undefined): void;
  /** Throws 409 when other resources still use the one to be deleted. */
  checkNotInUse(type: TypeModel, stored: StoredResource): void;
  /** The resource with its derived members filled in and a key that changes with them; undefined: none. */
  derived(stored: StoredResource): { hub: JsonObject; key: string } | undefined;
}

export interface TrackedOptions {
  /** A hand-written type: the api-versions it answers (the generated ones know theirs). */
  apiVersions?: readonly string[];
  /** A hand-written type: the `since` version its one surface is cut at. */
  modelVersion?: ApiVersion;
  locations?: string[];
  /** PUT and DELETE complete within the request (no long-running operation), as for identities. */
  synchronous?: boolean;
  /**
   * Properties only some of the served api-versions have: dot path from the top (e.g.
   * 'properties.publicNetworkAccess') to the first api-version, in `apiVersions` order, that has it.
   * Older versions neither show nor accept them. For types whose model is not versioned by ApiVersion.
   */
  versionedFields?: Record<string, string>;
  /** Customers may not create or delete it: the platform owns its lifecycle (machines, appliances). */
  platformOwned?: boolean;
  /** A read-only catalogue: the entries of a subscription (and group), computed on each read. */
  catalogue?: (emu: EmulatorHost, subscriptionId: string, group?: string) => StoredResource[];
  /** References to other resources: checked on write and delete, derived state on read. */
  references?: ReferencePolicy;
}

const LEGACY_MODEL_VERSION: ApiVersion = '2026-07-01';

export class TrackedResourceType implements TypeHandler {
  readonly fullType: string;
  readonly apiVersions: readonly string[];
  readonly locations?: string[];
  readonly def: TypeModel;

  constructor(
    type: TypeModel | ResourceTypeDef,
    private readonly hooks: TrackedHooks,
    private readonly options: TrackedOptions = {},
  ) {
    this.def = type instanceof TypeModel
      ? type
      : legacyType(type, resourceField(type), options.apiVersions ?? [], options.modelVersion ?? LEGACY_MODEL_VERSION, atLeast, { etag: true, paging: true });
    this.fullType = this.def.fullType;
    this.apiVersions = this.def.versions;
    this.locations = options.locations;
    this.scope = this.def.scope;
  }

  readonly scope: 'resourceGroup' | 'subscription';

  /** The surface of the api-version a request speaks (the router has checked it is one of ours). */
  private at(apiVersion: string): VersionModel {
    return this.def.require(apiVersion);
  }

  /** Registers this type's operation finishers with the emulator's operation engine. */
  registerFinishers(emu: EmulatorHost): void {
    const ops = emu.operations;
    ops.register(`${this.fullType}:write`, async (op) => {
      const stored = this.find(emu, op.resourceId);
      if (!stored) throw new ArmError(404, 'ResourceNotFound', `The resource '${op.resourceId}' was deleted before its operation completed.`);
      const hub = cloneJson(stored.resource);
      setProvisioningState(hub, 'Succeeded');
      await this.hooks.afterWrite?.(hub, emu);
      await this.save(emu, stored, hub, true);
    });
    ops.register(`${this.fullType}:delete`, async (op) => {
      const stored = this.find(emu, op.resourceId);
      if (!stored) return;
      await this.hooks.afterDelete?.(stored, emu);
      await emu.store.batch(this.removalOps(stored, emu));
    });
    for (const action of this.def.allActions()) {
      ops.register(`${this.fullType}:${action}`, async (op) => {
        const stored = this.find(emu, op.resourceId);
        if (!stored) throw new ArmError(404, 'ResourceNotFound', `The resource '${op.resourceId}' no longer exists.`);
        const hook = this.hooks.actions?.[action];
        const props = hook ? await hook.finish(stored, (op.args ?? {}) as JsonObject, emu, op) : undefined;
        return { properties: props ?? { exitCode: '0' } };
      });
    }
  }

  // ------------------------------------------------------------------ reads

  async get(ctx: ArmContext): Promise<void> {
    const stored = this.require(ctx);
    if (ctx.req.method === 'HEAD') {
      sendJson(ctx.res, 204, undefined);
      return;
    }
    sendJsonText(ctx.res, 200, this.viewText(stored, ctx.apiVersion), this.etagHeader(stored, ctx.apiVersion));
  }

  /**
   * The serialised view of a resource at an api-version, cached per stored object and etag for the
   * most recently read resources (a bounded cache): every write stores a new object, so a cached
   * text is never stale. Keeps GET of a hot resource cheap without a second copy of the whole store.
   */
  private viewText(stored: StoredResource, apiVersion: string): Buffer {
    // Derived members (who uses the resource) change without the resource changing: they are part of the key.
    const derived = this.options.references?.derived(stored);
    const key = derived ? `${String(stored.resource.etag ?? '')}|${derived.key}` : String(stored.resource.etag ?? '');
    return viewCache.text(stored, key, apiVersion, () => Buffer.from(JSON.stringify(this.projected(derived?.hub ?? stored.resource, apiVersion))));
  }

  async list(ctx: ArmContext): Promise<void> {
    const { emu, path } = ctx;
    const group = path.resourceGroup;
    if (group !== undefined) emu.requireResourceGroup(path.subscriptionId!, group);
    let items: StoredResource[];
    if (this.catalogue) {
      items = this.catalogue(emu, path.subscriptionId!, group);
    } else if (this.def.parent) {
      // A child type is listed under its parent, which must exist.
      const parent = this.requireParent(ctx);
      const prefix = `${idKey(parent.id)}/`;
      items = listResources(emu, this.fullType, path.subscriptionId!, group).filter((r) => idKey(r.id).startsWith(prefix));
    } else {
      // Across a subscription, a caller sees the resources it may read; in a group, the route already checked.
      items = listResources(emu, this.fullType, path.subscriptionId!, group).filter((r) => group !== undefined || callerCan(emu, ctx.caller, `${this.fullType}/read`, r.id));
    }
    const version = this.at(ctx.apiVersion);
    const top = version.paging ? parseTop(ctx.req.query.$top) : undefined;
    const skip = typeof ctx.req.query.$skipToken === 'string' ? decodeSkipToken(ctx.req.query.$skipToken) : 0;
    const pageSize = top ?? emu.pageSize;
    const page = paginate(items, skip, pageSize, (offset) => {
      const url = new URL(ctx.req.originalUrl, emu.endpoint);
      url.searchParams.set('$skipToken', encodeSkipToken(offset));
      return url.toString();
    });
    sendJson(ctx.res, 200, { value: page.value.map((r) => this.view(r, ctx.apiVersion)), ...(page.nextLink ? { nextLink: page.nextLink } : {}) });
  }

  // ------------------------------------------------------------------ writes

  put(ctx: ArmContext): Promise<void> {
    return this.exclusive(ctx, () => this.putLocked(ctx));
  }

  private async putLocked(ctx: ArmContext): Promise<void> {
    const { emu, path, req } = ctx;
    const version = this.at(ctx.apiVersion);
    this.requireOperation(ctx, version, 'PUT');
    if (this.options.platformOwned) throw platformOwnedError(this.def, 'create or replace');
    const name = path.names[path.names.length - 1];
    this.checkName(name);
    assertJsonObject(req.body);
    const id = this.idOf(ctx);
    const existing = this.find(emu, id);
    if (existing) keepStoredSecrets(this.def.hub, req.body as Json, existing.resource);
    this.checkVersionedFields(req.body, ctx.apiVersion);
    validateBody(this.def, version, 'put', req.body);
    assertValidTags((req.body as JsonObject).tags);
    this.checkPreconditions(ctx, version, existing);
    if (existing) this.checkIdle(existing, emu);
    const wctx: WriteContext = { ...ctx, version, existing };
    let hub = version.writable(req.body as Json, 'put');
    if (existing) {
      this.checkCreateOnly(existing.resource, hub, version);
      hub = version.carryOver(existing.resource, hub);
    }
    const now = emu.clock.iso();
    hub = {
      ...hub,
      id: existing?.id ?? id,
      name: existing ? (existing.resource.name as string) : name,
      type: this.fullType,
      systemData: systemDataFor(ctx.caller, now, existing?.resource.systemData as JsonObject | undefined) as unknown as Json,
    };
    if (!isObject(hub.properties)) hub.properties = {};
    // References are request validation (400): checked before any behaviour's conflict checks (409).
    this.options.references?.check(this.def, hub, existing?.resource);
    if (!existing) await this.hooks.initialize?.(hub, wctx);
    await this.hooks.prepare?.(hub, wctx);
    if (this.options.synchronous) {
      const saved = await emu.store.transaction(async () => {
        await this.hooks.afterWrite?.(hub, emu);
        return this.save(emu, existing ?? newRecord(id, this.fullType, emu), hub, true);
      });
      sendJson(ctx.res, existing ? 200 : 201, this.view(saved, ctx.apiVersion), this.etagHeader(saved, ctx.apiVersion));
      return;
    }
    setProvisioningState(hub, existing ? (this.hooks.updatingState ?? 'Accepted') : 'Accepted');
    // The resource's new state and the operation that finishes it are one commit (see rp/arm/operations.ts).
    const { record, op } = await emu.store.transaction(async () => {
      const record = await this.save(emu, existing ?? newRecord(id, this.fullType, emu), hub, true);
      return { record, op: await this.startOperation(ctx, record, 'put', `${this.fullType}:write`, null) };
    });
    const current = this.find(emu, record.id) ?? record;
    sendJson(ctx.res, existing ? 200 : 201, this.view(current, ctx.apiVersion), {
      ...this.etagHeader(current, ctx.apiVersion),
      'Azure-AsyncOperation': emu.operations.statusUrl(emu.endpoint, op, ctx.apiVersion, 'operationStatuses'),
      'Retry-After': '1',
    });
  }

  patch(ctx: ArmContext): Promise<void> {
    return this.exclusive(ctx, () => this.patchLocked(ctx));
  }

  private async patchLocked(ctx: ArmContext): Promise<void> {
    const { emu, req } = ctx;
    if (this.catalogue) throw platformOwnedError(this.def, 'update');
    const stored = this.require(ctx);
    const version = this.at(ctx.apiVersion);
    this.requireOperation(ctx, version, 'PATCH');
    // No body at all is an empty patch; anything sent must be a JSON object.
    const body = req.body === undefined ? {} : req.body;
    assertJsonObject(body);
    this.checkVersionedFields(body, ctx.apiVersion);
    validateBody(this.def, version, 'patch', body);
    assertValidTags((body as JsonObject).tags);
    this.checkPreconditions(ctx, version, stored);
    this.checkIdle(stored, emu);
    const wctx: WriteContext = { ...ctx, version, existing: stored };
    const changes = version.writable(body as Json, 'patch');
    delete changes.location;
    delete changes.extendedLocation;
    const hub = mergePatch(stored.resource, changes) as JsonObject;
    hub.systemData = systemDataFor(ctx.caller, emu.clock.iso(), stored.resource.systemData as JsonObject) as unknown as Json;
    this.options.references?.check(this.def, hub, stored.resource);
    await this.hooks.prepare?.(hub, wctx);
    if (version.syncPatch || this.options.synchronous) {
      const saved = await this.save(emu, stored, hub, true);
      sendJson(ctx.res, 200, this.view(saved, ctx.apiVersion), this.etagHeader(saved, ctx.apiVersion));
      return;
    }
    setProvisioningState(hub, this.hooks.updatingState ?? 'Accepted');
    const { saved, op } = await emu.store.transaction(async () => {
      const saved = await this.save(emu, stored, hub, true);
      return { saved, op: await this.startOperation(ctx, saved, 'patch', `${this.fullType}:write`, null) };
    });
    const current = this.find(emu, saved.id) ?? saved;
    const headers = {
      ...this.etagHeader(current, ctx.apiVersion),
      'Azure-AsyncOperation': emu.operations.statusUrl(emu.endpoint, op, ctx.apiVersion, 'operationStatuses'),
    };
    if (op.status !== 'InProgress') {
      sendJson(ctx.res, 200, this.view(current, ctx.apiVersion), headers);
      return;
    }
    sendJson(ctx.res, 202, undefined, {
      ...headers,
      Location: emu.operations.statusUrl(emu.endpoint, op, ctx.apiVersion, 'operationResults'),
      'Retry-After': '1',
    });
  }

  delete(ctx: ArmContext): Promise<void> {
    return this.exclusive(ctx, () => this.deleteLocked(ctx));
  }

  private async deleteLocked(ctx: ArmContext): Promise<void> {
    const { emu, path } = ctx;
    const version = this.at(ctx.apiVersion);
    this.requireOperation(ctx, version, 'DELETE');
    if (this.options.platformOwned) throw platformOwnedError(this.def, 'delete');
    const id = this.idOf(ctx);
    const stored = this.find(emu, id);
    this.checkPreconditions(ctx, version, stored);
    if (!stored) {
      sendJson(ctx.res, 204, undefined);
      return;
    }
    this.checkIdle(stored, emu);
    this.options.references?.checkNotInUse(this.def, stored);
    await this.hooks.beforeDelete?.(stored, ctx);
    if (this.options.synchronous) {
      await emu.store.transaction(async () => {
        await this.hooks.afterDelete?.(stored, emu);
        await emu.store.batch(this.removalOps(stored, emu));
      });
      sendJson(ctx.res, 200, undefined);
      return;
    }
    const op = await this.startOperation(ctx, stored, 'delete', `${this.fullType}:delete`, null);
    sendJson(ctx.res, 202, undefined, {
      Location: emu.operations.statusUrl(emu.endpoint, op, ctx.apiVersion, 'operationResults'),
      'Azure-AsyncOperation': emu.operations.statusUrl(emu.endpoint, op, ctx.apiVersion, 'operationStatuses'),
      'Retry-After': '1',
    });
  }

  action(ctx: ArmContext, name: string): Promise<void> {
    return this.exclusive(ctx, () => this.actionLocked(ctx, name));
  }

  private async actionLocked(ctx: ArmContext, name: string): Promise<void> {
    const { emu, req } = ctx;
    const version = this.at(ctx.apiVersion);
    const action = version.action(name);
    if (!action) {
      throw new ArmError(404, 'NotFound', `The ${this.def.displayName} has no action '${name}' at api-version '${ctx.apiVersion}'.`);
    }
    const stored = this.require(ctx);
    this.checkIdle(stored, emu);
    const body = normaliseActionBody(action, req.body);
    validateActionBody(this.def, version, action, body);
    // What the action's acceptance changes (e.g. a cluster becoming Deploying) commits with its operation.
    const op = await emu.store.transaction(async () => {
      await this.hooks.actions?.[action.name]?.accept?.(stored, body, ctx);
      return this.startOperation(ctx, stored, action.name, `${this.fullType}:${action.name}`, body);
    });
    const headers: Record<string, string> = { Location: emu.operations.statusUrl(emu.endpoint, op, ctx.apiVersion, 'operationResults') };
    if (action.acceptedHeaders.includes('Retry-After')) headers['Retry-After'] = '1';
    sendJson(ctx.res, 202, undefined, headers);
  }

  // ------------------------------------------------------------------ helpers

  /** What else the store loses (or gains) when this resource goes, e.g. with its resource group. */
  cascadeOps(stored: StoredResource, emu: EmulatorHost): StoreOp[] {
    return this.hooks.deleteOps?.(stored, emu) ?? [];
  }

  /** The resource, every resource nested under its id (child types go with their parent), and its cascade. */
  private removalOps(stored: StoredResource, emu: EmulatorHost): StoreOp[] {
    const prefix = `${idKey(stored.id)}/`;
    const children: StoreOp[] = emu.store.entries<StoredResource>(RESOURCES).filter(([key]) => key.startsWith(prefix)).map(([key]) => ({ op: 'delete', collection: RESOURCES, key }));
    return [...children, { op: 'delete', collection: RESOURCES, key: idKey(stored.id) }, ...this.cascadeOps(stored, emu)];
  }

  /** Refuses properties the request's api-version does not have (see TrackedOptions.versionedFields). */
  private checkVersionedFields(body: unknown, apiVersion: string): void {
    for (const path of this.absentAt(apiVersion)) {
      if (getPath(body, path) !== undefined) {
        throw errors.invalidRequestContent(`The property '${path}' is not available in api-version '${apiVersion}'; it needs a later version.`, path);
      }
    }
  }

  /** The versioned fields `apiVersion` lacks. */
  private absentAt(apiVersion: string): string[] {
    const fields = this.options.versionedFields;
    if (!fields) return [];
    const order = this.apiVersions.indexOf(apiVersion);
    return Object.entries(fields).filter(([, since]) => order < this.apiVersions.indexOf(since)).map(([path]) => path);
  }

  /** Serialises writes to one resource (by its lower-cased path up to the name). */
  protected exclusive(ctx: ArmContext, work: () => Promise<void>): Promise<void> {
    return ctx.emu.writeLock.run(resourceLockKey(this.idOf(ctx, false)), work);
  }

  /**
   * The id a request path names, with the model's type segments; the parent's casing when it
   * exists. `strict` checks the group (and parent) exist: 404 otherwise.
   */
  private idOf(ctx: ArmContext, strict = true): string {
    const { emu, path } = ctx;
    const segments = this.def.type.split('/');
    const name = path.names[segments.length - 1];
    if (this.def.parent) {
      const parent = strict ? this.requireParent(ctx) : undefined;
      const parentId = parent?.id ?? this.scopeOf(ctx, false) + segments.slice(0, -1).map((s, i) => `/${s}/${path.names[i]}`).join('');
      return `${parentId}/${segments[segments.length - 1]}/${name}`;
    }
    void emu;
    return `${this.scopeOf(ctx, strict)}/${segments[0]}/${name}`;
  }

  /** '/subscriptions/{s}[/resourceGroups/{g}]/providers/{ns}', in the group's stored casing. */
  private scopeOf(ctx: ArmContext, strict: boolean): string {
    const { emu, path } = ctx;
    if (this.def.scope === 'subscription') return `/subscriptions/${path.subscriptionId}/providers/${this.def.namespace}`;
    const group = strict ? emu.requireResourceGroup(path.subscriptionId!, path.resourceGroup!) : { subscriptionId: path.subscriptionId!, name: path.resourceGroup! };
    return `/subscriptions/${group.subscriptionId}/resourceGroups/${group.name}/providers/${this.def.namespace}`;
  }

  /** The parent resource of a child type's request: 404 ParentResourceNotFound when it does not exist. */
  private requireParent(ctx: ArmContext): StoredResource {
    const { emu, path } = ctx;
    const segments = this.def.type.split('/').slice(0, -1);
    const parentId = this.scopeOf(ctx, true) + segments.map((s, i) => `/${s}/${path.names[i]}`).join('');
    const parent = this.find(emu, parentId);
    if (!parent) {
      throw new ArmError(404, 'ParentResourceNotFound', `Can not perform requested operation on nested resource. Parent resource '${path.names.slice(0, segments.length).join('/')}' not found.`);
    }
    return parent;
  }

  /** A verb the version's facts do not list for this type (a catalogue's PUT) is not allowed. */
  private requireOperation(ctx: ArmContext, version: VersionModel, method: string): void {
    if (this.def.scope === 'resourceGroup' && !this.def.path) return; // hand-written types list no operations
    if (!version.operation(method, 'instance')) {
      throw errors.methodNotAllowed(`The ${method} method is not supported for the resource type '${this.fullType}' at api-version '${version.version}'.`);
    }
  }

  /** The resource as the client's api-version shows it. */
  view(stored: StoredResource, apiVersion: string): JsonObject {
    return this.projected(this.options.references?.derived(stored)?.hub ?? stored.resource, apiVersion);
  }

  private projected(hub: JsonObject, apiVersion: string): JsonObject {
    const out = this.at(apiVersion).view(hub);
    for (const path of this.absentAt(apiVersion)) deletePath(out, path);
    return out;
  }

  viewById(emu: EmulatorHost, id: string, apiVersion: string): JsonObject | undefined {
    const stored = this.find(emu, id);
    return stored ? this.view(stored, apiVersion) : undefined;
  }

  find(emu: EmulatorHost, id: string): StoredResource | undefined {
    if (this.catalogue) {
      const parts = id.split('/');
      const group = parts[3]?.toLowerCase() === 'resourcegroups' ? parts[4] : undefined;
      return this.catalogue(emu, parts[2], group).find((r) => idKey(r.id) === idKey(id));
    }
    return emu.store.get<StoredResource>(RESOURCES, idKey(id));
  }

  /** A read-only catalogue (rackSkus, kubernetesVersions): its entries are computed, not stored. */
  private get catalogue(): TrackedOptions['catalogue'] {
    return this.options.catalogue;
  }

  private require(ctx: ArmContext): StoredResource {
    const stored = this.find(ctx.emu, this.idOf(ctx));
    if (!stored) throw errors.resourceNotFound(this.fullType, ctx.path.names[ctx.path.names.length - 1], ctx.path.resourceGroup ?? '');
    return stored;
  }

  private checkName(name: string): void {
    const rule = this.def.name;
    if (rule.pattern && !new RegExp(rule.pattern).test(name)) throw errors.invalidResourceName(name, this.fullType, rule.pattern);
    if (rule.enum && !rule.enum.some((e) => e.toLowerCase() === name.toLowerCase())) throw errors.invalidResourceName(name, this.fullType, `one of ${rule.enum.join(', ')}`);
    if ((rule.minLength !== undefined && name.length < rule.minLength) || (rule.maxLength !== undefined && name.length > rule.maxLength)) {
      throw errors.invalidResourceName(name, this.fullType, `${rule.minLength ?? 1} to ${rule.maxLength ?? 'any number of'} characters`);
    }
  }

  private checkPreconditions(ctx: ArmContext, version: VersionModel, stored: StoredResource | undefined): void {
    if (!version.etag) return;
    checkPreconditions(headerValue(ctx.req, 'if-match'), headerValue(ctx.req, 'if-none-match'), stored?.resource.etag as string | undefined);
  }

  private checkIdle(stored: StoredResource, emu?: EmulatorHost): void {
    if (emu?.operations.inProgressFor(stored.id).some((op) => op.verb === 'delete')) {
      throw errors.conflict('AnotherOperationInProgress', `The ${this.def.displayName} '${stored.resource.name as string}' is being deleted.`);
    }
    const state = (stored.resource.properties as JsonObject | undefined)?.provisioningState;
    if (state === 'Accepted' || state === 'Updating' || state === 'Provisioning' || state === 'Validating') {
      throw errors.conflict('AnotherOperationInProgress', `The ${this.def.displayName} '${stored.resource.name as string}' is busy with another operation (provisioningState ${state as string}); try again when it has finished.`);
    }
  }

  /**
   * Fields that may be set on create but never changed (x-ms-mutability create+read, as the
   * version's response tree states it); omitted ones keep their stored value.
   */
  private checkCreateOnly(stored: JsonObject, incoming: JsonObject, version: VersionModel): void {
    const walk = (fields: Record<string, Field>, a: JsonObject, b: JsonObject, prefix: string, inherited: boolean) => {
      for (const [key, f] of Object.entries(fields)) {
        if (f.readOnly) continue;
        const createOnly = inherited || isCreateOnly(f);
        if (!(key in a)) {
          // Setting a create-only member the resource was created without is a change too.
          if (createOnly && key in b && b[key] !== null) throw this.createOnlyError(prefix ? `${prefix}.${key}` : key);
          continue;
        }
        // Omitting a create-only value on update keeps it: it cannot change, so there is nothing to clear.
        if (!(key in b)) {
          if (createOnly) b[key] = a[key];
          continue;
        }
        const p = prefix ? `${prefix}.${key}` : key;
        if (f.type === 'object' && f.fields && isObject(a[key]) && isObject(b[key])) {
          walk(f.fields, a[key] as JsonObject, b[key] as JsonObject, p, createOnly);
          continue;
        }
        if (createOnly && canonical(withoutReadOnly(f, a[key])) !== canonical(withoutReadOnly(f, b[key]))) {
          if (key === 'location') {
            throw errors.badRequest('InvalidResourceLocation', `The resource '${a.name as string}' already exists in location '${a.location as string}'. A resource with the same name cannot be created in location '${b.location as string}'. Please select a new resource name.`, 'location');
          }
          throw this.createOnlyError(p);
        }
      }
    };
    walk(version.get.fields ?? {}, stored, incoming, '', false);
  }

  private createOnlyError(p: string): ArmError {
    return errors.badRequest('PropertyChangeNotAllowed', `Changing property '${p}' is not allowed: it can only be set when the ${this.def.displayName} is created.`, p);
  }

  private etagHeader(stored: StoredResource, apiVersion: string): Record<string, string> {
    return this.at(apiVersion).etag && typeof stored.resource.etag === 'string' ? { ETag: stored.resource.etag } : {};
  }

  /** Writes the resource with a new etag; resolves once durable. */
  async save(emu: EmulatorHost, record: StoredResource, hub: JsonObject, bumpEtag: boolean): Promise<StoredResource> {
    if (bumpEtag || !hub.etag) hub.etag = newEtag();
    const next: StoredResource = { ...record, resource: hub };
    await emu.store.put(RESOURCES, idKey(record.id), next);
    return next;
  }

  private startOperation(ctx: ArmContext, stored: StoredResource, verb: string, finisher: string, args: Json): Promise<OperationRecord> {
    return ctx.emu.operations.start({
      subscriptionId: ctx.path.subscriptionId!,
      namespace: this.def.namespace,
      location: normaliseLocation(String(stored.resource.location ?? 'global')),
      resourceId: stored.id,
      verb,
      finisher,
      args,
    });
  }
}

function getPath(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, key) => (isObject(v as Json) ? (v as JsonObject)[key] : undefined), value);
}

function deletePath(value: JsonObject, path: string): void {
  const keys = path.split('.');
  const last = keys.pop()!;
  const holder = keys.reduce<unknown>((v, key) => (isObject(v as Json) ? (v as JsonObject)[key] : undefined), value);
  if (isObject(holder as Json)) delete (holder as JsonObject)[last];
}

/** A value's JSON with object keys sorted and case folded: ARM compares ids and names case-insensitively. */
function canonical(value: Json | undefined): string {
  const sort = (v: Json | undefined): Json | undefined =>
    Array.isArray(v) ? v.map((x) => sort(x) as Json) : isObject(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort(v[k]) as Json])) : v;
  return JSON.stringify(sort(value) ?? null).toLowerCase();
}

/**
 * Secrets are never returned, so a client that GETs a resource and PUTs it back cannot send them.
 * On update, a secret the request leaves out keeps its stored value (array items pair up by index).
 */
export function keepStoredSecrets(field: Field, incoming: Json | undefined, stored: Json | undefined): void {
  if (field.type === 'object' && isObject(incoming) && isObject(stored)) {
    for (const [key, child] of Object.entries(field.fields ?? {})) {
      if (child.secret && incoming[key] === undefined && stored[key] !== undefined) incoming[key] = stored[key];
      else keepStoredSecrets(child, incoming[key], stored[key]);
    }
  } else if (field.type === 'array' && Array.isArray(incoming) && Array.isArray(stored)) {
    incoming.forEach((item, i) => keepStoredSecrets(field.items!, item, stored[i]));
  }
}

/** Bounded: the most recently read resources' views (see view-cache.ts). */
const viewCache = new ViewCache<StoredResource>();

export function setProvisioningState(hub: JsonObject, state: string): void {
  const props = isObject(hub.properties) ? hub.properties : (hub.properties = {});
  props.provisioningState = state;
}

export function normaliseLocation(location: string): string {
  return location.toLowerCase().replace(/\s+/g, '');
}

function newRecord(id: string, fullType: string, emu: EmulatorHost): StoredResource {
  return { id, type: fullType, seq: emu.nextSeq(), resource: {} };
}

/** A value without its read-only and secret members (what a client can send back). */
function withoutReadOnly(f: Field, value: Json | undefined): Json | undefined {
  if (value === undefined || value === null) return value;
  if (f.type === 'object' && f.fields && isObject(value)) {
    return Object.fromEntries(Object.entries(value).filter(([k]) => !f.fields![k]?.readOnly && !f.fields![k]?.secret).map(([k, v]) => [k, withoutReadOnly(f.fields![k] ?? { type: 'any' }, v) as Json]));
  }
  if (f.type === 'array' && f.items && Array.isArray(value)) return value.map((x) => withoutReadOnly(f.items!, x) as Json);
  return value;
}

function normaliseActionBody(action: ActionModel, body: unknown): JsonObject {
  const empty = body === undefined || body === null || (typeof body === 'object' && Object.keys(body as object).length === 0);
  if (empty) {
    if (action.bodyRequired) throw errors.invalidRequestContent(`The action '${action.name}' needs a request body.`);
    return {};
  }
  assertJsonObject(body);
  return body as JsonObject;
}

function platformOwnedError(def: TypeModel, what: string): ArmError {
  return errors.badRequest(
    'OperationNotAllowed',
    `Customers cannot ${what} a ${def.displayName}: the platform manages its lifecycle. ${def.displayName[0].toUpperCase()}${def.displayName.slice(1)}s are created when their cluster is deployed.`,
  );
}

/** Resources of one type in a subscription (and optionally one group), oldest first. */
export function listResources(emu: EmulatorHost, fullType: string, subscriptionId: string, group?: string): StoredResource[] {
  const prefix = group ? `/subscriptions/${subscriptionId}/resourcegroups/${group}/`.toLowerCase() : `/subscriptions/${subscriptionId}/`.toLowerCase();
  const type = fullType.toLowerCase();
  return emu.store
    .entries<StoredResource>(RESOURCES)
    .filter(([key, r]) => key.startsWith(prefix) && r.type.toLowerCase() === type)
    .map(([, r]) => r)
    .sort((a, b) => a.seq - b.seq);
}

export { DEFAULT_PAGE_SIZE };
