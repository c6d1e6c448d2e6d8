/**
 * The portal: a small web UI at /portal/ served by the emulator itself, same origin as the ARM API.
 *
 * - /portal/ and its assets are plain files from rp/portal/static (HTML, CSS, ES modules; no build).
 * - POST /portal/api/token hands the page a short-lived ARM token for the demo service principal,
 *   but only to a loopback caller on a loopback host name whose request comes from the portal's own
 *   origin (see README-section.md for why that is acceptable for a local emulator). The page then
 *   calls the real ARM API with it; it never sees the client secret.
 * - GET /portal/api/version-diff: which property paths a type gains and loses between two
 *   api-versions, from the API model (fieldPaths), for the version diff view.
 * - GET /portal/api/property-versions: the api-versions in which a property exists.
 * The cluster PKI view reads the emulator's site routes (/_emulator/sites/…, rp/pki/site-routes.ts) with its token.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { Router, type Request, type RequestHandler } from 'express';
import type { TypeModel } from '../api/model.js';
import { networkCloudType } from '../api/registry.js';
import { isApiVersion, API_VERSIONS } from '../api/versions.js';
import { errors } from '../arm/errors.js';
import { sendJson } from '../arm/http.js';
import type { EmulatorHost } from '../host.js';
import { requireBearer } from '../identity/auth.js';
import { isLoopbackAddress } from '../identity/locality.js';
import { armAudiences } from '../identity/tokens.js';

/** Portal tokens live a quarter of an hour; the page asks for a new one before this runs out. */
export const PORTAL_TOKEN_LIFETIME_SECONDS = 900;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** The static assets: next to the sources (rp/portal/static), also when running from dist/. */
export function portalStaticDir(): string {
  const candidates = [new URL('./static/', import.meta.url), new URL('../../../rp/portal/static/', import.meta.url)];
  for (const c of candidates) {
    const dir = fileURLToPath(c);
    if (existsSync(`${dir}index.html`)) return dir;
  }
  throw new Error('portal assets not found: expected rp/portal/static/index.html in the package');
}

/** Strict same-origin policy for the page: its own scripts and styles only, API calls to itself. */
const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** The same locality decision as the managed-identity endpoint's (rp/identity/locality.ts). */
export { isLoopbackAddress };

/** The host name of a Host header value ("localhost:8443", "[::1]:8443"), lower-cased. */
function hostName(hostHeader: string | undefined): string {
  const h = (hostHeader ?? '').trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  return h.replace(/:\d+$/, '');
}

/**
 * Why a request may not have a portal token, or null when it may: the socket must come from
 * loopback, the Host must be a loopback name (no DNS rebinding; the TLS certificate names only
 * those anyway), and the browser must say the request comes from this very origin.
 */
export function portalTokenRefusal(req: Request, emu: EmulatorHost): string | null {
  if (!isLoopbackAddress(req.socket.remoteAddress)) return 'The portal hands out tokens only to callers on this machine (loopback). Sign in with a client id and secret instead.';
  const host = hostName(req.get('host'));
  const allowed = new Set([...LOOPBACK_HOSTS, emu.config.publicHost.toLowerCase()]);
  if (!allowed.has(host)) return `The portal serves tokens only on a loopback host name (localhost), not '${host}'.`;
  const origin = req.get('origin');
  if (!origin || origin.toLowerCase() !== `https://${(req.get('host') ?? '').toLowerCase()}`) return 'The token request must come from the portal page itself (same origin).';
  const site = req.get('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin') return 'The token request must come from the portal page itself (Sec-Fetch-Site: same-origin).';
  if (req.get('x-portal-request') !== '1') return "The token request must carry the header 'X-Portal-Request: 1'.";
  return null;
}

/** The model of a full type name ('Microsoft.NetworkCloud/bareMetalMachines'); 404 for types without one. */
function typeDefOf(fullType: string): TypeModel {
  const [namespace, ...rest] = fullType.split('/');
  const def = rest.length ? networkCloudType(rest.join('/')) : undefined;
  if (!def || def.namespace.toLowerCase() !== namespace.toLowerCase()) throw errors.invalidResourceType(namespace, rest.join('/'));
  return def;
}

export function portalRouter(emu: EmulatorHost): Router {
  const router = Router();
  const auth: RequestHandler = requireBearer(emu.tokens, {
    looseAuth: emu.config.looseAuth,
    challengeUri: () => `${emu.endpoint}${emu.tenantId}`,
    principals: emu.principals,
  });

  router.use('/portal', (_req, res, next) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    next();
  });

  router.post('/portal/api/token', async (req, res, next) => {
    try {
      res.setHeader('Cache-Control', 'no-store');
      const refusal = portalTokenRefusal(req, emu);
      const principal = emu.principals.byObjectId(emu.demoPrincipalObjectId);
      if (refusal || !principal) {
        // The tenant id is public (every 401 challenge names it): the page needs it for the client-credentials form.
        const message = refusal ?? 'The demo service principal no longer exists; sign in with a client id and secret instead.';
        sendJson(res, 403, { error: { code: 'PortalSignInRefused', message }, tenantId: emu.tenantId });
        return;
      }
      const issued = await emu.tokens.issue(principal, armAudiences()[1], { lifetimeSeconds: PORTAL_TOKEN_LIFETIME_SECONDS });
      sendJson(res, 200, {
        token_type: 'Bearer',
        access_token: issued.accessToken,
        expires_on: issued.expiresOn,
        expires_in: issued.expiresIn,
        tenantId: emu.tenantId,
        principal: { displayName: principal.displayName, appId: principal.appId },
      });
    } catch (e) {
      next(e);
    }
  });

  router.get('/portal/api/version-diff', auth, (req, res, next) => {
    try {
      const type = String(req.query.type ?? '');
      const from = String(req.query.from ?? '');
      const to = String(req.query.to ?? '');
      const def = typeDefOf(type);
      const bad = !isApiVersion(from) ? ['from', from] : !isApiVersion(to) ? ['to', to] : null;
      if (bad || !isApiVersion(from) || !isApiVersion(to)) {
        throw errors.badRequest('InvalidApiVersionParameter', `'${bad?.[0]}' must be one of ${API_VERSIONS.join(', ')}, not '${bad?.[1]}'.`, bad?.[0]);
      }
      const a = new Set(def.at(from)?.paths() ?? []);
      const b = new Set(def.at(to)?.paths() ?? []);
      sendJson(res, 200, {
        type: def.type,
        from,
        to,
        added: [...b].filter((p) => !a.has(p)).sort(),
        removed: [...a].filter((p) => !b.has(p)).sort(),
        common: [...a].filter((p) => b.has(p)).length,
      });
    } catch (e) {
      next(e);
    }
  });

  router.get('/portal/api/property-versions', auth, (req, res, next) => {
    try {
      const type = String(req.query.type ?? '');
      const path = String(req.query.path ?? '');
      const def = typeDefOf(type);
      const versions = API_VERSIONS.filter((v) => def.at(v)?.paths().includes(path));
      sendJson(res, 200, { type: def.type, path, versions });
    } catch (e) {
      next(e);
    }
  });

  router.use(
    '/portal',
    express.static(portalStaticDir(), {
      index: 'index.html',
      dotfiles: 'ignore',
      fallthrough: true,
      redirect: true,
      setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache'),
    }),
  );

  return router;
}
