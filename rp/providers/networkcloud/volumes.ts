/**
 * Volumes: block storage a storage appliance of the cluster serves to virtual machines. A volume
 * keeps its requested size, gets a serial number and its appliance, and lists in attachedTo the
 * virtual machines it is attached to (virtual-machines.ts keeps that list as VMs come and go).
 */
import { createHash } from 'node:crypto';
import type { JsonObject } from '../../api/derive.js';
import type { TypeModel } from '../../api/model.js';
import { errors } from '../../arm/errors.js';
import { idKey } from '../../arm/resource-id.js';
import type { EmulatorHost } from '../../host.js';
import { RESOURCES, type StoredResource } from '../resource-store.js';
import { TrackedResourceType, type TrackedOptions } from '../tracked.js';
import { clusterAt } from './virtual-machines.js';

/** The storage appliances of a cluster, oldest first. */
function appliancesOf(emu: EmulatorHost, clusterId: string): StoredResource[] {
  return emu.store.list<StoredResource>(RESOURCES)
    .filter((r) => r.type.toLowerCase() === 'microsoft.networkcloud/storageappliances' && idKey(String((r.resource.properties as JsonObject).clusterId ?? '')) === idKey(clusterId))
    .sort((a, b) => a.seq - b.seq);
}

export function volumes(emu: EmulatorHost, type: TypeModel, options: TrackedOptions): TrackedResourceType {
  return new TrackedResourceType(type, {
    updatingState: 'Accepted',
    initialize(hub) {
      const props = hub.properties as JsonObject;
      // A serial number as the appliance reports it: 24 upper-case hexadecimal digits, stable per volume id.
      props.serialNumber = createHash('sha256').update(idKey(String(hub.id))).digest('hex').slice(0, 24).toUpperCase();
      props.allocatedSizeMiB = props.sizeMiB;
      props.attachedTo = [];
      const cluster = clusterAt(emu, hub.extendedLocation);
      const appliance = props.storageApplianceId ?? (cluster ? appliancesOf(emu, cluster.id)[0]?.id : undefined);
      if (appliance) props.assignedStorageApplianceId = appliance;
      props.detailedStatus = 'Provisioning';
      props.detailedStatusMessage = 'The volume is being created on its storage appliance.';
    },
    afterWrite(hub) {
      const props = hub.properties as JsonObject;
      props.detailedStatus = 'Active';
      props.detailedStatusMessage = `The volume of ${String(props.sizeMiB)} MiB is active.`;
    },
  }, options);
}
