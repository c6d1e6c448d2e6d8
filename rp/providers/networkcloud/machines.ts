/** Bare metal machines and storage appliances: created by deploy; customers PATCH a few fields and run actions. */
import type { JsonObject } from '../../api/derive.js';
import { bareMetalMachineDef, storageApplianceDef } from '../../api/registry.js';
import { ArmError } from '../../arm/errors.js';
import type { OperationRecord } from '../../arm/operations.js';
import type { Emulator } from '../../emulator.js';
import type { StoredResource } from '../resource-store.js';
import { TrackedResourceType, type ActionHooks, type TrackedOptions } from '../tracked.js';
import { recordAction } from './action-states.js';
import { updateResource } from './update.js';
import { onMachineCordoned } from './virtual-machines.js';

const BMM = 'Microsoft.NetworkCloud/bareMetalMachines';

/** An action that changes some of the machine's properties and records itself in actionStates. */
function machineAction(emu: Emulator, message: string, change: (props: JsonObject, body: JsonObject) => void = () => undefined): ActionHooks {
  return {
    async finish(stored: StoredResource, body: JsonObject, _emu: Emulator, op: OperationRecord) {
      await updateResource(emu, stored.id, (_hub, props) => {
        change(props, body);
        recordAction(props, BMM, op, emu.clock.iso(), message);
      });
    },
  };
}

/** The run* actions: the output would go to the cluster's storage; the emulator reports where. */
function commandAction(emu: Emulator, kind: string): ActionHooks {
  return {
    async finish(stored: StoredResource, body: JsonObject, _emu: Emulator, op: OperationRecord) {
      await updateResource(emu, stored.id, (_hub, props) => recordAction(props, BMM, op, emu.clock.iso(), `${kind} completed.`));
      const commands = Array.isArray(body.commands) ? body.commands.length : 1;
      return {
        exitCode: '0',
        outputHead: `====Action Command Output====\n${commands} command(s) ran on ${String(stored.resource.name)} (emulated).`,
        resultUrl: `https://commandoutput.blob.core.windows.net/nexus/${op.name}-output.tar.gz`,
        resultRef: `https://commandoutput.blob.core.windows.net/nexus/${op.name}-output.tar.gz`,
      };
    },
  };
}

function requirePoweredOn(stored: StoredResource, action: string): void {
  if ((stored.resource.properties as JsonObject).powerState === 'Off') {
    throw new ArmError(409, 'InvalidMachineState', `The bare metal machine '${stored.resource.name as string}' is powered off; start it before '${action}'.`);
  }
}

export function bareMetalMachines(emu: Emulator, options: TrackedOptions): TrackedResourceType {
  return new TrackedResourceType(bareMetalMachineDef, {
    actions: {
      cordon: {
        async finish(stored, body, _emu, op) {
          await machineAction(emu, 'The machine is cordoned.', (p) => {
            p.cordonStatus = 'Cordoned';
          }).finish(stored, body, emu, op);
          // Workloads on the machine: evacuated (moved or stopped) when asked, else left running.
          await onMachineCordoned(emu, stored.id, body.evacuate === 'True');
        },
      },
      uncordon: machineAction(emu, 'The machine is uncordoned.', (p) => {
        p.cordonStatus = 'Uncordoned';
      }),
      powerOff: machineAction(emu, 'The machine is powered off.', (p) => {
        p.powerState = 'Off';
        p.readyState = 'False';
      }),
      start: machineAction(emu, 'The machine is powered on.', (p) => {
        p.powerState = 'On';
        p.readyState = 'True';
      }),
      restart: { ...machineAction(emu, 'The machine restarted.'), accept: (s) => requirePoweredOn(s, 'restart') },
      reimage: machineAction(emu, 'The machine was reimaged.', (p) => {
        p.detailedStatus = 'Provisioned';
      }),
      replace: machineAction(emu, 'The machine\'s hardware replacement was recorded.', (p, body) => {
        for (const key of ['bmcMacAddress', 'bootMacAddress', 'serialNumber', 'bmcCredentials'] as const) if (body[key] !== undefined) p[key] = body[key];
      }),
      runCommand: { ...commandAction(emu, 'Run command'), accept: (s) => requirePoweredOn(s, 'runCommand') },
      runDataExtracts: commandAction(emu, 'Data extraction'),
      runDataExtractsRestricted: commandAction(emu, 'Restricted data extraction'),
      runReadCommands: commandAction(emu, 'Read commands'),
    },
  }, { ...options, platformOwned: true });
}

export function storageAppliances(emu: Emulator, options: TrackedOptions): TrackedResourceType {
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
      runReadCommands: commandAction(emu, 'Read commands'),
    },
  }, { ...options, platformOwned: true });
}
