/**
 * One walk through every operation of an api-version, against a live emulator: the source of
 * examples/<version>/<OperationId>.json (rp/api/record-examples.ts writes them, the replay test
 * compares them) and of the contract test's traffic. Requests are built from the version's OpenAPI
 * document, so an example is exactly a call the spec describes.
 *
 * Volatile values (GUIDs such as operation ids and etags, times, the endpoint's port, certificates
 * and their hashes) are replaced by stable placeholders, numbered in order of first appearance: the
 * same walk on a fresh emulator therefore yields the same text. The walk runs in a fixed
 * subscription so that everything the emulator derives from resource ids is stable too.
 */
import type { Json, JsonObject } from './derive.js';
import { PLATFORM_OWNED } from './behaviour.js';
import { writableOf, type TypeModel } from './model.js';
import type { Field } from './schema.js';
import { buildSpec, type OpenApiDocument, type Operation, type Schema } from './openapi.js';
import { referenceFields } from './references.js';
import { NETWORKCLOUD_TYPES } from './registry.js';
import type { ApiVersion } from './versions.js';

export const EXAMPLE_SUBSCRIPTION = '123e4567-e89b-12d3-a456-426655440000';
export const EXAMPLE_ENDPOINT = 'https://localhost:8443/';
export const EXAMPLE_TIME = '2025-01-01T00:00:00.000Z';
const RG = 'example-rg';
const LOCATION = 'eastus';
const CM = 'example-cm';
const CLUSTER = 'example-cluster';
const MRG = 'example-cluster-mrg';
const BMM = 'r01c001';
const BMM2 = 'r01c002';
const SA = 'r01sa01';

// ------------------------------------------------------------------ placeholders

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})/g;
const PEM = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const SHA256 = /\b[0-9a-f]{64}\b/g;
/** The loopback ports of the clusters' live BMC endpoints (bmcConnectionString). */
const LOOPBACK_PORT = /\b127\.0\.0\.1:(\d{1,5})\b/g;
/** The token of a run* result URL (rp/providers/networkcloud/command-output.ts). */
const SIG = /\bsig=[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g;

/** Maps live values to placeholders (responses) and back (requests built from examples). */
export class Normaliser {
  private readonly placeholders = new Map<string, string>();
  private readonly live = new Map<string, string>();
  private readonly counts = new Map<string, number>();

  constructor(private readonly endpoint: string) {}

  private placeholder(kind: string, value: string, make: (n: number) => string): string {
    const key = `${kind}:${value.toLowerCase()}`;
    let p = this.placeholders.get(key);
    if (!p) {
      const n = (this.counts.get(kind) ?? 0) + 1;
      this.counts.set(kind, n);
      p = make(n);
      this.placeholders.set(key, p);
      this.live.set(p, value);
    }
    return p;
  }

  text(s: string): string {
    return s
      .split(this.endpoint).join(EXAMPLE_ENDPOINT)
      .replace(PEM, (m) => this.placeholder('pem', m, (n) => `-----BEGIN CERTIFICATE-----\nCERTIFICATE-${n}\n-----END CERTIFICATE-----`))
      .replace(TIME, EXAMPLE_TIME)
      .replace(GUID, (m) => (m.toLowerCase() === EXAMPLE_SUBSCRIPTION ? m : this.placeholder('guid', m, (n) => `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`)))
      .replace(SHA256, (m) => this.placeholder('sha256', m, (n) => n.toString(16).padStart(64, '0')))
      .replace(LOOPBACK_PORT, (_m, port: string) => this.placeholder('port', port, (n) => `127.0.0.1:${10000 + n}`))
      .replace(SIG, (m) => this.placeholder('sig', m, (n) => `sig=EXAMPLE-RESULT-TOKEN-${String(n).padStart(22, '0')}`));
  }

  /** A response value with every volatile string replaced. */
  value<T extends Json | undefined>(x: T): T {
    return mapStrings(x, (s) => this.text(s)) as T;
  }

  /** A request value with placeholders replaced by the live values they stand for. */
  toLive<T extends Json | undefined>(x: T): T {
    return mapStrings(x, (s) => s.split(EXAMPLE_ENDPOINT).join(this.endpoint).replace(GUID, (m) => this.live.get(m) ?? m)) as T;
  }
}

function mapStrings(x: Json | undefined, f: (s: string) => string): Json | undefined {
  if (typeof x === 'string') return f(x);
  if (Array.isArray(x)) return x.map((item) => mapStrings(item, f) as Json);
  if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, item]) => [k, mapStrings(item, f) as Json]));
  return x;
}

