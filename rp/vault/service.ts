/**
 * The Key Vault secrets data plane, independent of HTTP: who is calling (a token for the vault
 * audience, from the vault's tenant), may they (Azure RBAC data actions, or the vault's access
 * policies when RBAC is off), and the operations themselves. The HTTP routes and the platform's
 * secret archive both go through it, so the archive is authorized exactly as a client would be.
 */
import { isObject, type JsonObject } from '../api/derive.js';
import type { EmulatorHost } from '../host.js';
import { checkDataAction } from '../providers/authorization/rbac.js';
import { SECRET_DATA_ACTIONS } from '../providers/authorization/roles.js';
import { findDeletedVault } from '../providers/keyvault/deleted-vaults.js';
import { findVaultByName, vaultUriOf } from '../providers/keyvault/vaults.js';
import type { StoredResource } from '../providers/resource-store.js';
import { TokenError, type AccessTokenClaims } from '../identity/tokens.js';
import { vaultErrors, VaultError } from './errors.js';
import {
  findVersion, latestVersion, MAX_SECRET_BYTES, newSecretVersion, readSecret, removeSecret, SECRET_NAME, secretsOf, writeSecret,
  type SecretRecord, type SecretVersion,
} from './secret-store.js';

export const VAULT_AUDIENCE = 'https://vault.azure.net';
/** Data-plane api-versions Key Vault clients send (the SDK 4.11 sends 2025-07-01). */
export const KEYVAULT_DATA_API_VERSIONS = ['2016-10-01', '7.0', '7.1', '7.2', '7.3', '7.4', '7.5', '7.6', '2025-07-01'] as const;

export type SecretAction = keyof typeof SECRET_DATA_ACTIONS;

/** The access-policy permission each data action needs when a vault does not use RBAC. */
const POLICY_PERMISSION: Record<SecretAction, string> = {
  getSecret: 'get',
  readMetadata: 'list',
  setSecret: 'set',
  update: 'set',
  delete: 'delete',
  recover: 'recover',
  purge: 'purge',
};

export interface VaultCaller {
  objectId: string;
  appId: string;
  tenantId: string;
  issuer: string;
}

/** What the data plane needs to know about a vault's ARM resource. */
export interface Vault {
  id: string;
  name: string;
  location: string;
  tenantId: string;
  /** The base of object ids: https://NAME.vault.azure.net */
  uriBase: string;
  rbac: boolean;
  accessPolicies: JsonObject[];
  softDelete: boolean;
  retentionDays: number;
  purgeProtection: boolean;
}

export interface SecretAttributes {
  enabled?: boolean;
  nbf?: number;
  exp?: number;
  created: number;
  updated: number;
  recoveryLevel: string;
  recoverableDays?: number;
}

export interface SecretBundle {
  value?: string;
  id: string;
  contentType?: string;
  attributes: SecretAttributes;
  tags?: Record<string, string>;
}

export interface SecretItem {
  id: string;
  contentType?: string;
  attributes: SecretAttributes;
  tags?: Record<string, string>;
}

export interface DeletedSecretBundle extends SecretBundle {
  recoveryId: string;
  deletedDate: number;
  scheduledPurgeDate: number;
}

export interface SetSecretInput {
  value?: unknown;
  contentType?: unknown;
  tags?: unknown;
  attributes?: unknown;
}

const DAY_SECONDS = 86_400;

export function vaultFromResource(r: StoredResource): Vault {
  const props = (r.resource.properties ?? {}) as JsonObject;
  const name = String(r.resource.name);
  return {
    id: r.id,
    name,
    location: String(r.resource.location ?? ''),
    tenantId: String(props.tenantId ?? '').toLowerCase(),
    uriBase: vaultUriOf(name).replace(/\/$/, ''),
    rbac: props.enableRbacAuthorization !== false,
    accessPolicies: Array.isArray(props.accessPolicies) ? (props.accessPolicies.filter(isObject) as JsonObject[]) : [],
    softDelete: props.enableSoftDelete !== false,
    retentionDays: typeof props.softDeleteRetentionInDays === 'number' ? props.softDeleteRetentionInDays : 90,
    purgeProtection: props.enablePurgeProtection === true,
  };
}

export class VaultDataPlane {
  constructor(private readonly emu: EmulatorHost) {}

  private nowSeconds(): number {
    return Math.floor(this.emu.clock.nowMs() / 1000);
  }

  vault(name: string): Vault {
    const r = findVaultByName(this.emu, name);
    if (!r) throw findDeletedVault(this.emu, name) ? vaultErrors.vaultDeleted(name) : vaultErrors.vaultNotFound(name);
    return vaultFromResource(r);
  }

