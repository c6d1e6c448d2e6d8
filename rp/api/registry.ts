/** Every resource type of Microsoft.NetworkCloud that the emulator serves, in one list. */
import { bareMetalMachineDef } from './networkcloud/bare-metal-machine.js';
import { clusterManagerDef } from './networkcloud/cluster-manager.js';
import { clusterDef } from './networkcloud/cluster.js';
import { storageApplianceDef } from './networkcloud/storage-appliance.js';
import type { ResourceTypeDef } from './schema.js';

export const NETWORKCLOUD_TYPES: ResourceTypeDef[] = [clusterManagerDef, clusterDef, bareMetalMachineDef, storageApplianceDef];

const byLowerType = new Map(NETWORKCLOUD_TYPES.map((d) => [d.type.toLowerCase(), d]));

export function networkCloudType(type: string): ResourceTypeDef | undefined {
  return byLowerType.get(type.toLowerCase());
}

export { bareMetalMachineDef, clusterDef, clusterManagerDef, storageApplianceDef };
