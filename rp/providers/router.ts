/**
 * ARM's front door for management requests: works out which resource type and operation a path
 * names (case-insensitively), checks the api-version against that type's list, and dispatches.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ArmError, errors } from '../arm/errors.js';
import { apiVersionOf, requireVersion } from './api-version.js';
import { parsePath, type ParsedPath } from '../arm/resource-id.js';
import type { EmulatorHost } from '../host.js';
import type { CallerPrincipal } from '../identity/auth.js';
import type { ArmContext, TypeHandler } from './context.js';
import { enforce, requiredAccess } from './authorization/arm-access.js';
import { operationResult, operationStatus } from './resources/operation-status.js';
import { providerOperations, providers, provider, registerProvider } from './resources/providers.js';
import { resourceGroups } from './resources/resource-groups.js';
import { listGenericResources } from './resources/generic-resources.js';
import { subscriptions } from './resources/subscriptions.js';
import { RESOURCES_API_VERSIONS, SUBSCRIPTIONS_API_VERSIONS } from './resources/versions.js';

export { apiVersionOf, requireVersion };

type Verb = 'GET' | 'PUT' | 'PATCH' | 'DELETE' | 'POST' | 'HEAD';

export function armRouter(emu: EmulatorHost): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const path = parsePath(req.path);
      const caller = res.locals.principal as CallerPrincipal;
      const ctx: ArmContext = { req, res, emu, path, apiVersion: '', caller };
      await emu.track(dispatch(ctx, req.method as Verb));
    } catch (e) {
      next(e);
    }
  };
}

async function dispatch(ctx: ArmContext, verb: Verb): Promise<void> {
  const { path, emu } = ctx;
  const seg = path.segments.map((s) => s.toLowerCase());
  const apiVersion = apiVersionOf(ctx.req);
  ctx.apiVersion = apiVersion;

  // Extension resources (role assignments, role definitions) live under any scope: {scope}/providers/{ns}/{type}[/{name}].
  const extension = path.namespace && path.types.length === 1 ? emu.providers.extension(path.namespace, path.types[0]) : undefined;

  if (seg[0] === 'providers') {
    if (!extension) return tenantProviders(ctx, verb, seg);
    enforce(emu, ctx.caller, requiredAccess(ctx.req.method, path));
    return extension.handle(ctx, verb);
  }
  if (seg[0] !== 'subscriptions') throw errors.noRoute(verb, ctx.req.path);

  if (seg.length === 1) {
    requireVersion(apiVersion, SUBSCRIPTIONS_API_VERSIONS, 'Microsoft.Resources', 'subscriptions');
    return only(verb, ['GET'], () => subscriptions.list(ctx));
  }
  const sub = emu.requireSubscription(path.subscriptionId!);
  if (ctx.caller && sub.tenantId.toLowerCase() !== ctx.caller.tenantId.toLowerCase()) {
    // ARM's answer to a token from another tenant than the subscription's.
    throw errors.unauthorized(
      'InvalidAuthenticationTokenTenant',
      `The access token is from the wrong issuer. It must match the tenant '${sub.tenantId}' associated with this subscription. Please use the authority (URL) '${emu.endpoint}${sub.tenantId}' to get the token.`,
      `Bearer authorization_uri="${emu.endpoint}${sub.tenantId}", error="invalid_token", error_description="The access token is from the wrong issuer."`,
    );
  }
  enforce(emu, ctx.caller, requiredAccess(ctx.req.method, path));
  if (seg.length === 2) {
    requireVersion(apiVersion, SUBSCRIPTIONS_API_VERSIONS, 'Microsoft.Resources', 'subscriptions');
    return only(verb, ['GET'], () => subscriptions.get(ctx, sub));
  }
  if (extension) return extension.handle(ctx, verb);

  if (seg[2] === 'resources' && seg.length === 3) {
    requireVersion(apiVersion, RESOURCES_API_VERSIONS, 'Microsoft.Resources', 'resources');
    return only(verb, ['GET'], () => listGenericResources(ctx));
  }
  if (seg[2] === 'resourcegroups' && path.namespace === undefined) {
    requireVersion(apiVersion, RESOURCES_API_VERSIONS, 'Microsoft.Resources', 'resourceGroups');
    if (seg.length === 3) return only(verb, ['GET'], () => resourceGroups.list(ctx));
    if (seg.length === 4) return resourceGroups.handle(ctx, verb);
    if (seg.length === 5 && seg[4] === 'resources') return only(verb, ['GET'], () => listGenericResources(ctx));
    throw errors.noRoute(verb, ctx.req.path);
  }

  if (seg[2] === 'providers' && path.resourceGroup === undefined) return subscriptionProviders(ctx, verb, seg);
  if (path.resourceGroup !== undefined && path.namespace !== undefined) return resourceRoute(ctx, verb);
  throw errors.noRoute(verb, ctx.req.path);
}

/** /providers, /providers/{ns}, /providers/Microsoft.NetworkCloud/operations */
async function tenantProviders(ctx: ArmContext, verb: Verb, seg: string[]): Promise<void> {
  if (seg.length === 1) {
    requireVersion(ctx.apiVersion, RESOURCES_API_VERSIONS, 'Microsoft.Resources', 'providers');
    return only(verb, ['GET'], () => providers.list(ctx));
  }
  if (seg.length === 2) {
    requireVersion(ctx.apiVersion, RESOURCES_API_VERSIONS, 'Microsoft.Resources', 'providers');
    return only(verb, ['GET'], () => provider.get(ctx, ctx.path.segments[1]));
  }
  if (seg.length === 3 && seg[2] === 'operations') return only(verb, ['GET'], () => providerOperations(ctx, ctx.path.segments[1]));
  throw errors.noRoute(verb, ctx.req.path);
}

