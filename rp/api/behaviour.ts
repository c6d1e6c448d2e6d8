/**
 * Facts about behaviour that the upstream trees do not carry, shared by the handlers and specs/.
 */

/** Types whose create and delete belong to the platform: customers' PUT and DELETE get 400 OperationNotAllowed. */
export const PLATFORM_OWNED: ReadonlySet<string> = new Set(['bareMetalMachines', 'storageAppliances', 'racks', 'kubernetesVersions']);

/** The types the emulator serves (and specs/ documents). */
export const SERVED_TYPES: ReadonlySet<string> = new Set([
  'accessBridges', 'bareMetalMachines', 'cloudServicesNetworks', 'clusterManagers', 'clusters', 'clusters/bareMetalMachineKeySets',
  'clusters/bmcKeySets', 'clusters/metricsConfigurations', 'kubernetesClusters', 'kubernetesClusters/agentPools',
  'kubernetesClusters/features', 'kubernetesVersions', 'l2Networks', 'l3Networks', 'rackSkus', 'racks', 'storageAppliances',
  'trunkedNetworks', 'virtualMachines', 'virtualMachines/consoles', 'volumes',
]);
