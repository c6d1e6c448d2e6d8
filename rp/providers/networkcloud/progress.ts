/**
 * Work that takes the platform hours, moved forward by the emulator's virtual clock: a cluster's
 * rolling version update (updateVersion / continueUpdateVersion) and a bare metal machine's
 * reimage or replacement. Each is a record in the `networkCloudProgress` collection with the
 * virtual time of its next step; every clock change runs the steps that are due, each with the
 * time it was due (so one large jump plays the whole sequence). A step's changes to the cluster,
 * its machines and the record are one store commit.
 *
 * Rolling update (docs/actions.md has the timings): the control-plane and management machines
 * first, one at a time; then each rack's compute machines, racks in alphabetical order
 * (machineGroupTargetingMode AlphaByRack), maxUnavailable at a time. After each compute rack its
 * success count is held against thresholdType/thresholdValue; then the update waits
 * waitTimeMinutes (strategyType Rack) or pauses until continueUpdateVersion (PauseAfterRack).
 */
import type { Json, JsonObject } from '../../api/derive.js';
import { ArmError } from '../../arm/errors.js';
import { idKey } from '../../arm/resource-id.js';
import { resourceLockKey } from '../../arm/locks.js';
import type { EmulatorHost } from '../../host.js';
import { RESOURCES, type StoredResource } from '../resource-store.js';
import { updateResource } from './update.js';
import { SUPPORTED_CLUSTER_VERSIONS } from './versions.js';

export const PROGRESS = 'networkCloudProgress';

const MINUTE = 60_000;
/** Virtual time one batch of machines takes to update. */
export const MACHINE_UPDATE_MS = 30 * MINUTE;
/** Virtual time of a reimage's phases: deprovisioning, then provisioning. */
export const REIMAGE_PHASES_MS = [10 * MINUTE, 20 * MINUTE] as const;
/** Virtual time of a replacement's phases: deprovisioning, hardware validation and provisioning. */
export const REPLACE_PHASES_MS = [10 * MINUTE, 15 * MINUTE, 20 * MINUTE] as const;

const BMM = 'Microsoft.NetworkCloud/bareMetalMachines';

/** The update strategy the emulator applies when a cluster has none (as the service defaults it). */
export const DEFAULT_UPDATE_STRATEGY = { strategyType: 'Rack', thresholdType: 'PercentSuccess', thresholdValue: 80, waitTimeMinutes: 15, maxUnavailable: 32767 };

interface Group {
  name: string;
  controlPlane: boolean;
  machines: string[];
  status: 'NotStarted' | 'InProgress' | 'Completed' | 'Failed';
  startTime?: string;
  endTime?: string;
  message?: string;
}

export interface ClusterUpdateRecord {
  kind: 'clusterUpdate';
  resourceId: string;
  correlationId: string;
  startTime: string;
  fromVersion: string;
  targetVersion: string;
  strategy: typeof DEFAULT_UPDATE_STRATEGY;
  groups: Group[];
  group: number;
  state: 'updating' | 'waiting' | 'paused';
  inFlight: string[];
  done: string[];
  failed: string[];
  nextAt: number;
}

interface Phase {
  name: string;
  detailedStatus: string;
  message: string;
  durationMs: number;
}

export interface MachineJobRecord {
  kind: 'machineJob';
  resourceId: string;
  clusterId: string;
  action: 'reimage' | 'replace';
  correlationId: string;
  startTime: string;
  phases: (Phase & { startTime?: string; endTime?: string })[];
  phase: number;
  nextAt: number;
  osImage: string;
}

type ProgressRecord = ClusterUpdateRecord | MachineJobRecord;

const iso = (ms: number) => new Date(ms).toISOString();

/** Versions newer than `current` that the cluster manager offers. */
export function upgradesFrom(current: string): JsonObject[] {
  const order = SUPPORTED_CLUSTER_VERSIONS.map((v) => v.version as string);
  const at = order.indexOf(current);
  return SUPPORTED_CLUSTER_VERSIONS.filter((_v, i) => i > at).map((v) => ({
    targetClusterVersion: v.version,
    supportExpiryDate: v.supportExpiryDate,
    controlImpact: 'True',
    workloadImpact: 'True',
    expectedDuration: 'Hours, depending on the number of racks and machines',
    impactDescription: 'Machines are updated rack by rack; workloads on a machine move while it updates.',
  }));
}

