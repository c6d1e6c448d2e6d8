/**
 * The secrets of every emulated key vault: one record per (vault, secret name) holding all of its
 * versions, oldest first, plus its soft-delete state. Names compare case-insensitively, as in
 * Key Vault. Values live only here and leave only through the data plane's secret get.
 */
import { randomUUID } from 'node:crypto';
import type { Store, StoreOp } from '../store/store.js';

export const VAULT_SECRETS = 'vaultSecrets';

export interface SecretVersion {
  /** 32 lower-case hex digits. */
  version: string;
  value: string;
  contentType?: string;
  tags?: Record<string, string>;
  enabled: boolean;
  /** Epoch seconds. */
  nbf?: number;
  exp?: number;
  created: number;
  updated: number;
}

export interface DeletedState {
  /** Epoch seconds. */
  deletedDate: number;
  scheduledPurgeDate: number;
}

export interface SecretRecord {
  /** The vault's name, lower-case. */
  vault: string;
  /** The secret's name in the casing it was first written with. */
  name: string;
  versions: SecretVersion[];
  deleted?: DeletedState;
}

export const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/;
/** Key Vault refuses values over 25 KiB. */
export const MAX_SECRET_BYTES = 25 * 1024;

export function secretKey(vault: string, name: string): string {
  return `${vault.toLowerCase()}/${name.toLowerCase()}`;
}

export function newSecretVersion(): string {
  return randomUUID().replace(/-/g, '');
}

export function readSecret(store: Store, vault: string, name: string): SecretRecord | undefined {
  return store.get<SecretRecord>(VAULT_SECRETS, secretKey(vault, name));
}

export function secretsOf(store: Store, vault: string): SecretRecord[] {
  const prefix = `${vault.toLowerCase()}/`;
  return store.entries<SecretRecord>(VAULT_SECRETS).filter(([k]) => k.startsWith(prefix)).map(([, r]) => r).sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
}

export async function writeSecret(store: Store, record: SecretRecord): Promise<void> {
  await store.put(VAULT_SECRETS, secretKey(record.vault, record.name), record);
}

export async function removeSecret(store: Store, vault: string, name: string): Promise<void> {
  await store.delete(VAULT_SECRETS, secretKey(vault, name));
}

/** The deletes that forget every secret of a vault (it was purged, or a new one took its name). */
export function vaultSecretDeleteOps(store: Store, vault: string): StoreOp[] {
  const prefix = `${vault.toLowerCase()}/`;
  return store.entries(VAULT_SECRETS).filter(([k]) => k.startsWith(prefix)).map(([key]) => ({ op: 'delete' as const, collection: VAULT_SECRETS, key }));
}

/** Forgets every secret of a vault. */
export async function purgeVaultSecrets(store: Store, vault: string): Promise<void> {
  await store.batch(vaultSecretDeleteOps(store, vault));
}

export function latestVersion(record: SecretRecord): SecretVersion | undefined {
  return record.versions[record.versions.length - 1];
}

export function findVersion(record: SecretRecord, version: string): SecretVersion | undefined {
  const wanted = version.toLowerCase();
  return record.versions.find((v) => v.version === wanted);
}
