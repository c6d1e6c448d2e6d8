/**
 * What moves Kubernetes nodes on the virtual clock: timed transitions (restart, evacuation, upgrade)
 * end at their `_until`, and a rolling upgrade starts its next batch when the previous one ends
 * (control plane first, one node at a time; then each agent pool under its upgradeSettings). The
 * emulator's clock changes and a wall-clock timer (for time passing on its own) drive it. Also keeps
 * each bare metal machine's associatedResourceIds true to the Kubernetes clusters placed on it.
 */
import type { Json, JsonObject } from '../../../api/derive.js';
import { newEtag } from '../../../arm/etag.js';
import { idKey } from '../../../arm/resource-id.js';
import type { EmulatorHost } from '../../../host.js';
import { resourceLockKey } from '../../../arm/locks.js';
import type { StoreOp } from '../../../store/store.js';
import { RESOURCES, type StoredResource } from '../../resource-store.js';
import { kubernetesClustersOnMachine, KC_TYPE, nodesOf, RUNNING, STEP_MS, type Node } from './nodes.js';

const AGENT_POOLS = `${KC_TYPE}/agentPools`;

/** Whether some node has yet to move to the cluster's target Kubernetes version. */
export function rollPending(props: JsonObject): boolean {
  return nodesOf(props).some((n) => n._target !== undefined);
}

/** "3" or "33%" of a pool of `count` nodes; `fallback` when absent or unreadable. */
export function resolveCount(value: unknown, count: number, fallback: number): number {
  const text = String(value ?? '').trim();
  const pct = /^(\d+)%$/.exec(text);
  if (pct) return Math.ceil((count * Number(pct[1])) / 100);
  return /^\d+$/.test(text) ? Number(text) : fallback;
}

/** The next nodes to upgrade: control-plane nodes one at a time, then each pool's, maxSurge/maxUnavailable at a time. */
function nextBatch(emu: EmulatorHost, props: JsonObject): Node[] {
  const waiting = nodesOf(props).filter((n) => n._target !== undefined && n.kubernetesVersion !== n._target && !n._kind);
  const cp = waiting.filter((n) => n.role === 'ControlPlane');
  if (nodesOf(props).some((n) => n.role === 'ControlPlane' && n._target !== undefined)) return cp.slice(0, 1);
  const poolId = waiting[0]?.agentPoolId;
  if (poolId === undefined) return [];
  const pool = emu.store.get<StoredResource>(RESOURCES, idKey(String(poolId)));
  const settings = ((pool?.resource.properties as JsonObject | undefined)?.upgradeSettings ?? {}) as JsonObject;
  const size = nodesOf(props).filter((n) => n.agentPoolId === poolId).length;
  const batch = Math.max(1, resolveCount(settings.maxSurge, size, 1), resolveCount(settings.maxUnavailable, size, 0));
  return waiting.filter((n) => n.agentPoolId === poolId).slice(0, batch);
}

/**
 * Moves a cluster's nodes to `nowMs`: ends due transitions (earliest first) and starts upgrade
 * batches, each when the previous one ended, so a big clock step plays every batch in order.
 * Returns whether anything changed.
 */
export function stepCluster(emu: EmulatorHost, hub: JsonObject, nowMs: number): boolean {
  const props = hub.properties as JsonObject;
  const nodes = nodesOf(props);
  let changed = false;
  let cursor: number | undefined;
  for (;;) {
    const due = nodes.filter((n) => typeof n._until === 'number' && (n._until as number) <= nowMs).sort((a, b) => (a._until as number) - (b._until as number));
    for (const n of due) {
      if (n._kind === 'upgrade') cursor = Math.max(cursor ?? 0, n._until as number);
      Object.assign(n, n._then as JsonObject);
      if (n._target !== undefined && n.kubernetesVersion === n._target) delete n._target;
      delete n._until;
      delete n._then;
      delete n._kind;
      changed = true;
    }
    // A node already on the target (e.g. added by a scale during the roll) has nothing to do.
    for (const n of nodes) if (n._target !== undefined && n.kubernetesVersion === n._target && !n._kind) delete n._target;
    if (nodes.some((n) => n._kind === 'upgrade')) break;
    const batch = nextBatch(emu, props);
    if (!batch.length) break;
    const start = cursor ?? nowMs;
    for (const n of batch) {
      const target = String(n._target);
      Object.assign(n, {
        detailedStatus: 'Provisioning',
        detailedStatusMessage: `The node is being upgraded to Kubernetes ${target}: cordoned, drained and rebuilt.`,
        _kind: 'upgrade',
        _until: start + STEP_MS.upgrade,
        _then: { ...RUNNING, kubernetesVersion: target, image: `nexus-kubernetes-node-${target}` },
      });
    }
    changed = true;
    if (start + STEP_MS.upgrade > nowMs) break;
  }
  // The control plane runs the new version once its last node does.
  const cpDone = !nodes.some((n) => n.role === 'ControlPlane' && n._target !== undefined);
  if (cpDone && props.controlPlaneKubernetesVersion !== props.kubernetesVersion) {
    props.controlPlaneKubernetesVersion = props.kubernetesVersion as Json;
    changed = true;
  }
  return changed;
}

