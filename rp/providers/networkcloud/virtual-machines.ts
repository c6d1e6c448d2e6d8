/**
 * Virtual machines: placed on a bare metal machine of their cluster that has room for them, and
 * moved through the power states of start, powerOff, restart and reimage. Also what happens to
 * the VMs of a machine cordoned with evacuation (onMachineCordoned). The choices the facts do not
 * state are in docs/virtual-machines.md.
 */
import { createHash } from 'node:crypto';
import type { Json, JsonObject } from '../../api/derive.js';
import type { TypeModel } from '../../api/model.js';
import { ArmError, errors } from '../../arm/errors.js';
import { idKey } from '../../arm/resource-id.js';
import type { EmulatorHost } from '../../host.js';
import { resourceLockKey } from '../../arm/locks.js';
import { RESOURCES, type StoredResource } from '../resource-store.js';
import { TrackedResourceType, type ActionHooks, type TrackedOptions } from '../tracked.js';
import { rackSkuCatalogue } from './catalogues.js';
import { checkSshPublicKey } from './ssh-keys.js';
import { updateResource } from './update.js';

const VM = 'microsoft.networkcloud/virtualmachines';
const BMM = 'microsoft.networkcloud/baremetalmachines';
const CLUSTER = 'microsoft.networkcloud/clusters';
const RACK = 'microsoft.networkcloud/racks';
const VOLUME = 'microsoft.networkcloud/volumes';
const COMPUTE_ROLE = 'platform.afo-nc.microsoft.com/compute-plane=true';

const same = (a: unknown, b: unknown) => typeof a === 'string' && typeof b === 'string' && idKey(a) === idKey(b);
const ofType = (emu: EmulatorHost, type: string) => emu.store.list<StoredResource>(RESOURCES).filter((r) => r.type.toLowerCase() === type).sort((a, b) => a.seq - b.seq);
const propsOf = (r: StoredResource) => (r.resource.properties ?? {}) as JsonObject;
const get = (emu: EmulatorHost, id: unknown) => (typeof id === 'string' ? emu.store.get<StoredResource>(RESOURCES, idKey(id)) : undefined);

// ------------------------------------------------------------------ capacity and placement

export interface Capacity {
  cores: number;
  memoryGB: number;
}

/** What a machine offers VMs: the compute machine of its rack SKU in the catalogue (catalogues.ts). */
export function machineCapacity(emu: EmulatorHost, machine: StoredResource): Capacity {
  const sku = String(propsOf(machine).machineSkuId ?? '').replace(/-compute$/, '').toLowerCase();
  const subscription = machine.id.split('/')[2];
  const entry = rackSkuCatalogue(emu, subscription).find((s) => String(s.resource.name).toLowerCase() === sku) ?? rackSkuCatalogue(emu, subscription)[0];
  const compute = ((propsOf(entry).computeMachines as JsonObject[])[0].properties ?? {}) as JsonObject;
  return { cores: Number(compute.cpuCores), memoryGB: Number(compute.memoryCapacityGB) };
}

/** A VM holds its cores and memory on its machine while it runs or is being brought up there. */
function holdsCapacity(props: JsonObject): boolean {
  return props.powerState === 'On' || props.detailedStatus === 'Scheduling' || props.detailedStatus === 'Provisioning';
}

/** Cores and memory the VMs placed on each machine use (leaving out `except`), by lower-cased machine id. */
export function machineUsage(emu: EmulatorHost, except?: string): Map<string, Capacity> {
  const usage = new Map<string, Capacity>();
  for (const vm of ofType(emu, VM)) {
    const p = propsOf(vm);
    if (typeof p.bareMetalMachineId !== 'string' || (except && same(vm.id, except)) || !holdsCapacity(p)) continue;
    const key = idKey(p.bareMetalMachineId);
    const used = usage.get(key) ?? { cores: 0, memoryGB: 0 };
    used.cores += Number(p.cpuCores ?? 0);
    used.memoryGB += Number(p.memorySizeGB ?? 0);
    usage.set(key, used);
  }
  return usage;
}

