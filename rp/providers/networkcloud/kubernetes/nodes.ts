/**
 * The nodes of a Nexus Kubernetes cluster: where they run (compute machines of the cluster named by
 * the Kubernetes cluster's extendedLocation), what they look like (`properties.nodes[]` of the
 * kubernetesClusters resource, the one place nodes are stored) and the timed transitions they go
 * through. A node in transition carries emulator-only members (`_until`, `_then`, `_kind`), which no
 * api-version shows: at `_until` on the virtual clock, the fields in `_then` are applied.
 */
import { createHash } from 'node:crypto';
import type { Json, JsonObject } from '../../../api/derive.js';
import { idKey } from '../../../arm/resource-id.js';
import type { EmulatorHost } from '../../../host.js';
import { RESOURCES, type StoredResource } from '../../resource-store.js';

export const KC_TYPE = 'Microsoft.NetworkCloud/kubernetesClusters';
export const BMM_TYPE = 'Microsoft.NetworkCloud/bareMetalMachines';

/** Virtual-clock time of each step (documented in docs/kubernetes.md). */
export const STEP_MS = { upgrade: 60_000, restart: 30_000, evacuate: 60_000 } as const;

export type Node = JsonObject & { name: string };

/** The most nodes the emulator places for one pool (or the control plane): a guard against runaway counts. */
export const MAX_POOL_NODES = 100;

/** What a pool (or the control plane) asks of its nodes. */
export interface PoolSpec {
  /** The agent pool's id; undefined for the control plane. */
  id?: string;
  name: string;
  role: 'ControlPlane' | 'Worker';
  mode: string;
  count: number;
  vmSkuName: string;
  availabilityZones?: string[];
  labels?: Json;
  taints?: Json;
  attachedNetworkConfiguration?: JsonObject;
  upgradeSettings?: JsonObject;
}

export function nodesOf(props: JsonObject): Node[] {
  return Array.isArray(props.nodes) ? (props.nodes as Node[]) : [];
}

/** The Nexus cluster whose clusterExtendedLocation the Kubernetes cluster's extendedLocation names. */
export function hostClusterOf(emu: EmulatorHost, extendedLocationName: string): StoredResource | undefined {
  const name = extendedLocationName.toLowerCase();
  for (const r of emu.store.list<StoredResource>(RESOURCES)) {
    if (r.type !== 'Microsoft.NetworkCloud/clusters') continue;
    const cl = (r.resource.properties as JsonObject | undefined)?.clusterExtendedLocation as JsonObject | undefined;
    if (String(cl?.name ?? '').toLowerCase() === name) return r;
  }
  return undefined;
}

export interface Machine {
  id: string;
  zone: string;
  usable: boolean;
  compute?: boolean;
}

/** The cluster's compute machines (compute-plane role; all its machines if it has none), with their rack's availability zone, in id order. */
export function computeMachines(emu: EmulatorHost, clusterId: string): Machine[] {
  const key = clusterId.toLowerCase();
  const out: Machine[] = [];
  for (const r of emu.store.list<StoredResource>(RESOURCES)) {
    if (r.type !== BMM_TYPE) continue;
    const p = r.resource.properties as JsonObject;
    if (String(p.clusterId ?? '').toLowerCase() !== key) continue;
    const roles = Array.isArray(p.machineRoles) ? p.machineRoles.map(String) : [];
    const rack = typeof p.rackId === 'string' ? emu.store.get<StoredResource>(RESOURCES, idKey(p.rackId)) : undefined;
    const zone = String((rack?.resource.properties as JsonObject | undefined)?.availabilityZone ?? '1');
    out.push({ id: r.id, zone, usable: p.cordonStatus !== 'Cordoned' && p.powerState !== 'Off', compute: roles.some((role) => role.includes('compute-plane')) });
  }
  // A lab cluster without compute machines (one small rack) runs its nodes on the machines it has.
  const compute = out.filter((m) => m.compute);
  return (compute.length ? compute : out).sort((a, b) => a.id.localeCompare(b.id));
}