export function progressOf(emu: EmulatorHost, resourceId: string): ProgressRecord | undefined {
  return emu.store.get<ProgressRecord>(PROGRESS, idKey(resourceId));
}

/**
 * Runs `work` holding the write locks of these machines, after `first` (the cluster) when given:
 * always the cluster first, then machines in a fixed order, so callers of this never deadlock.
 */
async function withLocks<T>(emu: EmulatorHost, ids: string[], work: () => Promise<T>, first?: string): Promise<T> {
  const keys = [...(first ? [resourceLockKey(first)] : []), ...[...new Set(ids.map(resourceLockKey))].sort()];
  const take = (i: number): Promise<T> => (i === keys.length ? work() : emu.writeLock.run(keys[i], () => take(i + 1)));
  return take(0);
}

function machinesOf(emu: EmulatorHost, clusterId: string): StoredResource[] {
  const key = clusterId.toLowerCase();
  return emu.store.list<StoredResource>(RESOURCES)
    .filter((r) => r.type === BMM && String((r.resource.properties as JsonObject).clusterId ?? '').toLowerCase() === key)
    .sort((a, b) => String(a.resource.name).localeCompare(String(b.resource.name)));
}

function isControlPlane(m: StoredResource): boolean {
  const roles = ((m.resource.properties as JsonObject).machineRoles as string[] | undefined) ?? [];
  return roles.some((r) => /control-plane|management-plane/.test(r));
}

// ------------------------------------------------------------------ cluster update

/** updateVersion's checks at the request. */
export function checkUpdateRequest(emu: EmulatorHost, cluster: StoredResource, body: JsonObject): void {
  const props = cluster.resource.properties as JsonObject;
  const name = String(cluster.resource.name);
  if (progressOf(emu, cluster.id) || props.detailedStatus === 'Updating' || props.detailedStatus === 'UpdatePaused' || emu.operations.inProgressFor(cluster.id).some((o) => o.verb === 'updateVersion')) {
    throw new ArmError(409, 'ClusterUpdateInProgress', `The cluster '${name}' is already being updated; wait for that update to finish (or continue it if it is paused) before starting another.`);
  }
  if (props.detailedStatus !== 'Running' && props.detailedStatus !== 'Degraded') {
    throw new ArmError(409, 'ClusterNotDeployed', `The cluster '${name}' is ${String(props.detailedStatus)}; only a deployed, running cluster can be updated.`);
  }
  const target = String(body.targetClusterVersion ?? '');
  const offered = upgradesFrom(String(props.clusterVersion)).map((u) => u.targetClusterVersion);
  if (!offered.includes(target)) {
    throw new ArmError(400, 'InvalidTargetClusterVersion', `'${target}' is not an upgrade available to the cluster '${name}' (version ${String(props.clusterVersion)}). Available: ${offered.length ? offered.join(', ') : 'none'}.`, 'targetClusterVersion');
  }
}

function actionEntry(rec: ClusterUpdateRecord, status: string, message: string, endMs?: number): JsonObject {
  return {
    actionType: 'Microsoft.NetworkCloud/clusters/updateVersion/action',
    correlationId: rec.correlationId,
    startTime: rec.startTime,
    ...(endMs !== undefined ? { endTime: iso(endMs) } : {}),
    status,
    message,
    stepStates: rec.groups.map((g) => ({
      stepName: g.name,
      status: g.status,
      ...(g.startTime ? { startTime: g.startTime } : {}),
      ...(g.endTime ? { endTime: g.endTime } : {}),
      ...(g.message ? { message: g.message } : {}),
    })),
  };
}

