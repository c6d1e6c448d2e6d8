/**
 * The HTTPS pipeline, in order: request context -> open endpoints (health, cloud metadata, token
 * endpoints) -> bearer authentication -> JSON body -> ARM dispatch -> 404 -> ARM error rendering.
 */
import express, { type Express } from 'express';
import { adminRouter } from './admin/routes.js';
import { errorHandler, jsonBody, notFound, requestContext } from './arm/http.js';
import type { Emulator } from './emulator.js';
import { requireBearer } from './identity/auth.js';
import { identityRouter } from './identity/routes.js';
import { portalRouter } from './portal/router.js';
import { metadataEndpoints } from './providers/resources/metadata.js';
import { armRouter } from './providers/router.js';
import { siteRouter } from './pki/site-routes.js';
import { vaultRouter } from './vault/routes.js';

export function createApp(emu: Emulator): Express {
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

  const auth = requireBearer(emu.tokens, {
    looseAuth: emu.config.looseAuth,
    challengeUri: () => `${emu.endpoint}${emu.tenantId}`,
    principals: emu.principals,
  });

  // ARM first (the hot path): its paths are matched case-insensitively, so /SUBSCRIPTIONS/... is ARM too.
  const arm = armRouter(emu);
  const body = jsonBody();
  app.use((req, res, next) => {
    if (!/^\/(subscriptions|providers)(\/|$)/i.test(req.path)) return next();
    auth(req, res, (err?: unknown) => {
      if (err) return next(err);
      body(req, res, (err2?: unknown) => (err2 ? next(err2) : arm(req, res, next)));
    });
  });

  app.get('/metadata/endpoints', metadataEndpoints(emu));
  app.use(identityRouter({
    principals: emu.principals,
    tokens: emu.tokens,
    msiSecret: emu.msiSecret,
    defaultMsiPrincipalId: () => emu.demoPrincipalObjectId,
    publicEndpoint: () => emu.endpoint.replace(/\/$/, ''),
  }));
  app.use(adminRouter(emu, auth));
  app.use(siteRouter(emu, auth));
  // Key Vault data plane: https://localhost:PORT/vaults/NAME is vault NAME (its own auth: the vault audience).
  app.use('/vaults', vaultRouter(emu));
  app.use(portalRouter(emu));

  app.use(notFound());
  app.use(errorHandler(emu.log));
  return app;
}
