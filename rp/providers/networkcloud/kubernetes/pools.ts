/**
 * Agent pools (kubernetesClusters/agentPools) and the control plane, as the specs the node planner
 * works from. A pool's count decides how many worker nodes its cluster lists: a create or a count
 * change adds nodes (placed and running when the operation completes) or removes the newest ones.
 */
import type { Json, JsonObject } from '../../../api/derive.js';
import { networkCloudType } from '../../../api/registry.js';
import { errors } from '../../../arm/errors.js';
import { idKey } from '../../../arm/resource-id.js';
import type { EmulatorHost } from '../../../host.js';
import { RESOURCES, type StoredResource } from '../../resource-store.js';
import { TrackedResourceType, type TrackedOptions } from '../../tracked.js';
import { attachedNetworkIds, belongsTo, computeMachines, KC_TYPE, MAX_POOL_NODES, nodesOf, RUNNING, scalePool, type PoolSpec } from './nodes.js';
import { armScheduler, syncMachineOps } from './rolling.js';
import { updateResource } from '../update.js';

export const POOL_TYPE = `${KC_TYPE}/agentPools`;

const POOL_FIELDS = ['administratorConfiguration', 'agentOptions', 'attachedNetworkConfiguration', 'availabilityZones', 'count', 'labels', 'mode', 'taints', 'upgradeSettings', 'vmSkuName'];

/** An initial agent pool configuration's members, as its agentPools resource has them. */
export function poolProperties(config: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const k of POOL_FIELDS) if (config[k] !== undefined) out[k] = structuredClone(config[k]);
  return out;
}

export function controlPlaneSpec(props: JsonObject): PoolSpec {
  const cp = (props.controlPlaneNodeConfiguration ?? {}) as JsonObject;
  return {
    name: 'control-plane', role: 'ControlPlane', mode: 'NotApplicable', count: Number(cp.count ?? 1), vmSkuName: String(cp.vmSkuName ?? ''),
    availabilityZones: Array.isArray(cp.availabilityZones) ? cp.availabilityZones.map(String) : undefined,
    upgradeSettings: { maxSurge: '1', maxUnavailable: '0' },
  };
}

function specOf(id: string, name: string, p: JsonObject): PoolSpec {
  return {
    id, name, role: 'Worker', mode: String(p.mode ?? 'User'), count: Number(p.count ?? 0), vmSkuName: String(p.vmSkuName ?? ''),
    availabilityZones: Array.isArray(p.availabilityZones) ? p.availabilityZones.map(String) : undefined,
    labels: p.labels as Json, taints: p.taints as Json,
    attachedNetworkConfiguration: p.attachedNetworkConfiguration as JsonObject | undefined,
    upgradeSettings: p.upgradeSettings as JsonObject | undefined,
  };
}

/** The cluster's agent pools: its agentPools resources once they exist, its initial configurations before. */
export function agentPoolSpecs(emu: EmulatorHost, hub: JsonObject, initial = false): PoolSpec[] {
  const clusterId = String(hub.id);
  const prefix = `${idKey(clusterId)}/agentpools/`;
  const stored = emu.store.entries<StoredResource>(RESOURCES).filter(([k, r]) => k.startsWith(prefix) && r.type === POOL_TYPE).map(([, r]) => r).sort((a, b) => a.seq - b.seq);
  if (!initial && (stored.length || (hub.properties as JsonObject).detailedStatus !== 'Provisioning')) return stored.map((r) => specOf(r.id, String(r.resource.name), r.resource.properties as JsonObject));
  // While the cluster is created, its pools are still the initial configurations.
  const configs = Array.isArray((hub.properties as JsonObject).initialAgentPoolConfigurations) ? ((hub.properties as JsonObject).initialAgentPoolConfigurations as JsonObject[]) : [];
  return configs.map((c) => specOf(`${clusterId}/agentPools/${String(c.name)}`, String(c.name), c));
}

/** The spec of the pool a node belongs to (the control plane's for control-plane nodes). */
export function poolSpecOf(emu: EmulatorHost, hub: JsonObject, agentPoolId: unknown): PoolSpec {
  if (typeof agentPoolId !== 'string') return controlPlaneSpec(hub.properties as JsonObject);
  return agentPoolSpecs(emu, hub).find((p) => p.id?.toLowerCase() === agentPoolId.toLowerCase()) ?? controlPlaneSpec(hub.properties as JsonObject);
}

const clusterIdOf = (poolId: string) => poolId.replace(/\/agentPools\/[^/]+$/i, '');