  /** Key Vault's challenge: where to get a token (this emulator, the vault's tenant) and for which resource. */
  challenge(vault: Vault): string {
    return `Bearer authorization="${this.emu.endpoint}${vault.tenantId}", resource="${VAULT_AUDIENCE}"`;
  }

  async authenticate(authorization: string | undefined, vault: Vault): Promise<VaultCaller> {
    const challenge = this.challenge(vault);
    if (!authorization) throw vaultErrors.unauthorized('AKV10000: Request is missing a Bearer or PoP token.', challenge);
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw vaultErrors.unauthorized('AKV10000: Request is missing a Bearer or PoP token.', challenge);
    let claims: AccessTokenClaims;
    try {
      ({ claims } = await this.emu.tokens.verify(match[1], [VAULT_AUDIENCE], { looseAuth: this.emu.config.looseAuth }));
    } catch (e) {
      if (!(e instanceof TokenError)) throw e;
      const code = e.reason === 'wrong_audience' ? 'AKV10022' : e.reason === 'wrong_issuer' ? 'AKV10032' : e.reason === 'expired' ? 'AKV10021' : 'AKV10005';
      const text = e.reason === 'wrong_audience' ? `Invalid audience. Expected ${VAULT_AUDIENCE}, found: ${e.detail.audience ?? ''}.` : e.message;
      throw vaultErrors.unauthorized(`${code}: ${text}`, challenge);
    }
    const tenantId = String(claims.tid ?? '').toLowerCase();
    if (!this.emu.config.looseAuth && tenantId !== vault.tenantId) {
      throw vaultErrors.unauthorized(`AKV10032: Invalid issuer. Expected one of ${this.emu.tokens.issuer(vault.tenantId)}, found ${String(claims.iss ?? '')}.`, challenge);
    }
    return {
      objectId: String(claims.oid ?? claims.sub ?? '').toLowerCase(),
      appId: String(claims.appid ?? claims.azp ?? '').toLowerCase(),
      tenantId,
      issuer: String(claims.iss ?? ''),
    };
  }

  /** Throws Key Vault's 403 unless the caller may perform the action (on one secret, or on the vault's secrets). */
  authorize(caller: VaultCaller, vault: Vault, action: SecretAction, secretName?: string): void {
    const dataAction = SECRET_DATA_ACTIONS[action];
    const who = `appid=${caller.appId};oid=${caller.objectId};iss=${caller.issuer}`;
    if (vault.rbac) {
      const resource = `${vault.id}${secretName ? `/secrets/${secretName}` : ''}`;
      if (checkDataAction(this.emu.store, caller.objectId, resource, dataAction).allowed) return;
      throw vaultErrors.forbidden(
        'Caller is not authorized to perform action on resource.\r\n'
          + 'If role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\n'
          + `Caller: ${who}\r\nAction: '${dataAction}'\r\nResource: '${resource.toLowerCase()}'\r\nAssignment: (not found)\r\n`
          + `DenyAssignmentId: null\r\nDecisionReason: null \r\nVault: ${vault.name};location=${vault.location}\r\n`,
        'ForbiddenByRbac',
      );
    }
    const permission = POLICY_PERMISSION[action];
    const allowed = vault.accessPolicies.some((p) => {
      if (String(p.objectId ?? '').toLowerCase() !== caller.objectId) return false;
      const secrets = isObject(p.permissions) && Array.isArray(p.permissions.secrets) ? p.permissions.secrets.map((s) => String(s).toLowerCase()) : [];
      return secrets.includes(permission) || secrets.includes('all');
    });
    if (allowed) return;
    throw vaultErrors.forbidden(
      `The user, group or application '${who}' does not have secrets ${permission} permission on key vault '${vault.name};location=${vault.location}'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287`,
      'ForbiddenByPolicy',
    );
  }

  // ---------------------------------------------------------------- shapes

  private recoveryLevel(vault: Vault): string {
    if (!vault.softDelete) return 'Purgeable';
    return vault.purgeProtection ? 'Recoverable' : 'Recoverable+Purgeable';
  }

  /** Key Vault's attribute order: enabled, nbf, exp, created, updated, recoveryLevel, recoverableDays. */
  private attributes(vault: Vault, v: SecretVersion): SecretAttributes {
    return {
      enabled: v.enabled,
      ...(v.nbf !== undefined ? { nbf: v.nbf } : {}),
      ...(v.exp !== undefined ? { exp: v.exp } : {}),
      created: v.created,
      updated: v.updated,
      recoveryLevel: this.recoveryLevel(vault),
      ...(vault.softDelete ? { recoverableDays: vault.retentionDays } : {}),
    };
  }

