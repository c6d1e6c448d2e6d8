/**
 * Deploying a cluster: walk its rack definitions, create the managed resource group and in it one
 * bare metal machine per machine definition and one storage appliance per appliance definition,
 * give the cluster its own PKI, and mark it Running.
 */
import { createHash } from 'node:crypto';
import { isObject, type Json, type JsonObject } from '../../api/derive.js';
import { ArmError } from '../../arm/errors.js';
import { newEtag } from '../../arm/etag.js';
import type { OperationRecord } from '../../arm/operations.js';
import { idKey, parseResourceId, resourceId } from '../../arm/resource-id.js';
import type { StoreOp } from '../../store/store.js';
import type { EmulatorHost } from '../../host.js';
import type { ClusterPkiRecord } from '../../pki/cluster-pki.js';
import { beginSiteDeployment, CLUSTER_PKI, CLUSTER_PKI_KEYS, removeSite } from '../../pki/site.js';
import { RESOURCES, type StoredResource } from '../resource-store.js';
import { recordAction } from './action-states.js';
import { machineSkuCode } from './catalogues.js';
import { deleteManagedGroup } from './managed-group.js';
import { rackIdOf, racksOf, type RackPlan } from './racks.js';

export { CLUSTER_PKI, CLUSTER_PKI_KEYS };

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** A stable pseudo-random number from a string, for plausible hardware facts (capacity, addresses). */
function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function machineRoles(rack: RackPlan, slot: number): string[] {
  if (rack.index === 1 && slot <= 2) return ['platform.afo-nc.microsoft.com/management-plane=true'];
  if (rack.index === 1 && slot <= 5) return ['platform.afo-nc.microsoft.com/control-plane=true'];
  return ['platform.afo-nc.microsoft.com/compute-plane=true'];
}

/** The ARM envelope of a resource the platform itself creates in a cluster's managed resource group. */
function platformResource(type: string, id: string, name: string, location: Json | undefined, extendedLocation: Json, systemData: JsonObject, properties: JsonObject): JsonObject {
  return { id, name, type, location: location ?? null, extendedLocation, systemData, etag: newEtag(), tags: {}, properties };
}

/** PEM without a trailing newline, as the service shows caCertificate.value. */
export function servicePem(pem: string): string {
  return pem.replace(/\r\n/g, '\n').replace(/\n+$/, '');
}

