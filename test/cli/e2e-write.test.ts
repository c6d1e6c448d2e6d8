/**
 * azemu as a subprocess against a real emulator: updates, actions, create/delete, long-running
 * operations with and without --no-wait, wait, identity commands and resource groups.
 */
import { expect } from 'chai';
import { azemu, directGet, newConfigDir, removeTempDirs, startEmulator, type CliResult, type RunningEmulator } from './helpers.js';

describe('azemu against the emulator: updates, actions, long-running operations', function () {
  this.timeout(120_000);
  let emu: RunningEmulator;
  let config: string;
  let mrg: string;
  let sub: string;
  const run = (...args: string[]) => azemu(args, { configDir: config });
  const json = async (...args: string[]) => {
    const r = await run(...args);
    expect(r.code, `${args.join(' ')}\n${r.stderr}`).to.equal(0);
    return JSON.parse(r.stdout);
  };
  const ok = (r: CliResult, what = '') => expect(r.code, `${what}\n${r.stderr}`).to.equal(0);

  before(async () => {
    emu = await startEmulator();
    config = newConfigDir();
    mrg = emu.info.demo.managedResourceGroup;
    sub = emu.info.subscriptionId;
    ok(await run('login', '--emulator', emu.dataDir));
  });

  after(async () => {
    await emu?.stop();
    removeTempDirs();
  });

  describe('update', () => {
    // the emulator checks that a secret archive names an existing vault and identity: make them (through azemu rest)
    const vaultName = `kv-e2e-${Math.random().toString(36).slice(2, 10)}`;
    let vaultId: string;
    let vaultUri: string;
    let uaiId: string;

    before(async () => {
      const rgPath = `/subscriptions/${sub}/resourceGroups/nexus-demo-rg`;
      const vault = await json('rest', '-m', 'put', '-u', `${rgPath}/providers/Microsoft.KeyVault/vaults/${vaultName}?api-version=2023-07-01`,
        '--body', JSON.stringify({ location: 'eastus', properties: { tenantId: emu.info.tenantId, sku: { family: 'A', name: 'standard' }, accessPolicies: [] } }));
      vaultId = vault.id;
      vaultUri = vault.properties.vaultUri;
      const uai = await json('rest', '-m', 'put', '-u', `${rgPath}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai-e2e?api-version=2023-01-31`, '--body', '{"location":"eastus"}');
      uaiId = uai.id;
    });

    it('baremetalmachine update: --machine-details and --tags, printed flattened', async () => {
      const r = await json('networkcloud', 'baremetalmachine', 'update', '-g', mrg, '-n', 'r01c003', '--machine-details', 'rack 1 slot 3', '--tags', 'owner=ops', 'tier=gold');
      expect(r).to.include({ machineDetails: 'rack 1 slot 3', name: 'r01c003', resourceGroup: mrg });
      expect(r.tags).to.deep.equal({ owner: 'ops', tier: 'gold' });
    });

    it('storageappliance update: --serial-number', async () => {
      const r = await json('networkcloud', 'storageappliance', 'update', '--ids', emu.info.demo.storageApplianceIds[0], '--serial-number', 'SN-NEW-1', '--query', 'serialNumber');
      expect(r).to.equal('SN-NEW-1');
    });

    it('cluster update: the seed example --secret-archive braces form, then show --query secretArchive', async () => {
      const updated = await run('networkcloud', 'cluster', 'update', '--ids', emu.info.demo.clusterId, '--secret-archive', `{key-vault-id:${vaultId},use-key-vault:True}`);
      ok(updated);
      const shown = await json('networkcloud', 'cluster', 'show', '--ids', emu.info.demo.clusterId, '--query', 'secretArchive');
      expect(shown).to.deep.equal({ keyVaultId: vaultId, useKeyVault: 'True' });
      const direct = await directGet(emu.info, `${emu.info.demo.clusterId}?api-version=2025-09-01`);
      expect(direct.body.properties.secretArchive).to.deep.equal(shown);
    });

    it('cluster update: --sa-settings space form, --update-strategy, --mi-system-assigned with --mi-user-assigned', async () => {
      const r = await json(
        'networkcloud', 'cluster', 'update', '--ids', emu.info.demo.clusterId,
        '--mi-system-assigned', '--mi-user-assigned', uaiId,
        '--sa-settings', 'identity-type=UserAssignedIdentity', `identity-resource-id=${uaiId}`, `vault-uri=${vaultUri}`,
        '--update-strategy', 'strategy-type=Rack', 'threshold-type=CountSuccess', 'threshold-value=4', 'max-unavailable=4', 'wait-time-minutes=10',
        '--query', '{s:secretArchiveSettings, u:updateStrategy, i:identity}',
      );
      expect(r.s).to.deep.equal({ vaultUri, associatedIdentity: { identityType: 'UserAssignedIdentity', userAssignedIdentityResourceId: uaiId } });
      expect(r.u).to.include({ strategyType: 'Rack', thresholdType: 'CountSuccess', thresholdValue: 4, maxUnavailable: 4, waitTimeMinutes: 10 });
      expect(r.i.type).to.equal('SystemAssigned,UserAssigned');
      expect(Object.keys(r.i.userAssignedIdentities).map((k) => k.toLowerCase())).to.deep.equal([uaiId.toLowerCase()]);
    });

    it('cluster update --no-wait, then wait --updated; storage appliance wait --exists', async () => {
      const r = await run('networkcloud', 'cluster', 'update', '--ids', emu.info.demo.clusterId, '--tags', 'stage=nowait', '--no-wait');
      expect(r).to.deep.include({ code: 0, stdout: '', stderr: '' });
      ok(await run('networkcloud', 'cluster', 'wait', '--ids', emu.info.demo.clusterId, '--updated', '--interval', '1', '--timeout', '30'));
      expect(await json('networkcloud', 'cluster', 'show', '--ids', emu.info.demo.clusterId, '--query', 'tags.stage')).to.equal('nowait');
      ok(await run('networkcloud', 'storageappliance', 'wait', '--ids', emu.info.demo.storageApplianceIds[0], '--exists', '--interval', '1'));
    });

    it('clustermanager update is synchronous: --tags', async () => {
      const r = await json('networkcloud', 'clustermanager', 'update', '--ids', emu.info.demo.clusterManagerId, '--tags', 'env=test', '--query', 'tags');
      expect(r).to.deep.equal({ env: 'test' });
    });

    it('--if-match with a stale etag fails with 412 and exit 1', async () => {
      const r = await run('networkcloud', 'baremetalmachine', 'update', '-g', mrg, '-n', 'r01c004', '--tags', 'a=b', '--if-match', '"stale"');
      expect(r.code).to.equal(1);
      expect(r.stdout).to.equal('');
      expect(r.stderr).to.match(/^ERROR: \(\w+\) /);
      const etag = (await json('networkcloud', 'baremetalmachine', 'show', '-g', mrg, '-n', 'r01c004', '--query', 'etag')) as string;
      ok(await run('networkcloud', 'baremetalmachine', 'update', '-g', mrg, '-n', 'r01c004', '--tags', 'a=b', '--if-match', etag));
    });
  });

  describe('actions', () => {
    it('cordon --evacuate / uncordon, printing the final operation status', async () => {
      const cordon = await json('networkcloud', 'baremetalmachine', 'cordon', '-g', mrg, '-n', 'r01c005', '--evacuate', 'True');
      expect(cordon.status).to.equal('Succeeded');
      expect(cordon.resourceId).to.match(/bareMetalMachines\/r01c005$/);
      expect(await json('networkcloud', 'baremetalmachine', 'show', '-g', mrg, '-n', 'r01c005', '--query', 'cordonStatus')).to.equal('Cordoned');
      expect((await json('networkcloud', 'baremetalmachine', 'uncordon', '-g', mrg, '-n', 'r01c005')).status).to.equal('Succeeded');
      expect(await json('networkcloud', 'baremetalmachine', 'show', '-g', mrg, '-n', 'r01c005', '--query', 'cordonStatus')).to.equal('Uncordoned');
    });

    it('power-off --skip-shutdown, start, restart, reimage', async () => {
      const id = emu.info.demo.bareMetalMachineIds[5];
      expect((await json('networkcloud', 'baremetalmachine', 'power-off', '--ids', id, '--skip-shutdown', 'True')).status).to.equal('Succeeded');
      expect(await json('networkcloud', 'baremetalmachine', 'show', '--ids', id, '--query', 'powerState')).to.equal('Off');
      expect((await json('networkcloud', 'baremetalmachine', 'start', '--ids', id)).status).to.equal('Succeeded');
      expect(await json('networkcloud', 'baremetalmachine', 'show', '--ids', id, '--query', 'powerState')).to.equal('On');
      expect((await json('networkcloud', 'baremetalmachine', 'restart', '--ids', id)).status).to.equal('Succeeded');
      expect((await json('networkcloud', 'baremetalmachine', 'reimage', '--ids', id)).status).to.equal('Succeeded');
    });

    it('storage appliance remote vendor management on and off', async () => {
      const id = emu.info.demo.storageApplianceIds[0];
      expect((await json('networkcloud', 'storageappliance', 'enable-remote-vendor-management', '--ids', id)).status).to.equal('Succeeded');
      expect(await json('networkcloud', 'storageappliance', 'show', '--ids', id, '--query', 'remoteVendorManagementStatus')).to.equal('Enabled');
      expect((await json('networkcloud', 'storageappliance', 'disable-remote-vendor-management', '--ids', id)).status).to.equal('Succeeded');
      expect(await json('networkcloud', 'storageappliance', 'show', '--ids', id, '--query', 'remoteVendorManagementStatus')).to.equal('Disabled');
    });

    it('--no-wait returns at once with nothing printed; wait --custom then sees the result', async () => {
      const r = await run('networkcloud', 'baremetalmachine', 'cordon', '-g', mrg, '-n', 'r01c002', '--no-wait');
      expect(r).to.deep.include({ code: 0, stdout: '', stderr: '' });
      const w = await run('networkcloud', 'baremetalmachine', 'wait', '-g', mrg, '-n', 'r01c002', '--custom', "properties.cordonStatus=='Cordoned'", '--interval', '1', '--timeout', '30');
      expect(w).to.deep.include({ code: 0, stdout: '' });
      ok(await run('networkcloud', 'baremetalmachine', 'uncordon', '-g', mrg, '-n', 'r01c002'));
    });
  });

  describe('create, deploy, delete, wait', () => {
    const rg = 'cli-e2e-rg';
    let cmExtendedLocation: { name: string; type: string };

    before(async () => {
      ok(await run('group', 'create', '-n', rg, '-l', 'eastus', '-o', 'none'));
    });

    it('clustermanager create --no-wait, wait --created, show, delete --no-wait, wait --deleted', async () => {
      const fabric = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ManagedNetworkFabric/networkFabricControllers/nfc-e2e`;
      const create = await run('networkcloud', 'clustermanager', 'create', '-g', rg, '-n', 'cm-e2e', '-l', 'eastus', '--fabric-controller-id', fabric, '--mrg', 'name=cm-e2e-mrg', 'location=eastus', '--tags', 'purpose=e2e', '--no-wait');
      expect(create).to.deep.include({ code: 0, stdout: '' });
      ok(await run('networkcloud', 'clustermanager', 'wait', '-g', rg, '-n', 'cm-e2e', '--created', '--interval', '1', '--timeout', '60'));
      const shown = await json('networkcloud', 'clustermanager', 'show', '-g', rg, '-n', 'cm-e2e');
      expect(shown).to.include({ provisioningState: 'Succeeded', fabricControllerId: fabric, resourceGroup: rg });
      expect(shown.managedResourceGroupConfiguration).to.deep.equal({ name: 'cm-e2e-mrg', location: 'eastus' });
      cmExtendedLocation = shown.managerExtendedLocation;
      const del = await run('networkcloud', 'clustermanager', 'delete', '-g', rg, '-n', 'cm-e2e', '--yes', '--no-wait');
      expect(del).to.deep.include({ code: 0, stdout: '' });
      ok(await run('networkcloud', 'clustermanager', 'wait', '-g', rg, '-n', 'cm-e2e', '--deleted', '--interval', '1', '--timeout', '60'));
      expect((await run('networkcloud', 'clustermanager', 'show', '-g', rg, '-n', 'cm-e2e')).code).to.equal(3);
    });

    it('delete asks for --yes when there is no terminal', async () => {
      const r = await run('networkcloud', 'cluster', 'delete', '--ids', emu.info.demo.clusterId);
      expect(r).to.deep.include({ code: 1, stdout: '', stderr: 'ERROR: Unable to prompt for confirmation as no tty available. Use --yes.\n' });
    });

    it('cluster create (waits, prints the created cluster), deploy, then delete with the final status', async () => {
      const cm = await json('networkcloud', 'clustermanager', 'create', '-g', rg, '-n', 'cm-e2e2', '-l', 'eastus', '--fabric-controller-id', `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ManagedNetworkFabric/networkFabricControllers/nfc-e2e2`);
      cmExtendedLocation = cm.managerExtendedLocation;
      const rack = [
        `network-rack-id=/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ManagedNetworkFabric/networkRacks/rack-e2e`,
        `rack-sku-id=/subscriptions/${sub}/providers/Microsoft.NetworkCloud/rackSkus/VLab_Single_DellR750_8C2M_x70r3_9`,
        'rack-serial-number=E2ERACK1',
        "bare-metal-machine-configuration-data=[{bmc-credentials:{username:root,password:'s3cret'},bmc-mac-address:'02:00:bc:10:00:01',boot-mac-address:'02:00:b0:10:00:01',rack-slot:1,serial-number:E2E1,machine-name:e2e001}]",
        "storage-appliance-configuration-data=[{admin-credentials:{username:pureuser,password:'s3cret'},rack-slot:20,serial-number:E2ESA1,storage-appliance-name:e2esa01}]",
      ];
      const created = await json(
        'networkcloud', 'cluster', 'create', '-g', rg, '-n', 'cluster-e2e', '-l', 'eastus',
        '--extended-location', `name=${cmExtendedLocation.name}`, `type=${cmExtendedLocation.type}`,
        '--cluster-type', 'SingleRack', '--cluster-version', '3.14.2',
        '--network-fabric-id', `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ManagedNetworkFabric/networkFabrics/fabric-e2e`,
        '--mrg', 'name=cluster-e2e-mrg',
        '--aggregator-or-single-rack-definition', ...rack,
      );
      expect(created).to.include({ name: 'cluster-e2e', provisioningState: 'Succeeded', clusterType: 'SingleRack', resourceGroup: rg });
      expect(JSON.stringify(created)).to.not.include('s3cret');
      const deploy = await json('networkcloud', 'cluster', 'deploy', '-g', rg, '-n', 'cluster-e2e', '--skip-validations-for-machines', 'e2e001');
      expect(deploy.status).to.equal('Succeeded');
      expect(await json('networkcloud', 'cluster', 'show', '-g', rg, '-n', 'cluster-e2e', '--query', 'detailedStatus')).to.equal('Running');
      expect(await json('networkcloud', 'baremetalmachine', 'list', '-g', 'cluster-e2e-mrg', '--query', '[].name')).to.deep.equal(['e2e001']);
      // az's delete commands have no output: it waits for the operation and prints nothing
      const deleted = await run('networkcloud', 'cluster', 'delete', '-g', rg, '-n', 'cluster-e2e', '--yes');
      expect(deleted).to.deep.include({ code: 0, stdout: '' });
      expect((await run('networkcloud', 'cluster', 'show', '-g', rg, '-n', 'cluster-e2e')).code).to.equal(3);
    });

    it('wait --exists and --updated, and times out with exit 1', async () => {
      ok(await run('networkcloud', 'clustermanager', 'wait', '-g', rg, '-n', 'cm-e2e2', '--exists', '--interval', '1'));
      ok(await run('networkcloud', 'clustermanager', 'wait', '-g', rg, '-n', 'cm-e2e2', '--updated', '--interval', '1'));
      const timeout = await run('networkcloud', 'clustermanager', 'wait', '-g', rg, '-n', 'cm-e2e2', '--deleted', '--interval', '1', '--timeout', '1');
      expect(timeout).to.deep.include({ code: 1, stdout: '', stderr: 'ERROR: Wait operation timed-out after 1 seconds\n' });
      const bad = await run('networkcloud', 'clustermanager', 'wait', '-g', rg, '-n', 'cm-e2e2');
      expect(bad.code).to.equal(2);
    });
  });

  describe('identity commands (GET then full PUT, as az does)', () => {
    const uai = (n: string) => `/subscriptions/${sub}/resourceGroups/nexus-demo-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai-${n}`;

    before(async () => {
      for (const n of ['a', 'b', 'c']) ok(await run('rest', '-m', 'put', '-u', `${uai(n)}?api-version=2023-01-31`, '--body', '{"location":"eastus"}', '-o', 'none'), `uai ${n}`);
    });

    it('clustermanager identity assign, show, remove', async () => {
      const id = emu.info.demo.clusterManagerId;
      const assign = await run('networkcloud', 'clustermanager', 'identity', 'assign', '--ids', id, '--system-assigned', '--user-assigned', uai('a'), uai('b'));
      ok(assign, 'assign');
      const assigned = JSON.parse(assign.stdout);
      expect(assigned.type).to.equal('SystemAssigned,UserAssigned');
      expect(Object.keys(assigned.userAssignedIdentities)).to.have.members([uai('a'), uai('b')]);
      expect(await json('networkcloud', 'clustermanager', 'identity', 'show', '--ids', id, '--query', 'type')).to.equal('SystemAssigned,UserAssigned');
      const removeOne = await json('networkcloud', 'clustermanager', 'identity', 'remove', '--ids', id, '--mi-user-assigned', uai('a'));
      expect(Object.keys(removeOne.userAssignedIdentities)).to.deep.equal([uai('b')]);
      const removeSystem = await json('networkcloud', 'clustermanager', 'identity', 'remove', '--ids', id, '--mi-system-assigned');
      expect(removeSystem.type).to.equal('UserAssigned');
      const removeAll = await run('networkcloud', 'clustermanager', 'identity', 'remove', '--ids', id, '--mi-user-assigned');
      ok(removeAll);
      expect(await json('networkcloud', 'clustermanager', 'show', '--ids', id, '--query', 'identity.type || `None`')).to.equal('None');
    });

    it('cluster identity assign and show', async () => {
      const id = emu.info.demo.clusterId;
      const assign = await run('networkcloud', 'cluster', 'identity', 'assign', '--ids', id, '--mi-user-assigned', uai('c'));
      ok(assign, 'assign');
      const shown = await json('networkcloud', 'cluster', 'identity', 'show', '--ids', id);
      expect(Object.keys(shown.userAssignedIdentities)).to.include(uai('c'));
    });

    it('identity assign without a flag is a usage error', async () => {
      const r = await run('networkcloud', 'cluster', 'identity', 'assign', '--ids', emu.info.demo.clusterId);
      expect(r.code).to.equal(2);
    });
  });

  describe('resource groups', () => {
    it('create, show, list, exists, delete --no-wait, wait --deleted', async () => {
      const created = await json('group', 'create', '-n', 'cli-group-1', '-l', 'eastus', '--tags', 'a=1');
      expect(created).to.deep.equal({
        id: `/subscriptions/${sub}/resourceGroups/cli-group-1`,
        location: 'eastus',
        managedBy: null,
        name: 'cli-group-1',
        properties: { provisioningState: 'Succeeded' },
        tags: { a: '1' },
        type: 'Microsoft.Resources/resourceGroups',
      });
      expect(await json('group', 'show', '-n', 'cli-group-1', '--query', 'name')).to.equal('cli-group-1');
      expect(await json('group', 'list', '--query', "[?name=='cli-group-1'].location")).to.deep.equal(['eastus']);
      expect((await run('group', 'list', '--tag', 'a=1', '--query', '[].name', '-o', 'tsv')).stdout).to.include('cli-group-1');
      expect((await run('group', 'exists', '-n', 'cli-group-1')).stdout).to.equal('true\n');
      // az's table transformer for group list: Name, Location, Status
      expect((await run('group', 'list', '-o', 'table')).stdout.split('\n')[0]).to.match(/^Name\s+Location\s+Status$/);
      const del = await run('group', 'delete', '-n', 'cli-group-1', '--yes', '--no-wait');
      expect(del).to.deep.include({ code: 0, stdout: '' });
      ok(await run('group', 'wait', '-n', 'cli-group-1', '--deleted', '--interval', '1', '--timeout', '30'));
      expect((await run('group', 'exists', '-n', 'cli-group-1')).stdout).to.equal('false\n');
      const missing = await run('group', 'show', '-n', 'cli-group-1');
      expect(missing.code).to.equal(3);
      expect(missing.stderr).to.match(/^ERROR: \(ResourceGroupNotFound\) Resource group 'cli-group-1' could not be found\.\nCode: ResourceGroupNotFound\n/);
    });
  });
});
