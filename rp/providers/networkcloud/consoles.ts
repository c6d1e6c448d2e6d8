/**
 * Consoles of a virtual machine (virtualMachines/consoles): SSH access to the VM's serial console
 * through the cluster's private link service. A console carries one SSH public key (checked like a
 * key set's), is `enabled` or not, and stops granting access once its `expiration` has passed on
 * the emulator's clock: its detailedStatus is then Error (the enum has no expired value), until a
 * later expiration or none is set.
 */
import { randomUUID } from 'node:crypto';
import type { JsonObject } from '../../api/derive.js';
import type { TypeModel } from '../../api/model.js';
import { errors } from '../../arm/errors.js';
import { idKey } from '../../arm/resource-id.js';
import type { EmulatorHost } from '../../host.js';
import { RESOURCES, type StoredResource } from '../resource-store.js';
import type { TrackedOptions, TrackedResourceType } from '../tracked.js';
import { ExpiringType } from './expiry.js';
import { hasExpired } from './keysets.js';
import { checkSshPublicKey } from './ssh-keys.js';

export function consoleStatus(props: JsonObject, nowMs: number): void {
  if (hasExpired(props.expiration, nowMs)) {
    props.detailedStatus = 'Error';
    props.detailedStatusMessage = `The console's access expired at ${String(props.expiration)}; set a later expiration to use it again.`;
  } else if (props.enabled === 'False') {
    props.detailedStatus = 'Ready';
    props.detailedStatusMessage = 'The console is ready but disabled: it accepts no SSH sessions until enabled.';
  } else {
    props.detailedStatus = 'Ready';
    props.detailedStatusMessage = 'The console is ready and accepts SSH sessions with its key.';
  }
}

/** The VM a console belongs to: its id without the last two segments. */
function vmOf(emu: EmulatorHost, consoleId: string): StoredResource | undefined {
  return emu.store.get<StoredResource>(RESOURCES, idKey(consoleId.split('/').slice(0, -2).join('/')));
}

export function consoles(emu: EmulatorHost, type: TypeModel, options: TrackedOptions): TrackedResourceType {
  const refresh = (props: JsonObject, nowMs: number) => {
    const was = `${String(props.detailedStatus)}|${String(props.detailedStatusMessage)}`;
    consoleStatus(props, nowMs);
    return was !== `${String(props.detailedStatus)}|${String(props.detailedStatusMessage)}`;
  };
  return new ExpiringType(emu, refresh, type, {
    initialize(hub) {
      const props = hub.properties as JsonObject;
      // Each console gets its own access id, which the relay uses to find the VM.
      props.virtualMachineAccessId = randomUUID();
      const vm = vmOf(emu, String(hub.id));
      const vmProps = (vm?.resource.properties ?? {}) as JsonObject;
      const clusterId = String(vmProps.clusterId ?? '');
      const cluster = emu.store.get<StoredResource>(RESOURCES, idKey(clusterId));
      const clusterName = clusterId.split('/').pop() || 'cluster';
      const mrg = ((cluster?.resource.properties as JsonObject | undefined)?.managedResourceGroupConfiguration as JsonObject | undefined)?.name ?? `${clusterName}-mrg`;
      const [, , sub] = String(hub.id).split('/');
      // The cluster's console relay: one private link service in its managed resource group.
      props.privateLinkServiceId = `/subscriptions/${sub}/resourceGroups/${String(mrg)}/providers/Microsoft.Network/privateLinkServices/${clusterName}-console-pls`;
      props.detailedStatus = 'Ready';
      props.detailedStatusMessage = 'The console is being set up.';
    },
    prepare(hub) {
      const props = hub.properties as JsonObject;
      const check = checkSshPublicKey((props.sshPublicKey as JsonObject | undefined)?.keyData);
      if (!check.valid) throw errors.invalidRequestContent(check.reason, 'properties.sshPublicKey.keyData');
    },
    afterWrite(hub) {
      consoleStatus(hub.properties as JsonObject, emu.clock.nowMs());
    },
  }, options);
}