/** How many nodes (of every Kubernetes cluster) each machine carries, by lower-cased machine id. */
export function machineLoad(emu: EmulatorHost, extra: Node[] = []): Map<string, number> {
  const load = new Map<string, number>();
  const add = (n: Node) => {
    const m = typeof n.bareMetalMachineId === 'string' ? n.bareMetalMachineId.toLowerCase() : undefined;
    if (m) load.set(m, (load.get(m) ?? 0) + 1);
  };
  for (const r of emu.store.list<StoredResource>(RESOURCES)) if (r.type === KC_TYPE) nodesOf(r.resource.properties as JsonObject).forEach(add);
  extra.forEach(add);
  return load;
}

/**
 * Picks a machine for a new node: a usable machine in one of the zones asked for (any zone when
 * none is), the least loaded one first, spreading a pool's nodes across zones in turn.
 */
export function pickMachine(machines: Machine[], load: Map<string, number>, zones: string[] | undefined, index: number, exclude?: string): Machine | undefined {
  const allowed = machines.filter((m) => m.usable && m.id.toLowerCase() !== exclude?.toLowerCase() && (!zones?.length || zones.includes(m.zone)));
  if (!allowed.length) return undefined;
  const zoneOrder = zones?.length ? zones.filter((z) => allowed.some((m) => m.zone === z)) : [...new Set(allowed.map((m) => m.zone))];
  const zone = zoneOrder[index % zoneOrder.length];
  const inZone = allowed.filter((m) => m.zone === zone);
  return [...inZone].sort((a, b) => (load.get(a.id.toLowerCase()) ?? 0) - (load.get(b.id.toLowerCase()) ?? 0))[0];
}

/** Cores, memory and disk of a Nexus VM SKU name such as NC_G48_224_v1 (48 cores, 224 GB). */
export function skuShape(vmSkuName: string): { cpuCores: number; memorySizeGB: number; diskSizeGB: number } {
  const m = /^NC_[A-Z]*(\d+)_(\d+)_v\d+$/i.exec(vmSkuName);
  return m ? { cpuCores: Number(m[1]), memorySizeGB: Number(m[2]), diskSizeGB: 300 } : { cpuCores: 4, memorySizeGB: 16, diskSizeGB: 300 };
}

/** An address inside an IPv4 prefix such as 10.1.0.0/24 (host number n), or in 10.250.0.0/16. */
function addressIn(prefix: string | undefined, n: number): string {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(prefix ?? '');
  const base = m ? ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0 : 0x0afa0000;
  const size = m ? 2 ** (32 - Number(m[5])) : 65536;
  const host = (base + 10 + (n % Math.max(1, size - 12))) >>> 0;
  return [24, 16, 8, 0].map((s) => (host >>> s) & 0xff).join('.');
}

/** A stable locally administered MAC address for one interface of a node. */
function macFor(node: string, attachment: string): string {
  return `02:${createHash('sha256').update(`${node}/${attachment}`).digest('hex').slice(0, 10).match(/../g)!.join(':')}`;
}

