/**
 * A cluster's racks: the platform creates one per rack definition (aggregatorOrSingleRackDefinition,
 * then each of computeRackDefinitions) in the cluster's managed resource group as soon as the
 * cluster is created, and deletes them with it. Customers PATCH rackLocation, rackSerialNumber and
 * tags; deploy (./deploy.ts) reuses the racks and points every machine's and appliance's rackId at them.
 */
import type { Json, JsonObject } from '../../api/derive.js';
import { newEtag } from '../../arm/etag.js';
import { idKey, parseResourceId, resourceId } from '../../arm/resource-id.js';
import type { EmulatorHost } from '../../host.js';
import type { StoreOp } from '../../store/store.js';
import { RESOURCES, type StoredResource } from '../resource-store.js';

const RACKS = 'Microsoft.NetworkCloud/racks';
const pad = (n: number, width: number) => String(n).padStart(width, '0');

export interface RackPlan {
  /** 1 for the aggregator (or single) rack, 2.. for the compute racks. */
  index: number;
  name: string;
  definition: JsonObject;
}

/** The racks a cluster's definitions describe, with the names the platform gives them. */
export function racksOf(props: JsonObject, clusterName: string): RackPlan[] {
  const racks: RackPlan[] = [{ index: 1, name: `${clusterName}-aggrack`, definition: (props.aggregatorOrSingleRackDefinition as JsonObject) ?? {} }];
  const compute = Array.isArray(props.computeRackDefinitions) ? (props.computeRackDefinitions as JsonObject[]) : [];
  compute.forEach((definition, i) => racks.push({ index: i + 2, name: `${clusterName}-comprack${pad(i + 1, 2)}`, definition }));
  return racks;
}

/** The id of a rack of the cluster, in its managed resource group. */
export function rackIdOf(clusterId: string, groupName: string, rack: RackPlan): string {
  return resourceId(parseResourceId(clusterId)!.subscriptionId, groupName, 'Microsoft.NetworkCloud', 'racks', rack.name);
}

/**
 * Creates the racks the cluster's definitions describe that do not exist yet (and its managed
 * resource group, if needed); before deployment, removes racks whose definition is gone. One batch.
 */
export async function ensureRacks(emu: EmulatorHost, cluster: JsonObject): Promise<void> {
  const props = cluster.properties as JsonObject;
  const id = parseResourceId(String(cluster.id))!;
  const mrg = props.managedResourceGroupConfiguration as JsonObject | undefined;
  if (!mrg?.name) return;
  const group = emu.findResourceGroup(id.subscriptionId, String(mrg.name));
  if (group?.managedBy && group.managedBy.toLowerCase() !== String(cluster.id).toLowerCase()) return; // deploy reports the conflict
  const groupName = group?.name ?? String(mrg.name);
  const now = emu.clock.iso();
  const systemData = { createdBy: 'Microsoft.NetworkCloud', createdByType: 'Application', createdAt: now, lastModifiedBy: 'Microsoft.NetworkCloud', lastModifiedByType: 'Application', lastModifiedAt: now };
  const ops: StoreOp[] = [];
  const wanted = new Set<string>();
  for (const rack of racksOf(props, id.name)) {
    const rackId = rackIdOf(String(cluster.id), groupName, rack);
    wanted.add(idKey(rackId));
    if (emu.store.get<StoredResource>(RESOURCES, idKey(rackId))) continue;
    const d = rack.definition;
    const resource: JsonObject = {
      id: rackId, name: rack.name, type: RACKS, location: (cluster.location as Json) ?? null, extendedLocation: (props.clusterExtendedLocation as Json) ?? null,
      systemData, etag: newEtag(), tags: {},
      properties: {
        availabilityZone: (d.availabilityZone as Json) ?? '1',
        clusterId: String(cluster.id),
        detailedStatus: 'Available',
        detailedStatusMessage: 'The rack is available.',
        provisioningState: 'Succeeded',
        rackLocation: (d.rackLocation as Json) ?? '',
        rackSerialNumber: (d.rackSerialNumber as Json) ?? rack.name,
        rackSkuId: (d.rackSkuId as Json) ?? '',
      },
    };
    ops.push({ op: 'put', collection: RESOURCES, key: idKey(rackId), value: { id: rackId, type: RACKS, seq: emu.nextSeq(), resource } satisfies StoredResource });
  }
  if (props.detailedStatus === 'PendingDeployment' || props.detailedStatus === undefined) {
    const clusterKey = String(cluster.id).toLowerCase();
    for (const [key, r] of emu.store.entries<StoredResource>(RESOURCES)) {
      if (r.type === RACKS && String((r.resource.properties as JsonObject).clusterId ?? '').toLowerCase() === clusterKey && !wanted.has(key)) ops.push({ op: 'delete', collection: RESOURCES, key });
    }
  }
  if (!ops.length) return;
  await emu.store.transaction(async () => {
    if (!group) await emu.putResourceGroup(id.subscriptionId, groupName, String(mrg.location ?? cluster.location).toLowerCase().replace(/\s+/g, ''), undefined, String(cluster.id));
    await emu.store.batch(ops);
  });
}
