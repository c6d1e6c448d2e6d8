/**
 * `azemu networkcloud ...`: the four resource types and the commands az's networkcloud
 * extension offers for them, generated from one description per type. Argument names,
 * short flags and aliases are az's (API-FACTS §7).
 */
import type { ArgDef, CommandDef, GroupDef } from './types.js';
import * as shapes from './shapes.js';

export interface ResourceTypeDef {
  group: string;
  armType: string;
  noun: string;
  plural: string;
  nameOptions: string[];
  /** example name used in help */
  exampleName: string;
}

export const RESOURCE_TYPES: Record<string, ResourceTypeDef> = {
  bareMetalMachines: {
    group: 'baremetalmachine',
    armType: 'bareMetalMachines',
    noun: 'bare metal machine',
    plural: 'bare metal machines',
    nameOptions: ['--name', '--bare-metal-machine-name', '-n'],
    exampleName: 'bareMetalMachineName',
  },
  storageAppliances: {
    group: 'storageappliance',
    armType: 'storageAppliances',
    noun: 'storage appliance',
    plural: 'storage appliances',
    nameOptions: ['--name', '--storage-appliance-name', '-n'],
    exampleName: 'storageApplianceName',
  },
  clusters: {
    group: 'cluster',
    armType: 'clusters',
    noun: 'cluster',
    plural: 'clusters',
    nameOptions: ['--name', '--cluster-name', '-n'],
    exampleName: 'clusterName',
  },
  clusterManagers: {
    group: 'clustermanager',
    armType: 'clusterManagers',
    noun: 'cluster manager',
    plural: 'cluster managers',
    nameOptions: ['--name', '--cluster-manager-name', '-n'],
    exampleName: 'clusterManagerName',
  },
};

const BMM = RESOURCE_TYPES.bareMetalMachines;
const SA = RESOURCE_TYPES.storageAppliances;
const CLUSTER = RESOURCE_TYPES.clusters;
const CM = RESOURCE_TYPES.clusterManagers;

// ---- argument builders -------------------------------------------------------------------

const nameArg = (rt: ResourceTypeDef, byId = true): ArgDef => ({
  dest: 'name',
  options: rt.nameOptions,
  kind: 'string',
  required: true,
  help: `The name of the ${rt.noun}.`,
  ...(byId ? { idPart: 'name' as const, group: 'Resource Id' } : {}),
});

const resourceGroupArg = (byId = true, required = true): ArgDef => ({
  dest: 'resourceGroup',
  options: ['--resource-group', '-g'],
  kind: 'string',
  required,
  help: 'Name of resource group.',
  ...(byId ? { idPart: 'resource_group' as const, group: 'Resource Id' } : {}),
});

const ifMatch: ArgDef[] = [
  { dest: 'ifMatch', options: ['--if-match'], kind: 'string', help: 'The ETag of the transformation. Omit this value to always overwrite the current resource. Specify the last-seen ETag value to prevent accidentally overwriting concurrent changes.' },
  { dest: 'ifNoneMatch', options: ['--if-none-match'], kind: 'string', help: "Set to '*' to allow a new record set to be created, but to prevent updating an existing resource. Other values will result in error from server as they are not supported." },
];

const noWait: ArgDef = { dest: 'noWait', options: ['--no-wait'], kind: 'flag', help: 'Do not wait for the long-running operation to finish.' };

const yes: ArgDef = { dest: 'yes', options: ['--yes', '-y'], kind: 'flag', help: 'Do not prompt for confirmation.' };

const tagsArg = (body = 'tags'): ArgDef => ({
  dest: 'tags',
  options: ['--tags'],
  kind: 'shape',
  shape: shapes.tags,
  allowEmpty: true,
  body,
  help: 'The Azure resource tags that will replace the existing ones. Space-separated tags: key[=value] [key[=value] ...]. Use "" to clear existing tags.',
});

const identityArgs = (aliases: boolean): ArgDef[] => [
  {
    dest: 'miSystemAssigned',
    options: aliases ? ['--mi-system-assigned', '--system-assigned'] : ['--mi-system-assigned'],
    kind: 'flag',
    group: 'Identity',
    help: 'Set the system managed identity.',
  },
  {
    dest: 'miUserAssigned',
    options: aliases ? ['--mi-user-assigned', '--user-assigned'] : ['--mi-user-assigned'],
    kind: 'strings',
    group: 'Identity',
    help: 'Set the user managed identities (space-separated resource IDs).',
  },
];

