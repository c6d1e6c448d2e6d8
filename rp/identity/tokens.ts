/**
 * The emulator's security token service: signs Entra-ID-shaped v1.0 access tokens with an RS256
 * key kept in the Store (so tokens outlive a restart) and verifies them for the ARM front door.
 *
 * Lifetimes use the wall clock (Date.now), not the emulator's virtual Clock: SDKs decide when to
 * refresh by comparing `exp` with their own wall clock, so a token stamped in virtual time would
 * look expired (or immortal) to them.
 */
import { randomBytes } from 'node:crypto';
import {
  SignJWT,
  calculateJwkThumbprint,
  compactVerify,
  createLocalJWKSet,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  importPKCS8,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
} from 'jose';
import type { Store } from '../store/store.js';
import type { Principal, PrincipalKind } from './principals.js';

export const KEYS = 'keys';
const SIGNING_KEY = 'token-signing';
const ALG = 'RS256';

export const TOKEN_LIFETIME_SECONDS = 3600;
export const CLOCK_SKEW_SECONDS = 300;

/** The audiences ARM accepts: both public management endpoints plus the emulator's own. */
export function armAudiences(emulatorEndpoint?: string): string[] {
  const audiences = ['https://management.core.windows.net/', 'https://management.azure.com/'];
  if (emulatorEndpoint) audiences.push(emulatorEndpoint.endsWith('/') ? emulatorEndpoint : `${emulatorEndpoint}/`);
  return audiences;
}

/** The claims of the access tokens this service issues (Entra ID v1.0 app-token shape). */
export interface AccessTokenClaims extends JWTPayload {
  aud: string;
  iss: string;
  iat: number;
  nbf: number;
  exp: number;
  tid: string;
  oid: string;
  sub: string;
  appid: string;
  appidacr: string;
  idtyp: 'app' | 'user';
  ver: '1.0';
  uti: string;
  xms_mirid?: string;
  name?: string;
}

/** What a token is issued for: a directory principal, or anything shaped like one. */
export type TokenSubject = Pick<Principal, 'objectId' | 'tenantId' | 'appId' | 'kind' | 'displayName' | 'resourceId'>;

export interface IssuedToken {
  accessToken: string;
  /** Epoch seconds. */
  expiresOn: number;
  notBefore: number;
  expiresIn: number;
}

export interface IssueOptions {
  lifetimeSeconds?: number;
  /** Wall-clock override in epoch ms: lets tests mint tokens that are already expired or not yet valid. */
  nowMs?: number;
}

/** The caller an ARM request runs as, derived from a verified token. */
export interface TokenPrincipal {
  objectId: string;
  tenantId: string;
  appId: string;
  kind: PrincipalKind;
  displayName: string;
}

export interface VerifiedToken {
  claims: AccessTokenClaims;
  principal: TokenPrincipal;
}

export interface VerifyOptions {
  /** Accept any well-formed JWT without checking signature, issuer, audience or lifetime. */
  looseAuth?: boolean;
}

export type TokenRejection = 'malformed' | 'bad_signature' | 'expired' | 'not_yet_valid' | 'wrong_audience' | 'wrong_issuer';

export class TokenError extends Error {
  constructor(
    readonly reason: TokenRejection,
    message: string,
    /** Claim values that explain the rejection (never the token itself). */
    readonly detail: { audience?: string; issuer?: string; expiresOn?: number; notBefore?: number; tenantId?: string } = {},
  ) {
    super(message);
  }
}

export interface TokenServiceOptions {
  /**
   * The emulator's public origin (e.g. https://localhost:8443): tokens are issued by
   * `{origin}/{tenantId}/`, the issuer the discovery documents announce.
   */
  issuerOrigin: () => string;
  /** Wall clock in epoch ms; tests may substitute it. */
  now?: () => number;
}

interface StoredSigningKey {
  kid: string;
  alg: typeof ALG;
  createdAt: string;
  privateKeyPkcs8: string;
  publicJwk: JWK;
}

/** How many verified token signatures are remembered (oldest forgotten first). */
const SIGNATURE_CACHE_SIZE = 4096;

export class TokenService {
  private readonly now: () => number;
  private readonly verifiedSignatures = new Map<string, AccessTokenClaims>();
  private readonly keySet: ReturnType<typeof createLocalJWKSet>;

  private constructor(
    private readonly signingKey: CryptoKey,
    private readonly stored: StoredSigningKey,
    private readonly options: TokenServiceOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.keySet = createLocalJWKSet(this.jwks());
  }

  /** Loads the signing key from the store, creating it on the emulator's first start. */
  static async open(store: Store, options: TokenServiceOptions): Promise<TokenService> {
    const stored = store.get<StoredSigningKey>(KEYS, SIGNING_KEY) ?? (await createSigningKey(store));
    const privateKey = await importPKCS8(stored.privateKeyPkcs8, ALG);
    return new TokenService(privateKey, stored, options);
  }