/** Machines that take new VMs: compute machines that are on, ready and not cordoned. */
function schedulable(machine: StoredResource): boolean {
  const p = propsOf(machine);
  const roles = Array.isArray(p.machineRoles) ? (p.machineRoles as Json[]) : [];
  return roles.includes(COMPUTE_ROLE) && p.powerState === 'On' && p.readyState !== 'False' && p.cordonStatus !== 'Cordoned';
}

export function clusterMachines(emu: EmulatorHost, clusterId: string): StoredResource[] {
  return ofType(emu, BMM).filter((m) => same(propsOf(m).clusterId, clusterId));
}

/** The cluster whose custom location a resource names as its extendedLocation. */
export function clusterAt(emu: EmulatorHost, extendedLocation: unknown): StoredResource | undefined {
  const name = (extendedLocation as JsonObject | undefined)?.name;
  return ofType(emu, CLUSTER).find((c) => same((propsOf(c).clusterExtendedLocation as JsonObject | undefined)?.name, name));
}

interface Hint {
  hintType: string;
  resourceId: string;
  schedulingExecution: string;
  scope: string;
}

/**
 * The machine a placement hint points at: a bare metal machine, the machine another VM runs on, or
 * for a rack the first of its machines (a hint at a rack is only meaningful with scope Rack).
 */
function hintTarget(emu: EmulatorHost, hint: Hint, i: number): StoredResource {
  const target = get(emu, hint.resourceId);
  const type = target?.type.toLowerCase();
  const machine = type === BMM ? target
    : type === VM ? get(emu, propsOf(target!).bareMetalMachineId)
      : type === RACK ? ofType(emu, BMM).find((m) => same(propsOf(m).rackId, target!.id)) : undefined;
  if (!machine) {
    throw errors.invalidRequestContent(`The placement hint's resourceId '${hint.resourceId}' is neither a bare metal machine, a rack with machines, nor a placed virtual machine.`, `properties.placementHints[${i}].resourceId`);
  }
  return machine;
}

/**
 * Chooses a machine of the cluster for a VM: schedulable, with room for its cores and memory,
 * within its hard placement hints; among those, the one meeting most soft hints, then the one
 * with most free cores (the scheduler spreads VMs). Undefined when none fits.
 */
export function chooseMachine(emu: EmulatorHost, clusterId: string, props: JsonObject, vmId: string | undefined, { exclude, prefer }: { exclude?: string; prefer?: unknown } = {}): StoredResource | undefined {
  const hints = (Array.isArray(props.placementHints) ? props.placementHints : []) as unknown as Hint[];
  const targets = hints.map((h, i) => hintTarget(emu, h, i));
  const cores = Number(props.cpuCores ?? 0);
  const memory = Number(props.memorySizeGB ?? 0);
  const scored: { machine: StoredResource; soft: number; free: number }[] = [];
  const usage = machineUsage(emu, vmId);
  for (const machine of clusterMachines(emu, clusterId)) {
    if (!schedulable(machine) || (exclude && same(machine.id, exclude))) continue;
    const capacity = machineCapacity(emu, machine);
    const used = usage.get(idKey(machine.id)) ?? { cores: 0, memoryGB: 0 };
    if (used.cores + cores > capacity.cores || used.memoryGB + memory > capacity.memoryGB) continue;
    let allowed = true;
    let soft = 0;
    hints.forEach((h, i) => {
      const t = targets[i];
      const match = h.scope === 'Rack' ? same(propsOf(machine).rackId, propsOf(t).rackId) : same(machine.id, t.id);
      const satisfied = h.hintType === 'AntiAffinity' ? !match : match;
      if (h.schedulingExecution === 'Hard' && !satisfied) allowed = false;
      if (h.schedulingExecution !== 'Hard' && satisfied) soft++;
    });
    if (allowed) scored.push({ machine, soft, free: capacity.cores - used.cores });
  }
  // A VM that restarts stays on its machine when that machine still takes it.
  const kept = scored.find((s) => same(s.machine.id, prefer));
  if (kept) return kept.machine;
  scored.sort((a, b) => b.soft - a.soft || b.free - a.free || a.machine.seq - b.machine.seq);
  return scored[0]?.machine;
}

