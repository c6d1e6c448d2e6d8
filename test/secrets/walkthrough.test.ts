/**
 * "Set up Key Vault for Managed Credential Rotation in Operator Nexus", end to end against the real
 * server: a vault, a user-assigned identity given to the cluster, the writer role on the vault,
 * secretArchiveSettings, the clock past a rotation period, then the rotated credentials read back
 * with the real SecretClient at exactly the versions secretRotationStatus names.
 */
import { expect } from 'chai';
import {
  advance, assignRole, createDeployedCluster, createIdentity, createManager, createVault, ensureGroup, machinesOf, ncId, patchCluster,
  ROLE, secretClient, startWorld, statusOf, vaultId, type World,
} from '../vault/world.js';

const RG = 'nexus-rg';
const SECRET_TYPES = { bmc: 'Bare Metal Machine BMC', console: 'Bare Metal Machine Identity - console', storage: 'Storage Appliance User' };

describe('secrets: the Key Vault credential rotation walkthrough', function () {
  let w: World;
  let cluster: any;
  let uai: { id: string; principalId: string; clientId: string };
  let rotatedAt: string;
  const archived = new Map<string, string>(); // secretName -> version

  before(async () => {
    w = await startWorld();
    await ensureGroup(w, RG);
    const manager = await createManager(w, RG, 'cm1');
    cluster = await createDeployedCluster(w, RG, 'cluster1', manager, { machines: 2, appliances: 1 });
  });
  after(() => w.stop());

  it('rotates every credential at deployment, into the managed store only while no archive is set', async () => {
    expect(cluster.properties.detailedStatus).to.equal('Running');
    const { machines, appliances } = await machinesOf(w, cluster);
    expect(machines).to.have.length(2);
    for (const m of machines) {
      expect(m.properties.secretRotationStatus.map((s: any) => s.secretType)).to.deep.equal([SECRET_TYPES.bmc, SECRET_TYPES.console]);
      for (const s of m.properties.secretRotationStatus) {
        expect(s).to.include({ rotationPeriodDays: 60, expirePeriodDays: 90 });
        expect(s).to.not.have.property('secretArchiveReference');
      }
    }
    expect(statusOf(appliances[0], SECRET_TYPES.storage)).to.include({ rotationPeriodDays: 60, expirePeriodDays: 90 });
    const c = (await w.client.get(`${ncId(w, RG, 'clusters', 'cluster1')}?api-version=2026-07-01`)).body;
    expect(c.properties.managedCredentials).to.deep.equal(['BMC Credential', 'Console Credential', 'Storage Appliance Credential', 'Cluster Service Credential']);
  });

  it('sets up the vault, the identity, the role and secretArchiveSettings', async () => {
    const vault = await createVault(w, RG, 'nexus-kv');
    expect(vault.properties.vaultUri).to.equal('https://nexus-kv.vault.azure.net/');
    uai = await createIdentity(w, RG, 'nexus-kv-writer');
    const withIdentity = await patchCluster(w, RG, 'cluster1', { identity: { type: 'UserAssigned', userAssignedIdentities: { [uai.id]: {} } } });
    expect(withIdentity.identity.userAssignedIdentities[uai.id]).to.deep.equal({ principalId: uai.principalId, clientId: uai.clientId });
    await assignRole(w, vaultId(w, RG, 'nexus-kv'), ROLE.nexusWriter, uai.principalId);
    const linked = await patchCluster(w, RG, 'cluster1', {
      properties: { secretArchiveSettings: { vaultUri: vault.properties.vaultUri, associatedIdentity: { identityType: 'UserAssignedIdentity', userAssignedIdentityResourceId: uai.id } } },
    });
    expect(linked.properties.secretArchiveSettings).to.deep.equal({
      vaultUri: 'https://nexus-kv.vault.azure.net/',
      associatedIdentity: { identityType: 'UserAssignedIdentity', userAssignedIdentityResourceId: uai.id },
    });
  });

  it('rotates due credentials when the clock passes the rotation period, writing each to the vault', async () => {
    const before = await machinesOf(w, cluster);
    const nothingYet = await advance(w, '30d');
    expect(nothingYet).to.be.a('string');
    const unchanged = await machinesOf(w, cluster);
    expect(unchanged.machines.map((m) => m.properties.secretRotationStatus)).to.deep.equal(before.machines.map((m) => m.properties.secretRotationStatus));

    // Clock events run at their own instants: the rotation ran 60 days after the deployment's, a day before the jump's end.
    rotatedAt = new Date(Date.parse(await advance(w, '31d')) - 86_400_000).toISOString();
    const { machines, appliances } = await machinesOf(w, cluster);
    for (const resource of [...machines, ...appliances]) {
      expect(resource.properties.detailedStatusMessage).to.not.contain('could not be written');
      for (const s of resource.properties.secretRotationStatus) {
        expect(Date.parse(s.lastRotationTime)).to.be.closeTo(Date.parse(rotatedAt), 30_000);
        const ref = s.secretArchiveReference;
        expect(ref.keyVaultId).to.equal(vaultId(w, RG, 'nexus-kv'));
        expect(ref.keyVaultUri).to.equal('https://nexus-kv.vault.azure.net/');
        expect(ref.secretName).to.match(new RegExp(`^${w.sub}-${RG}-cluster1-(bmc|console|storage-appliance)-credential-manager-[0-9a-f]{8}$`));
        expect(ref.secretVersion).to.match(/^[0-9a-f]{32}$/);
        archived.set(ref.secretName, ref.secretVersion);
      }
    }
    expect(archived.size).to.equal(5);
  });

  it('lets a reader of the vault read exactly those versions with the real SecretClient', async () => {
    await assignRole(w, vaultId(w, RG, 'nexus-kv'), ROLE.secretsUser, w.emu.demoPrincipalObjectId);
    const secrets = secretClient(w, 'nexus-kv');
    for (const [name, version] of archived) {
      const latest = await secrets.getSecret(name);
      expect(latest.properties.version).to.equal(version);
      expect(latest.value).to.have.length(32);
      expect((await secrets.getSecret(name, { version })).value).to.equal(latest.value);
      expect(latest.properties.tags).to.include({ username: latest.properties.tags!.username });
      expect(latest.properties.expiresOn!.getTime()).to.be.closeTo(Date.parse(rotatedAt) + 90 * 86_400_000, 30_000);
    }
    const names: string[] = [];
    for await (const p of secrets.listPropertiesOfSecrets()) names.push(p.name);
    // The machines' and appliance's credentials plus the cluster's own service credential.
    expect(names).to.include.members([...archived.keys()]);
    expect(names.filter((n) => n.includes('-cluster-service-credential-manager-'))).to.have.length(1);
  });

  it('shows keyVaultUri only at the versions that have it', async () => {
    for (const api of ['2024-07-01', '2025-02-01']) {
      const { machines } = await machinesOf(w, cluster, api);
      const ref = statusOf(machines[0], SECRET_TYPES.console).secretArchiveReference;
      expect(ref, api).to.have.keys('keyVaultId', 'secretName', 'secretVersion');
    }
    const { machines } = await machinesOf(w, cluster, '2025-07-01-preview');
    expect(statusOf(machines[0], SECRET_TYPES.console).secretArchiveReference).to.have.property('keyVaultUri');
    const { machines: old } = await machinesOf(w, cluster, '2023-07-01');
    expect(old[0].properties).to.not.have.property('secretRotationStatus');
  });

  it('writes a new version on the next rotation and moves secretRotationStatus to it', async () => {
    await advance(w, '61d');
    const { machines } = await machinesOf(w, cluster);
    const ref = statusOf(machines[0], SECRET_TYPES.bmc).secretArchiveReference;
    expect(archived.get(ref.secretName)).to.not.equal(ref.secretVersion);
    const secrets = secretClient(w, 'nexus-kv');
    const versions: string[] = [];
    for await (const p of secrets.listPropertiesOfSecretVersions(ref.secretName)) versions.push(p.version!);
    expect(versions).to.have.members([archived.get(ref.secretName), ref.secretVersion]);
    expect((await secrets.getSecret(ref.secretName)).properties.version).to.equal(ref.secretVersion);
  });

  it('rotates on demand with rotateCredential (2026-07-01), only what was asked', async () => {
    const path = ncId(w, RG, 'clusters', 'cluster1');
    const before = (await machinesOf(w, cluster)).machines[0];
    await advance(w, '1d');
    const r = await w.client.post(`${path}/rotateCredential?api-version=2026-07-01`, { credentials: ['Console Credential'] });
    expect(r.status, r.text).to.equal(202);
    const done = await w.client.poll(r);
    expect(done.status, done.text).to.equal(200);
    expect(done.body.properties.outputHead).to.contain('Rotated 2 credential(s)').and.contain('https://nexus-kv.vault.azure.net/');
    const after = (await machinesOf(w, cluster)).machines[0];
    expect(statusOf(after, SECRET_TYPES.bmc)).to.deep.equal(statusOf(before, SECRET_TYPES.bmc));
    expect(statusOf(after, SECRET_TYPES.console).secretArchiveReference.secretVersion).to.not.equal(statusOf(before, SECRET_TYPES.console).secretArchiveReference.secretVersion);

    const unknown = await w.client.post(`${path}/rotateCredential?api-version=2026-07-01`, { credentials: ['Everything'] });
    expect(unknown.status).to.equal(400);
    expect(unknown.body.error.message).to.contain('BMC Credential');
    const tooOld = await w.client.post(`${path}/rotateCredential?api-version=2025-09-01`, { credentials: ['BMC Credential'] });
    expect(tooOld.status).to.equal(404);
  });
});
