/**
 * Every networkcloud command azemu offers runs once, as a subprocess with --debug against a real
 * emulator, driven by the generated table itself (not a hand-kept list):
 *  - always: the request it sends (method, URL as the API spells it, api-version, the body with
 *    the defaults az sends) is what the table says, read from azemu's own --debug dump;
 *  - when the emulator serves the command's resource type: the command succeeds and prints what
 *    the model says it prints (a flattened resource, the final operation status with
 *    percentComplete as a float, nothing for delete and wait, an identity).
 * A command whose resource type the emulator does not serve yet is pending with that reason,
 * never passed silently; it turns on by itself when the server serves the type.
 * Samples are real: the demo's resources (docs/demo.md) and their ids, custom locations, dates
 * and keys; create commands make a fresh resource (or, for a type the demo lacks, the one the
 * other commands then use) and delete commands remove it.
 */
import { expect } from 'chai';
import type { DemoInfo } from '../../rp/emulator.js';
import { KUBERNETES_VERSIONS } from '../../rp/providers/networkcloud/catalogues.js';
import { sshPublicKey } from '../../rp/seed/demo.js';
import { NETWORKCLOUD_COMMANDS } from '../../cli/commands/networkcloud.js';
import type { ArgDef, CommandDef, NetworkCloudRun } from '../../cli/commands/types.js';
import type { Shape } from '../../cli/shorthand.js';
import { azemu, directGet, newConfigDir, removeTempDirs, startEmulator, type CliResult, type RunningEmulator } from './helpers.js';

const API = '2026-07-01';

interface SentRequest {
  method: string;
  url: string;
  body?: unknown;
}

