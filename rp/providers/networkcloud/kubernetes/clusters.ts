/**
 * Nexus Kubernetes clusters (kubernetesClusters). Create places the control plane and the initial
 * agent pools' nodes on the compute machines of the Nexus cluster the extendedLocation names, and
 * brings them up when the operation completes, with the initial agent pools and the default features
 * as child resources. A PATCH of kubernetesVersion rolls the nodes, batch by batch, on the virtual
 * clock (rolling.ts); its operation stays InProgress until the last node runs the new version.
 */
import type { Json, JsonObject } from '../../../api/derive.js';
import { networkCloudType } from '../../../api/registry.js';
import { ArmError, errors } from '../../../arm/errors.js';
import { newEtag } from '../../../arm/etag.js';
import type { OperationRecord } from '../../../arm/operations.js';
import { idKey, parseResourceId } from '../../../arm/resource-id.js';
import type { EmulatorHost } from '../../../host.js';
import type { StoreOp } from '../../../store/store.js';
import { RESOURCES, type StoredResource } from '../../resource-store.js';
import { setProvisioningState, TrackedResourceType, type TrackedOptions } from '../../tracked.js';
import { KUBERNETES_VERSIONS } from '../catalogues.js';
import { updateResource } from '../update.js';
import { defaultFeatureOps, featureStatuses } from './features.js';
import { agentPoolSpecs, controlPlaneSpec, poolProperties } from './pools.js';
import { attachedNetworkIds, computeMachines, hostClusterOf, KC_TYPE, MAX_POOL_NODES, nodesOf, RUNNING, scalePool, STEP_MS, type Node } from './nodes.js';
import { armScheduler, poolStatusOps, rollPending, stepCluster, syncMachineOps } from './rolling.js';

const compareVersions = (a: string, b: string) => {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
};

export function availableUpgrades(current: string): JsonObject[] {
  return KUBERNETES_VERSIONS.filter((k) => compareVersions(k.version, current) > 0).map((k) => ({ availabilityLifecycle: 'GenerallyAvailable', version: k.version }));
}

function requireCatalogued(version: unknown): string {
  const v = String(version ?? '');
  if (!KUBERNETES_VERSIONS.some((k) => k.version === v)) {
    throw errors.badRequest('InvalidKubernetesVersion', `The Kubernetes version '${v}' is not offered; choose one of ${KUBERNETES_VERSIONS.map((k) => k.version).join(', ')} (the kubernetesVersions catalogue).`, 'properties.kubernetesVersion');
  }
  return v;
}

/** The Microsoft.Kubernetes/connectedClusters id of the Arc-connected cluster (in the managed resource group). */
function connectedClusterId(hub: JsonObject): string {
  const id = parseResourceId(String(hub.id))!;
  const mrg = ((hub.properties as JsonObject).managedResourceGroupConfiguration as JsonObject | undefined)?.name ?? `${id.resourceGroup}-${id.name}-mrg`;
  return `/subscriptions/${id.subscriptionId}/resourceGroups/${String(mrg)}/providers/Microsoft.Kubernetes/connectedClusters/${id.name}`;
}

class KubernetesClusterType extends TrackedResourceType {
  constructor(private readonly emu: EmulatorHost, options: TrackedOptions) {
    super(networkCloudType('kubernetesClusters')!, hooks(emu), options);
  }

  /** Write and restartNode finish when their work on the clock is done (the operation stays InProgress until then). */
  override registerFinishers(emu: EmulatorHost): void {
    super.registerFinishers(emu);
    emu.operations.register(`${this.fullType}:write`, (op) => this.finishWrite(op));
    emu.operations.register(`${this.fullType}:restartNode`, async (op) => {
      const stored = this.find(emu, op.resourceId);
      if (!stored) throw new ArmError(404, 'ResourceNotFound', `The resource '${op.resourceId}' no longer exists.`);
      const name = String((op.args as JsonObject | null)?.nodeName ?? '').toLowerCase();
      const node = nodesOf(stored.resource.properties as JsonObject).find((n) => n.name.toLowerCase() === name);
      if (node?._kind === 'restart') return { pending: true };
      return { properties: { exitCode: '0', outputHead: `The node ${name} restarted.` } };
    });
    armScheduler(emu);
  }

