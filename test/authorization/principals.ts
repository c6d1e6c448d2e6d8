/**
 * Test principals: service principals made through /_emulator/principals (as the demo principal,
 * the administrator), their tokens from the emulator's own token endpoint, and role assignments
 * made through the public RBAC API.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Client } from '../helpers/emulator.js';

export const ROLES = {
  owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  reader: 'acdd72a7-3c48-4e46-9046-4b40c0c4b0bd',
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
  operatorNexusKeyVaultWriter: '44f0a1a8-6fea-4b35-980a-8ff50c487c97',
  emulatorAdministrator: '2ea6d607-de6d-46d8-9acf-1e0f7b6fffcc',
} as const;
export type RoleName = keyof typeof ROLES;

export const RA_API = '2022-04-01';

export interface TestPrincipal {
  objectId: string;
  clientId: string;
  tenantId: string;
  clientSecret: string;
  token: string;
}

/** A new service principal (made by the administrator client) with an ARM token. */
export async function newPrincipal(admin: Client, tenantId?: string): Promise<TestPrincipal> {
  const r = await admin.post('/_emulator/principals', { displayName: 'test principal', ...(tenantId ? { tenantId } : {}) });
  expect(r.status, r.text).to.equal(201);
  const p = r.body as Omit<TestPrincipal, 'token'>;
  return { ...p, token: await tokenFor(admin, p) };
}

export async function tokenFor(client: Client, p: { clientId: string; clientSecret: string; tenantId: string }): Promise<string> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: p.clientId, client_secret: p.clientSecret, scope: 'https://management.azure.com/.default' });
  const r = await client.send('POST', `/${p.tenantId}/oauth2/v2.0/token`, undefined, { token: false, raw: form.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  expect(r.status, r.text).to.equal(200);
  return r.body.access_token;
}

/** PUTs a role assignment through the RBAC API (as `token`, by default the client's own principal). */
export async function grant(client: Client, principalId: string, role: string, scope: string, token?: string) {
  const prefix = scope === '/' ? '' : scope;
  return client.put(`${prefix}/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}?api-version=${RA_API}`, {
    properties: { roleDefinitionId: `${prefix}/providers/Microsoft.Authorization/roleDefinitions/${role}`, principalId, principalType: 'ServicePrincipal' },
  }, token ? { token } : undefined);
}

/** ARM's 403 message for this principal, action and scope. */
export function authorizationFailedMessage(p: { clientId: string; objectId: string }, action: string, scope: string): string {
  return `The client '${p.clientId}' with object id '${p.objectId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`;
}