/** The networks of a Kubernetes cluster (and of a pool, when it names its own), as the node sees them. */
export function nodeNetworks(emu: EmulatorHost, clusterProps: JsonObject, pool: PoolSpec, hostNumber: number, node: string): JsonObject[] {
  const net = (clusterProps.networkConfiguration ?? {}) as JsonObject;
  const attached = (pool.attachedNetworkConfiguration ?? net.attachedNetworkConfiguration ?? {}) as JsonObject;
  const prefixOf = (id: string) => {
    const r = emu.store.get<StoredResource>(RESOURCES, idKey(id));
    return (r?.resource.properties as JsonObject | undefined)?.ipv4ConnectedPrefix as string | undefined;
  };
  const out: JsonObject[] = [];
  if (typeof net.cniNetworkId === 'string') {
    out.push({ attachedNetworkId: net.cniNetworkId, defaultGateway: 'True', ipAllocationMethod: 'Dynamic', ipv4Address: addressIn(prefixOf(net.cniNetworkId), hostNumber), macAddress: macFor(node, 'cni'), networkAttachmentName: 'cni' });
  }
  if (typeof net.cloudServicesNetworkId === 'string') {
    out.push({ attachedNetworkId: net.cloudServicesNetworkId, defaultGateway: 'False', ipAllocationMethod: 'Dynamic', ipv4Address: addressIn('169.254.0.0/16', hostNumber), macAddress: macFor(node, 'csn'), networkAttachmentName: 'csn' });
  }
  const list = (k: string) => (Array.isArray(attached[k]) ? (attached[k] as JsonObject[]) : []);
  list('l3Networks').forEach((n, i) => {
    const ipam = n.ipamEnabled === 'True';
    out.push({ attachedNetworkId: n.networkId as Json, defaultGateway: 'False', ipAllocationMethod: ipam ? 'Dynamic' : 'Disabled', ...(ipam ? { ipv4Address: addressIn(prefixOf(String(n.networkId)), hostNumber) } : {}), macAddress: macFor(node, `l3net${i}`), networkAttachmentName: `l3net${i}` });
  });
  list('l2Networks').forEach((n, i) => out.push({ attachedNetworkId: n.networkId as Json, defaultGateway: 'False', ipAllocationMethod: 'Disabled', macAddress: macFor(node, `l2net${i}`), networkAttachmentName: `l2net${i}` }));
  list('trunkedNetworks').forEach((n, i) => out.push({ attachedNetworkId: n.networkId as Json, defaultGateway: 'False', ipAllocationMethod: 'Disabled', macAddress: macFor(node, `trunknet${i}`), networkAttachmentName: `trunknet${i}` }));
  return out;
}

/** Every network the cluster attaches: CNI, cloud services, and those of its attached network configurations. */
export function attachedNetworkIds(props: JsonObject, pools: PoolSpec[]): string[] {
  const net = (props.networkConfiguration ?? {}) as JsonObject;
  const ids: string[] = [];
  const add = (v: unknown) => {
    if (typeof v === 'string' && !ids.some((x) => x.toLowerCase() === v.toLowerCase())) ids.push(v);
  };
  add(net.cniNetworkId);
  add(net.cloudServicesNetworkId);
  for (const conf of [net.attachedNetworkConfiguration, ...pools.map((p) => p.attachedNetworkConfiguration)]) {
    if (!conf || typeof conf !== 'object') continue;
    for (const k of ['l2Networks', 'l3Networks', 'trunkedNetworks']) {
      const list = (conf as JsonObject)[k];
      if (Array.isArray(list)) list.forEach((n) => add((n as JsonObject | null)?.networkId));
    }
  }
  return ids;
}

/** A stable five-character suffix for the index-th node of a pool (the same pool and index give the same name). */
function suffix(clusterId: string, pool: string, index: number): string {
  return createHash('sha256').update(`${clusterId.toLowerCase()}/${pool}/${index}`).digest('hex').slice(0, 5);
}

