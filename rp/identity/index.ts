/**
 * The identity provider in one call: the principal directory, the token service and the MSI
 * secret, all kept in the Store so they survive restarts.
 */
import type { Store } from '../store/store.js';
import { loadMsiSecret } from './msi.js';
import { PrincipalDirectory } from './principals.js';
import { TokenService, type TokenServiceOptions } from './tokens.js';

export interface Identity {
  principals: PrincipalDirectory;
  tokens: TokenService;
  /** Publish as IDENTITY_HEADER / MSI_SECRET (e.g. in emulator.json). */
  msiSecret: string;
}

export async function openIdentity(store: Store, options: TokenServiceOptions): Promise<Identity> {
  return {
    principals: new PrincipalDirectory(store),
    tokens: await TokenService.open(store, options),
    msiSecret: await loadMsiSecret(store),
  };
}

export { PrincipalDirectory, PrincipalConflictError, type Principal, type PrincipalKind } from './principals.js';
export { TokenService, TokenError, armAudiences, type AccessTokenClaims, type IssuedToken, type VerifiedToken } from './tokens.js';
export { identityRouter, type IdentityRouterDeps } from './routes.js';
export { requireBearer, bearerChallenge, type RequireBearerOptions, type CallerPrincipal } from './auth.js';
export { loadMsiSecret } from './msi.js';
