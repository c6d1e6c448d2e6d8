/**
 * The Key Vault secrets REST API for every emulated vault, path-based: mount at /vaults, so vault
 * NAME is served at https://localhost:PORT/vaults/NAME (a SecretClient's vaultUrl).
 *   PUT    /vaults/NAME/secrets/{name}                  set (a new version)
 *   GET    /vaults/NAME/secrets/{name}[/{version}]      get (latest or one version)
 *   PATCH  /vaults/NAME/secrets/{name}/{version}        update attributes, tags, content type
 *   GET    /vaults/NAME/secrets                         list (latest of each)
 *   GET    /vaults/NAME/secrets/{name}/versions         list versions
 *   DELETE /vaults/NAME/secrets/{name}                  delete (soft-delete when the vault has it)
 *   GET    /vaults/NAME/deletedsecrets[/{name}]         deleted secrets
 *   DELETE /vaults/NAME/deletedsecrets/{name}           purge
 *   POST   /vaults/NAME/deletedsecrets/{name}/recover   recover
 * Object ids in responses have Azure's form (https://NAME.vault.azure.net/secrets/...), which the
 * SDK parses; paging links point back here.
 */
import express, { type Request, type RequestHandler, type Response } from 'express';
import { segmentsOf } from '../arm/resource-id.js';
import type { EmulatorHost } from '../host.js';
import { sendVaultError, vaultErrors, VaultError } from './errors.js';
import { KEYVAULT_DATA_API_VERSIONS, VaultDataPlane, type Vault, type VaultCaller } from './service.js';

const SERVICE_VERSION = '1.9.2552.1';
const MAX_PAGE = 25;

function send(res: Response, status: number, body: unknown, vault: Vault): void {
  res.setHeader('x-ms-keyvault-service-version', SERVICE_VERSION);
  res.setHeader('x-ms-keyvault-region', vault.location);
  res.setHeader('Cache-Control', 'no-cache');
  if (body === undefined) {
    res.status(status).end();
    return;
  }
  res.status(status).setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

function checkApiVersion(req: Request): string {
  const v = req.query['api-version'];
  if (v === undefined || v === '') throw vaultErrors.badParameter('The api-version query parameter is missing. Use api-version=2025-07-01 (or 7.0 to 7.6).');
  if (typeof v !== 'string') throw vaultErrors.badParameter('The api-version query parameter may be given only once.');
  if (!(KEYVAULT_DATA_API_VERSIONS as readonly string[]).includes(v)) {
    throw vaultErrors.badParameter(`The specified version (${v}) is not recognized. Consider using the latest supported version (2025-07-01).`);
  }
  return v;
}

/** One page of a list, with a nextLink back to this emulator when more remain. */
function page<T>(req: Request, emu: EmulatorHost, vault: Vault, items: T[], apiVersion: string): { value: T[]; nextLink: string | null } {
  const rawMax = req.query.maxresults;
  let max = MAX_PAGE;
  if (rawMax !== undefined) {
    max = Number(rawMax);
    if (!Number.isInteger(max) || max < 1 || max > MAX_PAGE) throw vaultErrors.badParameter(`maxresults must be an integer from 1 to ${MAX_PAGE}.`);
  }
  const token = typeof req.query.$skiptoken === 'string' ? req.query.$skiptoken : undefined;
  const start = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(start) || start < 0) throw vaultErrors.badParameter('The $skiptoken is not valid.');
  const value = items.slice(start, start + max);
  let nextLink: string | null = null;
  if (start + max < items.length) {
    const url = new URL(`vaults/${encodeURIComponent(vault.name)}${req.path.replace(/^\/[^/]+\/[^/]+/, '')}`, emu.endpoint);
    url.searchParams.set('api-version', apiVersion);
    url.searchParams.set('$skiptoken', Buffer.from(String(start + max)).toString('base64url'));
    url.searchParams.set('maxresults', String(max));
    nextLink = url.toString();
  }
  return { value, nextLink };
}

