/**
 * The az commands around a cluster's secret archive: `identity` (user-assigned managed
 * identities), `keyvault` (vaults, and the data plane's `keyvault secret show|list-versions`),
 * `role assignment` and `role definition`. Argument names, aliases and groups are az's.
 */
import type { ArgDef, CommandDef, GroupDef } from './types.js';
import * as shapes from './shapes.js';

const resourceGroup = (required: boolean, byId: boolean, help = 'Name of resource group. You can configure the default group using `az configure --defaults group=<name>`.'): ArgDef => ({
  dest: 'resourceGroup',
  options: ['--resource-group', '-g'],
  kind: 'string',
  required,
  help,
  ...(byId ? { idPart: 'resource_group' as const, group: 'Resource Id' } : {}),
});

const nameArg = (help: string, byId: boolean, options = ['--name', '-n']): ArgDef => ({
  dest: 'name',
  options,
  kind: 'string',
  required: true,
  help,
  ...(byId ? { idPart: 'name' as const, group: 'Resource Id' } : {}),
});

const location: ArgDef = {
  dest: 'location',
  options: ['--location', '-l'],
  kind: 'string',
  help: 'Location. Values from: `az account list-locations`. When not given, the location of the resource group.',
};

const tags: ArgDef = { dest: 'tags', options: ['--tags'], kind: 'shape', shape: shapes.tags, allowEmpty: true, help: 'Space-separated tags: key[=value] [key[=value] ...]. Use "" to clear existing tags.' };

const yes: ArgDef = { dest: 'yes', options: ['--yes', '-y'], kind: 'flag', help: 'Currently no-op.' };

export const AZURE_GROUPS: GroupDef[] = [
  { path: ['identity'], summary: 'Managed Identities.' },
  { path: ['keyvault'], summary: 'Manage KeyVault keys, secrets, and certificates.' },
  { path: ['keyvault', 'secret'], summary: 'Manage secrets.' },
  { path: ['role'], summary: 'Manage Azure role-based access control (Azure RBAC).' },
  { path: ['role', 'assignment'], summary: 'Manage role assignments.' },
  { path: ['role', 'definition'], summary: 'Manage role definitions.' },
];