function putActionState(props: JsonObject, entry: JsonObject): void {
  const previous = Array.isArray(props.actionStates) ? (props.actionStates as JsonObject[]) : [];
  props.actionStates = [entry, ...previous.filter((p) => p?.actionType !== entry.actionType)] as Json;
}

/** Starts a rolling update (the updateVersion operation's effect; the caller holds the cluster's lock). */
export async function startClusterUpdate(emu: EmulatorHost, cluster: StoredResource, body: JsonObject, correlationId: string): Promise<string> {
  checkUpdateRequest(emu, cluster, body);
  const props = cluster.resource.properties as JsonObject;
  const strategy = { ...DEFAULT_UPDATE_STRATEGY, ...((props.updateStrategy as JsonObject | undefined) ?? {}) } as typeof DEFAULT_UPDATE_STRATEGY;
  const machines = machinesOf(emu, cluster.id);
  const groups: Group[] = [];
  const control = machines.filter(isControlPlane);
  if (control.length) groups.push({ name: 'ControlPlane', controlPlane: true, machines: control.map((m) => m.id), status: 'NotStarted' });
  const byRack = new Map<string, string[]>();
  for (const m of machines.filter((x) => !isControlPlane(x))) {
    const rack = String((m.resource.properties as JsonObject).rackId ?? '').split('/').pop() ?? 'rack';
    byRack.set(rack, [...(byRack.get(rack) ?? []), m.id]);
  }
  for (const rack of [...byRack.keys()].sort()) groups.push({ name: `Rack ${rack}`, controlPlane: false, machines: byRack.get(rack)!, status: 'NotStarted' });
  const now = emu.clock.nowMs();
  const rec: ClusterUpdateRecord = {
    kind: 'clusterUpdate', resourceId: cluster.id, correlationId, startTime: iso(now), fromVersion: String(props.clusterVersion), targetVersion: String(body.targetClusterVersion),
    strategy, groups, group: 0, state: 'updating', inFlight: [], done: [], failed: [], nextAt: now,
  };
  await withLocks(emu, machines.map((m) => m.id), () => emu.store.transaction(async () => {
    await updateResource(emu, cluster.id, (_h, p) => {
      p.detailedStatus = 'Updating';
      p.detailedStatusMessage = `The cluster is updating from ${rec.fromVersion} to ${rec.targetVersion}.`;
    });
    await startGroup(emu, rec, now);
    await save(emu, rec);
  }));
  return `The update of ${String(cluster.resource.name)} from ${rec.fromVersion} to ${rec.targetVersion} has started: ${groups.length} machine group(s), ${machines.length} machine(s).`;
}

/** continueUpdateVersion: 409 unless an update is paused; resumes with the next rack. */
export function checkContinue(emu: EmulatorHost, cluster: StoredResource): void {
  const rec = progressOf(emu, cluster.id);
  if (!rec || rec.kind !== 'clusterUpdate' || rec.state !== 'paused') {
    throw new ArmError(409, 'ClusterUpdateNotPaused', `The cluster '${String(cluster.resource.name)}' has no paused update to continue.`);
  }
}

export async function continueClusterUpdate(emu: EmulatorHost, cluster: StoredResource): Promise<string> {
  checkContinue(emu, cluster);
  const rec = progressOf(emu, cluster.id) as ClusterUpdateRecord;
  const now = emu.clock.nowMs();
  const next = rec.groups[rec.group + 1];
  await withLocks(emu, next?.machines ?? [], () => emu.store.transaction(async () => {
    rec.group += 1;
    rec.done = [];
    rec.failed = [];
    await updateResource(emu, cluster.id, (_h, p) => {
      p.detailedStatus = 'Updating';
      p.detailedStatusMessage = `The update to ${rec.targetVersion} continues with ${next.name}.`;
    });
    await startGroup(emu, rec, now);
    await save(emu, rec);
  }));
  return `The update to ${rec.targetVersion} continues with ${next.name}.`;
}

async function save(emu: EmulatorHost, rec: ProgressRecord): Promise<void> {
  await emu.store.put(PROGRESS, idKey(rec.resourceId), rec);
}