// ------------------------------------------------------------------ requests from the spec

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** A live emulator: its endpoint and a way to send an authenticated request to a path. */
export interface Target {
  endpoint: string;
  send(method: string, path: string, body: unknown, headers: Record<string, string>): Promise<Reply>;
}

/** The response headers examples keep, as the spec spells them. */
export const RECORDED_HEADERS = ['Azure-AsyncOperation', 'Location', 'Retry-After', 'ETag'];

/** One operation as performed: the example (in placeholders) and the raw reply. */
export interface Exchange {
  operationId: string;
  example: { title: string; operationId: string; parameters: JsonObject; responses: Record<string, { headers?: Record<string, string>; body?: Json }> };
  raw: Reply;
}

interface Located {
  verb: string;
  path: string;
  op: Operation;
}

function locate(spec: OpenApiDocument, operationId: string): Located {
  for (const [path, ops] of Object.entries(spec.paths)) {
    for (const [verb, op] of Object.entries(ops)) if (op.operationId === operationId) return { verb, path, op };
  }
  throw new Error(`no operation ${operationId} in the spec of ${String((spec.info as Schema).version)}`);
}

const paramOf = (spec: OpenApiDocument, p: Schema): Schema =>
  typeof p.$ref === 'string' ? (spec.parameters as Record<string, Schema>)[p.$ref.split('/').pop()!] : p;

/** Sends the request an example's parameters describe; returns the reply. */
async function perform(target: Target, spec: OpenApiDocument, operationId: string, parameters: JsonObject): Promise<{ located: Located; reply: Reply }> {
  const located = locate(spec, operationId);
  let path = located.path;
  const query = new URLSearchParams();
  const headers: Record<string, string> = {};
  let body: unknown;
  for (const p of located.op.parameters.map((x) => paramOf(spec, x))) {
    const value = parameters[p.name as string];
    if (value === undefined) {
      if (p.required) throw new Error(`${operationId}: the example has no value for the required parameter '${String(p.name)}'`);
      continue;
    }
    if (p.in === 'path') path = path.replace(`{${String(p.name)}}`, encodeURIComponent(String(value)));
    else if (p.in === 'query') query.set(p.name as string, String(value));
    else if (p.in === 'header') headers[p.name as string] = String(value);
    else body = value;
  }
  const reply = await target.send(located.verb.toUpperCase(), `${path}?${query.toString()}`, body, headers);
  return { located, reply };
}

// ------------------------------------------------------------------ the walk

interface Step {
  operationId: string;
  /** Path, header and body values; subscriptionId and resourceGroupName default to the example ones. */
  params: (done: Map<string, Exchange>) => JsonObject;
  /** The status the step must get, when it is not a success (2xx). */
  expect?: number;
}

const last = (done: Map<string, Exchange>, operationId: string): Exchange => {
  const x = done.get(operationId);
  if (!x) throw new Error(`the walk needs ${operationId} before this step`);
  return x;
};
const responseOf = (x: Exchange) => Object.values(x.example.responses)[0];
const bodyOf = (x: Exchange) => responseOf(x).body as JsonObject;
/** The operation id at the end of a status URL in a response header. */
const operationOf = (x: Exchange, header: string) => {
  const url = new URL(responseOf(x).headers![header]);
  const parts = url.pathname.split('/');
  return { location: parts[parts.length - 3], operationId: parts[parts.length - 1] };
};

const byType = Object.fromEntries(NETWORKCLOUD_TYPES.map((d) => [d.type, d]));
/** An action body as version v accepts it: what its tree lacks is left out. */
const actionAt = (type: string, action: string, body: JsonObject, v: ApiVersion) => {
  const tree = byType[type].require(v).action(action)?.body;
  return tree ? (writableOf(tree, body) as JsonObject) : body;
};
/** A body as version v accepts it: what it lacks and what is read-only are left out. */
const resourceBody = (def: TypeModel, body: JsonObject, v: ApiVersion, mode: 'put' | 'patch' = 'put') => def.require(v).writable(body, mode);
const rgId = `/subscriptions/${EXAMPLE_SUBSCRIPTION}/resourceGroups/${RG}`;
const mac = (kind: number, n: number) => `aa:bb:cc:0${kind}:00:${String(n).padStart(2, '0')}`;

