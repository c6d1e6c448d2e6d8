/**
 * Microsoft.Authorization roleAssignments and roleDefinitions: extension resources that live under
 * any scope (`/`, a subscription, a resource group or a resource):
 *   {scope}/providers/Microsoft.Authorization/roleAssignments[/{guid}]   GET, PUT, DELETE, list
 *   {scope}/providers/Microsoft.Authorization/roleDefinitions[/{guid}]   GET, PUT, DELETE, list
 * The front door checks the caller's rights at the URL's scope (arm-access.ts); writing or deleting
 * a definition also needs them at every one of its assignable scopes, and a definition's GUID is
 * unique in the directory, so nobody widens a role by re-creating it somewhere they own.
 */
import { ArmError, errors } from '../../arm/errors.js';
import { sendJson } from '../../arm/http.js';
import { idKey, parseResourceId, UUID } from '../../arm/resource-id.js';
import { assertJsonObject } from '../../api/validate.js';
import type { EmulatorHost } from '../../host.js';
import type { ArmContext } from '../context.js';
import type { ExtensionHandler } from '../../host.js';
import { RESOURCES } from '../resource-store.js';
import { requireVersion } from '../router.js';
import {
  normaliseScope, ROLE_ASSIGNMENTS, ROLE_DEFINITIONS, roleDefinitionGuid, roleDefinitionOf, scopeCovers, storedAssignments,
  type RoleAssignment,
} from './rbac.js';
import { BUILT_IN_ROLES, builtInRole, type Permission, type RoleDefinition } from './roles.js';
import { authorizationFailed, callerCan } from './arm-access.js';

const NAMESPACE = 'Microsoft.Authorization';
export const ROLE_ASSIGNMENT_API_VERSIONS = [
  '2015-07-01', '2018-01-01-preview', '2018-09-01-preview', '2020-03-01-preview', '2020-04-01-preview',
  '2020-08-01-preview', '2020-10-01-preview', '2022-01-01-preview', '2022-04-01',
] as const;
export const ROLE_DEFINITION_API_VERSIONS = ['2015-07-01', '2018-01-01-preview', '2022-04-01', '2022-05-01-preview'] as const;
const PRINCIPAL_TYPES = ['User', 'Group', 'ServicePrincipal', 'ForeignGroup', 'Device'];

type Verb = string;

/** `{scope}/providers/Microsoft.Authorization/...`: '' for the tenant root. */
function prefixOf(scope: string): string {
  return scope === '/' ? '' : scope;
}

/** The scope a request names, checked: its subscription and group must exist, and so must a resource of a type the emulator serves. */
function requestScope(ctx: ArmContext): string {
  const { emu, path } = ctx;
  const scope = normaliseScope(path.scope);
  if (path.subscriptionId !== undefined) emu.requireSubscription(path.subscriptionId);
  if (path.resourceGroup !== undefined) emu.requireResourceGroup(path.subscriptionId!, path.resourceGroup);
  const resource = parseResourceId(scope);
  if (resource && emu.providers.handler(resource.namespace, resource.type) && !emu.store.get(RESOURCES, idKey(scope))) {
    throw errors.resourceNotFound(`${resource.namespace}/${resource.type}`, resource.name, resource.resourceGroup);
  }
  return scope;
}

function subscriptionOf(scope: string): string | undefined {
  return /^\/subscriptions\/([^/]+)/i.exec(scope)?.[1];
}

abstract class ExtensionType implements ExtensionHandler {
  abstract readonly fullType: string;
  abstract readonly apiVersions: readonly string[];

  constructor(protected readonly emu: EmulatorHost) {}

  async handle(ctx: ArmContext, verb: Verb): Promise<void> {
    const type = this.fullType.split('/')[1];
    requireVersion(ctx.apiVersion, this.apiVersions, NAMESPACE, type);
    const scope = requestScope(ctx);
    const name = ctx.path.names[0];
    if (name === undefined) {
      if (verb !== 'GET' && verb !== 'HEAD') throw errors.methodNotAllowed(`The ${verb} method is not supported here; use GET.`);
      return this.listAt(ctx, scope);
    }
    switch (verb) {
      case 'GET':
      case 'HEAD':
        return this.getAt(ctx, scope, name);
      case 'PUT':
        return this.putAt(ctx, scope, name);
      case 'DELETE':
        return this.deleteAt(ctx, scope, name);
      default:
        throw errors.methodNotAllowed(`The ${verb} method is not supported for the resource type '${this.fullType}'.`);
    }
  }