/** A new node of a pool, placed on `machine`, coming up (Provisioning until its create completes). */
export function newNode(emu: EmulatorHost, clusterId: string, clusterProps: JsonObject, pool: PoolSpec, machine: Machine, version: string, hostNumber: number, index: number): Node {
  const clusterName = clusterId.split('/').pop()!;
  const name = (pool.role === 'ControlPlane' ? `${clusterName}-control-plane-${suffix(clusterId, pool.name, index)}` : `${clusterName}-${pool.name}-md-${suffix(clusterId, pool.name, index)}`).toLowerCase();
  return {
    name,
    _host: hostNumber,
    ...(pool.id ? { agentPoolId: pool.id } : {}),
    availabilityZone: machine.zone,
    bareMetalMachineId: machine.id,
    ...skuShape(pool.vmSkuName),
    detailedStatus: 'Provisioning',
    detailedStatusMessage: 'The node is being provisioned.',
    image: `nexus-kubernetes-node-${version}`,
    kubernetesVersion: version,
    labels: (pool.labels ?? []) as Json,
    mode: pool.mode,
    networkAttachments: nodeNetworks(emu, clusterProps, pool, hostNumber, name) as Json,
    powerState: 'Off',
    role: pool.role,
    taints: (pool.taints ?? []) as Json,
    vmSkuName: pool.vmSkuName,
  };
}

export const RUNNING: JsonObject = { detailedStatus: 'Running', detailedStatusMessage: 'The node is running.', powerState: 'On' };

/** Brings a pool's nodes to its count: new nodes are placed and come up, surplus nodes (newest first) go. */
export function scalePool(emu: EmulatorHost, clusterId: string, clusterProps: JsonObject, hostId: string | undefined, pool: PoolSpec, version: string): { added: Node[]; removed: Node[] } {
  const all = nodesOf(clusterProps);
  const mine = all.filter((n) => belongsTo(n, pool));
  const added: Node[] = [];
  const removed: Node[] = [];
  if (mine.length > pool.count) {
    removed.push(...mine.slice(pool.count));
  } else if (mine.length < pool.count) {
    const machines = hostId ? computeMachines(emu, hostId) : [];
    const load = machineLoad(emu, all);
    // Each node has its own host number (its addresses), the lowest free one.
    const hosts = new Set(all.map((n) => n._host));
    let host = 1;
    for (let i = mine.length; i < pool.count; i++) {
      const machine = pickMachine(machines, load, pool.availabilityZones, i);
      if (!machine) break;
      load.set(machine.id.toLowerCase(), (load.get(machine.id.toLowerCase()) ?? 0) + 1);
      while (hosts.has(host)) host++;
      hosts.add(host);
      added.push(newNode(emu, clusterId, clusterProps, pool, machine, version, host, i));
    }
  }
  const gone = new Set(removed.map((n) => n.name));
  clusterProps.nodes = [...all.filter((n) => !gone.has(n.name)), ...added] as Json;
  return { added, removed };
}

export function belongsTo(n: Node, pool: PoolSpec): boolean {
  if (pool.role === 'ControlPlane') return n.role === 'ControlPlane';
  return n.role !== 'ControlPlane' && String(n.agentPoolId ?? '').toLowerCase() === String(pool.id ?? '').toLowerCase();
}

/** The nodes (of every Kubernetes cluster) placed on a bare metal machine, with the cluster each belongs to. */
export function nodesOnMachine(emu: EmulatorHost, machineId: string): { kubernetesClusterId: string; node: JsonObject }[] {
  const key = machineId.toLowerCase();
  const out: { kubernetesClusterId: string; node: JsonObject }[] = [];
  for (const r of emu.store.list<StoredResource>(RESOURCES)) {
    if (r.type !== KC_TYPE) continue;
    for (const n of nodesOf(r.resource.properties as JsonObject)) {
      if (String(n.bareMetalMachineId ?? '').toLowerCase() === key) out.push({ kubernetesClusterId: r.id, node: publicNode(n) });
    }
  }
  return out;
}

/** A node without the emulator's bookkeeping members. */
export function publicNode(n: Node): JsonObject {
  return Object.fromEntries(Object.entries(n).filter(([k]) => !k.startsWith('_')));
}

/** The Kubernetes clusters with a node on the machine (its associatedResourceIds). */
export function kubernetesClustersOnMachine(emu: EmulatorHost, machineId: string): string[] {
  return [...new Set(nodesOnMachine(emu, machineId).map((n) => n.kubernetesClusterId))];
}
