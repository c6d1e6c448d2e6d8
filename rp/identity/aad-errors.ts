/**
 * Token-endpoint failures in Entra ID's shape. MSAL and the Azure SDKs read `error` and
 * `error_codes` to decide whether to retry and what to tell the user, so the shape matters more
 * than the wording. Descriptions never contain a secret or a token.
 */
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';

export interface AadFailure {
  status: 400 | 401 | 403 | 404 | 405 | 500;
  error: string;
  /** The AADSTS number, or null for failures of the MSI endpoint, which has none. */
  code: number | null;
  description: string;
}

export const aad = {
  unknownClient: (appId: string, tenant: string): AadFailure => ({
    status: 400,
    error: 'unauthorized_client',
    code: 700016,
    description:
      `Application with identifier '${appId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed ` +
      'by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.',
  }),
  invalidSecret: (appId: string): AadFailure => ({
    status: 401,
    error: 'invalid_client',
    code: 7000215,
    description: `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${appId}'.`,
  }),
  missingSecret: (): AadFailure => ({
    status: 401,
    error: 'invalid_client',
    code: 7000218,
    description: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
  }),
  missingParameter: (name: string): AadFailure => ({
    status: 400,
    error: 'invalid_request',
    code: 900144,
    description: `The request body must contain the following parameter: '${name}'.`,
  }),
  unsupportedGrant: (grant: string): AadFailure => ({
    status: 400,
    error: 'unsupported_grant_type',
    code: 70003,
    description: `The app requested an unsupported grant type '${grant}'. The emulator supports only 'client_credentials'.`,
  }),
  invalidScope: (scope: string): AadFailure => ({
    status: 400,
    error: 'invalid_scope',
    code: 1002012,
    description:
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
  }),
  /** MSI endpoint failures: same envelope, no AADSTS number. */
  msi: (status: 400 | 401 | 403 | 404, description: string): AadFailure => ({ status, error: 'invalid_request', code: null, description }),
};

/** Writes the failure as Entra ID does: AADSTS code first in the description, then trace, correlation and time. */
export function sendAadError(req: Request, res: Response, failure: AadFailure): void {
  const traceId = randomUUID();
  const correlationId = correlationIdOf(req);
  const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  const prefix = failure.code === null ? '' : `AADSTS${failure.code}: `;
  res
    .status(failure.status)
    .set('client-request-id', correlationId)
    .set('Cache-Control', 'no-store')
    .json({
      error: failure.error,
      error_description: `${prefix}${failure.description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: failure.code === null ? [] : [failure.code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
    });
}

/** MSAL sends `client-request-id`; Entra ID reuses it as the correlation id, so a log line can be matched to a client error. */
export function correlationIdOf(req: Request): string {
  const given = req.get('client-request-id');
  return given && /^[0-9a-fA-F-]{36}$/.test(given) ? given : randomUUID();
}