  protected abstract listAt(ctx: ArmContext, scope: string): Promise<void> | void;
  protected abstract getAt(ctx: ArmContext, scope: string, name: string): Promise<void> | void;
  protected abstract putAt(ctx: ArmContext, scope: string, name: string): Promise<void>;
  protected abstract deleteAt(ctx: ArmContext, scope: string, name: string): Promise<void>;

  get = (ctx: ArmContext) => this.handle(ctx, 'GET');
  list = (ctx: ArmContext) => this.handle(ctx, 'GET');
  put = (ctx: ArmContext) => this.handle(ctx, 'PUT');
  patch = (ctx: ArmContext) => this.handle(ctx, 'PATCH');
  delete = (ctx: ArmContext) => this.handle(ctx, 'DELETE');
  action = (ctx: ArmContext) => this.handle(ctx, 'POST');
}

// ---------------------------------------------------------------- $filter

interface AssignmentFilter {
  atScope: boolean;
  principalId?: string;
}

/** The $filter forms az and the SDKs send: atScope(), principalId eq '…', assignedTo('…'), joined by 'and'. */
export function parseAssignmentFilter(raw: unknown): AssignmentFilter {
  const out: AssignmentFilter = { atScope: false };
  if (raw === undefined || raw === '') return out;
  if (typeof raw !== 'string') throw errors.badRequest('InvalidFilter', 'The $filter query parameter may be given only once.');
  for (const clause of raw.split(/\s+and\s+/i).map((c) => c.trim())) {
    let m: RegExpExecArray | null;
    if (/^atScope\(\)$/i.test(clause)) out.atScope = true;
    else if ((m = /^principalId\s+eq\s+'([^']+)'$/i.exec(clause)) || (m = /^assignedTo\('([^']+)'\)$/i.exec(clause))) out.principalId = m[1].toLowerCase();
    else throw errors.badRequest('UnsupportedFilter', `The filter '${clause}' is not supported. Use atScope(), principalId eq '{id}' or assignedTo('{id}').`);
  }
  return out;
}

interface DefinitionFilter {
  roleName?: string;
  type?: string;
}

export function parseDefinitionFilter(raw: unknown): DefinitionFilter {
  const out: DefinitionFilter = {};
  if (raw === undefined || raw === '') return out;
  if (typeof raw !== 'string') throw errors.badRequest('InvalidFilter', 'The $filter query parameter may be given only once.');
  for (const clause of raw.split(/\s+and\s+/i).map((c) => c.trim())) {
    let m: RegExpExecArray | null;
    if ((m = /^roleName\s+eq\s+'((?:[^']|'')*)'$/i.exec(clause))) out.roleName = m[1].replace(/''/g, "'");
    else if ((m = /^type\s+eq\s+'([^']+)'$/i.exec(clause))) out.type = m[1];
    else throw errors.badRequest('UnsupportedFilter', `The filter '${clause}' is not supported. Use roleName eq '{name}' or type eq 'BuiltInRole'|'CustomRole'.`);
  }
  return out;
}

// ---------------------------------------------------------------- role assignments

export class RoleAssignments extends ExtensionType {
  readonly fullType = `${NAMESPACE}/roleAssignments`;
  readonly apiVersions = ROLE_ASSIGNMENT_API_VERSIONS;

  view(a: RoleAssignment): Record<string, unknown> {
    return {
      id: `${prefixOf(a.scope)}/providers/${NAMESPACE}/roleAssignments/${a.name}`,
      name: a.name,
      type: this.fullType,
      properties: {
        roleDefinitionId: a.roleDefinitionId,
        principalId: a.principalId,
        principalType: a.principalType,
        scope: a.scope,
        condition: a.condition ?? null,
        conditionVersion: a.conditionVersion ?? null,
        createdOn: a.createdOn,
        updatedOn: a.updatedOn,
        createdBy: a.createdBy,
        updatedBy: a.updatedBy,
        delegatedManagedIdentityResourceId: null,
        description: a.description ?? null,
      },
    };
  }

  protected listAt(ctx: ArmContext, scope: string): void {
    const filter = parseAssignmentFilter(ctx.req.query.$filter);
    const value = storedAssignments(this.emu.store)
      .filter((a) => (filter.atScope ? scopeCovers(a.scope, scope) : scopeCovers(a.scope, scope) || scopeCovers(scope, a.scope)))
      .filter((a) => !filter.principalId || a.principalId.toLowerCase() === filter.principalId)
      .sort((a, b) => a.createdOn.localeCompare(b.createdOn) || a.name.localeCompare(b.name))
      .map((a) => this.view(a));
    sendJson(ctx.res, 200, { value });
  }