/** Starts the current group's first batch at `at`. */
async function startGroup(emu: EmulatorHost, rec: ClusterUpdateRecord, at: number): Promise<void> {
  const g = rec.groups[rec.group];
  g.status = 'InProgress';
  g.startTime = iso(at);
  rec.state = 'updating';
  await startBatch(emu, rec, at);
}

async function startBatch(emu: EmulatorHost, rec: ClusterUpdateRecord, at: number): Promise<void> {
  const g = rec.groups[rec.group];
  const size = g.controlPlane ? 1 : Math.max(1, Number(rec.strategy.maxUnavailable) || 1);
  const pending = g.machines.filter((m) => !rec.done.includes(m) && !rec.failed.includes(m));
  rec.inFlight = pending.slice(0, size);
  rec.nextAt = at + MACHINE_UPDATE_MS;
  for (const id of rec.inFlight) {
    await updateResource(emu, id, (_h, p) => {
      p.detailedStatus = 'Provisioning';
      p.readyState = 'False';
      p.detailedStatusMessage = `The machine is being updated to cluster version ${rec.targetVersion}.`;
    });
  }
  await updateResource(emu, rec.resourceId, (_h, p) => putActionState(p, actionEntry(rec, 'InProgress', `Updating ${g.name}: ${rec.done.length} of ${g.machines.length} machine(s) done.`)));
}

/** One step of an update, at virtual time `at` (the step's due time). Returns false when the record is gone. */
async function stepUpdate(emu: EmulatorHost, rec: ClusterUpdateRecord, at: number): Promise<boolean> {
  const g = rec.groups[rec.group];
  if (rec.state === 'waiting') {
    rec.group += 1;
    rec.done = [];
    rec.failed = [];
    await startGroup(emu, rec, at);
    await save(emu, rec);
    return true;
  }
  // The batch in flight ends: a machine that is powered off cannot be updated.
  for (const id of rec.inFlight) {
    const m = emu.store.get<StoredResource>(RESOURCES, idKey(id));
    if (!m) continue;
    const ok = (m.resource.properties as JsonObject).powerState !== 'Off';
    (ok ? rec.done : rec.failed).push(id);
    await updateResource(emu, id, (_h, p) => {
      if (ok) {
        p.machineClusterVersion = rec.targetVersion;
        p.osImage = `nexus-os-${rec.targetVersion}`;
        p.detailedStatus = 'Provisioned';
        p.readyState = 'True';
        p.detailedStatusMessage = `The machine was updated to cluster version ${rec.targetVersion}.`;
      } else {
        p.detailedStatus = 'Error';
        p.detailedStatusMessage = `The machine could not be updated to cluster version ${rec.targetVersion}: it is powered off.`;
      }
    });
  }
  rec.inFlight = [];
  if (g.machines.some((m) => !rec.done.includes(m) && !rec.failed.includes(m))) {
    await startBatch(emu, rec, at);
    await save(emu, rec);
    return true;
  }
  // The group is done: is its threshold met?
  const total = g.machines.length;
  const ok = rec.done.length;
  const { thresholdType, thresholdValue } = rec.strategy;
  const met = g.controlPlane ? rec.failed.length === 0 : thresholdType === 'CountSuccess' ? ok >= Math.min(Number(thresholdValue), total) : ok * 100 >= Number(thresholdValue) * total;
  g.endTime = iso(at);
  g.message = `${ok} of ${total} machine(s) updated.`;
  if (!met) {
    g.status = 'Failed';
    const why = g.controlPlane ? `a control-plane machine failed to update` : `${ok} of ${total} machine(s) of ${g.name} were updated, below the threshold (${thresholdType} ${String(thresholdValue)})`;
    await updateResource(emu, rec.resourceId, (_h, p) => {
      p.detailedStatus = 'Degraded';
      p.detailedStatusMessage = `The update to ${rec.targetVersion} stopped: ${why}. The cluster stays at ${rec.fromVersion}.`;
      putActionState(p, actionEntry(rec, 'Failed', `The update stopped: ${why}.`, at));
    });
    await emu.store.delete(PROGRESS, idKey(rec.resourceId));
    return false;
  }
  g.status = 'Completed';
  if (rec.group === rec.groups.length - 1) {
    await updateResource(emu, rec.resourceId, (_h, p) => {
      p.clusterVersion = rec.targetVersion;
      p.detailedStatus = 'Running';
      p.detailedStatusMessage = `The cluster was updated to ${rec.targetVersion}.`;
      p.availableUpgradeVersions = upgradesFrom(rec.targetVersion) as Json;
      const offered = SUPPORTED_CLUSTER_VERSIONS.find((v) => v.version === rec.targetVersion);
      if (offered) p.supportExpiryDate = offered.supportExpiryDate;
      putActionState(p, actionEntry(rec, 'Completed', `Updated to ${rec.targetVersion}.`, at));
    });
    await emu.store.delete(PROGRESS, idKey(rec.resourceId));
    return false;
  }
  const next = rec.groups[rec.group + 1];
  if (rec.strategy.strategyType === 'PauseAfterRack' && !g.controlPlane) {
    rec.state = 'paused';
    await updateResource(emu, rec.resourceId, (_h, p) => {
      p.detailedStatus = 'UpdatePaused';
      p.detailedStatusMessage = `The update to ${rec.targetVersion} is paused after ${g.name}; continueUpdateVersion resumes it with ${next.name}.`;
      putActionState(p, actionEntry(rec, 'InProgress', `Paused after ${g.name}.`));
    });
  } else {
    rec.state = 'waiting';
    const wait = g.controlPlane ? 0 : Number(rec.strategy.waitTimeMinutes ?? 15) * MINUTE;
    rec.nextAt = at + wait;
    await updateResource(emu, rec.resourceId, (_h, p) => {
      p.detailedStatusMessage = `The update to ${rec.targetVersion} finished ${g.name}; ${next.name} starts at ${iso(rec.nextAt)}.`;
      putActionState(p, actionEntry(rec, 'InProgress', `Finished ${g.name}.`));
    });
  }
  await save(emu, rec);
  return true;
}

