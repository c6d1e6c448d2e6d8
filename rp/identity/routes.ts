/**
 * The emulator's login endpoints: enough of Entra ID (v1.0 and v2.0), AD FS and the managed
 * identity endpoint for az, MSAL and @azure/identity to get tokens offline. Only the
 * client-credentials grant exists: nobody signs in interactively against an emulator.
 *
 * Routes (mount at the root of the HTTPS server):
 *   POST /:tenant/oauth2/v2.0/token            scope=X/.default -> aud X
 *   POST /:tenant/oauth2/token                 resource=X       -> aud X
 *   GET  /:tenant/v2.0/.well-known/openid-configuration, /:tenant/.well-known/openid-configuration
 *   GET  /:tenant/discovery/v2.0/keys, /:tenant/discovery/keys, /common/discovery/keys
 *   GET  /adfs/.well-known/openid-configuration, POST /adfs/oauth2/token, GET /adfs/discovery/keys
 *   POST /msi/token, GET /msi/token            (see msi.ts)
 */
import express, { Router, type Request, type RequestHandler } from 'express';
import { aad, sendAadError, type AadFailure } from './aad-errors.js';
import { msiGetHandler, msiPostHandler } from './msi.js';
import type { Principal, PrincipalDirectory } from './principals.js';
import type { TokenService } from './tokens.js';

export interface IdentityRouterDeps {
  principals: PrincipalDirectory;
  tokens: TokenService;
  /** Value clients must send in `secret` / `X-IDENTITY-HEADER` to the MSI endpoint (see loadMsiSecret). */
  msiSecret: string;
  /** objectId of the principal /msi/token speaks for when the request names no identity. */
  defaultMsiPrincipalId?: () => string | undefined;
  /**
   * Origin that discovery documents point clients back to (e.g. https://localhost:8443).
   * Defaults to the origin the request arrived on, so clients keep using the address they started with.
   */
  publicEndpoint?: (req: Request) => string;
}

type Dialect = 'v2' | 'v1' | 'adfs';

/** Tenant aliases that stand for "whichever tenant": the issuer then carries the {tenantid} placeholder, as Entra ID's does. */
const MULTI_TENANT = new Set(['common', 'organizations', 'consumers']);

export function identityRouter(deps: IdentityRouterDeps): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '64kb' });
  const origin = (req: Request) => (deps.publicEndpoint?.(req) ?? `${req.protocol}://${req.get('host')}`).replace(/\/+$/, '');
  const jwks: RequestHandler = (_req, res) => {
    res.set('Cache-Control', 'public, max-age=3600').json(deps.tokens.jwks());
  };

  // AD FS first: otherwise '/adfs/oauth2/token' would be taken for a tenant called "adfs".
  router.get('/adfs/.well-known/openid-configuration', (req, res) => {
    res.json(adfsDiscovery(origin(req)));
  });
  router.post('/adfs/oauth2/token', form, tokenEndpoint(deps, 'adfs'));
  router.get('/adfs/discovery/keys', jwks);

  const msi = { ...deps, defaultPrincipalId: deps.defaultMsiPrincipalId };
  router.post('/msi/token', form, msiPostHandler(msi));
  router.get('/msi/token', msiGetHandler(msi));

  router.get('/common/discovery/keys', jwks);
  router.get('/:tenant/discovery/keys', jwks);
  router.get('/:tenant/discovery/v2.0/keys', jwks);

  router.get('/:tenant/v2.0/.well-known/openid-configuration', (req, res) => {
    res.json(v2Discovery(origin(req), tenantParam(req), deps.tokens));
  });
  router.get('/:tenant/.well-known/openid-configuration', (req, res) => {
    res.json(v1Discovery(origin(req), tenantParam(req), deps.tokens));
  });

  router.post('/:tenant/oauth2/v2.0/token', form, tokenEndpoint(deps, 'v2'));
  router.post('/:tenant/oauth2/token', form, tokenEndpoint(deps, 'v1'));
  return router;
}

function tenantParam(req: Request): string {
  return String(req.params.tenant).toLowerCase();
}

function issuerTenant(tenant: string): string {
  return MULTI_TENANT.has(tenant) ? '{tenantid}' : tenant;
}

function v2Discovery(origin: string, tenant: string, tokens: TokenService) {
  const base = `${origin}/${tenant}`;
  return {
    issuer: tokens.issuerV2(issuerTenant(tenant)),
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    token_endpoint: `${base}/oauth2/v2.0/token`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    jwks_uri: `${base}/discovery/v2.0/keys`,
    token_endpoint_auth_methods_supported: ['client_secret_post'],
    grant_types_supported: ['client_credentials'],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    claims_supported: ['aud', 'iss', 'iat', 'nbf', 'exp', 'tid', 'oid', 'sub', 'appid', 'idtyp', 'ver'],
    request_uri_parameter_supported: false,
    http_logout_supported: false,
    frontchannel_logout_supported: false,
    tenant_region_scope: null,
    cloud_instance_name: 'emulator',
    cloud_graph_host_name: null,
    msgraph_host: null,
  };
}