  private find(scope: string, name: string): RoleAssignment | undefined {
    const a = this.emu.store.get<RoleAssignment>(ROLE_ASSIGNMENTS, name.toLowerCase());
    return a && a.scope.toLowerCase() === scope.toLowerCase() ? a : undefined;
  }

  protected getAt(ctx: ArmContext, scope: string, name: string): void {
    const a = this.find(scope, name);
    if (!a) throw new ArmError(404, 'RoleAssignmentNotFound', `The role assignment '${name}' is not found.`);
    sendJson(ctx.res, 200, this.view(a));
  }

  protected async putAt(ctx: ArmContext, scope: string, name: string): Promise<void> {
    const { emu } = ctx;
    if (!UUID.test(name)) throw errors.badRequest('InvalidRoleAssignmentId', `The role assignment ID '${name}' is not valid. The role assignment ID must be a GUID.`);
    const body = ctx.req.body as unknown;
    assertJsonObject(body);
    const props = body.properties as Record<string, unknown> | undefined;
    if (typeof props !== 'object' || props === null || Array.isArray(props)) throw errors.invalidRequestContent("The request body must have a 'properties' object.", 'properties');
    const roleDefinitionId = props.roleDefinitionId;
    const principalId = props.principalId;
    if (typeof roleDefinitionId !== 'string' || !roleDefinitionId) throw new ArmError(400, 'MissingRequiredProperty', "The property 'properties.roleDefinitionId' is required but was not supplied.", 'properties.roleDefinitionId');
    if (typeof principalId !== 'string' || !UUID.test(principalId)) {
      throw new ArmError(400, 'InvalidPrincipalId', `A valid principal ID must be provided for role assignment ('${String(principalId ?? '')}' is not a GUID).`, 'properties.principalId');
    }
    const guid = roleDefinitionGuid(roleDefinitionId);
    const role = guid ? roleDefinitionOf(emu.store, guid) : undefined;
    if (!guid || !role || !role.assignableScopes.some((s) => scopeCovers(s, scope))) {
      throw new ArmError(400, 'RoleDefinitionDoesNotExist', `The specified role definition with ID '${guid ?? roleDefinitionId}' does not exist.`);
    }
    let principalType = props.principalType;
    if (principalType !== undefined && (typeof principalType !== 'string' || !PRINCIPAL_TYPES.includes(principalType))) {
      throw errors.badRequest('InvalidPrincipalType', `The principal type '${String(principalType)}' is not valid. Use one of ${PRINCIPAL_TYPES.join(', ')}.`, 'properties.principalType');
    }
    if (principalType === undefined) {
      // As in Azure, naming the principal type skips the directory lookup (for principals created a moment ago).
      const principal = emu.principals.byObjectId(principalId);
      if (!principal) {
        throw new ArmError(400, 'PrincipalNotFound', `Principal ${principalId.replace(/-/g, '')} does not exist in the directory ${emu.tenantId}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.`);
      }
      principalType = principal.kind === 'User' ? 'User' : 'ServicePrincipal';
    }
    const roleDefinitionIdShown = `${subscriptionOf(scope) ? `/subscriptions/${subscriptionOf(scope)}` : ''}/providers/${NAMESPACE}/roleDefinitions/${guid}`;
    const existing = emu.store.get<RoleAssignment>(ROLE_ASSIGNMENTS, name.toLowerCase());
    if (existing) {
      const same = existing.scope.toLowerCase() === scope.toLowerCase()
        && existing.principalId.toLowerCase() === principalId.toLowerCase()
        && roleDefinitionGuid(existing.roleDefinitionId) === guid;
      if (!same) throw errors.badRequest('RoleAssignmentUpdateNotPermitted', 'Tenant ID, application ID, principal ID, and scope are not allowed to be updated.');
    } else {
      const duplicate = storedAssignments(emu.store).find((a) => a.scope.toLowerCase() === scope.toLowerCase()
        && a.principalId.toLowerCase() === principalId.toLowerCase() && roleDefinitionGuid(a.roleDefinitionId) === guid);
      if (duplicate) throw errors.conflict('RoleAssignmentExists', `The role assignment already exists. The ID of the existing role assignment is ${duplicate.name.replace(/-/g, '')}.`);
    }
    const now = emu.clock.iso();
    const assignment: RoleAssignment = {
      name: existing?.name ?? name.toLowerCase(),
      scope: existing?.scope ?? scope,
      roleDefinitionId: existing?.roleDefinitionId ?? roleDefinitionIdShown,
      principalId: principalId.toLowerCase(),
      principalType: principalType as string,
      description: typeof props.description === 'string' ? props.description : existing?.description ?? null,
      condition: typeof props.condition === 'string' ? props.condition : existing?.condition ?? null,
      conditionVersion: typeof props.conditionVersion === 'string' ? props.conditionVersion : existing?.conditionVersion ?? null,
      createdOn: existing?.createdOn ?? now,
      updatedOn: now,
      createdBy: existing?.createdBy ?? ctx.caller.objectId,
      updatedBy: ctx.caller.objectId,
    };
    await emu.store.put(ROLE_ASSIGNMENTS, assignment.name, assignment);
    sendJson(ctx.res, existing ? 200 : 201, this.view(assignment));
  }

