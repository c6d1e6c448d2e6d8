/** GET .../resources: every resource of a subscription or group, in ARM's GenericResource shape. */
import { errors } from '../../arm/errors.js';
import { sendJson } from '../../arm/http.js';
import { callerCan } from '../authorization/arm-access.js';
import type { ArmContext } from '../context.js';
import { RESOURCES, type StoredResource } from '../resource-store.js';

export function listGenericResources(ctx: ArmContext): void {
  const { path, emu } = ctx;
  const prefix = (path.resourceGroup ? `/subscriptions/${path.subscriptionId}/resourcegroups/${path.resourceGroup}/` : `/subscriptions/${path.subscriptionId}/`).toLowerCase();
  if (path.resourceGroup) emu.requireResourceGroup(path.subscriptionId!, path.resourceGroup);
  const typeFilter = resourceTypeFilter(ctx.req.query.$filter);
  const items = emu.store
    .entries<StoredResource>(RESOURCES)
    .filter(([k]) => k.startsWith(prefix))
    .map(([, r]) => r)
    .filter((r) => !typeFilter || r.type.toLowerCase() === typeFilter)
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

/** ARM's one filter clients use here: `resourceType eq 'Namespace/type'` (anything else is a 400). */
function resourceTypeFilter(raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  const m = typeof raw === 'string' ? /^\s*resourceType\s+eq\s+'([^']+)'\s*$/i.exec(raw) : null;
  if (!m) throw errors.badRequest('InvalidFilterInQueryString', `The $filter '${String(raw)}' is not supported; use resourceType eq '<namespace>/<type>'.`, '$filter');
  return m[1].toLowerCase();
}