function v1Discovery(origin: string, tenant: string, tokens: TokenService) {
  const base = `${origin}/${tenant}`;
  return {
    issuer: tokens.issuer(issuerTenant(tenant)),
    authorization_endpoint: `${base}/oauth2/authorize`,
    token_endpoint: `${base}/oauth2/token`,
    device_authorization_endpoint: `${base}/oauth2/devicecode`,
    end_session_endpoint: `${base}/oauth2/logout`,
    jwks_uri: `${origin}/common/discovery/keys`,
    token_endpoint_auth_methods_supported: ['client_secret_post'],
    grant_types_supported: ['client_credentials'],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'token id_token', 'token'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    scopes_supported: ['openid'],
    claims_supported: ['aud', 'iss', 'iat', 'nbf', 'exp', 'tid', 'oid', 'sub', 'appid', 'idtyp', 'ver'],
    tenant_region_scope: null,
    cloud_instance_name: 'emulator',
  };
}

/** AD FS has no tenants in its URLs; tokens still name the principal's tenant. */
function adfsDiscovery(origin: string) {
  const base = `${origin}/adfs`;
  return {
    issuer: base,
    authorization_endpoint: `${base}/oauth2/authorize/`,
    token_endpoint: `${base}/oauth2/token/`,
    jwks_uri: `${base}/discovery/keys`,
    end_session_endpoint: `${base}/oauth2/logout`,
    token_endpoint_auth_methods_supported: ['client_secret_post'],
    grant_types_supported: ['client_credentials'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token', 'code token', 'code id_token token'],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    scopes_supported: ['openid', 'profile', 'email', 'allatclaims'],
    access_token_issuer: base,
  };
}

type Form = Record<string, unknown>;

function formValue(form: Form, name: string): string | undefined {
  const value = form[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The client-credentials grant, in each dialect's parameter names and reply shape. */
function tokenEndpoint(deps: IdentityRouterDeps, dialect: Dialect): RequestHandler {
  return async (req, res) => {
    const form: Form = req.body ?? {};
    const fail = (failure: AadFailure) => sendAadError(req, res, failure);

    const grant = formValue(form, 'grant_type');
    if (!grant) return fail(aad.missingParameter('grant_type'));
    if (grant !== 'client_credentials') return fail(aad.unsupportedGrant(grant));
    const clientId = formValue(form, 'client_id');
    if (!clientId) return fail(aad.missingParameter('client_id'));
    const audience = requestedAudience(form, dialect);
    if ('failure' in audience) return fail(audience.failure);
    const secret = formValue(form, 'client_secret');
    if (!secret) return fail(aad.missingSecret());

    const tenant = dialect === 'adfs' ? undefined : tenantParam(req);
    const signIn = await deps.principals.authenticateClient(clientId, secret);
    if (!signIn.ok && signIn.reason === 'unknown_client') return fail(aad.unknownClient(clientId, tenant ?? 'adfs'));
    if (tenant !== undefined && signIn.ok && !inTenant(signIn.principal, tenant)) return fail(aad.unknownClient(clientId, tenant));
    if (!signIn.ok) return fail(aad.invalidSecret(clientId));

    const token = await deps.tokens.issue(signIn.principal, audience.value);
    res.set('Cache-Control', 'no-store').set('Pragma', 'no-cache');
    if (dialect === 'v1') {
      // The v1.0 endpoint sends its numbers as strings.
      res.json({
        token_type: 'Bearer',
        expires_in: String(token.expiresIn),
        ext_expires_in: String(token.expiresIn),
        expires_on: String(token.expiresOn),
        not_before: String(token.notBefore),
        resource: audience.value,
        access_token: token.accessToken,
      });
    } else {
      res.json({ token_type: 'Bearer', expires_in: token.expiresIn, ext_expires_in: token.expiresIn, access_token: token.accessToken });
    }
  };
}

/** The client-credentials grant needs the app's own tenant: an app is unknown in every other directory. */
function inTenant(principal: Principal, tenant: string): boolean {
  return principal.tenantId === tenant;
}

/** v2.0 and AD FS name the audience by a `.default` scope, v1.0 by `resource`; AD FS accepts either. */
function requestedAudience(form: Form, dialect: Dialect): { value: string } | { failure: AadFailure } {
  const resource = formValue(form, 'resource');
  if (dialect === 'v1' || (dialect === 'adfs' && resource)) {
    return resource ? { value: resource } : { failure: aad.missingParameter('resource') };
  }
  const scope = formValue(form, 'scope');
  if (!scope) return { failure: aad.missingParameter('scope') };
  // MSAL may add the OpenID scopes to any request; they name no resource.
  const scopes = scope.split(/\s+/).filter((s) => s && !['openid', 'profile', 'offline_access'].includes(s));
  if (scopes.length !== 1 || !scopes[0].endsWith('/.default')) return { failure: aad.invalidScope(scope) };
  return { value: scopes[0].slice(0, -'/.default'.length) };
}
