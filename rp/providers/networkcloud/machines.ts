/** Bare metal machines and storage appliances: created by deploy; customers PATCH a few fields and run actions. */
import { isObject, type JsonObject } from '../../api/derive.js';
import { bareMetalMachineDef, storageApplianceDef } from '../../api/registry.js';
import { ArmError } from '../../arm/errors.js';
import type { OperationRecord } from '../../arm/operations.js';
import type { EmulatorHost } from '../../host.js';
import { idKey } from '../../arm/resource-id.js';
import { RESOURCES, type StoredResource } from '../resource-store.js';
import { TrackedResourceType, type ActionHooks, type TrackedOptions } from '../tracked.js';
import { recordAction } from './action-states.js';
import { checkCommands, produceResult, pruneResults, type CommandKind } from './command-output.js';
import { kubernetesOnCordon, kubernetesOnUncordon } from './kubernetes/machine-events.js';
import { progressOf, startMachineJob } from './progress.js';
import { updateResource } from './update.js';
import { onMachineCordoned } from './virtual-machines.js';

const BMM = 'Microsoft.NetworkCloud/bareMetalMachines';

/** An action that changes some of the machine's properties and records itself in actionStates. */
function machineAction(emu: EmulatorHost, message: string, change: (props: JsonObject, body: JsonObject) => void = () => undefined): ActionHooks {
  return {
    async finish(stored: StoredResource, body: JsonObject, _emu: EmulatorHost, op: OperationRecord) {
      await updateResource(emu, stored.id, (_hub, props) => {
        change(props, body);
        recordAction(props, BMM, op, emu.clock.iso(), message);
      });
    },
  };
}

/** The run* actions: checked at the request, run (the emulator's way) when the operation finishes; see command-output.ts. */
function commandAction(emu: EmulatorHost, kind: CommandKind): ActionHooks {
  return {
    accept(stored, body, ctx) {
      requirePoweredOn(stored, kind);
      checkCommands(kind, body, ctx.apiVersion, stored.type === 'Microsoft.NetworkCloud/storageAppliances');
    },
    async finish(stored: StoredResource, body: JsonObject, _emu: EmulatorHost, op: OperationRecord) {
      const result = await produceResult(emu, stored, kind, body, op.name);
      if (stored.type === BMM) {
        await updateResource(emu, stored.id, (_hub, props) => recordAction(props, BMM, op, emu.clock.iso(), `${kind} finished with exit code ${String(result.exitCode)}.`));
      }
      return result;
    },
  };
}

/**
 * The safeguards of a disruptive action (safeguardMode All, the default): a control-plane machine
 * may not go while another control-plane machine is not ready, which would risk the quorum.
 */
function checkSafeguards(emu: EmulatorHost, stored: StoredResource, body: JsonObject, action: string): void {
  if (String(body.safeguardMode ?? 'All') === 'None') return;
  const props = stored.resource.properties as JsonObject;
  const controlPlane = (m: JsonObject) => ((m.machineRoles as string[] | undefined) ?? []).some((r) => r.includes('control-plane'));
  if (!controlPlane(props)) return;
  const others = emu.store.list<StoredResource>(RESOURCES).filter((r) => r.type === BMM && r.id !== stored.id
    && String((r.resource.properties as JsonObject).clusterId ?? '').toLowerCase() === String(props.clusterId ?? '').toLowerCase()
    && controlPlane(r.resource.properties as JsonObject) && (r.resource.properties as JsonObject).readyState !== 'True');
  if (others.length) {
    throw new ArmError(409, 'SafeguardViolation', `'${action}' of the control-plane machine '${String(stored.resource.name)}' is refused while the control-plane machine '${String(others[0].resource.name)}' is not ready; it would risk the Kubernetes control plane's quorum. Wait for it, or send safeguardMode None to skip this check.`);
  }
}

function requireIdleMachine(emu: EmulatorHost, stored: StoredResource, action: string): void {
  if (progressOf(emu, stored.id)) {
    throw new ArmError(409, 'AnotherOperationInProgress', `The bare metal machine '${String(stored.resource.name)}' is still being reimaged or replaced; '${action}' must wait for it.`);
  }
}

/** An action whose completion also runs `then` (in the same commit), e.g. what a cordon does to the workloads on the machine. */
function afterwards(hooks: ActionHooks, then: (stored: StoredResource, body: JsonObject) => Promise<void>): ActionHooks {
  return { ...hooks, async finish(stored, body, e, op) {
    await hooks.finish(stored, body, e, op);
    await then(stored, body);
  } };
}

function requirePoweredOn(stored: StoredResource, action: string): void {
  if ((stored.resource.properties as JsonObject).powerState === 'Off') {
    throw new ArmError(409, 'InvalidMachineState', `The bare metal machine '${stored.resource.name as string}' is powered off; start it before '${action}'.`);
  }
}