  protected async deleteAt(ctx: ArmContext, scope: string, name: string): Promise<void> {
    const a = this.find(scope, name);
    if (!a) {
      sendJson(ctx.res, 204, undefined);
      return;
    }
    await this.emu.store.delete(ROLE_ASSIGNMENTS, a.name);
    sendJson(ctx.res, 200, this.view(a));
  }
}

// ---------------------------------------------------------------- role definitions

export class RoleDefinitions extends ExtensionType {
  readonly fullType = `${NAMESPACE}/roleDefinitions`;
  readonly apiVersions = ROLE_DEFINITION_API_VERSIONS;

  view(def: RoleDefinition, requestScope: string): Record<string, unknown> {
    const sub = subscriptionOf(requestScope) ?? (def.scope ? subscriptionOf(def.scope) : undefined);
    return {
      id: `${sub ? `/subscriptions/${sub}` : ''}/providers/${NAMESPACE}/roleDefinitions/${def.name}`,
      name: def.name,
      type: this.fullType,
      properties: {
        roleName: def.roleName,
        type: def.type,
        description: def.description,
        assignableScopes: def.assignableScopes,
        permissions: def.permissions,
        createdOn: def.createdOn,
        updatedOn: def.updatedOn,
        createdBy: def.createdBy,
        updatedBy: def.updatedBy,
      },
    };
  }

  private all(): RoleDefinition[] {
    return [...BUILT_IN_ROLES, ...this.emu.store.list<RoleDefinition>(ROLE_DEFINITIONS).sort((a, b) => a.createdOn.localeCompare(b.createdOn))];
  }

  protected listAt(ctx: ArmContext, scope: string): void {
    const filter = parseDefinitionFilter(ctx.req.query.$filter);
    const value = this.all()
      .filter((d) => d.type === 'BuiltInRole' || d.assignableScopes.some((s) => scopeCovers(s, scope) || scopeCovers(scope, s)))
      .filter((d) => !filter.roleName || d.roleName.toLowerCase() === filter.roleName.toLowerCase())
      .filter((d) => !filter.type || d.type.toLowerCase() === filter.type.toLowerCase())
      .map((d) => this.view(d, scope));
    sendJson(ctx.res, 200, { value });
  }

  protected getAt(ctx: ArmContext, scope: string, name: string): void {
    const def = UUID.test(name) ? roleDefinitionOf(this.emu.store, name) : undefined;
    if (!def) throw new ArmError(404, 'RoleDefinitionDoesNotExist', `The specified role definition with ID '${name}' does not exist.`);
    sendJson(ctx.res, 200, this.view(def, scope));
  }

