/** Resource provider registration and the operations list, as ARM reports them. */
import { errors } from '../../arm/errors.js';
import { sendJson } from '../../arm/http.js';
import type { ArmContext, TypeHandler } from '../context.js';

function providerView(ctx: ArmContext, namespace: string, handlers: TypeHandler[]) {
  const ns = handlers[0]?.fullType.split('/')[0] ?? namespace;
  const registered = ctx.emu.providers.isRegistered(ctx.path.subscriptionId, ns);
  const types = handlers.map((h) => ({
    resourceType: h.fullType.slice(ns.length + 1),
    locations: h.locations ?? [],
    apiVersions: [...h.apiVersions].reverse(),
    capabilities: 'SupportsTags, SupportsLocation',
  }));
  const versions = [...(handlers[0]?.apiVersions ?? [])].reverse();
  types.push(
    { resourceType: 'operations', locations: [], apiVersions: versions, capabilities: 'None' },
    { resourceType: 'locations', locations: [], apiVersions: versions, capabilities: 'None' },
    { resourceType: 'locations/operationStatuses', locations: handlers[0]?.locations ?? [], apiVersions: versions, capabilities: 'None' },
  );
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
    const value = ctx.emu.providers.namespaces().map((ns) => providerView(ctx, ns, ctx.emu.providers.handlersOf(ns)));
    sendJson(ctx.res, 200, { value });
  },
};

export const provider = {
  get(ctx: ArmContext, namespace: string): void {
    const handlers = ctx.emu.providers.handlersOf(namespace);
    if (!handlers.length) throw errors.badRequest('InvalidResourceNamespace', `The resource namespace '${namespace}' is invalid.`);
    sendJson(ctx.res, 200, providerView(ctx, namespace, handlers));
  },
};

export async function registerProvider(ctx: ArmContext, namespace: string, register: boolean): Promise<void> {
  const handlers = ctx.emu.providers.handlersOf(namespace);
  if (!handlers.length) throw errors.badRequest('InvalidResourceNamespace', `The resource namespace '${namespace}' is invalid.`);
  await ctx.emu.providers.setRegistered(ctx.path.subscriptionId!, handlers[0].fullType.split('/')[0], register);
  sendJson(ctx.res, 200, providerView(ctx, namespace, handlers));
}

/** GET /providers/{ns}/operations: what the provider can do, for RBAC and the portal. */
export function providerOperations(ctx: ArmContext, namespace: string): void {
  const handlers = ctx.emu.providers.handlersOf(namespace);
  if (!handlers.length) throw errors.invalidResourceType(namespace, 'operations');
  const { requireVersion } = ctx.emu.providers;
  requireVersion(ctx.apiVersion, handlers[0].apiVersions, handlers[0].fullType.split('/')[0], 'operations');
  sendJson(ctx.res, 200, { value: ctx.emu.providers.operationsOf(namespace, ctx.apiVersion) });
}
