/**
 * The demo environment of `npm start`: a resource group, a cluster manager and a single-rack cluster
 * with six bare metal machines and one storage appliance, deployed; on that cluster's custom
 * location, the tenant's workload resources: an L3 network, a trunked network, a cloud services
 * network, a volume, a Nexus Kubernetes cluster with one agent pool, and a virtual machine with its
 * console. It is built through the public HTTPS API as the demo principal, so it is exactly what a
 * client building it would get; every reference names a resource created before it (and already
 * Succeeded), independent resources are created in parallel.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import https from 'node:https';
import type { EmulatorHost, DemoInfo } from '../host.js';
import { KUBERNETES_VERSIONS } from '../providers/networkcloud/catalogues.js';

export const DEMO = {
  resourceGroup: 'nexus-demo-rg',
  location: 'eastus',
  clusterManager: 'demo-cm',
  cluster: 'demo-cluster',
  managedResourceGroup: 'demo-cluster-mrg',
  machines: 6,
  l3Network: 'demo-l3network',
  trunkedNetwork: 'demo-trunkednetwork',
  cloudServicesNetwork: 'demo-csn',
  volume: 'demo-volume',
  kubernetesCluster: 'demo-k8s',
  agentPool: 'demo-k8s-pool1',
  virtualMachine: 'demovm01',
  console: 'default',
} as const;

const API = '2025-09-01';

interface Reply {
  status: number;
  body: any;
}

function call(emu: EmulatorHost, token: string, method: string, path: string, body?: unknown): Promise<Reply> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port: emu.port,
        servername: 'localhost',
        method,
        path,
        ca: emu.caCertPem,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...(payload ? { 'Content-Length': payload.length } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
        });
      },
    );
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

async function expectOk(reply: Promise<Reply>, what: string): Promise<any> {
  const r = await reply;
  if (r.status >= 300) throw new Error(`demo seed: ${what} failed with ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

/** A fresh OpenSSH public key (ed25519); its private half is never kept. */
export function sshPublicKey(comment: string): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const field = (b: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(b.length);
    return Buffer.concat([length, b]);
  };
  const blob = Buffer.concat([field(Buffer.from('ssh-ed25519')), field(raw)]);
  return `ssh-ed25519 ${blob.toString('base64')} ${comment}`;
}

const mac = (prefix: number, n: number) => `02:00:${prefix.toString(16).padStart(2, '0')}:00:00:${n.toString(16).padStart(2, '0')}`;

