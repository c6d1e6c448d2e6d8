/**
 * Azure RBAC's vocabulary: role definitions (what a role may do) and the built-in roles the
 * emulator knows, each with the fixed GUID Azure gives it. Ids and permissions match Azure's
 * published built-ins; only the roles this emulator's scenarios need are present.
 */

export interface Permission {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

export interface RoleDefinition {
  /** The GUID that is the definition's name. */
  name: string;
  roleName: string;
  description: string;
  type: 'BuiltInRole' | 'CustomRole';
  permissions: Permission[];
  assignableScopes: string[];
  createdOn: string;
  updatedOn: string;
  createdBy: string | null;
  updatedBy: string | null;
  /** Custom roles only: the scope the definition was created at ('/' for tenant scope). */
  scope?: string;
}

const BUILT_IN_DATE = '2015-02-02T21:55:09.880Z';

const builtIn = (name: string, roleName: string, description: string, permission: Partial<Permission>, updatedOn = BUILT_IN_DATE): RoleDefinition => ({
  name,
  roleName,
  description,
  type: 'BuiltInRole',
  permissions: [{ actions: [], notActions: [], dataActions: [], notDataActions: [], ...permission }],
  assignableScopes: ['/'],
  createdOn: BUILT_IN_DATE,
  updatedOn,
  createdBy: null,
  updatedBy: null,
});

/** GUIDs of the built-in roles, as Azure publishes them. */
export const ROLE_IDS = {
  owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  reader: 'acdd72a7-3c48-4e46-9046-4b40c0c4b0bd',
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
  /** "Operator Nexus Key Vault Writer Service Role (Preview)": Azure's own id for it. */
  operatorNexusKeyVaultWriter: '44f0a1a8-6fea-4b35-980a-8ff50c487c97',
  /** The emulator's own role (not an Azure one): every /_emulator control action (see rp/admin/guard.ts). */
  emulatorAdministrator: '2ea6d607-de6d-46d8-9acf-1e0f7b6fffcc',
} as const;

/** Key Vault's data actions on secrets (what the data plane checks). */
export const SECRET_DATA_ACTIONS = {
  getSecret: 'Microsoft.KeyVault/vaults/secrets/getSecret/action',
  readMetadata: 'Microsoft.KeyVault/vaults/secrets/readMetadata/action',
  setSecret: 'Microsoft.KeyVault/vaults/secrets/setSecret/action',
  update: 'Microsoft.KeyVault/vaults/secrets/update/action',
  delete: 'Microsoft.KeyVault/vaults/secrets/delete',
  recover: 'Microsoft.KeyVault/vaults/secrets/recover/action',
  purge: 'Microsoft.KeyVault/vaults/secrets/purge/action',
} as const;

export const BUILT_IN_ROLES: readonly RoleDefinition[] = [
  builtIn(ROLE_IDS.owner, 'Owner', 'Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.', { actions: ['*'] }),
  builtIn(ROLE_IDS.contributor, 'Contributor', 'Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.', {
    actions: ['*'],
    notActions: [
      'Microsoft.Authorization/*/Delete',
      'Microsoft.Authorization/*/Write',
      'Microsoft.Authorization/elevateAccess/Action',
      'Microsoft.Blueprint/blueprintAssignments/write',
      'Microsoft.Blueprint/blueprintAssignments/delete',
      'Microsoft.Compute/galleries/share/action',
      'Microsoft.Purview/consents/write',
      'Microsoft.Purview/consents/delete',
      'Microsoft.Resources/deploymentStacks/manageDenySetting/action',
      'Microsoft.Subscription/cancel/action',
      'Microsoft.Subscription/enable/action',
    ],
  }),
  builtIn(ROLE_IDS.reader, 'Reader', 'View all resources, but does not allow you to make any changes.', { actions: ['*/read'] }),
  builtIn(ROLE_IDS.keyVaultSecretsOfficer, 'Key Vault Secrets Officer', 'Perform any action on the secrets of a key vault, except manage permissions. Only works for key vaults that use the \'Azure role-based access control\' permission model.', {
    actions: [
      'Microsoft.Authorization/*/read',
      'Microsoft.Insights/alertRules/*',
      'Microsoft.Resources/deployments/*',
      'Microsoft.Resources/subscriptions/resourceGroups/read',
      'Microsoft.Support/*',
      'Microsoft.KeyVault/checkNameAvailability/read',
      'Microsoft.KeyVault/deletedVaults/read',
      'Microsoft.KeyVault/locations/*/read',
      'Microsoft.KeyVault/vaults/*/read',
      'Microsoft.KeyVault/operations/read',
    ],
    dataActions: ['Microsoft.KeyVault/vaults/secrets/*'],
  }, '2021-11-11T20:14:32.727Z'),
  builtIn(ROLE_IDS.keyVaultSecretsUser, 'Key Vault Secrets User', 'Read secret contents. Only works for key vaults that use the \'Azure role-based access control\' permission model.', {
    dataActions: [SECRET_DATA_ACTIONS.getSecret, SECRET_DATA_ACTIONS.readMetadata],
  }, '2021-11-11T20:14:32.727Z'),
  builtIn(ROLE_IDS.operatorNexusKeyVaultWriter, 'Operator Nexus Key Vault Writer Service Role (Preview)', '(Preview) Provides Azure Operator Nexus services the ability to write to a Key Vault. This role is in preview and subject to change.', {
    actions: ['Microsoft.KeyVault/vaults/read'],
    dataActions: [SECRET_DATA_ACTIONS.setSecret],
  }, '2024-08-16T19:33:56.633Z'),
  builtIn(ROLE_IDS.emulatorAdministrator, 'Emulator Administrator', 'Runs the emulator itself: its clock, reset, subscriptions, service principals, cluster sites and every other /_emulator control route. Emulator-only; Azure has no such role.', {
    actions: ['Microsoft.Emulator/*'],
  }, '2026-12-01T00:00:00.000Z'),
];

export function builtInRole(guid: string): RoleDefinition | undefined {
  const wanted = guid.toLowerCase();
  return BUILT_IN_ROLES.find((r) => r.name === wanted);
}