/** Each agent pool's state during a roll: Updating while its nodes move, then the version they run. */
export function poolStatusOps(emu: EmulatorHost, hub: JsonObject): StoreOp[] {
  const props = hub.properties as JsonObject;
  const prefix = `${idKey(String(hub.id))}/agentpools/`;
  const ops: StoreOp[] = [];
  for (const [key, r] of emu.store.entries<StoredResource>(RESOURCES)) {
    if (!key.startsWith(prefix) || r.type !== AGENT_POOLS) continue;
    const p = r.resource.properties as JsonObject;
    const mine = nodesOf(props).filter((n) => String(n.agentPoolId ?? '').toLowerCase() === r.id.toLowerCase());
    const rolling = mine.some((n) => n._target !== undefined);
    const next: JsonObject = { ...p };
    if (rolling) {
      Object.assign(next, { provisioningState: 'Updating', detailedStatus: 'Provisioning', detailedStatusMessage: `The agent pool's nodes are being upgraded to Kubernetes ${String(props.kubernetesVersion)}.`, _rolling: true });
    } else if (p._rolling) {
      delete next._rolling;
      Object.assign(next, { provisioningState: 'Succeeded', detailedStatus: 'Available', detailedStatusMessage: 'The agent pool is available.', kubernetesVersion: props.kubernetesVersion as Json });
    } else continue;
    if (JSON.stringify(next) === JSON.stringify(p)) continue;
    ops.push({ op: 'put', collection: RESOURCES, key, value: { ...r, resource: { ...r.resource, etag: newEtag(), properties: next } } });
  }
  return ops;
}

/**
 * Store writes that make each machine the given nodes ran or run on list exactly the Kubernetes
 * clusters placed on it now in associatedResourceIds (leaving `without` out, for a cluster going away).
 */
export function syncMachineOps(emu: EmulatorHost, nodes: Node[] | JsonObject[], without?: string): StoreOp[] {
  const machines = new Set(nodes.map((n) => (typeof n.bareMetalMachineId === 'string' ? n.bareMetalMachineId.toLowerCase() : '')).filter(Boolean));
  const ops: StoreOp[] = [];
  for (const m of machines) {
    const r = emu.store.get<StoredResource>(RESOURCES, idKey(m));
    if (!r) continue;
    const p = r.resource.properties as JsonObject;
    const current = Array.isArray(p.associatedResourceIds) ? p.associatedResourceIds.map(String) : [];
    const others = current.filter((id) => !id.toLowerCase().includes('/providers/microsoft.networkcloud/kubernetesclusters/'));
    const clusters = kubernetesClustersOnMachine(emu, r.id).filter((id) => id.toLowerCase() !== without?.toLowerCase());
    const next = [...others, ...clusters];
    if (JSON.stringify(next) === JSON.stringify(current)) continue;
    ops.push({ op: 'put', collection: RESOURCES, key: idKey(r.id), value: { ...r, resource: { ...r.resource, etag: newEtag(), properties: { ...p, associatedResourceIds: next } } } });
  }
  return ops;
}

/** Steps one Kubernetes cluster to now, under its write lock, then ends the operations whose work is done. */
async function reconcile(emu: EmulatorHost, id: string): Promise<void> {
  await emu.writeLock.run(resourceLockKey(id), async () => {
    const stored = emu.store.get<StoredResource>(RESOURCES, idKey(id));
    if (!stored) return;
    const hub = structuredClone(stored.resource);
    if (stepCluster(emu, hub, emu.clock.nowMs())) {
      hub.etag = newEtag();
      await emu.store.transaction(async () => {
        await emu.store.put(RESOURCES, idKey(id), { ...stored, resource: hub });
        await emu.store.batch([...poolStatusOps(emu, hub), ...syncMachineOps(emu, [...nodesOf(stored.resource.properties as JsonObject), ...nodesOf(hub.properties as JsonObject)])]);
      });
    }
    for (const op of emu.operations.inProgressFor(id)) {
      if (op.dueAt <= Date.now() && ['put', 'patch', 'restartNode'].includes(op.verb)) await emu.operations.complete(op.name);
    }
  });
}