  get kid(): string {
    return this.stored.kid;
  }

  issuerOrigin(): string {
    return this.options.issuerOrigin().replace(/\/+$/, '');
  }

  /** v1.0 issuer, the one carried by tokens (as sts.windows.net/{tid}/ is in Azure). */
  issuer(tenantId: string): string {
    return `${this.issuerOrigin()}/${tenantId}/`;
  }

  /** v2.0 issuer, announced by the v2.0 discovery document. */
  issuerV2(tenantId: string): string {
    return `${this.issuerOrigin()}/${tenantId}/v2.0`;
  }

  /** The public signing keys as a JWKS document. */
  jwks(): JSONWebKeySet {
    return { keys: [{ ...this.stored.publicJwk, kid: this.stored.kid, use: 'sig', alg: ALG }] };
  }

  async issue(principal: TokenSubject, audience: string, options: IssueOptions = {}): Promise<IssuedToken> {
    const iat = Math.floor((options.nowMs ?? this.now()) / 1000);
    const lifetime = options.lifetimeSeconds ?? TOKEN_LIFETIME_SECONDS;
    const claims: AccessTokenClaims = {
      aud: audience,
      iss: this.issuer(principal.tenantId),
      iat,
      nbf: iat,
      exp: iat + lifetime,
      tid: principal.tenantId,
      oid: principal.objectId,
      sub: principal.objectId,
      appid: principal.appId,
      // 1: authenticated with a client secret; 2: with a certificate, which is how managed identities sign in.
      appidacr: principal.kind === 'ServicePrincipal' ? '1' : '2',
      idtyp: principal.kind === 'User' ? 'user' : 'app',
      ver: '1.0',
      uti: randomBytes(16).toString('base64url'),
    };
    if (principal.kind === 'ManagedIdentity' && principal.resourceId) claims.xms_mirid = principal.resourceId;
    if (principal.kind === 'User') claims.name = principal.displayName;
    const accessToken = await new SignJWT(claims).setProtectedHeader({ typ: 'JWT', alg: ALG, kid: this.kid }).sign(this.signingKey);
    return { accessToken, expiresOn: claims.exp, notBefore: claims.nbf, expiresIn: lifetime };
  }

  /**
   * Checks a bearer token in the order a reader would want the reason: shape, signature,
   * lifetime, issuer, audience. Throws TokenError; returns the claims and the caller.
   */
  async verify(token: string, acceptedAudiences: string[], options: VerifyOptions = {}): Promise<VerifiedToken> {
    const known = this.verifyKnown(token, acceptedAudiences, options);
    if (known) return known;
    const parsed = parseJwt(token);
    if (options.looseAuth) return { claims: parsed.payload as AccessTokenClaims, principal: principalFromClaims(parsed.payload, true) };
    await this.checkSignature(token);
    const claims = parsed.payload as AccessTokenClaims;
    if (this.verifiedSignatures.size >= SIGNATURE_CACHE_SIZE) this.verifiedSignatures.delete(this.verifiedSignatures.keys().next().value!);
    this.verifiedSignatures.set(token, claims);
    return this.checkClaims(claims, acceptedAudiences);
  }

  /**
   * The synchronous path for a token whose signature was checked before (the usual case: clients
   * reuse a token for an hour): lifetime, issuer and audience are still checked every time.
   * Undefined when the token is new and needs the full (asynchronous) verify.
   */
  verifyKnown(token: string, acceptedAudiences: string[], options: VerifyOptions = {}): VerifiedToken | undefined {
    const claims = this.verifiedSignatures.get(token);
    if (!claims) return undefined;
    if (options.looseAuth) return { claims, principal: principalFromClaims(claims, true) };
    return this.checkClaims(claims, acceptedAudiences);
  }

  private checkClaims(claims: AccessTokenClaims, acceptedAudiences: string[]): VerifiedToken {
    this.checkLifetime(claims);
    this.checkIssuer(claims);
    checkAudience(claims, acceptedAudiences);
    return { claims, principal: principalFromClaims(claims, false) };
  }

  private async checkSignature(token: string): Promise<void> {
    try {
      await compactVerify(token, this.keySet, { algorithms: [ALG] });
    } catch {
      throw new TokenError('bad_signature', 'The access token has invalid signature.');
    }
  }

