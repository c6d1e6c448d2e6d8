/**
 * The whole demo driven end to end (deploy, credential rotation into a vault, PKI renewal and
 * revocation, the CLI with --debug): no private key, password, client secret, rotated credential
 * or token may appear in any ARM response, log line or CLI output. Only the Key Vault data plane
 * returns a secret (read here to learn the values to look for).
 */
import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { API_VERSIONS } from '../../rp/api/versions.js';
import { azemu } from '../cli/helpers.js';
import { clusterBody } from '../helpers/bodies.js';
import { ncPath, rgPath, spawnEmulator, type Reply, type Spawned } from '../helpers/emulator.js';

const WRITER_ROLE = '44f0a1a8-6fea-4b35-980a-8ff50c487c97';
const SECRETS_OFFICER = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7';

describe('secret scan over the whole demo', function () {
  this.timeout(180_000);
  let emu: Spawned;
  const armTexts: string[] = [];
  const cliTexts: string[] = [];

  before(async () => {
    emu = await spawnEmulator(['--operation-duration', '0', '--log-requests']);
  });
  after(() => emu.stop());

  /** Every ARM exchange of this test goes through here, so its body can be scanned. */
  async function arm(method: string, url: string, body?: unknown): Promise<Reply> {
    const r = await emu.client.send(method, url, body);
    armTexts.push(r.text);
    return r;
  }

  it('leaks nothing anywhere but the Key Vault secret get', async () => {
    const info = emu.client.info;
    const sub = info.subscriptionId;
    const rg = 'nexus-demo-rg';
    const v = '2025-09-01';

    // A cluster with known passwords, deployed.
    const cm = await arm('GET', `${info.demo!.clusterManagerId}?api-version=${v}`);
    const body = clusterBody(sub, rg, cm.body.properties.managerExtendedLocation, { mrg: 'scan-mrg', machines: 3, appliances: 1 });
    const sentPasswords = [
      ...body.properties.aggregatorOrSingleRackDefinition.bareMetalMachineConfigurationData.map((m) => m.bmcCredentials.password),
      ...body.properties.aggregatorOrSingleRackDefinition.storageApplianceConfigurationData.map((a) => a.adminCredentials.password),
    ];
    const clusterId = ncPath(sub, rg, 'clusters', 'scan-cluster');
    expect((await arm('PUT', `${clusterId}?api-version=${v}`, body)).status).to.equal(201);
    expect((await arm('POST', `${clusterId}/deploy?api-version=${v}`, {})).status).to.equal(202);

    // A vault, an identity with the writer role on it, and the cluster archiving through that identity.
    const vault = await arm('PUT', `${rgPath(sub, rg)}/providers/Microsoft.KeyVault/vaults/scan-kv?api-version=2023-07-01`, { location: 'eastus', properties: { tenantId: info.tenantId, sku: { family: 'A', name: 'standard' } } });
    expect(vault.status, vault.text).to.be.oneOf([200, 201]);
    const uai = await arm('PUT', `${rgPath(sub, rg)}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/scan-uai?api-version=2023-01-31`, { location: 'eastus' });
    const demoObjectId = JSON.parse(Buffer.from((await emu.client.token()).split('.')[1], 'base64url').toString()).oid as string;
    for (const [role, principal] of [[WRITER_ROLE, uai.body.properties.principalId], [SECRETS_OFFICER, demoObjectId]]) {
      const r = await arm('PUT', `${vault.body.id}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=2022-04-01`, {
        properties: { roleDefinitionId: `${vault.body.id}/providers/Microsoft.Authorization/roleDefinitions/${role}`, principalId: principal },
      });
      expect(r.status, r.text).to.equal(201);
    }
    const patch = await arm('PATCH', `${clusterId}?api-version=${v}`, {
      identity: { type: 'UserAssigned', userAssignedIdentities: { [uai.body.id]: {} } },
      properties: { secretArchiveSettings: { vaultUri: vault.body.properties.vaultUri, associatedIdentity: { identityType: 'UserAssignedIdentity', userAssignedIdentityResourceId: uai.body.id } } },
    });
    expect(patch.status, patch.text).to.be.oneOf([200, 202]);

    // Time passes: credentials rotate into the vault, certificates renew; then one is revoked; then an on-demand rotation.
    expect((await arm('POST', '/_emulator/clock', { advance: '61d' })).status).to.equal(200);
    const site = `/_emulator/sites/${sub}/${rg}/scan-cluster`;
    const certs = await arm('GET', `${site}/certificates`);
    expect(certs.status, certs.text).to.equal(200);
    const revoke = await arm('POST', `${site}/revocations`, { by: 'dnsName', value: JSON.stringify(certs.body).match(/"([a-z0-9.-]+\.nexus\.local)"/)?.[1] ?? 'r01c001' });
    expect(revoke.status, revoke.text).to.be.oneOf([200, 201]);
    const rotate = await arm('POST', `${clusterId}/rotateCredential?api-version=2026-07-01`, { credentials: ['BMC Credential'] });
    expect(rotate.status, rotate.text).to.equal(202);

    // Read everything back at every version, as ARM shows it.
    for (const version of API_VERSIONS) {
      for (const type of ['clusterManagers', 'clusters', 'bareMetalMachines', 'storageAppliances']) {
        const list = await arm('GET', `/subscriptions/${sub}/providers/Microsoft.NetworkCloud/${type}?api-version=${version}`);
        expect(list.status).to.equal(200);
      }
    }
    for (const p of [`/subscriptions/${sub}/resources?api-version=2021-04-01`, `/subscriptions/${sub}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01`, `${site}`, `${site}/issuers`, `${site}/trust-bundle`, '/_emulator/health']) {
      await arm('GET', p);
    }

    // The CLI, with --debug.
    const config = mkdtempSync(path.join(os.tmpdir(), 'nce-scan-cli-'));
    const cli = async (...args: string[]) => {
      const r = await azemu(args, { configDir: config });
      cliTexts.push(r.stdout, r.stderr);
      return r;
    };
    expect((await cli('login', '--emulator', emu.dataDir)).code).to.equal(0);
    const mrgMachine = ncPath(sub, 'scan-mrg', 'bareMetalMachines', 'r01c001');
    for (const args of [
      ['networkcloud', 'baremetalmachine', 'show', '--ids', mrgMachine, '--debug'],
      ['networkcloud', 'cluster', 'show', '--ids', clusterId, '--debug', '-o', 'yaml'],
      ['networkcloud', 'storageappliance', 'list', '-g', 'scan-mrg', '--debug', '-o', 'tsv'],
      ['networkcloud', 'baremetalmachine', 'update', '--ids', mrgMachine, '--tags', 'scan=yes', '--debug'],
      ['networkcloud', 'cluster', 'update', '--ids', clusterId, '--tags', 'scan=yes', '--debug'],
      ['account', 'show', '--debug'],
    ]) {
      const r = await cli(...args);
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).to.equal(0);
    }

    // What must never show: learn the rotated values from the one place allowed to return them.
    const vaultToken = await emu.client.token('https://vault.azure.net/.default');
    const secretsSeen: string[] = [];
    const list = await emu.client.get(`/vaults/scan-kv/secrets?api-version=7.4`, { token: vaultToken });
    expect(list.status, list.text).to.equal(200);
    expect(list.body.value.length).to.be.greaterThan(0);
    for (const item of list.body.value) {
      const name = item.id.split('/secrets/')[1].split('/')[0];
      const versions = await emu.client.get(`/vaults/scan-kv/secrets/${name}/versions?api-version=7.4`, { token: vaultToken });
      for (const ver of versions.body.value) {
        const got = await emu.client.get(`/vaults/scan-kv/secrets/${name}/${ver.id.split('/').pop()}?api-version=7.4`, { token: vaultToken });
        secretsSeen.push(got.body.value);
      }
    }
    expect(secretsSeen.length).to.be.greaterThan(4);
    const forbidden = [
      'PRIVATE KEY',
      info.clientSecret,
      info.msiSecret,
      await emu.client.token(),
      vaultToken,
      ...sentPasswords,
      ...secretsSeen,
    ];
    const places: [string, string][] = [
      ...armTexts.map((t, i) => [`ARM response #${i}`, t] as [string, string]),
      ...cliTexts.map((t, i) => [`CLI output #${i}`, t] as [string, string]),
      ['emulator log', emu.output()],
    ];
    expect(emu.output()).to.match(/GET \/subscriptions\//);
    for (const [where, text] of places) {
      for (const secret of forbidden) {
        expect(text.includes(secret), `${where} contains a secret (${secret.slice(0, 6)}…)`).to.equal(false);
      }
    }
  });
});
