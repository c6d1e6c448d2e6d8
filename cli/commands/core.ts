/**
 * The commands around networkcloud: login/logout/account (profile), group (resource groups),
 * rest (like `az rest`), version, and the emulator's own `emulator clock`.
 */
import type { ArgDef, CommandDef, GroupDef } from './types.js';
import * as shapes from './shapes.js';

const groupName: ArgDef = { dest: 'name', options: ['--name', '--resource-group', '-n', '-g'], kind: 'string', required: true, help: 'Name of resource group.' };
const subscriptionSelector = (required: boolean): ArgDef => ({
  dest: 'subscription',
  options: ['--subscription', '--name', '-s', '-n'],
  kind: 'string',
  required,
  help: 'Name or ID of subscription.',
});

export const CORE_GROUPS: GroupDef[] = [
  { path: ['account'], summary: 'Manage the emulator subscriptions in the azemu profile.' },
  { path: ['group'], summary: 'Manage resource groups and template deployments.' },
  { path: ['emulator'], summary: 'Control the emulator itself (azemu only, not in az).' },
  { path: ['emulator', 'clock'], summary: "Read or move the emulator's clock (certificate lifetimes, rotation and renewal follow it)." },
];

export const CORE_COMMANDS: CommandDef[] = [
  {
    path: ['login'],
    summary: 'Log in to the emulator as its service principal.',
    description:
      'With no arguments, reads ./.nce/emulator.json (written by the emulator when it is ready). --emulator points at another data directory or emulator.json; ' +
      '--endpoint, --ca-file, --username/-u, --password/-p and --tenant/-t log in to any emulator explicitly. ' +
      "The emulator's CA certificate is trusted from the profile (never by disabling TLS checks).",
    args: [
      { dest: 'emulator', options: ['--emulator'], kind: 'string', help: "The emulator's data directory or its emulator.json. Default: ./.nce/emulator.json." },
      { dest: 'endpoint', options: ['--endpoint'], kind: 'string', help: "The emulator's ARM endpoint, e.g. https://localhost:8443/." },
      { dest: 'caFile', options: ['--ca-file'], kind: 'string', help: "PEM file with the CA certificate that issued the emulator's TLS certificate." },
      { dest: 'username', options: ['--username', '-u'], kind: 'string', help: 'Client ID of the service principal.' },
      { dest: 'password', options: ['--password', '-p'], kind: 'string', help: 'Client secret of the service principal.' },
      { dest: 'tenant', options: ['--tenant', '-t'], kind: 'string', help: 'The tenant of the service principal.' },
      { dest: 'servicePrincipal', options: ['--service-principal'], kind: 'flag', help: 'Accepted for compatibility with az: azemu always logs in as a service principal.' },
    ],
    examples: [
      { title: 'Log in to the emulator started in this directory', command: 'azemu login' },
      { title: 'Log in to an emulator whose data directory is elsewhere', command: 'azemu login --emulator /path/to/data-dir' },
      { title: 'Log in with explicit service principal credentials', command: 'azemu login --endpoint https://localhost:8443/ --ca-file ca.pem -u CLIENT_ID -p SECRET --tenant TENANT_ID' },
    ],
    run: { handler: 'account', op: 'login' },
  },
  {
    path: ['logout'],
    summary: 'Log out: remove the azemu profile and its cached token.',
    args: [],
    examples: [{ title: 'Log out', command: 'azemu logout' }],
    run: { handler: 'account', op: 'logout' },
  },
  {
    path: ['account', 'show'],
    summary: 'Get the details of a subscription (the default one unless --subscription is given).',
    args: [subscriptionSelector(false)],
    examples: [{ title: 'Show the default subscription', command: 'azemu account show' }],
    run: { handler: 'account', op: 'show' },
  },
  {
    path: ['account', 'list'],
    summary: 'Get a list of subscriptions for the logged in account.',
    args: [
      { dest: 'all', options: ['--all'], kind: 'flag', help: 'List all subscriptions (accepted for compatibility; the emulator has no disabled ones).' },
      { dest: 'refresh', options: ['--refresh'], kind: 'flag', help: 'Retrieve up-to-date subscriptions from the emulator.' },
    ],
    examples: [{ title: 'List the subscriptions', command: 'azemu account list -o table' }],
    run: { handler: 'account', op: 'list' },
  },
  {
    path: ['account', 'set'],
    summary: 'Set a subscription to be the current active subscription.',
    args: [subscriptionSelector(true)],
    examples: [{ title: 'Switch the default subscription', command: 'azemu account set --subscription 00000000-0000-0000-0000-000000000000' }],
    run: { handler: 'account', op: 'set' },
  },
  {
    path: ['group', 'create'],
    summary: 'Create a new resource group.',
    args: [
      groupName,
      { dest: 'location', options: ['--location', '-l'], kind: 'string', required: true, help: 'Location.' },
      { dest: 'tags', options: ['--tags'], kind: 'shape', shape: shapes.tags, allowEmpty: true, help: 'Space-separated tags: key[=value] [key[=value] ...].' },
      { dest: 'managedBy', options: ['--managed-by'], kind: 'string', help: 'The ID of the resource that manages this resource group.' },
    ],
    examples: [{ title: 'Create a resource group', command: 'azemu group create -n MyResourceGroup -l eastus' }],
    run: { handler: 'group', op: 'create' },
    arm: true,
  },
  {
    path: ['group', 'show'],
    summary: 'Gets a resource group.',
    args: [groupName],
    examples: [{ title: 'Show a resource group', command: 'azemu group show -n MyResourceGroup' }],
    run: { handler: 'group', op: 'show' },
    arm: true,
  },
  {
    path: ['group', 'list'],
    summary: 'List resource groups.',
    args: [{ dest: 'tag', options: ['--tag'], kind: 'string', help: "A single tag in 'key[=value]' format." }],
    examples: [{ title: 'List the resource groups as a table', command: 'azemu group list -o table' }],
    run: { handler: 'group', op: 'list' },
    arm: true,
  },
  {
    path: ['group', 'delete'],
    summary: 'Delete a resource group.',
    args: [
      groupName,
      { dest: 'noWait', options: ['--no-wait'], kind: 'flag', help: 'Do not wait for the long-running operation to finish.' },
      { dest: 'yes', options: ['--yes', '-y'], kind: 'flag', help: 'Do not prompt for confirmation.' },
    ],
    examples: [{ title: 'Delete a resource group', command: 'azemu group delete -n MyResourceGroup --yes' }],
    run: { handler: 'group', op: 'delete' },
    arm: true,
    confirmation: 'Are you sure you want to perform this operation?',
  },
  {
    path: ['group', 'exists'],
    summary: 'Check if a resource group exists.',
    args: [groupName],
    examples: [{ title: 'Check whether a group exists', command: 'azemu group exists -n MyResourceGroup' }],
    run: { handler: 'group', op: 'exists' },
    arm: true,
  },
  {
    path: ['group', 'wait'],
    summary: 'Place the CLI in a waiting state until a condition of the resource group is met.',
    args: [
      groupName,
      { dest: 'created', options: ['--created'], kind: 'flag', group: 'Wait Condition', help: "Wait until created with 'provisioningState' at 'Succeeded'." },
      { dest: 'custom', options: ['--custom'], kind: 'string', group: 'Wait Condition', help: 'Wait until the condition satisfies a custom JMESPath query.' },
      { dest: 'deleted', options: ['--deleted'], kind: 'flag', group: 'Wait Condition', help: 'Wait until deleted.' },
      { dest: 'exists', options: ['--exists'], kind: 'flag', group: 'Wait Condition', help: 'Wait until the resource exists.' },
      { dest: 'interval', options: ['--interval'], kind: 'string', default: '30', group: 'Wait Condition', help: 'Polling interval in seconds.' },
      { dest: 'timeout', options: ['--timeout'], kind: 'string', default: '3600', group: 'Wait Condition', help: 'Maximum wait in seconds.' },
      { dest: 'updated', options: ['--updated'], kind: 'flag', group: 'Wait Condition', help: "Wait until updated with provisioningState at 'Succeeded'." },
    ],
    examples: [{ title: 'Wait until a resource group is deleted', command: 'azemu group wait -n MyResourceGroup --deleted --interval 2' }],
    run: { handler: 'group', op: 'wait' },
    arm: true,
  },
  {
    path: ['rest'],
    summary: 'Invoke a custom request.',
    description:
      'Like az rest: the Authorization header is added when the URL is on the emulator (or relative to it), {subscriptionId} in the URL is replaced by the current subscription, ' +
      'the body is sent as JSON when it parses as JSON. The output is the response body; no flattening, no resourceGroup.',
    args: [
      { dest: 'url', options: ['--url', '--uri', '-u'], kind: 'string', required: true, help: 'Request URL. If it does not start with a host, the emulator endpoint is prefixed.' },
      { dest: 'method', options: ['--method', '-m'], kind: 'string', default: 'get', choices: ['delete', 'get', 'head', 'options', 'patch', 'post', 'put'], help: 'HTTP request method.' },
      { dest: 'body', options: ['--body', '-b'], kind: 'string', help: 'Request body. Use @{file} to load from a file.' },
      { dest: 'headers', options: ['--headers'], kind: 'strings', help: "Space-separated headers in KEY=VALUE format or JSON string. Use @{file} to load from a file." },
      { dest: 'uriParameters', options: ['--uri-parameters', '--url-parameters'], kind: 'strings', help: 'Query parameters in the URL. Space-separated queries in KEY=VALUE format or JSON string.' },
      { dest: 'resource', options: ['--resource'], kind: 'string', help: 'Resource url for which CLI should acquire a token (accepted; the emulator issues one audience).' },
      { dest: 'outputFile', options: ['--output-file'], kind: 'string', help: 'Save response payload to a file.' },
      { dest: 'skipAuthorizationHeader', options: ['--skip-authorization-header'], kind: 'flag', help: 'Do not auto-append Authorization header.' },
    ],
    examples: [
      { title: 'Get a bare metal machine as the 2025-09-01 API returns it', command: 'azemu rest --method get --url "/subscriptions/{subscriptionId}/resourceGroups/MRG/providers/Microsoft.NetworkCloud/bareMetalMachines/r01c001?api-version=2025-09-01"' },
      { title: 'Patch a cluster', command: 'azemu rest -m patch -u "/subscriptions/{subscriptionId}/resourceGroups/RG/providers/Microsoft.NetworkCloud/clusters/C1?api-version=2025-09-01" --body "{\\"tags\\":{\\"a\\":\\"b\\"}}"' },
    ],
    run: { handler: 'rest' },
  },
  {
    path: ['version'],
    summary: 'Show the versions of azemu and the API version it uses.',
    args: [],
    examples: [{ title: 'Show the version', command: 'azemu version' }],
    run: { handler: 'version' },
  },
  {
    path: ['emulator', 'clock', 'show'],
    summary: "Show the emulator's current time.",
    args: [],
    examples: [{ title: 'Show the clock', command: 'azemu emulator clock show' }],
    run: { handler: 'clock', op: 'show' },
  },
  {
    path: ['emulator', 'clock', 'advance'],
    summary: "Move the emulator's clock forward by a duration (e.g. 30d, 12h, 90m, 45s).",
    args: [],
    positional: { dest: 'duration', metavar: 'DURATION', help: 'How far to move the clock: a number followed by d, h, m or s.', required: true },
    examples: [{ title: 'Move 30 days ahead (certificates near renewal renew)', command: 'azemu emulator clock advance 30d' }],
    run: { handler: 'clock', op: 'advance' },
  },
  {
    path: ['emulator', 'clock', 'set'],
    summary: "Set the emulator's clock to an ISO 8601 time.",
    args: [],
    positional: { dest: 'time', metavar: 'ISO_TIME', help: 'The new time, e.g. 2026-01-01T00:00:00Z.', required: true },
    examples: [{ title: 'Jump to a date', command: 'azemu emulator clock set 2026-01-01T00:00:00Z' }],
    run: { handler: 'clock', op: 'set' },
  },
];
