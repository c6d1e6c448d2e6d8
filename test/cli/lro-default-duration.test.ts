/**
 * Regression (issue 14): a PUT answered with 200 plus Azure-AsyncOperation is followed to its end.
 * At the emulator's default operation duration (1 s), `cluster identity assign` and
 * `clustermanager create` on an existing resource used to return while the resource was still
 * Updating, so the next write failed with 409 AnotherOperationInProgress.
 */
import { expect } from 'chai';
import { azemu, directGet, newConfigDir, removeTempDirs, startEmulator, type CliResult, type RunningEmulator } from './helpers.js';

describe('azemu follows a 200 + Azure-AsyncOperation PUT at the default 1 s operation duration', function () {
  this.timeout(120_000);
  let emu: RunningEmulator;
  let config: string;
  const run = (...args: string[]): Promise<CliResult> => azemu(args, { configDir: config });

  before(async function () {
    this.timeout(120_000);
    // no --operation-duration: the emulator's default of 1 s
    emu = await startEmulator({ operationDuration: null });
    config = newConfigDir();
    const login = await run('login', '--emulator', emu.dataDir, '-o', 'none');
    expect(login.code, login.stderr).to.equal(0);
  });
  after(async () => {
    await emu?.stop();
    removeTempDirs();
  });

  it('cluster identity assign, then at once cluster update: both succeed, the cluster ends Succeeded with both changes', async () => {
    const id = emu.info.demo!.clusterId;
    const assign = await run('networkcloud', 'cluster', 'identity', 'assign', '--ids', id, '--mi-system-assigned', '-o', 'json');
    expect(assign.code, assign.stderr).to.equal(0);
    expect(JSON.parse(assign.stdout).type).to.equal('SystemAssigned');
    // the assign returned only once the cluster was no longer Updating
    const after = (await directGet(emu.info, `${id}?api-version=2025-09-01`)).body;
    expect(after.properties.provisioningState).to.equal('Succeeded');
    const update = await run('networkcloud', 'cluster', 'update', '--ids', id, '--tags', 'owner=regression', '-o', 'json');
    expect(update.code, update.stderr).to.equal(0);
    expect(update.stderr).to.not.contain('AnotherOperationInProgress');
    const final = (await directGet(emu.info, `${id}?api-version=2025-09-01`)).body;
    expect([final.identity.type, final.tags, final.properties.provisioningState]).to.deep.equal(['SystemAssigned', { owner: 'regression' }, 'Succeeded']);
  });

  it('clustermanager create on the existing manager, then at once clustermanager update', async () => {
    const cm = (await directGet(emu.info, `${emu.info.demo!.clusterManagerId}?api-version=2025-09-01`)).body;
    const create = await run('networkcloud', 'clustermanager', 'create', '-g', 'nexus-demo-rg', '-n', 'demo-cm', '--location', 'eastus', '--fabric-controller-id', cm.properties.fabricControllerId, '-o', 'json');
    expect(create.code, create.stderr).to.equal(0);
    expect(JSON.parse(create.stdout).provisioningState).to.equal('Succeeded');
    const update = await run('networkcloud', 'clustermanager', 'update', '-g', 'nexus-demo-rg', '-n', 'demo-cm', '--tags', 'step=two', '-o', 'json');
    expect(update.code, update.stderr).to.equal(0);
    expect(JSON.parse(update.stdout).tags).to.deep.equal({ step: 'two' });
  });
});
