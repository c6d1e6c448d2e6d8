/** The Microsoft.NetworkCloud resource types (and the identity type they depend on), ready to serve. */
import { PLATFORM_OWNED, SERVED_TYPES } from '../../api/behaviour.js';
import { NETWORKCLOUD_TYPES, networkCloudType } from '../../api/registry.js';
import type { Emulator } from '../../emulator.js';
import type { TypeHandler } from '../context.js';
import { userAssignedIdentities } from '../managedidentity/user-assigned.js';
import type { TrackedOptions, TrackedResourceType } from '../tracked.js';
import { clusterManagers } from './cluster-managers.js';
import { kubernetesVersionCatalogue, rackSkuCatalogue } from './catalogues.js';
import { clusters } from './clusters.js';
import { genericType } from './generic.js';
import { bareMetalMachines, storageAppliances } from './machines.js';
import { consoles } from './consoles.js';
import { keySets } from './keysets.js';
import { metricsConfigurations } from './metrics-configurations.js';
import { virtualMachines } from './virtual-machines.js';
import { volumes } from './volumes.js';

/** Regions the emulated provider reports; any region name is accepted on create. */
export const NETWORKCLOUD_LOCATIONS = ['eastus', 'eastus2', 'westus3', 'southcentralus', 'westeurope', 'northeurope', 'uksouth', 'japaneast'];

export function networkCloudHandlers(emu: Emulator): TypeHandler[] {
  const options: TrackedOptions = { locations: NETWORKCLOUD_LOCATIONS };
  const types: TrackedResourceType[] = [
    clusterManagers(emu, options),
    clusters(emu, options),
    bareMetalMachines(emu, options),
    storageAppliances(emu, options),
    virtualMachines(emu, networkCloudType('virtualMachines')!, options),
    consoles(emu, networkCloudType('virtualMachines/consoles')!, options),
    keySets(emu, networkCloudType('clusters/bareMetalMachineKeySets')!, options),
    keySets(emu, networkCloudType('clusters/bmcKeySets')!, options),
    volumes(emu, networkCloudType('volumes')!, options),
    metricsConfigurations(emu, networkCloudType('clusters/metricsConfigurations')!, options),
  ];
  const handwritten = new Set(types.map((t) => t.def.type));
  // Every other type of the model gets the generic behaviour; the platform owns some lifecycles.
  for (const t of NETWORKCLOUD_TYPES) {
    if (handwritten.has(t.type) || !SERVED_TYPES.has(t.type)) continue;
    const catalogue = t.type === 'rackSkus' ? rackSkuCatalogue : t.type === 'kubernetesVersions' ? kubernetesVersionCatalogue : undefined;
    types.push(genericType(emu, t, { ...options, platformOwned: PLATFORM_OWNED.has(t.type) || !!catalogue, ...(catalogue ? { catalogue } : {}) }));
  }
  types.push(userAssignedIdentities(emu));
  for (const t of types) t.registerFinishers(emu);
  return types;
}
