/**
 * Nexus Kubernetes clusters, agent pools and features, black-box over HTTPS: create brings up the
 * control plane and the pools' nodes on the cluster's compute machines; count changes, rolling
 * upgrades, node restarts and cordon evacuation move them on the virtual clock; delete takes
 * everything with it.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clusterBody, clusterManagerBody } from '../helpers/bodies.js';
import { ncPath, rgPath, startEmulator, type Reply, type Running } from '../helpers/emulator.js';

const V = '2026-07-01';
const RG = 'k8s-rg';

describe('Nexus Kubernetes clusters', function () {
  this.timeout(60_000);
  let run: Running;
  let sub: string;
  let nexus: any;
  let l3: string;
  let csn: string;
  let trunk: string;
  const kcUrl = (name: string, rest = '') => `${ncPath(sub, RG, 'kubernetesClusters', name)}${rest}?api-version=${V}`;

  const advance = async (d: string) => {
    const r = await run.client.post('/_emulator/clock', { advance: d });
    expect(r.status, r.text).to.equal(200);
  };
  const ok = async (reply: Promise<Reply>, status = [200, 201, 202]) => {
    const r = await reply;
    expect(status, r.text).to.include(r.status);
    return r;
  };
  const get = async (url: string) => (await ok(run.client.get(url), [200])).body;
  const opStatus = async (r: Reply) => (await run.client.get(r.headers['azure-asyncoperation'] as string)).body.status as string;
  const machines = async () => (await get(`${ncPath(sub, 'k8s-mrg', 'bareMetalMachines')}?api-version=${V}`)).value as any[];

  function kcBody(overrides: { version?: string; cpCount?: number; pools?: any[]; location?: string } = {}) {
    return {
      location: 'eastus',
      extendedLocation: { name: overrides.location ?? nexus.properties.clusterExtendedLocation.name, type: 'CustomLocation' },
      properties: {
        kubernetesVersion: overrides.version ?? '1.30.12',
        controlPlaneNodeConfiguration: { count: overrides.cpCount ?? 3, vmSkuName: 'NC_G6_28_v1' },
        initialAgentPoolConfigurations: overrides.pools ?? [
          {
            name: 'system', count: 2, mode: 'System', vmSkuName: 'NC_P10_56_v1',
            labels: [{ key: 'tier', value: 'system' }], taints: [{ key: 'dedicated', value: 'system:NoSchedule' }],
            attachedNetworkConfiguration: { l3Networks: [{ networkId: l3, ipamEnabled: 'True', pluginType: 'SRIOV' }], trunkedNetworks: [{ networkId: trunk, pluginType: 'DPDK' }] },
            upgradeSettings: { maxSurge: '1' },
          },
        ],
        networkConfiguration: { cloudServicesNetworkId: csn, cniNetworkId: l3 },
      },
    };
  }

  before(async () => {
    run = await startEmulator();
    sub = run.client.info.subscriptionId;
    const c = run.client;
    await ok(c.put(`${rgPath(sub, RG)}?api-version=2021-04-01`, { location: 'eastus' }));
    const cm = await ok(c.put(`${ncPath(sub, RG, 'clusterManagers', 'cm1')}?api-version=${V}`, clusterManagerBody(sub, RG)));
    await c.poll(cm);
    const manager = await get(`${ncPath(sub, RG, 'clusterManagers', 'cm1')}?api-version=${V}`);
    // Rack 1 holds the management and control-plane machines; two compute racks of 4, in zones 1 and 2.
    const body: any = clusterBody(sub, RG, manager.properties.managerExtendedLocation, { machines: 4, computeRacks: 2, mrg: 'k8s-mrg' });
    body.properties.computeRackDefinitions[0].availabilityZone = '1';
    body.properties.computeRackDefinitions[1].availabilityZone = '2';
    await ok(c.put(`${ncPath(sub, RG, 'clusters', 'nexus1')}?api-version=${V}`, body));
    const deploy = await ok(c.post(`${ncPath(sub, RG, 'clusters', 'nexus1')}/deploy?api-version=${V}`, {}), [202]);
    expect((await c.poll(deploy)).body.status).to.equal('Succeeded');
    nexus = await get(`${ncPath(sub, RG, 'clusters', 'nexus1')}?api-version=${V}`);
    const ext = { name: nexus.properties.clusterExtendedLocation.name, type: 'CustomLocation' };
    const net = (type: string, name: string, properties: any) => ok(c.put(`${ncPath(sub, RG, type, name)}?api-version=${V}`, { location: 'eastus', extendedLocation: ext, properties })).then((r) => c.poll(r)).then(() => `/subscriptions/${sub}/resourceGroups/${RG}/providers/Microsoft.NetworkCloud/${type}/${name}`);
    l3 = await net('l3Networks', 'cni', { l3IsolationDomainId: `/subscriptions/${sub}/resourceGroups/${RG}/providers/Microsoft.ManagedNetworkFabric/l3IsolationDomains/l3d`, vlan: 1001, ipv4ConnectedPrefix: '10.20.0.0/24' });
    trunk = await net('trunkedNetworks', 'trunk1', { isolationDomainIds: [`/subscriptions/${sub}/resourceGroups/${RG}/providers/Microsoft.ManagedNetworkFabric/l3IsolationDomains/l3d`], vlans: [1002] });
    csn = await net('cloudServicesNetworks', 'csn1', {});
  });
  after(() => run?.stop());

  it('creates a cluster as a long-running operation: nodes placed while Provisioning, running with pools and features when it completes', async () => {
    // Operations that take a moment (wall clock), so the first answer shows the cluster coming up.
    run.emu.operations.duration = 300;
    const put = await ok(run.client.put(kcUrl('kc1'), kcBody()), [201]).finally(() => (run.emu.operations.duration = 0));
    // The first answer shows the cluster coming up, its nodes already placed on compute machines.
    expect(put.body.properties.provisioningState).to.equal('Accepted');
    expect(put.body.properties.detailedStatus).to.equal('Provisioning');
    expect(put.body.properties.nodes).to.have.length(5);
    expect(put.body.properties.nodes.every((n: any) => n.detailedStatus === 'Provisioning' && n.powerState === 'Off')).to.equal(true);
    expect(put.body.properties.nodes.some((n: any) => '_until' in n || '_target' in n)).to.equal(false);
    expect((await run.client.poll(put)).body.status).to.equal('Succeeded');

    const kc = await get(kcUrl('kc1'));
    const p = kc.properties;
    expect([p.provisioningState, p.detailedStatus]).to.deep.equal(['Succeeded', 'Available']);
    expect(p.clusterId).to.equal(nexus.id);
    expect(p.connectedClusterId).to.match(new RegExp(`^/subscriptions/${sub}/resourceGroups/[^/]+/providers/Microsoft\\.Kubernetes/connectedClusters/kc1$`));
    expect(p.controlPlaneKubernetesVersion).to.equal('1.30.12');
    expect(p.availableUpgrades.map((u: any) => u.version)).to.deep.equal(['1.31.8', '1.32.4']);
    expect(p.attachedNetworkIds).to.have.members([l3, csn, trunk]);

    const cp = p.nodes.filter((n: any) => n.role === 'ControlPlane');
    const workers = p.nodes.filter((n: any) => n.role === 'Worker');
    expect(cp).to.have.length(3);
    expect(workers).to.have.length(2);
    for (const n of p.nodes) {
      expect([n.detailedStatus, n.powerState, n.kubernetesVersion]).to.deep.equal(['Running', 'On', '1.30.12']);
      expect(n.bareMetalMachineId).to.match(/\/bareMetalMachines\/r0[23]c00\d$/, 'a compute machine, not rack 1 (management and control plane)');
    }
    // Spread: no two control-plane nodes on one machine, and both zones used.
    expect(new Set(cp.map((n: any) => n.bareMetalMachineId)).size).to.equal(3);
    expect(new Set(p.nodes.map((n: any) => n.availabilityZone))).to.deep.equal(new Set(['1', '2']));
    const w = workers[0];
    expect(w.agentPoolId).to.equal(`${kc.id}/agentPools/system`);
    expect([w.vmSkuName, w.cpuCores, w.memorySizeGB, w.mode]).to.deep.equal(['NC_P10_56_v1', 10, 56, 'System']);
    expect(w.diskSizeGB).to.be.greaterThan(0);
    expect(w.labels).to.deep.equal([{ key: 'tier', value: 'system' }]);
    expect(w.taints).to.deep.equal([{ key: 'dedicated', value: 'system:NoSchedule' }]);
    const cni = w.networkAttachments.find((a: any) => a.attachedNetworkId === l3 && a.networkAttachmentName === 'cni');
    expect(cni.ipv4Address).to.match(/^10\.20\.0\.\d+$/);
    expect(w.networkAttachments.map((a: any) => a.attachedNetworkId)).to.include.members([l3, csn, trunk]);
    expect(new Set(p.nodes.map((n: any) => n.networkAttachments[0].ipv4Address)).size).to.equal(5, 'each node its own address');

    // The initial pool is a child resource, like one created by PUT.
    const pools = await get(kcUrl('kc1', '/agentPools'));
    expect(pools.value.map((x: any) => x.name)).to.deep.equal(['system']);
    expect(pools.value[0].properties).to.include({ count: 2, mode: 'System', provisioningState: 'Succeeded', detailedStatus: 'Available', kubernetesVersion: '1.30.12' });
    // The default features, and the cluster's featureStatuses following them.
    const features = await get(kcUrl('kc1', '/features'));
    const names = features.value.map((f: any) => f.name);
    expect(names).to.include.members(['azure-arc-k8sagents', 'calico', 'metallb', 'multus', 'sriov-dp', 'csi-nfs', 'metrics-server']);
    expect(features.value.find((f: any) => f.name === 'calico').properties).to.include({ required: 'True', detailedStatus: 'Installed', provisioningState: 'Succeeded' });
    expect(p.featureStatuses.map((f: any) => f.name).sort()).to.deep.equal([...names].sort());
    expect(p.featureStatuses.every((f: any) => f.detailedStatus === 'Running')).to.equal(true);
  });

  it('shows each node on its machine: associatedResourceIds names the Kubernetes cluster', async () => {
    const kc = await get(kcUrl('kc1'));
    const used = new Set(kc.properties.nodes.map((n: any) => n.bareMetalMachineId.toLowerCase()));
    for (const m of await machines()) {
      const listed = (m.properties.associatedResourceIds ?? []).includes(kc.id);
      expect(listed, m.name).to.equal(used.has(m.id.toLowerCase()));
    }
  });

  it('refuses a Kubernetes version the catalogue does not offer, an unknown extendedLocation and zones without machines', async () => {
    const bad = await run.client.put(kcUrl('kc-bad'), kcBody({ version: '1.29.0' }));
    expect([bad.status, bad.body.error.code, bad.body.error.target]).to.deep.equal([400, 'InvalidKubernetesVersion', 'properties.kubernetesVersion']);
    expect(bad.body.error.message).to.contain('1.31.8');
    const loc = await run.client.put(kcUrl('kc-bad'), kcBody({ location: `/subscriptions/${sub}/resourceGroups/${RG}/providers/Microsoft.ExtendedLocation/customLocations/nowhere` }));
    expect([loc.status, loc.body.error.target]).to.deep.equal([400, 'extendedLocation.name']);
    const zones = await run.client.put(kcUrl('kc-bad'), kcBody({ pools: [{ name: 'p9', count: 1, mode: 'System', vmSkuName: 'NC_P10_56_v1', availabilityZones: ['9'] }] }));
    expect([zones.status, zones.body.error.code], zones.text).to.deep.equal([400, 'InvalidAvailabilityZones']);
    expect((await run.client.get(kcUrl('kc-bad'))).status).to.equal(404, 'nothing half-written');
  });

  it('respects a pool\'s availability zones', async () => {
    const put = await ok(run.client.put(kcUrl('kc-zoned'), kcBody({ cpCount: 1, pools: [{ name: 'z2', count: 3, mode: 'System', vmSkuName: 'NC_P10_56_v1', availabilityZones: ['2'] }] })));
    await run.client.poll(put);
    const kc = await get(kcUrl('kc-zoned'));
    const workers = kc.properties.nodes.filter((n: any) => n.role === 'Worker');
    expect(workers.map((n: any) => n.availabilityZone)).to.deep.equal(['2', '2', '2']);
    expect(workers.every((n: any) => /\/r03c00\d$/.test(n.bareMetalMachineId))).to.equal(true);
    expect(new Set(workers.map((n: any) => n.bareMetalMachineId)).size).to.equal(3, 'spread over the zone\'s machines');
    const del = await ok(run.client.delete(kcUrl('kc-zoned')), [202]);
    await run.client.poll(del);
  });

  it('adds and removes nodes when an agent pool\'s count changes, and with a new pool', async () => {
    const pool = kcUrl('kc1', '/agentPools/system');
    const up = await ok(run.client.patch(pool, { properties: { count: 4 } }));
    await run.client.poll(up);
    let kc = await get(kcUrl('kc1'));
    let workers = kc.properties.nodes.filter((n: any) => n.role === 'Worker');
    expect(workers).to.have.length(4);
    expect(workers.every((n: any) => n.detailedStatus === 'Running' && n.kubernetesVersion === '1.30.12')).to.equal(true);
    const down = await ok(run.client.patch(pool, { properties: { count: 1 } }));
    await run.client.poll(down);
    kc = await get(kcUrl('kc1'));
    workers = kc.properties.nodes.filter((n: any) => n.role === 'Worker');
    expect(workers).to.have.length(1);
    expect((await get(pool)).properties.count).to.equal(1);

    const extra = kcUrl('kc1', '/agentPools/user1');
    run.emu.operations.duration = 300;
    const created = await ok(run.client.put(extra, { location: 'eastus', extendedLocation: kc.extendedLocation, properties: { count: 2, mode: 'User', vmSkuName: 'NC_P46_224_v1', upgradeSettings: { maxSurge: '2' } } }), [201]).finally(() => (run.emu.operations.duration = 0));
    expect(created.body.properties.detailedStatus).to.equal('Provisioning');
    await run.client.poll(created);
    expect((await get(extra)).properties).to.include({ detailedStatus: 'Available', kubernetesVersion: '1.30.12' });
    kc = await get(kcUrl('kc1'));
    const user = kc.properties.nodes.filter((n: any) => n.agentPoolId === `${kc.id}/agentPools/user1`);
    expect(user.map((n: any) => [n.mode, n.cpuCores, n.memorySizeGB])).to.deep.equal([['User', 46, 224], ['User', 46, 224]]);
    const bad = await run.client.patch(pool, { properties: { count: 0 } });
    expect([bad.status, bad.body.error.target]).to.deep.equal([400, 'properties.count']);
  });

  it('upgrades node by node on the clock under each pool\'s upgrade settings; the operation ends with the last node', async () => {
    const before = await get(kcUrl('kc1'));
    const downgrade = await run.client.patch(kcUrl('kc1'), { properties: { kubernetesVersion: '1.30.12' } });
    expect(downgrade.status).to.equal(200, 'same version: nothing to roll, done at once');
    await run.client.poll(downgrade);
    const unknown = await run.client.patch(kcUrl('kc1'), { properties: { kubernetesVersion: '1.99.0' } });
    expect([unknown.status, unknown.body.error.target]).to.deep.equal([400, 'properties.kubernetesVersion']);

    const patch = await ok(run.client.patch(kcUrl('kc1'), { properties: { kubernetesVersion: '1.31.8' } }), [202]);
    const versions = (kc: any, role: string) => kc.properties.nodes.filter((n: any) => n.role === role).map((n: any) => n.kubernetesVersion);
    const upgrading = (kc: any) => kc.properties.nodes.filter((n: any) => n.detailedStatus === 'Provisioning').length;
    let kc = await get(kcUrl('kc1'));
    expect(kc.properties.provisioningState).to.equal('Updating');
    expect(await opStatus(patch)).to.equal('InProgress');
    expect(upgrading(kc)).to.equal(1, 'one control-plane node at a time');
    expect(kc.properties.controlPlaneKubernetesVersion).to.equal('1.30.12');
    // Busy while it rolls.
    const busy = await run.client.patch(kcUrl('kc1'), { tags: { a: 'b' } });
    expect([busy.status, busy.body.error.code]).to.deep.equal([409, 'AnotherOperationInProgress']);
    const restartBusy = await run.client.post(kcUrl('kc1', '/restartNode'), { nodeName: kc.properties.nodes[0].name });
    expect(restartBusy.status).to.equal(409);

    for (let i = 1; i <= 3; i++) {
      await advance('60s');
      kc = await get(kcUrl('kc1'));
      expect(versions(kc, 'ControlPlane').filter((v: string) => v === '1.31.8')).to.have.length(i);
    }
    expect(kc.properties.controlPlaneKubernetesVersion).to.equal('1.31.8');
    // Then the system pool (maxSurge 1: one node, it has 1), then user1 (maxSurge 2: both at once).
    expect(upgrading(kc)).to.equal(1);
    const system = (await get(kcUrl('kc1', '/agentPools/system'))).properties;
    expect([system.provisioningState, system.detailedStatus]).to.deep.equal(['Updating', 'Provisioning']);
    await advance('60s');
    kc = await get(kcUrl('kc1'));
    expect(upgrading(kc)).to.equal(2, 'user1 moves two at a time');
    expect((await get(kcUrl('kc1', '/agentPools/system'))).properties).to.include({ provisioningState: 'Succeeded', kubernetesVersion: '1.31.8' });
    expect(await opStatus(patch)).to.equal('InProgress');
    await advance('60s');
    kc = await get(kcUrl('kc1'));
    expect(kc.properties.nodes.every((n: any) => n.kubernetesVersion === '1.31.8' && n.detailedStatus === 'Running')).to.equal(true);
    expect((await run.client.poll(patch)).body.status).to.equal('Succeeded');
    kc = await get(kcUrl('kc1'));
    expect([kc.properties.provisioningState, kc.properties.detailedStatus, kc.properties.kubernetesVersion]).to.deep.equal(['Succeeded', 'Available', '1.31.8']);
    expect(kc.properties.availableUpgrades.map((u: any) => u.version)).to.deep.equal(['1.32.4']);
    expect((await get(kcUrl('kc1', '/agentPools/user1'))).properties.kubernetesVersion).to.equal('1.31.8');
    const back = await run.client.patch(kcUrl('kc1'), { properties: { kubernetesVersion: '1.30.12' } });
    expect([back.status, back.body.error.code]).to.deep.equal([400, 'InvalidKubernetesVersion']);
    expect(before.properties.nodes.map((n: any) => n.name).sort()).to.deep.equal(kc.properties.nodes.map((n: any) => n.name).sort(), 'upgraded in place');
  });

  it('a big clock step plays every batch of an upgrade in order', async () => {
    const patch = await ok(run.client.patch(kcUrl('kc1'), { properties: { kubernetesVersion: '1.32.4' } }), [202]);
    await advance('10m');
    expect((await run.client.poll(patch)).body.status).to.equal('Succeeded');
    const kc = await get(kcUrl('kc1'));
    expect(kc.properties.nodes.every((n: any) => n.kubernetesVersion === '1.32.4')).to.equal(true);
    expect(kc.properties.availableUpgrades).to.deep.equal([]);
  });

  it('restartNode restarts the named node over the clock and is a 404 for an unknown one', async () => {
    const kc = await get(kcUrl('kc1'));
    const node = kc.properties.nodes.find((n: any) => n.role === 'Worker');
    const missing = await run.client.post(kcUrl('kc1', '/restartNode'), { nodeName: 'no-such-node' });
    expect([missing.status, missing.body.error.code]).to.deep.equal([404, 'NotFound']);
    expect(missing.body.error.message).to.contain('no-such-node');
    const r = await ok(run.client.post(kcUrl('kc1', '/restartNode'), { nodeName: node.name }), [202]);
    let now = (await get(kcUrl('kc1'))).properties.nodes.find((n: any) => n.name === node.name);
    expect([now.detailedStatus, now.powerState]).to.deep.equal(['Stopped', 'Off']);
    const result = await run.client.get(r.headers.location as string);
    expect(result.status).to.equal(202, 'still restarting');
    await advance('30s');
    now = (await get(kcUrl('kc1'))).properties.nodes.find((n: any) => n.name === node.name);
    expect([now.detailedStatus, now.powerState]).to.deep.equal(['Running', 'On']);
    const done = await run.client.poll(r);
    expect(done.status).to.equal(200);
  });

  it('features: optional ones can be removed and added back; required ones cannot be deleted or changed; unknown names are refused', async () => {
    const f = kcUrl('kc1', '/features/metrics-server');
    const del = await ok(run.client.delete(f), [202]);
    await run.client.poll(del);
    expect((await run.client.get(f)).status).to.equal(404);
    expect((await get(kcUrl('kc1'))).properties.featureStatuses.map((s: any) => s.name)).to.not.include('metrics-server');
    run.emu.operations.duration = 300;
    const add = await ok(run.client.put(f, { location: 'eastus', properties: { options: [{ key: 'replicas', value: '2' }] } }), [201]).finally(() => (run.emu.operations.duration = 0));
    expect(add.body.properties.detailedStatus).to.equal('Provisioning');
    await run.client.poll(add);
    expect((await get(f)).properties).to.deep.include({ detailedStatus: 'Installed', required: 'False', options: [{ key: 'replicas', value: '2' }] });
    expect((await get(kcUrl('kc1'))).properties.featureStatuses.map((s: any) => s.name)).to.include('metrics-server');
    const required = await run.client.delete(kcUrl('kc1', '/features/calico'));
    expect([required.status, required.body.error.code]).to.deep.equal([400, 'RequiredFeatureNotModifiable']);
    const change = await run.client.patch(kcUrl('kc1', '/features/calico'), { properties: { options: [{ key: 'a', value: 'b' }] } });
    expect(change.status).to.equal(400);
    const unknown = await run.client.put(kcUrl('kc1', '/features/not-a-feature'), { location: 'eastus', properties: {} });
    expect([unknown.status, unknown.body.error.code]).to.deep.equal([400, 'InvalidFeatureName']);
  });

  it('cordon with evacuate moves the nodes on a machine to other machines; without evacuation leaves them', async () => {
    let kc = await get(kcUrl('kc1'));
    const victim = kc.properties.nodes.find((n: any) => n.role === 'Worker');
    const machine = victim.bareMetalMachineId;
    const stay = await ok(run.client.post(`${machine}/cordon?api-version=${V}`, { evacuate: 'False' }), [202]);
    await run.client.poll(stay);
    kc = await get(kcUrl('kc1'));
    expect(kc.properties.nodes.find((n: any) => n.name === victim.name).bareMetalMachineId).to.equal(machine);
    const un = await ok(run.client.post(`${machine}/uncordon?api-version=${V}`, {}), [202]);
    await run.client.poll(un);

    const onMachine = kc.properties.nodes.filter((n: any) => n.bareMetalMachineId === machine).map((n: any) => n.name);
    const cordon = await ok(run.client.post(`${machine}/cordon?api-version=${V}`, { evacuate: 'True' }), [202]);
    await run.client.poll(cordon);
    kc = await get(kcUrl('kc1'));
    const moved = kc.properties.nodes.filter((n: any) => onMachine.includes(n.name));
    expect(moved.length).to.be.greaterThan(0);
    for (const n of moved) {
      expect(n.bareMetalMachineId).to.not.equal(machine);
      expect(n.detailedStatus).to.equal('Provisioning');
    }
    const m = await get(`${machine}?api-version=${V}`);
    expect(m.properties.cordonStatus).to.equal('Cordoned');
    expect(m.properties.associatedResourceIds ?? []).to.not.include(kc.id);
    await advance('60s');
    kc = await get(kcUrl('kc1'));
    for (const n of kc.properties.nodes.filter((x: any) => onMachine.includes(x.name))) expect([n.detailedStatus, n.powerState]).to.deep.equal(['Running', 'On']);
    const target = await get(`${moved[0].bareMetalMachineId}?api-version=${V}`);
    expect(target.properties.associatedResourceIds).to.include(kc.id);
    // New nodes avoid the cordoned machine.
    const grow = await ok(run.client.patch(kcUrl('kc1', '/agentPools/system'), { properties: { count: 8 } }));
    await run.client.poll(grow);
    kc = await get(kcUrl('kc1'));
    expect(kc.properties.nodes.some((n: any) => n.bareMetalMachineId === machine)).to.equal(false);
    await run.client.poll(await ok(run.client.post(`${machine}/uncordon?api-version=${V}`, {}), [202]));
  });

  it('a control-plane count change adds control-plane nodes; a runaway count is refused', async () => {
    const r = await ok(run.client.patch(kcUrl('kc1'), { properties: { controlPlaneNodeConfiguration: { count: 4 } } }));
    await run.client.poll(r);
    const kc = await get(kcUrl('kc1'));
    const cp = kc.properties.nodes.filter((n: any) => n.role === 'ControlPlane');
    expect(cp).to.have.length(4);
    expect(cp.every((n: any) => n.detailedStatus === 'Running' && n.kubernetesVersion === kc.properties.controlPlaneKubernetesVersion)).to.equal(true);
    const huge = await run.client.patch(kcUrl('kc1'), { properties: { controlPlaneNodeConfiguration: { count: 100000 } } });
    expect([huge.status, huge.body.error.code, huge.body.error.target]).to.deep.equal([400, 'InvalidNodeCount', 'properties.controlPlaneNodeConfiguration.count']);
    const hugePool = await run.client.patch(kcUrl('kc1', '/agentPools/system'), { properties: { count: 100000 } });
    expect([hugePool.status, hugePool.body.error.target]).to.deep.equal([400, 'properties.count']);
    expect((await get(kcUrl('kc1'))).properties.nodes).to.have.length(kc.properties.nodes.length);
  });

  it('deleting the cluster takes its pools, features and nodes with it and frees its machines', async () => {
    const kc = await get(kcUrl('kc1'));
    const del = await ok(run.client.delete(kcUrl('kc1')), [202]);
    expect((await run.client.poll(del)).body.status).to.equal('Succeeded');
    expect((await run.client.get(kcUrl('kc1'))).status).to.equal(404);
    expect((await run.client.get(kcUrl('kc1', '/agentPools/system'))).status).to.equal(404);
    expect((await run.client.get(kcUrl('kc1', '/features/calico'))).status).to.equal(404);
    for (const m of await machines()) expect(m.properties.associatedResourceIds ?? [], m.name).to.not.include(kc.id);
    // The same name can be created again at once.
    const again = await ok(run.client.put(kcUrl('kc1'), kcBody({ cpCount: 1 })), [201]);
    await run.client.poll(again);
    expect((await get(kcUrl('kc1'))).properties.nodes).to.have.length(3);
  });
});

describe('Nexus Kubernetes clusters across a restart', function () {
  this.timeout(60_000);

  it('an upgrade in flight survives a restart of the emulator and finishes on the clock', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nce-k8s-'));
    let run = await startEmulator({ inMemory: false, dataDir });
    try {
      const sub = run.client.info.subscriptionId;
      const c = run.client;
      await c.put(`${rgPath(sub, RG)}?api-version=2021-04-01`, { location: 'eastus' });
      await c.poll(await c.put(`${ncPath(sub, RG, 'clusterManagers', 'cm1')}?api-version=${V}`, clusterManagerBody(sub, RG)));
      const manager = (await c.get(`${ncPath(sub, RG, 'clusterManagers', 'cm1')}?api-version=${V}`)).body;
      await c.put(`${ncPath(sub, RG, 'clusters', 'nexus1')}?api-version=${V}`, clusterBody(sub, RG, manager.properties.managerExtendedLocation, { machines: 4, computeRacks: 1, mrg: 'k8s-mrg' }));
      await c.poll(await c.post(`${ncPath(sub, RG, 'clusters', 'nexus1')}/deploy?api-version=${V}`, {}));
      const nexus = (await c.get(`${ncPath(sub, RG, 'clusters', 'nexus1')}?api-version=${V}`)).body;
      // The networks the cluster attaches must exist and be usable first (references are checked).
      const ext = { name: nexus.properties.clusterExtendedLocation.name, type: 'CustomLocation' };
      const net = async (type: string, name: string, properties: object) => {
        await c.poll(await c.put(`${ncPath(sub, RG, type, name)}?api-version=${V}`, { location: 'eastus', extendedLocation: ext, properties }));
      };
      await net('cloudServicesNetworks', 'csn', {});
      await net('l3Networks', 'cni', { l3IsolationDomainId: `/subscriptions/${sub}/resourceGroups/${RG}/providers/Microsoft.ManagedNetworkFabric/l3IsolationDomains/l3d`, vlan: 1001, ipv4ConnectedPrefix: '10.20.0.0/24' });
      const url = `${ncPath(sub, RG, 'kubernetesClusters', 'kc1')}?api-version=${V}`;
      const created = await c.put(url, {
        location: 'eastus', extendedLocation: { name: nexus.properties.clusterExtendedLocation.name, type: 'CustomLocation' },
        properties: {
          kubernetesVersion: '1.30.12', controlPlaneNodeConfiguration: { count: 1, vmSkuName: 'NC_G6_28_v1' },
          initialAgentPoolConfigurations: [{ name: 'system', count: 1, mode: 'System', vmSkuName: 'NC_P10_56_v1' }],
          networkConfiguration: { cloudServicesNetworkId: `/subscriptions/${sub}/resourceGroups/${RG}/providers/Microsoft.NetworkCloud/cloudServicesNetworks/csn`, cniNetworkId: `/subscriptions/${sub}/resourceGroups/${RG}/providers/Microsoft.NetworkCloud/l3Networks/cni` },
        },
      });
      expect(created.status, created.text).to.equal(201);
      await c.poll(created);
      const patch = await c.patch(url, { properties: { kubernetesVersion: '1.31.8' } });
      expect(patch.status).to.equal(202);
      // The restarted emulator listens on another port: follow the status by its path.
      const status = new URL(patch.headers['azure-asyncoperation'] as string).pathname + new URL(patch.headers['azure-asyncoperation'] as string).search;
      expect((await c.get(status)).body.status).to.equal('InProgress');
      await run.stop();
      run = await startEmulator({ inMemory: false, dataDir });
      const again = run.client;
      expect((await again.get(status)).body.status).to.equal('InProgress', 'still rolling after the restart');
      const kc = (await again.get(url)).body;
      expect(kc.properties.provisioningState).to.equal('Updating');
      expect(kc.properties.nodes.filter((n: any) => n.kubernetesVersion === '1.31.8')).to.have.length(0);
      await again.post('/_emulator/clock', { advance: '2m' });
      expect((await again.poll({ status: 202, headers: { 'azure-asyncoperation': status }, body: undefined, text: '' } as Reply)).body.status).to.equal('Succeeded');
      const done = (await again.get(url)).body;
      expect(done.properties.nodes.map((n: any) => n.kubernetesVersion)).to.deep.equal(['1.31.8', '1.31.8']);
      expect(done.properties.provisioningState).to.equal('Succeeded');
    } finally {
      await run.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
