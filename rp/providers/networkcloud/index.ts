/** The Microsoft.NetworkCloud resource types (and the identity type they depend on), ready to serve. */
import { PLATFORM_OWNED, SERVED_TYPES } from '../../api/behaviour.js';
import { NETWORKCLOUD_TYPES, networkCloudType } from '../../api/registry.js';
import type { EmulatorHost } from '../../host.js';
import type { TypeHandler } from '../context.js';
import { userAssignedIdentities } from '../managedidentity/user-assigned.js';
import type { TrackedOptions, TrackedResourceType } from '../tracked.js';
import { clusterManagers } from './cluster-managers.js';
import { kubernetesVersionCatalogue, rackSkuCatalogue } from './catalogues.js';
import { clusters } from './clusters.js';
import { genericType } from './generic.js';
import { COMMAND_OUTPUTS } from './command-output.js';
import { referencePolicy } from './references.js';
import { typeOfId } from '../../api/references.js';
import { bareMetalMachines, storageAppliances } from './machines.js';
import { kubernetesTypes } from './kubernetes/index.js';
import { PROGRESS } from './progress.js';
import { consoles } from './consoles.js';
import { keySets } from './keysets.js';
import { metricsConfigurations } from './metrics-configurations.js';
import { virtualMachines } from './virtual-machines.js';
import { volumes } from './volumes.js';

/** Store collections of the NetworkCloud behaviour that an emulator reset empties. */
export const NETWORKCLOUD_COLLECTIONS = [COMMAND_OUTPUTS, PROGRESS];

/** Regions the emulated provider reports; any region name is accepted on create. */
export const NETWORKCLOUD_LOCATIONS = ['eastus', 'eastus2', 'westus3', 'southcentralus', 'westeurope', 'northeurope', 'uksouth', 'japaneast'];

export function networkCloudHandlers(emu: EmulatorHost): TypeHandler[] {
  const byType = new Map<string, TrackedResourceType>();
  const resolve = (id: string) => byType.get(typeOfId(id)?.toLowerCase() ?? '')?.find(emu, id);
  const options: TrackedOptions = { locations: NETWORKCLOUD_LOCATIONS, references: referencePolicy(emu, resolve) };
  const types: TrackedResourceType[] = [
    clusterManagers(emu, options),
    clusters(emu, options),
    bareMetalMachines(emu, options),
    storageAppliances(emu, options),
    ...kubernetesTypes(emu, options),
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
  for (const t of types) byType.set(t.fullType.toLowerCase(), t);
  types.push(userAssignedIdentities(emu));
  for (const t of types) t.registerFinishers(emu);
  return types;
}
