/**
 * References between Microsoft.NetworkCloud resources, black-box over HTTPS: a populated emulator
 * (the demo plus a network of every kind, a volume, a Kubernetes cluster with an agent pool and a
 * VM with a console) is walked at two api-versions and every provider id found in any resource
 * resolves; bad references get 400 naming the member; in-use deletes get 409 naming the users;
 * associated ids, attachedTo and clusterId follow resources as they come and go; racks exist from
 * the cluster's creation and machines' SKU codes match their rack's SKU.
 */
import { expect } from 'chai';
import { sshKey } from '../helpers/ssh.js';
import { NETWORKCLOUD_TYPES } from '../../rp/api/registry.js';
import { machineSkuCode } from '../../rp/providers/networkcloud/catalogues.js';
import { clusterBody, clusterManagerBody } from '../helpers/bodies.js';
import { ncPath, rgPath, startEmulator, type Reply, type Running } from '../helpers/emulator.js';

const V = '2025-09-01';
const VERSIONS = ['2025-09-01', '2026-07-01'];
const RG = 'refs-rg';

describe('references between Microsoft.NetworkCloud resources', function () {
  this.timeout(120_000);
  let run: Running;
  let sub: string;
  let clusterId: string;
  let extendedLocation: { name: string; type: string };
  const id = (type: string, name: string) => ncPath(sub, RG, type, name);

  const finish = async (r: Reply) => {
    const url = (r.headers['azure-asyncoperation'] ?? r.headers.location) as string | undefined;
    if (!url) return r;
    for (let i = 0; i < 200; i++) {
      const s = await run.client.get(url);
      if (s.status !== 202 && s.body?.status !== 'InProgress') return s;
      await new Promise((res) => setTimeout(res, 20));
    }
    throw new Error(`${url} did not finish`);
  };
  const create = async (path: string, body: unknown) => {
    const r = await run.client.put(`${path}?api-version=${V}`, body);
    expect(r.status, `${path}: ${r.text}`).to.be.oneOf([200, 201]);
    await finish(r);
    const got = await run.client.get(`${path}?api-version=${V}`);
    expect(got.body.properties.provisioningState, path).to.equal('Succeeded');
    return got.body;
  };
  const del = async (path: string) => {
    const r = await run.client.delete(`${path}?api-version=${V}`);
    if (r.status === 202) await finish(r);
    return r;
  };
  const get = async (path: string, v = V) => (await run.client.get(`${path}?api-version=${v}`)).body;

  const l3 = (vlan: number) => ({ location: 'eastus', extendedLocation, properties: { l3IsolationDomainId: `${rgPath(sub, RG)}/providers/Microsoft.ManagedNetworkFabric/l3IsolationDomains/isd-l3`, vlan, ipv4ConnectedPrefix: '10.1.0.0/24', ipAllocationType: 'IPV4' } });
  const vmBody = (extra: Record<string, unknown> = {}) => ({
    location: 'eastus', extendedLocation,
    properties: {
      adminUsername: 'azureuser', cpuCores: 2, memorySizeGB: 4, vmImage: 'myacr.azurecr.io/ubuntu:22.04',
      sshPublicKeys: [{ keyData: sshKey('ed25519') }],
      cloudServicesNetworkAttachment: { attachedNetworkId: id('cloudServicesNetworks', 'csn-a'), ipAllocationMethod: 'Dynamic' },
      networkAttachments: [{ attachedNetworkId: id('l3Networks', 'l3-a'), ipAllocationMethod: 'Dynamic', defaultGateway: 'True' }],
      storageProfile: { osDisk: { diskSizeGB: 120 }, volumeAttachments: [id('volumes', 'vol-a')] },
      ...extra,
    },
  });

  before(async () => {
    run = await startEmulator({ demo: true });
    sub = run.client.info.subscriptionId;
    clusterId = run.emu.demo!.clusterId;
    extendedLocation = (await get(clusterId)).properties.clusterExtendedLocation;
    await run.client.put(`${rgPath(sub, RG)}?api-version=2021-04-01`, { location: 'eastus' });
    await create(id('l3Networks', 'l3-a'), l3(101));
    await create(id('l3Networks', 'l3-cni'), l3(102));
    await create(id('l2Networks', 'l2-a'), { location: 'eastus', extendedLocation, properties: { l2IsolationDomainId: `${rgPath(sub, RG)}/providers/Microsoft.ManagedNetworkFabric/l2IsolationDomains/isd-l2` } });
    await create(id('trunkedNetworks', 'trunk-a'), { location: 'eastus', extendedLocation, properties: { isolationDomainIds: [`${rgPath(sub, RG)}/providers/Microsoft.ManagedNetworkFabric/l2IsolationDomains/isd-l2`], vlans: [200, 201] } });
    await create(id('cloudServicesNetworks', 'csn-a'), { location: 'eastus', extendedLocation, properties: { enableDefaultEgressEndpoints: 'True' } });
    await create(id('volumes', 'vol-a'), { location: 'eastus', extendedLocation, properties: { sizeMiB: 10240 } });
    await create(id('kubernetesClusters', 'k8s-a'), {
      location: 'eastus', extendedLocation,
      properties: {
        kubernetesVersion: '1.30.12',
        controlPlaneNodeConfiguration: { count: 3, vmSkuName: 'NC_G6_28_v1' },
        initialAgentPoolConfigurations: [{ name: 'system', count: 3, mode: 'System', vmSkuName: 'NC_P10_56_v1', attachedNetworkConfiguration: { trunkedNetworks: [{ networkId: id('trunkedNetworks', 'trunk-a'), pluginType: 'SRIOV' }] } }],
        networkConfiguration: {
          cloudServicesNetworkId: id('cloudServicesNetworks', 'csn-a'),
          cniNetworkId: id('l3Networks', 'l3-cni'),
          attachedNetworkConfiguration: { l3Networks: [{ networkId: id('l3Networks', 'l3-a'), pluginType: 'SRIOV', ipamEnabled: 'False' }] },
        },
      },
    });
    await create(`${id('kubernetesClusters', 'k8s-a')}/agentPools/pool-a`, {
      location: 'eastus', extendedLocation,
      properties: { count: 1, mode: 'User', vmSkuName: 'NC_P10_56_v1', attachedNetworkConfiguration: { l2Networks: [{ networkId: id('l2Networks', 'l2-a'), pluginType: 'DPDK' }] } },
    });
    await create(id('virtualMachines', 'vma'), vmBody());
    await create(`${id('virtualMachines', 'vma')}/consoles/default`, { location: 'eastus', extendedLocation, properties: { enabled: 'True', sshPublicKey: { keyData: sshKey('ed25519') } } });
  });
  after(() => run.stop());

  /** Every resource of every type the version serves, listed through the API (children through their parents). */
  async function everyResource(v: string): Promise<{ id: string; type: string; body: Record<string, unknown> }[]> {
    const out: { id: string; type: string; body: Record<string, unknown> }[] = [];
    const groups = (await run.client.get(`/subscriptions/${sub}/resourcegroups?api-version=2021-04-01`)).body.value.map((g: { name: string }) => g.name);
    const types = NETWORKCLOUD_TYPES.filter((t) => t.at(v)).sort((a, b) => a.type.split('/').length - b.type.split('/').length);
    for (const t of types) {
      const pages: string[] = [];
      if (t.parent) {
        for (const parent of out.filter((r) => r.type.toLowerCase() === `microsoft.networkcloud/${t.parent!.toLowerCase()}`)) pages.push(`${parent.id}/${t.segment}?api-version=${v}`);
      } else if (t.scope === 'subscription' || t.require(v).operations.some((o) => o.kind === 'collection' && o.scope === 'subscription')) {
        pages.push(`/subscriptions/${sub}/providers/Microsoft.NetworkCloud/${t.segment}?api-version=${v}`);
      } else {
        for (const g of groups) pages.push(`${ncPath(sub, g, t.segment)}?api-version=${v}`);
      }
      for (let page: string | undefined = pages.shift(); page; page = pages.shift()) {
        const r = await run.client.get(page);
        expect(r.status, `${page}: ${r.text}`).to.equal(200);
        for (const item of r.body.value) out.push({ id: item.id, type: item.type, body: item });
        if (r.body.nextLink) pages.unshift(r.body.nextLink);
      }
    }
    return out;
  }

  const providerIds = (x: unknown, found: Set<string>): Set<string> => {
    if (typeof x === 'string' && /^\/subscriptions\/[^/]+\/(resourceGroups\/[^/]+\/)?providers\/Microsoft\.NetworkCloud\//i.test(x)) found.add(x);
    else if (Array.isArray(x)) x.forEach((i) => providerIds(i, found));
    else if (x && typeof x === 'object') Object.values(x).forEach((i) => providerIds(i, found));
    return found;
  };

  for (const v of VERSIONS) {
    it(`walks every resource at ${v}: every Microsoft.NetworkCloud id in any of their properties resolves`, async () => {
      const resources = await everyResource(v);
      const types = new Set(resources.map((r) => r.type.split('/').slice(1).join('/')));
      for (const t of ['clusters', 'racks', 'bareMetalMachines', 'storageAppliances', 'l2Networks', 'l3Networks', 'trunkedNetworks', 'cloudServicesNetworks', 'volumes', 'kubernetesClusters', 'kubernetesClusters/agentPools', 'virtualMachines', 'virtualMachines/consoles', 'rackSkus']) {
        expect(types.has(t), `the walk found no ${t}`).to.equal(true);
      }
      const ids = new Set<string>();
      for (const r of resources) providerIds(r.body.properties, ids);
      const lower = new Set([...ids].map((i) => i.toLowerCase()));
      for (const must of [clusterId, id('l3Networks', 'l3-a'), id('cloudServicesNetworks', 'csn-a'), id('volumes', 'vol-a'), id('virtualMachines', 'vma'), `${ncPath(sub, run.emu.demo!.managedResourceGroup, 'racks', 'demo-cluster-aggrack')}`]) {
        expect(lower.has(must.toLowerCase()), `no resource refers to ${must}`).to.equal(true);
      }
      const missing: string[] = [];
      for (const ref of ids) {
        const r = await run.client.get(`${ref}?api-version=${v}`);
        if (r.status !== 200) missing.push(`${r.status} ${ref}`);
      }
      expect(missing).to.deep.equal([]);
    });
  }

  it('gives every machine and appliance a rack that exists and SKU codes of that rack\'s SKU', async () => {
    const mrg = run.emu.demo!.managedResourceGroup;
    const machines = (await run.client.get(`${ncPath(sub, mrg, 'bareMetalMachines')}?api-version=${V}`)).body.value;
    const appliances = (await run.client.get(`${ncPath(sub, mrg, 'storageAppliances')}?api-version=${V}`)).body.value;
    expect(machines.length).to.be.greaterThan(0);
    for (const m of [...machines, ...appliances]) {
      const rack = await run.client.get(`${m.properties.rackId}?api-version=${V}`);
      expect(rack.status, m.properties.rackId).to.equal(200);
      const sku = await run.client.get(`${rack.body.properties.rackSkuId}?api-version=${V}`);
      expect(sku.status).to.equal(200);
      const code = m.properties.machineSkuId ?? m.properties.storageApplianceSkuId;
      expect(code).to.match(/^[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$/);
      const kinds = m.properties.storageApplianceSkuId ? ['storage'] : ['compute', 'controller'];
      expect(kinds.map((k) => machineSkuCode(rack.body.properties.rackSkuId, k as 'compute'))).to.include(code);
    }
  });

  it('derives associated ids, attachedTo and clusterId from who uses whom', async () => {
    const vm = id('virtualMachines', 'vma');
    const k8s = id('kubernetesClusters', 'k8s-a');
    const pool = `${k8s}/agentPools/pool-a`;
    const l3a = (await get(id('l3Networks', 'l3-a'))).properties;
    expect(l3a.virtualMachinesAssociatedIds).to.deep.equal([vm]);
    expect(l3a.associatedResourceIds).to.have.members([k8s, vm]);
    expect(l3a.hybridAksClustersAssociatedIds).to.deep.equal([]);
    expect(l3a.clusterId).to.equal(clusterId);
    expect((await get(id('l3Networks', 'l3-cni'))).properties.associatedResourceIds).to.deep.equal([k8s]);
    // A pool's networks are also the cluster's (its attachedNetworkIds and its nodes' attachments name them).
    expect((await get(id('l2Networks', 'l2-a'))).properties.associatedResourceIds).to.have.members([k8s, pool]);
    expect((await get(id('trunkedNetworks', 'trunk-a'))).properties.associatedResourceIds).to.have.members([k8s, `${k8s}/agentPools/system`]);
    const csn = (await get(id('cloudServicesNetworks', 'csn-a'))).properties;
    expect(csn.associatedResourceIds).to.have.members([k8s, vm]);
    expect(csn.virtualMachinesAssociatedIds).to.deep.equal([vm]);
    expect((await get(id('volumes', 'vol-a'))).properties.attachedTo).to.deep.equal([vm]);
    expect((await get(vm)).properties.clusterId).to.equal(clusterId);
    expect((await get(k8s)).properties.clusterId).to.equal(clusterId);
    // The same through a list (the view cache must not serve a stale association either).
    const listed = (await run.client.get(`${ncPath(sub, RG, 'l3Networks')}?api-version=${V}`)).body.value.find((n: { name: string }) => n.name === 'l3-a');
    expect(listed.properties.virtualMachinesAssociatedIds).to.deep.equal([vm]);

    // A second VM appears in the network's and volume's lists; when it goes, it disappears.
    await create(id('volumes', 'vol-b'), { location: 'eastus', extendedLocation, properties: { sizeMiB: 1024 } });
    const vm2 = id('virtualMachines', 'vmb');
    await create(vm2, vmBody({ storageProfile: { osDisk: { diskSizeGB: 120 }, volumeAttachments: [id('volumes', 'vol-b')] } }));
    expect((await get(id('l3Networks', 'l3-a'))).properties.virtualMachinesAssociatedIds).to.deep.equal([vm, vm2]);
    expect((await get(id('volumes', 'vol-b'))).properties.attachedTo).to.deep.equal([vm2]);
    expect((await del(vm2)).status).to.be.oneOf([200, 202, 204]);
    expect((await get(id('l3Networks', 'l3-a'))).properties.virtualMachinesAssociatedIds).to.deep.equal([vm]);
    expect((await get(id('volumes', 'vol-b'))).properties.attachedTo).to.deep.equal([]);
    expect((await del(id('volumes', 'vol-b'))).status).to.be.oneOf([200, 202, 204]);
    expect((await run.client.get(`${id('volumes', 'vol-b')}?api-version=${V}`)).status).to.equal(404);
  });

  const refused = async (path: string, body: unknown, code: string, target: string) => {
    const r = await run.client.put(`${path}?api-version=${V}`, body);
    expect([r.status, r.body.error?.code, r.body.error?.target], r.text).to.deep.equal([400, code, target]);
    expect((await run.client.get(`${path}?api-version=${V}`)).status, 'nothing is written').to.equal(404);
    return r.body.error.message as string;
  };

  it('400 LinkedResourceNotFound, naming the member: a Microsoft.NetworkCloud id that does not exist: LinkedResourceNotFound', async () => {
    const missing = id('l3Networks', 'no-such-network');
    const message = await refused(id('virtualMachines', 'vmbad1'), vmBody({ networkAttachments: [{ attachedNetworkId: missing, ipAllocationMethod: 'Dynamic' }] }), 'LinkedResourceNotFound', 'properties.networkAttachments[0].attachedNetworkId');
    expect(message).to.include(missing);
    await refused(id('kubernetesClusters', 'k8s-bad'), {
      location: 'eastus', extendedLocation,
      properties: {
        kubernetesVersion: '1.30.12', controlPlaneNodeConfiguration: { count: 1, vmSkuName: 'NC_G6_28_v1' },
        initialAgentPoolConfigurations: [{ name: 'system', count: 1, mode: 'System', vmSkuName: 'NC_P10_56_v1' }],
        networkConfiguration: { cloudServicesNetworkId: id('cloudServicesNetworks', 'csn-a'), cniNetworkId: id('l3Networks', 'gone') },
      },
    }, 'LinkedResourceNotFound', 'properties.networkConfiguration.cniNetworkId');
    await refused(`${id('kubernetesClusters', 'k8s-a')}/agentPools/pool-bad`, {
      location: 'eastus', extendedLocation,
      properties: { count: 1, mode: 'User', vmSkuName: 'NC_P10_56_v1', attachedNetworkConfiguration: { trunkedNetworks: [{ networkId: id('trunkedNetworks', 'gone'), pluginType: 'SRIOV' }] } },
    }, 'LinkedResourceNotFound', 'properties.attachedNetworkConfiguration.trunkedNetworks[0].networkId');
    await refused(id('virtualMachines', 'vmbad2'), vmBody({ storageProfile: { osDisk: { diskSizeGB: 120 }, volumeAttachments: [id('volumes', 'gone')] } }), 'LinkedResourceNotFound', 'properties.storageProfile.volumeAttachments[0]');
  });

  it('400 LinkedInvalidPropertyId, naming the member: an id of the wrong type, or no id at all: LinkedInvalidPropertyId', async () => {
    await refused(id('virtualMachines', 'vmbad3'), vmBody({ networkAttachments: [{ attachedNetworkId: id('volumes', 'vol-a'), ipAllocationMethod: 'Dynamic' }] }), 'LinkedInvalidPropertyId', 'properties.networkAttachments[0].attachedNetworkId');
    await refused(id('virtualMachines', 'vmbad4'), vmBody({ storageProfile: { osDisk: { diskSizeGB: 120 }, volumeAttachments: ['vol-a'] } }), 'LinkedInvalidPropertyId', 'properties.storageProfile.volumeAttachments[0]');
    // Another provider's id is checked for form and type only: a wrong type is refused, a missing one is not.
    await refused(id('l3Networks', 'l3-bad'), { ...l3(150), properties: { ...l3(150).properties, l3IsolationDomainId: `${rgPath(sub, RG)}/providers/Microsoft.ManagedNetworkFabric/networkFabrics/fab` } }, 'LinkedInvalidPropertyId', 'properties.l3IsolationDomainId');
    await refused(id('l3Networks', 'l3-bad2'), { ...l3(151), extendedLocation: { name: 'not-a-custom-location', type: 'CustomLocation' } }, 'LinkedInvalidPropertyId', 'extendedLocation.name');
    const foreign = await create(id('l3Networks', 'l3-foreign'), { ...l3(152), properties: { ...l3(152).properties, l3IsolationDomainId: `${rgPath(sub, 'elsewhere')}/providers/Microsoft.ManagedNetworkFabric/l3IsolationDomains/not-here` } });
    expect(foreign.properties.l3IsolationDomainId).to.include('/not-here');
    expect((await del(id('l3Networks', 'l3-foreign'))).status).to.be.oneOf([200, 202, 204]);
  });

  it('400 InvalidParameter, naming the member: a resource that is not usable yet: InvalidParameter naming its state', async () => {
    const before = run.emu.operations.duration;
    run.emu.operations.duration = 3_600_000;
    try {
      const slow = await run.client.put(`${id('cloudServicesNetworks', 'csn-slow')}?api-version=${V}`, { location: 'eastus', extendedLocation });
      expect(slow.body.properties.provisioningState).to.equal('Accepted');
    } finally {
      run.emu.operations.duration = before;
    }
    const message = await refused(id('virtualMachines', 'vmbad5'), vmBody({ cloudServicesNetworkAttachment: { attachedNetworkId: id('cloudServicesNetworks', 'csn-slow'), ipAllocationMethod: 'Dynamic' } }), 'InvalidParameter', 'properties.cloudServicesNetworkAttachment.attachedNetworkId');
    expect(message).to.include("'Accepted'");
  });

  it('refuses to delete what is in use (409 ResourceInUse naming the users); once unused, it goes', async () => {
    const vm = id('virtualMachines', 'vma');
    const k8s = id('kubernetesClusters', 'k8s-a');
    const inUse = async (path: string, users: string[]) => {
      const r = await run.client.delete(`${path}?api-version=${V}`);
      expect([r.status, r.body.error?.code], r.text).to.deep.equal([409, 'ResourceInUse']);
      for (const u of users) expect(r.body.error.message).to.include(u);
      expect(r.body.error.details.map((d: { target: string }) => d.target)).to.include.members(users);
      expect((await run.client.get(`${path}?api-version=${V}`)).status).to.equal(200);
    };
    await inUse(id('l3Networks', 'l3-a'), [vm, k8s]);
    await inUse(id('volumes', 'vol-a'), [vm]);
    await inUse(id('cloudServicesNetworks', 'csn-a'), [vm, k8s]);
    await inUse(id('l2Networks', 'l2-a'), [`${k8s}/agentPools/pool-a`]);

    expect((await del(vm)).status).to.equal(202);
    expect((await run.client.get(`${vm}/consoles/default?api-version=${V}`)).status, 'the console goes with its VM').to.equal(404);
    expect((await del(id('volumes', 'vol-a'))).status).to.equal(202);
    await inUse(id('l3Networks', 'l3-a'), [k8s]);
    expect((await get(id('l3Networks', 'l3-a'))).properties.associatedResourceIds).to.deep.equal([k8s]);
    expect((await del(k8s)).status).to.equal(202);
    for (const n of [id('l3Networks', 'l3-a'), id('l3Networks', 'l3-cni'), id('l2Networks', 'l2-a'), id('trunkedNetworks', 'trunk-a'), id('cloudServicesNetworks', 'csn-a')]) {
      expect((await get(n)).properties.associatedResourceIds, n).to.deep.equal([]);
      expect((await del(n)).status, n).to.equal(202);
    }
  });

  it('creates a cluster\'s racks with the cluster, lets customers PATCH them, reuses them at deploy and deletes them with the cluster', async () => {
    const c = run.client;
    const rg = 'racks-rg';
    await c.put(`${rgPath(sub, rg)}?api-version=2021-04-01`, { location: 'eastus' });
    const cm = await create(ncPath(sub, rg, 'clusterManagers', 'cm-r'), clusterManagerBody(sub, rg));
    const cluster = ncPath(sub, rg, 'clusters', 'cl-r');
    await create(cluster, clusterBody(sub, rg, cm.properties.managerExtendedLocation, { mrg: 'cl-r-mrg', machines: 2, appliances: 1, computeRacks: 1 }));
    const racks = (await c.get(`${ncPath(sub, 'cl-r-mrg', 'racks')}?api-version=${V}`)).body.value;
    expect(racks.map((r: { name: string }) => r.name)).to.deep.equal(['cl-r-aggrack', 'cl-r-comprack01']);
    expect(racks[0].properties).to.include({ clusterId: cluster, rackSerialNumber: 'RACK1', rackSkuId: `/subscriptions/${sub}/providers/Microsoft.NetworkCloud/rackSkus/sku1`, provisioningState: 'Succeeded' });
    expect(racks[1].properties.rackSerialNumber).to.equal('RACK2');
    const rack = racks[0].id as string;
    const patched = await finish(await c.patch(`${rack}?api-version=${V}`, { tags: { row: '7' }, properties: { rackLocation: 'Row 7', rackSerialNumber: 'RACK1-B' } }));
    expect(patched.status).to.be.oneOf([200, 202]);
    const afterPatch = await get(rack);
    expect([afterPatch.tags, afterPatch.properties.rackLocation, afterPatch.properties.rackSerialNumber]).to.deep.equal([{ row: '7' }, 'Row 7', 'RACK1-B']);
    const put = await c.put(`${rack}?api-version=${V}`, { location: 'eastus', extendedLocation: afterPatch.extendedLocation, properties: { availabilityZone: '1', rackLocation: 'x', rackSerialNumber: 'y', rackSkuId: afterPatch.properties.rackSkuId } });
    expect([put.status, put.body.error?.code]).to.deep.equal([400, 'OperationNotAllowed']);
    expect((await c.delete(`${rack}?api-version=${V}`)).status).to.equal(400);

    const deployed = await finish(await c.post(`${cluster}/deploy?api-version=${V}`, {}));
    expect(deployed.body.status).to.equal('Succeeded');
    const machines = (await c.get(`${ncPath(sub, 'cl-r-mrg', 'bareMetalMachines')}?api-version=${V}`)).body.value;
    expect(new Set(machines.map((m: { properties: { rackId: string } }) => m.properties.rackId))).to.deep.equal(new Set(racks.map((r: { id: string }) => r.id)));
    const kept = await get(rack);
    expect([kept.properties.rackLocation, kept.properties.rackSerialNumber, kept.etag]).to.deep.equal(['Row 7', 'RACK1-B', afterPatch.etag]);

    expect((await del(cluster)).status).to.equal(202);
    expect((await c.get(`${rack}?api-version=${V}`)).status).to.equal(404);
  });
});