export async function seedDemo(emu: EmulatorHost): Promise<DemoInfo> {
  const principal = emu.principals.byObjectId(emu.demoPrincipalObjectId)!;
  const { accessToken: token } = await emu.tokens.issue(principal, 'https://management.azure.com/');
  const sub = emu.subscriptionId;
  const rgPath = `/subscriptions/${sub}/resourceGroups/${DEMO.resourceGroup}`;
  const nc = `${rgPath}/providers/Microsoft.NetworkCloud`;
  const previousDuration = emu.operations.duration;
  emu.operations.duration = 0;
  try {
    await expectOk(call(emu, token, 'PUT', `${rgPath}?api-version=2021-04-01`, { location: DEMO.location, tags: { purpose: 'networkcloud-emulator demo' } }), 'resource group');
    const cm = await expectOk(call(emu, token, 'PUT', `${nc}/clusterManagers/${DEMO.clusterManager}?api-version=${API}`, {
      location: DEMO.location,
      tags: { environment: 'demo' },
      properties: {
        fabricControllerId: `/subscriptions/${sub}/resourceGroups/${DEMO.resourceGroup}/providers/Microsoft.ManagedNetworkFabric/networkFabricControllers/demo-nfc`,
        managedResourceGroupConfiguration: { name: `${DEMO.clusterManager}-mrg`, location: DEMO.location },
      },
    }), 'cluster manager');
    const machines = Array.from({ length: DEMO.machines }, (_, i) => ({
      bmcCredentials: { username: 'root', password: randomBytes(12).toString('base64url') },
      bmcMacAddress: mac(0xbc, i + 1),
      bootMacAddress: mac(0xb0, i + 1),
      machineDetails: `Demo server ${i + 1}`,
      machineName: `r01c${String(i + 1).padStart(3, '0')}`,
      rackSlot: i + 1,
      serialNumber: `DEMO${String(1000 + i + 1)}`,
    }));
    const clusterBody = {
      location: DEMO.location,
      extendedLocation: cm.properties.managerExtendedLocation,
      tags: { environment: 'demo' },
      properties: {
        clusterType: 'SingleRack',
        clusterVersion: '3.14.2',
        networkFabricId: `/subscriptions/${sub}/resourceGroups/${DEMO.resourceGroup}/providers/Microsoft.ManagedNetworkFabric/networkFabrics/demo-fabric`,
        clusterLocation: 'Emulated site, rack row 1',
        managedResourceGroupConfiguration: { name: DEMO.managedResourceGroup, location: DEMO.location },
        aggregatorOrSingleRackDefinition: {
          networkRackId: `/subscriptions/${sub}/resourceGroups/${DEMO.resourceGroup}/providers/Microsoft.ManagedNetworkFabric/networkRacks/demo-rack`,
          rackSkuId: `/subscriptions/${sub}/providers/Microsoft.NetworkCloud/rackSkus/VLab_Single_DellR750_8C2M_x70r3_9`,
          rackSerialNumber: 'DEMORACK01',
          rackLocation: 'Row 1',
          availabilityZone: '1',
          bareMetalMachineConfigurationData: machines,
          storageApplianceConfigurationData: [
            { adminCredentials: { username: 'pureuser', password: randomBytes(12).toString('base64url') }, rackSlot: 20, serialNumber: 'DEMOSA0001', storageApplianceName: 'r01sa01' },
          ],
        },
      },
    };
    const cluster = await expectOk(call(emu, token, 'PUT', `${nc}/clusters/${DEMO.cluster}?api-version=${API}`, clusterBody), 'cluster');
    const deploy = await call(emu, token, 'POST', `${nc}/clusters/${DEMO.cluster}/deploy?api-version=${API}`, {});
    if (deploy.status !== 202) throw new Error(`demo seed: deploy failed with ${deploy.status}: ${JSON.stringify(deploy.body)}`);
    const mrg = `/subscriptions/${sub}/resourceGroups/${DEMO.managedResourceGroup}/providers/Microsoft.NetworkCloud`;
    const bmms = await expectOk(call(emu, token, 'GET', `${mrg}/bareMetalMachines?api-version=${API}`), 'list machines');
    const sas = await expectOk(call(emu, token, 'GET', `${mrg}/storageAppliances?api-version=${API}`), 'list appliances');
    const workloads = await seedWorkloads(emu, token, nc, cluster, cm, sas.value[0].id);
    emu.demo = {
      clusterId: cluster.id,
      clusterManagerId: cm.id,
      managedResourceGroup: DEMO.managedResourceGroup,
      bareMetalMachineIds: bmms.value.map((m: { id: string }) => m.id),
      storageApplianceIds: sas.value.map((s: { id: string }) => s.id),
      ...workloads,
    };
    await emu.saveMeta({ seeded: true, demo: emu.demo });
    return emu.demo;
  } finally {
    emu.operations.duration = previousDuration;
  }
}

type Workloads = Pick<DemoInfo, 'l3NetworkId' | 'trunkedNetworkId' | 'cloudServicesNetworkId' | 'volumeId' | 'kubernetesClusterId' | 'agentPoolId' | 'virtualMachineId' | 'consoleId'>;

/**
 * The tenant's resources on the deployed cluster's custom location, in dependency order: networks
 * and the volume first (in parallel), then the Kubernetes cluster and the virtual machine (in
 * parallel), then the agent pool and the console.
 */