export function vaultRouter(emu: EmulatorHost): RequestHandler {
  const plane = new VaultDataPlane(emu);
  const json = express.json({ limit: '256kb', type: () => true, strict: true });
  const parseBody = (req: Request, res: Response): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      if (req.method === 'GET' || req.method === 'DELETE' || req.method === 'HEAD') return resolve({});
      json(req, res, (err?: unknown) => {
        if (err) return reject(vaultErrors.badParameter('The request body is not valid JSON.'));
        const body = req.body as unknown;
        if (body === undefined || body === null) return resolve({});
        if (typeof body !== 'object' || Array.isArray(body)) return reject(vaultErrors.badParameter('The request body must be a JSON object.'));
        resolve(body as Record<string, unknown>);
      });
    });

  return async (req, res, next) => {
    let vault: Vault | undefined;
    // Mounted routers see a path without '/vaults'; the request log (and paging links) want the whole path.
    req.url = req.originalUrl;
    try {
      const segments = segmentsOf(req.path).slice(1);
      const [vaultName, collection, name, fourth, fifth] = segments;
      if (!vaultName) throw vaultErrors.notFound(req.originalUrl.split('?')[0]);
      vault = plane.vault(vaultName);
      const caller: VaultCaller = await plane.authenticate(req.get('Authorization'), vault);
      const apiVersion = checkApiVersion(req);
      const body = await parseBody(req, res);
      const method = req.method === 'HEAD' ? 'GET' : req.method;
      const where = req.originalUrl.split('?')[0];
      const col = collection?.toLowerCase();

      if (col === 'secrets' && segments.length === 2) {
        if (method !== 'GET') throw vaultErrors.methodNotAllowed(req.method, where);
        plane.authorize(caller, vault, 'readMetadata');
        return send(res, 200, page(req, emu, vault, await plane.list(vault), apiVersion), vault);
      }
      if (col === 'secrets' && name && segments.length <= 4) {
        const versionSegment = fourth;
        if (versionSegment?.toLowerCase() === 'versions') {
          if (method !== 'GET') throw vaultErrors.methodNotAllowed(req.method, where);
          plane.authorize(caller, vault, 'readMetadata', name);
          return send(res, 200, page(req, emu, vault, await plane.versions(vault, name), apiVersion), vault);
        }
        switch (method) {
          case 'PUT':
            if (versionSegment) throw vaultErrors.methodNotAllowed(req.method, where);
            plane.authorize(caller, vault, 'setSecret', name);
            return send(res, 200, await plane.set(vault, name, body), vault);
          case 'GET':
            plane.authorize(caller, vault, 'getSecret', name);
            return send(res, 200, await plane.get(vault, name, versionSegment || undefined), vault);
          case 'PATCH':
            plane.authorize(caller, vault, 'update', name);
            return send(res, 200, await plane.update(vault, name, versionSegment || undefined, body), vault);
          case 'DELETE':
            if (versionSegment) throw vaultErrors.methodNotAllowed(req.method, where);
            plane.authorize(caller, vault, 'delete', name);
            return send(res, 200, await plane.delete(vault, name), vault);
          default:
            throw vaultErrors.methodNotAllowed(req.method, where);
        }
      }
      if (col === 'deletedsecrets' && segments.length === 2) {
        if (method !== 'GET') throw vaultErrors.methodNotAllowed(req.method, where);
        plane.authorize(caller, vault, 'readMetadata');
        return send(res, 200, page(req, emu, vault, await plane.listDeleted(vault), apiVersion), vault);
      }
      if (col === 'deletedsecrets' && name && segments.length === 3) {
        if (method === 'GET') {
          plane.authorize(caller, vault, 'readMetadata', name);
          return send(res, 200, await plane.getDeleted(vault, name), vault);
        }
        if (method === 'DELETE') {
          plane.authorize(caller, vault, 'purge', name);
          await plane.purge(vault, name);
          return send(res, 204, undefined, vault);
        }
        throw vaultErrors.methodNotAllowed(req.method, where);
      }
      if (col === 'deletedsecrets' && name && fourth?.toLowerCase() === 'recover' && segments.length === 4 && fifth === undefined) {
        if (method !== 'POST') throw vaultErrors.methodNotAllowed(req.method, where);
        plane.authorize(caller, vault, 'recover', name);
        return send(res, 200, await plane.recover(vault, name), vault);
      }
      throw vaultErrors.notFound(where);
    } catch (e) {
      if (e instanceof VaultError) {
        sendVaultError(res, e, vault ? { 'x-ms-keyvault-service-version': SERVICE_VERSION, 'x-ms-keyvault-region': vault.location } : {});
        return;
      }
      next(e);
    }
  };
}