  protected async putAt(ctx: ArmContext, scope: string, name: string): Promise<void> {
    const { emu } = ctx;
    if (!UUID.test(name)) throw errors.badRequest('InvalidRoleDefinitionId', `The role definition ID '${name}' is not valid. The role definition ID must be a GUID.`);
    if (builtInRole(name)) throw errors.badRequest('RoleDefinitionUpdateNotAllowed', `The role definition '${name}' is a built-in role and cannot be changed.`);
    const body = ctx.req.body as unknown;
    assertJsonObject(body);
    const props = body.properties as Record<string, unknown> | undefined;
    if (typeof props !== 'object' || props === null || Array.isArray(props)) throw errors.invalidRequestContent("The request body must have a 'properties' object.", 'properties');
    const roleName = props.roleName;
    if (typeof roleName !== 'string' || !roleName.trim()) throw new ArmError(400, 'MissingRequiredProperty', "The property 'properties.roleName' is required but was not supplied.", 'properties.roleName');
    const permissions = parsePermissions(props.permissions);
    const assignableScopes = props.assignableScopes;
    if (!Array.isArray(assignableScopes) || !assignableScopes.length || !assignableScopes.every((s) => typeof s === 'string' && s.startsWith('/'))) {
      throw errors.badRequest('InvalidAssignableScopes', 'properties.assignableScopes must be a non-empty array of scopes, such as /subscriptions/{id}.', 'properties.assignableScopes');
    }
    const taken = this.all().find((d) => d.name !== name.toLowerCase() && d.roleName.toLowerCase() === roleName.trim().toLowerCase());
    if (taken) throw errors.conflict('RoleDefinitionWithSameNameExists', `A role definition named '${roleName}' already exists in this directory (${taken.name}). Use a different name.`);
    const existing = emu.store.get<RoleDefinition>(ROLE_DEFINITIONS, name.toLowerCase());
    // A definition's id is unique in the directory: it is changed only where it was created.
    const home = existing ? definitionHome(existing) : undefined;
    if (existing && home!.toLowerCase() !== scope.toLowerCase()) {
      throw errors.conflict('RoleDefinitionWithSameNameExists', `A role definition cannot be updated with a name that already exists. The role definition '${existing.name}' was created at scope '${home}'; change it there, or use a new GUID.`);
    }
    const newScopes = (assignableScopes as string[]).map(normaliseScope);
    // Whoever writes a definition needs that right at every scope where it can be assigned, before and after the change.
    requireAtEvery(ctx, 'Microsoft.Authorization/roleDefinitions/write', [...newScopes, ...(existing?.assignableScopes ?? [])]);
    const now = emu.clock.iso();
    const def: RoleDefinition = {
      name: name.toLowerCase(),
      roleName: roleName.trim(),
      description: typeof props.description === 'string' ? props.description : '',
      type: 'CustomRole',
      permissions,
      assignableScopes: newScopes,
      createdOn: existing?.createdOn ?? now,
      updatedOn: now,
      createdBy: existing?.createdBy ?? ctx.caller.objectId,
      updatedBy: ctx.caller.objectId,
      scope,
    };
    await emu.store.put(ROLE_DEFINITIONS, def.name, def);
    sendJson(ctx.res, existing ? 200 : 201, this.view(def, scope));
  }

  protected async deleteAt(ctx: ArmContext, scope: string, name: string): Promise<void> {
    if (builtInRole(name)) throw errors.badRequest('RoleDefinitionUpdateNotAllowed', `The role definition '${name}' is a built-in role and cannot be deleted.`);
    const def = this.emu.store.get<RoleDefinition>(ROLE_DEFINITIONS, name.toLowerCase());
    if (!def) {
      sendJson(ctx.res, 204, undefined);
      return;
    }
    requireAtEvery(ctx, 'Microsoft.Authorization/roleDefinitions/delete', def.assignableScopes);
    const used = storedAssignments(this.emu.store).filter((a) => roleDefinitionGuid(a.roleDefinitionId) === def.name);
    if (used.length) throw errors.conflict('RoleDefinitionHasAssignments', `There are ${used.length} role assignment(s) referencing the role '${def.roleName}'; delete them first.`);
    await this.emu.store.delete(ROLE_DEFINITIONS, def.name);
    sendJson(ctx.res, 200, this.view(def, scope));
  }
}

/** Where a custom definition was created: its stored scope, else (older records) its first assignable scope. */
function definitionHome(def: RoleDefinition): string {
  return normaliseScope(def.scope ?? def.assignableScopes[0] ?? '/');
}

/** The caller must hold `action` at each of the scopes (the URL's scope alone is not enough). */
function requireAtEvery(ctx: ArmContext, action: string, scopes: readonly string[]): void {
  for (const scope of new Set(scopes.map((s) => normaliseScope(s)))) {
    if (!callerCan(ctx.emu, ctx.caller, action, scope)) throw authorizationFailed(ctx.caller, action, scope);
  }
}

function parsePermissions(raw: unknown): Permission[] {
  const bad = () => errors.badRequest('InvalidRoleDefinitionPermissions', 'properties.permissions must be an array of {actions, notActions, dataActions, notDataActions} objects whose members are arrays of strings.', 'properties.permissions');
  if (!Array.isArray(raw) || !raw.length) throw bad();
  return raw.map((p) => {
    if (typeof p !== 'object' || p === null || Array.isArray(p)) throw bad();
    const list = (key: string): string[] => {
      const v = (p as Record<string, unknown>)[key];
      if (v === undefined || v === null) return [];
      if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw bad();
      return v as string[];
    };
    return { actions: list('actions'), notActions: list('notActions'), dataActions: list('dataActions'), notDataActions: list('notDataActions') };
  });
}

export function authorizationHandlers(emu: EmulatorHost): ExtensionHandler[] {
  return [new RoleAssignments(emu), new RoleDefinitions(emu)];
}
