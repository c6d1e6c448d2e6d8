/**
 * azemu as a subprocess against a real emulator: the seed walkthrough of issue 5 done entirely
 * with azemu (vault, user-assigned identity, the cluster's identity, the Nexus writer role,
 * secretArchiveSettings, 61 days on the clock, the rotated credential read back with
 * `keyvault secret show`), the site view before and after that rotation period, revocation,
 * rotate-credential, the new commands' deletes, and a scan of every output for secrets.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { azemu, directGet, directRequest, newConfigDir, removeTempDirs, startEmulator, type CliResult, type RunningEmulator } from './helpers.js';

const WRITER_ROLE = 'Operator Nexus Key Vault Writer Service Role (Preview)';
const WRITER_ROLE_GUID = '44f0a1a8-6fea-4b35-980a-8ff50c487c97';
const VAULT_SCOPE = 'https://vault.azure.net/.default';

describe('azemu: secret archive walkthrough, identities, vaults, roles, site view', function () {
  this.timeout(120_000);
  let emu: RunningEmulator;
  let config: string;
  let sub: string;
  let clusterId: string;
  let mrg: string;
  const rg = 'nexus-demo-rg';
  const vaultName = `kv-arc-${Math.random().toString(36).slice(2, 8)}`;
  /** every azemu run, for the secrets scan at the end; `secretShow` marks `keyvault secret show` */
  const runs: { args: string[]; result: CliResult; secretShow: boolean }[] = [];

  const run = async (...args: string[]) => {
    const result = await azemu(args, { configDir: config });
    runs.push({ args, result, secretShow: args[0] === 'keyvault' && args[1] === 'secret' && args[2] === 'show' });
    return result;
  };
  const json = async (...args: string[]) => {
    const r = await run(...args);
    expect(r.code, `${args.join(' ')}\n${r.stderr}`).to.equal(0);
    return JSON.parse(r.stdout);
  };
  const tsv = async (...args: string[]) => {
    const r = await run(...args, '-o', 'tsv');
    expect(r.code, `${args.join(' ')}\n${r.stderr}`).to.equal(0);
    return r.stdout.replace(/\n$/, '');
  };
  const site = () => ['--cluster-id', clusterId];

  // facts gathered on the way
  let vaultId: string;
  let vaultUri: string;
  let uaiId: string;
  let uaiPrincipal: string;
  let initial: { revision: number; serial: string; caHash: string };

  before(async () => {
    emu = await startEmulator();
    config = newConfigDir();
    sub = emu.info.subscriptionId;
    clusterId = emu.info.demo.clusterId;
    mrg = emu.info.demo.managedResourceGroup;
    const login = await run('login', '--emulator', emu.dataDir, '-o', 'none');
    expect(login.code, login.stderr).to.equal(0);
  });

  after(async () => {
    await emu?.stop();
    removeTempDirs();
  });

  describe('the site view before any rotation period', () => {
    it('site show, issuers, certificates, certificate show, trust-bundle; caCertificate matches the machines', async () => {
      const summary = await json('emulator', 'site', 'show', '-g', rg, '--cluster', 'demo-cluster');
      expect(summary.clusterId).to.equal(clusterId);
      const machineCa = await json('networkcloud', 'baremetalmachine', 'show', '-g', mrg, '-n', 'r01c001', '--query', 'caCertificate.hash');
      expect(summary.caCertificate.hash).to.equal(machineCa);

      const issuers = await json('emulator', 'site', 'issuers', ...site());
      expect(issuers.map((i: { role: string }) => i.role)).to.include.members(['root', 'active']);
      const table = (await run('emulator', 'site', 'issuers', ...site(), '-o', 'table')).stdout.split('\n');
      expect(table[0]).to.match(/^Name\s+Role\s+Revision\s+Serial\s+NotAfter\s+Ready$/);
      expect(table.some((l) => /^interface-issuer\s+active\s+1\s+/.test(l))).to.equal(true);

      const certificates = await json('emulator', 'site', 'certificates', ...site());
      expect(certificates.map((c: { name: string }) => c.name)).to.include('bmc-r01c001');
      const [revision, serial] = (await tsv('emulator', 'site', 'certificate', 'show', ...site(), '--name', 'bmc-r01c001', '--query', '[status.revision, serial]')).split('\n');
      initial = { revision: Number(revision), serial, caHash: summary.caCertificate.hash };
      expect(initial.revision).to.equal(1);
      expect(summary.endpoints.find((e: { name: string }) => e.name === 'bmc-r01c001').servingSerial).to.equal(serial);

      const bundle = await json('emulator', 'site', 'trust-bundle', ...site());
      expect(bundle.pem).to.match(/^-----BEGIN CERTIFICATE-----/);
      // tsv writes the string raw, then its line end
      expect((await run('emulator', 'site', 'trust-bundle', ...site(), '--query', 'pem', '-o', 'tsv')).stdout).to.equal(`${bundle.pem}\n`);
      expect((await run('emulator', 'site', 'list', '--query', '[].clusterId', '-o', 'tsv')).stdout).to.include(clusterId);
    });

    it('pki root finds the root behind caCertificate.hash', async () => {
      const root = await json('emulator', 'pki', 'root', '--sha256', initial.caHash);
      expect(root.matched).to.include({ name: 'interface-issuer', role: 'active' });
      expect(root.root.certificate).to.match(/^-----BEGIN CERTIFICATE-----/);
      expect((await run('emulator', 'pki', 'root', '--sha256', 'nothex')).code).to.equal(2);
      expect((await run('emulator', 'pki', 'root', '--sha256', '0'.repeat(64))).code).to.equal(3);
    });

    it('site errors: no cluster named (exit 2), a cluster that does not exist (exit 3)', async () => {
      const usage = await run('emulator', 'site', 'show');
      expect(usage).to.deep.include({ code: 2, stdout: '' });
      expect(usage.stderr).to.equal('ERROR: usage error: --cluster-id ID | --resource-group RG --cluster NAME\n');
      const missing = await run('emulator', 'site', 'certificates', '-g', rg, '--cluster', 'no-such-cluster');
      expect(missing.code).to.equal(3);
      expect(missing.stderr).to.match(/^ERROR: \(ResourceNotFound\) /);
    });
  });

  describe('the seed walkthrough with azemu', () => {
    it('keyvault create --enable-rbac-authorization true: az\'s model, properties not flattened', async () => {
      const vault = await json('keyvault', 'create', '-g', rg, '-n', vaultName, '-l', 'eastus', '--enable-rbac-authorization', 'true');
      expect(vault).to.include({ name: vaultName, location: 'eastus', resourceGroup: rg, type: 'Microsoft.KeyVault/vaults' });
      expect(vault.properties).to.include({ enableRbacAuthorization: true, tenantId: emu.info.tenantId, vaultUri: `https://${vaultName}.vault.azure.net/`, createMode: null });
      expect(vault.properties.sku).to.deep.equal({ family: 'A', name: 'standard' });
      expect(vault).to.not.have.property('etag');
      vaultId = vault.id;
      vaultUri = await tsv('keyvault', 'show', '-n', vaultName, '--query', 'properties.vaultUri');
      expect(vaultUri).to.equal(vault.properties.vaultUri);
      // without -g, az lists through the generic resources API: no properties
      const listed = await json('keyvault', 'list', '--query', `[?name=='${vaultName}']`);
      expect(listed).to.deep.equal([{ id: vaultId, location: 'eastus', name: vaultName, resourceGroup: rg, tags: null, type: 'Microsoft.KeyVault/vaults' }]);
      expect(await json('keyvault', 'list', '-g', rg, '--query', `[?name=='${vaultName}'].properties.vaultUri`)).to.deep.equal([vaultUri]);
      const again = await run('keyvault', 'create', '-g', rg, '-n', vaultName);
      expect(again).to.deep.include({ code: 1, stdout: '', stderr: `ERROR: The specified vault: ${vaultName} already exists\n` });
    });

    it('identity create (location from the group), show with clientId/principalId/tenantId at the top level, list', async () => {
      const created = await json('identity', 'create', '-g', rg, '-n', 'uai-archive');
      expect(Object.keys(created).sort()).to.deep.equal(['clientId', 'id', 'location', 'name', 'principalId', 'resourceGroup', 'systemData', 'tags', 'tenantId', 'type']);
      expect(created).to.include({ name: 'uai-archive', location: 'eastus', tenantId: emu.info.tenantId, type: 'Microsoft.ManagedIdentity/userAssignedIdentities' });
      uaiId = created.id;
      uaiPrincipal = await tsv('identity', 'show', '-g', rg, '-n', 'uai-archive', '--query', 'principalId');
      expect(uaiPrincipal).to.equal(created.principalId);
      expect(await json('identity', 'show', '--ids', uaiId, '--query', 'clientId')).to.equal(created.clientId);
      expect(await json('identity', 'list', '-g', rg, '--query', '[].name')).to.include('uai-archive');
    });

    it('cluster identity assign, role definition list --name, role assignment create with the writer role by name', async () => {
      const identity = await json('networkcloud', 'cluster', 'identity', 'assign', '--ids', clusterId, '--mi-user-assigned', uaiId);
      expect(Object.keys(identity.userAssignedIdentities)).to.include(uaiId);
      const roles = await json('role', 'definition', 'list', '--name', WRITER_ROLE);
      expect(roles).to.have.length(1);
      expect(roles[0]).to.include({ name: WRITER_ROLE_GUID, roleName: WRITER_ROLE, roleType: 'BuiltInRole', type: 'Microsoft.Authorization/roleDefinitions' });
      expect(roles[0].permissions[0].dataActions).to.deep.equal(['Microsoft.KeyVault/vaults/secrets/setSecret/action']);
      const assignment = await json('role', 'assignment', 'create', '--assignee-object-id', uaiPrincipal, '--assignee-principal-type', 'ServicePrincipal', '--role', WRITER_ROLE, '--scope', vaultId);
      expect(assignment).to.include({ principalId: uaiPrincipal, principalType: 'ServicePrincipal', scope: vaultId, type: 'Microsoft.Authorization/roleAssignments', resourceGroup: rg });
      expect(assignment.roleDefinitionId).to.equal(`/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${WRITER_ROLE_GUID}`);
      // idempotent, like az: the same assignment again prints the existing one
      const again = await json('role', 'assignment', 'create', '--assignee-object-id', uaiPrincipal, '--assignee-principal-type', 'ServicePrincipal', '--role', WRITER_ROLE_GUID, '--scope', vaultId);
      expect(again.name).to.equal(assignment.name);
      const listed = await json('role', 'assignment', 'list', '--scope', vaultId);
      expect(listed).to.have.length(1);
      expect(listed[0]).to.include({ principalId: uaiPrincipal, roleDefinitionName: WRITER_ROLE, principalName: '', scope: vaultId });
      const table = (await run('role', 'assignment', 'list', '--scope', vaultId, '-o', 'table')).stdout.split('\n');
      expect(table[0]).to.match(/^Principal\s+Role\s+Scope$/);
      expect(table[2]).to.include(WRITER_ROLE);
      const bad = await run('role', 'assignment', 'create', '--assignee-object-id', uaiPrincipal, '--role', 'No Such Role', '--scope', vaultId);
      expect(bad).to.deep.include({ code: 1, stderr: "ERROR: Role 'No Such Role' doesn't exist.\n" });
    });

    it('cluster update --sa-settings names the vault and the identity', async () => {
      const settings = await json('networkcloud', 'cluster', 'update', '--ids', clusterId, '--sa-settings', 'identity-type=UserAssignedIdentity', `identity-resource-id=${uaiId}`, `vault-uri=${vaultUri}`, '--query', 'secretArchiveSettings');
      expect(settings).to.deep.equal({ vaultUri, associatedIdentity: { identityType: 'UserAssignedIdentity', userAssignedIdentityResourceId: uaiId } });
    });

    it('reading the vault needs a data role: 403 first, then Key Vault Secrets User for the logged-in client', async () => {
      const denied = await run('keyvault', 'secret', 'list-versions', '--vault-name', vaultName, '--name', 'anything');
      expect(denied.code).to.equal(1);
      expect(denied.stderr).to.match(/^ERROR: \(Forbidden\) Caller is not authorized to perform action on resource\./);
      const reader = await json('role', 'assignment', 'create', '--assignee', emu.info.clientId, '--role', 'Key Vault Secrets User', '--scope', vaultId);
      expect(reader.principalType).to.equal('ServicePrincipal');
      expect(reader.principalId).to.match(/^[0-9a-f-]{36}$/).and.not.equal(emu.info.clientId);
    });

    it('clock advance 61d: the rotated BMC credential is in the vault, at exactly the version secretRotationStatus names', async () => {
      await json('emulator', 'clock', 'advance', '61d');
      const status = await json('networkcloud', 'baremetalmachine', 'show', '-g', mrg, '-n', 'r01c001', '--query', "secretRotationStatus[?secretType=='Bare Metal Machine BMC'] | [0]");
      const ref = status.secretArchiveReference;
      expect(ref).to.include({ keyVaultId: vaultId, keyVaultUri: vaultUri });
      const versions = await json('keyvault', 'secret', 'list-versions', '--vault-name', vaultName, '--name', ref.secretName);
      expect(versions).to.have.length(1);
      expect(Object.keys(versions[0]).sort()).to.deep.equal(['attributes', 'contentType', 'id', 'managed', 'name', 'tags']);
      expect(versions[0].id).to.equal(`${vaultUri}secrets/${ref.secretName}/${ref.secretVersion}`);
      expect(versions[0].name).to.equal(ref.secretName);
      expect(versions[0].attributes).to.include({ enabled: true, recoveryLevel: 'Recoverable+Purgeable' });
      expect(versions[0].attributes.created).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);

      const shown = await json('keyvault', 'secret', 'show', '--vault-name', vaultName, '--name', ref.secretName, '--version', ref.secretVersion);
      expect(Object.keys(shown).sort()).to.deep.equal(['attributes', 'contentType', 'id', 'kid', 'managed', 'name', 'tags', 'value']);
      expect(shown.id).to.equal(versions[0].id);
      // what the emulator's data plane holds for that version, read directly
      const direct = await directRequest(emu.info, 'GET', `/vaults/${vaultName}/secrets/${ref.secretName}/${ref.secretVersion}?api-version=7.4`, { scope: VAULT_SCOPE });
      expect(direct.status).to.equal(200);
      expect(shown.value).to.be.a('string').and.equal(direct.body.value);
      expect(await tsv('keyvault', 'secret', 'show', '--id', shown.id, '--query', 'value')).to.equal(shown.value);
      const latest = await json('keyvault', 'secret', 'show', '--vault-name', vaultName, '--name', ref.secretName);
      expect(latest.value).to.equal(shown.value);
    });
  });

  describe('the site view after 61 days', () => {
    it('the BMC leaf was renewed (revision grows, new serial served), caCertificate stays', async () => {
      const [revision, serial] = (await tsv('emulator', 'site', 'certificate', 'show', ...site(), '--name', 'bmc-r01c001', '--query', '[status.revision, serial]')).split('\n');
      expect(Number(revision)).to.be.greaterThan(initial.revision);
      expect(serial).to.not.equal(initial.serial);
      const summary = await json('emulator', 'site', 'show', '-g', rg, '--cluster', 'demo-cluster');
      expect(summary.caCertificate.hash).to.equal(initial.caHash);
      expect(summary.endpoints.find((e: { name: string }) => e.name === 'bmc-r01c001').servingSerial).to.equal(serial);
      expect(await json('networkcloud', 'baremetalmachine', 'show', '-g', mrg, '-n', 'r01c001', '--query', 'caCertificate.hash')).to.equal(initial.caHash);
      const table = (await run('emulator', 'site', 'certificates', ...site(), '-o', 'table')).stdout.split('\n');
      expect(table[0]).to.match(/^Name\s+Purpose\s+Revision\s+Serial\s+NotAfter\s+RenewalTime\s+Ready$/);
      expect(table.find((l) => l.startsWith('bmc-r01c001 '))).to.match(new RegExp(`\\s${revision}\\s+${serial}\\s`));
    });

    it('revoke --by serialNumber reissues the endpoint; --by with a bad value is exit 2', async () => {
      const serial = await tsv('emulator', 'site', 'certificate', 'show', ...site(), '--name', 'bmc-r01c002', '--query', 'serial');
      const outcome = await json('emulator', 'site', 'revoke', ...site(), '--by', 'serialNumber', '--value', serial, '--reason', 'keyCompromise');
      expect(outcome.rule).to.include({ by: 'serialNumber', value: serial, reason: 'keyCompromise' });
      expect(outcome.revoked.map((r: { serial: string }) => r.serial)).to.deep.equal([serial]);
      expect(outcome.reissued.map((r: { name: string }) => r.name)).to.deep.equal(['bmc-r01c002']);
      expect(await tsv('emulator', 'site', 'certificate', 'show', ...site(), '--name', 'bmc-r01c002', '--query', 'serial')).to.not.equal(serial);
      expect((await run('emulator', 'site', 'revoke', ...site(), '--by', 'color', '--value', 'x')).code).to.equal(2);
    });
  });

  describe('rotate-credential and the versions it adds', () => {
    it('networkcloud cluster rotate-credential --credentials "BMC Credential": a second version, named by secretRotationStatus', async () => {
      const result = await json('networkcloud', 'cluster', 'rotate-credential', '--ids', clusterId, '--credentials', 'BMC Credential');
      expect(result.status).to.equal('Succeeded');
      const ref = await json('networkcloud', 'baremetalmachine', 'show', '-g', mrg, '-n', 'r01c001', '--query', "secretRotationStatus[?secretType=='Bare Metal Machine BMC'] | [0].secretArchiveReference");
      const versions = await json('keyvault', 'secret', 'list-versions', '--vault-name', vaultName, '--name', ref.secretName, '--query', '[].id');
      expect(versions).to.have.length(2);
      expect(versions).to.include(`${vaultUri}secrets/${ref.secretName}/${ref.secretVersion}`);
      expect((await run('networkcloud', 'cluster', 'rotate-credential', '--ids', clusterId, '--credentials', 'no-such-credential')).code).to.equal(1);
    });
  });

  describe('deletes', () => {
    it('role assignment delete by assignee, role and scope; then by --ids', async () => {
      ok(await run('identity', 'create', '-g', rg, '-n', 'uai-tmp', '-o', 'none'));
      const principal = await tsv('identity', 'show', '-g', rg, '-n', 'uai-tmp', '--query', 'principalId');
      const a = await json('role', 'assignment', 'create', '--assignee-object-id', principal, '--assignee-principal-type', 'ServicePrincipal', '--role', 'Key Vault Secrets Officer', '--scope', vaultId);
      const b = await json('role', 'assignment', 'create', '--assignee-object-id', principal, '--assignee-principal-type', 'ServicePrincipal', '--role', 'Reader', '-g', rg);
      expect(b.scope).to.equal(`/subscriptions/${sub}/resourceGroups/${rg}`);
      expect(await json('role', 'assignment', 'list', '--all', '--assignee', principal, '--query', '[].roleDefinitionName')).to.have.members(['Key Vault Secrets Officer', 'Reader']);
      expect(await json('role', 'assignment', 'list', '--scope', vaultId, '--assignee', principal, '--include-inherited', '--query', '[].roleDefinitionName')).to.have.members(['Key Vault Secrets Officer', 'Reader']);
      const del = await run('role', 'assignment', 'delete', '--assignee', principal, '--role', 'Key Vault Secrets Officer', '--scope', vaultId);
      expect(del).to.deep.include({ code: 0, stdout: '' });
      expect(await json('role', 'assignment', 'list', '--scope', vaultId, '--assignee', principal)).to.deep.equal([]);
      const none = await run('role', 'assignment', 'delete', '--assignee', principal, '--role', 'Key Vault Secrets Officer', '--scope', vaultId);
      expect(none).to.deep.include({ code: 1, stderr: 'ERROR: No matched assignments were found to delete\n' });
      ok(await run('role', 'assignment', 'delete', '--ids', b.id));
      expect(await json('role', 'assignment', 'list', '--all', '--assignee', principal)).to.deep.equal([]);
      ok(await run('identity', 'delete', '-g', rg, '-n', 'uai-tmp'));
      expect((await run('identity', 'show', '-g', rg, '-n', 'uai-tmp')).code).to.equal(3);
    });

    it('keyvault delete, then show is exit 3', async () => {
      const name = `${vaultName}-x`;
      ok(await run('keyvault', 'create', '-g', rg, '-n', name, '-o', 'none'));
      const del = await run('keyvault', 'delete', '-n', name);
      expect(del).to.deep.include({ code: 0, stdout: '' });
      const gone = await run('keyvault', 'show', '-n', name);
      expect(gone).to.deep.include({ code: 3, stdout: '' });
    });
  });

  describe('no secret in any output but keyvault secret show\'s', () => {
    it('--debug runs redact tokens, the client secret and secret values', async () => {
      const ref = await json('networkcloud', 'baremetalmachine', 'show', '-g', mrg, '-n', 'r01c001', '--query', "secretRotationStatus[?secretType=='Bare Metal Machine BMC'] | [0].secretArchiveReference");
      const shown = await run('keyvault', 'secret', 'show', '--vault-name', vaultName, '--name', ref.secretName, '--debug');
      expect(shown.code).to.equal(0);
      expect(shown.stderr).to.include('DEBUG: cli.azemu.client: Response content:');
      expect(shown.stderr).to.include('"value":"*****"');
      // a fresh config (no cached token): the whole challenge flow is logged
      const fresh = newConfigDir();
      expect((await azemu(['login', '--emulator', emu.dataDir, '-o', 'none'], { configDir: fresh })).code).to.equal(0);
      const challenged = await azemu(['keyvault', 'secret', 'list-versions', '--vault-name', vaultName, '--name', ref.secretName, '--debug'], { configDir: fresh });
      runs.push({ args: ['keyvault', 'secret', 'list-versions', '--debug'], result: challenged, secretShow: false });
      expect(challenged.code, challenged.stderr).to.equal(0);
      expect(challenged.stderr).to.include('Response status: 401');
      expect(challenged.stderr).to.match(/client_secret=\*\*\*\*\*&scope=https%3A%2F%2Fvault\.azure\.net%2F\.default/);
      const cache = JSON.parse(readFileSync(path.join(fresh, 'token-cache.json'), 'utf8'));
      expect(Object.keys(cache.tokens)).to.have.members(['https://management.azure.com/.default', VAULT_SCOPE]);
      for (const token of Object.values(cache.tokens) as { accessToken: string }[]) expect(challenged.stderr).to.not.include(token.accessToken);
      for (const args of [
        ['networkcloud', 'baremetalmachine', 'show', '-g', mrg, '-n', 'r01c001'],
        ['emulator', 'site', 'certificates', ...site()],
        ['role', 'assignment', 'list', '--scope', vaultId],
        ['identity', 'show', '--ids', uaiId],
      ]) expect((await run(...args, '--debug')).code, args.join(' ')).to.equal(0);
    });

    it('stdout and stderr of every run: no rotated value, PRIVATE KEY, client secret or token', async () => {
      // every value of every secret version in the vault, read directly from the data plane
      const values = new Set<string>();
      const list = await directRequest(emu.info, 'GET', `/vaults/${vaultName}/secrets?api-version=7.4&maxresults=25`, { scope: VAULT_SCOPE });
      for (const item of list.body.value as { id: string }[]) {
        const name = item.id.split('/')[4];
        const versions = await directRequest(emu.info, 'GET', `/vaults/${vaultName}/secrets/${name}/versions?api-version=7.4`, { scope: VAULT_SCOPE });
        for (const v of versions.body.value as { id: string }[]) {
          const got = await directRequest(emu.info, 'GET', `/vaults/${vaultName}/secrets/${name}/${v.id.split('/')[5]}?api-version=7.4`, { scope: VAULT_SCOPE });
          values.add(got.body.value);
        }
      }
      expect(values.size).to.be.greaterThan(10); // 6 machines x 2, the appliance, the cluster, and the extra BMC rotation
      const cache = JSON.parse(readFileSync(path.join(config, 'token-cache.json'), 'utf8'));
      const tokens = (Object.values(cache.tokens) as { accessToken: string }[]).map((t) => t.accessToken);
      expect(tokens).to.have.length(2);
      const forbidden = [...values, ...tokens, emu.info.clientSecret, 'PRIVATE KEY'];
      let checked = 0;
      for (const { args, result, secretShow } of runs) {
        // keyvault secret show prints the value it was asked for, on stdout only
        const texts = secretShow ? [result.stderr] : [result.stdout, result.stderr];
        for (const text of texts) for (const secret of forbidden) expect(text.includes(secret), `${args.join(' ')} printed a secret`).to.equal(false);
        checked++;
      }
      expect(checked).to.be.greaterThan(50);
      // and the ARM side never shows them either (write-only credentials)
      const bmm = await directGet(emu.info, `${emu.info.demo.bareMetalMachineIds[0]}?api-version=2026-07-01`);
      for (const v of values) expect(JSON.stringify(bmm.body)).to.not.include(v);
    });
  });

  function ok(r: CliResult, what = '') {
    expect(r.code, `${what}\n${r.stderr}`).to.equal(0);
  }
});