/** /subscriptions/{s}/providers[/{ns}[/register | /{type} | /locations/{l}/operationStatuses/{id}]] */
async function subscriptionProviders(ctx: ArmContext, verb: Verb, seg: string[]): Promise<void> {
  const { path } = ctx;
  if (seg.length === 3) {
    requireVersion(ctx.apiVersion, RESOURCES_API_VERSIONS, 'Microsoft.Resources', 'providers');
    return only(verb, ['GET'], () => providers.list(ctx));
  }
  const namespace = path.segments[3];
  if (seg.length === 4) {
    requireVersion(ctx.apiVersion, RESOURCES_API_VERSIONS, 'Microsoft.Resources', 'providers');
    return only(verb, ['GET'], () => provider.get(ctx, namespace));
  }
  if (seg.length === 5 && (seg[4] === 'register' || seg[4] === 'unregister')) {
    requireVersion(ctx.apiVersion, RESOURCES_API_VERSIONS, 'Microsoft.Resources', 'providers');
    return only(verb, ['POST'], () => registerProvider(ctx, namespace, seg[4] === 'register'));
  }
  // A provider's own subscription-level routes (checkNameAvailability, deleted vaults...) come first.
  const routes = ctx.emu.providers.routesOf(namespace);
  if (routes && (await routes(ctx, verb, path.segments.slice(4)))) return;
  if (seg.length === 8 && seg[4] === 'locations' && (seg[6] === 'operationstatuses' || seg[6] === 'operationresults')) {
    const handler = anyHandlerOf(ctx, namespace);
    requireVersion(ctx.apiVersion, handler.apiVersions, handler.fullType.split('/')[0], 'locations/operationStatuses', path.segments[5]);
    const opId = path.segments[7];
    return only(verb, ['GET'], () => (seg[6] === 'operationstatuses' ? operationStatus(ctx, opId) : operationResult(ctx, opId)));
  }
  if (seg.length === 5) {
    const handler = handlerFor(ctx, namespace, path.segments[4]);
    requireVersion(ctx.apiVersion, handler.apiVersions, namespace, path.segments[4], handler.locations?.[0]);
    return only(verb, ['GET'], () => handler.list(ctx));
  }
  // A subscription-level resource (rackSkus/{name}).
  if (seg.length === 6) {
    const handler = handlerFor(ctx, namespace, path.segments[4]);
    if (handler.scope !== 'subscription') throw errors.noRoute(verb, ctx.req.path);
    requireVersion(ctx.apiVersion, handler.apiVersions, namespace, path.segments[4], handler.locations?.[0]);
    return instanceVerb(ctx, verb, handler);
  }
  throw errors.noRoute(verb, ctx.req.path);
}

