/**
 * A real HTTPS server for the identity tests: a throwaway self-signed certificate for localhost,
 * an express app with the identity router, an ARM-like protected route and an error renderer,
 * listening on 127.0.0.1 with an ephemeral port.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express, { type ErrorRequestHandler } from 'express';
import { ArmError } from '../../rp/arm/errors.js';
import { Store } from '../../rp/store/store.js';
import { openIdentity, type Identity } from '../../rp/identity/index.js';
import { identityRouter } from '../../rp/identity/routes.js';
import { requireBearer } from '../../rp/identity/auth.js';

export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

export interface Harness {
  origin: string;
  port: number;
  dir: string;
  certFile: string;
  ca: Buffer;
  store: Store;
  identity: Identity;
  /** Flip to make the protected route accept any well-formed JWT. */
  setLooseAuth(on: boolean): void;
  /** Makes the demo principal the one /msi/token answers for by default. */
  setDefaultMsiPrincipal(objectId: string | undefined): void;
  request(method: string, urlPath: string, options?: RequestOptions): Promise<Reply>;
  close(): Promise<void>;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  form?: Record<string, string>;
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // Tests inspect arbitrary JSON replies.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export function makeCertificate(dir: string): { certFile: string; keyFile: string } {
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost', '-keyout', keyFile, '-out', certFile],
    { stdio: 'ignore' },
  );
  return { certFile, keyFile };
}

export async function startHarness(options: { storeFile?: boolean } = {}): Promise<Harness> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nce-identity-'));
  const { certFile, keyFile } = makeCertificate(dir);
  const store = await Store.open(options.storeFile === false ? null : path.join(dir, 'store.json'));
  let port = 0;
  const origin = () => `https://localhost:${port}`;
  const identity = await openIdentity(store, { issuerOrigin: origin });
  let looseAuth = false;
  let defaultMsi: string | undefined;

  const app = express();
  app.use(identityRouter({ ...identity, defaultMsiPrincipalId: () => defaultMsi }));
  app.get(
    '/subscriptions',
    requireBearer(identity.tokens, { looseAuth: () => looseAuth, challengeUri: () => `${origin()}/${TENANT}`, principals: identity.principals }),
    (_req, res) => {
      res.json({ principal: res.locals.principal, claims: res.locals.claims });
    },
  );
  const renderErrors: ErrorRequestHandler = (err, _req, res, _next) => {
    if (err instanceof ArmError) res.status(err.status).set(err.headers).json(err.toBody());
    else res.status(500).json({ error: { code: 'InternalServerError', message: String(err) } });
  };
  app.use(renderErrors);

  const ca = readFileSync(certFile);
  const server = https.createServer({ cert: ca, key: readFileSync(keyFile) }, app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;

  return {
    origin: origin(),
    port,
    dir,
    certFile,
    ca,
    store,
    identity,
    setLooseAuth: (on) => {
      looseAuth = on;
    },
    setDefaultMsiPrincipal: (id) => {
      defaultMsi = id;
    },
    request: (method, urlPath, opts = {}) => httpsRequest(ca, `${origin()}${urlPath}`, method, opts),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** HTTPS request that trusts only the test certificate. */
export function httpsRequest(ca: Buffer, url: string, method: string, options: RequestOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  let payload: string | undefined;
  if (options.form) {
    payload = new URLSearchParams(options.form).toString();
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
  }
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers, ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}