function clusterBody(extendedLocation: Json): JsonObject {
  return {
    location: LOCATION,
    extendedLocation,
    tags: { environment: 'example' },
    properties: {
      clusterType: 'SingleRack',
      clusterVersion: '3.14.2',
      networkFabricId: `${rgId}/providers/Microsoft.ManagedNetworkFabric/networkFabrics/example-fabric`,
      clusterLocation: 'Example site, row 1',
      managedResourceGroupConfiguration: { name: MRG, location: LOCATION },
      computeDeploymentThreshold: { type: 'PercentSuccess', grouping: 'PerCluster', value: 80 },
      runtimeProtectionConfiguration: { enforcementLevel: 'OnDemand' },
      updateStrategy: { strategyType: 'Rack', thresholdType: 'PercentSuccess', thresholdValue: 80, maxUnavailable: 4, waitTimeMinutes: 10 },
      aggregatorOrSingleRackDefinition: {
        networkRackId: `${rgId}/providers/Microsoft.ManagedNetworkFabric/networkRacks/example-rack`,
        rackSkuId: `/subscriptions/${EXAMPLE_SUBSCRIPTION}/providers/Microsoft.NetworkCloud/rackSkus/VLab_Single_DellR750_8C2M_x70r3_9`,
        rackSerialNumber: 'EXAMPLERACK01',
        rackLocation: 'Row 1',
        availabilityZone: '1',
        // Slots 1-5 are management and control plane; slot 6 is a compute machine that takes VMs.
        bareMetalMachineConfigurationData: [1, 2, 3, 4, 5, 6].map((n) => ({
          bmcCredentials: { username: 'root', password: 'example-bmc-password' },
          bmcMacAddress: mac(1, n),
          bootMacAddress: mac(2, n),
          machineDetails: `Example server ${n}`,
          machineName: `r01c00${n}`,
          rackSlot: n,
          serialNumber: `EXAMPLE100${n}`,
        })),
        storageApplianceConfigurationData: [
          { adminCredentials: { username: 'pureuser', password: 'example-sa-password' }, rackSlot: 20, serialNumber: 'EXAMPLESA01', storageApplianceName: SA },
        ],
      },
    },
  };
}

