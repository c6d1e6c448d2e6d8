/**
 * The demo environment (issue 12 item 8): besides the cluster manager, cluster, machines and
 * storage appliance, it holds an L3 network, a trunked network, a cloud services network, a volume,
 * a Kubernetes cluster with one agent pool and a virtual machine with a console, every one
 * Succeeded, on the cluster's custom location, referring to each other by correct ids; every
 * Microsoft.NetworkCloud id found in their properties resolves. emulator.json (spawned as `npm
 * start` does) keeps its existing fields and names the new ones under `demo`.
 */
import { expect } from 'chai';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { EmulatorInfo } from '../../rp/emulator.js';
import { spawnEmulator, startEmulator, type Running } from '../helpers/emulator.js';

const V = '2025-09-01';

/** Every string in a JSON value that is a Microsoft.NetworkCloud resource id. */
function networkCloudIds(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') {
    if (/^\/subscriptions\/[^/]+\/(resourceGroups\/[^/]+\/)?providers\/Microsoft\.NetworkCloud\/[^/]+\/[^/]+/i.test(value)) out.push(value);
  } else if (Array.isArray(value)) value.forEach((v) => networkCloudIds(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => networkCloudIds(v, out));
  return out;
}

describe('the demo environment', function () {
  this.timeout(60_000);
  let run: Running;
  let demo: NonNullable<Running['emu']['demo']>;
  const got = new Map<string, any>();

  before(async () => {
    run = await startEmulator({ demo: true });
    demo = run.emu.demo!;
    for (const id of [demo.l3NetworkId, demo.trunkedNetworkId, demo.cloudServicesNetworkId, demo.volumeId, demo.kubernetesClusterId, demo.agentPoolId, demo.virtualMachineId, demo.consoleId, demo.clusterId, demo.clusterManagerId]) {
      const r = await run.client.get(`${id}?api-version=${V}`);
      expect(r.status, `${id}: ${r.text}`).to.equal(200);
      got.set(id!, r.body);
    }
  });
  after(() => run?.stop());

  it('names every workload resource under demo, with the names docs/demo.md gives', () => {
    const sub = run.client.info.subscriptionId;
    const nc = `/subscriptions/${sub}/resourceGroups/nexus-demo-rg/providers/Microsoft.NetworkCloud`;
    expect({
      l3NetworkId: demo.l3NetworkId,
      trunkedNetworkId: demo.trunkedNetworkId,
      cloudServicesNetworkId: demo.cloudServicesNetworkId,
      volumeId: demo.volumeId,
      kubernetesClusterId: demo.kubernetesClusterId,
      agentPoolId: demo.agentPoolId,
      virtualMachineId: demo.virtualMachineId,
      consoleId: demo.consoleId,
    }).to.deep.equal({
      l3NetworkId: `${nc}/l3Networks/demo-l3network`,
      trunkedNetworkId: `${nc}/trunkedNetworks/demo-trunkednetwork`,
      cloudServicesNetworkId: `${nc}/cloudServicesNetworks/demo-csn`,
      volumeId: `${nc}/volumes/demo-volume`,
      kubernetesClusterId: `${nc}/kubernetesClusters/demo-k8s`,
      agentPoolId: `${nc}/kubernetesClusters/demo-k8s/agentPools/demo-k8s-pool1`,
      virtualMachineId: `${nc}/virtualMachines/demovm01`,
      consoleId: `${nc}/virtualMachines/demovm01/consoles/default`,
    });
  });

  it('has every resource Succeeded, on the cluster\'s custom location (the console on the manager\'s)', () => {
    const cluster = got.get(demo.clusterId)!;
    const manager = got.get(demo.clusterManagerId)!;
    expect(cluster.properties.detailedStatus).to.equal('Running');
    for (const id of [demo.l3NetworkId, demo.trunkedNetworkId, demo.cloudServicesNetworkId, demo.volumeId, demo.kubernetesClusterId, demo.agentPoolId, demo.virtualMachineId, demo.consoleId]) {
      const r = got.get(id!)!;
      expect(r.properties.provisioningState, id).to.equal('Succeeded');
      expect(r.location, id).to.equal('eastus');
      expect(r.extendedLocation, id).to.deep.equal(id === demo.consoleId ? manager.properties.managerExtendedLocation : cluster.properties.clusterExtendedLocation);
    }
  });

  it('refers between its resources by their ids', () => {
    const k8s = got.get(demo.kubernetesClusterId!)!.properties;
    expect(k8s.networkConfiguration.cloudServicesNetworkId).to.equal(demo.cloudServicesNetworkId);
    expect(k8s.networkConfiguration.cniNetworkId).to.equal(demo.l3NetworkId);
    expect(k8s.initialAgentPoolConfigurations.map((p: { name: string }) => p.name)).to.deep.equal(['demo-k8s-pool1']);
    const pool = got.get(demo.agentPoolId!)!.properties;
    expect(pool.mode).to.equal('System');
    expect(pool.attachedNetworkConfiguration.l3Networks[0].networkId).to.equal(demo.l3NetworkId);
    expect(pool.attachedNetworkConfiguration.trunkedNetworks[0].networkId).to.equal(demo.trunkedNetworkId);
    const vm = got.get(demo.virtualMachineId!)!.properties;
    expect(vm.cloudServicesNetworkAttachment.attachedNetworkId).to.equal(demo.cloudServicesNetworkId);
    expect(vm.networkAttachments.map((a: { attachedNetworkId: string }) => a.attachedNetworkId)).to.deep.equal([demo.l3NetworkId, demo.trunkedNetworkId]);
    expect(vm.storageProfile.volumeAttachments).to.deep.equal([demo.volumeId]);
    expect(got.get(demo.volumeId!)!.properties.storageApplianceId).to.equal(demo.storageApplianceIds[0]);
    // the key-based logins hold public keys only
    for (const key of [vm.sshPublicKeys[0].keyData, k8s.administratorConfiguration.sshPublicKeys[0].keyData, got.get(demo.consoleId!)!.properties.sshPublicKey.keyData]) {
      expect(key).to.match(/^ssh-ed25519 [A-Za-z0-9+/]+=* \S+$/);
    }
    expect(JSON.stringify([...got.values()])).to.not.match(/PRIVATE KEY/);
  });

  it('lets every Microsoft.NetworkCloud id in its resources resolve', async () => {
    const ids = new Set<string>();
    for (const [id, body] of got) for (const found of networkCloudIds(body.properties)) if (found.toLowerCase() !== id.toLowerCase()) ids.add(found);
    expect(ids.size).to.be.greaterThan(5);
    for (const id of ids) {
      const r = await run.client.get(`${id}?api-version=${V}`);
      expect(r.status, `${id}: ${r.text}`).to.equal(200);
    }
  });

  it('writes the new ids under demo in emulator.json and keeps the existing fields (spawned as npm start does)', async function () {
    const spawned = await spawnEmulator(['--seed', 'demo']);
    try {
      const info = JSON.parse(readFileSync(path.join(spawned.dataDir, 'emulator.json'), 'utf8')) as EmulatorInfo;
      expect(info).to.include.keys('endpoint', 'caCertFile', 'tenantId', 'subscriptionId', 'clientId', 'clientSecret', 'msiEndpoint', 'msiSecret', 'pid', 'demo');
      expect(Object.keys(info.demo!)).to.deep.equal([
        'clusterId', 'clusterManagerId', 'managedResourceGroup', 'bareMetalMachineIds', 'storageApplianceIds',
        'l3NetworkId', 'trunkedNetworkId', 'cloudServicesNetworkId', 'volumeId', 'kubernetesClusterId', 'agentPoolId', 'virtualMachineId', 'consoleId',
      ]);
      expect(info.demo!.bareMetalMachineIds).to.have.length(6);
      expect(info.demo!.consoleId).to.match(/\/virtualMachines\/demovm01\/consoles\/default$/);
    } finally {
      await spawned.stop();
      rmSync(spawned.dataDir, { recursive: true, force: true });
    }
  });
});
