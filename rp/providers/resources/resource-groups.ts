/** Microsoft.Resources/resourceGroups: PUT, GET, HEAD, PATCH, DELETE and list. */
import { isObject } from '../../api/derive.js';
import { ArmError, errors } from '../../arm/errors.js';
import { sendJson } from '../../arm/http.js';
import { assertValidTags } from '../../arm/tags.js';
import { callerCan } from '../authorization/arm-access.js';
import { idKey } from '../../arm/resource-id.js';
import type { ArmContext } from '../context.js';
import { RESOURCE_GROUPS, RESOURCES, type StoredResourceGroup } from '../resource-store.js';

export function groupView(g: StoredResourceGroup) {
  return {
    id: g.id,
    name: g.name,
    type: 'Microsoft.Resources/resourceGroups',
    location: g.location,
    ...(g.managedBy ? { managedBy: g.managedBy } : {}),
    ...(g.tags ? { tags: g.tags } : {}),
    properties: { provisioningState: 'Succeeded' },
  };
}

function readTags(body: Record<string, unknown>): Record<string, string> | undefined {
  if (body.tags === undefined || body.tags === null) return undefined;
  if (!isObject(body.tags) || Object.values(body.tags).some((v) => typeof v !== 'string')) {
    throw errors.invalidRequestContent('The tags of a resource group must be an object of string values.', 'tags');
  }
  assertValidTags(body.tags);
  return body.tags as Record<string, string>;
}

export const resourceGroups = {
  list(ctx: ArmContext): void {
    const prefix = `/subscriptions/${ctx.path.subscriptionId}/`.toLowerCase();
    const groups = ctx.emu.store
      .entries<StoredResourceGroup>(RESOURCE_GROUPS)
      .filter(([k]) => k.startsWith(prefix))
      .map(([, g]) => g)
      .filter((g) => callerCan(ctx.emu, ctx.caller, 'Microsoft.Resources/subscriptions/resourceGroups/read', g.id))
      .sort((a, b) => a.seq - b.seq);
    sendJson(ctx.res, 200, { value: groups.map(groupView) });
  },

  async handle(ctx: ArmContext, verb: string): Promise<void> {
    const { emu, path, req, res } = ctx;
    const sub = path.subscriptionId!;
    const name = path.resourceGroup!;
    if (verb === 'PUT') {
      if (!/^[-\w._()]{1,90}$/u.test(name) || name.endsWith('.')) throw errors.invalidResourceGroupName(name);
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (!isObject(body)) throw errors.invalidRequestContent('The request body must be a JSON object.');
      const existing = emu.findResourceGroup(sub, name);
      if (typeof body.location !== 'string' || body.location === '') {
        throw new ArmError(400, 'LocationRequired', 'The location property is required for this definition.', 'location');
      }
      if (existing && existing.location.toLowerCase() !== body.location.toLowerCase().replace(/\s+/g, '')) {
        throw new ArmError(409, 'InvalidResourceGroupLocation', `Invalid resource group location '${body.location}'. The Resource group already exists in location '${existing.location}'.`);
      }
      const group = await emu.putResourceGroup(sub, name, body.location.toLowerCase().replace(/\s+/g, ''), readTags(body), typeof body.managedBy === 'string' ? body.managedBy : undefined);
      sendJson(res, existing ? 200 : 201, groupView(group));
      return;
    }
    if (verb === 'HEAD') {
      res.statusCode = emu.findResourceGroup(sub, name) ? 204 : 404;
      res.end();
      return;
    }
    const group = emu.requireResourceGroup(sub, name);
    if (verb === 'GET') {
      sendJson(res, 200, groupView(group));
      return;
    }
    if (verb === 'PATCH') {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const updated = await emu.putResourceGroup(sub, group.name, group.location, readTags(body) ?? group.tags);
      sendJson(res, 200, groupView(updated));
      return;
    }
    if (verb === 'DELETE') {
      await deleteGroup(ctx, group);
      return;
    }
    throw errors.methodNotAllowed(`The ${verb} method is not supported for resource groups.`);
  },
};

/**
 * Deletes the group and everything in it, as ARM does. A group the platform manages (a cluster's
 * managed resource group) is refused while its owner exists.
 */
async function deleteGroup(ctx: ArmContext, group: StoredResourceGroup): Promise<void> {
  const { emu, res } = ctx;
  if (group.managedBy && emu.store.get(RESOURCES, idKey(group.managedBy))) {
    throw new ArmError(409, 'ResourceGroupManagedByApplication', `The resource group '${group.name}' is managed by '${group.managedBy}' and cannot be deleted while that resource exists.`);
  }
  await emu.deleteResourceGroupContents(group, true);
  // ARM answers 202 and lets the client poll; the emulator finishes at once, so 200 says so.
  sendJson(res, 200, undefined);
}