/** The steps at version v, in order. Every operation of the version's spec appears once. */
function steps(v: ApiVersion): Step[] {
  const etag = byType.clusters.require(v).etag;
  const ifMatch = (done: Map<string, Exchange>, get: string): JsonObject => (etag ? { 'If-Match': bodyOf(last(done, get)).etag } : {});
  const cm = { clusterManagerName: CM };
  const cluster = { clusterName: CLUSTER };
  const bmm = { resourceGroupName: MRG, bareMetalMachineName: BMM };
  const sa = { resourceGroupName: MRG, storageApplianceName: SA };
  const action = (type: string, name: string, body?: JsonObject): JsonObject => (body ? { body: actionAt(type, name, body, v) } : {});
  const clusterDef = byType.clusters;
  const cmDef = byType.clusterManagers;
  const bmmDef = byType.bareMetalMachines;
  const saDef = byType.storageAppliances;
  const list: Step[] = [
    { operationId: 'Operations_List', params: () => ({}) },
    { operationId: 'ClusterManagers_CreateOrUpdate', params: () => ({ ...cm, body: resourceBody(cmDef, {
      location: LOCATION,
      identity: { type: 'SystemAssigned' },
      tags: { environment: 'example' },
      properties: {
        fabricControllerId: `${rgId}/providers/Microsoft.ManagedNetworkFabric/networkFabricControllers/example-nfc`,
        analyticsWorkspaceId: `${rgId}/providers/Microsoft.OperationalInsights/workspaces/example-law`,
        managedResourceGroupConfiguration: { name: `${CM}-mrg`, location: LOCATION },
      },
    }, v) }) },
    { operationId: 'ClusterManagers_Get', params: () => cm },
    { operationId: 'ClusterManagers_ListByResourceGroup', params: () => ({}) },
    { operationId: 'ClusterManagers_ListBySubscription', params: () => ({}) },
    { operationId: 'ClusterManagers_Update', params: (d) => ({ ...cm, ...ifMatch(d, 'ClusterManagers_Get'), body: { tags: { environment: 'example', owner: 'operations' } } }) },
    { operationId: 'ClusterManagers_UpdateRelayPrivateEndpointConnection', params: () => ({ ...cm, ...action('clusterManagers', 'updateRelayPrivateEndpointConnection', {
      connectionState: 'Approved', description: 'Approved for the example', privateEndpointResourceId: `${rgId}/providers/Microsoft.Network/privateEndpoints/example-pe`,
    }) }) },
    { operationId: 'Clusters_CreateOrUpdate', params: (d) => ({
      ...cluster,
      ...(etag ? { 'If-None-Match': '*' } : {}),
      body: resourceBody(clusterDef, clusterBody((bodyOf(last(d, 'ClusterManagers_Get')).properties as JsonObject).managerExtendedLocation), v),
    }) },
    { operationId: 'Clusters_Get', params: () => cluster },
    { operationId: 'Clusters_ListByResourceGroup', params: () => ({}) },
    { operationId: 'Clusters_ListBySubscription', params: () => ({}) },
    { operationId: 'Clusters_Update', params: (d) => ({
      ...cluster, ...ifMatch(d, 'Clusters_Get'),
      body: resourceBody(clusterDef, { tags: { environment: 'example', stage: 'deploying' }, properties: { clusterLocation: 'Example site, row 2', vulnerabilityScanningSettings: { containerScan: 'Enabled' } } }, v, 'patch'),
    }) },
    { operationId: 'Clusters_Deploy', params: () => ({ ...cluster, ...action('clusters', 'deploy', {}) }) },
    { operationId: 'OperationStatuses_Get', params: (d) => operationOf(last(d, 'Clusters_Deploy'), 'Location') },
    { operationId: 'Clusters_ScanRuntime', params: () => ({ ...cluster, ...action('clusters', 'scanRuntime', { scanActivity: 'Scan' }) }) },
    { operationId: 'Clusters_Inspect', params: () => ({ ...cluster, ...action('clusters', 'inspect', { filterDevices: { bareMetalMachineNames: [BMM] } }) }) },
    { operationId: 'Clusters_RotateCredential', params: () => ({ ...cluster, ...action('clusters', 'rotateCredential', { credentials: ['bmcCredentials'] }) }) },

    { operationId: 'BareMetalMachines_ListBySubscription', params: () => ({}) },
    { operationId: 'BareMetalMachines_ListByResourceGroup', params: () => ({ resourceGroupName: MRG }) },
    { operationId: 'BareMetalMachines_Get', params: () => bmm },
    { operationId: 'BareMetalMachines_Update', params: (d) => ({ ...bmm, ...ifMatch(d, 'BareMetalMachines_Get'), body: { tags: { rack: '1' }, properties: { machineDetails: 'Example server 1, re-cabled' } } }) },
    { operationId: 'BareMetalMachines_CreateOrUpdate', params: (d) => ({ ...bmm, body: resourceBody(bmmDef, bodyOf(last(d, 'BareMetalMachines_Get')), v) }), expect: 400 },
    { operationId: 'BareMetalMachines_Delete', params: () => bmm, expect: 400 },
    { operationId: 'BareMetalMachines_Cordon', params: () => ({ ...bmm, ...action('bareMetalMachines', 'cordon', { evacuate: 'True' }) }) },
    { operationId: 'BareMetalMachines_Uncordon', params: () => bmm },
    { operationId: 'BareMetalMachines_PowerOff', params: () => ({ ...bmm, ...action('bareMetalMachines', 'powerOff', { skipShutdown: 'False' }) }) },
    { operationId: 'BareMetalMachines_Start', params: () => bmm },
    { operationId: 'BareMetalMachines_Restart', params: () => bmm },
    { operationId: 'BareMetalMachines_RunCommand', params: () => ({ ...bmm, ...action('bareMetalMachines', 'runCommand', { script: Buffer.from('uptime').toString('base64'), arguments: ['--pretty'], limitTimeSeconds: 60 }) }) },
    { operationId: 'OperationResults_Get', params: (d) => operationOf(last(d, 'BareMetalMachines_RunCommand'), 'Location') },
    { operationId: 'BareMetalMachines_RunDataExtracts', params: () => ({ ...bmm, ...action('bareMetalMachines', 'runDataExtracts', { commands: [{ command: 'hardware-support-data-collection', arguments: ['SysInfo', 'TTYLog'] }], limitTimeSeconds: 600 }) }) },
    { operationId: 'BareMetalMachines_RunDataExtractsRestricted', params: () => ({ ...bmm, ...action('bareMetalMachines', 'runDataExtractsRestricted', { commands: [{ command: 'cluster-cve-report' }], limitTimeSeconds: 600 }) }) },
    { operationId: 'BareMetalMachines_RunReadCommands', params: () => ({ ...bmm, ...action('bareMetalMachines', 'runReadCommands', { commands: [{ command: 'ip', arguments: ['address', 'show'] }], limitTimeSeconds: 60 }) }) },
    // Last: a reimage keeps its machine busy while it runs on the clock (and a replacement goes to another machine).
    { operationId: 'BareMetalMachines_Reimage', params: () => bmm },
    { operationId: 'BareMetalMachines_Replace', params: () => ({ ...bmm, bareMetalMachineName: BMM2, ...action('bareMetalMachines', 'replace', {
      bmcCredentials: { username: 'root', password: 'example-new-bmc-password' },
      bmcMacAddress: mac(3, 1),
      bootMacAddress: mac(4, 1),
      machineName: BMM2,
      serialNumber: 'EXAMPLE1001R',
      safeguardMode: 'All',
      storagePolicy: 'DiscardAll',
    }) }) },

    { operationId: 'StorageAppliances_ListBySubscription', params: () => ({}) },
    { operationId: 'StorageAppliances_ListByResourceGroup', params: () => ({ resourceGroupName: MRG }) },
    { operationId: 'StorageAppliances_Get', params: () => sa },
    { operationId: 'StorageAppliances_Update', params: (d) => ({ ...sa, ...ifMatch(d, 'StorageAppliances_Get'), body: { tags: { rack: '1' }, properties: { serialNumber: 'EXAMPLESA01B' } } }) },
    { operationId: 'StorageAppliances_CreateOrUpdate', params: (d) => ({ ...sa, body: resourceBody(saDef, bodyOf(last(d, 'StorageAppliances_Get')), v) }), expect: 400 },
    { operationId: 'StorageAppliances_Delete', params: () => sa, expect: 400 },
    { operationId: 'StorageAppliances_EnableRemoteVendorManagement', params: () => ({ ...sa, ...action('storageAppliances', 'enableRemoteVendorManagement', { supportEndpoints: ['10.0.0.0/24'] }) }) },
    { operationId: 'StorageAppliances_DisableRemoteVendorManagement', params: () => sa },
    { operationId: 'StorageAppliances_RunReadCommands', params: () => ({ ...sa, ...action('storageAppliances', 'runReadCommands', { commands: [{ command: 'purearray', arguments: ['list'] }], limitTimeSeconds: 60 }) }) },

    ...genericSteps(v),
    // A version update rolls over the cluster's machines on the clock (the cluster shows Updating), so
    // it comes after the walk of the types that need a running cluster.
    { operationId: 'Clusters_UpdateVersion', params: () => ({ ...cluster, ...action('clusters', 'updateVersion', { targetClusterVersion: '3.16.0', safeguardMode: 'All' }) }) },
    // The example's strategy (Rack) never pauses, so there is nothing to continue: the service's 409.
    { operationId: 'Clusters_ContinueUpdateVersion', params: () => ({ ...cluster, ...action('clusters', 'continueUpdateVersion', { machineGroupTargetingMode: 'AlphaByRack' }) }), expect: 409 },
    { operationId: 'Clusters_Delete', params: () => cluster },
    { operationId: 'ClusterManagers_Delete', params: () => cm },
  ];
  const ops = new Set(Object.values(buildSpec(v).paths).flatMap((p) => Object.values(p).map((o) => o.operationId)));
  return list.filter((s) => ops.has(s.operationId));
}

