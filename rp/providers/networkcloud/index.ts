/** The Microsoft.NetworkCloud resource types (and the identity type they depend on), ready to serve. */
import { API_VERSIONS, isApiVersion, LATEST_STABLE } from '../../api/versions.js';
import type { Emulator } from '../../emulator.js';
import type { TypeHandler } from '../context.js';
import { userAssignedIdentities } from '../managedidentity/user-assigned.js';
import type { TrackedOptions, TrackedResourceType } from '../tracked.js';
import { clusterManagers } from './cluster-managers.js';
import { clusters } from './clusters.js';
import { bareMetalMachines, storageAppliances } from './machines.js';

/** Regions the emulated provider reports; any region name is accepted on create. */
export const NETWORKCLOUD_LOCATIONS = ['eastus', 'eastus2', 'westus3', 'southcentralus', 'westeurope', 'northeurope', 'uksouth', 'japaneast'];

export function networkCloudHandlers(emu: Emulator): TypeHandler[] {
  const options: TrackedOptions = {
    apiVersions: API_VERSIONS,
    modelVersion: (v) => (isApiVersion(v) ? v : LATEST_STABLE),
    locations: NETWORKCLOUD_LOCATIONS,
  };
  const types: TrackedResourceType[] = [
    clusterManagers(emu, options),
    clusters(emu, options),
    bareMetalMachines(emu, options),
    storageAppliances(emu, options),
    userAssignedIdentities(emu),
  ];
  for (const t of types) t.registerFinishers(emu);
  return types;
}
