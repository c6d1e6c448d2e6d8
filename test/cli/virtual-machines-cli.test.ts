/** azemu drives a VM's power actions on the demo cluster: the states the server moves through show in `show`. */
import { expect } from 'chai';
import { azemu, directGet, directRequest, newConfigDir, removeTempDirs, startEmulator, type CliResult, type RunningEmulator } from './helpers.js';

describe('azemu networkcloud virtualmachine: power actions on a placed VM', function () {
  this.timeout(120_000);
  let emu: RunningEmulator;
  let config: string;
  const run = (...args: string[]) => azemu(args, { configDir: config });
  const ok = (r: CliResult) => expect(r.code, r.stderr).to.equal(0);
  const state = async () => JSON.parse((await run('networkcloud', 'virtualmachine', 'show', '-g', 'nexus-demo-rg', '-n', 'clivm', '--query', '{power:powerState,status:detailedStatus,machine:bareMetalMachineId}')).stdout);

  before(async () => {
    emu = await startEmulator();
    config = newConfigDir();
    ok(await run('login', '--emulator', emu.dataDir));
    const sub = emu.info.subscriptionId;
    const rg = `/subscriptions/${sub}/resourceGroups/nexus-demo-rg/providers/Microsoft.NetworkCloud`;
    const cluster = (await directGet(emu.info, `${rg}/clusters/demo-cluster?api-version=2025-09-01`)).body;
    const csn = await directRequest(emu.info, 'PUT', `${rg}/cloudServicesNetworks/cli-csn?api-version=2025-09-01`, { body: { location: 'eastus', extendedLocation: cluster.properties.clusterExtendedLocation, properties: {} } });
    expect(csn.status, JSON.stringify(csn.body)).to.equal(201);
    for (let i = 0; i < 100 && (await directGet(emu.info, `${rg}/cloudServicesNetworks/cli-csn?api-version=2025-09-01`)).body.properties.provisioningState !== 'Succeeded'; i++) await new Promise((r) => setTimeout(r, 50));
    const body = {
      location: 'eastus',
      extendedLocation: cluster.properties.clusterExtendedLocation,
      properties: {
        adminUsername: 'azureuser', cpuCores: 8, memorySizeGB: 16, vmImage: 'myacr.azurecr.io/ubuntu:24.04',
        cloudServicesNetworkAttachment: { attachedNetworkId: `${rg}/cloudServicesNetworks/cli-csn`, ipAllocationMethod: 'Disabled' },
        storageProfile: { osDisk: { diskSizeGB: 64 } },
      },
    };
    const put = await directRequest(emu.info, 'PUT', `${rg}/virtualMachines/clivm?api-version=2025-09-01`, { body });
    expect(put.status, JSON.stringify(put.body)).to.equal(201);
    for (let i = 0; i < 100 && (await state()).status !== 'Running'; i++) await new Promise((r) => setTimeout(r, 100));
  });
  after(async () => {
    await emu?.stop();
    removeTempDirs();
  });

  it('runs on the demo cluster\'s compute machine, powers off at once with --skip-shutdown True, and starts again', async () => {
    expect(await state()).to.deep.include({ power: 'On', status: 'Running' });
    expect((await state()).machine).to.match(/\/bareMetalMachines\/r01c006$/);
    ok(await run('networkcloud', 'virtualmachine', 'power-off', '-g', 'nexus-demo-rg', '-n', 'clivm', '--skip-shutdown', 'True'));
    expect(await state()).to.deep.include({ power: 'Off', status: 'Stopped' });
    const restart = await run('networkcloud', 'virtualmachine', 'restart', '-g', 'nexus-demo-rg', '-n', 'clivm');
    expect(restart.code).to.not.equal(0);
    expect(restart.stderr).to.contain('(VirtualMachineNotRunning)');
    ok(await run('networkcloud', 'virtualmachine', 'start', '-g', 'nexus-demo-rg', '-n', 'clivm'));
    expect(await state()).to.deep.include({ power: 'On', status: 'Running' });
  });
});
