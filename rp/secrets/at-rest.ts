/**
 * Secrets at rest. Private keys and secrets are encrypted (AES-256-GCM) on their way into db.json
 * and the journals; memory holds them in clear, so nothing else changes. They stay in the same
 * journal as everything else, so a secret and the resource that uses it still change in one commit.
 *
 * What is sealed:
 * - whole records of the collections that exist to hold secrets (SEALED_COLLECTIONS: the token
 *   signing key and MSI secret, the demo client secret, the clusters' PKI private keys, the
 *   platform's rotated credentials, Key Vault secret values);
 * - in every other record, any string under a key named `password` (the write-only credentials
 *   of clusters, machines and appliances).
 *
 * The key is never in db.json: it is NCE_STORE_KEY when that is set (any string; a 256-bit key is
 * derived from it with scrypt), else the file `store.key` (32 random bytes, base64, mode 0600) in
 * the data folder, made on first start. Back up db.json, its journals and store.key together (or
 * keep NCE_STORE_KEY with the backup): without the key the secrets cannot be read back.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Sealer } from '../store/store.js';

export const STORE_KEY_ENV = 'NCE_STORE_KEY';
export const STORE_KEY_FILE = 'store.key';

/** Collections whose records are sealed whole (names as the modules that own them define them). */
export const SEALED_COLLECTIONS: ReadonlySet<string> = new Set([
  'keys', // rp/identity/tokens.ts: token-signing key; rp/identity/msi.ts: MSI secret
  'secrets', // rp/emulator.ts: the demo principal's client secret
  'clusterPkiKeys', // rp/pki/site.ts: every private key of every cluster PKI
  'kubernetesPkiKeys', // rp/pki/kubernetes/k8s-pki.ts: every private key of every Kubernetes cluster PKI
  'kubernetesBootstrapTokens', // rp/pki/kubernetes/k8s-pki.ts: digests of bootstrap token secrets
  'managedCredentials', // rp/secrets/managed-store.ts: current rotated credentials
  'vaultSecrets', // rp/vault/secret-store.ts: Key Vault secret values
]);

/** Keys whose string values are sealed wherever they appear in other records. */
const SECRET_FIELDS = new Set(['password']);

const MARK = '$sealed';
const VERSION = 'v1';

export class StoreKeyError extends Error {}

function isSealed(v: unknown): v is { [MARK]: string } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as Record<string, unknown>)[MARK] === 'string' && Object.keys(v).length === 1;
}

/** Sealed texts remembered per record and plaintext (see AesGcmSealer.encrypt), and the longest plaintext remembered. */
const SEAL_CACHE_ENTRIES = 4096;
const SEAL_CACHE_MAX_PLAIN = 1024;

export class AesGcmSealer implements Sealer {
  private readonly sealed = new Map<string, string>();

  constructor(
    private readonly key: Buffer,
    /** Where the key came from, for messages. */
    private readonly source: string,
  ) {}

  /**
   * A record rewritten with an unchanged secret (every write of a machine carries its BMC
   * password) gets the ciphertext sealed for it before: the same plaintext under the same key and
   * associated data, so nothing new is encrypted under a reused nonce. Only short secrets are
   * remembered, for a bounded number of records; memory holds them in clear anyway.
   */
  private encrypt(plain: string, aad: string): { [MARK]: string } {
    if (plain.length > SEAL_CACHE_MAX_PLAIN) return { [MARK]: this.encryptNew(plain, aad) };
    const key = `${aad}\u0000${plain}`;
    let text = this.sealed.get(key);
    if (text === undefined) {
      text = this.encryptNew(plain, aad);
      if (this.sealed.size >= SEAL_CACHE_ENTRIES) this.sealed.clear();
      this.sealed.set(key, text);
    }
    return { [MARK]: text };
  }

