/** Microsoft.NetworkCloud/clusters: an on-premises Operator Nexus cluster and its racks. */
import {
  actionStates, administrativeCredentials, extendedLocation, identitySelector, location, MAC_PATTERN,
  MACHINE_NAME_PATTERN, managedIdentity, managedResourceGroupConfiguration, NAME_PATTERN, tags,
} from '../common.js';
import { arr, armId, enm, int, obj, ro, str, type ResourceTypeDef, type Field } from '../schema.js';

const bareMetalMachineConfiguration: Field = obj(
  'How one bare metal machine in a rack is to be set up.',
  {
    bmcConnectionString: str('The connection string of the machine\'s baseboard management controller, filled in by the platform.', { readOnly: true }),
    bmcCredentials: administrativeCredentials({ required: true }),
    bmcMacAddress: str('MAC address of the baseboard management controller.', { required: true, pattern: MAC_PATTERN }),
    bootMacAddress: str('MAC address of the NIC the machine boots from.', { required: true, pattern: MAC_PATTERN }),
    machineDetails: str('Free-form details about the machine.', { maxLength: 256 }),
    machineName: str('Name the bare metal machine resource gets.', { pattern: MACHINE_NAME_PATTERN }),
    rackSlot: int('Slot of the rack the machine sits in.', { required: true, minimum: 1, maximum: 256 }),
    serialNumber: str('Serial number of the machine.', { required: true, maxLength: 64 }),
  },
  { definition: 'BareMetalMachineConfigurationData' },
);

const storageApplianceConfiguration: Field = obj(
  'How one storage appliance in a rack is to be set up.',
  {
    adminCredentials: administrativeCredentials({ required: true }),
    rackSlot: int('Slot of the rack the appliance sits in.', { required: true, minimum: 1, maximum: 256 }),
    serialNumber: str('Serial number of the appliance.', { required: true }),
    storageApplianceName: str('Name the storage appliance resource gets.', { pattern: NAME_PATTERN }),
  },
  { definition: 'StorageApplianceConfigurationData' },
);

const rackDefinition = (o: Partial<Field> = {}): Field =>
  obj(
    'A rack of the cluster and the hardware in it.',
    {
      availabilityZone: str('The availability zone of the rack.', { pattern: '^[a-zA-Z0-9]{1,10}$' }),
      bareMetalMachineConfigurationData: arr('The bare metal machines of the rack.', bareMetalMachineConfiguration),
      networkRackId: armId('Resource id of the network rack that serves this rack.', { required: true }),
      rackLocation: str('Free-form description of where the rack stands.', { maxLength: 256 }),
      rackSerialNumber: str('Serial number of the rack.', { required: true, minLength: 1, maxLength: 64 }),
      rackSkuId: armId('Resource id of the rack SKU.', { required: true }),
      storageApplianceConfigurationData: arr('The storage appliances of the rack.', storageApplianceConfiguration),
    },
    { definition: 'RackDefinition', ...o },
  );

const extendedLocationRead = (description: string): Field =>
  ro(
    obj(description, {
      name: str('The resource id of the extended location.', { required: true }),
      type: str('The kind of extended location.', { required: true }),
    }, { definition: 'ExtendedLocation' }),
  );

