/**
 * The emulator's directory of security principals: service principals that sign in with a client
 * secret, managed identities that get tokens from the MSI endpoint, and users. Records live in the
 * Store collection `principals`, keyed by lower-case objectId. A client secret is handed out in
 * clear exactly once, when it is created; the store keeps only a salted scrypt hash of it.
 */
import { randomBytes, randomUUID, scrypt, timingSafeEqual, type BinaryLike, type ScryptOptions } from 'node:crypto';
import type { Store } from '../store/store.js';

export const PRINCIPALS = 'principals';

export type PrincipalKind = 'ServicePrincipal' | 'ManagedIdentity' | 'User';
export type ManagedIdentityAssignment = 'SystemAssigned' | 'UserAssigned';

/** A principal as the rest of the emulator sees it: never carries the secret hash. */
export interface Principal {
  objectId: string;
  tenantId: string;
  /** The application (client) id: what a token's `appid` claim and a token request's `client_id` carry. */
  appId: string;
  displayName: string;
  kind: PrincipalKind;
  /** Managed identities only: the ARM id of the identity (user-assigned) or of the resource it belongs to (system-assigned). */
  resourceId?: string;
  assignment?: ManagedIdentityAssignment;
  createdAt: string;
}

/** What is stored: the principal plus, for service principals, the hash of its current secret. */
export interface PrincipalRecord extends Principal {
  secretHash?: string;
}

export interface NewServicePrincipal {
  tenantId: string;
  displayName: string;
  appId?: string;
  objectId?: string;
  /** A caller-chosen secret (e.g. one the seed publishes); a random one is made when absent. */
  secret?: string;
}

export interface NewManagedIdentity {
  tenantId: string;
  objectId: string;
  clientId: string;
  displayName: string;
  assignment: ManagedIdentityAssignment;
  resourceId?: string;
}

export type ClientAuthentication =
  | { ok: true; principal: Principal }
  | { ok: false; reason: 'unknown_client' | 'invalid_secret' };

export class PrincipalConflictError extends Error {}

export class PrincipalDirectory {
  constructor(private readonly store: Store) {}

  /** Creates a service principal and returns its client secret: the only time it is ever visible. */
  async createServicePrincipal(input: NewServicePrincipal): Promise<{ principal: Principal; clientSecret: string }> {
    const objectId = (input.objectId ?? randomUUID()).toLowerCase();
    const appId = (input.appId ?? randomUUID()).toLowerCase();
    this.assertFree(objectId, appId);
    const clientSecret = input.secret ?? newClientSecret();
    const record: PrincipalRecord = {
      objectId,
      tenantId: input.tenantId.toLowerCase(),
      appId,
      displayName: input.displayName,
      kind: 'ServicePrincipal',
      createdAt: new Date().toISOString(),
      secretHash: await hashSecret(clientSecret),
    };
    await this.store.put(PRINCIPALS, objectId, record);
    return { principal: publicView(record), clientSecret };
  }

  /**
   * Registers (or refreshes) a managed identity's principal. The caller owns the ids, because ARM
   * shows them on the identity resource before anyone asks for a token. Re-registering the same
   * objectId replaces the record, so resource updates can call this idempotently.
   */
  async createManagedIdentity(input: NewManagedIdentity): Promise<Principal> {
    const objectId = input.objectId.toLowerCase();
    const appId = input.clientId.toLowerCase();
    const existing = this.store.get<PrincipalRecord>(PRINCIPALS, objectId);
    if (existing && existing.kind !== 'ManagedIdentity') {
      throw new PrincipalConflictError(`The object id '${objectId}' already belongs to a ${existing.kind}.`);
    }
    const holder = this.byAppId(appId);
    if (holder && holder.objectId !== objectId) {
      throw new PrincipalConflictError(`The client id '${appId}' already belongs to principal '${holder.objectId}'.`);
    }
    const record: PrincipalRecord = {
      objectId,
      tenantId: input.tenantId.toLowerCase(),
      appId,
      displayName: input.displayName,
      kind: 'ManagedIdentity',
      assignment: input.assignment,
      createdAt: existing?.createdAt ?? new Date().toISOString(),
    };
    if (input.resourceId) record.resourceId = input.resourceId;
    await this.store.put(PRINCIPALS, objectId, record);
    return publicView(record);
  }

