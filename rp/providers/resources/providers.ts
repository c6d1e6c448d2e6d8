/** Resource provider registration and the operations list, as ARM reports them. */
import { errors } from '../../arm/errors.js';
import { sendJson } from '../../arm/http.js';
import type { ArmContext, TypeRegistration } from '../context.js';
import { requireVersion } from '../api-version.js';

function providerView(ctx: ArmContext, namespace: string, registrations: TypeRegistration[]) {
  const ns = registrations[0]?.fullType.split('/')[0] ?? namespace;
  const registered = ctx.emu.providers.isRegistered(ctx.path.subscriptionId, ns);
  const types = registrations.map((r) => ({
    resourceType: r.fullType.slice(ns.length + 1),
    locations: r.locations ?? [],
    apiVersions: [...r.apiVersions].reverse(),
    capabilities: r.capabilities ?? 'SupportsTags, SupportsLocation',
  }));
  // A provider that does not list them itself gets ARM's usual companions, at every version any of its types has.
  const first = registrations[0];
  const versions = [...new Set(registrations.flatMap((r) => r.apiVersions))].sort().reverse();
  const has = (t: string) => types.some((x) => x.resourceType.toLowerCase() === t.toLowerCase());
  const companions = [
    { resourceType: 'operations', locations: [], apiVersions: versions, capabilities: 'None' },
    { resourceType: 'locations', locations: [], apiVersions: versions, capabilities: 'None' },
    { resourceType: 'locations/operationStatuses', locations: first?.locations ?? [], apiVersions: versions, capabilities: 'None' },
  ];
  if (ctx.emu.providers.handlersOf(ns).length) for (const c of companions) if (!has(c.resourceType)) types.push(c);
  return {
    id: ctx.path.subscriptionId ? `/subscriptions/${ctx.path.subscriptionId}/providers/${ns}` : `/providers/${ns}`,
    namespace: ns,
    registrationState: registered ? 'Registered' : 'NotRegistered',
    registrationPolicy: 'RegistrationRequired',
    resourceTypes: types,
  };
}

export const providers = {
  list(ctx: ArmContext): void {
    const value = ctx.emu.providers.namespaces().map((ns) => providerView(ctx, ns, ctx.emu.providers.registrationsOf(ns)));
    sendJson(ctx.res, 200, { value });
  },
};

export const provider = {
  get(ctx: ArmContext, namespace: string): void {
    const registrations = ctx.emu.providers.registrationsOf(namespace);
    if (!registrations.length) throw errors.badRequest('InvalidResourceNamespace', `The resource namespace '${namespace}' is invalid.`);
    sendJson(ctx.res, 200, providerView(ctx, namespace, registrations));
  },
};

export async function registerProvider(ctx: ArmContext, namespace: string, register: boolean): Promise<void> {
  const registrations = ctx.emu.providers.registrationsOf(namespace);
  if (!registrations.length) throw errors.badRequest('InvalidResourceNamespace', `The resource namespace '${namespace}' is invalid.`);
  await ctx.emu.providers.setRegistered(ctx.path.subscriptionId!, registrations[0].fullType.split('/')[0], register);
  sendJson(ctx.res, 200, providerView(ctx, namespace, registrations));
}

/** GET /providers/{ns}/operations: what the provider can do, for RBAC and the portal. */
export function providerOperations(ctx: ArmContext, namespace: string): void {
  const handlers = ctx.emu.providers.handlersOf(namespace);
  if (!handlers.length) throw errors.invalidResourceType(namespace, 'operations');
  requireVersion(ctx.apiVersion, handlers[0].apiVersions, handlers[0].fullType.split('/')[0], 'operations');
  sendJson(ctx.res, 200, { value: ctx.emu.providers.operationsOf(namespace, ctx.apiVersion) });
}
