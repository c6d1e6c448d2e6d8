/**
 * GET /metadata/endpoints: ARM's cloud metadata, which `az cloud register` and SDKs read to learn
 * where to log in and which audiences to ask for. The login endpoint ends in /adfs so that az
 * signs service principals in against the emulator without calling out to Entra ID.
 */
import type { Request, Response } from 'express';
import { errors } from '../../arm/errors.js';
import { sendJson } from '../../arm/http.js';
import type { EmulatorHost } from '../../host.js';
import { requireVersion } from '../router.js';
import { METADATA_API_VERSIONS } from './versions.js';

export function metadataEndpoints(emu: EmulatorHost) {
  return (req: Request, res: Response) => {
    const version = typeof req.query['api-version'] === 'string' ? req.query['api-version'] : undefined;
    if (!version) throw errors.missingApiVersion();
    requireVersion(version, METADATA_API_VERSIONS, 'Microsoft.Resources', 'metadata');
    const base = emu.endpoint;
    const audiences = ['https://management.core.windows.net/', 'https://management.azure.com/', base];
    if (version === '2015-01-01' || version === '2018-01-01') {
      sendJson(res, 200, {
        galleryEndpoint: base,
        graphEndpoint: 'https://graph.windows.net/',
        portalEndpoint: `${base}portal/`,
        authentication: { loginEndpoint: `${base}adfs`, audiences },
      });
      return;
    }
    sendJson(res, 200, [
      {
        name: 'NetworkCloudEmulator',
        portal: `${base}portal/`,
        resourceManager: base,
        authentication: { loginEndpoint: `${base}adfs`, audiences, tenant: 'adfs', identityProvider: 'ADFS' },
        graph: 'https://graph.windows.net/',
        graphAudience: 'https://graph.windows.net/',
        gallery: base,
        media: base,
        sqlManagement: base,
        batch: base,
        activeDirectoryDataLake: base,
        vmImageAliasDoc: `${base}vmimagealiasdoc`,
        suffixes: { keyVaultDns: '.vault.azure.net', storage: 'core.windows.net', acrLoginServer: 'azurecr.io', sqlServerHostname: 'database.windows.net' },
      },
    ]);
  };
}
