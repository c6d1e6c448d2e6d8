/**
 * What a bare metal machine's cordon and uncordon do to the Kubernetes nodes on it (the narrow hook
 * machines.ts calls): with evacuation, each node moves to the least loaded other usable compute
 * machine of its cluster that its pool's availability zones allow.
 */
import type { JsonObject } from '../../../api/derive.js';
import type { EmulatorHost } from '../../../host.js';
import { computeMachines, machineLoad, pickMachine } from './nodes.js';
import { poolSpecOf } from './pools.js';
import { evacuateMachine, releaseMachine } from './rolling.js';

export async function kubernetesOnCordon(emu: EmulatorHost, machineId: string, evacuate: boolean): Promise<void> {
  if (!evacuate) return;
  const load = machineLoad(emu);
  await evacuateMachine(emu, machineId, (hub, node) => {
    const host = (hub.properties as JsonObject).clusterId;
    if (typeof host !== 'string') return undefined;
    const pool = poolSpecOf(emu, hub, node.agentPoolId);
    const machine = pickMachine(computeMachines(emu, host), load, pool.availabilityZones, 0, machineId);
    if (machine) load.set(machine.id.toLowerCase(), (load.get(machine.id.toLowerCase()) ?? 0) + 1);
    return machine;
  });
}

export async function kubernetesOnUncordon(emu: EmulatorHost, machineId: string): Promise<void> {
  await releaseMachine(emu, machineId);
}