function noRoom(clusterId: string, props: JsonObject): ArmError {
  return new ArmError(409, 'AllocationFailed', `No bare metal machine of cluster '${clusterId.split('/').pop()}' can host a virtual machine of ${String(props.cpuCores)} cores and ${String(props.memorySizeGB)} GB of memory: every compute machine that is on, ready and not cordoned lacks the room or is excluded by the placement hints.`);
}

// ------------------------------------------------------------------ states

function setState(p: JsonObject, powerState: string, detailedStatus: string, message: string): void {
  p.powerState = powerState;
  p.detailedStatus = detailedStatus;
  p.detailedStatusMessage = message;
}

const machineName = (id: unknown) => String(id ?? '').split('/').pop();

/** A deterministic, locally administered MAC for a VM's network attachment. */
function macFor(vmId: string, index: number): string {
  const d = createHash('sha256').update(`${idKey(vmId)}#${index}`).digest();
  return ['02', ...[...d.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

/** Volumes a VM has attached: attachedTo lists it while it exists. */
function attachVolumes(emu: EmulatorHost, vmId: string, volumeIds: Json[], attach: boolean): Promise<unknown> {
  return Promise.all(volumeIds.map((v) => {
    const volume = get(emu, v);
    if (!volume || volume.type.toLowerCase() !== VOLUME) return undefined;
    return updateResource(emu, volume.id, (_h, p) => {
      const list = (Array.isArray(p.attachedTo) ? (p.attachedTo as string[]) : []).filter((id) => !same(id, vmId));
      p.attachedTo = attach ? [...list, vmId] : list;
    });
  }));
}

// ------------------------------------------------------------------ the type

export function virtualMachines(emu: EmulatorHost, type: TypeModel, options: TrackedOptions): TrackedResourceType {
  /** Writes a VM's state as part of an action (accept runs in the action's transaction). */
  const change = (stored: StoredResource, mutate: (p: JsonObject) => void) => updateResource(emu, stored.id, (_h, p) => mutate(p));

  const requireIdle = (stored: StoredResource) => {
    if (emu.operations.inProgressFor(stored.id).length) {
      throw errors.conflict('AnotherOperationInProgress', `The virtual machine '${String(stored.resource.name)}' is busy with another operation; try again when it has finished.`);
    }
  };

  /** The machine a VM (re)starts on: its own if it still takes it, else the best other one. */
  const placeForStart = (stored: StoredResource): StoredResource => {
    const p = propsOf(stored);
    const chosen = chooseMachine(emu, String(p.clusterId ?? ''), p, stored.id, { prefer: p.bareMetalMachineId });
    if (!chosen) throw noRoom(String(p.clusterId ?? ''), p);
    return chosen;
  };

  const actions: Record<string, ActionHooks> = {
    start: {
      async accept(stored) {
        requireIdle(stored);
        const p = propsOf(stored);
        if (p.powerState === 'On') return;
        const machine = placeForStart(stored);
        await change(stored, (q) => {
          q.bareMetalMachineId = machine.id;
          setState(q, 'Off', 'Scheduling', `The virtual machine is starting on bare metal machine '${machineName(machine.id)}'.`);
        });
      },
      async finish(stored) {
        await change(stored, (q) => {
          if (q.powerState === 'On') return;
          setState(q, 'On', 'Running', `The virtual machine is running on bare metal machine '${machineName(q.bareMetalMachineId)}'.`);
        });
      },
    },
    powerOff: {
      async accept(stored, body) {
        if (body.skipShutdown !== undefined && body.skipShutdown !== 'True' && body.skipShutdown !== 'False') {
          throw errors.invalidRequestContent(`The value '${String(body.skipShutdown)}' of skipShutdown is not valid; use True or False.`, 'skipShutdown');
        }
        requireIdle(stored);
        if (propsOf(stored).powerState === 'Off') return;
        // Skipping the guest's shutdown cuts the power at once; otherwise the guest shuts down first.
        await change(stored, (q) => body.skipShutdown === 'True'
          ? setState(q, 'Off', 'Stopped', 'The virtual machine was powered off without a guest shutdown.')
          : setState(q, 'On', 'Running', 'The virtual machine\'s guest operating system is shutting down.'));
      },
      async finish(stored, body) {
        await change(stored, (q) => {
          if (q.detailedStatus === 'Stopped') return;
          setState(q, 'Off', 'Stopped', body.skipShutdown === 'True' ? 'The virtual machine was powered off without a guest shutdown.' : 'The virtual machine was shut down and powered off.');
        });
      },
    },
    restart: {
      async accept(stored) {
        requireIdle(stored);
        if (propsOf(stored).powerState !== 'On') {
          throw errors.conflict('VirtualMachineNotRunning', `The virtual machine '${String(stored.resource.name)}' is powered off; start it instead of restarting it.`);
        }
        const machine = placeForStart(stored);
        await change(stored, (q) => {
          q.bareMetalMachineId = machine.id;
          setState(q, 'Off', 'Scheduling', `The virtual machine is restarting on bare metal machine '${machineName(machine.id)}'.`);
        });
      },
      async finish(stored) {
        await change(stored, (q) => setState(q, 'On', 'Running', `The virtual machine restarted and is running on bare metal machine '${machineName(q.bareMetalMachineId)}'.`));
      },
    },
    reimage: {
      async accept(stored) {
        requireIdle(stored);
        const machine = placeForStart(stored);
        await change(stored, (q) => {
          q.bareMetalMachineId = machine.id;
          setState(q, 'Off', 'Provisioning', `The virtual machine's OS disk is being re-created from its image ${String(q.vmImage)}.`);
        });
      },
      async finish(stored) {
        await change(stored, (q) => setState(q, 'On', 'Running', `The virtual machine was reimaged from ${String(q.vmImage)} and is running on bare metal machine '${machineName(q.bareMetalMachineId)}'.`));
      },
    },
    assignRelay: {
      accept(stored, body) {
        requireIdle(stored);
        const machine = get(emu, body.machineId);
        if (!machine || machine.type.toLowerCase() !== BMM || !same(propsOf(machine).clusterId, propsOf(stored).clusterId)) {
          throw errors.invalidRequestContent(`The machineId '${String(body.machineId)}' is not a bare metal machine of the virtual machine's cluster.`, 'machineId');
        }
      },
      finish(stored, body) {
        return { exitCode: '0', outputHead: `The ${String(body.relayType ?? 'Platform')} relay of virtual machine '${String(stored.resource.name)}' is assigned to bare metal machine '${machineName(body.machineId)}'.` };
      },
    },
  };

  return new TrackedResourceType(type, {
    updatingState: 'Accepted',
    initialize(hub) {
      const props = hub.properties as JsonObject;
      const cluster = clusterAt(emu, hub.extendedLocation);
      if (!cluster) {
        throw errors.badRequest('InvalidExtendedLocation', `The extendedLocation '${String((hub.extendedLocation as JsonObject | undefined)?.name)}' is not the custom location of a cluster; use the clusterExtendedLocation of a deployed cluster.`, 'extendedLocation.name');
      }
      if (propsOf(cluster).detailedStatus !== 'Running') {
        throw errors.conflict('ClusterNotRunning', `The cluster '${String(cluster.resource.name)}' is not running (detailedStatus ${String(propsOf(cluster).detailedStatus)}); deploy it before creating virtual machines.`);
      }
      for (const [i, k] of ((props.sshPublicKeys as JsonObject[] | undefined) ?? []).entries()) {
        const check = checkSshPublicKey(k.keyData);
        if (!check.valid) throw errors.invalidRequestContent(check.reason, `properties.sshPublicKeys[${i}].keyData`);
      }
      const volumes = ((props.storageProfile as JsonObject | undefined)?.volumeAttachments as Json[] | undefined) ?? [];
      volumes.forEach((v, i) => {
        const attached = ((get(emu, v)?.resource.properties as JsonObject | undefined)?.attachedTo as string[] | undefined) ?? [];
        if (attached.some((id) => !same(id, hub.id))) {
          throw errors.conflict('VolumeInUse', `The volume '${String(v).split('/').pop()}' (storageProfile.volumeAttachments[${i}]) is attached to virtual machine '${attached[0].split('/').pop()}' already.`);
        }
      });
      const machine = chooseMachine(emu, cluster.id, props, undefined);
      if (!machine) throw noRoom(cluster.id, props);
      const rack = get(emu, propsOf(machine).rackId);
      props.clusterId = cluster.id;
      props.bareMetalMachineId = machine.id;
      props.availabilityZone = (rack ? propsOf(rack).availabilityZone : undefined) ?? '1';
      props.volumes = volumes;
      const attachments = [props.cloudServicesNetworkAttachment, ...((props.networkAttachments as Json[] | undefined) ?? [])];
      attachments.forEach((a, i) => {
        if (a && typeof a === 'object' && !Array.isArray(a) && !a.macAddress) (a as JsonObject).macAddress = macFor(String(hub.id), i);
      });
      setState(props, 'Off', 'Provisioning', `The virtual machine is being provisioned on bare metal machine '${machineName(machine.id)}'.`);
    },
    async afterWrite(hub) {
      const props = hub.properties as JsonObject;
      if (props.detailedStatus !== 'Provisioning') return;
      setState(props, 'On', 'Running', `The virtual machine is running on bare metal machine '${machineName(props.bareMetalMachineId)}'.`);
      await attachVolumes(emu, String(hub.id), (props.volumes as Json[]) ?? [], true);
    },
    async afterDelete(stored) {
      await attachVolumes(emu, stored.id, (propsOf(stored).volumes as Json[]) ?? [], false);
    },
    actions,
  }, options);
}

// ------------------------------------------------------------------ cordon

/**
 * After a machine is cordoned: without evacuation its VMs stay. With evacuation each VM running
 * there is moved to another machine of the cluster with room (it restarts there), or, when none
 * has room, stopped. Runs in the cordon's operation, so it commits with the cordon.
 */
export async function onMachineCordoned(emu: EmulatorHost, machineId: string, evacuate: boolean): Promise<void> {
  if (!evacuate) return;
  for (const vm of ofType(emu, VM)) {
    const p = propsOf(vm);
    if (!same(p.bareMetalMachineId, machineId) || !holdsCapacity(p)) continue;
    await emu.writeLock.run(resourceLockKey(vm.id), async () => {
      const current = get(emu, vm.id);
      if (!current) return;
      const q = propsOf(current);
      let target: StoredResource | undefined;
      try {
        target = chooseMachine(emu, String(q.clusterId), q, current.id, { exclude: machineId });
      } catch {
        target = undefined; // a hint that no longer resolves: nowhere to go
      }
      await updateResource(emu, current.id, (_h, r) => {
        if (target) {
          r.bareMetalMachineId = target.id;
          setState(r, 'On', 'Running', `The virtual machine was evacuated from cordoned bare metal machine '${machineName(machineId)}' and restarted on '${machineName(target.id)}'.`);
        } else {
          setState(r, 'Off', 'Stopped', `The virtual machine was stopped: its bare metal machine '${machineName(machineId)}' was cordoned with evacuation and no other machine has room for it.`);
        }
      });
    });
  }
}