export const AZURE_COMMANDS: CommandDef[] = [
  // ---- identity ---------------------------------------------------------------------------
  {
    path: ['identity', 'create'],
    summary: 'Create Identities.',
    args: [nameArg('The name of the identity resource.', false), resourceGroup(true, false), location, tags],
    examples: [{ title: 'Create an identity.', command: 'azemu identity create --name MyIdentity --resource-group MyResourceGroup' }],
    run: { handler: 'resource', op: 'create', kind: 'identity' },
    arm: true,
  },
  {
    path: ['identity', 'show'],
    summary: 'Show a managed identity (its clientId, principalId and tenantId at the top level, like az).',
    args: [nameArg('The name of the identity resource.', true), resourceGroup(true, true)],
    examples: [
      { title: 'Show an identity', command: 'azemu identity show --name MyIdentity --resource-group MyResourceGroup' },
      { title: 'The object id to grant a role to', command: 'azemu identity show -n MyIdentity -g MyResourceGroup --query principalId -o tsv' },
    ],
    run: { handler: 'resource', op: 'show', kind: 'identity' },
    arm: true,
  },
  {
    path: ['identity', 'list'],
    summary: 'List all managed identities in a resource group, or in the subscription.',
    args: [resourceGroup(false, false)],
    examples: [{ title: 'List the identities of a group', command: 'azemu identity list -g MyResourceGroup -o table' }],
    run: { handler: 'resource', op: 'list', kind: 'identity' },
    arm: true,
  },
  {
    path: ['identity', 'delete'],
    summary: 'Delete Identities.',
    args: [nameArg('The name of the identity resource.', true), resourceGroup(true, true)],
    examples: [{ title: 'Delete an identity.', command: 'azemu identity delete --name MyIdentity --resource-group MyResourceGroup' }],
    run: { handler: 'resource', op: 'delete', kind: 'identity' },
    arm: true,
  },

  // ---- keyvault ---------------------------------------------------------------------------
  {
    path: ['keyvault', 'create'],
    summary: 'Create a Vault.',
    description:
      'Like az: the tenant is the logged-in one, the SKU standard, soft delete on for --retention-days (90), network rules allow all, and Azure RBAC decides data access ' +
      "(--enable-rbac-authorization, default true). With --enable-rbac-authorization false the vault gets an access policy giving the caller every permission (unless --no-self-perms). " +
      'Its data plane is https://localhost:PORT/vaults/NAME on the emulator; properties.vaultUri keeps the Azure form https://NAME.vault.azure.net/.',
    args: [
      nameArg('Name of the Vault.', false),
      resourceGroup(true, false),
      location,
      { dest: 'enableRbacAuthorization', options: ['--enable-rbac-authorization'], kind: 'flag', help: 'Property to specify whether Azure Key Vault uses Role Based Access Control (RBAC) for authorization of data actions instead of access policies.  Allowed values: false, true.  Default: true.' },
      { dest: 'sku', options: ['--sku'], kind: 'string', choices: ['premium', 'standard'], help: "SKU details.  Default: standard." },
      { dest: 'retentionDays', options: ['--retention-days'], kind: 'string', default: '90', help: 'Soft delete data retention days. It accepts >=7 and <=90.' },
      { dest: 'enablePurgeProtection', options: ['--enable-purge-protection'], kind: 'flag', help: 'Property specifying whether protection against purge is enabled for this vault.  Allowed values: false, true.' },
      { dest: 'enabledForDeployment', options: ['--enabled-for-deployment'], kind: 'flag', help: '[Vault Only] Property to specify whether Azure Virtual Machines are permitted to retrieve certificates stored as secrets from the key vault.  Allowed values: false, true.' },
      { dest: 'enabledForDiskEncryption', options: ['--enabled-for-disk-encryption'], kind: 'flag', help: '[Vault Only] Property to specify whether Azure Disk Encryption is permitted to retrieve secrets from the vault and unwrap keys.  Allowed values: false, true.' },
      { dest: 'enabledForTemplateDeployment', options: ['--enabled-for-template-deployment'], kind: 'flag', help: '[Vault Only] Property to specify whether Azure Resource Manager is permitted to retrieve secrets from the key vault.  Allowed values: false, true.' },
      { dest: 'noSelfPerms', options: ['--no-self-perms'], kind: 'flag', help: "[Vault Only] Don't add permissions for the current user/service principal in the new vault.  Allowed values: false, true." },
      { dest: 'publicNetworkAccess', options: ['--public-network-access'], kind: 'string', choices: ['Disabled', 'Enabled'], help: 'Property to specify whether the vault will accept traffic from public internet.' },
      tags,
      { dest: 'noWait', options: ['--no-wait'], kind: 'flag', help: 'Do not wait for the long-running operation to finish.' },
    ],
    examples: [
      { title: 'Create a key vault that uses Azure RBAC (the secret archive of a cluster)', command: 'azemu keyvault create -g MyResourceGroup -n MyKeyVault -l eastus --enable-rbac-authorization true' },
      { title: 'Its vault URI, for --secret-archive-settings', command: 'azemu keyvault show -n MyKeyVault --query properties.vaultUri -o tsv' },
    ],
    run: { handler: 'resource', op: 'create', kind: 'vault' },
    arm: true,
  },
  {
    path: ['keyvault', 'show'],
    summary: 'Show details of a Vault.',
    args: [nameArg('Name of the Vault.', false), resourceGroup(false, false, 'Proceed only if Key Vault belongs to the specified resource group.')],
    examples: [{ title: 'Show a key vault', command: 'azemu keyvault show --name MyKeyVault' }],
    run: { handler: 'resource', op: 'show', kind: 'vault' },
    arm: true,
  },
  {
    path: ['keyvault', 'list'],
    summary: 'List Vaults.',
    description: 'Without --resource-group, az lists the subscription\'s vaults through the generic resources API: id, location, name, tags and type only. With it, the whole vaults.',
    args: [resourceGroup(false, false)],
    examples: [{ title: 'List the key vaults of a group', command: 'azemu keyvault list -g MyResourceGroup' }],
    run: { handler: 'resource', op: 'list', kind: 'vault' },
    arm: true,
  },
  {
    path: ['keyvault', 'delete'],
    summary: 'Delete a Vault.',
    description:
      'The vault is soft-deleted, as in Azure: it leaves the resource group for the deleted vaults, keeps its secrets, and holds its name until it is recovered ' +
      "('azemu keyvault recover') or purged ('azemu keyvault purge', or by itself when its retention days pass on the emulator's clock). Its data plane answers 404 meanwhile.",
    args: [
      nameArg('Name of the Vault.', false),
      resourceGroup(false, false, 'Proceed only if Key Vault belongs to the specified resource group.'),
      { dest: 'noWait', options: ['--no-wait'], kind: 'flag', help: 'Do not wait for the long-running operation to finish.' },
    ],
    examples: [{ title: 'Delete a key vault', command: 'azemu keyvault delete --name MyKeyVault' }],
    run: { handler: 'resource', op: 'delete', kind: 'vault' },
    arm: true,
  },
  {
    path: ['keyvault', 'recover'],
    summary: 'Recover a Vault or HSM.',
    description: 'Recover a previously deleted Vault, with its secrets. Without --location or --resource-group, they are read from the deleted vault.',
    args: [
      nameArg('Name of the deleted Vault.', false),
      resourceGroup(false, false, 'Resource group of the deleted Vault (default: the one it was deleted from).'),
      { dest: 'location', options: ['--location', '-l'], kind: 'string', help: 'Location of the deleted Vault.' },
      { dest: 'noWait', options: ['--no-wait'], kind: 'flag', help: 'Do not wait for the long-running operation to finish.' },
    ],
    examples: [{ title: 'Recover a key vault', command: 'azemu keyvault recover --name MyKeyVault' }],
    run: { handler: 'keyvault', op: 'recover' },
    arm: true,
  },
  {
    path: ['keyvault', 'purge'],
    summary: 'Permanently delete the specified Vault or HSM. Aka Purges the deleted Vault or HSM.',
    description: "Its secrets go with it and the name is free again. A vault with purge protection cannot be purged (Operation 'DeletedVaultPurge' is not allowed); it goes when its retention days pass.",
    args: [
      nameArg('Name of the deleted Vault.', false),
      { dest: 'location', options: ['--location', '-l'], kind: 'string', help: 'Location of the deleted Vault.' },
      { dest: 'noWait', options: ['--no-wait'], kind: 'flag', help: 'Do not wait for the long-running operation to finish.' },
    ],
    examples: [{ title: 'Purge a deleted key vault', command: 'azemu keyvault purge --name MyKeyVault --location eastus' }],
    run: { handler: 'keyvault', op: 'purge' },
    arm: true,
  },
  {
    path: ['keyvault', 'list-deleted'],
    summary: 'Get information about the deleted Vaults or HSMs in a subscription.',
    args: [{ dest: 'resourceType', options: ['--resource-type'], kind: 'string', choices: ['vault'], help: 'When --resource-type is not present the command will list all deleted Vaults (the emulator has no HSMs).' }],
    examples: [{ title: 'List the deleted key vaults', command: 'azemu keyvault list-deleted -o table' }],
    run: { handler: 'keyvault', op: 'list-deleted' },
    arm: true,
  },
  {
    path: ['keyvault', 'show-deleted'],
    summary: 'Show details of a deleted Vault or HSM.',
    args: [
      nameArg('Name of the deleted Vault.', false),
      { dest: 'location', options: ['--location', '-l'], kind: 'string', help: 'Location of the deleted Vault.' },
    ],
    examples: [{ title: 'Show a deleted key vault', command: 'azemu keyvault show-deleted --name MyKeyVault' }],
    run: { handler: 'keyvault', op: 'show-deleted' },
    arm: true,
  },
  {
    path: ['keyvault', 'secret', 'show'],
    summary: 'Get a specified secret from a given key vault (the only azemu command that prints a secret value).',
    description:
      "Key Vault's data plane on the emulator (https://localhost:PORT/vaults/NAME): a token for https://vault.azure.net from the emulator, after the vault's 401 challenge, as the SDKs get it. " +
      'The caller needs a role with .../secrets/getSecret/action on the vault (Key Vault Secrets User or Officer).',
    args: [
      { dest: 'name', options: ['--name', '-n'], kind: 'string', group: 'Id', help: 'Name of the secret. Required if --id is not specified.' },
      { dest: 'vaultName', options: ['--vault-name'], kind: 'string', group: 'Id', help: 'Name of the Key Vault. Required if --id is not specified.' },
      { dest: 'version', options: ['--version', '-v'], kind: 'string', group: 'Id', help: 'The secret version. If omitted, uses the latest version.' },
      { dest: 'id', options: ['--id'], kind: 'string', group: 'Id', help: "Id of the secret. If specified all other 'Id' arguments should be omitted." },
    ],
    examples: [
      { title: 'Show the latest version of a secret', command: 'azemu keyvault secret show --vault-name MyKeyVault --name MySecret' },
      { title: 'The version secretRotationStatus names', command: 'azemu keyvault secret show --vault-name MyKeyVault --name SECRET_NAME --version SECRET_VERSION --query value -o tsv' },
    ],
    run: { handler: 'secret', op: 'show' },
  },
  {
    path: ['keyvault', 'secret', 'list-versions'],
    summary: 'List all versions of the specified secret.',
    args: [
      { dest: 'name', options: ['--name', '-n'], kind: 'string', group: 'Id', help: 'Name of the secret. Required if --id is not specified.' },
      { dest: 'vaultName', options: ['--vault-name'], kind: 'string', group: 'Id', help: 'Name of the Key Vault. Required if --id is not specified.' },
      { dest: 'id', options: ['--id'], kind: 'string', group: 'Id', help: "Id of the secret. If specified all other 'Id' arguments should be omitted." },
      { dest: 'maxresults', options: ['--maxresults'], kind: 'string', help: 'Maximum number of results to return in a page. If not specified, the service will return up to 25 results.' },
    ],
    examples: [{ title: 'List the versions of a secret', command: 'azemu keyvault secret list-versions --vault-name MyKeyVault --name MySecret -o table' }],
    run: { handler: 'secret', op: 'list-versions' },
  },

  // ---- role -------------------------------------------------------------------------------
  {
    path: ['role', 'assignment', 'create'],
    summary: 'Create a new role assignment for a user, group, or service principal.',
    description:
      "--role takes a role's name (resolved with the roleDefinitions API's $filter=roleName eq '...') or its id. The emulator has no Microsoft Graph: --assignee is an object id, or the logged-in client id (whose object id is in its token); " +
      'with --assignee-object-id and --assignee-principal-type the principal is not looked up (as in Azure, for principals created a moment ago).',
    args: [
      { dest: 'role', options: ['--role'], kind: 'string', required: true, help: 'Role name or id.' },
      { dest: 'assignee', options: ['--assignee'], kind: 'string', help: 'Represent a user, group, or service principal. Supported format: object id, or the logged-in client id (the emulator has no Graph to resolve other names).' },
      { dest: 'assigneeObjectId', options: ['--assignee-object-id'], kind: 'string', help: "Use this parameter instead of '--assignee' to bypass Graph API invocation in case of insufficient privileges. This parameter only works with object ids for users, groups, service principals, and managed identities." },
      { dest: 'assigneePrincipalType', options: ['--assignee-principal-type'], kind: 'string', choices: ['ForeignGroup', 'Group', 'ServicePrincipal', 'User'], help: 'Use with --assignee-object-id to avoid errors caused by propagation latency in Microsoft Graph.' },
      { dest: 'scope', options: ['--scope'], kind: 'string', help: 'Scope at which the role assignment or definition applies to, e.g., /subscriptions/0b1f6471-1bf0-4dda-aec3-111111111111, /subscriptions/0b1f6471-1bf0-4dda-aec3-111111111111/resourceGroups/myGroup, or /subscriptions/0b1f6471-1bf0-4dda-aec3-111111111111/resourceGroups/myGroup/providers/Microsoft.Compute/virtualMachines/myVM.' },
      resourceGroup(false, false, 'Use it only if the role or assignment was added at the level of a resource group.'),
      { dest: 'description', options: ['--description'], kind: 'string', help: 'Description of role assignment.' },
      { dest: 'condition', options: ['--condition'], kind: 'string', help: 'Condition under which the user can be granted permission.' },
      { dest: 'conditionVersion', options: ['--condition-version'], kind: 'string', help: 'Version of the condition syntax. If --condition is specified without --condition-version, default to 2.0.' },
      { dest: 'assignmentName', options: ['--name'], kind: 'string', help: 'A GUID for the role assignment. It must be unique and different for each role assignment. If omitted, a new GUID is generated.' },
    ],
    examples: [
      {
        title: "Let a cluster's user-assigned identity write the rotated credentials into a vault",
        command: 'azemu role assignment create --assignee-object-id PRINCIPAL_ID --assignee-principal-type ServicePrincipal --role "Operator Nexus Key Vault Writer Service Role (Preview)" --scope VAULT_ID',
      },
      { title: 'Let the logged-in service principal read the secrets', command: 'azemu role assignment create --assignee CLIENT_ID --role "Key Vault Secrets User" --scope VAULT_ID' },
    ],
    run: { handler: 'role', op: 'assignment-create' },
    arm: true,
  },
  {
    path: ['role', 'assignment', 'list'],
    summary: 'List role assignments.',
    description: 'By default, only assignments scoped to the subscription are displayed; --scope or --resource-group pick another scope, --all lists those at, above and below the subscription.',
    args: [
      { dest: 'all', options: ['--all'], kind: 'flag', help: 'Show all assignments under the current subscription.' },
      { dest: 'assignee', options: ['--assignee'], kind: 'string', help: 'Represent a user, group, or service principal. Supported format: object id, or the logged-in client id (the emulator has no Graph to resolve other names).' },
      { dest: 'includeGroups', options: ['--include-groups'], kind: 'flag', help: 'Include extra assignments to the groups of which the user is a member (transitively).' },
      { dest: 'includeInherited', options: ['--include-inherited'], kind: 'flag', help: 'Include assignments applied on parent scopes.' },
      { dest: 'role', options: ['--role'], kind: 'string', help: 'Role name or id.' },
      { dest: 'scope', options: ['--scope'], kind: 'string', help: 'Scope at which the role assignment or definition applies to.' },
      resourceGroup(false, false, 'Use it only if the role or assignment was added at the level of a resource group.'),
      { dest: 'fillPrincipalName', options: ['--fill-principal-name'], kind: 'flag', help: 'Fill principalName property with the principal name (the emulator has no Graph: an empty string).  Allowed values: false, true.  Default: true.' },
      { dest: 'fillRoleDefinitionName', options: ['--fill-role-definition-name'], kind: 'flag', help: 'Fill roleDefinitionName property with role definition name.  Allowed values: false, true.  Default: true.' },
    ],
    examples: [
      { title: 'The assignments on a vault', command: 'azemu role assignment list --scope VAULT_ID -o table' },
      { title: 'Every assignment of a principal in the subscription', command: 'azemu role assignment list --all --assignee OBJECT_ID' },
    ],
    run: { handler: 'role', op: 'assignment-list' },
    arm: true,
  },
  {
    path: ['role', 'assignment', 'delete'],
    summary: 'Delete role assignments.',
    args: [
      { dest: 'ids', options: ['--ids'], kind: 'strings', help: "space-separated role assignment ids" },
      { dest: 'assignee', options: ['--assignee'], kind: 'string', help: 'Represent a user, group, or service principal. Supported format: object id, or the logged-in client id (the emulator has no Graph to resolve other names).' },
      { dest: 'role', options: ['--role'], kind: 'string', help: 'Role name or id.' },
      { dest: 'scope', options: ['--scope'], kind: 'string', help: 'Scope at which the role assignment or definition applies to.' },
      resourceGroup(false, false, 'Use it only if the role or assignment was added at the level of a resource group.'),
      { dest: 'includeInherited', options: ['--include-inherited'], kind: 'flag', help: 'Include assignments applied on parent scopes.' },
      { ...yes, help: 'Continue to delete all assignments under the subscription.' },
    ],
    examples: [
      { title: 'Revoke the writer role from an identity on a vault', command: 'azemu role assignment delete --assignee PRINCIPAL_ID --role "Operator Nexus Key Vault Writer Service Role (Preview)" --scope VAULT_ID' },
      { title: 'Delete by id', command: 'azemu role assignment delete --ids ASSIGNMENT_ID' },
    ],
    run: { handler: 'role', op: 'assignment-delete' },
    arm: true,
  },
  {
    path: ['role', 'definition', 'list'],
    summary: 'List role definitions.',
    args: [
      { dest: 'name', options: ['--name', '-n'], kind: 'string', help: "A role's name or its GUID." },
      { dest: 'scope', options: ['--scope'], kind: 'string', help: 'Scope at which the role assignment or definition applies to.' },
      resourceGroup(false, false, 'Use it only if the role or assignment was added at the level of a resource group.'),
      { dest: 'customRoleOnly', options: ['--custom-role-only'], kind: 'flag', help: 'Custom roles only(vs. build-in ones).  Allowed values: false, true.' },
    ],
    examples: [
      { title: 'Show the Nexus writer role', command: 'azemu role definition list --name "Operator Nexus Key Vault Writer Service Role (Preview)"' },
      { title: 'Names and types', command: 'azemu role definition list -o table' },
    ],
    run: { handler: 'role', op: 'definition-list' },
    arm: true,
  },
];
