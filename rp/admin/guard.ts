/**
 * The one gate in front of every /_emulator route. It is mounted on the /_emulator prefix before
 * any router, so a route added there later is covered without doing anything: the action a request
 * needs is derived from its method and path alone, and checked like an ARM action (the caller's
 * role assignments through the RBAC evaluator).
 *
 * Actions live in the emulator's own namespace, Microsoft.Emulator:
 *   Microsoft.Emulator/{area}/{verb}                 /_emulator/{area}[/...]
 *   Microsoft.Emulator/sites/{part}/{verb}           /_emulator/sites/{sub}/{group}/{cluster}/{part}[/...]
 *   Microsoft.Emulator/sites/{verb}                  /_emulator/sites/{sub}/{group}/{cluster}
 * where {verb} is read (GET, HEAD), write (PUT, PATCH), delete (DELETE) or action (POST and anything
 * else), {area} is the first path segment after /_emulator and {part} the first segment after a
 * site's cluster name, without a file extension (trust-bundle.pem -> trust-bundle).
 *
 * Scope: '/' (the tenant root), so only a role assignment at '/' grants it; the built-in
 * "Emulator Administrator" role (Microsoft.Emulator/*) and Owner at '/' do. Reads of one site are
 * scoped to its cluster instead, so whoever may read the cluster may read its site view.
 *
 * Left open on purpose:
 *   - no token: GET /_emulator/health (scripts wait on it), the PKI's public material
 *     (GET /_emulator/pki/crl/..., GET /_emulator/pki/roots/...: CRL distribution points are fetched
 *     by TLS clients that hold no token; root certificates are public);
 *   - any signed-in caller: GET /_emulator/clock (the virtual time is no secret);
 *   - filtered (signed in; the handler shows only what the caller may see, like ARM lists):
 *     GET /_emulator/subscriptions, GET /_emulator/sites.
 */
import type { Request, RequestHandler } from 'express';
import { resourceId } from '../arm/resource-id.js';
import type { CallerPrincipal } from '../identity/auth.js';

export const EMULATOR_NAMESPACE = 'Microsoft.Emulator';
export const TENANT_ROOT = '/';

export type AdminAccess =
  /** No token needed. */
  | { kind: 'public' }
  /** Any signed-in caller. */
  | { kind: 'signedIn' }
  /** Signed in; the handler filters what it shows. */
  | { kind: 'filtered' }
  | { kind: 'check'; action: string; scope: string };

const VERBS: Record<string, string> = { GET: 'read', HEAD: 'read', PUT: 'write', PATCH: 'write', DELETE: 'delete', POST: 'action' };

/** The action a site's view needs (read) at its cluster's scope. */
export const SITE_READ_ACTION = `${EMULATOR_NAMESPACE}/sites/read`;
/** Whoever holds this at '/' sees every subscription in GET /_emulator/subscriptions. */
export const SUBSCRIPTIONS_READ_ACTION = `${EMULATOR_NAMESPACE}/subscriptions/read`;

/** The clusters' resource id a site path names, or undefined. */
function siteClusterId(seg: readonly string[]): string | undefined {
  if (seg.length < 4) return undefined;
  return resourceId(seg[1], seg[2], 'Microsoft.NetworkCloud', 'clusters', seg[3]);
}

/**
 * What a request under /_emulator needs. `path` is the part after /_emulator (e.g. '/clock'); only
 * its segments count, so trailing slashes, repeated slashes and letter case change nothing.
 */
export function adminAccess(method: string, path: string): AdminAccess {
  const raw = path.split('?')[0].split('/').filter((s) => s !== '');
  const seg = raw.map((s) => safeDecode(s));
  const lower = seg.map((s) => s.toLowerCase());
  const m = method.toUpperCase();
  const verb = VERBS[m] ?? 'action';
  const reading = verb === 'read';
  const area = lower[0];

  if (reading) {
    if (area === 'health' && seg.length === 1) return { kind: 'public' };
    if (area === 'pki' && (lower[1] === 'crl' || lower[1] === 'roots')) return { kind: 'public' };
    if (area === 'clock' && seg.length === 1) return { kind: 'signedIn' };
    if ((area === 'subscriptions' || area === 'sites') && seg.length === 1) return { kind: 'filtered' };
  }
  if (area === undefined) return { kind: 'check', action: `${EMULATOR_NAMESPACE}/${verb}`, scope: TENANT_ROOT };
  if (area === 'sites' && seg.length >= 4) {
    const part = lower[4]?.replace(/\.[a-z0-9]+$/, '');
    const action = `${EMULATOR_NAMESPACE}/sites/${part ? `${part}/` : ''}${verb}`;
    return { kind: 'check', action, scope: reading ? siteClusterId(seg)! : TENANT_ROOT };
  }
  return { kind: 'check', action: `${EMULATOR_NAMESPACE}/${area}/${verb}`, scope: TENANT_ROOT };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export interface AdminGuardDeps {
  /** Bearer authentication: sets res.locals.principal or fails with ARM's 401. */
  authenticate: RequestHandler;
  /** The RBAC decision (arm-access.ts callerCan). */
  can: (caller: CallerPrincipal, action: string, scope: string) => boolean;
  /** ARM's 403 AuthorizationFailed. */
  refuse: (caller: CallerPrincipal, action: string, scope: string) => Error;
}

/** Mount with `app.use('/_emulator', adminGuard(...))` before every router that serves /_emulator. */
export function adminGuard(deps: AdminGuardDeps): RequestHandler {
  return (req: Request, res, next) => {
    const access = adminAccess(req.method, req.path);
    if (access.kind === 'public') return next();
    deps.authenticate(req, res, (err?: unknown) => {
      if (err) return next(err);
      if (access.kind !== 'check') return next();
      const caller = res.locals.principal as CallerPrincipal;
      if (!deps.can(caller, access.action, access.scope)) return next(deps.refuse(caller, access.action, access.scope));
      next();
    });
  };
}