  private async finishWrite(op: OperationRecord): Promise<{ pending?: boolean } | void> {
    const emu = this.emu;
    const stored = this.find(emu, op.resourceId);
    if (!stored) throw new ArmError(404, 'ResourceNotFound', `The resource '${op.resourceId}' was deleted before its operation completed.`);
    const hub = structuredClone(stored.resource);
    const props = hub.properties as JsonObject;
    const ops: StoreOp[] = [];
    if (props.detailedStatus === 'Provisioning' && op.verb === 'put') {
      // The cluster comes up: its nodes run, its initial agent pools and default features exist.
      for (const n of nodesOf(props)) Object.assign(n, RUNNING);
      ops.push(...initialPoolOps(emu, hub), ...defaultFeatureOps(emu, hub));
    } else {
      // A changed control-plane count adds or removes control-plane nodes.
      const host = typeof props.clusterId === 'string' ? props.clusterId : undefined;
      const { added, removed } = scalePool(emu, String(hub.id), props, host, controlPlaneSpec(props), String(props.controlPlaneKubernetesVersion ?? props.kubernetesVersion));
      for (const n of added) Object.assign(n, RUNNING);
      void removed;
    }
    const now = emu.clock.nowMs();
    stepCluster(emu, hub, now);
    const pending = rollPending(props);
    if (!pending) {
      setProvisioningState(hub, 'Succeeded');
      props.detailedStatus = 'Available';
      props.detailedStatusMessage = 'The Kubernetes cluster is available.';
      props.availableUpgrades = availableUpgrades(String(props.kubernetesVersion)) as Json;
    }
    if (ops.length) await emu.store.batch(ops);
    if (ops.length) props.featureStatuses = featureStatuses(emu, stored.id) as Json;
    props.attachedNetworkIds = attachedNetworkIds(props, agentPoolSpecs(emu, hub)) as Json;
    await this.save(emu, stored, hub, true);
    await emu.store.batch([...poolStatusOps(emu, hub), ...syncMachineOps(emu, [...nodesOf(stored.resource.properties as JsonObject), ...nodesOf(props)])]);
    return pending ? { pending: true } : undefined;
  }
}

/** The initial agent pools as child resources, created with the cluster. */
function initialPoolOps(emu: EmulatorHost, hub: JsonObject): StoreOp[] {
  const props = hub.properties as JsonObject;
  const now = emu.clock.iso();
  const systemData = { createdBy: 'Microsoft.NetworkCloud', createdByType: 'Application', createdAt: now, lastModifiedBy: 'Microsoft.NetworkCloud', lastModifiedByType: 'Application', lastModifiedAt: now };
  const configs = Array.isArray(props.initialAgentPoolConfigurations) ? (props.initialAgentPoolConfigurations as JsonObject[]) : [];
  return configs.map((c) => {
    const id = `${String(hub.id)}/agentPools/${String(c.name)}`;
    const resource: JsonObject = {
      id, name: c.name as Json, type: `${KC_TYPE}/agentPools`, location: hub.location as Json, extendedLocation: hub.extendedLocation as Json, systemData, etag: newEtag(), tags: {},
      properties: { ...poolProperties(c), kubernetesVersion: props.kubernetesVersion as Json, provisioningState: 'Succeeded', detailedStatus: 'Available', detailedStatusMessage: 'The agent pool is available.' },
    };
    return { op: 'put', collection: RESOURCES, key: idKey(id), value: { id, type: `${KC_TYPE}/agentPools`, seq: emu.nextSeq(), resource } satisfies StoredResource };
  });
}

function checkCounts(emu: EmulatorHost, hub: JsonObject, creating: boolean): void {
  const props = hub.properties as JsonObject;
  const tooMany = [controlPlaneSpec(props), ...(creating ? agentPoolSpecs(emu, hub, true) : [])].find((p) => p.count > MAX_POOL_NODES);
  if (tooMany) {
    throw errors.badRequest('InvalidNodeCount', `The emulator places at most ${MAX_POOL_NODES} nodes per pool; '${tooMany.name}' asks for ${tooMany.count}.`, tooMany.role === 'ControlPlane' ? 'properties.controlPlaneNodeConfiguration.count' : 'properties.initialAgentPoolConfigurations.count');
  }
}

