/**
 * The managed-identity token endpoint, in the three dialects clients speak:
 *  - POST with form `resource` and `Metadata: true` (az with MSI_ENDPOINT, the Cloud Shell form);
 *  - GET ?api-version=2017-09-01 with header `secret` (az/msrestazure with MSI_ENDPOINT + MSI_SECRET);
 *  - GET ?api-version=2019-08-01 with header `X-IDENTITY-HEADER` (App Service 2019, what
 *    @azure/identity's ManagedIdentityCredential uses with IDENTITY_ENDPOINT + IDENTITY_HEADER).
 *  - GET ?api-version=2018-02-01 with header `Metadata: true` (IMDS's own form).
 * The secret is one random value per emulator, kept in the store so it survives restarts and can
 * be published in emulator.json. A request that carries no secret (only `Metadata: true`, as
 * against IMDS) is answered only for loopback callers: in Azure, IMDS is a link-local address that
 * nothing outside the machine can reach. A request that carries a secret header needs the right
 * secret, from anywhere.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Store } from '../store/store.js';
import { aad, sendAadError } from './aad-errors.js';
import { KEYS, type IssuedToken, type TokenService } from './tokens.js';
import type { Principal, PrincipalDirectory } from './principals.js';
import { isLoopbackAddress } from './locality.js';

const MSI_SECRET = 'msi-secret';

/** The emulator's MSI secret (the value of IDENTITY_HEADER / MSI_SECRET), created on first start. */
export async function loadMsiSecret(store: Store): Promise<string> {
  const existing = store.get<{ value: string }>(KEYS, MSI_SECRET);
  if (existing) return existing.value;
  const value = randomBytes(24).toString('hex');
  await store.put(KEYS, MSI_SECRET, { value, createdAt: new Date().toISOString() });
  return value;
}

export interface MsiDeps {
  principals: PrincipalDirectory;
  tokens: TokenService;
  msiSecret: string;
  /** objectId of the principal the endpoint speaks for when the request names no identity (the demo principal). */
  defaultPrincipalId?: () => string | undefined;
}

type Params = Record<string, unknown>;

/** The secret headers any form may carry; the first present one is checked. */
const SECRET_HEADERS = ['X-IDENTITY-HEADER', 'secret'];

/**
 * Why a request that relies on `Metadata: true` alone (no secret) is refused, or null when it may
 * go on: it must come from loopback, or carry a secret header with the right value.
 */
export function msiLocalityRefusal(remoteAddress: string | undefined, headers: { get(name: string): string | undefined }, msiSecret: string): { status: 401 | 403; description: string } | null {
  const header = SECRET_HEADERS.find((h) => headers.get(h) !== undefined);
  if (header) {
    return sameSecret(headers.get(header), msiSecret) ? null : { status: 401, description: `The '${header}' header does not match this emulator's managed identity secret.` };
  }
  if (isLoopbackAddress(remoteAddress)) return null;
  return {
    status: 403,
    description: 'Without a secret, the managed identity endpoint answers only callers on this machine (loopback), as IMDS answers only inside its VM. '
      + 'From elsewhere, send the X-IDENTITY-HEADER (IDENTITY_HEADER) or secret (MSI_SECRET) header with the value from emulator.json.',
  };
}

/** POST form: `Metadata: true`, as against IMDS; loopback callers only unless it carries the secret. */
export function msiPostHandler(deps: MsiDeps): RequestHandler {
  return async (req, res) => {
    if (req.get('Metadata')?.toLowerCase() !== 'true') {
      return sendAadError(req, res, aad.msi(400, 'Required metadata header not specified.'));
    }
    const refusal = msiLocalityRefusal(req.socket.remoteAddress, req, deps.msiSecret);
    if (refusal) return sendAadError(req, res, aad.msi(refusal.status, refusal.description));
    const params: Params = { ...req.query, ...(req.body ?? {}) };
    const grant = await grantFor(req, res, deps, params);
    if (!grant) return;
    const { token, resource, principal } = grant;
    res.set('Cache-Control', 'no-store').json({
      access_token: token.accessToken,
      refresh_token: '',
      expires_in: String(token.expiresIn),
      expires_on: String(token.expiresOn),
      not_before: String(token.notBefore),
      resource,
      token_type: 'Bearer',
      client_id: principal.appId,
    });
  };
}

const SECRET_HEADER_BY_VERSION: Record<string, string> = { '2017-09-01': 'secret', '2019-08-01': 'X-IDENTITY-HEADER' };

