/** Microsoft.NetworkCloud/storageAppliances: a storage array of a deployed cluster. The platform owns its lifecycle. */
import { administrativeCredentials, caCertificate, extendedLocation, location, monitoringConfigurationStatus, NAME_PATTERN, secretRotationStatus, tags } from '../common.js';
import { arr, armId, enm, int, obj, ro, str, type ResourceTypeDef } from '../schema.js';

export const storageApplianceDef: ResourceTypeDef = {
  namespace: 'Microsoft.NetworkCloud',
  type: 'storageAppliances',
  operationGroup: 'StorageAppliances',
  definition: 'StorageAppliance',
  displayName: 'storage appliance',
  namePattern: NAME_PATTERN,
  nameParameter: 'storageApplianceName',
  systemManaged: true,
  fields: {
    extendedLocation: extendedLocation('the appliance belongs to (the cluster\'s custom location)'),
    location,
    tags,
    properties: obj('The properties of the storage appliance.', {
      administratorCredentials: administrativeCredentials({ required: true }),
      caCertificate: caCertificate('storage appliance'),
      capacity: ro(int('Total capacity, in GiB.')),
      capacityUsed: ro(int('Capacity in use, in GiB.')),
      clusterId: ro(armId('Resource id of the cluster the appliance belongs to.')),
      detailedStatus: ro(enm(['Available', 'Degraded', 'Error', 'Provisioning'], 'Where the appliance stands in its lifecycle.', { enumSince: { Degraded: '2024-10-01-preview' } })),
      detailedStatusMessage: ro(str('Detail about detailedStatus.')),
      expansionShelves: ro(arr('Expansion shelves attached to the appliance.', obj('An expansion shelf.', {
        model: str('Model of the shelf.'),
        version: str('Firmware version of the shelf.'),
      }, { definition: 'ExpansionShelf' }), { since: '2026-07-01' })),
      managementIpv4Address: ro(str('IPv4 address of the appliance\'s management interface.')),
      manufacturer: ro(str('Manufacturer of the appliance.', { since: '2024-07-01' })),
      model: ro(str('Model of the appliance.', { since: '2024-07-01' })),
      monitoringConfigurationStatus,
      provisioningState: ro(enm(['Succeeded', 'Failed', 'Canceled', 'Provisioning', 'Accepted'], 'The state of the last operation on the appliance.')),
      rackId: armId('Resource id of the rack the appliance sits in.', { required: true }),
      rackSlot: int('Slot of the rack the appliance sits in.', { required: true, minimum: 1, maximum: 256 }),
      remoteVendorManagementFeature: ro(enm(['Supported', 'Unsupported'], 'Whether the appliance supports remote vendor management.')),
      remoteVendorManagementStatus: ro(enm(['Enabled', 'Disabled', 'Unsupported'], 'Whether remote vendor management is on.')),
      secretRotationStatus,
      serialNumber: str('Serial number of the appliance.', { required: true }),
      storageApplianceSkuId: str('The hardware SKU of the appliance.', { required: true }),
      version: ro(str('Software version of the appliance.', { since: '2024-07-01' })),
    }, { required: true, definition: 'StorageApplianceProperties' }),
  },
  patchable: ['tags', 'properties.serialNumber'],
  actions: [
    { name: 'enableRemoteVendorManagement', operation: 'EnableRemoteVendorManagement', description: 'Let the vendor manage the appliance remotely.',
      body: obj('Remote management options.', { supportEndpoints: arr('Support endpoints to allow, as IP addresses or CIDR ranges.', str('An address or range.')) }, { definition: 'StorageApplianceEnableRemoteVendorManagementParameters' }) },
    { name: 'disableRemoteVendorManagement', operation: 'DisableRemoteVendorManagement', description: 'Stop remote management by the vendor.' },
    { name: 'runReadCommands', operation: 'RunReadCommands', description: 'Run read-only commands on the appliance.', since: '2025-07-01-preview', bodyRequired: true,
      body: obj('The read-only commands to run.', {
        commands: arr('The commands to run.', obj('A command and its arguments.', {
          arguments: arr('Arguments of the command.', str('An argument.')),
          command: str('The command.', { required: true }),
        }, { definition: 'StorageApplianceCommandSpecification' }), { required: true, minItems: 1 }),
        limitTimeSeconds: int('Longest time the commands may run, in seconds.', { required: true, minimum: 60, maximum: 14400 }),
      }, { definition: 'StorageApplianceRunReadCommandsParameters' }) },
  ],
};