  private checkLifetime(claims: JWTPayload): void {
    const { exp, nbf } = claims;
    if (typeof exp !== 'number') throw new TokenError('malformed', "The access token has no 'exp' claim.");
    const nowSeconds = this.now() / 1000;
    if (exp + CLOCK_SKEW_SECONDS <= nowSeconds) {
      throw new TokenError(
        'expired',
        `The access token expiry UTC time '${isoSeconds(exp)}' is earlier than current UTC time '${isoSeconds(nowSeconds)}'.`,
        { expiresOn: exp },
      );
    }
    if (typeof nbf === 'number' && nbf - CLOCK_SKEW_SECONDS > nowSeconds) {
      throw new TokenError(
        'not_yet_valid',
        `The access token is not yet valid: its validity starts at UTC time '${isoSeconds(nbf)}', after the current UTC time '${isoSeconds(nowSeconds)}'.`,
        { notBefore: nbf },
      );
    }
  }

  /** The issuer must be this emulator speaking for the token's own tenant, in v1.0 or v2.0 form. */
  private checkIssuer(claims: JWTPayload): void {
    const iss = typeof claims.iss === 'string' ? claims.iss : '';
    const tid = typeof claims.tid === 'string' ? claims.tid : '';
    const expected = tid ? [this.issuer(tid), this.issuerV2(tid)] : [];
    if (!expected.some((e) => e.toLowerCase() === iss.toLowerCase())) {
      throw new TokenError(
        'wrong_issuer',
        `The access token is from the wrong issuer '${iss}'. It must be issued by this emulator for the token's tenant ('${this.issuer(tid || '{tenantId}')}').`,
        { issuer: iss, tenantId: tid },
      );
    }
  }
}

async function createSigningKey(store: Store): Promise<StoredSigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true, modulusLength: 2048 });
  const publicJwk = await exportJWK(publicKey);
  const stored: StoredSigningKey = {
    kid: await calculateJwkThumbprint(publicJwk),
    alg: ALG,
    createdAt: new Date().toISOString(),
    privateKeyPkcs8: await exportPKCS8(privateKey),
    publicJwk,
  };
  await store.put(KEYS, SIGNING_KEY, stored);
  return stored;
}

/** Trailing slashes and case do not matter: Azure accepts `https://management.azure.com` and `.../`. */
function sameAudience(a: string, b: string): boolean {
  const norm = (s: string) => s.replace(/\/+$/, '').toLowerCase();
  return norm(a) === norm(b);
}

function checkAudience(claims: JWTPayload, accepted: string[]): void {
  const auds = Array.isArray(claims.aud) ? claims.aud : typeof claims.aud === 'string' ? [claims.aud] : [];
  if (auds.some((aud) => accepted.some((ok) => sameAudience(aud, ok)))) return;
  const shown = auds.join(',');
  throw new TokenError(
    'wrong_audience',
    `The access token has been obtained for wrong audience or resource '${shown}'. It should exactly match with one of the allowed audiences ${accepted.map((a) => `'${a}'`).join(',')}.`,
    { audience: shown },
  );
}

/** Three base64url parts with a JSON header and a JSON object payload; anything else is malformed. */
export function parseJwt(token: string): { header: Record<string, unknown>; payload: JWTPayload } {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p)) || !parts[0] || !parts[1]) {
    throw new TokenError('malformed', 'The access token is not a well-formed JWT: it must be three base64url parts separated by dots.');
  }
  const header = decodeJsonPart(parts[0], 'header');
  const payload = decodeJsonPart(parts[1], 'payload');
  return { header, payload: payload as JWTPayload };
}

function decodeJsonPart(part: string, name: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new TokenError('malformed', `The access token is not a well-formed JWT: its ${name} is not JSON.`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TokenError('malformed', `The access token is not a well-formed JWT: its ${name} is not a JSON object.`);
  }
  return value as Record<string, unknown>;
}

/**
 * Who a token speaks for. Entra app tokens carry no principal type, so a managed identity is
 * recognised by its `xms_mirid` and a user by `idtyp: user` (or a `upn`, in tokens from elsewhere).
 */
function principalFromClaims(claims: JWTPayload, loose: boolean): TokenPrincipal {
  const str = (name: string): string | undefined => (typeof claims[name] === 'string' && claims[name] ? (claims[name] as string) : undefined);
  const objectId = str('oid') ?? str('sub');
  const appId = str('appid') ?? str('azp') ?? str('appId');
  if (!objectId && !appId) {
    throw new TokenError('malformed', "The access token names no principal: it has neither an 'oid' nor an 'appid' claim.");
  }
  const kind: PrincipalKind = str('xms_mirid') ? 'ManagedIdentity' : str('idtyp') === 'user' || (loose && str('upn')) ? 'User' : 'ServicePrincipal';
  return {
    objectId: (objectId ?? appId)!.toLowerCase(),
    tenantId: (str('tid') ?? '').toLowerCase(),
    appId: (appId ?? objectId)!.toLowerCase(),
    kind,
    displayName: str('name') ?? str('upn') ?? appId ?? objectId!,
  };
}

function isoSeconds(epochSeconds: number): string {
  return new Date(Math.floor(epochSeconds) * 1000).toISOString().replace('.000Z', 'Z');
}