/** The Kubernetes clusters with work on the clock (a node in transition or to upgrade, or an operation waiting). */
function busyClusters(emu: EmulatorHost): StoredResource[] {
  const busy = emu.operations.busyResources();
  return emu.store.list<StoredResource>(RESOURCES).filter((r) => r.type === KC_TYPE && (busy.has(r.id.toLowerCase()) || nodesOf(r.resource.properties as JsonObject).some((n) => n._until !== undefined || n._target !== undefined)));
}

export async function reconcileAll(emu: EmulatorHost): Promise<void> {
  for (const r of busyClusters(emu)) await reconcile(emu, r.id);
  armTimer(emu);
}

interface SchedulerState {
  timer?: NodeJS.Timeout;
}
const schedulers = new WeakMap<EmulatorHost, SchedulerState>();

/** Starts following the clock for this emulator (once), and re-arms the wall-clock timer. */
export function armScheduler(emu: EmulatorHost): void {
  if (!schedulers.has(emu)) {
    schedulers.set(emu, {});
    emu.clock.onChange(() => reconcileAll(emu));
  }
  armTimer(emu);
}

/** A timer for the earliest transition, so it also ends when the wall clock (not a clock step) gets there. */
function armTimer(emu: EmulatorHost): void {
  const state = schedulers.get(emu);
  if (!state) return;
  if (state.timer) clearTimeout(state.timer);
  state.timer = undefined;
  let next: number | undefined;
  for (const r of emu.store.list<StoredResource>(RESOURCES)) {
    if (r.type !== KC_TYPE) continue;
    for (const n of nodesOf(r.resource.properties as JsonObject)) if (typeof n._until === 'number') next = Math.min(next ?? Infinity, n._until);
  }
  if (next === undefined) return;
  const delay = Math.min(2 ** 31 - 1, Math.max(0, next - emu.clock.nowMs()) + 10);
  state.timer = setTimeout(() => {
    // A failure here (e.g. the emulator closing) is retried at the next clock change.
    emu.track(reconcileAll(emu)).catch(() => undefined);
  }, delay);
  state.timer.unref();
}

/**
 * A machine cordoned with evacuation: its Kubernetes nodes move to other usable compute machines of
 * the cluster (Provisioning there for one step), or stop where no other machine can take them.
 */
export async function evacuateMachine(emu: EmulatorHost, machineId: string, place: (hub: JsonObject, node: Node) => { id: string; zone: string } | undefined): Promise<void> {
  const key = machineId.toLowerCase();
  for (const r of emu.store.list<StoredResource>(RESOURCES)) {
    if (r.type !== KC_TYPE) continue;
    if (!nodesOf(r.resource.properties as JsonObject).some((n) => String(n.bareMetalMachineId ?? '').toLowerCase() === key)) continue;
    const hub = structuredClone(r.resource);
    const until = emu.clock.nowMs() + STEP_MS.evacuate;
    for (const n of nodesOf(hub.properties as JsonObject)) {
      if (String(n.bareMetalMachineId ?? '').toLowerCase() !== key) continue;
      const target = place(hub, n);
      if (target) {
        Object.assign(n, {
          bareMetalMachineId: target.id, availabilityZone: target.zone, detailedStatus: 'Provisioning', powerState: 'Off',
          detailedStatusMessage: `The node is moving from ${machineId.split('/').pop()} (cordoned with evacuation) to ${target.id.split('/').pop()}.`,
          _kind: 'evacuate', _until: until, _then: { ...RUNNING },
        });
      } else {
        Object.assign(n, { detailedStatus: 'Stopped', powerState: 'Off', detailedStatusMessage: 'The node is stopped: its machine was cordoned with evacuation and no other compute machine can take it.', _stranded: machineId });
        delete n._until;
        delete n._then;
        delete n._kind;
      }
    }
    hub.etag = newEtag();
    await emu.store.put(RESOURCES, idKey(r.id), { ...r, resource: hub });
    await emu.store.batch(syncMachineOps(emu, [...nodesOf(r.resource.properties as JsonObject), ...nodesOf(hub.properties as JsonObject)]));
  }
  armScheduler(emu);
}

/** A machine uncordoned: the nodes that stopped on it for want of another machine start again. */
export async function releaseMachine(emu: EmulatorHost, machineId: string): Promise<void> {
  const key = machineId.toLowerCase();
  for (const r of emu.store.list<StoredResource>(RESOURCES)) {
    if (r.type !== KC_TYPE) continue;
    const hub = structuredClone(r.resource);
    const stranded = nodesOf(hub.properties as JsonObject).filter((n) => String(n._stranded ?? '').toLowerCase() === key);
    if (!stranded.length) continue;
    for (const n of stranded) {
      Object.assign(n, RUNNING);
      delete n._stranded;
    }
    hub.etag = newEtag();
    await emu.store.put(RESOURCES, idKey(r.id), { ...r, resource: hub });
  }
}