/** The ARM requests in azemu's --debug dump, in order. */
function requestsOf(stderr: string): SentRequest[] {
  const lines = stderr.split('\n');
  const out: SentRequest[] = [];
  for (let i = 0; i < lines.length; i++) {
    const url = /cli\.azemu\.client: Request URL: '(.*)'$/.exec(lines[i])?.[1];
    if (!url || !/\/providers\/Microsoft\.NetworkCloud\//i.test(url)) continue;
    const method = /Request method: '(\w+)'/.exec(lines[i + 1] ?? '')?.[1] ?? '';
    const bodyAt = lines.findIndex((l, j) => j > i && /Request body:$/.test(l));
    const raw = bodyAt > 0 ? lines[bodyAt + 1].replace(/^DEBUG: cli\.azemu\.client: /, '') : 'This request has no body';
    out.push({ method, url: new URL(url).pathname + new URL(url).search, body: raw === 'This request has no body' ? undefined : JSON.parse(raw) });
  }
  return out;
}

const NAME_CANDIDATES = ['abc01', 'default', '02:00:00:00:00:01', 'a', '10.0.0.0/24'];

function sampleString(arg: { fmt?: { pattern?: string; minLength?: number; maxLength?: number }; choices?: readonly string[] }): string {
  if (arg.choices?.length) return arg.choices[0];
  const fmt = arg.fmt;
  const ok = (s: string) =>
    (!fmt?.pattern || new RegExp(`^(?:${fmt.pattern})$`).test(s)) && (fmt?.minLength === undefined || s.length >= fmt.minLength) && (fmt?.maxLength === undefined || s.length <= fmt.maxLength);
  const found = NAME_CANDIDATES.find(ok);
  if (!found) throw new Error(`no sample value fits ${JSON.stringify(fmt)}`);
  return found;
}

/** A minimal value of a shape: required keys only, one list item. */
function sampleShape(shape: Shape): unknown {
  switch (shape.type) {
    case 'string':
      return sampleString({ fmt: shape.fmt, choices: shape.enum });
    case 'int':
      return shape.min ?? 1;
    case 'bool':
      return true;
    case 'list':
      return [sampleShape(shape.item)];
    case 'map':
      return {};
    case 'object':
      return Object.fromEntries(shape.fields.filter((f) => f.required).map((f) => [f.key ?? f.wire, sampleShape(f.shape)]));
  }
}

interface Demo {
  sub: string;
  rg: string;
  mrg: string;
  ids: DemoInfo;
  /** the demo's rack (made by deploy) */
  rack: string;
  /** the cluster's and the cluster manager's custom locations */
  clusterLocation: unknown;
  managerLocation: unknown;
  /** a node of the demo's Kubernetes cluster, and the bare metal machine the demo VM runs on */
  nodeName: string;
  vmMachineId: string;
}

/** the name the create commands make (and the delete commands remove) where the demo has the type */
const FRESH: Record<string, string> = {
  clusterManagers: 'cmevery01',
  l3Networks: 'l3every01',
  trunkedNetworks: 'trunkedevery01',
  cloudServicesNetworks: 'csnevery01',
  volumes: 'volevery01',
  kubernetesClusters: 'k8severy01',
  'kubernetesClusters/agentPools': 'poolevery01',
  virtualMachines: 'vmevery01',
};

/**
 * The resource a command works on: the demo's own where the demo has the type (create and delete
 * use a fresh name, so the others keep finding the demo's); for a type the demo lacks, the one its
 * create command makes, which every other command of the type then uses and its delete removes.
 */
function pathValue(arg: ArgDef, command: CommandDef, demo: Demo): string {
  const verb = command.path[command.path.length - 1];
  const armType = (command.run as NetworkCloudRun).armType;
  const deleting = verb === 'delete';
  const fresh = (type: string, demoName: string) => ((deleting || verb === 'create') && armType === type ? FRESH[type] : demoName);
  switch (arg.pathParam) {
    case 'resourceGroupName':
      return armType === 'bareMetalMachines' || armType === 'storageAppliances' || armType === 'racks' ? demo.mrg : demo.rg;
    case 'bareMetalMachineName': {
      const byVerb: Record<string, string> = { 'power-off': 'r01c002', start: 'r01c002', reimage: 'r01c003', replace: 'r01c004', restart: 'r01c005' };
      return byVerb[verb] ?? (verb.startsWith('run-') ? 'r01c006' : 'r01c001');
    }
    case 'storageApplianceName':
      return 'r01sa01';
    case 'clusterName':
      return deleting && armType === 'clusters' ? 'gone01' : 'demo-cluster';
    case 'clusterManagerName':
      return fresh('clusterManagers', 'demo-cm');
    case 'rackName':
      return demo.rack;
    case 'rackSkuName':
      return 'VLab_Single_DellR750_8C2M_x70r3_9';
    case 'l3NetworkName':
      return fresh('l3Networks', 'demo-l3network');
    case 'trunkedNetworkName':
      return fresh('trunkedNetworks', 'demo-trunkednetwork');
    case 'cloudServicesNetworkName':
      return fresh('cloudServicesNetworks', 'demo-csn');
    case 'volumeName':
      return fresh('volumes', 'demo-volume');
    case 'kubernetesClusterName':
      return fresh('kubernetesClusters', 'demo-k8s');
    case 'agentPoolName':
      return fresh('kubernetesClusters/agentPools', 'demo-k8s-pool1');
    case 'virtualMachineName':
      return fresh('virtualMachines', 'demovm01');
    case 'featureName':
      // an optional feature the platform installs: create is an idempotent PUT, delete removes it last
      return 'metrics-server';
    case 'l2NetworkName':
    case 'bmcKeySetName':
    case 'bareMetalMachineKeySetName':
      return 'every01';
    default:
      return sampleString(arg);
  }
}

const KEY = sshPublicKey('every@azemu');
const IN_A_MONTH = new Date(Date.now() + 30 * 24 * 3600_000).toISOString();

/** Realistic request values where a sample of the shape would not do (references, dates, keys, choices the service restricts). */
function bodyValue(arg: ArgDef, command: CommandDef, demo: Demo): string | undefined {
  const fabric = `/subscriptions/${demo.sub}/resourceGroups/${demo.rg}/providers/Microsoft.ManagedNetworkFabric`;
  const json = (v: unknown) => JSON.stringify(v);
  switch (arg.body) {
    case 'nodeName':
      return demo.nodeName;
    case 'extendedLocation':
      // consoles are reached through the cluster manager's custom location; the rest live on the cluster's
      return json(command.path.join(' ') === 'networkcloud virtualmachine console create' ? demo.managerLocation : demo.clusterLocation);
    case 'properties.networkId':
      return demo.ids.l3NetworkId;
    case 'properties.l2IsolationDomainId':
      return `${fabric}/l2IsolationDomains/every-l2isd`;
    case 'properties.l3IsolationDomainId':
      return `${fabric}/l3IsolationDomains/every-l3isd`;
    case 'properties.isolationDomainIds':
      return json([`${fabric}/l2IsolationDomains/every-l2isd`]);
    case 'properties.vlan':
      return '1101';
    case 'properties.vlans':
      return json([1102]);
    case 'properties.azureGroupId':
      return 'f110271b-0000-4163-9b99-214d91660f0e';
    case 'properties.expiration':
      return IN_A_MONTH;
    case 'properties.jumpHostsAllowed':
      return json(['192.0.2.10']);
    case 'properties.userList':
      return json([{ 'azure-user-name': 'everyuser', 'ssh-public-key': { 'key-data': KEY } }]);
    case 'properties.controlPlaneNodeConfiguration':
      return json({ count: 1, 'vm-sku-name': 'NC_G6_28_v1' });
    case 'properties.initialAgentPoolConfigurations':
      return json([{ name: 'pool1', count: 1, mode: 'System', 'vm-sku-name': 'NC_P10_56_v1' }]);
    case 'properties.kubernetesVersion':
      return KUBERNETES_VERSIONS[KUBERNETES_VERSIONS.length - 1].version;
    case 'properties.networkConfiguration':
      return json({ 'cloud-services-network-id': demo.ids.cloudServicesNetworkId, 'cni-network-id': demo.ids.l3NetworkId });
    case 'properties.cloudServicesNetworkAttachment':
      return json({ 'attached-network-id': demo.ids.cloudServicesNetworkId, 'ip-allocation-method': 'Dynamic' });
    case 'properties.storageProfile':
      return json({ 'disk-size': 120 });
    case 'properties.vmImage':
      return 'demoacr.azurecr.io/ubuntu-server:22.04';
    case 'properties.adminUsername':
      return 'azureuser';
    case 'properties.sshPublicKey':
      return json({ 'key-data': KEY });
    case 'properties.mode':
      return 'User';
    case 'properties.enabled':
      return 'True';
    default:
      return undefined;
  }
}

/**
 * Commands that write to one demo resource (a virtual machine, the Kubernetes cluster): run one
 * after another and followed to their end, so no two operations on the resource overlap, in an
 * order the resource's power state allows (power-off before start).
 */
const SERIAL_TYPES = ['virtualMachines', 'kubernetesClusters'];
const SERIAL_ORDER = ['assign-relay', 'restart-node', 'restart', 'reimage', 'power-off', 'start', 'update'];
/** the identity commands (GET then a full PUT) of a cluster or cluster manager: assign, show, remove, one at a time */
const IDENTITY_ORDER = ['assign', 'show', 'remove'];
const isIdentity = (c: CommandDef) => c.path[c.path.length - 2] === 'identity';
const isSerial = (c: CommandDef) => isIdentity(c) || (SERIAL_TYPES.includes((c.run as NetworkCloudRun).armType) && SERIAL_ORDER.includes(c.path[c.path.length - 1]));
const serialRank = (c: CommandDef) => (isIdentity(c) ? IDENTITY_ORDER : SERIAL_ORDER).indexOf(c.path[c.path.length - 1]);

/** The command line: every required argument with a sample value, plus what the verb needs to succeed. */
function commandLine(command: CommandDef, demo: Demo): string[] {
  const words = [...command.path];
  for (const arg of command.args) {
    if (!arg.required && !(arg.identity === 'system' && /identity (assign|remove)$/.test(command.path.join(' ')))) continue;
    const option = arg.options.find((o) => o.startsWith('--')) ?? arg.options[0];
    const real = arg.body ? bodyValue(arg, command, demo) : undefined;
    if (arg.kind === 'flag') words.push(option);
    else if (arg.pathParam) words.push(option, pathValue(arg, command, demo));
    else if (real !== undefined) words.push(option, real);
    else if (arg.kind === 'shape') words.push(option, JSON.stringify(sampleShape(arg.shape!)));
    else if (arg.kind === 'strings') words.push(option, 'abc01');
    else if (arg.valueType === 'int') words.push(option, String(arg.fmt?.minimum ?? 1));
    else if (arg.dest === 'location') words.push(option, 'eastus');
    else words.push(option, sampleString(arg));
  }
  const verb = command.path[command.path.length - 1];
  if (verb === 'wait') words.push('--exists', '--interval', '1', '--timeout', '20');
  // the first request is what is checked; long-running results are followed in e2e-write.test
  // (and here for the serial commands)
  if (command.args.some((a) => a.dest === 'noWait') && !isSerial(command)) words.push('--no-wait');
  if (command.confirmation) words.push('--yes');
  if (command.path.join(' ') === 'networkcloud virtualmachine assign-relay') {
    // optional in the CLI model, required by the API
    words.push('--machine-id', demo.vmMachineId);
  }
  if (verb === 'create' && command.path[1] === 'clustermanager') {
    words.push('--fabric-controller-id', `/subscriptions/${demo.sub}/resourceGroups/${demo.rg}/providers/Microsoft.ManagedNetworkFabric/networkFabricControllers/nfc-every`);
  }
  return words;
}

/** The URL the table says the command calls, with the sample values in. */
function expectedUrl(command: CommandDef, words: string[], demo: Demo): string {
  const run = command.run as NetworkCloudRun;
  const values: Record<string, string> = { ...run.fixed, subscriptionId: demo.sub };
  for (const arg of command.args) {
    if (!arg.pathParam) continue;
    const i = words.findIndex((w) => arg.options.includes(w));
    if (i >= 0) values[arg.pathParam] = words[i + 1];
  }
  const templates = run.op === 'list' ? (run.listUrls ?? [run.url]) : [run.op === 'wait' || run.op.startsWith('identity-') ? run.resourceUrl : run.url];
  const template = templates.find((t) => [...t.matchAll(/\{(\w+)\}/g)].every((m) => values[m[1]] !== undefined))!;
  return `${template.replace(/\{(\w+)\}/g, (_, p: string) => encodeURIComponent(values[p]))}?api-version=${API}`;
}

function getPath(obj: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

/** Served commands whose sample arguments the demo cannot satisfy; fully exercised elsewhere. */
const REFUSED: Record<string, string> = {
  'networkcloud cluster create': 'demo-cluster exists and the sample rack definition names nothing real (create is in e2e-write.test)',
  'networkcloud cluster deploy': 'the demo cluster is deployed already (deploy is in e2e-write.test)',
  'networkcloud cluster continue-update-version': 'no update is paused on the demo cluster',
  'networkcloud cluster update-version': 'the sample version is not one the emulator offers',
  'networkcloud cluster rotate-credential': "'abc01' names no credential (rotation is in e2e-archive.test)",
  'networkcloud cluster inspect': 'the emulator may refuse an inspection of a running cluster',
  'networkcloud clustermanager update-relay-private-endpoint-connection': 'the demo cluster manager has no relay private endpoint',
  'networkcloud baremetalmachine replace': 'the sample replacement values may be refused',
  'networkcloud baremetalmachine run-command': "the sample script 'abc01' is not base64 (run-command is in test/rp/machine-actions.test)",
  'networkcloud baremetalmachine run-data-extract': "'abc01' is not an extract the platform runs (UnsupportedCommand)",
  'networkcloud baremetalmachine run-data-extracts-restricted': "'abc01' is not a restricted extract (UnsupportedCommand)",
  'networkcloud baremetalmachine run-read-command': "'abc01' is not an allowed read-only command (UnsupportedCommand)",
  'networkcloud storageappliance run-read-command': "'abc01' is not an allowed read-only command (UnsupportedCommand)",
  'networkcloud kubernetesversion create': 'Kubernetes versions are a read-only catalogue (OperationNotAllowed)',
  'networkcloud kubernetesversion update': 'Kubernetes versions are a read-only catalogue (OperationNotAllowed)',
  'networkcloud kubernetesversion delete': 'Kubernetes versions are a read-only catalogue (OperationNotAllowed)',
};

/**
 * Commands for which this test cannot build valid sample arguments: each must be refused exactly
 * so, with this ARM error code (or, for `wait`, by timing out). A command that starts to succeed
 * fails here, so the list can only shrink. Empty since the demo has every type (issue 12 item 8).
 */
const UNSAMPLED: Record<string, { code?: string; why: string }> = {
};

/** the demo's instance of each parent type, for probing whether a child type is served */
const DEMO_PARENTS: Record<string, string> = { clusters: 'demo-cluster', kubernetesClusters: 'demo-k8s', virtualMachines: 'demovm01' };

/** stderr without --debug lines. */
const errorLines = (stderr: string) => stderr.split('\n').filter((l) => !l.startsWith('DEBUG: ')).join('\n');

// deletes last, so the other commands still find the demo resources
const ordered = [...NETWORKCLOUD_COMMANDS].sort((a, b) => {
  const rank = (c: CommandDef) => ((c.run as NetworkCloudRun).op === 'delete' ? 1 : 0);
  return rank(a) - rank(b) || a.path.join(' ').localeCompare(b.path.join(' '));
});

describe('every networkcloud command runs once (driven by the generated table)', function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  let config: string;
  let demo: Demo;
  const served = new Map<string, boolean>();
  const results = new Map<string, CliResult>();
  const lines = new Map<string, string[]>();

  before(async function () {
    // ~150 subprocesses, four at a time
    this.timeout(400_000);
    emu = await startEmulator();
    config = newConfigDir();
    const ids = emu.info.demo as DemoInfo;
    const read = async (id: string) => (await directGet(emu.info, `${id}?api-version=${API}`)).body;
    const racks = await directGet(emu.info, `/subscriptions/${emu.info.subscriptionId}/resourceGroups/${ids.managedResourceGroup}/providers/Microsoft.NetworkCloud/racks?api-version=${API}`);
    demo = {
      sub: emu.info.subscriptionId,
      rg: 'nexus-demo-rg',
      mrg: ids.managedResourceGroup,
      ids,
      rack: racks.body.value[0].name,
      clusterLocation: (await read(ids.clusterId)).properties.clusterExtendedLocation,
      managerLocation: (await read(ids.clusterManagerId)).properties.managerExtendedLocation,
      nodeName: (await read(ids.kubernetesClusterId!)).properties.nodes[0].name,
      vmMachineId: (await read(ids.virtualMachineId!)).properties.bareMetalMachineId,
    };
    const login = await azemu(['login', '--emulator', emu.dataDir, '-o', 'none'], { configDir: config });
    expect(login.code, login.stderr).to.equal(0);
    // which resource types does this emulator serve? (a list by subscription answers 200)
    // (a child type: a list under the demo cluster answers 200)
    for (const type of new Set(ordered.map((c) => (c.run as NetworkCloudRun).armType))) {
      const [parent, child] = type.split('/');
      const path = child
        ? `/subscriptions/${demo.sub}/resourceGroups/${demo.rg}/providers/Microsoft.NetworkCloud/${parent}/${DEMO_PARENTS[parent] ?? 'none'}/${child}`
        : `/subscriptions/${demo.sub}/providers/Microsoft.NetworkCloud/${type}`;
      const probe = await directGet(emu.info, `${path}?api-version=${API}`);
      // a child type under a parent the demo lacks: the route exists when the answer names the missing parent
      served.set(type, probe.status === 200 || (probe.status === 404 && probe.body?.error?.code === 'ParentResourceNotFound'));
    }
    // run every command: four at a time, creates first (the others use what they make), deletes
    // last, a machine's power-off before its start; the writes to one demo VM or Kubernetes
    // cluster one at a time, in SERIAL_ORDER
    const verbOf = (c: CommandDef) => c.path[c.path.length - 1];
    const serial = ordered.filter(isSerial).sort((a, b) => a.path[1].localeCompare(b.path[1]) || serialRank(a) - serialRank(b));
    const rest = ordered.filter((c) => !isSerial(c));
    const phases: [CommandDef[], number][] = [
      [rest.filter((c) => verbOf(c) === 'create'), 4],
      [rest.filter((c) => !['create', 'start', 'delete'].includes(verbOf(c))), 4],
      [serial, 1],
      [rest.filter((c) => verbOf(c) === 'start'), 4],
      [rest.filter((c) => verbOf(c) === 'delete'), 4],
    ];
    // the demo resources that --no-wait commands of the phase before may still be changing
    const settle = async () => {
      for (const id of [demo.ids.clusterId, demo.ids.clusterManagerId, demo.ids.kubernetesClusterId!, demo.ids.virtualMachineId!]) {
        for (let i = 0; i < 100; i++) {
          const state = (await directGet(emu.info, `${id}?api-version=${API}`)).body?.properties?.provisioningState;
          if (!['Accepted', 'Updating', 'Provisioning', 'Deleting'].includes(state)) break;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    };
    for (const [phase, workers] of phases) {
      await settle();
      const queue = [...phase];
      await Promise.all(
        Array.from({ length: workers }, async () => {
          for (let c = queue.shift(); c; c = queue.shift()) {
            const words = commandLine(c, demo);
            lines.set(c.path.join(' '), words);
            results.set(c.path.join(' '), await azemu([...words, '--debug'], { configDir: config }));
          }
        }),
      );
    }
  });

  after(async () => {
    await emu?.stop();
    removeTempDirs();
  });

  it('covers every offered command', () => {
    expect(ordered.length).to.equal(NETWORKCLOUD_COMMANDS.length);
    expect(ordered.length).to.be.greaterThan(140);
  });

  for (const command of ordered) {
    const name = command.path.join(' ');
    const run = command.run as NetworkCloudRun;
    it(name, function () {
      const words = lines.get(name)!;
      const r = results.get(name)!;
      const sent = requestsOf(r.rawStderr);
      expect(r.preview, `${name}: preview line`).to.equal(command.stage === 'Preview');

      // the request, as the table says
      expect(sent.length, `${name}: no request in\n${r.rawStderr.slice(0, 2000)}`).to.be.greaterThan(0);
      const first = sent[0];
      const firstMethod = run.op.startsWith('identity-') || run.op === 'wait' || run.op === 'show' || run.op === 'list' ? 'GET' : run.method;
      expect(first.method, name).to.equal(firstMethod);
      expect(first.url, name).to.equal(expectedUrl(command, words, demo));
      const bodyArgs = command.args.filter((a) => a.body);
      if (firstMethod !== 'GET' && bodyArgs.length) {
        for (const arg of bodyArgs) if (arg.default !== undefined) expect(getPath(first.body, arg.body!), `${name} ${arg.body} default`).to.equal(arg.default);
        if (run.managedIdentity === 'create') expect((first.body as { identity?: unknown }).identity, name).to.deep.equal({ type: 'None' });
      }

      if (!served.get(run.armType)) {
        // the request was checked above; the server's answer waits for the type
        console.log(`      (pending: the emulator does not serve ${run.armType} yet; request checked, result not)`);
        this.skip();
      }
      const unsampled = UNSAMPLED[name];
      if (unsampled) {
        expect(r.code, `${name} now succeeds: build its sample arguments and take it out of UNSAMPLED`).to.not.equal(0);
        if (unsampled.code) expect(errorLines(r.stderr), `${name}: ${unsampled.why}`).to.match(new RegExp(`^ERROR: \\(${unsampled.code}\\) `));
        return;
      }
      const why = REFUSED[name];
      if (why) {
        // reached the server, which answers these sample arguments with an ARM error (or accepts them)
        if (r.code !== 0) expect(errorLines(r.stderr), `${name}: ${why}`).to.match(/^ERROR: \(\w+\) /);
        return;
      }
      expect(r.code, `${name}\n${errorLines(r.stderr)}`).to.equal(0);
      if (words.includes('--no-wait')) {
        expect(r.stdout, name).to.equal('');
        return;
      }
      if (run.output === 'none') {
        expect(r.stdout, name).to.equal('');
        return;
      }
      const out = JSON.parse(r.stdout);
      if (run.op === 'action') {
        expect(out.status, name).to.equal('Succeeded');
        if (/"percentComplete": \d/.test(r.stdout)) expect(r.stdout, name).to.match(/"percentComplete": \d+\.\d+/);
      } else if (run.output === 'identity') {
        expect(out, name).to.have.property('type');
      } else if (run.op === 'list') {
        expect(out, name).to.be.an('array');
        for (const item of out) expect(item, name).to.not.have.property('properties');
      } else {
        expect(out, name).to.include.keys('id', 'name');
        expect(out, name).to.not.have.property('properties');
      }
    });
  }
});