  /** Replaces a service principal's secret (rotation); returns the new secret in clear, once. */
  async resetSecret(objectId: string, secret: string = newClientSecret()): Promise<string> {
    const record = this.record(objectId);
    if (!record || record.kind !== 'ServicePrincipal') throw new Error(`No service principal has the object id '${objectId}'.`);
    await this.store.put(PRINCIPALS, record.objectId, { ...record, secretHash: await hashSecret(secret) });
    return secret;
  }

  async delete(objectId: string): Promise<void> {
    await this.store.delete(PRINCIPALS, objectId.toLowerCase());
  }

  byObjectId(objectId: string): Principal | undefined {
    const record = this.record(objectId);
    return record && publicView(record);
  }

  byAppId(appId: string): Principal | undefined {
    const wanted = appId.toLowerCase();
    const record = this.store.list<PrincipalRecord>(PRINCIPALS).find((p) => p.appId === wanted);
    return record && publicView(record);
  }

  /** ARM resource ids are case-insensitive, so the lookup is too. */
  byResourceId(resourceId: string): Principal | undefined {
    const wanted = resourceId.toLowerCase();
    const record = this.store.list<PrincipalRecord>(PRINCIPALS).find((p) => p.resourceId?.toLowerCase() === wanted);
    return record && publicView(record);
  }

  list(): Principal[] {
    return this.store.list<PrincipalRecord>(PRINCIPALS).map(publicView);
  }

  /** Checks a client-credentials sign-in. Principals without a secret (managed identities, users) never pass. */
  async authenticateClient(appId: string, secret: string): Promise<ClientAuthentication> {
    const principal = this.byAppId(appId);
    if (!principal) return { ok: false, reason: 'unknown_client' };
    const hash = this.record(principal.objectId)?.secretHash;
    if (!hash || !(await secretMatches(secret, hash))) return { ok: false, reason: 'invalid_secret' };
    return { ok: true, principal };
  }

  private record(objectId: string): PrincipalRecord | undefined {
    return this.store.get<PrincipalRecord>(PRINCIPALS, objectId.toLowerCase());
  }

  private assertFree(objectId: string, appId: string): void {
    if (this.record(objectId)) throw new PrincipalConflictError(`A principal with the object id '${objectId}' already exists.`);
    if (this.byAppId(appId)) throw new PrincipalConflictError(`A principal with the application id '${appId}' already exists.`);
  }
}

function publicView(record: PrincipalRecord): Principal {
  const { secretHash: _hidden, ...principal } = record;
  return principal;
}

/**
 * 40 URL-safe characters, about the length and alphabet of an Entra ID client secret. It
 * never starts with '-', which `az login -p SECRET` (and azemu) would read as an option.
 */
export function newClientSecret(): string {
  const secret = randomBytes(30).toString('base64url');
  return secret.startsWith('-') ? newClientSecret() : secret;
}

// scrypt parameters are stored with each hash so they can be raised later without breaking old secrets.
const SCRYPT = { N: 16384, r: 8, p: 1, keyLength: 32 };

function scryptAsync(secret: BinaryLike, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** `scrypt$N$r$p$salt$hash`, salt and hash in base64url. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const { N, r, p, keyLength } = SCRYPT;
  const hash = await scryptAsync(secret, salt, keyLength, { N, r, p });
  return ['scrypt', N, r, p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

export async function secretMatches(secret: string, stored: string): Promise<boolean> {
  const [scheme, N, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptAsync(secret, Buffer.from(salt, 'base64url'), expected.length, { N: Number(N), r: Number(r), p: Number(p) });
  return timingSafeEqual(actual, expected);
}