// ------------------------------------------------------------------ reimage and replace

/** Starts a reimage or replacement of a machine (its operation's effect; the caller holds the machine's lock). */
export async function startMachineJob(emu: EmulatorHost, machine: StoredResource, action: 'reimage' | 'replace', correlationId: string, message: string): Promise<void> {
  const props = machine.resource.properties as JsonObject;
  const now = emu.clock.nowMs();
  const phases: Phase[] = action === 'reimage'
    ? [
      { name: 'Deprovision', detailedStatus: 'Deprovisioning', message: 'The machine is being deprovisioned for its reimage.', durationMs: REIMAGE_PHASES_MS[0] },
      { name: 'Reimage', detailedStatus: 'Provisioning', message: 'The machine is being reimaged.', durationMs: REIMAGE_PHASES_MS[1] },
    ]
    : [
      { name: 'Deprovision', detailedStatus: 'Deprovisioning', message: 'The machine is being deprovisioned for its replacement.', durationMs: REPLACE_PHASES_MS[0] },
      { name: 'ValidateHardware', detailedStatus: 'Preparing', message: 'The replacement hardware is being validated.', durationMs: REPLACE_PHASES_MS[1] },
      { name: 'Provision', detailedStatus: 'Provisioning', message: 'The replacement machine is being provisioned.', durationMs: REPLACE_PHASES_MS[2] },
    ];
  const rec: MachineJobRecord = {
    kind: 'machineJob', resourceId: machine.id, clusterId: String(props.clusterId ?? ''), action, correlationId, startTime: iso(now), phases, phase: 0, nextAt: now + phases[0].durationMs,
    osImage: `nexus-os-${String(props.machineClusterVersion ?? '3.14.2')}`,
  };
  rec.phases[0].startTime = iso(now);
  await emu.store.transaction(async () => {
    await updateResource(emu, machine.id, (_h, p) => {
      p.provisioningState = 'Provisioning';
      p.readyState = 'False';
      p.detailedStatus = phases[0].detailedStatus;
      p.detailedStatusMessage = phases[0].message;
      putActionState(p, machineEntry(rec, 'InProgress', message));
    });
    await save(emu, rec);
  });
}