const shapeArg = (dest: string, options: string[], shape: ArgDef['shape'], body: string, help: string, extra: Partial<ArgDef> = {}): ArgDef => ({
  dest,
  options,
  kind: 'shape',
  shape,
  body,
  group: 'Properties',
  help: `${help} Support shorthand-syntax, json-file and yaml-file. Try "??" to show more.`,
  ...extra,
});

const stringArg = (dest: string, options: string[], body: string, help: string, extra: Partial<ArgDef> = {}): ArgDef => ({
  dest,
  options,
  kind: 'string',
  body,
  group: 'Properties',
  help,
  ...extra,
});

/** The cluster settings az lets both `create` and `update` set. */
const clusterSettings: ArgDef[] = [
  shapeArg('aggregatorOrSingleRackDefinition', ['--aggregator-or-single-rack-definition', '--aggregator-or-single'], shapes.rackDefinition, 'properties.aggregatorOrSingleRackDefinition', 'The rack definition that is intended to reflect only a single rack in a single rack cluster, or an aggregator rack in a multi-rack cluster.'),
  shapeArg('analyticsOutputSettings', ['--analytics-output-settings', '--ao-settings'], shapes.analyticsOutputSettings, 'properties.analyticsOutputSettings', 'The settings for the log analytics workspace used for output of logs from this cluster.'),
  stringArg('clusterLocation', ['--cluster-location'], 'properties.clusterLocation', 'The customer-provided location information to identify where the cluster resides.'),
  shapeArg('clusterServicePrincipal', ['--cluster-service-principal', '--cluster-sp'], shapes.clusterServicePrincipal, 'properties.clusterServicePrincipal', 'The service principal to be used by the cluster during Arc Appliance installation.'),
  shapeArg('commandOutputSettings', ['--command-output-settings', '--co-settings'], shapes.commandOutputSettings, 'properties.commandOutputSettings', 'The settings for commands run in this cluster, such as bare metal machine run read only commands and data extracts.'),
  shapeArg('computeDeploymentThreshold', ['--compute-deployment-threshold', '--compute-dt'], shapes.computeDeploymentThreshold, 'properties.computeDeploymentThreshold', 'The validation threshold indicating the allowable failures of compute machines during environment validation and deployment.'),
  shapeArg('computeRackDefinitions', ['--compute-rack-definitions', '--compute-rack-def'], { type: 'list', item: shapes.rackDefinition }, 'properties.computeRackDefinitions', 'The list of rack definitions for the compute racks in a multi-rack cluster, or an empty list in a single-rack cluster.'),
  shapeArg('runtimeProtection', ['--runtime-protection'], shapes.runtimeProtection, 'properties.runtimeProtectionConfiguration', 'The settings for cluster runtime protection.'),
  shapeArg('secretArchive', ['--secret-archive'], shapes.secretArchive, 'properties.secretArchive', 'The configuration for use of a key vault to store secrets for later retrieval by the operator (legacy; az hides this argument).'),
  shapeArg('secretArchiveSettings', ['--secret-archive-settings', '--sa-settings'], shapes.secretArchiveSettings, 'properties.secretArchiveSettings', 'The settings for the secret archive used to hold credentials for the cluster.'),
  shapeArg('updateStrategy', ['--update-strategy'], shapes.updateStrategy, 'properties.updateStrategy', 'The strategy for updating the cluster.'),
  shapeArg('vulnerabilityScanningSettings', ['--vulnerability-scanning-settings', '--vs-settings'], shapes.vulnerabilityScanningSettings, 'properties.vulnerabilityScanningSettings', 'The settings for how security vulnerability scanning is applied to the cluster.'),
];

// ---- command builders ----------------------------------------------------------------------

const q = (s: string) => `"${s}"`;
const idArgs = (rt: ResourceTypeDef): ArgDef[] => [nameArg(rt), resourceGroupArg()];
const exampleIds = (rt: ResourceTypeDef) => `--name ${q(rt.exampleName)} --resource-group ${q('resourceGroupName')}`;

function show(rt: ResourceTypeDef): CommandDef {
  return {
    path: ['networkcloud', rt.group, 'show'],
    summary: `Get properties of the provided ${rt.noun}.`,
    args: idArgs(rt),
    examples: [
      { title: `Get ${rt.noun}`, command: `azemu networkcloud ${rt.group} show ${exampleIds(rt)}` },
      ...(rt === BMM || rt === SA
        ? [{ title: 'Show the CA certificate that signs its TLS interfaces (hash, then PEM)', command: `azemu networkcloud ${rt.group} show ${exampleIds(rt)} --query caCertificate -o tsv` }]
        : []),
    ],
    run: { handler: 'networkcloud', op: 'show', resource: rt.armType },
    arm: true,
  };
}

