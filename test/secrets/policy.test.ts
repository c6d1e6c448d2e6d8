/** The rotation engine's pure decisions: due dates, archive precedence, secret names, new values. */
import { expect } from 'chai';
import type { JsonObject } from '../../rp/api/derive.js';
import {
  archiveSecretName, CREDENTIAL_KINDS, credentialKindsNamed, DAY_MS, newCredentialValue,
} from '../../rp/secrets/credentials.js';
import { isDue, planArchive, type VaultLookup, type VaultRef } from '../../rp/secrets/policy.js';

const SUB = '11111111-2222-3333-4444-555555555555';
const UAI = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/writer`;
const VAULT_A: VaultRef = { id: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-a`, name: 'kv-a', uri: 'https://kv-a.vault.azure.net/' };
const VAULT_B: VaultRef = { id: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-b`, name: 'kv-b', uri: 'https://kv-b.vault.azure.net/' };
const vaults: VaultLookup = {
  byUri: (uri) => [VAULT_A, VAULT_B].find((v) => uri.toLowerCase().startsWith(v.uri.slice(0, -1))),
  byId: (id) => [VAULT_A, VAULT_B].find((v) => v.id.toLowerCase() === id.toLowerCase()),
};

const cluster = (properties: JsonObject, identity?: JsonObject): JsonObject => ({ name: 'c1', properties, ...(identity ? { identity } : {}) });
const managerWithSystemIdentity: JsonObject = { name: 'cm', identity: { type: 'SystemAssigned', principalId: 'cm-principal', tenantId: 't' } };
const clusterUai: JsonObject = { type: 'UserAssigned', userAssignedIdentities: { [UAI]: { principalId: 'uai-principal', clientId: 'uai-client' } } };

describe('secrets: rotation policy', () => {
  it('is due once rotationPeriodDays have passed since the last rotation', () => {
    const last = Date.parse('2026-01-01T00:00:00Z');
    expect(isDue(last, 60, last + 60 * DAY_MS - 1)).to.equal(false);
    expect(isDue(last, 60, last + 60 * DAY_MS)).to.equal(true);
  });

  it('archives through the cluster identity named by secretArchiveSettings', () => {
    const plan = planArchive(cluster({
      secretArchiveSettings: { vaultUri: VAULT_A.uri, associatedIdentity: { identityType: 'UserAssignedIdentity', userAssignedIdentityResourceId: UAI.toUpperCase() } },
    }, clusterUai), managerWithSystemIdentity, vaults);
    expect(plan).to.deep.include({ kind: 'target' });
    if (plan.kind !== 'target') return;
    expect(plan.target).to.deep.include({ mode: 'secretArchiveSettings', vault: VAULT_A, principalId: 'uai-principal' });
  });

  it('lets secretArchiveSettings win over the legacy secretArchive, even when its identity cannot be used', () => {
    const legacy = { keyVaultId: VAULT_B.id, useKeyVault: 'True' };
    const both = planArchive(cluster({ secretArchive: legacy, secretArchiveSettings: { vaultUri: VAULT_A.uri, associatedIdentity: { identityType: 'UserAssignedIdentity', userAssignedIdentityResourceId: UAI } } }, clusterUai), managerWithSystemIdentity, vaults);
    expect(both.kind === 'target' && both.target.vault.name).to.equal('kv-a');
    const broken = planArchive(cluster({ secretArchive: legacy, secretArchiveSettings: { vaultUri: VAULT_A.uri, associatedIdentity: { identityType: 'SystemAssignedIdentity' } } }, clusterUai), managerWithSystemIdentity, vaults);
    expect(broken).to.deep.include({ kind: 'unusable', mode: 'secretArchiveSettings' });
  });

  it("uses the cluster manager's identity for the legacy secretArchive, and only with useKeyVault True", () => {
    const plan = planArchive(cluster({ secretArchive: { keyVaultId: VAULT_B.id, useKeyVault: 'True' } }), managerWithSystemIdentity, vaults);
    expect(plan.kind === 'target' && plan.target).to.deep.include({ mode: 'secretArchive', vault: VAULT_B, principalId: 'cm-principal' });
    expect(planArchive(cluster({ secretArchive: { keyVaultId: VAULT_B.id, useKeyVault: 'False' } }), managerWithSystemIdentity, vaults)).to.deep.equal({ kind: 'none' });
    const noIdentity = planArchive(cluster({ secretArchive: { keyVaultId: VAULT_B.id, useKeyVault: 'True' } }), { name: 'cm' }, vaults);
    expect(noIdentity).to.deep.include({ kind: 'unusable', mode: 'secretArchive' });
    const userAssignedManager = planArchive(cluster({ secretArchive: { keyVaultId: VAULT_B.id, useKeyVault: 'True' } }), { name: 'cm', identity: clusterUai }, vaults);
    expect(userAssignedManager.kind === 'target' && userAssignedManager.target.principalId).to.equal('uai-principal');
  });

  it('has nothing to archive to without either setting, and says why a setting cannot be used', () => {
    expect(planArchive(cluster({}), managerWithSystemIdentity, vaults)).to.deep.equal({ kind: 'none' });
    const missingVault = planArchive(cluster({ secretArchiveSettings: { vaultUri: 'https://gone.vault.azure.net/', associatedIdentity: { identityType: 'UserAssignedIdentity', userAssignedIdentityResourceId: UAI } } }, clusterUai), undefined, vaults);
    expect(missingVault.kind === 'unusable' && missingVault.reason).to.contain('gone.vault.azure.net');
    const otherIdentity = planArchive(cluster({ secretArchiveSettings: { vaultUri: VAULT_A.uri, associatedIdentity: { identityType: 'UserAssignedIdentity', userAssignedIdentityResourceId: `${UAI}-2` } } }, clusterUai), undefined, vaults);
    expect(otherIdentity.kind).to.equal('unusable');
    // Without an explicit selector, the system-assigned identity, else a sole user-assigned one.
    const sole = planArchive(cluster({ secretArchiveSettings: { vaultUri: VAULT_A.uri } }, clusterUai), undefined, vaults);
    expect(sole.kind === 'target' && sole.target.principalId).to.equal('uai-principal');
  });

  it("names archive secrets in the platform's form, unique per machine and within Key Vault's limits", () => {
    const [bmc, console] = CREDENTIAL_KINDS;
    const m1 = `/subscriptions/${SUB}/resourceGroups/c1-mrg/providers/Microsoft.NetworkCloud/bareMetalMachines/r01c001`;
    const m2 = m1.replace('r01c001', 'r01c002');
    const name = archiveSecretName(SUB, 'Nexus_RG', 'cluster-1', console, m1);
    expect(name).to.match(new RegExp(`^${SUB}-nexus-rg-cluster-1-console-credential-manager-[0-9a-f]{8}$`));
    expect(archiveSecretName(SUB, 'Nexus_RG', 'cluster-1', console, m2)).to.not.equal(name);
    expect(archiveSecretName(SUB, 'Nexus_RG', 'cluster-1', bmc, m1)).to.contain('-bmc-credential-manager-');
    const long = archiveSecretName(SUB, 'g'.repeat(90), 'c'.repeat(30), CREDENTIAL_KINDS[2], m1);
    expect(long.length).to.be.at.most(127);
    expect(long).to.match(/^[0-9a-z-]+-storage-appliance-credential-manager-[0-9a-f]{8}$/);
  });

  it('resolves rotateCredential names and secret types, and reports unknown ones', () => {
    const { kinds, unknown } = credentialKindsNamed(['bmcCredentials', 'Storage Appliance User', 'console-credential', 'nope']);
    expect(kinds.map((k) => k.credential)).to.deep.equal(['BMC Credential', 'Storage Appliance Credential', 'Console Credential']);
    expect(unknown).to.deep.equal(['nope']);
  });

  it('makes fresh 32-character values with every character class', () => {
    const values = new Set(Array.from({ length: 50 }, () => newCredentialValue()));
    expect(values.size).to.equal(50);
    for (const v of values) {
      expect(v).to.have.length(32);
      expect(v).to.match(/[a-z]/).and.match(/[A-Z]/).and.match(/[0-9]/).and.match(/[^a-zA-Z0-9]/);
    }
  });
});