  private encryptNew(plain: string, aad: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(aad));
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${VERSION}.${iv.toString('base64')}.${cipher.getAuthTag().toString('base64')}.${ct.toString('base64')}`;
  }

  private decrypt(sealed: string, aad: string): string {
    const [version, iv, tag, ct] = sealed.split('.');
    if (version !== VERSION || ct === undefined) throw new StoreKeyError(`a sealed value is in an unknown format (${version})`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
      decipher.setAAD(Buffer.from(aad));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new StoreKeyError(`they were sealed with another key than ${this.source}. Restore the key that belongs to this store (the store.key file backed up with it, or the same ${STORE_KEY_ENV}).`);
    }
  }

  seal(collection: string, key: string, value: unknown): unknown {
    const aad = `${collection}/${key}`;
    if (SEALED_COLLECTIONS.has(collection)) return value === undefined ? value : this.encrypt(JSON.stringify(value), aad);
    return this.sealFields(value, aad);
  }

  unseal(collection: string, key: string, value: unknown): unknown {
    const aad = `${collection}/${key}`;
    if (isSealed(value)) return SEALED_COLLECTIONS.has(collection) ? JSON.parse(this.decrypt(value[MARK], aad)) : this.decrypt(value[MARK], aad);
    return this.unsealFields(value, aad);
  }

  /** A copy of `value` with secret fields sealed; `value` itself when it holds none. */
  private sealFields(value: unknown, aad: string): unknown {
    if (typeof value !== 'object' || value === null) return value;
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        const sealed = this.sealFields(item, aad);
        if (sealed !== item) (copy ??= [...value])[i] = sealed;
      }
      return copy ?? value;
    }
    let copy: Record<string, unknown> | undefined;
    // JSON records: plain objects, own enumerable keys only.
    for (const k in value) {
      const v = (value as Record<string, unknown>)[k];
      if (typeof v !== 'object' && !SECRET_FIELDS.has(k)) continue;
      const sealed = SECRET_FIELDS.has(k) && typeof v === 'string' ? this.encrypt(v, aad) : this.sealFields(v, aad);
      if (sealed !== v) (copy ??= { ...(value as Record<string, unknown>) })[k] = sealed;
    }
    return copy ?? value;
  }

  /** `value` with sealed fields opened: copied only along the paths to them (a store's start opens every record). */
  private unsealFields(value: unknown, aad: string): unknown {
    if (typeof value !== 'object' || value === null) return value;
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        const opened = this.unsealFields(item, aad);
        if (opened !== item) (copy ??= [...value])[i] = opened;
      }
      return copy ?? value;
    }
    if (isSealed(value)) return this.decrypt(value[MARK], aad);
    let copy: Record<string, unknown> | undefined;
    for (const k in value) {
      const v = (value as Record<string, unknown>)[k];
      if (typeof v !== 'object' || v === null) continue;
      const opened = this.unsealFields(v, aad);
      if (opened !== v) (copy ??= { ...(value as Record<string, unknown>) })[k] = opened;
    }
    return copy ?? value;
  }
}

/** True when db.json or one of its journals already holds sealed values. */
function storeHasSealedValues(dbFile: string): boolean {
  const dir = path.dirname(dbFile);
  const base = path.basename(dbFile).replace(/\.json$/, '');
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n === path.basename(dbFile) || n.startsWith(`${base}.journal.`));
  } catch {
    return false;
  }
  return names.some((n) => readFileSync(path.join(dir, n), 'utf8').includes(`"${MARK}"`));
}

/**
 * The sealer for the store in `dataDir`: keyed by NCE_STORE_KEY when set, else by the data folder's
 * store.key (made on first start; refused when the store already holds sealed values without it).
 */
export async function openSealer(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<AesGcmSealer> {
  const passphrase = env[STORE_KEY_ENV];
  if (passphrase !== undefined && passphrase !== '') {
    return new AesGcmSealer(scryptSync(passphrase, 'networkcloud-emulator store key v1', 32), `the key derived from ${STORE_KEY_ENV}`);
  }
  const file = path.join(dataDir, STORE_KEY_FILE);
  if (existsSync(file)) {
    const key = Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
    if (key.length !== 32) throw new StoreKeyError(`The store key ${file} is not 32 bytes of base64. Restore it from the backup it was taken with.`);
    return new AesGcmSealer(key, file);
  }
  if (storeHasSealedValues(path.join(dataDir, 'db.json'))) {
    throw new StoreKeyError(
      `The store in ${dataDir} holds encrypted secrets but its key file ${file} is missing (and ${STORE_KEY_ENV} is not set). Restore store.key from the backup taken with db.json, set ${STORE_KEY_ENV} to the value used before, or start with --reset.`,
    );
  }
  const key = randomBytes(32);
  const handle = await open(file, 'wx', 0o600);
  try {
    await handle.writeFile(key.toString('base64') + '\n');
    await handle.sync();
  } finally {
    await handle.close();
  }
  return new AesGcmSealer(key, file);
}