// ------------------------------------------------------------------ the types without hand-written steps

/** The types the walk above covers by hand; every other type is walked from the model. */
const HAND_WALKED = new Set(['clusterManagers', 'clusters', 'bareMetalMachines', 'storageAppliances']);
/** Catalogue entries the walk reads. */
const CATALOGUE_NAMES: Record<string, string> = { rackSkus: 'VLab_Single_DellR750_8C2M_x70r3_9', kubernetesVersions: 'default', racks: `${CLUSTER}-aggrack` };
/** Names the service insists on: a feature must be one the platform knows. */
const FIXED_NAMES: Record<string, string> = { 'kubernetesClusters/features': 'metrics-server' };
/** A Kubernetes version the catalogue offers (rp/providers/networkcloud/catalogues.ts). */
const EXAMPLE_KUBERNETES_VERSION = '1.30.12';
/** Types created in the managed resource group (platform-owned) rather than the walk's group. */
const IN_MRG = new Set(['racks']);
/** The deployed example cluster's custom location (clusterExtendedLocation), where its workloads live. */
const CUSTOM_LOCATION = `/subscriptions/${EXAMPLE_SUBSCRIPTION}/resourceGroups/${MRG}/providers/Microsoft.ExtendedLocation/customLocations/${CLUSTER}-cl`;

