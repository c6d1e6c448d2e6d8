/** The RBAC decision as a pure function: action patterns, not-actions, scope inheritance, built-ins. */
import { expect } from 'chai';
import { actionMatches, decide, normaliseScope, roleDefinitionGuid, scopeCovers, type RoleAssignment } from '../../rp/providers/authorization/rbac.js';
import { BUILT_IN_ROLES, builtInRole, ROLE_IDS, SECRET_DATA_ACTIONS } from '../../rp/providers/authorization/roles.js';

const SUB = '/subscriptions/00000000-0000-0000-0000-000000000001';
const VAULT = `${SUB}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv`;
const PRINCIPAL = 'a0000000-0000-0000-0000-00000000000a';

function assignment(role: string, scope: string, principalId = PRINCIPAL): RoleAssignment {
  return {
    name: 'b0000000-0000-0000-0000-00000000000b', scope, principalId, principalType: 'ServicePrincipal',
    roleDefinitionId: `${SUB}/providers/Microsoft.Authorization/roleDefinitions/${role}`,
    createdOn: '', updatedOn: '', createdBy: null, updatedBy: null,
  };
}

const allows = (assignments: RoleAssignment[], scope: string, action: string, dataAction = true) =>
  decide({ assignments, definitionOf: (id) => builtInRole(roleDefinitionGuid(id) ?? ''), principalId: PRINCIPAL, scope, action, dataAction }).allowed;

describe('authorization: the RBAC decision', () => {
  it('matches action patterns case-insensitively, with * spanning segments', () => {
    expect(actionMatches('Microsoft.KeyVault/vaults/secrets/*', SECRET_DATA_ACTIONS.getSecret)).to.equal(true);
    expect(actionMatches('*/read', 'Microsoft.KeyVault/vaults/read')).to.equal(true);
    expect(actionMatches('*/read', 'Microsoft.KeyVault/vaults/write')).to.equal(false);
    expect(actionMatches('microsoft.keyvault/VAULTS/secrets/setSecret/action', SECRET_DATA_ACTIONS.setSecret)).to.equal(true);
    expect(actionMatches('Microsoft.KeyVault/vaults/secrets/get', SECRET_DATA_ACTIONS.getSecret)).to.equal(false);
  });

  it('inherits assignments from every scope above, never from below or beside', () => {
    expect(scopeCovers('/', VAULT)).to.equal(true);
    expect(scopeCovers(SUB, VAULT)).to.equal(true);
    expect(scopeCovers(`${SUB}/resourceGroups/RG`, `${VAULT}/secrets/x`)).to.equal(true);
    expect(scopeCovers(VAULT, `${SUB}/resourceGroups/rg`)).to.equal(false);
    expect(scopeCovers(`${SUB}/resourceGroups/rg2`, VAULT)).to.equal(false);
    expect(scopeCovers(`${SUB}/resourceGroups/r`, VAULT)).to.equal(false);
    expect(normaliseScope('')).to.equal('/');
    expect(normaliseScope(`${SUB}/`)).to.equal(SUB);
  });

  it('gives data actions only to the Key Vault roles, as Azure does', () => {
    for (const role of [ROLE_IDS.owner, ROLE_IDS.contributor, ROLE_IDS.reader]) {
      expect(allows([assignment(role, SUB)], VAULT, SECRET_DATA_ACTIONS.getSecret), role).to.equal(false);
    }
    expect(allows([assignment(ROLE_IDS.keyVaultSecretsOfficer, SUB)], `${VAULT}/secrets/s`, SECRET_DATA_ACTIONS.setSecret)).to.equal(true);
    expect(allows([assignment(ROLE_IDS.keyVaultSecretsUser, VAULT)], `${VAULT}/secrets/s`, SECRET_DATA_ACTIONS.getSecret)).to.equal(true);
    expect(allows([assignment(ROLE_IDS.keyVaultSecretsUser, VAULT)], `${VAULT}/secrets/s`, SECRET_DATA_ACTIONS.setSecret)).to.equal(false);
    expect(allows([assignment(ROLE_IDS.operatorNexusKeyVaultWriter, VAULT)], `${VAULT}/secrets/s`, SECRET_DATA_ACTIONS.setSecret)).to.equal(true);
    expect(allows([assignment(ROLE_IDS.operatorNexusKeyVaultWriter, VAULT)], `${VAULT}/secrets/s`, SECRET_DATA_ACTIONS.getSecret)).to.equal(false);
    // Control-plane actions are a separate list.
    expect(allows([assignment(ROLE_IDS.owner, SUB)], VAULT, 'Microsoft.KeyVault/vaults/write', false)).to.equal(true);
    expect(allows([assignment(ROLE_IDS.contributor, SUB)], `${SUB}/providers/Microsoft.Authorization/roleAssignments/x`, 'Microsoft.Authorization/roleAssignments/write', false)).to.equal(false);
    expect(allows([assignment(ROLE_IDS.reader, SUB)], VAULT, 'Microsoft.KeyVault/vaults/read', false)).to.equal(true);
  });

  it("looks only at the caller's own assignments", () => {
    expect(allows([assignment(ROLE_IDS.keyVaultSecretsOfficer, SUB, 'c0000000-0000-0000-0000-00000000000c')], VAULT, SECRET_DATA_ACTIONS.getSecret)).to.equal(false);
  });

  it("knows the six Azure built-ins by their Azure ids, and the emulator's own administrator role", () => {
    expect(BUILT_IN_ROLES.map((r) => [r.name, r.roleName])).to.deep.equal([
      ['8e3af657-a8ff-443c-a75c-2fe8c4bcb635', 'Owner'],
      ['b24988ac-6180-42a0-ab88-20f7382dd24c', 'Contributor'],
      ['acdd72a7-3c48-4e46-9046-4b40c0c4b0bd', 'Reader'],
      ['b86a8fe4-44ce-4948-aee5-eccb2c155cd7', 'Key Vault Secrets Officer'],
      ['4633458b-17de-408a-b874-0445c86b69e6', 'Key Vault Secrets User'],
      ['44f0a1a8-6fea-4b35-980a-8ff50c487c97', 'Operator Nexus Key Vault Writer Service Role (Preview)'],
      ['2ea6d607-de6d-46d8-9acf-1e0f7b6fffcc', 'Emulator Administrator'],
    ]);
    expect(builtInRole(ROLE_IDS.emulatorAdministrator)!.permissions).to.deep.equal([{ actions: ['Microsoft.Emulator/*'], notActions: [], dataActions: [], notDataActions: [] }]);
    expect(roleDefinitionGuid(`/providers/Microsoft.Authorization/roleDefinitions/${ROLE_IDS.reader.toUpperCase()}`)).to.equal(ROLE_IDS.reader);
    expect(roleDefinitionGuid('Reader')).to.equal(undefined);
  });
});