function listCommand(rt: ResourceTypeDef): CommandDef {
  return {
    path: ['networkcloud', rt.group, 'list'],
    summary: `List ${rt.plural} in the provided resource group or subscription.`,
    args: [
      resourceGroupArg(false, false),
      { dest: 'skipToken', options: ['--skip-token'], kind: 'string', help: 'The opaque token that the server returns to indicate where to continue listing resources from.' },
      { dest: 'top', options: ['--top'], kind: 'string', help: 'The maximum number of resources to return from the operation (api-version 2025-09-01 and later).' },
      { dest: 'maxItems', options: ['--max-items'], kind: 'string', group: 'Pagination', help: 'Total number of items to return in the command\'s output. If the total number of items available is more than the value specified, a token is provided in the command\'s output. To resume pagination, provide the token value in `--next-token` argument of a subsequent command.' },
      { dest: 'nextToken', options: ['--next-token'], kind: 'string', group: 'Pagination', help: 'Token to specify where to start paginating. This is the token value from a previously truncated response.' },
    ],
    examples: [
      { title: `List ${rt.plural} for resource group`, command: `azemu networkcloud ${rt.group} list --resource-group ${q('resourceGroupName')}` },
      { title: `List ${rt.plural} for subscription`, command: `azemu networkcloud ${rt.group} list` },
    ],
    run: { handler: 'networkcloud', op: 'list', resource: rt.armType },
    arm: true,
  };
}

function update(rt: ResourceTypeDef, extra: ArgDef[], lro: boolean, examples: CommandDef['examples']): CommandDef {
  return {
    path: ['networkcloud', rt.group, 'update'],
    summary: `Update properties of the provided ${rt.noun}, or update tags associated with the ${rt.noun}. Properties and tag updates can be done independently.`,
    args: [...idArgs(rt), ...ifMatch, ...extra, tagsArg(), ...(lro ? [noWait] : [])],
    examples: [{ title: `Patch ${rt.noun}`, command: `azemu networkcloud ${rt.group} update ${exampleIds(rt)} --tags key1=myvalue1 key2=myvalue2` }, ...examples],
    run: { handler: 'networkcloud', op: 'update', resource: rt.armType },
    arm: true,
  };
}

function create(rt: ResourceTypeDef, extra: ArgDef[], examples: CommandDef['examples']): CommandDef {
  return {
    path: ['networkcloud', rt.group, 'create'],
    summary: `Create a new ${rt.noun} or update the properties of the ${rt.noun} if it exists.`,
    args: [
      nameArg(rt, false),
      resourceGroupArg(false),
      { dest: 'location', options: ['--location', '-l'], kind: 'string', required: true, body: 'location', group: 'Resource', help: 'The geo-location where the resource lives.' },
      ...extra,
      tagsArg(),
      ...identityArgs(false),
      ...ifMatch,
      noWait,
    ],
    examples,
    run: { handler: 'networkcloud', op: 'create', resource: rt.armType },
    arm: true,
  };
}

function deleteCommand(rt: ResourceTypeDef): CommandDef {
  return {
    path: ['networkcloud', rt.group, 'delete'],
    summary: `Delete the provided ${rt.noun}.`,
    args: [...idArgs(rt), ...ifMatch, noWait, yes],
    examples: [{ title: `Delete ${rt.noun}`, command: `azemu networkcloud ${rt.group} delete ${exampleIds(rt)} --yes` }],
    run: { handler: 'networkcloud', op: 'delete', resource: rt.armType },
    arm: true,
    confirmation: 'Are you sure you want to perform this operation?',
  };
}

function action(rt: ResourceTypeDef, cliName: string, apiAction: string, summary: string, bodyArgs: ArgDef[] = [], exampleArgs = ''): CommandDef {
  return {
    path: ['networkcloud', rt.group, cliName],
    summary,
    args: [...idArgs(rt), ...bodyArgs, noWait],
    examples: [{ title: summary.replace(/\.$/, ''), command: `azemu networkcloud ${rt.group} ${cliName} ${exampleIds(rt)}${exampleArgs}` }],
    run: { handler: 'networkcloud', op: 'action', resource: rt.armType, action: apiAction },
    arm: true,
  };
}

