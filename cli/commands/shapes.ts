/**
 * Shapes of the complex (shorthand-syntax) arguments of `networkcloud cluster|clustermanager`.
 * CLI keys are the kebab-case of the API's camelCase names (az's rule), except where az
 * flattens a nested object: `identity-type` / `identity-resource-id` stand for
 * associatedIdentity.{identityType,userAssignedIdentityResourceId}.
 */
import { bool, field, int, list, map, object, str, type Field, type Shape } from '../shorthand.js';

const IDENTITY_TYPES = ['SystemAssignedIdentity', 'UserAssignedIdentity'] as const;
const TRUE_FALSE = ['False', 'True'] as const;

/** identity-type + identity-resource-id, the flattened associatedIdentity of several settings. */
const associatedIdentity: Field[] = [
  field('associatedIdentity.identityType', str(IDENTITY_TYPES), { key: 'identity-type', help: 'The type of managed identity that is being selected.' }),
  field('associatedIdentity.userAssignedIdentityResourceId', str(), { key: 'identity-resource-id', help: 'The user assigned managed identity resource ID to use. Mutually exclusive with a system assigned identity type.' }),
];

export const secretArchive: Shape = object(
  field('keyVaultId', str(), { required: true, help: 'The resource ID of the key vault to archive the secrets of the cluster.' }),
  field('useKeyVault', str(TRUE_FALSE), { help: 'The indicator if the specified key vault should be used to archive the secrets of the cluster. Default: False.' }),
);

export const secretArchiveSettings: Shape = object(
  ...associatedIdentity,
  field('vaultUri', str(), { help: 'The URI for the key vault used as the secret archive.' }),
);

export const analyticsOutputSettings: Shape = object(
  field('analyticsWorkspaceId', str(), { help: 'The resource ID of the analytics workspace that is to be used by the specified identity.' }),
  ...associatedIdentity,
);

export const commandOutputSettings: Shape = object(
  field('containerUrl', str(), { help: 'The URL of the storage account container that is to be used by the specified identities.' }),
  ...associatedIdentity,
  field(
    'overrides',
    list(
      object(
        field('commandOutputType', str(['BareMetalMachineRunCommand', 'BareMetalMachineRunDataExtracts', 'BareMetalMachineRunDataExtractsRestricted', 'BareMetalMachineRunReadCommands', 'StorageRunReadCommands'])),
        field('containerUrl'),
        ...associatedIdentity,
      ),
    ),
    { help: 'The list of optional overrides allowing for association of storage containers and identities to specific types of command output.' },
  ),
);

export const computeDeploymentThreshold: Shape = object(
  field('grouping', str(['PerCluster', 'PerRack']), { required: true }),
  field('type', str(['CountSuccess', 'PercentSuccess']), { required: true }),
  field('value', int(0), { required: true }),
);

export const updateStrategy: Shape = object(
  field('maxUnavailable', int(1)),
  field('strategyType', str(['PauseAfterRack', 'Rack']), { required: true }),
  field('thresholdType', str(['CountSuccess', 'PercentSuccess']), { required: true }),
  field('thresholdValue', int(0), { required: true }),
  field('waitTimeMinutes', int(0, 60)),
);

export const runtimeProtection: Shape = object(field('enforcementLevel', str(['Audit', 'Disabled', 'OnDemand', 'Passive', 'RealTime'])));

export const vulnerabilityScanningSettings: Shape = object(field('containerScan', str(['Disabled', 'Enabled'])));

export const clusterServicePrincipal: Shape = object(
  field('applicationId', str(), { required: true }),
  field('password', str(), { required: true }),
  field('principalId', str(), { required: true }),
  field('tenantId', str(), { required: true }),
);

const credentials = object(field('password', str(), { required: true }), field('username', str(), { required: true }));

export const rackDefinition: Shape = object(
  field('availabilityZone'),
  field(
    'bareMetalMachineConfigurationData',
    list(
      object(
        field('bmcCredentials', credentials, { required: true }),
        field('bmcMacAddress', str(), { required: true }),
        field('bootMacAddress', str(), { required: true }),
        field('machineDetails'),
        field('machineName'),
        field('rackSlot', int(1, 256), { required: true }),
        field('serialNumber', str(), { required: true }),
      ),
    ),
  ),
  field('networkRackId', str(), { required: true }),
  field('rackLocation'),
  field('rackSerialNumber', str(), { required: true }),
  field('rackSkuId', str(), { required: true }),
  field(
    'storageApplianceConfigurationData',
    list(
      object(
        field('adminCredentials', credentials, { required: true }),
        field('rackSlot', int(1, 256), { required: true }),
        field('serialNumber', str(), { required: true }),
        field('storageApplianceName'),
      ),
    ),
  ),
);

export const extendedLocation: Shape = object(
  field('name', str(), { required: true, help: 'The resource ID of the extended location on which the resource will be created.' }),
  field('type', str(['CustomLocation', 'EdgeZone']), { required: true, help: 'The extended location type, for example, CustomLocation.' }),
);

export const managedResourceGroupConfiguration: Shape = object(field('location'), field('name'));

export const tags: Shape = map(str());
export const strings: Shape = list(str());
export { bool };
