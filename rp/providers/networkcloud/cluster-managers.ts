/** Cluster managers: created by customers; the platform fills in the custom location and versions. */
import type { JsonObject } from '../../api/derive.js';
import { clusterManagerDef } from '../../api/registry.js';
import { ArmError } from '../../arm/errors.js';
import { parseResourceId } from '../../arm/resource-id.js';
import type { EmulatorHost } from '../../host.js';
import { listResources, TrackedResourceType, type TrackedOptions } from '../tracked.js';
import { resolveIdentity } from './identity.js';
import { customLocationId, deleteManagedGroup, planManagedGroup } from './managed-group.js';
import { SUPPORTED_CLUSTER_VERSIONS } from './versions.js';

export function clusterManagers(emu: EmulatorHost, options: TrackedOptions): TrackedResourceType {
  return new TrackedResourceType(clusterManagerDef, {
    updatingState: 'Updating',
    initialize(hub) {
      const props = hub.properties as JsonObject;
      const { id, groupName } = planManagedGroup(hub);
      props.managerExtendedLocation = { name: customLocationId(id, groupName, `${id.name}-cl`), type: 'CustomLocation' };
      props.detailedStatus = 'Provisioning';
      props.detailedStatusMessage = 'The cluster manager is being provisioned.';
      props.clusterVersions = SUPPORTED_CLUSTER_VERSIONS.map((v) => ({ targetClusterVersion: v.version, supportExpiryDate: v.supportExpiryDate }));
    },
    async prepare(hub, ctx) {
      await resolveIdentity(emu, hub, ctx.existing?.resource.identity as JsonObject | undefined);
    },
    async afterWrite(hub) {
      const props = hub.properties as JsonObject;
      props.detailedStatus = 'Available';
      props.detailedStatusMessage = 'The cluster manager is available.';
      const id = parseResourceId(String(hub.id))!;
      const mrg = props.managedResourceGroupConfiguration as JsonObject;
      if (!emu.findResourceGroup(id.subscriptionId, String(mrg.name))) {
        await emu.putResourceGroup(id.subscriptionId, String(mrg.name), String(mrg.location ?? hub.location).toLowerCase(), undefined, String(hub.id));
      }
    },
    beforeDelete(stored) {
      const managed = listResources(emu, 'Microsoft.NetworkCloud/clusters', parseResourceId(stored.id)!.subscriptionId)
        .filter((c) => String((c.resource.properties as JsonObject).clusterManagerId ?? '').toLowerCase() === stored.id.toLowerCase());
      if (managed.length) {
        throw new ArmError(409, 'ResourceHasDependents', `The cluster manager still manages ${managed.length} cluster(s), e.g. '${managed[0].id}'. Delete them first.`);
      }
    },
    afterDelete: (stored) => deleteManagedGroup(emu, stored),
  }, options);
}
