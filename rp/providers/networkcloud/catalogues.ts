/**
 * The provider's read-only catalogues: rack SKUs (per subscription) and the Kubernetes versions a
 * resource group's clusters may run (the 'default' kubernetesVersions resource, from
 * 2026-01-01-preview). Computed on read, never stored: customers cannot change them.
 */
import { createHash } from 'node:crypto';
import type { JsonObject } from '../../api/derive.js';
import type { EmulatorHost } from '../../host.js';
import { RESOURCE_GROUPS, type StoredResource, type StoredResourceGroup } from '../resource-store.js';

const NS = 'Microsoft.NetworkCloud';
const SYSTEM = { createdBy: 'Microsoft.NetworkCloud', createdByType: 'Application', createdAt: '2025-01-01T00:00:00.000Z', lastModifiedBy: 'Microsoft.NetworkCloud', lastModifiedByType: 'Application', lastModifiedAt: '2025-01-01T00:00:00.000Z' };

/** Catalogues never change, so their etag never does. */
const CATALOGUE_ETAG = '"00000000-0000-0000-0000-00000000c0de"';

const machine = (cores: number, memoryGB: number, model: string) => ({
  bootstrapProtocol: 'PXE', cpuCores: cores, cpuSockets: 2, totalThreads: cores * 2, memoryCapacityGB: memoryGB, model, vendor: 'Dell', generation: '15', hardwareVersion: '1.0',
  disks: [{ capacityGB: 893, connection: 'SATA', type: 'SSD' }, { capacityGB: 893, connection: 'SATA', type: 'SSD' }],
  networkInterfaces: [{ address: '0000:98:00.0', deviceConnectionType: 'PCI', model: 'E810', physicalSlot: 1, portCount: 2, portSpeed: 100, vendor: 'Intel' }],
});

interface RackSkuSpec { name: string; rackType: 'Aggregator' | 'Compute' | 'Single'; computeSlots: number; storage: boolean; description: string }

/** The rack SKUs the emulator knows: those its demo and examples use, and a compute rack to pair with them. */
export const RACK_SKUS: RackSkuSpec[] = [
  { name: 'VLab_Single_DellR750_8C2M_x70r3_9', rackType: 'Single', computeSlots: 8, storage: true, description: 'Single rack: 8 compute and 2 management servers, one storage appliance.' },
  { name: 'VNearEdge1_Aggregator_x70r3_9', rackType: 'Aggregator', computeSlots: 8, storage: true, description: 'Aggregator rack of a multi-rack cluster: 8 compute and 2 management servers, one storage appliance.' },
  { name: 'VNearEdge1_Compute_DellR750_16C2M_x70r3_9', rackType: 'Compute', computeSlots: 16, storage: false, description: 'Compute rack: 16 compute and 2 management servers.' },
  { name: 'sku1', rackType: 'Single', computeSlots: 8, storage: true, description: 'A small single-rack SKU for tests and quick starts.' },
];

/**
 * The SKU code of a rack SKU's compute or controller machines, or of its storage appliance: what a
 * machine's machineSkuId and an appliance's storageApplianceSkuId hold. The service spells these as
 * opaque codes of three groups of four hex digits ("684E-3B16-399E" in its examples), not ARM ids:
 * the emulator derives one per rack SKU and kind, so a machine's code always matches its rack's SKU.
 */
export function machineSkuCode(rackSkuIdOrName: string, kind: 'compute' | 'controller' | 'storage'): string {
  const name = rackSkuIdOrName.split('/').pop()!.toLowerCase();
  const hex = createHash('sha256').update(`${name}/${kind}`).digest('hex').slice(0, 12).toUpperCase();
  return `${hex.slice(0, 4)}-${hex.slice(4, 8)}-${hex.slice(8, 12)}`;
}

export function rackSkuCatalogue(_emu: EmulatorHost, subscriptionId: string): StoredResource[] {
  return RACK_SKUS.map((sku, i) => {
    const id = `/subscriptions/${subscriptionId}/providers/${NS}/rackSkus/${sku.name}`;
    const resource: JsonObject = {
      id, name: sku.name, type: `${NS}/rackSkus`, systemData: SYSTEM, etag: CATALOGUE_ETAG,
      properties: {
        provisioningState: 'Succeeded', rackType: sku.rackType, description: sku.description, maxClusterSlots: sku.rackType === 'Compute' ? 8 : 1, deploymentType: 'Nexus',
        computeMachines: Array.from({ length: sku.computeSlots }, (_x, n) => ({ rackSlot: n + 1, properties: machine(48, 512, 'PowerEdge R750') })),
        controllerMachines: [1, 2].map((n) => ({ rackSlot: sku.computeSlots + n, properties: machine(32, 256, 'PowerEdge R650') })),
        storageAppliances: sku.storage ? [{ rackSlot: 20, properties: { capacityGB: 100000, model: 'FlashArray X70R3' } }] : [],
        supportedRackSkuIds: RACK_SKUS.filter((o) => o.name !== sku.name).map((o) => `/subscriptions/${subscriptionId}/providers/${NS}/rackSkus/${o.name}`),
      },
    };
    return { id, type: `${NS}/rackSkus`, seq: i, resource };
  });
}

/** The Kubernetes versions a Nexus Kubernetes cluster may run. */
export const KUBERNETES_VERSIONS = [
  { version: '1.30.12', description: 'Kubernetes 1.30, patch 12.' },
  { version: '1.31.8', description: 'Kubernetes 1.31, patch 8.' },
  { version: '1.32.4', description: 'Kubernetes 1.32, patch 4.' },
];

export function kubernetesVersionCatalogue(emu: EmulatorHost, subscriptionId: string, group?: string): StoredResource[] {
  const prefix = `/subscriptions/${subscriptionId}/`.toLowerCase();
  const groups = group ? [emu.findResourceGroup(subscriptionId, group)] : emu.store.entries<StoredResourceGroup>(RESOURCE_GROUPS).filter(([k]) => k.startsWith(prefix)).map(([, g]) => g).sort((a, b) => a.seq - b.seq);
  return groups.filter((g) => g !== undefined).map((g, i) => {
    const id = `/subscriptions/${g!.subscriptionId}/resourceGroups/${g!.name}/providers/${NS}/kubernetesVersions/default`;
    const resource: JsonObject = {
      id, name: 'default', type: `${NS}/kubernetesVersions`, location: g!.location, systemData: SYSTEM, etag: CATALOGUE_ETAG,
      extendedLocation: { name: `/subscriptions/${g!.subscriptionId}/resourceGroups/${g!.name}/providers/Microsoft.ExtendedLocation/customLocations/default`, type: 'CustomLocation' },
      properties: { provisioningState: 'Succeeded', values: KUBERNETES_VERSIONS.map((k) => ({ ...k })) },
    };
    return { id, type: `${NS}/kubernetesVersions`, seq: i, resource };
  });
}
