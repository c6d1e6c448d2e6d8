/**
 * The demo environment of `npm start`: a resource group, a cluster manager and a single-rack cluster
 * with six bare metal machines and one storage appliance, deployed. It is built through the public
 * HTTPS API as the demo principal, so it is exactly what a client building it would get.
 */
import { randomBytes } from 'node:crypto';
import https from 'node:https';
import type { Emulator, DemoInfo } from '../emulator.js';

export const DEMO = {
  resourceGroup: 'nexus-demo-rg',
  location: 'eastus',
  clusterManager: 'demo-cm',
  cluster: 'demo-cluster',
  managedResourceGroup: 'demo-cluster-mrg',
  machines: 6,
} as const;

const API = '2025-09-01';

interface Reply {
  status: number;
  body: any;
}

function call(emu: Emulator, token: string, method: string, path: string, body?: unknown): Promise<Reply> {
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

const mac = (prefix: number, n: number) => `02:00:${prefix.toString(16).padStart(2, '0')}:00:00:${n.toString(16).padStart(2, '0')}`;

export async function seedDemo(emu: Emulator): Promise<DemoInfo> {
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
    emu.demo = {
      clusterId: cluster.id,
      clusterManagerId: cm.id,
      managedResourceGroup: DEMO.managedResourceGroup,
      bareMetalMachineIds: bmms.value.map((m: { id: string }) => m.id),
      storageApplianceIds: sas.value.map((s: { id: string }) => s.id),
    };
    await emu.saveMeta({ seeded: true, demo: emu.demo });
    return emu.demo;
  } finally {
    emu.operations.duration = previousDuration;
  }
}
