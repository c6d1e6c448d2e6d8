/**
 * The secret archive's rules against the real server: the legacy cluster-manager path, the
 * precedence of secretArchiveSettings, a missing or revoked role (rotation goes on, the archive
 * does not, and the machine says so), one vault for two clusters, request validation, and a scan
 * that no rotated value ever leaves through ARM or the log.
 */
import { expect } from 'chai';
import type { SecretRecord } from '../../rp/vault/secret-store.js';
import type { ManagedCredential } from '../../rp/secrets/managed-store.js';
import { API_VERSIONS } from '../../rp/api/versions.js';
import { clusterBody } from '../helpers/bodies.js';
import {
  advance, assignRole, createDeployedCluster, createIdentity, createManager, createVault, ensureGroup, groupPath, machinesOf, ncId, patchCluster,
  removeAssignment, ROLE, secretClient, startWorld, statusOf, vaultId, type World,
} from '../vault/world.js';

const BMC = 'Bare Metal Machine BMC';
const CONSOLE = 'Bare Metal Machine Identity - console';
const STORAGE = 'Storage Appliance User';
const READY = 'The bare metal machine is provisioned and ready.';

async function vaultSecretNames(w: World, vault: string): Promise<string[]> {
  const names: string[] = [];
  for await (const p of secretClient(w, vault).listPropertiesOfSecrets()) names.push(p.name);
  return names;
}

async function references(w: World, cluster: any): Promise<any[]> {
  const { machines, appliances } = await machinesOf(w, cluster);
  return [...machines, ...appliances].flatMap((r) => r.properties.secretRotationStatus.map((s: any) => s.secretArchiveReference));
}

