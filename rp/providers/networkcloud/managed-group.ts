/**
 * The managed resource group of a cluster or cluster manager: named on create (the customer's
 * choice, else "<name>-mrg"), owned by the resource (managedBy), and deleted with it.
 */
import type { JsonObject } from '../../api/derive.js';
import { parseResourceId, type ResourceIdParts } from '../../arm/resource-id.js';
import type { EmulatorHost } from '../../host.js';
import type { StoredResource } from '../resource-store.js';

/** Fills in managedResourceGroupConfiguration's defaults; returns the owner's id parts and the group's name. */
export function planManagedGroup(hub: JsonObject): { id: ResourceIdParts; groupName: string } {
  const props = hub.properties as JsonObject;
  const id = parseResourceId(String(hub.id))!;
  const given = (props.managedResourceGroupConfiguration as JsonObject | undefined) ?? {};
  const groupName = (given.name as string | undefined) ?? `${id.name}-mrg`;
  props.managedResourceGroupConfiguration = { name: groupName, location: (given.location as string | undefined) ?? String(hub.location) };
  return { id, groupName };
}

/** The id of a custom location in the owner's managed resource group. */
export function customLocationId(id: ResourceIdParts, groupName: string, name: string): string {
  return `/subscriptions/${id.subscriptionId}/resourceGroups/${groupName}/providers/Microsoft.ExtendedLocation/customLocations/${name}`;
}

/** Deletes the owner's managed resource group and everything in it, if the owner still owns it. */
export async function deleteManagedGroup(emu: EmulatorHost, owner: StoredResource): Promise<void> {
  const id = parseResourceId(owner.id)!;
  const config = (owner.resource.properties as JsonObject).managedResourceGroupConfiguration as JsonObject | undefined;
  const group = config?.name ? emu.findResourceGroup(id.subscriptionId, String(config.name)) : undefined;
  if (group && group.managedBy?.toLowerCase() === owner.id.toLowerCase()) await emu.deleteResourceGroupContents(group, true);
}
