/**
 * `azemu role assignment create|list|delete` and `azemu role definition list`, following az's
 * role module: the scope from --scope / --resource-group / the subscription, a role name
 * resolved with `$filter=roleName eq '...'`, the search and client-side filters of
 * _search_role_assignments, the idempotent create, and the flattened SDK models with
 * roleDefinitionName and principalName filled in on lists.
 */
import { randomUUID } from 'node:crypto';
import { ArmResponseError, CliError } from '../../errors.js';
import type { CommandContext, Handler, Outcome } from '../../context.js';
import { flattenProperties } from '../../transform.js';
import type { RoleOp, Run } from '../types.js';

type RoleRun = Extract<Run, { handler: 'role' }>;
type Json = Record<string, unknown>;

const API = 'api-version=2022-04-01';
const AUTH = 'providers/Microsoft.Authorization';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const enc = encodeURIComponent;

export const run: Handler = async (ctx) => OPS[(ctx.command.run as RoleRun).op](ctx);

const OPS: Record<RoleOp, (ctx: CommandContext) => Promise<Outcome | void>> = {
  'assignment-create': createAssignment,
  'assignment-list': listAssignments,
  'assignment-delete': deleteAssignments,
  'definition-list': listDefinitions,
};

// ---- models -----------------------------------------------------------------------------------

const ASSIGNMENT_KEYS = [
  'condition', 'conditionVersion', 'createdBy', 'createdOn', 'delegatedManagedIdentityResourceId', 'description', 'id', 'name',
  'principalId', 'principalType', 'roleDefinitionId', 'scope', 'type', 'updatedBy', 'updatedOn',
];

function pick(source: Json, keys: string[]): Json {
  const out: Json = {};
  for (const key of keys) out[key] = source[key] ?? null;
  return out;
}

/** azure-mgmt-authorization's RoleAssignment, properties flattened. */
const assignmentModel = (a: unknown): Json => pick(flattenProperties(a) as Json, ASSIGNMENT_KEYS);

/** RoleDefinition: properties flattened, the API's properties.type is the model's roleType. */
function definitionModel(d: unknown): Json {
  const raw = d as Json;
  const props = (raw.properties ?? {}) as Json;
  const permissions = Array.isArray(props.permissions)
    ? (props.permissions as Json[]).map((p) => pick(p, ['actions', 'condition', 'conditionVersion', 'dataActions', 'notActions', 'notDataActions']))
    : null;
  return {
    ...pick(props, ['assignableScopes', 'createdBy', 'createdOn', 'description', 'roleName', 'updatedBy', 'updatedOn']),
    id: raw.id ?? null,
    name: raw.name ?? null,
    permissions,
    roleType: props.type ?? null,
    type: raw.type ?? null,
  };
}

/** az's transform_assignment_list / transform_definition_list. */
const assignmentTable = (result: unknown) => (result as Json[]).map((r) => ({ Principal: r.principalName, Role: r.roleDefinitionName, Scope: r.scope }));
const definitionTable = (result: unknown) => (result as Json[]).map((r) => ({ Name: r.roleName, Type: r.type, Description: r.description }));

// ---- scope, role, assignee ----------------------------------------------------------------------

/** az's _build_role_scope. */
function buildScope(ctx: CommandContext): string {
  const scope = ctx.values.scope as string | undefined;
  const rg = ctx.values.resourceGroup as string | undefined;
  const sub = `/subscriptions/${ctx.subscriptionId()}`;
  if (scope !== undefined) {
    if (rg !== undefined) throw new CliError(`Resource group "${rg}" is redundant because scope is supplied`);
    if (scope === '' || !scope.startsWith('/')) throw new CliError('Invalid scope. Please use --help to view the valid format.');
    return scope.length > 1 ? scope.replace(/\/+$/, '') : scope;
  }
  return rg !== undefined ? `${sub}/resourceGroups/${rg}` : sub;
}

const under = (scope: string, path: string) => `${scope === '/' ? '' : scope}/${path}`;
const guidOf = (id: unknown) => String(id ?? '').split('/').pop()!.toLowerCase();