  private bundle(vault: Vault, record: SecretRecord, v: SecretVersion, withValue: boolean): SecretBundle {
    return {
      ...(withValue ? { value: v.value } : {}),
      ...(v.contentType !== undefined ? { contentType: v.contentType } : {}),
      id: `${vault.uriBase}/secrets/${record.name}/${v.version}`,
      attributes: this.attributes(vault, v),
      ...(v.tags && Object.keys(v.tags).length ? { tags: v.tags } : {}),
    };
  }

  private item(vault: Vault, record: SecretRecord, v: SecretVersion, withVersion: boolean): SecretItem {
    return {
      id: `${vault.uriBase}/secrets/${record.name}${withVersion ? `/${v.version}` : ''}`,
      ...(v.contentType !== undefined ? { contentType: v.contentType } : {}),
      attributes: this.attributes(vault, v),
      ...(v.tags && Object.keys(v.tags).length ? { tags: v.tags } : {}),
    };
  }

  private deletedBundle(vault: Vault, record: SecretRecord): DeletedSecretBundle {
    const latest = latestVersion(record)!;
    return {
      recoveryId: `${vault.uriBase}/deletedsecrets/${record.name}`,
      deletedDate: record.deleted!.deletedDate,
      scheduledPurgeDate: record.deleted!.scheduledPurgeDate,
      ...this.bundle(vault, record, latest, false),
    };
  }

  // ---------------------------------------------------------------- records

  private checkName(name: string): void {
    if (!SECRET_NAME.test(name)) throw vaultErrors.badParameter(`The request URI contains an invalid name: ${name}`);
  }

  /** A record as of now: a soft-deleted secret past its purge date is gone. */
  private async current(vault: Vault, name: string): Promise<SecretRecord | undefined> {
    const record = readSecret(this.emu.store, vault.name, name);
    if (record?.deleted && record.deleted.scheduledPurgeDate <= this.nowSeconds()) {
      await removeSecret(this.emu.store, vault.name, name);
      return undefined;
    }
    return record;
  }

  private async live(vault: Vault, name: string, version?: string): Promise<{ record: SecretRecord; v: SecretVersion }> {
    this.checkName(name);
    const record = await this.current(vault, name);
    if (!record || record.deleted) throw vaultErrors.secretNotFound(name);
    const v = version ? findVersion(record, version) : latestVersion(record);
    if (!v) throw vaultErrors.secretNotFound(name, version);
    return { record, v };
  }

  // ---------------------------------------------------------------- operations

  async set(vault: Vault, name: string, input: SetSecretInput): Promise<SecretBundle> {
    this.checkName(name);
    if (typeof input.value !== 'string') throw vaultErrors.badParameter("Property 'value' is required and must be a string.");
    if (Buffer.byteLength(input.value, 'utf8') > MAX_SECRET_BYTES) throw vaultErrors.badParameter(`The secret value is larger than the ${MAX_SECRET_BYTES} bytes Key Vault accepts.`);
    if (input.contentType !== undefined && input.contentType !== null && typeof input.contentType !== 'string') throw vaultErrors.badParameter("Property 'contentType' must be a string.");
    const tags = parseTags(input.tags);
    const attributes = parseAttributes(input.attributes);
    const existing = await this.current(vault, name);
    if (existing?.deleted) {
      throw vaultErrors.conflict(`Secret ${existing.name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.`);
    }
    const now = this.nowSeconds();
    const v: SecretVersion = {
      version: newSecretVersion(),
      value: input.value,
      enabled: attributes.enabled ?? true,
      created: now,
      updated: now,
    };
    if (typeof input.contentType === 'string') v.contentType = input.contentType;
    if (tags) v.tags = tags;
    if (attributes.nbf !== undefined) v.nbf = attributes.nbf;
    if (attributes.exp !== undefined) v.exp = attributes.exp;
    const record: SecretRecord = existing ? { ...structuredClone(existing), versions: [...structuredClone(existing.versions), v] } : { vault: vault.name.toLowerCase(), name, versions: [v] };
    await writeSecret(this.emu.store, record);
    return this.bundle(vault, record, v, true);
  }

  async get(vault: Vault, name: string, version?: string): Promise<SecretBundle> {
    const { record, v } = await this.live(vault, name, version);
    if (!v.enabled) throw vaultErrors.forbidden('Operation get is not allowed on a disabled secret.', 'SecretDisabled');
    return this.bundle(vault, record, v, true);
  }

