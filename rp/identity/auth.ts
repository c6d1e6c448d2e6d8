/**
 * ARM's front door: every management request must carry a bearer token this emulator issued for
 * an ARM audience. Failures become ArmErrors with ARM's codes and a WWW-Authenticate challenge
 * telling the client where to get a token; the error middleware renders them.
 */
import type { Request, RequestHandler } from 'express';
import { errors } from '../arm/errors.js';
import type { PrincipalDirectory } from './principals.js';
import { armAudiences, TokenError, type TokenPrincipal, type TokenRejection, type TokenService } from './tokens.js';

export interface RequireBearerOptions {
  /** Accept any well-formed JWT (no signature, issuer, audience or lifetime checks). */
  looseAuth?: boolean | (() => boolean);
  /** The challenge's authorization_uri, e.g. `https://localhost:8443/{tenantId}`. */
  challengeUri: string | ((req: Request) => string);
  /** Accepted audiences; by default the ARM ones plus the emulator's own origin. */
  audiences?: string[] | (() => string[]);
  /** When given, the caller's display name and kind come from its directory record. */
  principals?: PrincipalDirectory;
}

/** What a protected route finds in `res.locals.principal`. */
export type CallerPrincipal = TokenPrincipal;

const ARM_CODE: Record<TokenRejection, string> = {
  malformed: 'InvalidAuthenticationToken',
  bad_signature: 'InvalidAuthenticationToken',
  not_yet_valid: 'InvalidAuthenticationToken',
  expired: 'ExpiredAuthenticationToken',
  wrong_audience: 'InvalidAuthenticationTokenAudience',
  // ARM's code when a token comes from an issuer (tenant) other than the expected one.
  wrong_issuer: 'InvalidAuthenticationTokenTenant',
};

export function requireBearer(tokens: TokenService, options: RequireBearerOptions): RequestHandler {
  const loose = () => (typeof options.looseAuth === 'function' ? options.looseAuth() : options.looseAuth === true);
  const audiences = () =>
    typeof options.audiences === 'function' ? options.audiences() : options.audiences ?? armAudiences(tokens.issuerOrigin());

  return async (req, res, next) => {
    const challenge = (description: string) => bearerChallenge(challengeUriFor(req, options), description);
    const header = req.headers.authorization;
    if (!header) {
      return next(
        errors.unauthorized(
          'AuthenticationFailed',
          "Authentication failed. The 'Authorization' header is missing.",
          challenge("The authentication failed because of missing 'Authorization' header."),
        ),
      );
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) {
      return next(
        errors.unauthorized(
          'AuthenticationFailed',
          "Authentication failed. The 'Authorization' header is provided in an invalid format.",
          challenge("The authentication failed because the 'Authorization' header is not of the form 'Bearer <token>'."),
        ),
      );
    }
    try {
      // A token seen before is checked synchronously, so the request carries on in this tick.
      const { claims, principal } = tokens.verifyKnown(match[1], audiences(), { looseAuth: loose() }) ?? (await tokens.verify(match[1], audiences(), { looseAuth: loose() }));
      res.locals.principal = enrich(principal, options.principals);
      res.locals.claims = claims;
      next();
    } catch (e) {
      next(e instanceof TokenError ? errors.unauthorized(ARM_CODE[e.reason], e.message, challenge(e.message)) : e);
    }
  };
}

function challengeUriFor(req: Request, options: RequireBearerOptions): string {
  return typeof options.challengeUri === 'function' ? options.challengeUri(req) : options.challengeUri;
}

/** RFC 6750 challenge; quotes and line breaks cannot appear inside a quoted header value. */
export function bearerChallenge(authorizationUri: string, description: string): string {
  const quoted = (s: string) => s.replace(/[\r\n]+/g, ' ').replace(/["\\]/g, "'");
  return `Bearer authorization_uri="${quoted(authorizationUri)}", error="invalid_token", error_description="${quoted(description)}"`;
}

function enrich(principal: TokenPrincipal, directory?: PrincipalDirectory): CallerPrincipal {
  const record = directory?.byObjectId(principal.objectId);
  if (!record) return principal;
  return { ...principal, kind: record.kind, displayName: record.displayName };
}