/** az's _resolve_role_id: a role definition id, a GUID, or a role name looked up at the scope. */
async function resolveRoleId(ctx: CommandContext, role: string, scope: string): Promise<string> {
  if (/^\/subscriptions\/.+\/providers\/Microsoft\.Authorization\/roleDefinitions\//i.test(role)) return role;
  if (GUID.test(role)) return `/subscriptions/${ctx.subscriptionId()}/${AUTH}/roleDefinitions/${role}`;
  const filter = enc(`roleName eq '${role.replace(/'/g, "''")}'`);
  const { items } = await ctx.client().listAll(`${under(scope, `${AUTH}/roleDefinitions`)}?$filter=${filter}&${API}`);
  if (!items.length) throw new CliError(`Role '${role}' doesn't exist.`);
  if (items.length > 1) throw new CliError(`More than one role matches the given name '${role}'. Please pick a value from '${JSON.stringify(items.map((r) => (r as Json).id))}'`);
  return String((items[0] as Json).id);
}

/**
 * az resolves --assignee through Microsoft Graph (UPN, SPN, app id, object id). The emulator has
 * no Graph: an object id is taken as it is, and the logged-in client id (the one app id azemu
 * knows) becomes its object id, read from its token.
 */
async function assigneeObjectId(ctx: CommandContext, assignee: string): Promise<string> {
  if (!GUID.test(assignee)) {
    throw new CliError(`Cannot find user or service principal in graph database for '${assignee}'. The emulator has no Microsoft Graph: give the principal's object id (a GUID).`);
  }
  const client = ctx.client();
  if (assignee.toLowerCase() === client.profile.clientId.toLowerCase()) return (await client.callerObjectId()).toLowerCase();
  return assignee.toLowerCase();
}

// ---- create -------------------------------------------------------------------------------------

async function createAssignment(ctx: CommandContext): Promise<Outcome> {
  const v = ctx.values;
  const assignee = v.assignee as string | undefined;
  const objectIdGiven = v.assigneeObjectId as string | undefined;
  if ((assignee === undefined) === (objectIdGiven === undefined)) throw new CliError('usage error: --assignee STRING | --assignee-object-id GUID');
  if (v.assigneePrincipalType !== undefined && objectIdGiven === undefined) throw new CliError('usage error: --assignee-object-id GUID --assignee-principal-type TYPE');
  let conditionVersion = v.conditionVersion as string | undefined;
  if (v.condition !== undefined && conditionVersion === undefined) conditionVersion = '2.0';
  if (conditionVersion !== undefined && v.condition === undefined) throw new CliError('usage error: When --condition-version is set, --condition must be set as well.');
  const name = (v.assignmentName as string | undefined) ?? randomUUID();
  if (!GUID.test(name)) throw new CliError(`argument --name: '${name}' is not a GUID`);

  const scope = buildScope(ctx);
  const roleDefinitionId = await resolveRoleId(ctx, String(v.role), scope);
  const principalId = objectIdGiven ?? (await assigneeObjectId(ctx, assignee!));
  const properties: Json = { roleDefinitionId, principalId };
  if (v.assigneePrincipalType !== undefined) properties.principalType = v.assigneePrincipalType;
  if (v.description !== undefined) properties.description = v.description;
  if (v.condition !== undefined) properties.condition = v.condition;
  if (conditionVersion !== undefined) properties.conditionVersion = conditionVersion;
  try {
    const created = await ctx.client().json('PUT', `${under(scope, `${AUTH}/roleAssignments/${name}`)}?${API}`, { body: { properties } });
    return { result: assignmentModel(created) };
  } catch (err) {
    // az is idempotent here: the existing assignment is printed instead
    if (!(err instanceof ArmResponseError) || err.error?.code !== 'RoleAssignmentExists') throw err;
    const existing = await searchAssignments(ctx, { scope, assignee: principalId, role: roleDefinitionId });
    if (!existing.length) throw err;
    return { result: existing[0] };
  }
}

// ---- list -------------------------------------------------------------------------------------

interface Search {
  /** undefined: the whole subscription (--all) */
  scope?: string;
  assignee?: string;
  role?: string;
  includeInherited?: boolean;
  includeGroups?: boolean;
}

/** az's _search_role_assignments. */
async function searchAssignments(ctx: CommandContext, s: Search): Promise<Json[]> {
  const client = ctx.client();
  let path: string;
  if (s.scope !== undefined) {
    const filter = s.assignee && s.includeGroups ? `assignedTo('${s.assignee}')` : 'atScope()';
    path = `${under(s.scope, `${AUTH}/roleAssignments`)}?$filter=${enc(filter)}&${API}`;
  } else {
    const filter = s.assignee ? (s.includeGroups ? `assignedTo('${s.assignee}')` : `principalId eq '${s.assignee}'`) : undefined;
    path = `/subscriptions/${ctx.subscriptionId()}/${AUTH}/roleAssignments?${filter ? `$filter=${enc(filter)}&` : ''}${API}`;
  }
  let assignments = (await client.listAll(path)).items.map(assignmentModel);
  if (s.scope !== undefined) {
    const scope = s.scope.toLowerCase();
    // at the scope, or (--include-inherited) at a scope above it
    const above = (at: string) => at === '/' || scope.startsWith(`${at}/`);
    assignments = assignments.filter((a) => {
      const at = String(a.scope).toLowerCase();
      return at === scope || (s.includeInherited === true && above(at));
    });
  }
  if (s.role) {
    const roleId = await resolveRoleId(ctx, s.role, s.scope ?? `/subscriptions/${ctx.subscriptionId()}`);
    assignments = assignments.filter((a) => guidOf(a.roleDefinitionId) === guidOf(roleId));
  }
  if (s.assignee && !s.includeGroups) assignments = assignments.filter((a) => String(a.principalId).toLowerCase() === s.assignee);
  return assignments;
}

async function listAssignments(ctx: CommandContext): Promise<Outcome> {
  const v = ctx.values;
  if (v.all && (v.scope !== undefined || v.resourceGroup !== undefined)) throw new CliError('group or scope are not required when --all is used');
  const scope = v.all ? undefined : buildScope(ctx);
  const results = await searchAssignments(ctx, {
    scope,
    assignee: v.assignee !== undefined ? await assigneeObjectId(ctx, String(v.assignee)) : undefined,
    role: v.role as string | undefined,
    includeInherited: v.includeInherited === true,
    includeGroups: v.includeGroups === true,
  });
  if (results.length && v.fillRoleDefinitionName !== false) {
    const { items } = await ctx.client().listAll(`${under(scope ?? `/subscriptions/${ctx.subscriptionId()}`, `${AUTH}/roleDefinitions`)}?${API}`);
    const names = new Map(items.map((d) => [guidOf((d as Json).name), String(((d as Json).properties as Json).roleName)]));
    for (const r of results) r.roleDefinitionName = names.get(guidOf(r.roleDefinitionId)) ?? null;
  }
  // az fills principalName from Microsoft Graph; the emulator has none, so it stays empty (az's value for an unresolved principal)
  if (v.fillPrincipalName !== false) for (const r of results) r.principalName = '';
  return { result: results, tableTransformer: assignmentTable };
}

// ---- delete -----------------------------------------------------------------------------------

async function deleteAssignments(ctx: CommandContext): Promise<void> {
  const v = ctx.values;
  const client = ctx.client();
  const ids = (v.ids as string[] | undefined) ?? [];
  if (ids.length) {
    if (v.assignee !== undefined || v.role !== undefined || v.resourceGroup !== undefined || v.scope !== undefined || v.includeInherited) {
      throw new CliError('When assignment ids are used, other parameter values are not required');
    }
    for (const id of ids) await client.arm('DELETE', `${id}?${API}`);
    return;
  }
  if (v.assignee === undefined && v.role === undefined && v.resourceGroup === undefined && v.scope === undefined && !v.yes) {
    // az: prompt_y_n(..., default="n"); "no" deletes nothing and prints nothing
    if (!(await confirmAll())) return;
  }
  const assignments = await searchAssignments(ctx, {
    scope: buildScope(ctx),
    assignee: v.assignee !== undefined ? await assigneeObjectId(ctx, String(v.assignee)) : undefined,
    role: v.role as string | undefined,
    includeInherited: v.includeInherited === true,
  });
  if (!assignments.length) throw new CliError('No matched assignments were found to delete');
  for (const a of assignments) await client.arm('DELETE', `${String(a.id)}?${API}`);
}

async function confirmAll(): Promise<boolean> {
  if (!process.stdin.isTTY) throw new CliError('Unable to prompt for confirmation as no tty available. Use --yes.');
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question('This will delete all role assignments under the subscription. Are you sure? (y/N): ');
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
}

// ---- definitions ------------------------------------------------------------------------------

async function listDefinitions(ctx: CommandContext): Promise<Outcome> {
  const scope = buildScope(ctx);
  const { items } = await ctx.client().listAll(`${under(scope, `${AUTH}/roleDefinitions`)}?${API}`);
  let roles = items.map(definitionModel);
  const name = ctx.values.name as string | undefined;
  if (name !== undefined) roles = roles.filter((r) => r.name === name || r.roleName === name);
  if (ctx.values.customRoleOnly) roles = roles.filter((r) => r.roleType === 'CustomRole');
  return { result: roles, tableTransformer: definitionTable };
}