export const clusterDef: ResourceTypeDef = {
  namespace: 'Microsoft.NetworkCloud',
  type: 'clusters',
  operationGroup: 'Clusters',
  definition: 'Cluster',
  displayName: 'cluster',
  namePattern: NAME_PATTERN,
  nameParameter: 'clusterName',
  systemManaged: false,
  fields: {
    extendedLocation: extendedLocation('manages the cluster (the cluster manager\'s custom location)'),
    identity: managedIdentity,
    kind: enm(['AzureLocal', 'Nexus'], 'The platform the cluster runs on.', { since: '2026-07-01', createOnly: true }),
    location,
    tags,
    properties: obj('The properties of the cluster.', {
      actionStates,
      aggregatorOrSingleRackDefinition: rackDefinition({ required: true }),
      analyticsOutputSettings: obj('Where the cluster sends analytics output.', {
        analyticsWorkspaceId: armId('Resource id of the Log Analytics workspace.'),
        associatedIdentity: identitySelector(),
      }, { since: '2024-10-01-preview', nullable: true, definition: 'AnalyticsOutputSettings' }),
      analyticsWorkspaceId: armId('Deprecated: use analyticsOutputSettings. Resource id of the Log Analytics workspace.'),
      availableUpgradeVersions: ro(arr('Versions the cluster can be upgraded to.', obj('An upgrade the cluster can take.', {
        controlImpact: enm(['True', 'False'], 'Whether the upgrade disrupts the control plane.'),
        expectedDuration: str('How long the upgrade is expected to take.'),
        impactDescription: str('What the upgrade affects.'),
        supportExpiryDate: str('When support for the target version ends.'),
        targetClusterVersion: str('The version upgraded to.'),
        workloadImpact: enm(['True', 'False'], 'Whether the upgrade disrupts workloads.'),
      }, { definition: 'ClusterAvailableUpgradeVersion' }))),
      clusterCapacity: ro(obj('Capacity of the cluster and what is left of it.', {
        availableApplianceStorageGB: int('Appliance storage left, in GB.'),
        availableCoreCount: int('Cores left.'),
        availableHostStorageGB: int('Host storage left, in GB.'),
        availableMemoryGB: int('Memory left, in GB.'),
        totalApplianceStorageGB: int('Total appliance storage, in GB.'),
        totalCoreCount: int('Total cores.'),
        totalHostStorageGB: int('Total host storage, in GB.'),
        totalMemoryGB: int('Total memory, in GB.'),
      }, { definition: 'ClusterCapacity' })),
      clusterConnectionStatus: ro(enm(['Connected', 'Disconnected', 'Timeout', 'Undefined'], 'Whether the cluster is connected to Azure.')),
      clusterExtendedLocation: extendedLocationRead('The cluster\'s own custom location, where its machines and workloads are placed.'),
      clusterLocation: str('Free-form description of where the cluster stands.', { maxLength: 256 }),
      clusterManagerConnectionStatus: ro(enm(['Connected', 'Unreachable'], 'Whether the cluster manager reaches the cluster.')),
      clusterManagerId: ro(armId('Resource id of the cluster manager of this cluster.')),
      clusterServicePrincipal: obj('Deprecated: use a managed identity. The service principal the cluster uses.', {
        applicationId: str('Application id of the service principal.', { required: true }),
        password: str('Its password. Write-only: it is never returned.', { required: true, secret: true }),
        principalId: str('Object id of the service principal.', { required: true }),
        tenantId: str('Tenant of the service principal.', { required: true }),
      }, { nullable: true, definition: 'ServicePrincipalInformation' }),
      clusterType: enm(['SingleRack', 'MultiRack'], 'Whether the cluster has one rack or several.', { required: true, createOnly: true }),
      clusterVersion: str('The version of the cluster software.', { required: true }),
      commandOutputSettings: obj('Where the output of run commands goes.', {
        associatedIdentity: identitySelector(),
        containerUrl: str('URL of the storage blob container that receives the output.'),
        overrides: arr('Per-command destinations that replace the default.', obj('A destination for one kind of command output.', {
          associatedIdentity: identitySelector(),
          commandOutputType: enm(
            ['BareMetalMachineRunCommand', 'BareMetalMachineRunDataExtracts', 'BareMetalMachineRunDataExtractsRestricted', 'BareMetalMachineRunReadCommands', 'StorageRunReadCommands', 'ClusterSupportAdministrativeActions'],
            'The kind of command output this destination is for.',
            { enumSince: { BareMetalMachineRunDataExtractsRestricted: '2025-09-01', ClusterSupportAdministrativeActions: '2026-07-01' } },
          ),
          containerUrl: str('URL of the storage blob container for this kind of output.'),
        }, { definition: 'CommandOutputOverride' }), { since: '2025-07-01-preview' }),
      }, { since: '2024-07-01', nullable: true, definition: 'CommandOutputSettings' }),
      computeDeploymentThreshold: obj('How many compute machines must deploy for the deployment to count as a success.', {
        grouping: enm(['PerCluster', 'PerRack'], 'Whether the threshold applies per rack or to the whole cluster.', { required: true }),
        type: enm(['CountSuccess', 'PercentSuccess'], 'Whether value is a count or a percentage.', { required: true }),
        value: int('The threshold.', { required: true, minimum: 0 }),
      }, { nullable: true, definition: 'ValidationThreshold' }),
      computeRackDefinitions: arr('The compute racks of a multi-rack cluster.', rackDefinition()),
      detailedStatus: ro(enm(['PendingDeployment', 'Deploying', 'Running', 'Updating', 'UpdatePaused', 'Degraded', 'Deleting', 'Disconnected', 'Failed'], 'Where the cluster stands in its lifecycle.')),
      detailedStatusMessage: ro(str('Detail about detailedStatus.')),
      hybridAksExtendedLocation: extendedLocationRead('Deprecated: the custom location for Hybrid AKS clusters.'),
      lastSuccessfulVersionUpdateTime: ro(str('When the cluster\'s version was last updated successfully.', { format: 'date-time', since: '2026-07-01' })),
      managedCredentials: ro(arr('The credentials the platform manages for the cluster.', str('A credential name.'), { since: '2026-07-01' })),
      managedResourceGroupConfiguration,
      manualActionCount: ro(int('How many manual actions await the operator.')),
      networkFabricId: armId('Resource id of the network fabric the cluster uses.', { required: true, createOnly: true }),
      provisioningState: ro(enm(['Succeeded', 'Failed', 'Canceled', 'Accepted', 'Validating', 'Updating'], 'The state of the last operation on the cluster.')),
      runtimeProtectionConfiguration: obj('Runtime protection (antivirus) settings.', {
        definitionUpdateMode: enm(['Automatic', 'None'], 'Whether protection definitions update on their own.', { since: '2026-07-01', default: 'None' }),
        enforcementLevel: enm(['Audit', 'Disabled', 'OnDemand', 'Passive', 'RealTime'], 'How strictly runtime protection acts.', { default: 'Disabled' }),
      }, { since: '2024-07-01', nullable: true, definition: 'RuntimeProtectionConfiguration' }),
      secretArchive: obj('Legacy form of the secret archive: a key vault, written through the cluster manager\'s identity.', {
        keyVaultId: armId('Resource id of the key vault.', { required: true }),
        useKeyVault: enm(['True', 'False'], 'Whether rotated credentials go to that key vault.', { default: 'False' }),
      }, { since: '2024-07-01', nullable: true, definition: 'ClusterSecretArchive' }),
      secretArchiveSettings: obj('The key vault that receives rotated credentials, written through one of the cluster\'s own identities.', {
        associatedIdentity: identitySelector(),
        vaultUri: str('URI of the key vault.'),
      }, { since: '2024-10-01-preview', nullable: true, definition: 'SecretArchiveSettings' }),
      supportExpiryDate: ro(str('When support for the cluster\'s version ends.')),
      updateStrategy: obj('How the cluster is updated, rack by rack.', {
        maxUnavailable: int('How many machines may be down at once.', { minimum: 1 }),
        strategyType: enm(['Rack', 'PauseAfterRack'], 'Whether to pause after each rack.', { required: true }),
        thresholdType: enm(['CountSuccess', 'PercentSuccess'], 'Whether thresholdValue is a count or a percentage.', { required: true }),
        thresholdValue: int('How many machines of a rack must update for the rack to count as updated.', { required: true, minimum: 0 }),
        waitTimeMinutes: int('Minutes to wait between racks.', { minimum: 0, maximum: 60, default: 15 }),
      }, { since: '2024-07-01', nullable: true, definition: 'ClusterUpdateStrategy' }),
      vulnerabilityScanningSettings: obj('Vulnerability scanning settings.', {
        containerScan: enm(['Disabled', 'Enabled'], 'Whether container images are scanned.', { default: 'Enabled' }),
      }, { since: '2024-10-01-preview', nullable: true, definition: 'VulnerabilityScanningSettings' }),
      workloadResourceIds: ro(arr('Resource ids of the workloads running on the cluster.', armId('A workload resource id.'))),
    }, { required: true, definition: 'ClusterProperties' }),
  },
  patchable: [
    'tags', 'identity',
    'properties.aggregatorOrSingleRackDefinition', 'properties.analyticsOutputSettings', 'properties.clusterLocation',
    'properties.clusterServicePrincipal', 'properties.commandOutputSettings', 'properties.computeDeploymentThreshold',
    'properties.computeRackDefinitions', 'properties.runtimeProtectionConfiguration', 'properties.secretArchive',
    'properties.secretArchiveSettings', 'properties.updateStrategy', 'properties.vulnerabilityScanningSettings',
  ],
  actions: [
    { name: 'deploy', operation: 'Deploy', description: 'Deploy the cluster: bring up its racks and create its bare metal machines and storage appliances.',
      body: obj('Options of the deployment.', { skipValidationsForMachines: arr('Names of machines whose hardware validation is skipped.', str('A machine name.', { pattern: MACHINE_NAME_PATTERN })) }, { definition: 'ClusterDeployParameters' }) },
    { name: 'updateVersion', operation: 'UpdateVersion', description: 'Update the cluster to a new version.', bodyRequired: true,
      body: obj('The version to update to.', {
        targetClusterVersion: str('The version to update to.', { required: true }),
        safeguardMode: enm(['All', 'None'], 'Which safeguards apply during the update.', { since: '2026-07-01', default: 'All' }),
      }, { definition: 'ClusterUpdateVersionParameters' }) },
    { name: 'continueUpdateVersion', operation: 'ContinueUpdateVersion', description: 'Resume an update that paused after a rack.', since: '2024-07-01', bodyRequired: true,
      body: obj('How to continue.', { machineGroupTargetingMode: enm(['AlphaByRack'], 'The order in which machine groups are updated.', { default: 'AlphaByRack' }) }, { definition: 'ClusterContinueUpdateVersionParameters' }) },
    { name: 'scanRuntime', operation: 'ScanRuntime', description: 'Run a runtime protection scan across the cluster.', since: '2024-07-01',
      body: obj('Scan options.', { scanActivity: enm(['Scan', 'Skip'], 'Whether to scan.', { default: 'Scan' }) }, { definition: 'ClusterScanRuntimeParameters' }) },
    { name: 'rotateCredential', operation: 'RotateCredential', description: 'Rotate some of the credentials the platform manages for the cluster, now.', since: '2026-07-01', bodyRequired: true,
      body: obj('Which credentials to rotate.', { credentials: arr('Names of the credentials to rotate.', str('A credential name.'), { required: true }) }, { definition: 'ClusterRotateCredentialParameters' }) },
  ],
};