/**
 * /subscriptions/{s}/resourceGroups/{g}/providers/{ns}/{type}[/{name}[/{childType}[/{childName}]...][/{action}]]:
 * the type path (clusters, clusters/bmcKeySets) is matched against the registered types, so nested
 * types come from the model; an odd trailing segment is a collection when it names a type, else an action.
 */
async function resourceRoute(ctx: ArmContext, verb: Verb): Promise<void> {
  const { path } = ctx;
  const rest = path.segments.slice(path.segments.findIndex((s) => s.toLowerCase() === 'providers') + 2);
  const types = rest.filter((_s, i) => i % 2 === 0);
  if (rest.length % 2 === 1 && rest.length > 1) {
    const collection = ctx.emu.providers.handler(path.namespace!, types.join('/'));
    if (!collection) {
      // {type}/{name}/.../{action}: the action of the resource before it.
      const handler = handlerFor(ctx, path.namespace!, types.slice(0, -1).join('/'));
      requireVersion(ctx.apiVersion, handler.apiVersions, path.namespace!, types.slice(0, -1).join('/'), handler.locations?.[0]);
      if (verb !== 'POST') throw errors.methodNotAllowed(`Actions are invoked with POST, not ${verb}.`);
      return handler.action(ctx, rest[rest.length - 1]);
    }
  }
  const handler = handlerFor(ctx, path.namespace!, types.join('/'));
  requireVersion(ctx.apiVersion, handler.apiVersions, path.namespace!, types.join('/'), handler.locations?.[0]);
  if (rest.length % 2 === 1) return only(verb, ['GET'], () => handler.list(ctx));
  return instanceVerb(ctx, verb, handler);
}

async function instanceVerb(ctx: ArmContext, verb: Verb, handler: TypeHandler): Promise<void> {
  {
    switch (verb) {
      case 'GET':
      case 'HEAD':
        return handler.get(ctx);
      case 'PUT':
        return handler.put(ctx);
      case 'PATCH':
        return handler.patch(ctx);
      case 'DELETE':
        return handler.delete(ctx);
      default:
        throw errors.methodNotAllowed(`The ${verb} method is not supported for the resource type '${handler.fullType}'.`);
    }
  }
}

function handlerFor(ctx: ArmContext, namespace: string, type: string): TypeHandler {
  const handler = ctx.emu.providers.handler(namespace, type);
  if (!handler) {
    if (!ctx.emu.providers.hasNamespace(namespace)) {
      throw new ArmError(400, 'NoRegisteredProviderFound', `No registered resource provider found for the namespace '${namespace}'.`);
    }
    throw errors.invalidResourceType(namespace, type);
  }
  return handler;
}

function anyHandlerOf(ctx: ArmContext, namespace: string): TypeHandler {
  // The type with the most api-versions answers for the namespace's operation statuses.
  const handler = [...ctx.emu.providers.handlersOf(namespace)].sort((a, b) => b.apiVersions.length - a.apiVersions.length)[0];
  if (!handler) throw new ArmError(400, 'NoRegisteredProviderFound', `No registered resource provider found for the namespace '${namespace}'.`);
  return handler;
}

async function only(verb: Verb, allowed: Verb[], run: () => Promise<void> | void): Promise<void> {
  if (!allowed.includes(verb) && !(verb === 'HEAD' && allowed.includes('GET'))) {
    throw errors.methodNotAllowed(`The ${verb} method is not supported here; use ${allowed.join(' or ')}.`);
  }
  await run();
}

export type { ParsedPath };