export function agentPools(emu: EmulatorHost, options: TrackedOptions): TrackedResourceType {
  const def = networkCloudType('kubernetesClusters/agentPools')!;
  return new TrackedResourceType(def, {
    updatingState: 'Updating',
    initialize(hub) {
      const cluster = emu.store.get<StoredResource>(RESOURCES, idKey(clusterIdOf(String(hub.id))));
      const cprops = (cluster?.resource.properties ?? {}) as JsonObject;
      if (cprops.detailedStatus === 'Provisioning') {
        throw errors.conflict('KubernetesClusterNotReady', `The Kubernetes cluster '${String(cluster?.resource.name)}' is still being provisioned; add agent pools once it is available.`);
      }
      const props = hub.properties as JsonObject;
      props.kubernetesVersion = (cprops.kubernetesVersion ?? null) as Json;
      props.detailedStatus = 'Provisioning';
      props.detailedStatusMessage = 'The agent pool\'s nodes are being provisioned.';
    },
    prepare(hub) {
      const props = hub.properties as JsonObject;
      const count = Number(props.count);
      if (!Number.isInteger(count) || count < 0 || count > MAX_POOL_NODES) throw errors.badRequest('InvalidAgentPoolCount', `The agent pool count must be a whole number from 0 to ${MAX_POOL_NODES} (the emulator's limit); got ${String(props.count)}.`, 'properties.count');
      if (props.mode === 'System' && count < 1) throw errors.badRequest('InvalidAgentPoolCount', 'A System agent pool needs at least one node.', 'properties.count');
      const cluster = emu.store.get<StoredResource>(RESOURCES, idKey(clusterIdOf(String(hub.id))));
      const host = (cluster?.resource.properties as JsonObject | undefined)?.clusterId;
      const zones = Array.isArray(props.availabilityZones) ? props.availabilityZones.map(String) : [];
      const machines = typeof host === 'string' ? computeMachines(emu, host) : [];
      if (zones.length && !machines.some((m) => m.usable && zones.includes(m.zone))) {
        throw errors.badRequest('InvalidAvailabilityZones', `No compute machine of the Nexus cluster is in availability zone(s) ${zones.join(', ')}.`, 'properties.availabilityZones');
      }
    },
    async afterWrite(hub) {
      const props = hub.properties as JsonObject;
      const clusterId = clusterIdOf(String(hub.id));
      const pool = specOf(String(hub.id), String(hub.name), props);
      let before: JsonObject[] = [];
      let after: JsonObject[] = [];
      await updateResource(emu, clusterId, (kc, kprops) => {
        before = nodesOf(kprops);
        const { added } = scalePool(emu, String(kc.id), kprops, typeof kprops.clusterId === 'string' ? kprops.clusterId : undefined, pool, String(kprops.controlPlaneKubernetesVersion ?? kprops.kubernetesVersion));
        for (const n of added) Object.assign(n, RUNNING);
        const pools = agentPoolSpecs(emu, kc).filter((p) => p.id?.toLowerCase() !== pool.id?.toLowerCase());
        kprops.attachedNetworkIds = attachedNetworkIds(kprops, [...pools, pool]) as Json;
        after = nodesOf(kprops);
        props.kubernetesVersion = (kprops.controlPlaneKubernetesVersion ?? kprops.kubernetesVersion) as Json;
      });
      const placed = after.filter((n) => belongsTo(n as never, pool)).length;
      props.detailedStatus = placed === pool.count ? 'Available' : 'Error';
      props.detailedStatusMessage = placed === pool.count ? 'The agent pool is available.' : `Only ${placed} of ${pool.count} nodes could be placed: no usable compute machine is left in the pool's zones.`;
      await emu.store.batch(syncMachineOps(emu, [...before, ...after] as never));
      armScheduler(emu);
    },
    async afterDelete(stored) {
      const clusterId = clusterIdOf(stored.id);
      const pool = specOf(stored.id, String(stored.resource.name), stored.resource.properties as JsonObject);
      let before: JsonObject[] = [];
      await updateResource(emu, clusterId, (kc, kprops) => {
        before = nodesOf(kprops);
        kprops.nodes = nodesOf(kprops).filter((n) => !belongsTo(n, pool)) as Json;
        kprops.attachedNetworkIds = attachedNetworkIds(kprops, agentPoolSpecs(emu, kc).filter((p) => p.id?.toLowerCase() !== stored.id.toLowerCase())) as Json;
      });
      await emu.store.batch(syncMachineOps(emu, before as never));
    },
  }, options);
}