export function bareMetalMachines(emu: EmulatorHost, options: TrackedOptions): TrackedResourceType {
  // Command results are removed once their time has passed on the virtual clock.
  emu.clock.onChange(() => pruneResults(emu));
  return new TrackedResourceType(bareMetalMachineDef, {
    actions: {
      cordon: afterwards(machineAction(emu, 'The machine is cordoned.', (p) => {
        p.cordonStatus = 'Cordoned';
      }), async (s, body) => {
        // Workloads on the machine: evacuated (moved or stopped) when asked, else left running.
        await kubernetesOnCordon(emu, s.id, body.evacuate === 'True');
        await onMachineCordoned(emu, s.id, body.evacuate === 'True');
      }),
      uncordon: afterwards(machineAction(emu, 'The machine is uncordoned.', (p) => {
        p.cordonStatus = 'Uncordoned';
      }), (s) => kubernetesOnUncordon(emu, s.id)),
      powerOff: machineAction(emu, 'The machine is powered off.', (p) => {
        p.powerState = 'Off';
        p.readyState = 'False';
      }),
      start: machineAction(emu, 'The machine is powered on.', (p) => {
        p.powerState = 'On';
        p.readyState = 'True';
      }),
      restart: { ...machineAction(emu, 'The machine restarted.'), accept: (s) => requirePoweredOn(s, 'restart') },
      reimage: {
        accept(stored, body) {
          requireIdleMachine(emu, stored, 'reimage');
          requirePoweredOn(stored, 'reimage');
          checkSafeguards(emu, stored, body, 'reimage');
        },
        async finish(stored, _body, _emu, op) {
          await startMachineJob(emu, stored, 'reimage', op.name, 'The machine is being reimaged.');
          return { exitCode: '0', outputHead: `The reimage of ${String(stored.resource.name)} has started.` };
        },
      },
      replace: {
        accept(stored, body) {
          requireIdleMachine(emu, stored, 'replace');
          checkSafeguards(emu, stored, body, 'replace');
        },
        async finish(stored, body, _emu, op) {
          const creds = body.bmcCredentials as JsonObject | undefined;
          // The new hardware's facts are recorded at once; its provisioning then runs on the clock.
          await updateResource(emu, stored.id, (_hub, p) => {
            for (const key of ['bmcMacAddress', 'bootMacAddress', 'serialNumber', 'machineName'] as const) if (body[key] !== undefined) p[key] = body[key];
            if (body.serialNumber !== undefined) p.serviceTag = `ST${String(body.serialNumber).slice(-7).toUpperCase()}`;
            if (body.bootMacAddress !== undefined && isObject(p.hardwareInventory)) {
              const inv = p.hardwareInventory as JsonObject;
              if (Array.isArray(inv.interfaces)) inv.interfaces = (inv.interfaces as JsonObject[]).map((i) => ({ ...i, macAddress: String(body.bootMacAddress) }));
            }
          });
          let archived = '';
          if (creds && typeof creds.password === 'string') {
            const summary = await emu.rotation.adoptReplacedBmcCredential(stored.id, String(creds.username ?? 'root'), creds.password);
            archived = summary.archived ? ` The new BMC credential was archived to ${String(summary.vaultUri)}.` : summary.failure ? ` The new BMC credential is kept in the platform's managed store only: ${summary.failure}` : '';
          }
          const policy = String(body.storagePolicy ?? 'DiscardAll');
          await startMachineJob(emu, emu.store.get<StoredResource>(RESOURCES, idKey(stored.id)) ?? stored, 'replace', op.name, `The machine is being replaced (storage policy ${policy}).`);
          return { exitCode: '0', outputHead: `The replacement of ${String(stored.resource.name)} has started.${archived}` };
        },
      },
      runCommand: commandAction(emu, 'runCommand'),
      runDataExtracts: commandAction(emu, 'runDataExtracts'),
      runDataExtractsRestricted: commandAction(emu, 'runDataExtractsRestricted'),
      runReadCommands: commandAction(emu, 'runReadCommands'),
    },
  }, { ...options, platformOwned: true });
}

export function storageAppliances(emu: EmulatorHost, options: TrackedOptions): TrackedResourceType {
  const applianceAction = (change: (p: JsonObject) => void): ActionHooks => ({
    async finish(stored) {
      await updateResource(emu, stored.id, (_hub, props) => change(props));
    },
  });
  return new TrackedResourceType(storageApplianceDef, {
    actions: {
      enableRemoteVendorManagement: applianceAction((p) => {
        p.remoteVendorManagementStatus = 'Enabled';
      }),
      disableRemoteVendorManagement: applianceAction((p) => {
        p.remoteVendorManagementStatus = 'Disabled';
      }),
      runReadCommands: commandAction(emu, 'runReadCommands'),
    },
  }, { ...options, platformOwned: true });
}
