/**
 * The HTTPS pipeline. ARM requests (/subscriptions/..., /providers/...) take the front door:
 * request context -> bearer authentication -> JSON body -> ARM dispatch -> ARM error rendering,
 * straight on Node's request and response, because Express's own routing costs more per request
 * than all of ARM's work on a GET (bench/http.ts measures it). Everything else (token endpoints,
 * cloud metadata, /_emulator, the vault data plane, the portal) is the Express app.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { adminGuard } from './admin/guard.js';
import { adminRouter } from './admin/routes.js';
import { errors } from './arm/errors.js';
import { errorHandler, jsonBody, notFound, requestContext } from './arm/http.js';
import type { EmulatorHost } from './host.js';
import { faultRouter } from './faults/routes.js';
import { requireBearer } from './identity/auth.js';
import { identityRouter } from './identity/routes.js';
import { portalRouter } from './portal/router.js';
import { metadataEndpoints } from './providers/resources/metadata.js';
import { authorizationFailed, callerCan } from './providers/authorization/arm-access.js';
import { armRouter } from './providers/router.js';
import { siteRouter } from './pki/site-routes.js';
import { kubernetesPkiRouter } from './pki/kubernetes/k8s-routes.js';
import { vaultRouter } from './vault/routes.js';
import { commandOutputRouter } from './providers/networkcloud/command-output.js';

const ARM_PATH = /^\/+(subscriptions|providers)(\/|\?|$)/i;

/** The emulator's request listener: ARM through the front door, the rest through Express. */
export function createHandler(emu: EmulatorHost): RequestListener {
  const app = createApp(emu);
  const arm = armFrontDoor(emu);
  return (req, res) => (ARM_PATH.test(req.url ?? '') ? arm(req, res) : app(req, res));
}

/**
 * ARM's pipeline on Node's own request and response, given the few Express conveniences the ARM
 * code reads (path, query, originalUrl, get, locals).
 */
function armFrontDoor(emu: EmulatorHost): RequestListener {
  const context = requestContext(emu.log);
  const auth = bearer(emu);
  const body = jsonBody();
  const dispatch = armRouter(emu);
  const renderError = errorHandler(emu.log);
  const faults = emu.faults.frontDoor();
  return (rawReq: IncomingMessage, rawRes: ServerResponse) => {
    const url = (rawReq.url ?? '/').replace(/^\/{2,}/, '/');
    const q = url.indexOf('?');
    const req = Object.assign(rawReq, {
      url,
      originalUrl: url,
      path: q < 0 ? url : url.slice(0, q),
      query: q < 0 ? {} : parseQuery(url.slice(q + 1)),
      get: (name: string) => rawReq.headers[name.toLowerCase()],
    }) as unknown as Request;
    const res = Object.assign(rawRes, { locals: {} }) as unknown as Response;
    const fail: NextFunction = (err?: unknown) => renderError(err ?? errors.noRoute(req.method, req.path), req, res, () => undefined);
    context(req, res, () =>
      auth(req, res, (err?: unknown) => (err ? fail(err) : body(req, res, (err2?: unknown) => (err2 ? fail(err2) : faults(req, res, fail, () => dispatch(req, res, fail)))))),
    );
  };
}

function bearer(emu: EmulatorHost) {
  return requireBearer(emu.tokens, {
    looseAuth: emu.config.looseAuth,
    challengeUri: () => `${emu.endpoint}${emu.tenantId}`,
    principals: emu.principals,
  });
}

export function createApp(emu: EmulatorHost): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');

  // az sends //metadata/endpoints; collapse repeated leading slashes so every route sees one.
  app.use((req, _res, next) => {
    if (req.url.startsWith('//')) req.url = req.url.replace(/^\/{2,}/, '/');
    next();
  });
  app.use(requestContext(emu.log));

  const auth = bearer(emu);
  // Every /_emulator route, whoever adds it and wherever below: one gate, before any router (rp/admin/guard.ts).
  app.use('/_emulator', adminGuard({ authenticate: auth, can: (caller, action, scope) => callerCan(emu, caller, action, scope), refuse: authorizationFailed }));

  app.get('/metadata/endpoints', metadataEndpoints(emu));
  app.use(identityRouter({
    principals: emu.principals,
    tokens: emu.tokens,
    msiSecret: emu.msiSecret,
    defaultMsiPrincipalId: () => emu.demoPrincipalObjectId,
    publicEndpoint: () => emu.endpoint.replace(/\/$/, ''),
  }));
  app.use(adminRouter(emu, auth));
  app.use(faultRouter(emu.faults, auth));
  app.use(kubernetesPkiRouter(emu));
  app.use(siteRouter(emu, auth));
  // Key Vault data plane: https://localhost:PORT/vaults/NAME is vault NAME (its own auth: the vault audience).
  app.use('/vaults', vaultRouter(emu));
  // Results of bare metal machine run* actions, by their SAS-like URLs (rp/providers/networkcloud/command-output.ts).
  app.use(commandOutputRouter(emu));
  app.use(portalRouter(emu));

  app.use(notFound());
  app.use(errorHandler(emu.log));
  return app;
}
