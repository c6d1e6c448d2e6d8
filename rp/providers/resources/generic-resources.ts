/** GET .../resources: every resource of a subscription or group, in ARM's GenericResource shape. */
import { sendJson } from '../../arm/http.js';
import { callerCan } from '../authorization/arm-access.js';
import type { ArmContext } from '../context.js';
import { RESOURCES, type StoredResource } from '../resource-store.js';

export function listGenericResources(ctx: ArmContext): void {
  const { path, emu } = ctx;
  const prefix = (path.resourceGroup ? `/subscriptions/${path.subscriptionId}/resourcegroups/${path.resourceGroup}/` : `/subscriptions/${path.subscriptionId}/`).toLowerCase();
  if (path.resourceGroup) emu.requireResourceGroup(path.subscriptionId!, path.resourceGroup);
  const items = emu.store
    .entries<StoredResource>(RESOURCES)
    .filter(([k]) => k.startsWith(prefix))
    .map(([, r]) => r)
    .filter((r) => callerCan(emu, ctx.caller, `${r.type}/read`, r.id))
    .sort((a, b) => a.seq - b.seq)
    .map((r) => {
      const hub = r.resource;
      const out: Record<string, unknown> = { id: r.id, name: hub.name, type: r.type, location: hub.location };
      for (const key of ['tags', 'extendedLocation', 'identity', 'kind', 'systemData'] as const) if (hub[key] !== undefined) out[key] = hub[key];
      return out;
    });
  sendJson(ctx.res, 200, { value: items });
}