/** A real Ed25519 public key (no private key exists anywhere for it in this repository). */
const EXAMPLE_SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEfYIShYPF6UhUq1ThpMzsZus7dw2lCpzJzA6EB8hYRP example@contoso';

/** A string that meets a field's pattern and lengths (example data for the handful of upstream patterns). */
function sampleString(f: Field, key: string): string {
  if (f.enum?.length) return f.enum[0];
  // assignRelay names the compute machine the example VM runs on.
  if (key === 'machineId') return `/subscriptions/${EXAMPLE_SUBSCRIPTION}/resourceGroups/${MRG}/providers/Microsoft.NetworkCloud/bareMetalMachines/r01c006`;
  if (f.format === 'arm-id') return `${rgId}/providers/Microsoft.ManagedNetworkFabric/l3IsolationDomains/example-${key.toLowerCase()}`;
  if (f.format === 'uuid') return '00000000-0000-0000-0000-0000000000aa';
  // An expiration in the future, so that key sets and consoles show their active state.
  if (f.format === 'date-time') return /expiration/i.test(key) ? '2099-01-01T00:00:00.000Z' : EXAMPLE_TIME;
  if (f.format === 'password') return 'example-password';
  const candidates = ['aa:bb:cc:dd:ee:01', 'example', 'azureuser', '1', 'example.host', '10.0.0.0/24', 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ example'];
  if (/ipv4|prefix|cidr|subnet/i.test(key)) candidates.unshift('10.0.0.0/24');
  if (/ipv6/i.test(key)) candidates.unshift('fd00::/64');
  if (/keyData/i.test(key)) candidates.unshift(EXAMPLE_SSH_KEY);
  if (/jumpHost/i.test(key)) candidates.unshift('192.0.2.10');
  if (/url|uri/i.test(key)) candidates.unshift('https://example.azurecr.io');
  const fits = (c: string) => (!f.pattern || new RegExp(f.pattern).test(c)) && c.length >= (f.minLength ?? 0) && c.length <= (f.maxLength ?? Infinity);
  return candidates.find(fits) ?? 'x'.repeat(Math.max(1, f.minLength ?? 1));
}

/**
 * The example id a reference member of type t names: a resource the walk creates (the first of the
 * member's Microsoft.NetworkCloud types), or a well-formed id of another provider's type.
 */
function sampleReference(t: TypeModel | undefined, path: string): string | undefined {
  const field = t && referenceFields(t, NETWORKCLOUD_TYPES).find((r) => r.path === path);
  if (!field?.targets.length) return undefined;
  const target = field.targets[0];
  const [ns, ...rest] = target.split('/');
  if (ns !== 'Microsoft.NetworkCloud') return `${rgId}/providers/${target}/example-${rest[rest.length - 1].replace(/s$/, '').toLowerCase()}`;
  const names: string[] = [];
  let cur: TypeModel | undefined = byType[rest.join('/')];
  const chain: TypeModel[] = [];
  while (cur) {
    chain.unshift(cur);
    cur = cur.parent ? byType[cur.parent] : undefined;
  }
  for (const c of chain) names.push(`${c.segment}/${exampleName(c)}`);
  return `${IN_MRG.has(chain[0].type) ? `/subscriptions/${EXAMPLE_SUBSCRIPTION}/resourceGroups/${MRG}` : rgId}/providers/Microsoft.NetworkCloud/${names.join('/')}`;
}

/** A body that a request tree accepts: its required members, filled with example data (references name the walk's resources). */
function sampleOf(f: Field, key = '', t?: TypeModel, path = ''): Json {
  const reference = f.type === 'string' ? sampleReference(t, path) : undefined;
  if (reference) return reference;
  switch (f.type) {
    case 'object': {
      const out: JsonObject = {};
      for (const [k, c] of Object.entries(f.fields ?? {})) {
        if (c.readOnly || !c.required) continue;
        out[k] = k === 'location' ? LOCATION : k === 'extendedLocation' ? { name: CUSTOM_LOCATION, type: 'CustomLocation' } : sampleOf(c, k, t, path ? `${path}.${k}` : k);
      }
      return out;
    }
    case 'array':
      return Array.from({ length: Math.max(1, f.minItems ?? 1) }, () => (f.items ? sampleOf(f.items, key, t, `${path}[]`) : 'x'));
    case 'map':
      return {};
    case 'integer':
    case 'number':
      return Math.min(Math.max(f.minimum ?? 1, /vlan/i.test(key) ? 100 : 4), f.maximum ?? Number.MAX_SAFE_INTEGER);
    case 'boolean':
      return true;
    case 'any':
      return {};
    default:
      return sampleString(f, key);
  }
}

/** The example name of a resource of type t. */
function exampleName(t: TypeModel): string {
  if (CATALOGUE_NAMES[t.type]) return CATALOGUE_NAMES[t.type];
  if (FIXED_NAMES[t.type]) return FIXED_NAMES[t.type];
  if (t.name.enum?.length) return t.name.enum[0];
  const stem = t.segment.replace(/s$/, '').toLowerCase();
  return [`example-${stem}`, `example${stem}`, 'default'].find((n) => !t.name.pattern || new RegExp(t.name.pattern).test(n)) ?? stem;
}

/**
 * Every operation of the types without hand-written steps, from the model: create (parents
 * first), read, list, update, actions; then delete (children first). Platform-owned types are
 * read and updated; their create and delete are refused.
 */
function genericSteps(v: ApiVersion): Step[] {
  const rank = createRank(v);
  const types = NETWORKCLOUD_TYPES.filter((t) => !HAND_WALKED.has(t.type) && t.at(v)).sort((a, b) => rank(a) - rank(b) || a.type.split('/').length - b.type.split('/').length || a.type.localeCompare(b.type));
  const params = (t: TypeModel): JsonObject => {
    const out: JsonObject = IN_MRG.has(t.type) ? { resourceGroupName: MRG } : {};
    let cur: TypeModel | undefined = t;
    while (cur) {
      out[cur.nameParameter] = exampleName(cur);
      cur = cur.parent ? byType[cur.parent] : undefined;
    }
    return out;
  };
  const creates: Step[] = [];
  const rest: Step[] = [];
  const deletes: Step[] = [];
  for (const t of types) {
    const vm = t.require(v);
    const refused = PLATFORM_OWNED.has(t.type);
    for (const o of vm.operations) {
      const p = params(t);
      switch (o.method) {
        case 'PUT': {
          const body: JsonObject = { ...(sampleOf(vm.put ?? { type: 'object' }, '', t) as JsonObject), tags: { environment: 'example' } };
          // A Kubernetes cluster runs on the example cluster (its Kubernetes custom location), at a version the catalogue offers.
          const shaped = (d: Map<string, Exchange>): JsonObject => t.type !== 'kubernetesClusters' ? body : {
            ...body,
            extendedLocation: (bodyOf(last(d, 'Clusters_Get')).properties as JsonObject).clusterExtendedLocation,
            properties: { ...(body.properties as JsonObject), kubernetesVersion: EXAMPLE_KUBERNETES_VERSION },
          };
          (refused ? rest : creates).push({ operationId: o.operationId, params: (d) => ({ ...p, body: vm.writable(shaped(d), 'put') }), ...(refused ? { expect: 400 } : {}) });
          break;
        }
        case 'DELETE':
          (refused ? rest : deletes).push({ operationId: o.operationId, params: () => p, ...(refused ? { expect: 400 } : {}) });
          break;
        case 'PATCH': {
          const catalogue = t.type === 'rackSkus' || t.type === 'kubernetesVersions';
          rest.push({ operationId: o.operationId, params: () => ({ ...p, body: vm.writable({ tags: { environment: 'example', step: 'patched' } }, 'patch') }), ...(catalogue ? { expect: 400 } : {}) });
          break;
        }
        case 'POST': {
          const action = vm.action(o.action!)!;
          // restartNode names a node the Kubernetes cluster has.
          const actionBody = (d: Map<string, Exchange>): JsonObject => t.type === 'kubernetesClusters' && action.name === 'restartNode'
            ? { nodeName: ((bodyOf(last(d, o.operationId.replace(/_RestartNode$/, '_CreateOrUpdate'))).properties as JsonObject).nodes as JsonObject[])[0].name }
            : (sampleOf(action.body!) as JsonObject);
          rest.push({ operationId: o.operationId, params: (d) => ({ ...p, ...(action.body ? { body: actionBody(d) } : {}) }) });
          break;
        }
        default:
          rest.push({ operationId: o.operationId, params: () => (o.kind === 'collection' && o.scope === 'subscription' ? {} : p) });
      }
    }
  }
  return [...creates, ...rest, ...deletes.reverse()];
}

/**
 * Creation order: a type comes after its parent and after the types its sample body references
 * (a VM after its cloud services network); deletes run in the reverse order, so nothing in use is deleted.
 */
function createRank(v: ApiVersion): (t: TypeModel) => number {
  const memo = new Map<string, number>();
  const rank = (t: TypeModel): number => {
    const known = memo.get(t.type);
    if (known !== undefined) return known;
    memo.set(t.type, 0);
    const put = t.at(v)?.put;
    const body = put ? JSON.stringify(sampleOf(put, '', t)) : '';
    const deps = NETWORKCLOUD_TYPES.filter((o) => o !== t && !HAND_WALKED.has(o.type) && o.at(v) && body.includes(`/providers/Microsoft.NetworkCloud/${o.segment}/`));
    const r = Math.max(0, ...deps.map((d) => rank(d) + 1), ...(t.parent ? [rank(byType[t.parent]) + 1] : []));
    memo.set(t.type, r);
    return r;
  };
  return rank;
}

/** The operation ids of the walk at v, in order. */
export const walkOrder = (v: ApiVersion): string[] => steps(v).map((s) => s.operationId);

/**
 * Walks every operation of version v. `examples`, when given, supplies each step's parameters (the
 * replay of recorded examples); otherwise the walk's own are used (recording). The subscription
 * EXAMPLE_SUBSCRIPTION must exist; the walk creates its resources and deletes them at the end.
 */
export async function* walk(target: Target, v: ApiVersion, normaliser: Normaliser, examples?: (operationId: string) => JsonObject): AsyncGenerator<Exchange> {
  const spec = buildSpec(v);
  const group = await target.send('PUT', `${rgId}?api-version=2021-04-01`, { location: LOCATION }, {});
  if (group.status !== 201 && group.status !== 200) throw new Error(`could not create ${RG}: ${group.status} ${JSON.stringify(group.body)}`);
  const done = new Map<string, Exchange>();
  for (const step of steps(v)) {
    const parameters = examples ? examples(step.operationId) : exampleParameters(spec, step.operationId, v, step.params(done));
    const { located, reply } = await perform(target, spec, step.operationId, normaliser.toLive(parameters));
    if (step.expect ? reply.status !== step.expect : reply.status >= 300) {
      throw new Error(`${v} ${step.operationId}: expected ${step.expect ?? '2xx'}, got ${reply.status} ${JSON.stringify(reply.body)}`);
    }
    const headers: Record<string, string> = {};
    for (const h of RECORDED_HEADERS) {
      const value = reply.headers[h.toLowerCase()];
      if (typeof value === 'string') headers[h] = normaliser.text(value);
    }
    const response: { headers?: Record<string, string>; body?: Json } = {};
    if (Object.keys(headers).length) response.headers = headers;
    if (reply.body !== undefined && reply.body !== '') response.body = normaliser.value(reply.body as Json);
    const exchange: Exchange = {
      operationId: step.operationId,
      example: { title: located.op.description as string, operationId: step.operationId, parameters, responses: { [String(reply.status)]: response } },
      raw: reply,
    };
    done.set(step.operationId, exchange);
    yield exchange;
  }
}

/** Names the step's values as the operation's parameters, in the spec's order (api-version first). */
function exampleParameters(spec: OpenApiDocument, operationId: string, v: ApiVersion, values: JsonObject): JsonObject {
  const given: JsonObject = { subscriptionId: EXAMPLE_SUBSCRIPTION, resourceGroupName: RG, location: LOCATION, ...values };
  const out: JsonObject = { 'api-version': v };
  let bodyTaken = given.body === undefined;
  for (const p of locate(spec, operationId).op.parameters.map((x) => paramOf(spec, x))) {
    const name = p.name as string;
    const value = p.in === 'body' ? given.body : given[name];
    if (p.in === 'body') bodyTaken = true;
    if (value !== undefined && name !== 'api-version') out[name] = value;
  }
  if (!bodyTaken) throw new Error(`${operationId} takes no body at ${v}`);
  return out;
}