/** GET forms: the api-version decides which header must carry the secret. */
export function msiGetHandler(deps: MsiDeps): RequestHandler {
  return async (req, res) => {
    const params: Params = { ...req.query };
    const version = typeof params['api-version'] === 'string' ? params['api-version'] : '';
    if (version === IMDS_VERSION && req.get('Metadata')?.toLowerCase() === 'true') return imdsGet(deps, req, res, params);
    const header = SECRET_HEADER_BY_VERSION[version];
    if (!header) {
      return sendAadError(req, res, aad.msi(400, `The api-version '${version}' is not supported: use 2019-08-01 (header X-IDENTITY-HEADER), 2017-09-01 (header secret) or 2018-02-01 (header Metadata: true, loopback callers only).`));
    }
    if (!sameSecret(req.get(header), deps.msiSecret)) {
      return sendAadError(req, res, aad.msi(401, `The '${header}' header is missing or does not match this emulator's managed identity secret.`));
    }
    const grant = await grantFor(req, res, deps, params);
    if (!grant) return;
    const { token, resource, principal } = grant;
    // Epoch seconds as a string is what App Service sends and what both msrestazure and MSAL parse.
    const body: Record<string, string> = { access_token: token.accessToken, expires_on: String(token.expiresOn), resource, token_type: 'Bearer' };
    if (version === '2019-08-01') body.client_id = principal.appId;
    res.set('Cache-Control', 'no-store').json(body);
  };
}

const IMDS_VERSION = '2018-02-01';

/** IMDS's GET: `Metadata: true` and nothing else, so loopback callers only (unless a secret header is sent). */
async function imdsGet(deps: MsiDeps, req: Request, res: Response, params: Params): Promise<void> {
  const refusal = msiLocalityRefusal(req.socket.remoteAddress, req, deps.msiSecret);
  if (refusal) return sendAadError(req, res, aad.msi(refusal.status, refusal.description));
  const grant = await grantFor(req, res, deps, params);
  if (!grant) return;
  const { token, resource, principal } = grant;
  res.set('Cache-Control', 'no-store').json({
    access_token: token.accessToken,
    client_id: principal.appId,
    expires_in: String(token.expiresIn),
    expires_on: String(token.expiresOn),
    ext_expires_in: String(token.expiresIn),
    not_before: String(token.notBefore),
    resource,
    token_type: 'Bearer',
  });
}

/** Resolves resource and identity, then issues; on failure it has already replied and returns null. */
async function grantFor(
  req: Request,
  res: Response,
  deps: MsiDeps,
  params: Params,
): Promise<{ token: IssuedToken; resource: string; principal: Principal } | null> {
  const resource = typeof params.resource === 'string' ? params.resource.trim() : '';
  if (!resource) {
    sendAadError(req, res, aad.msi(400, "Required parameter 'resource' is missing."));
    return null;
  }
  const selected = selectIdentity(deps, params);
  if ('failure' in selected) {
    sendAadError(req, res, aad.msi(selected.status, selected.failure));
    return null;
  }
  const token = await deps.tokens.issue(selected.principal, resource);
  return { token, resource, principal: selected.principal };
}

/**
 * Which identity answers: one named by client id, object id or ARM resource id (under each
 * protocol's parameter names), else the configured default.
 */
function selectIdentity(deps: MsiDeps, params: Params): { principal: Principal } | { status: 400 | 404; failure: string } {
  const pick = (...names: string[]) => names.map((n) => params[n]).find((v): v is string => typeof v === 'string' && v !== '');
  const clientId = pick('client_id', 'clientid');
  const objectId = pick('principal_id', 'object_id');
  const resourceId = pick('mi_res_id', 'msi_res_id');
  if (clientId || objectId || resourceId) {
    const principal = clientId
      ? deps.principals.byAppId(clientId)
      : objectId
        ? deps.principals.byObjectId(objectId)
        : deps.principals.byResourceId(resourceId!);
    if (!principal || principal.kind !== 'ManagedIdentity') {
      return { status: 400, failure: `Identity not found: no managed identity matches ${clientId ? `client id '${clientId}'` : objectId ? `object id '${objectId}'` : `resource id '${resourceId}'`}.` };
    }
    return { principal };
  }
  const fallbackId = deps.defaultPrincipalId?.();
  const principal = fallbackId ? deps.principals.byObjectId(fallbackId) : undefined;
  if (!principal) return { status: 400, failure: 'Identity not found: no identity was named and the emulator has no default managed identity.' };
  return { principal };
}

/** Constant-time comparison that does not leak the secret's length either. */
function sameSecret(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
