/** Microsoft.NetworkCloud/clusterManagers: the Azure-side manager of one or more clusters. */
import { location, managedIdentity, managedResourceGroupConfiguration, NAME_PATTERN, tags } from '../common.js';
import { arr, armId, enm, obj, ro, str, type ResourceTypeDef } from '../schema.js';

export const clusterManagerDef: ResourceTypeDef = {
  namespace: 'Microsoft.NetworkCloud',
  type: 'clusterManagers',
  operationGroup: 'ClusterManagers',
  definition: 'ClusterManager',
  displayName: 'cluster manager',
  namePattern: NAME_PATTERN,
  nameParameter: 'clusterManagerName',
  syncPatch: true,
  fields: {
    identity: managedIdentity,
    kind: enm(['AzureLocal', 'Nexus'], 'The platform the managed clusters run on.', { since: '2026-07-01', createOnly: true }),
    location,
    tags,
    properties: obj('The properties of the cluster manager.', {
      analyticsWorkspaceId: armId('Resource id of the Log Analytics workspace that receives the manager\'s logs.'),
      availabilityZones: arr('The availability zones the manager may be placed in.', str('A zone.')),
      clusterVersions: ro(arr('Cluster versions this manager can deploy.', obj('A cluster version and its support window.', {
        supportExpiryDate: str('When support for the version ends.'),
        targetClusterVersion: str('The version.'),
      }, { definition: 'ClusterAvailableVersion' }))),
      detailedStatus: ro(enm(['Error', 'Available', 'Provisioning', 'ProvisioningFailed', 'Updating', 'UpdateFailed'], 'Where the manager stands in its lifecycle.')),
      detailedStatusMessage: ro(str('Detail about detailedStatus.')),
      fabricControllerId: armId('Resource id of the network fabric controller paired with this manager.', { required: true, createOnly: true }),
      managedResourceGroupConfiguration,
      managerExtendedLocation: ro(obj('The custom location of the manager, which clusters use as their extended location.', {
        name: str('The resource id of the extended location.', { required: true }),
        type: str('The kind of extended location.', { required: true }),
      }, { definition: 'ExtendedLocation' })),
      provisioningState: ro(enm(['Succeeded', 'Failed', 'Canceled', 'Provisioning', 'Accepted', 'Updating'], 'The state of the last operation on the manager.')),
      relayConfiguration: ro(obj('The relay the manager uses to reach its clusters.', {
        relayNamespaceId: armId('Resource id of the relay namespace.'),
      }, { since: '2026-07-01', definition: 'RelayConfiguration' })),
      vmSize: str('Size of the virtual machines that host the manager.', { createOnly: true }),
    }, { required: true, definition: 'ClusterManagerProperties' }),
  },
  patchable: ['tags', 'identity'],
  actions: [],
};