function wait(rt: ResourceTypeDef): CommandDef {
  const cond = (dest: string, help: string): ArgDef => ({ dest, options: [`--${dest}`], kind: 'flag', group: 'Wait Condition', help });
  return {
    path: ['networkcloud', rt.group, 'wait'],
    summary: 'Place the CLI in a waiting state until a condition is met.',
    args: [
      ...idArgs(rt),
      cond('created', "Wait until created with 'provisioningState' at 'Succeeded'."),
      { dest: 'custom', options: ['--custom'], kind: 'string', group: 'Wait Condition', help: "Wait until the condition satisfies a custom JMESPath query on the resource as the API returns it (not flattened), e.g. \"properties.detailedStatus=='Running'\"." },
      cond('deleted', 'Wait until deleted.'),
      cond('exists', 'Wait until the resource exists.'),
      { dest: 'interval', options: ['--interval'], kind: 'string', default: '30', group: 'Wait Condition', help: 'Polling interval in seconds.' },
      { dest: 'timeout', options: ['--timeout'], kind: 'string', default: '3600', group: 'Wait Condition', help: 'Maximum wait in seconds.' },
      cond('updated', "Wait until updated with provisioningState at 'Succeeded'."),
    ],
    examples: [{ title: `Wait for the ${rt.noun} to be created`, command: `azemu networkcloud ${rt.group} wait ${exampleIds(rt)} --created --interval 5` }],
    run: { handler: 'networkcloud', op: 'wait', resource: rt.armType },
    arm: true,
  };
}

function identityCommands(rt: ResourceTypeDef): CommandDef[] {
  const base = ['networkcloud', rt.group, 'identity'];
  return [
    {
      path: [...base, 'assign'],
      summary: `Assign the user or system managed identities.`,
      args: [...idArgs(rt), ...identityArgs(true), ...ifMatch, noWait],
      examples: [{ title: 'Assign a system-assigned and a user-assigned identity', command: `azemu networkcloud ${rt.group} identity assign ${exampleIds(rt)} --mi-system-assigned --mi-user-assigned ${q('/subscriptions/subscriptionId/resourceGroups/resourceGroupName/providers/Microsoft.ManagedIdentity/userAssignedIdentities/myUAI')}` }],
      run: { handler: 'networkcloud', op: 'identity-assign', resource: rt.armType },
      arm: true,
    },
    {
      path: [...base, 'remove'],
      summary: `Remove the user or system managed identities.`,
      args: [...idArgs(rt), ...identityArgs(true).map((a) => (a.kind === 'strings' ? { ...a, allowEmpty: true, help: 'The user managed identities to remove (space-separated resource IDs); give none to remove all of them.' } : a)), ...ifMatch, noWait],
      examples: [{ title: 'Remove the system-assigned identity', command: `azemu networkcloud ${rt.group} identity remove ${exampleIds(rt)} --mi-system-assigned` }],
      run: { handler: 'networkcloud', op: 'identity-remove', resource: rt.armType },
      arm: true,
    },
    {
      path: [...base, 'show'],
      summary: `Show the details of managed identities.`,
      args: idArgs(rt),
      examples: [{ title: 'Show the identities', command: `azemu networkcloud ${rt.group} identity show ${exampleIds(rt)}` }],
      run: { handler: 'networkcloud', op: 'identity-show', resource: rt.armType },
      arm: true,
    },
  ];
}

const trueFalse = (dest: string, option: string, body: string, help: string): ArgDef => ({
  dest,
  options: [option],
  kind: 'string',
  choices: ['False', 'True'],
  blankValue: 'True',
  body,
  help,
});

export const NETWORKCLOUD_GROUPS: GroupDef[] = [
  { path: ['networkcloud'], summary: 'Manage Network Cloud resources (Azure Operator Nexus) on the emulator.' },
  { path: ['networkcloud', 'baremetalmachine'], summary: 'Manage bare metal machine.' },
  { path: ['networkcloud', 'storageappliance'], summary: 'Manage storage appliance.' },
  { path: ['networkcloud', 'cluster'], summary: 'Manage cluster.' },
  { path: ['networkcloud', 'cluster', 'identity'], summary: 'Manage Identity.' },
  { path: ['networkcloud', 'clustermanager'], summary: 'Manage cluster manager.' },
  { path: ['networkcloud', 'clustermanager', 'identity'], summary: 'Manage Identity.' },
];

const uaiExample = '/subscriptions/subscriptionId/resourceGroups/resourceGroupName/providers/Microsoft.ManagedIdentity/userAssignedIdentities/myUAI';
const kvExample = '/subscriptions/subscriptionId/resourceGroups/resourceGroupName/providers/Microsoft.KeyVault/vaults/keyVaultName';