export async function deployCluster(emu: EmulatorHost, cluster: StoredResource, body: JsonObject, op: OperationRecord): Promise<string> {
  const hub = structuredClone(cluster.resource);
  const props = hub.properties as JsonObject;
  const id = parseResourceId(cluster.id)!;
  const now = emu.clock.iso();
  const mrgConfig = props.managedResourceGroupConfiguration as JsonObject;
  const mrgName = String(mrgConfig.name);
  const mrgLocation = String(mrgConfig.location ?? hub.location).toLowerCase().replace(/\s+/g, '');
  const existingGroup = emu.findResourceGroup(id.subscriptionId, mrgName);
  if (existingGroup && existingGroup.managedBy && existingGroup.managedBy.toLowerCase() !== cluster.id.toLowerCase()) {
    throw new ArmError(409, 'ManagedResourceGroupInUse', `The managed resource group '${mrgName}' already belongs to '${existingGroup.managedBy}'.`);
  }
  // Ids are computed up front; the group itself is written only once the whole plan is valid.
  const group = { subscriptionId: id.subscriptionId, name: existingGroup?.name ?? mrgName };

  // The cluster's site (rp/pki/site.ts): its CA hierarchy now, its endpoint leaves and listeners in provision().
  const site = await beginSiteDeployment(emu, cluster);
  const caCertificate = site.caCertificate;

  const skip = new Set((Array.isArray(body.skipValidationsForMachines) ? body.skipValidationsForMachines : []).map((m) => String(m).toLowerCase()));
  const ops: StoreOp[] = [];
  const names = new Set<string>();
  const systemData = { createdBy: 'Microsoft.NetworkCloud', createdByType: 'Application', createdAt: now, lastModifiedBy: 'Microsoft.NetworkCloud', lastModifiedByType: 'Application', lastModifiedAt: now };
  const extendedLocation = props.clusterExtendedLocation as Json;
  let cores = 0;
  let memory = 0;
  let applianceGB = 0;
  const machineIds: string[] = [];
  const applianceIds: string[] = [];

  for (const rack of racksOf(props, id.name)) {
    const rackId = rackIdOf(cluster.id, group.name, rack);
    // The rack itself exists from the cluster's creation (./racks.ts); one is made here only if it is missing.
    const rackResource = platformResource('Microsoft.NetworkCloud/racks', rackId, rack.name, hub.location, extendedLocation, systemData, {
      availabilityZone: (rack.definition.availabilityZone as Json) ?? '1',
      clusterId: cluster.id,
      detailedStatus: 'Available',
      detailedStatusMessage: 'The rack is available.',
      provisioningState: 'Succeeded',
      rackLocation: (rack.definition.rackLocation as Json) ?? '',
      rackSerialNumber: rack.definition.rackSerialNumber as Json,
      rackSkuId: rack.definition.rackSkuId as Json,
    });
    if (!emu.store.get<StoredResource>(RESOURCES, idKey(rackId))) {
      ops.push({ op: 'put', collection: RESOURCES, key: idKey(rackId), value: { id: rackId, type: 'Microsoft.NetworkCloud/racks', seq: emu.nextSeq(), resource: rackResource } satisfies StoredResource });
    }
    const machines = Array.isArray(rack.definition.bareMetalMachineConfigurationData) ? (rack.definition.bareMetalMachineConfigurationData as JsonObject[]) : [];
    for (const m of machines) {
      const slot = Number(m.rackSlot);
      const name = String(m.machineName ?? `r${pad(rack.index, 2)}c${pad(slot, 3)}`);
      if (names.has(name.toLowerCase())) throw new ArmError(400, 'DuplicateMachineName', `Two machine definitions produce the bare metal machine name '${name}'.`);
      names.add(name.toLowerCase());
      const d = digest(`${cluster.id}/${name}`);
      const bmmId = resourceId(group.subscriptionId, group.name, 'Microsoft.NetworkCloud', 'bareMetalMachines', name);
      const bmm = platformResource('Microsoft.NetworkCloud/bareMetalMachines', bmmId, name, hub.location, extendedLocation, systemData, {
          actionStates: [],
          associatedResourceIds: [],
          bmcConnectionString: '', // redfish+https://127.0.0.1:<port>/…, set by site.provision() once the BMC listens
          bmcCredentials: m.bmcCredentials as Json,
          bmcIpv4Address: '127.0.0.1',
          bmcMacAddress: m.bmcMacAddress as Json,
          bootMacAddress: m.bootMacAddress as Json,
          caCertificate,
          clusterId: cluster.id,
          cordonStatus: 'Uncordoned',
          detailedStatus: 'Provisioned',
          detailedStatusMessage: skip.has(name.toLowerCase()) ? 'The bare metal machine is provisioned; its hardware validation was skipped on request.' : 'The bare metal machine is provisioned and ready.',
          hardwareInventory: {
            additionalHostInformation: 'Emulated host',
            interfaces: [{ name: 'eno1', macAddress: String(m.bootMacAddress), linkStatus: 'Up', networkInterfaceId: `/subscriptions/${group.subscriptionId}/resourceGroups/${group.name}/providers/Microsoft.ManagedNetworkFabric/networkDevices/${rack.name}-tor1/networkInterfaces/${name}-eno1` }],
            nics: [],
          },
          hardwareValidationStatus: { lastValidationTime: now, result: 'Pass' },
          hybridAksClustersAssociatedIds: [],
          kubernetesNodeName: name.toLowerCase(),
          kubernetesVersion: '1.30.4',
          machineClusterVersion: props.clusterVersion as Json,
          machineDetails: (m.machineDetails as Json) ?? '',
          machineName: name,
          machineRoles: machineRoles(rack, slot),
          machineSkuId: machineSkuCode(String(rack.definition.rackSkuId), machineRoles(rack, slot)[0].includes('management-plane') ? 'controller' : 'compute'),
          monitoringConfigurationStatus: { logLevel: 'Default', metricsLevel: 'Default' },
          oamIpv4Address: `10.${rack.index}.${d[0]}.${(slot % 250) + 2}`,
          oamIpv6Address: `fd00:${rack.index}::${slot.toString(16)}`,
          osImage: 'nexus-os-3.14.2',
          powerState: 'On',
          provisioningState: 'Succeeded',
          rackId,
          rackSlot: slot,
          readyState: 'True',
          runtimeProtectionStatus: { definitionsLastUpdated: now, definitionsVersion: '1.0.0' },
          secretRotationStatus: [],
          serialNumber: m.serialNumber as Json,
          serviceTag: `ST${String(m.serialNumber).slice(-7).toUpperCase()}`,
          virtualMachinesAssociatedIds: [],
      });
      cores += 64;
      memory += 512;
      machineIds.push(bmmId);
      site.addBareMetalMachine(name, bmmId, bmm.properties as JsonObject);
      ops.push({ op: 'put', collection: RESOURCES, key: idKey(bmmId), value: { id: bmmId, type: 'Microsoft.NetworkCloud/bareMetalMachines', seq: emu.nextSeq(), resource: bmm } satisfies StoredResource });
    }
    const appliances = Array.isArray(rack.definition.storageApplianceConfigurationData) ? (rack.definition.storageApplianceConfigurationData as JsonObject[]) : [];
    for (const a of appliances) {
      const slot = Number(a.rackSlot);
      const name = String(a.storageApplianceName ?? `r${pad(rack.index, 2)}s${pad(slot, 3)}`);
      if (names.has(name.toLowerCase())) throw new ArmError(400, 'DuplicateApplianceName', `Two definitions produce the storage appliance name '${name}'.`);
      names.add(name.toLowerCase());
      const saId = resourceId(group.subscriptionId, group.name, 'Microsoft.NetworkCloud', 'storageAppliances', name);
      const d = digest(`${cluster.id}/${name}`);
      const capacity = 100_000 + d.readUInt16BE(0);
      applianceGB += capacity;
      const sa = platformResource('Microsoft.NetworkCloud/storageAppliances', saId, name, hub.location, extendedLocation, systemData, {
          administratorCredentials: a.adminCredentials as Json,
          caCertificate,
          capacity,
          capacityUsed: Math.floor(capacity / 10),
          clusterId: cluster.id,
          detailedStatus: 'Available',
          detailedStatusMessage: 'The storage appliance is up and running.',
          expansionShelves: [],
          managementIpv4Address: '127.0.0.1',
          manufacturer: 'Contoso Storage',
          model: 'ArrayStore-Flash70',
          monitoringConfigurationStatus: { logLevel: 'Default', metricsLevel: 'Default' },
          provisioningState: 'Succeeded',
          rackId,
          rackSlot: slot,
          remoteVendorManagementFeature: 'Supported',
          remoteVendorManagementStatus: 'Disabled',
          secretRotationStatus: [],
          serialNumber: a.serialNumber as Json,
          storageApplianceSkuId: machineSkuCode(String(rack.definition.rackSkuId), 'storage'),
          version: '6.5.2',
      });
      applianceIds.push(saId);
      site.addStorageAppliance(name, saId, sa.properties as JsonObject);
      ops.push({ op: 'put', collection: RESOURCES, key: idKey(saId), value: { id: saId, type: 'Microsoft.NetworkCloud/storageAppliances', seq: emu.nextSeq(), resource: sa } satisfies StoredResource });
    }
  }

  props.detailedStatus = 'Running';
  props.detailedStatusMessage = 'The cluster is deployed and running.';
  props.clusterConnectionStatus = 'Connected';
  props.clusterManagerConnectionStatus = 'Connected';
  props.clusterCapacity = {
    totalCoreCount: cores, availableCoreCount: cores, totalMemoryGB: memory, availableMemoryGB: memory,
    totalHostStorageGB: machineIds.length * 1_800, availableHostStorageGB: machineIds.length * 1_800,
    totalApplianceStorageGB: applianceGB, availableApplianceStorageGB: applianceGB,
  };
  recordAction(props, 'Microsoft.NetworkCloud/clusters', op, now, `Deployed ${machineIds.length} bare metal machine(s) and ${applianceIds.length} storage appliance(s).`);
  hub.etag = newEtag();
  ops.push(
    { op: 'put', collection: RESOURCES, key: idKey(cluster.id), value: { ...cluster, resource: hub } },
    ...(await site.provision()),
  );
  // Cluster, machines, appliances, PKI and managed group are one commit (the operation's transaction,
  // which also records the operation's end); if it is not made, the site's listeners stop again.
  emu.store.onAbort(() => site.abort());
  try {
    await emu.store.transaction(async () => {
      await emu.putResourceGroup(id.subscriptionId, group.name, mrgLocation, undefined, cluster.id);
      await emu.store.batch(ops);
    });
  } catch (e) {
    await site.abort();
    throw e;
  }
  return `Deployed ${machineIds.length} bare metal machine(s) and ${applianceIds.length} storage appliance(s) into ${group.name}.`;
}

export function clusterPkiOf(emu: EmulatorHost, clusterId: string): ClusterPkiRecord | undefined {
  return emu.store.get<ClusterPkiRecord>(CLUSTER_PKI, idKey(clusterId));
}

/** Removes what a deployed cluster owns: its machines, appliances, PKI and managed resource group. */
export async function removeClusterSite(emu: EmulatorHost, cluster: StoredResource): Promise<void> {
  await removeSite(emu, cluster.id);
  const ops: StoreOp[] = [];
  const clusterKey = cluster.id.toLowerCase();
  for (const [key, r] of emu.store.entries<StoredResource>(RESOURCES)) {
    const props = r.resource.properties;
    if (isObject(props) && typeof props.clusterId === 'string' && props.clusterId.toLowerCase() === clusterKey) ops.push({ op: 'delete', collection: RESOURCES, key });
  }
  ops.push({ op: 'delete', collection: CLUSTER_PKI, key: idKey(cluster.id) }, { op: 'delete', collection: CLUSTER_PKI_KEYS, key: idKey(cluster.id) });
  await emu.store.batch(ops);
  await deleteManagedGroup(emu, cluster);
}
