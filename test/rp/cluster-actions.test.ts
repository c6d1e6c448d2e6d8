/**
 * Cluster actions, black-box over HTTPS: a rolling updateVersion followed step by step on the
 * virtual clock (control plane, then rack by rack, waits, a pause and continueUpdateVersion), the
 * 409s of a second update and of a continue with nothing paused, a threshold that stops an
 * update, scanRuntime and inspect.
 */
import { expect } from 'chai';
import { clusterBody } from '../helpers/bodies.js';
import { advance, createManager, ensureGroup, groupPath, ncId, startWorld, type World } from '../vault/world.js';

const V = '2025-09-01';

describe('cluster actions', function () {
  this.timeout(60_000);
  let w: World;
  let manager: any;

  before(async () => {
    w = await startWorld();
    await ensureGroup(w, 'ca-rg');
    manager = await createManager(w, 'ca-rg', 'ca-cm');
  });
  after(() => w.stop());

  /** A cluster of an aggregator rack (5 control-plane machines, `compute` compute) and `racks` compute racks. */
  async function deployed(name: string, updateStrategy?: Record<string, unknown>, compute = 2, racks = 2) {
    const body: any = clusterBody(w.sub, 'ca-rg', manager.properties.managerExtendedLocation, { machines: 5 + compute, appliances: 1, computeRacks: racks, mrg: `${name}-mrg` });
    // Compute racks hold compute machines only.
    for (const r of body.properties.computeRackDefinitions ?? []) r.bareMetalMachineConfigurationData = r.bareMetalMachineConfigurationData.slice(0, compute);
    if (updateStrategy) body.properties.updateStrategy = updateStrategy;
    const path = ncId(w, 'ca-rg', 'clusters', name);
    const put = await w.client.put(`${path}?api-version=${V}`, body);
    expect(put.status, put.text).to.equal(201);
    await w.client.poll(put);
    expect((await w.client.poll(await w.client.post(`${path}/deploy?api-version=${V}`, {}))).body.status).to.equal('Succeeded');
    return path;
  }
  const show = async (path: string) => (await w.client.get(`${path}?api-version=${V}`)).body;
  const machines = async (name: string, api = V) => {
    const r = await w.client.get(`${groupPath(w, `${name}-mrg`)}/providers/Microsoft.NetworkCloud/bareMetalMachines?api-version=${api}`);
    return Object.fromEntries(r.body.value.map((m: any) => [m.name, m.properties]));
  };
  const versions = async (name: string) => Object.fromEntries(Object.entries(await machines(name)).map(([n, p]: [string, any]) => [n, p.machineClusterVersion]));

  it('offers the newer supported versions as availableUpgradeVersions', async () => {
    const c = await show(await deployed('offers'));
    expect(c.properties.availableUpgradeVersions.map((u: any) => u.targetClusterVersion)).to.deep.equal(['3.16.0', '4.1.0']);
  });

  it('updates the control plane one machine at a time, then rack by rack with the wait between racks', async () => {
    const path = await deployed('rolling', { strategyType: 'Rack', thresholdType: 'CountSuccess', thresholdValue: 2, waitTimeMinutes: 10, maxUnavailable: 2 });
    const bad = await w.client.post(`${path}/updateVersion?api-version=${V}`, { targetClusterVersion: '9.9.9' });
    expect([bad.status, bad.body.error.code, bad.body.error.target]).to.deep.equal([400, 'InvalidTargetClusterVersion', 'targetClusterVersion']);
    const notPaused = await w.client.post(`${path}/continueUpdateVersion?api-version=${V}`, { machineGroupTargetingMode: 'AlphaByRack' });
    expect([notPaused.status, notPaused.body.error.code]).to.deep.equal([409, 'ClusterUpdateNotPaused']);

    const start = await w.client.post(`${path}/updateVersion?api-version=${V}`, { targetClusterVersion: '3.16.0' });
    expect(start.status, start.text).to.equal(202);
    const op = await w.client.poll(start);
    expect(op.body.status).to.equal('Succeeded');
    let c = await show(path);
    expect(c.properties).to.include({ detailedStatus: 'Updating', clusterVersion: '3.14.2' });
    expect(c.properties.actionStates[0]).to.include({ actionType: 'Microsoft.NetworkCloud/clusters/updateVersion/action', status: 'InProgress', correlationId: op.body.name });
    expect(c.properties.actionStates[0].stepStates.map((s: any) => [s.stepName, s.status])).to.deep.equal([
      ['ControlPlane', 'InProgress'], ['Rack rolling-aggrack', 'NotStarted'], ['Rack rolling-comprack01', 'NotStarted'], ['Rack rolling-comprack02', 'NotStarted'],
    ]);
    let m = await machines('rolling');
    expect(m.r01c001).to.include({ detailedStatus: 'Provisioning', readyState: 'False' });
    expect(m.r01c002).to.include({ detailedStatus: 'Provisioned', machineClusterVersion: '3.14.2' });

    const second = await w.client.post(`${path}/updateVersion?api-version=${V}`, { targetClusterVersion: '4.1.0' });
    expect([second.status, second.body.error.code]).to.deep.equal([409, 'ClusterUpdateInProgress']);

    // Five control-plane and management machines, one at a time, 30 minutes each.
    await advance(w, '30m');
    expect(await versions('rolling')).to.include({ r01c001: '3.16.0', r01c002: '3.14.2' });
    expect((await machines('rolling')).r01c002.detailedStatus).to.equal('Provisioning');
    await advance(w, '120m');
    let v = await versions('rolling');
    for (const n of ['r01c001', 'r01c002', 'r01c003', 'r01c004', 'r01c005']) expect(v[n], n).to.equal('3.16.0');
    // The aggregator rack's two compute machines go together (maxUnavailable 2).
    m = await machines('rolling');
    expect([m.r01c006.detailedStatus, m.r01c007.detailedStatus]).to.deep.equal(['Provisioning', 'Provisioning']);
    await advance(w, '30m');
    c = await show(path);
    expect(c.properties.detailedStatusMessage).to.match(/finished Rack rolling-aggrack; Rack rolling-comprack01 starts at /);
    expect((await machines('rolling')).r02c001.detailedStatus).to.equal('Provisioned');
    await advance(w, '10m');
    expect((await machines('rolling')).r02c001.detailedStatus).to.equal('Provisioning');
    // One large step plays the rest: rack 2, the wait, rack 3.
    await advance(w, '3h');
    c = await show(path);
    expect(c.properties).to.include({ detailedStatus: 'Running', clusterVersion: '3.16.0' });
    expect(c.properties.availableUpgradeVersions.map((u: any) => u.targetClusterVersion)).to.deep.equal(['4.1.0']);
    expect(c.properties.actionStates[0].status).to.equal('Completed');
    expect(c.properties.actionStates[0].stepStates.every((s: any) => s.status === 'Completed')).to.equal(true);
    v = await versions('rolling');
    expect(new Set(Object.values(v))).to.deep.equal(new Set(['3.16.0']));
    m = await machines('rolling');
    expect(m.r03c002).to.include({ osImage: 'nexus-os-3.16.0', readyState: 'True', detailedStatus: 'Provisioned' });
  });

  it('PauseAfterRack pauses after each compute rack until continueUpdateVersion', async () => {
    const path = await deployed('paused', { strategyType: 'PauseAfterRack', thresholdType: 'PercentSuccess', thresholdValue: 100, waitTimeMinutes: 0 });
    await w.client.poll(await w.client.post(`${path}/updateVersion?api-version=2026-07-01`, { targetClusterVersion: '3.16.0', safeguardMode: 'All' }));
    // Control plane (5 x 30 min), then the aggregator rack's compute machines at once (maxUnavailable defaults to all).
    await advance(w, '180m');
    let c = await show(path);
    expect(c.properties.detailedStatus).to.equal('UpdatePaused');
    expect(c.properties.detailedStatusMessage).to.contain('continueUpdateVersion');
    await advance(w, '5h');
    expect((await show(path)).properties.detailedStatus).to.equal('UpdatePaused');
    expect((await versions('paused')).r02c001).to.equal('3.14.2');
    const cont = await w.client.post(`${path}/continueUpdateVersion?api-version=${V}`, { machineGroupTargetingMode: 'AlphaByRack' });
    expect(cont.status, cont.text).to.equal(202);
    await w.client.poll(cont);
    c = await show(path);
    expect(c.properties.detailedStatus).to.equal('Updating');
    await advance(w, '30m');
    expect((await show(path)).properties.detailedStatus).to.equal('UpdatePaused');
    expect((await versions('paused')).r02c002).to.equal('3.16.0');
    const cont2 = await w.client.post(`${path}/continueUpdateVersion?api-version=${V}`, { machineGroupTargetingMode: 'AlphaByRack' });
    expect(cont2.status, cont2.text).to.equal(202);
    expect((await w.client.poll(cont2)).body.status).to.equal('Succeeded');
    await advance(w, '30m');
    c = await show(path);
    expect(c.properties).to.include({ detailedStatus: 'Running', clusterVersion: '3.16.0' });
    const again = await w.client.post(`${path}/continueUpdateVersion?api-version=${V}`, { machineGroupTargetingMode: 'AlphaByRack' });
    expect(again.status).to.equal(409);
  });

  it('stops when a rack misses its threshold: a powered-off machine cannot update', async () => {
    const path = await deployed('threshold', { strategyType: 'Rack', thresholdType: 'PercentSuccess', thresholdValue: 100, waitTimeMinutes: 0 }, 2, 1);
    const off = await w.client.post(`${groupPath(w, 'threshold-mrg')}/providers/Microsoft.NetworkCloud/bareMetalMachines/r02c001/powerOff?api-version=${V}`, {});
    await w.client.poll(off);
    await w.client.poll(await w.client.post(`${path}/updateVersion?api-version=${V}`, { targetClusterVersion: '3.16.0' }));
    await advance(w, '6h');
    const c = await show(path);
    expect(c.properties).to.include({ detailedStatus: 'Degraded', clusterVersion: '3.14.2' });
    expect(c.properties.detailedStatusMessage).to.contain('1 of 2 machine(s) of Rack threshold-comprack01 were updated');
    expect(c.properties.actionStates[0].status).to.equal('Failed');
    const m = await machines('threshold');
    expect([m.r02c001.machineClusterVersion, m.r02c002.machineClusterVersion]).to.deep.equal(['3.14.2', '3.16.0']);
  });

  it('scanRuntime fills runtimeProtectionStatus from the runtime protection configuration', async () => {
    const path = await deployed('scan', undefined, 1, 0);
    const patched = await w.client.patch(`${path}?api-version=${V}`, { properties: { runtimeProtectionConfiguration: { enforcementLevel: 'OnDemand' } } });
    await w.client.poll(patched);
    const r = await w.client.post(`${path}/scanRuntime?api-version=${V}`, { scanActivity: 'Scan' });
    expect(r.status).to.equal(202);
    const done = await w.client.poll(r);
    expect(done.body.properties.outputHead).to.equal('Scanned 6 machine(s).');
    // The 2025-09-01 status has the scan times only; the agent's health and enforcement come in 2026-07-01.
    expect(Object.keys((await machines('scan')).r01c001.runtimeProtectionStatus).sort()).to.deep.equal(['definitionsLastUpdated', 'definitionsVersion', 'scanCompletedTime', 'scanScheduledTime', 'scanStartedTime']);
    const m = await machines('scan', '2026-07-01');
    const status = m.r01c001.runtimeProtectionStatus;
    expect(status).to.include({ enforcementLevel: 'OnDemand', agentHealthStatus: 'Healthy', agentLicenseStatus: 'Licensed' });
    expect(Date.parse(status.scanCompletedTime)).to.be.within(Date.parse(done.body.startTime), Date.parse(done.body.endTime));
    const c = await show(path);
    expect(c.properties.actionStates[0].actionType).to.equal('Microsoft.NetworkCloud/clusters/scanRuntime/action');
  });

  it('inspect reports the machines it was given and refuses unknown ones', async () => {
    const path = await deployed('inspect', undefined, 1, 0);
    const bad = await w.client.post(`${path}/inspect?api-version=2026-07-01`, { filterDevices: { bareMetalMachineNames: ['nope'] } });
    expect([bad.status, bad.body.error.code]).to.deep.equal([400, 'InvalidFilterDevices']);
    const r = await w.client.post(`${path}/inspect?api-version=2026-07-01`, { filterDevices: { bareMetalMachineNames: ['r01c002'] }, additionalActions: ['ResetHardware'] });
    expect(r.status, r.text).to.equal(202);
    const done = await w.client.poll(r);
    expect(done.body.status).to.equal('Succeeded');
    expect(done.body.properties.exitCode).to.equal('0');
    expect(done.body.properties.outputHead).to.equal('====Action Command Output====\nInspected 1 machine(s).\nr01c002: power On, ready True, hardware validation Pass, hardware reset');
  });
});