function hooks(emu: EmulatorHost) {
  return {
    updatingState: 'Updating',
    initialize(hub: JsonObject) {
      const props = hub.properties as JsonObject;
      const version = requireCatalogued(props.kubernetesVersion);
      checkCounts(emu, hub, true);
      const host = hostClusterOf(emu, String((hub.extendedLocation as JsonObject | undefined)?.name ?? ''));
      if (!host) {
        throw errors.badRequest('InvalidExtendedLocation', `The extendedLocation '${String((hub.extendedLocation as JsonObject | undefined)?.name)}' is not the Kubernetes custom location (clusterExtendedLocation) of any Nexus cluster.`, 'extendedLocation.name');
      }
      const machines = computeMachines(emu, host.id);
      if (!machines.some((m) => m.usable)) {
        throw errors.conflict('NoComputeCapacity', `The Nexus cluster '${String(host.resource.name)}' has no usable compute machine: deploy it (and uncordon its machines) first.`);
      }
      props.clusterId = host.id;
      props.connectedClusterId = connectedClusterId(hub);
      props.controlPlaneKubernetesVersion = version;
      props.availableUpgrades = availableUpgrades(version) as Json;
      props.detailedStatus = 'Provisioning';
      props.detailedStatusMessage = 'The control plane and the initial agent pools are being provisioned.';
      props.featureStatuses = [];
      props.nodes = [];
      const pools = [controlPlaneSpec(props), ...agentPoolSpecs(emu, hub)];
      for (const pool of pools) {
        const zones = pool.availabilityZones;
        if (zones?.length && !machines.some((m) => m.usable && zones.includes(m.zone))) {
          throw errors.badRequest('InvalidAvailabilityZones', `No compute machine of the Nexus cluster is in availability zone(s) ${zones.join(', ')}; its zones are ${[...new Set(machines.map((m) => m.zone))].join(', ')}.`, pool.role === 'ControlPlane' ? 'properties.controlPlaneNodeConfiguration.availabilityZones' : 'properties.initialAgentPoolConfigurations.availabilityZones');
        }
        scalePool(emu, String(hub.id), props, host.id, pool, version);
      }
      props.attachedNetworkIds = attachedNetworkIds(props, pools) as Json;
    },
    prepare(hub: JsonObject, ctx: { existing?: StoredResource }) {
      const props = hub.properties as JsonObject;
      const version = requireCatalogued(props.kubernetesVersion);
      checkCounts(emu, hub, !ctx.existing);
      if (!ctx.existing) return;
      const before = String((ctx.existing.resource.properties as JsonObject).kubernetesVersion);
      if (version === before) return;
      if (compareVersions(version, before) < 0) {
        throw errors.badRequest('InvalidKubernetesVersion', `The Kubernetes version cannot go back from '${before}' to '${version}'; the available upgrades are ${availableUpgrades(before).map((u) => u.version).join(', ') || 'none'}.`, 'properties.kubernetesVersion');
      }
      // Every node is to move to the new version, batch by batch (rolling.ts).
      for (const n of nodesOf(props)) n._target = version;
      props.detailedStatusMessage = `The nodes are being upgraded to Kubernetes ${version}.`;
    },
    deleteOps(stored: StoredResource, e: EmulatorHost): StoreOp[] {
      const nodes = nodesOf(stored.resource.properties as JsonObject);
      return syncMachineOps(e, nodes, stored.id);
    },
    actions: {
      restartNode: {
        async accept(stored: StoredResource, body: JsonObject) {
          const name = String(body.nodeName ?? '');
          const node = nodesOf(stored.resource.properties as JsonObject).find((n) => n.name.toLowerCase() === name.toLowerCase());
          if (!node) throw new ArmError(404, 'NotFound', `The Kubernetes cluster '${String(stored.resource.name)}' has no node named '${name}'.`, 'nodeName');
          if (node._kind) throw errors.conflict('NodeBusy', `The node '${node.name}' is busy (${String(node._kind)}); try again when it has finished.`);
          const until = emu.clock.nowMs() + STEP_MS.restart;
          await updateResource(emu, stored.id, (_hub, props) => {
            const n = nodesOf(props).find((x) => x.name === node.name)! as Node;
            Object.assign(n, { detailedStatus: 'Stopped', detailedStatusMessage: 'The node is restarting.', powerState: 'Off', _kind: 'restart', _until: until, _then: { ...RUNNING } });
          });
          armScheduler(emu);
        },
        finish: () => undefined,
      },
    },
  };
}

export function kubernetesClusters(emu: EmulatorHost, options: TrackedOptions): TrackedResourceType {
  return new KubernetesClusterType(emu, options);
}
