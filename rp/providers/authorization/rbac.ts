/**
 * Role assignments as stored, and the RBAC decision: does a principal hold, through any assignment
 * at the target scope or above it, a role whose permissions allow an action? The decision is a
 * pure function of the assignments and definitions; the store readers sit beside it. ARM calls
 * (arm-access.ts), the Key Vault data plane and the secret archive all decide through it.
 */
import { builtInRole, type Permission, type RoleDefinition } from './roles.js';
import type { Store } from '../../store/store.js';

export const ROLE_ASSIGNMENTS = 'roleAssignments';
export const ROLE_DEFINITIONS = 'roleDefinitions';

export interface RoleAssignment {
  /** The GUID that is the assignment's name. */
  name: string;
  /** Where it applies, as given ('/' for the tenant root). */
  scope: string;
  roleDefinitionId: string;
  principalId: string;
  principalType: string;
  description?: string | null;
  condition?: string | null;
  conditionVersion?: string | null;
  createdOn: string;
  updatedOn: string;
  createdBy: string | null;
  updatedBy: string | null;
}

export interface Decision {
  allowed: boolean;
  /** The assignment that granted it, when allowed. */
  assignment?: RoleAssignment;
  role?: RoleDefinition;
}

const ROLE_DEFINITION_ID = /(?:^|\/)providers\/Microsoft\.Authorization\/roleDefinitions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** The GUID at the end of a role definition id (any scope's form), or undefined. */
export function roleDefinitionGuid(roleDefinitionId: string): string | undefined {
  return ROLE_DEFINITION_ID.exec(roleDefinitionId.trim())?.[1]?.toLowerCase();
}

/** '/subscriptions/x/' -> '/subscriptions/x'; '' -> '/'. */
export function normaliseScope(scope: string): string {
  const trimmed = scope.trim().replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

/** True when an assignment at `assignmentScope` applies at `target` (the same scope or one below it). */
export function scopeCovers(assignmentScope: string, target: string): boolean {
  const a = normaliseScope(assignmentScope).toLowerCase();
  const t = normaliseScope(target).toLowerCase();
  return a === '/' || a === t || t.startsWith(`${a}/`);
}

/**
 * Azure's action patterns: case-insensitive, '*' matches any run of characters (slashes included).
 * Matched piece by piece without regular expressions: the text between the stars must appear in
 * order, the first piece at the start and the last at the end. Taking each middle piece at its
 * leftmost place is always right for '*'-only globs, so every piece is looked for once and the
 * work grows with the length of the action, whatever the pattern (no backtracking, no ReDoS).
 */
export function actionMatches(pattern: string, action: string): boolean {
  let pieces = patternCache.get(pattern);
  if (!pieces) {
    pieces = pattern.toLowerCase().split('*');
    if (patternCache.size > 10_000) patternCache.clear();
    patternCache.set(pattern, pieces);
  }
  return globPiecesMatch(pieces, action.toLowerCase());
}

/** `pieces` is a lower-cased pattern split at its stars; `text` is lower-cased. */
function globPiecesMatch(pieces: readonly string[], text: string): boolean {
  if (pieces.length === 1) return pieces[0] === text;
  const first = pieces[0];
  const last = pieces[pieces.length - 1];
  if (first.length + last.length > text.length || !text.startsWith(first) || !text.endsWith(last)) return false;
  let at = first.length;
  const end = text.length - last.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const piece = pieces[i];
    if (!piece) continue;
    const found = text.indexOf(piece, at);
    if (found < 0 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

/** Split action patterns: role definitions repeat the same few on every check. */
const patternCache = new Map<string, string[]>();

/** Whether one permission block allows the action (control-plane or data-plane). */
export function permissionAllows(p: Permission, action: string, dataAction: boolean): boolean {
  const allow = dataAction ? p.dataActions : p.actions;
  const deny = dataAction ? p.notDataActions : p.notActions;
  return allow.some((a) => actionMatches(a, action)) && !deny.some((a) => actionMatches(a, action));
}

export function roleAllows(role: RoleDefinition, action: string, dataAction: boolean): boolean {
  return role.permissions.some((p) => permissionAllows(p, action, dataAction));
}

/** The RBAC decision for one principal, scope and action. */
export function decide(input: {
  assignments: readonly RoleAssignment[];
  definitionOf: (roleDefinitionId: string) => RoleDefinition | undefined;
  principalId: string;
  scope: string;
  action: string;
  dataAction: boolean;
}): Decision {
  const principal = input.principalId.toLowerCase();
  for (const assignment of input.assignments) {
    if (assignment.principalId.toLowerCase() !== principal || !scopeCovers(assignment.scope, input.scope)) continue;
    const role = input.definitionOf(assignment.roleDefinitionId);
    if (role && roleAllows(role, input.action, input.dataAction)) return { allowed: true, assignment, role };
  }
  return { allowed: false };
}

// ---------------------------------------------------------------- store readers

export function storedAssignments(store: Store): RoleAssignment[] {
  return store.list<RoleAssignment>(ROLE_ASSIGNMENTS);
}

/** A built-in role, or a custom one stored by the roleDefinitions API. */
export function roleDefinitionOf(store: Store, roleDefinitionId: string): RoleDefinition | undefined {
  const guid = roleDefinitionGuid(roleDefinitionId) ?? roleDefinitionId.toLowerCase();
  return builtInRole(guid) ?? store.get<RoleDefinition>(ROLE_DEFINITIONS, guid);
}

/** Does the principal hold a role allowing `dataAction` at `scope` (or above)? */
export function checkDataAction(store: Store, principalId: string, scope: string, dataAction: string): Decision {
  return decide({
    assignments: storedAssignments(store),
    definitionOf: (id) => roleDefinitionOf(store, id),
    principalId,
    scope,
    action: dataAction,
    dataAction: true,
  });
}