describe('secrets: the secret archive', function () {
  let w: World;

  before(async () => {
    w = await startWorld();
  });
  after(() => w.stop());

  describe('legacy path: the cluster manager identity and secretArchive', () => {
    let cluster: any;
    before(async () => {
      await ensureGroup(w, 'legacy-rg');
      const manager = await createManager(w, 'legacy-rg', 'legacy-cm', { type: 'SystemAssigned' });
      expect(manager.identity.principalId).to.match(/^[0-9a-f-]{36}$/);
      await createVault(w, 'legacy-rg', 'legacy-kv');
      await assignRole(w, vaultId(w, 'legacy-rg', 'legacy-kv'), ROLE.secretsOfficer, w.emu.demoPrincipalObjectId);
      await assignRole(w, vaultId(w, 'legacy-rg', 'legacy-kv'), ROLE.nexusWriter, manager.identity.principalId);
      cluster = await createDeployedCluster(w, 'legacy-rg', 'legacy-cluster', manager, { machines: 1, appliances: 1, api: '2024-07-01' });
      await patchCluster(w, 'legacy-rg', 'legacy-cluster', { properties: { secretArchive: { keyVaultId: vaultId(w, 'legacy-rg', 'legacy-kv'), useKeyVault: 'True' } } }, '2024-07-01');
    });

    it('archives through the cluster manager identity, shown without keyVaultUri at 2024-07-01', async () => {
      await advance(w, '61d');
      const { machines } = await machinesOf(w, cluster, '2024-07-01');
      const ref = statusOf(machines[0], BMC).secretArchiveReference;
      expect(ref).to.have.keys('keyVaultId', 'secretName', 'secretVersion');
      expect(ref.keyVaultId).to.equal(vaultId(w, 'legacy-rg', 'legacy-kv'));
      const secret = await secretClient(w, 'legacy-kv').getSecret(ref.secretName);
      expect(secret.properties.version).to.equal(ref.secretVersion);
      const current = (await machinesOf(w, cluster)).machines[0];
      expect(statusOf(current, BMC).secretArchiveReference.keyVaultUri).to.equal('https://legacy-kv.vault.azure.net/');
    });

    it('stops archiving when useKeyVault is "False"', async () => {
      await patchCluster(w, 'legacy-rg', 'legacy-cluster', { properties: { secretArchive: { keyVaultId: vaultId(w, 'legacy-rg', 'legacy-kv'), useKeyVault: 'False' } } });
      await advance(w, '61d');
      for (const ref of await references(w, cluster)) expect(ref).to.equal(undefined);
      const { machines } = await machinesOf(w, cluster);
      expect(machines[0].properties.detailedStatusMessage).to.equal(READY);
    });
  });

  describe('precedence: secretArchiveSettings over the cluster manager identity', () => {
    let cluster: any;
    let clusterRole: string;
    before(async () => {
      await ensureGroup(w, 'prec-rg');
      const manager = await createManager(w, 'prec-rg', 'prec-cm', { type: 'SystemAssigned' });
      await createVault(w, 'prec-rg', 'prec-kv-settings');
      await createVault(w, 'prec-rg', 'prec-kv-legacy');
      for (const v of ['prec-kv-settings', 'prec-kv-legacy']) await assignRole(w, vaultId(w, 'prec-rg', v), ROLE.secretsOfficer, w.emu.demoPrincipalObjectId);
      const uai = await createIdentity(w, 'prec-rg', 'prec-uai');
      await assignRole(w, vaultId(w, 'prec-rg', 'prec-kv-legacy'), ROLE.nexusWriter, manager.identity.principalId);
      clusterRole = await assignRole(w, vaultId(w, 'prec-rg', 'prec-kv-settings'), ROLE.nexusWriter, uai.principalId);
      cluster = await createDeployedCluster(w, 'prec-rg', 'prec-cluster', manager, {
        machines: 1,
        appliances: 0,
        identity: { type: 'UserAssigned', userAssignedIdentities: { [uai.id]: {} } },
        properties: {
          secretArchive: { keyVaultId: vaultId(w, 'prec-rg', 'prec-kv-legacy'), useKeyVault: 'True' },
          secretArchiveSettings: { vaultUri: 'https://prec-kv-settings.vault.azure.net/', associatedIdentity: { identityType: 'UserAssignedIdentity', userAssignedIdentityResourceId: uai.id } },
        },
      });
    });

    it('writes to the settings vault through the cluster identity, never to the legacy vault', async () => {
      // Deployment already rotated once, into the settings vault.
      for (const ref of await references(w, cluster)) expect(ref.keyVaultUri).to.equal('https://prec-kv-settings.vault.azure.net/');
      await advance(w, '61d');
      for (const ref of await references(w, cluster)) expect(ref.keyVaultId).to.equal(vaultId(w, 'prec-rg', 'prec-kv-settings'));
      expect(await vaultSecretNames(w, 'prec-kv-legacy')).to.deep.equal([]);
      expect(await vaultSecretNames(w, 'prec-kv-settings')).to.have.length(3);
    });

    it('ignores the cluster manager identity even when the cluster identity may not write', async () => {
      await removeAssignment(w, clusterRole);
      await advance(w, '61d');
      for (const ref of await references(w, cluster)) expect(ref).to.equal(undefined);
      expect(await vaultSecretNames(w, 'prec-kv-legacy')).to.deep.equal([]);
      const { machines } = await machinesOf(w, cluster);
      expect(machines[0].properties.detailedStatusMessage).to.contain("the cluster's user-assigned identity 'prec-uai'").and.contain('prec-kv-settings');
    });
  });

  describe('a missing role assignment, then the role granted', () => {
    let cluster: any;
    let uai: { id: string; principalId: string };
    before(async () => {
      await ensureGroup(w, 'norole-rg');
      const manager = await createManager(w, 'norole-rg', 'norole-cm');
      await createVault(w, 'norole-rg', 'norole-kv');
      await assignRole(w, vaultId(w, 'norole-rg', 'norole-kv'), ROLE.secretsOfficer, w.emu.demoPrincipalObjectId);
      uai = await createIdentity(w, 'norole-rg', 'norole-uai');
      cluster = await createDeployedCluster(w, 'norole-rg', 'norole-cluster', manager, { machines: 1, appliances: 1, identity: { type: 'UserAssigned', userAssignedIdentities: { [uai.id]: {} } } });
      await patchCluster(w, 'norole-rg', 'norole-cluster', {
        properties: { secretArchiveSettings: { vaultUri: 'https://norole-kv.vault.azure.net/', associatedIdentity: { identityType: 'UserAssignedIdentity', userAssignedIdentityResourceId: uai.id } } },
      });
    });

    it('still rotates, leaves secretArchiveReference out and says why on the machine', async () => {
      const before = (await machinesOf(w, cluster)).machines[0];
      const now = await advance(w, '61d');
      const { machines, appliances } = await machinesOf(w, cluster);
      for (const resource of [...machines, ...appliances]) {
        for (const s of resource.properties.secretRotationStatus) {
          // Rotated at its due instant within the jump: 60 days after the deployment, a day before its end.
          expect(Date.parse(s.lastRotationTime)).to.be.closeTo(Date.parse(now) - 86_400_000, 30_000);
          expect(s).to.not.have.property('secretArchiveReference');
        }
        expect(resource.properties.detailedStatusMessage)
          .to.contain('could not be written to the secret archive')
          .and.contain(uai.principalId)
          .and.contain('Microsoft.KeyVault/vaults/secrets/setSecret/action')
          .and.contain('44f0a1a8-6fea-4b35-980a-8ff50c487c97');
      }
      expect(statusOf(machines[0], BMC).lastRotationTime).to.not.equal(statusOf(before, BMC).lastRotationTime);
      expect(await vaultSecretNames(w, 'norole-kv')).to.deep.equal([]);
    });

    it('archives again, and restores the status message, once the role is granted', async () => {
      await assignRole(w, vaultId(w, 'norole-rg', 'norole-kv'), ROLE.nexusWriter, uai.principalId);
      await advance(w, '61d');
      const { machines, appliances } = await machinesOf(w, cluster);
      expect(machines[0].properties.detailedStatusMessage).to.equal(READY);
      expect(appliances[0].properties.detailedStatusMessage).to.equal('The storage appliance is up and running.');
      for (const ref of await references(w, cluster)) expect(ref.keyVaultUri).to.equal('https://norole-kv.vault.azure.net/');
    });
  });

  describe('revoking the role mid-way', () => {
    let cluster: any;
    let role: string;
    before(async () => {
      await ensureGroup(w, 'revoke-rg');
      const manager = await createManager(w, 'revoke-rg', 'revoke-cm');
      await createVault(w, 'revoke-rg', 'revoke-kv');
      await assignRole(w, vaultId(w, 'revoke-rg', 'revoke-kv'), ROLE.secretsOfficer, w.emu.demoPrincipalObjectId);
      cluster = await createDeployedCluster(w, 'revoke-rg', 'revoke-cluster', manager, { machines: 1, appliances: 0, identity: { type: 'SystemAssigned' } });
      // The system-assigned identity gets the role at the vault's resource group: inherited by the vault.
      role = await assignRole(w, groupPath(w, 'revoke-rg'), ROLE.nexusWriter, cluster.identity.principalId);
      await patchCluster(w, 'revoke-rg', 'revoke-cluster', { properties: { secretArchiveSettings: { vaultUri: 'https://revoke-kv.vault.azure.net/', associatedIdentity: { identityType: 'SystemAssignedIdentity' } } } });
    });

    it('archives while the role holds, then keeps new values out of the vault once it is revoked', async () => {
      await advance(w, '61d');
      const archived = statusOf((await machinesOf(w, cluster)).machines[0], CONSOLE).secretArchiveReference;
      expect(archived.keyVaultUri).to.equal('https://revoke-kv.vault.azure.net/');
      await removeAssignment(w, role);
      await advance(w, '61d');
      const machine = (await machinesOf(w, cluster)).machines[0];
      expect(statusOf(machine, CONSOLE)).to.not.have.property('secretArchiveReference');
      expect(machine.properties.detailedStatusMessage).to.contain("the cluster's system-assigned identity");
      const secrets = secretClient(w, 'revoke-kv');
      const versions: string[] = [];
      for await (const p of secrets.listPropertiesOfSecretVersions(archived.secretName)) versions.push(p.version!);
      expect(versions).to.deep.equal([archived.secretVersion]);
    });
  });

  describe('one vault for two clusters', () => {
    let clusters: any[];
    before(async () => {
      await ensureGroup(w, 'shared-rg');
      await createVault(w, 'shared-rg', 'shared-kv');
      await assignRole(w, vaultId(w, 'shared-rg', 'shared-kv'), ROLE.secretsOfficer, w.emu.demoPrincipalObjectId);
      const uai = await createIdentity(w, 'shared-rg', 'shared-uai');
      // The writer role once, for an identity both clusters use.
      await assignRole(w, vaultId(w, 'shared-rg', 'shared-kv'), ROLE.nexusWriter, uai.principalId);
      clusters = [];
      for (const name of ['shared-a', 'shared-b']) {
        await ensureGroup(w, `${name}-rg`);
        const manager = await createManager(w, `${name}-rg`, `${name}-cm`);
        clusters.push(await createDeployedCluster(w, `${name}-rg`, name, manager, {
          machines: 1,
          appliances: 1,
          identity: { type: 'UserAssigned', userAssignedIdentities: { [uai.id]: {} } },
          properties: { secretArchiveSettings: { vaultUri: 'https://shared-kv.vault.azure.net/', associatedIdentity: { identityType: 'UserAssignedIdentity', userAssignedIdentityResourceId: uai.id } } },
        }));
      }
    });

    it("keeps each cluster's credentials apart in the one vault", async () => {
      await advance(w, '61d');
      const refs = await Promise.all(clusters.map((c) => references(w, c)));
      const [a, b] = refs.map((list) => new Set(list.map((r: any) => r.secretName)));
      expect(a.size).to.equal(3);
      expect(b.size).to.equal(3);
      for (const name of a) expect(b.has(name)).to.equal(false);
      const names = await vaultSecretNames(w, 'shared-kv');
      expect(names).to.include.members([...a, ...b]);
      expect(names.filter((n) => n.includes('-shared-a-rg-shared-a-'))).to.have.length(4);
      expect(names.filter((n) => n.includes('-shared-b-rg-shared-b-'))).to.have.length(4);
      for (const list of refs) {
        for (const ref of list) expect((await secretClient(w, 'shared-kv').getSecret(ref.secretName)).properties.version).to.equal(ref.secretVersion);
      }
      expect(statusOf((await machinesOf(w, clusters[0])).appliances[0], STORAGE).secretArchiveReference.keyVaultId).to.equal(vaultId(w, 'shared-rg', 'shared-kv'));
    });
  });

  describe('validation of secretArchive and secretArchiveSettings', () => {
    const RG = 'valid-rg';
    let uaiId: string;
    before(async () => {
      await ensureGroup(w, RG);
      const manager = await createManager(w, RG, 'valid-cm');
      await createVault(w, RG, 'valid-kv');
      const uai = await createIdentity(w, RG, 'valid-uai');
      uaiId = uai.id;
      await createIdentity(w, RG, 'other-uai');
      await createDeployedCluster(w, RG, 'valid-cluster', manager, { machines: 1, appliances: 0, identity: { type: 'UserAssigned', userAssignedIdentities: { [uai.id]: {} } } });
    });

    const patch = (body: unknown, api = '2025-09-01') => w.client.patch(`${ncId(w, RG, 'clusters', 'valid-cluster')}?api-version=${api}`, body);
    const settings = (s: unknown) => ({ properties: { secretArchiveSettings: s } });

    it('refuses vaults that do not exist or are not vaults', async () => {
      const notUri = await patch(settings({ vaultUri: 'https://example.com/' }));
      expect(notUri.status).to.equal(400);
      expect(notUri.body.error.code).to.equal('InvalidSecretArchiveSettings');
      const missing = await patch(settings({ vaultUri: 'https://no-such-kv.vault.azure.net/' }));
      expect(missing.status).to.equal(400);
      expect(missing.body.error).to.include({ code: 'KeyVaultNotFound', target: 'properties.secretArchiveSettings.vaultUri' });
      const notVault = await patch({ properties: { secretArchive: { keyVaultId: uaiId, useKeyVault: 'True' } } });
      expect(notVault.status).to.equal(400);
      expect(notVault.body.error.target).to.equal('properties.secretArchive.keyVaultId');
      const gone = await patch({ properties: { secretArchive: { keyVaultId: vaultId(w, RG, 'no-kv'), useKeyVault: 'True' } } });
      expect(gone.status).to.equal(400);
      expect(gone.body.error.code).to.equal('KeyVaultNotFound');
    });

    it('refuses useKeyVault values other than the strings "True" and "False"', async () => {
      const yes = await patch({ properties: { secretArchive: { keyVaultId: vaultId(w, RG, 'valid-kv'), useKeyVault: 'Yes' } } });
      expect(yes.status).to.equal(400);
      expect(yes.body.error.target).to.equal('properties.secretArchive.useKeyVault');
      const bool = await patch({ properties: { secretArchive: { keyVaultId: vaultId(w, RG, 'valid-kv'), useKeyVault: true } } });
      expect(bool.status).to.equal(400);
      const missingId = await patch({ properties: { secretArchive: { useKeyVault: 'True' } } });
      expect(missingId.status).to.equal(400);
    });

    it("refuses identities that are not the cluster's", async () => {
      const other = await patch(settings({ vaultUri: 'https://valid-kv.vault.azure.net/', associatedIdentity: { identityType: 'UserAssignedIdentity', userAssignedIdentityResourceId: uaiId.replace('valid-uai', 'other-uai') } }));
      expect(other.status).to.equal(400);
      expect(other.body.error.code).to.equal('InvalidAssociatedIdentity');
      const noId = await patch(settings({ vaultUri: 'https://valid-kv.vault.azure.net/', associatedIdentity: { identityType: 'UserAssignedIdentity' } }));
      expect(noId.status).to.equal(400);
      const noSystem = await patch(settings({ vaultUri: 'https://valid-kv.vault.azure.net/', associatedIdentity: { identityType: 'SystemAssignedIdentity' } }));
      expect(noSystem.status).to.equal(400);
      const both = await patch(settings({ vaultUri: 'https://valid-kv.vault.azure.net/', associatedIdentity: { identityType: 'SystemAssignedIdentity', userAssignedIdentityResourceId: uaiId } }));
      expect(both.status).to.equal(400);
      expect(both.body.error.message).to.contain('mutually exclusive');
    });

    it('is unknown to api-versions before it existed', async () => {
      const r = await patch(settings({ vaultUri: 'https://valid-kv.vault.azure.net/' }), '2024-07-01');
      expect(r.status).to.equal(400);
      const legacy = await patch({ properties: { secretArchive: { keyVaultId: vaultId(w, RG, 'valid-kv') } } }, '2023-07-01');
      expect(legacy.status).to.equal(400);
    });

    it('sets, changes and clears both by PATCH, and sets them by PUT', async () => {
      const set = await patchCluster(w, RG, 'valid-cluster', {
        properties: {
          secretArchive: { keyVaultId: vaultId(w, RG, 'valid-kv') },
          secretArchiveSettings: { vaultUri: 'https://valid-kv.vault.azure.net/', associatedIdentity: { identityType: 'UserAssignedIdentity', userAssignedIdentityResourceId: uaiId } },
        },
      });
      expect(set.properties.secretArchive).to.deep.equal({ keyVaultId: vaultId(w, RG, 'valid-kv'), useKeyVault: 'False' });
      await createVault(w, RG, 'valid-kv2');
      const changed = await patchCluster(w, RG, 'valid-cluster', settings({ vaultUri: 'https://valid-kv2.vault.azure.net/' }));
      expect(changed.properties.secretArchiveSettings.vaultUri).to.equal('https://valid-kv2.vault.azure.net/');
      expect(changed.properties.secretArchiveSettings.associatedIdentity.userAssignedIdentityResourceId).to.equal(uaiId);
      const cleared = await patchCluster(w, RG, 'valid-cluster', { properties: { secretArchiveSettings: null, secretArchive: null } });
      expect(cleared.properties).to.not.have.property('secretArchiveSettings');
      expect(cleared.properties).to.not.have.property('secretArchive');

      // By PUT: a new cluster created with its identity and secretArchiveSettings at once.
      const path = `${ncId(w, RG, 'clusters', 'valid-cluster-2')}?api-version=2025-09-01`;
      const manager = (await w.client.get(`${ncId(w, RG, 'clusterManagers', 'valid-cm')}?api-version=2025-09-01`)).body;
      const body: any = { ...clusterBody(w.sub, RG, manager.properties.managerExtendedLocation, { machines: 1, appliances: 0, mrg: 'valid-cluster-2-mrg' }), identity: { type: 'UserAssigned', userAssignedIdentities: { [uaiId]: {} } } };
      const badPut = await w.client.put(path, { ...body, properties: { ...body.properties, secretArchiveSettings: { vaultUri: 'https://missing-kv.vault.azure.net/' } } });
      expect(badPut.status).to.equal(400);
      expect(badPut.body.error.code).to.equal('KeyVaultNotFound');
      body.properties.secretArchiveSettings = { vaultUri: 'https://valid-kv.vault.azure.net/', associatedIdentity: { identityType: 'UserAssignedIdentity', userAssignedIdentityResourceId: uaiId } };
      const put = await w.client.put(path, body);
      expect(put.status, put.text).to.equal(201);
      await w.client.poll(put);
      expect((await w.client.get(path)).body.properties.secretArchiveSettings.vaultUri).to.equal('https://valid-kv.vault.azure.net/');
    });
  });

  describe('no rotated value leaves through ARM or the log', () => {
    it('finds none of them in any ARM response at any api-version, nor in the request log', async () => {
      const values = new Set<string>();
      for (const c of w.emu.store.list<ManagedCredential>('managedCredentials')) values.add(c.value);
      for (const s of w.emu.store.list<SecretRecord>('vaultSecrets')) for (const v of s.versions) values.add(v.value);
      expect(values.size).to.be.greaterThan(50);

      const bodies: string[] = [];
      const get = async (path: string) => {
        const r = await w.client.get(path);
        expect(r.status, `${path}: ${r.text}`).to.be.below(400);
        bodies.push(r.text);
        return r.body;
      };
      const sub = `/subscriptions/${w.sub}`;
      await get(`${sub}/resources?api-version=2021-04-01`);
      for (const v of API_VERSIONS) {
        for (const type of ['clusters', 'clusterManagers', 'bareMetalMachines', 'storageAppliances']) {
          const list = await get(`${sub}/providers/Microsoft.NetworkCloud/${type}?api-version=${v}`);
          for (const r of list.value) await get(`${r.id}?api-version=${v}`);
        }
      }
      await get(`${sub}/providers/Microsoft.KeyVault/vaults?api-version=2023-07-01`);
      await get(`${sub}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01`);
      const cluster = ncId(w, 'valid-rg', 'clusters', 'valid-cluster');
      const op = await w.client.post(`${cluster}/rotateCredential?api-version=2026-07-01`, { credentials: ['BMC Credential', 'Cluster Service Credential'] });
      bodies.push(JSON.stringify((await w.client.poll(op)).body));
      for (const value of [...w.emu.store.list<ManagedCredential>('managedCredentials').map((c) => c.value), ...values]) values.add(value);

      const everything = bodies.join('\n');
      expect(everything).to.contain('secretRotationStatus');
      const leaked = [...values].filter((v) => everything.includes(v));
      expect(leaked, 'rotated values in ARM responses').to.deep.equal([]);
      expect(everything).to.not.contain('bmc-secret-');
      const log = w.logs.join('\n');
      expect([...values].filter((v) => log.includes(v)), 'rotated values in the log').to.deep.equal([]);
    });
  });
});