function machineEntry(rec: MachineJobRecord, status: string, message: string, endMs?: number): JsonObject {
  return {
    actionType: `${BMM}/${rec.action}/action`,
    correlationId: rec.correlationId,
    startTime: rec.startTime,
    ...(endMs !== undefined ? { endTime: iso(endMs) } : {}),
    status,
    message,
    stepStates: rec.phases.map((ph, i) => ({
      stepName: ph.name,
      status: i < rec.phase || status === 'Completed' ? 'Completed' : i === rec.phase ? 'InProgress' : 'NotStarted',
      ...(ph.startTime ? { startTime: ph.startTime } : {}),
      ...(ph.endTime ? { endTime: ph.endTime } : {}),
      message: ph.message,
    })),
  };
}

async function stepMachine(emu: EmulatorHost, rec: MachineJobRecord, at: number): Promise<boolean> {
  rec.phases[rec.phase].endTime = iso(at);
  rec.phase += 1;
  if (rec.phase < rec.phases.length) {
    const ph = rec.phases[rec.phase];
    ph.startTime = iso(at);
    rec.nextAt = at + ph.durationMs;
    await updateResource(emu, rec.resourceId, (_h, p) => {
      p.detailedStatus = ph.detailedStatus;
      p.detailedStatusMessage = ph.message;
      putActionState(p, machineEntry(rec, 'InProgress', ph.message));
    });
    await save(emu, rec);
    return true;
  }
  const done = rec.action === 'reimage' ? 'The machine was reimaged.' : 'The machine was replaced and provisioned.';
  await updateResource(emu, rec.resourceId, (_h, p) => {
    p.provisioningState = 'Succeeded';
    p.detailedStatus = 'Provisioned';
    p.readyState = 'True';
    p.powerState = 'On';
    p.osImage = rec.osImage;
    p.detailedStatusMessage = done;
    if (rec.action === 'replace') p.hardwareValidationStatus = { lastValidationTime: iso(at), result: 'Pass' };
    rec.phase = rec.phases.length;
    putActionState(p, machineEntry(rec, 'Completed', done, at));
  });
  await emu.store.delete(PROGRESS, idKey(rec.resourceId));
  return false;
}

// ------------------------------------------------------------------ the clock

/** Clock listener: runs every due step, each at its own due time. */
export async function onClock(emu: EmulatorHost): Promise<void> {
  const now = emu.clock.nowMs();
  for (const [, first] of emu.store.entries<ProgressRecord>(PROGRESS)) {
    if (first.nextAt > now || (first.kind === 'clusterUpdate' && first.state === 'paused')) continue;
    const machines = first.kind === 'clusterUpdate' ? first.groups.flatMap((g) => g.machines) : [first.resourceId];
    await withLocks(emu, machines, async () => {
      for (;;) {
        const rec = progressOf(emu, first.resourceId);
        if (!rec || rec.nextAt > now || (rec.kind === 'clusterUpdate' && rec.state === 'paused')) return;
        const alive = await emu.store.transaction(() => (rec.kind === 'clusterUpdate' ? stepUpdate(emu, rec, rec.nextAt) : stepMachine(emu, rec, rec.nextAt)));
        if (!alive) return;
      }
    }, first.kind === 'clusterUpdate' ? first.resourceId : undefined);
  }
}

/** Drops the progress of a cluster and of its machines when the cluster goes (its machines go with it). */
export function progressDeleteOps(emu: EmulatorHost, clusterId: string): { op: 'delete'; collection: string; key: string }[] {
  const key = idKey(clusterId);
  return emu.store.entries<ProgressRecord>(PROGRESS)
    .filter(([k, r]) => k === key || (r.kind === 'machineJob' && idKey(r.clusterId) === key))
    .map(([k]) => ({ op: 'delete' as const, collection: PROGRESS, key: k }));
}