  async update(vault: Vault, name: string, version: string | undefined, input: { contentType?: unknown; tags?: unknown; attributes?: unknown }): Promise<SecretBundle> {
    const { record, v } = await this.live(vault, name, version);
    const next = structuredClone(record);
    const target = next.versions.find((x) => x.version === v.version)!;
    if (input.contentType !== undefined) {
      if (input.contentType !== null && typeof input.contentType !== 'string') throw vaultErrors.badParameter("Property 'contentType' must be a string.");
      if (typeof input.contentType === 'string') target.contentType = input.contentType;
      else delete target.contentType;
    }
    if (input.tags !== undefined) {
      const tags = parseTags(input.tags);
      if (tags) target.tags = tags;
      else delete target.tags;
    }
    const attributes = parseAttributes(input.attributes);
    if (attributes.enabled !== undefined) target.enabled = attributes.enabled;
    if (attributes.nbf !== undefined) target.nbf = attributes.nbf;
    if (attributes.exp !== undefined) target.exp = attributes.exp;
    target.updated = this.nowSeconds();
    await writeSecret(this.emu.store, next);
    return this.bundle(vault, next, target, false);
  }

  async list(vault: Vault): Promise<SecretItem[]> {
    const out: SecretItem[] = [];
    for (const r of secretsOf(this.emu.store, vault.name)) {
      const record = await this.current(vault, r.name);
      if (!record || record.deleted) continue;
      out.push(this.item(vault, record, latestVersion(record)!, false));
    }
    return out;
  }

  async versions(vault: Vault, name: string): Promise<SecretItem[]> {
    this.checkName(name);
    const record = await this.current(vault, name);
    // Key Vault answers an empty list, not 404, for a name it does not know.
    if (!record || record.deleted) return [];
    return record.versions.map((v) => this.item(vault, record, v, true));
  }

  async delete(vault: Vault, name: string): Promise<DeletedSecretBundle | SecretBundle> {
    const { record } = await this.live(vault, name);
    if (!vault.softDelete) {
      await removeSecret(this.emu.store, vault.name, name);
      return this.bundle(vault, record, latestVersion(record)!, false);
    }
    const now = this.nowSeconds();
    const next: SecretRecord = { ...structuredClone(record), deleted: { deletedDate: now, scheduledPurgeDate: now + vault.retentionDays * DAY_SECONDS } };
    await writeSecret(this.emu.store, next);
    return this.deletedBundle(vault, next);
  }

  private async deleted(vault: Vault, name: string): Promise<SecretRecord> {
    this.checkName(name);
    const record = await this.current(vault, name);
    if (!record?.deleted) throw vaultErrors.deletedSecretNotFound(name);
    return record;
  }

  async getDeleted(vault: Vault, name: string): Promise<DeletedSecretBundle> {
    return this.deletedBundle(vault, await this.deleted(vault, name));
  }

  async listDeleted(vault: Vault): Promise<DeletedSecretBundle[]> {
    const out: DeletedSecretBundle[] = [];
    for (const r of secretsOf(this.emu.store, vault.name)) {
      const record = await this.current(vault, r.name);
      if (record?.deleted) out.push(this.deletedBundle(vault, record));
    }
    return out;
  }

  async purge(vault: Vault, name: string): Promise<void> {
    const record = await this.deleted(vault, name);
    if (vault.purgeProtection) {
      throw vaultErrors.forbidden(`Operation "purge" is not allowed because purge protection is enabled for this vault. Key Vault service will automatically purge it after the retention period has passed.`, 'PurgeProtectionEnabled');
    }
    await removeSecret(this.emu.store, vault.name, record.name);
  }

  async recover(vault: Vault, name: string): Promise<SecretBundle> {
    const record = await this.deleted(vault, name);
    const next = structuredClone(record);
    delete next.deleted;
    await writeSecret(this.emu.store, next);
    return this.bundle(vault, next, latestVersion(next)!, false);
  }
}

function parseTags(raw: unknown): Record<string, string> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw as never) || Object.values(raw as object).some((v) => typeof v !== 'string')) throw vaultErrors.badParameter("Property 'tags' must be an object of string values.");
  return { ...(raw as Record<string, string>) };
}

function parseAttributes(raw: unknown): { enabled?: boolean; nbf?: number; exp?: number } {
  if (raw === undefined || raw === null) return {};
  if (!isObject(raw as never)) throw vaultErrors.badParameter("Property 'attributes' must be an object.");
  const a = raw as Record<string, unknown>;
  const out: { enabled?: boolean; nbf?: number; exp?: number } = {};
  if (a.enabled !== undefined && a.enabled !== null) {
    if (typeof a.enabled !== 'boolean') throw vaultErrors.badParameter("Property 'attributes.enabled' must be a boolean.");
    out.enabled = a.enabled;
  }
  for (const key of ['nbf', 'exp'] as const) {
    if (a[key] === undefined || a[key] === null) continue;
    if (typeof a[key] !== 'number' || !Number.isFinite(a[key])) throw vaultErrors.badParameter(`Property 'attributes.${key}' must be a number of seconds since 1970.`);
    out[key] = Math.floor(a[key] as number);
  }
  return out;
}

export { VaultError };