export const NETWORKCLOUD_COMMANDS: CommandDef[] = [
  // bare metal machines: system-managed lifecycle, so no create/delete
  show(BMM),
  listCommand(BMM),
  update(BMM, [stringArg('machineDetails', ['--machine-details'], 'properties.machineDetails', 'The details provided by the customer during the creation of rack manifests that allows for custom data to be associated with this machine.')], true, []),
  action(BMM, 'cordon', 'cordon', "Cordon the provided bare metal machine's Kubernetes node.", [trueFalse('evacuate', '--evacuate', 'evacuate', 'The indicator of whether to evacuate the node workload when the bare metal machine is cordoned.')], ' --evacuate True'),
  action(BMM, 'uncordon', 'uncordon', "Uncordon the provided bare metal machine's Kubernetes node."),
  action(BMM, 'power-off', 'powerOff', 'Power off the provided bare metal machine.', [trueFalse('skipShutdown', '--skip-shutdown', 'skipShutdown', 'The indicator of whether to skip the graceful OS shutdown and power off the bare metal machine immediately.')], ' --skip-shutdown True'),
  action(BMM, 'start', 'start', 'Start the provided bare metal machine.'),
  action(BMM, 'restart', 'restart', 'Restart the provided bare metal machine.'),
  action(BMM, 'reimage', 'reimage', 'Reimage the provided bare metal machine.'),
  wait(BMM),

  show(SA),
  listCommand(SA),
  update(SA, [stringArg('serialNumber', ['--serial-number'], 'properties.serialNumber', 'The serial number for the storage appliance.')], true, []),
  action(SA, 'enable-remote-vendor-management', 'enableRemoteVendorManagement', 'Enable remote vendor management of the provided storage appliance.', [
    { dest: 'supportEndpoints', options: ['--support-endpoints'], kind: 'strings', body: 'supportEndpoints', help: 'The list of IPv4 subnets (in CIDR format), IPv6 subnets (in CIDR format), or hostnames that the storage appliance needs accessible in order to turn on the remote vendor management.' },
  ]),
  action(SA, 'disable-remote-vendor-management', 'disableRemoteVendorManagement', 'Disable remote vendor management of the provided storage appliance.'),
  wait(SA),

  show(CLUSTER),
  listCommand(CLUSTER),
  update(CLUSTER, [...clusterSettings, ...identityArgs(false)], true, [
    { title: 'Archive the cluster secrets in a key vault (legacy secret archive)', command: `azemu networkcloud cluster update ${exampleIds(CLUSTER)} --secret-archive "{key-vault-id:${kvExample},use-key-vault:True}"` },
    { title: 'Set the secret archive settings', command: `azemu networkcloud cluster update ${exampleIds(CLUSTER)} --secret-archive-settings identity-type=UserAssignedIdentity identity-resource-id=${q(uaiExample)} vault-uri=${q('https://keyvaultname.vault.azure.net/')}` },
    { title: 'Use a user-assigned identity (removes the system-assigned one)', command: `azemu networkcloud cluster update ${exampleIds(CLUSTER)} --mi-user-assigned ${q(uaiExample)}` },
    { title: 'Update the update strategy', command: `azemu networkcloud cluster update ${exampleIds(CLUSTER)} --update-strategy strategy-type=Rack threshold-type=CountSuccess threshold-value=4 max-unavailable=4 wait-time-minutes=10` },
  ]),
  create(
    CLUSTER,
    [
      shapeArg('extendedLocation', ['--extended-location'], shapes.extendedLocation, 'extendedLocation', 'The extended location of the cluster manager associated with the cluster.', { required: true, group: 'Resource' }),
      stringArg('clusterType', ['--cluster-type'], 'properties.clusterType', 'The type of rack configuration for the cluster.', { required: true, choices: ['MultiRack', 'SingleRack'] }),
      stringArg('clusterVersion', ['--cluster-version'], 'properties.clusterVersion', 'The current runtime version of the cluster.', { required: true }),
      stringArg('networkFabricId', ['--network-fabric-id'], 'properties.networkFabricId', 'The resource ID of the Network Fabric associated with the cluster.', { required: true }),
      shapeArg('managedResourceGroupConfiguration', ['--managed-resource-group-configuration', '--mrg'], shapes.managedResourceGroupConfiguration, 'properties.managedResourceGroupConfiguration', 'The configuration of the managed resource group associated with the resource.'),
      stringArg('analyticsWorkspaceId', ['--analytics-workspace-id'], 'properties.analyticsWorkspaceId', 'The resource ID of the Log Analytics Workspace that will be used for storing relevant logs (deprecated).', { hidden: true }),
      ...clusterSettings.map((a) => (a.dest === 'aggregatorOrSingleRackDefinition' ? { ...a, required: true } : a)),
    ],
    [
      {
        title: 'Create a single-rack cluster',
        command: `azemu networkcloud cluster create ${exampleIds(CLUSTER)} --location eastus --extended-location name=${q('/subscriptions/subscriptionId/resourceGroups/resourceGroupName/providers/Microsoft.ExtendedLocation/customLocations/clusterManagerExtendedLocationName')} type=CustomLocation --cluster-type SingleRack --cluster-version 3.0.0 --network-fabric-id ${q('/subscriptions/subscriptionId/resourceGroups/resourceGroupName/providers/Microsoft.ManagedNetworkFabric/networkFabrics/fabricName')} --aggregator-or-single-rack-definition network-rack-id=${q('/subscriptions/subscriptionId/resourceGroups/resourceGroupName/providers/Microsoft.ManagedNetworkFabric/networkRacks/networkRackName')} rack-serial-number=AA1234 rack-sku-id=${q('/subscriptions/subscriptionId/providers/Microsoft.NetworkCloud/rackSkus/rackSkuName')}`,
      },
    ],
  ),
  deleteCommand(CLUSTER),
  action(CLUSTER, 'deploy', 'deploy', 'Deploy the cluster to the provided rack.', [
    { dest: 'skipValidationsForMachines', options: ['--skip-validations-for-machines'], kind: 'strings', body: 'skipValidationsForMachines', help: 'The names of bare metal machines in the cluster that should be skipped during environment validation.' },
  ]),
  action(CLUSTER, 'rotate-credential', 'rotateCredential', 'Rotate the named platform-managed credentials of the cluster now (api-version 2026-07-01).', [
    {
      dest: 'credentials',
      options: ['--credentials'],
      kind: 'shape',
      shape: shapes.strings,
      body: 'credentials',
      required: true,
      help: 'The credentials to rotate, as the cluster\'s managedCredentials names them: "BMC Credential", "Console Credential", "Storage Appliance Credential", "Cluster Service Credential" (loosely spelled: bmc-credential works too). Space-separated, or a list "[a,b]".',
    },
  ], ' --credentials "BMC Credential" "Console Credential"'),
  wait(CLUSTER),
  ...identityCommands(CLUSTER),

  show(CM),
  listCommand(CM),
  // ClusterManagers_Update is synchronous (200 only), so no --no-wait
  update(CM, identityArgs(false), false, [
    { title: 'Use a system-assigned identity', command: `azemu networkcloud clustermanager update ${exampleIds(CM)} --mi-system-assigned` },
  ]),
  create(
    CM,
    [
      stringArg('fabricControllerId', ['--fabric-controller-id'], 'properties.fabricControllerId', 'The resource ID of the fabric controller that has one to one mapping with the cluster manager.', { required: true }),
      stringArg('analyticsWorkspaceId', ['--analytics-workspace-id'], 'properties.analyticsWorkspaceId', 'The resource ID of the Log Analytics workspace that is used for the logs collection.'),
      { dest: 'availabilityZones', options: ['--availability-zones'], kind: 'strings', body: 'properties.availabilityZones', group: 'Properties', help: 'The Azure availability zones within the region that will be used to support the cluster manager resource.' },
      stringArg('vmSize', ['--vm-size'], 'properties.vmSize', 'The size of the Azure virtual machines to use for hosting the cluster manager resource.'),
      shapeArg('managedResourceGroupConfiguration', ['--managed-resource-group-configuration', '--mrg'], shapes.managedResourceGroupConfiguration, 'properties.managedResourceGroupConfiguration', 'The configuration of the managed resource group associated with the resource.'),
    ],
    [
      {
        title: 'Create or update cluster manager',
        command: `azemu networkcloud clustermanager create ${exampleIds(CM)} --location eastus --fabric-controller-id ${q('/subscriptions/subscriptionId/resourceGroups/resourceGroupName/providers/Microsoft.ManagedNetworkFabric/networkFabricControllers/fabricControllerName')} --mrg name=my-managed-rg location=eastus --mi-system-assigned`,
      },
    ],
  ),
  deleteCommand(CM),
  wait(CM),
  ...identityCommands(CM),
];