async function seedWorkloads(emu: EmulatorHost, token: string, nc: string, cluster: any, cm: any, storageApplianceId: string): Promise<Workloads> {
  const sub = emu.subscriptionId;
  const fabric = `/subscriptions/${sub}/resourceGroups/${DEMO.resourceGroup}/providers/Microsoft.ManagedNetworkFabric`;
  const extendedLocation = cluster.properties.clusterExtendedLocation;
  const put = (path: string, body: unknown, what: string) => expectOk(call(emu, token, 'PUT', `${nc}/${path}?api-version=${API}`, body), what);
  const base = { location: DEMO.location, extendedLocation, tags: { environment: 'demo' } };
  const keyData = sshPublicKey('azureuser@nexus-demo');

  const [l3, trunked, csn, volume] = await Promise.all([
    put(`l3Networks/${DEMO.l3Network}`, {
      ...base,
      properties: {
        l3IsolationDomainId: `${fabric}/l3IsolationDomains/demo-l3isd`,
        vlan: 1001,
        ipAllocationType: 'DualStack',
        ipv4ConnectedPrefix: '198.51.100.0/24',
        ipv6ConnectedPrefix: '2001:db8:0:3::/64',
        interfaceName: 'l3demo',
        hybridAksIpamEnabled: 'True',
        hybridAksPluginType: 'SRIOV',
      },
    }, 'l3 network'),
    put(`trunkedNetworks/${DEMO.trunkedNetwork}`, {
      ...base,
      properties: {
        isolationDomainIds: [`${fabric}/l2IsolationDomains/demo-l2isd`, `${fabric}/l3IsolationDomains/demo-l3isd`],
        vlans: [1002, 1003],
        interfaceName: 'trunkdemo',
        hybridAksPluginType: 'SRIOV',
      },
    }, 'trunked network'),
    put(`cloudServicesNetworks/${DEMO.cloudServicesNetwork}`, {
      ...base,
      properties: {
        enableDefaultEgressEndpoints: 'True',
        additionalEgressEndpoints: [{ category: 'azure-resource-management', endpoints: [{ domainName: 'demo.blob.core.windows.net', port: 443 }] }],
      },
    }, 'cloud services network'),
    put(`volumes/${DEMO.volume}`, { ...base, properties: { sizeMiB: 102400, storageApplianceId } }, 'volume'),
  ]);

  const pool = {
    count: 2,
    mode: 'System',
    vmSkuName: 'NC_P10_56_v1',
    availabilityZones: ['1'],
    agentOptions: { hugepagesCount: 96, hugepagesSize: '1G' },
    attachedNetworkConfiguration: {
      l3Networks: [{ networkId: l3.id, pluginType: 'SRIOV', ipamEnabled: 'False' }],
      trunkedNetworks: [{ networkId: trunked.id, pluginType: 'MACVLAN' }],
    },
    labels: [{ key: 'nexus.demo/pool', value: 'system' }],
    upgradeSettings: { maxSurge: '1' },
  };
  const kubernetes = async () => {
    const k8s = await put(`kubernetesClusters/${DEMO.kubernetesCluster}`, {
      ...base,
      properties: {
        kubernetesVersion: KUBERNETES_VERSIONS[KUBERNETES_VERSIONS.length - 1].version,
        administratorConfiguration: { adminUsername: 'azureuser', sshPublicKeys: [{ keyData }] },
        controlPlaneNodeConfiguration: { count: 1, vmSkuName: 'NC_G6_28_v1', availabilityZones: ['1'] },
        initialAgentPoolConfigurations: [{ name: DEMO.agentPool, ...pool }],
        networkConfiguration: {
          cloudServicesNetworkId: csn.id,
          cniNetworkId: l3.id,
          dnsServiceIp: '10.96.0.10',
          podCidrs: ['10.244.0.0/16'],
          serviceCidrs: ['10.96.0.0/16'],
        },
      },
    }, 'kubernetes cluster');
    // the cluster's initial pool, as the platform made it; created here where the platform did not
    const poolPath = `kubernetesClusters/${DEMO.kubernetesCluster}/agentPools/${DEMO.agentPool}`;
    const existing = await call(emu, token, 'GET', `${nc}/${poolPath}?api-version=${API}`);
    const agentPool = existing.status === 200 ? existing.body : await put(poolPath, { ...base, properties: pool }, 'agent pool');
    return { k8s, agentPool };
  };
  const machine = async () => {
    const vm = await put(`virtualMachines/${DEMO.virtualMachine}`, {
      ...base,
      properties: {
        adminUsername: 'azureuser',
        bootMethod: 'UEFI',
        cpuCores: 4,
        memorySizeGB: 16,
        vmImage: 'demoacr.azurecr.io/ubuntu-server:22.04',
        vmDeviceModel: 'T2',
        virtioInterface: 'Modern',
        isolateEmulatorThread: 'True',
        sshPublicKeys: [{ keyData }],
        cloudServicesNetworkAttachment: { attachedNetworkId: csn.id, ipAllocationMethod: 'Dynamic' },
        networkAttachments: [
          { attachedNetworkId: l3.id, ipAllocationMethod: 'Dynamic', defaultGateway: 'True', networkAttachmentName: 'l3demo' },
          { attachedNetworkId: trunked.id, ipAllocationMethod: 'Disabled', defaultGateway: 'False', networkAttachmentName: 'trunkdemo' },
        ],
        storageProfile: { osDisk: { createOption: 'Ephemeral', deleteOption: 'Delete', diskSizeGB: 120 }, volumeAttachments: [volume.id] },
      },
    }, 'virtual machine');
    // a console is reached through the cluster manager's custom location, as on Nexus
    const vmConsole = await put(`virtualMachines/${DEMO.virtualMachine}/consoles/${DEMO.console}`, {
      location: DEMO.location,
      extendedLocation: cm.properties.managerExtendedLocation,
      tags: { environment: 'demo' },
      properties: {
        enabled: 'True',
        expiration: new Date(emu.clock.nowMs() + 30 * 24 * 3600_000).toISOString(),
        sshPublicKey: { keyData },
      },
    }, 'console');
    return { vm, vmConsole };
  };
  const [{ k8s, agentPool }, { vm, vmConsole }] = await Promise.all([kubernetes(), machine()]);
  return {
    l3NetworkId: l3.id,
    trunkedNetworkId: trunked.id,
    cloudServicesNetworkId: csn.id,
    volumeId: volume.id,
    kubernetesClusterId: k8s.id,
    agentPoolId: agentPool.id,
    virtualMachineId: vm.id,
    consoleId: vmConsole.id,
  };
}
