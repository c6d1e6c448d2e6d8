/**
 * The azemu profile: who we are logged in as, against which emulator, which CA to trust, the
 * subscriptions and the default one. Kept in $AZEMU_CONFIG_DIR or ~/.azemu, next to the token
 * cache; both files hold secrets, so they are written 0600 in a 0700 directory.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CliError, notLoggedIn } from './errors.js';

export interface Subscription {
  id: string;
  name: string;
  state: string;
  tenantId: string;
}

export interface Profile {
  endpoint: string;
  caCertFile: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  subscriptions: Subscription[];
  defaultSubscription: string;
  /** the emulator.json we logged in from, if any */
  emulatorFile?: string;
}

export interface CachedToken {
  accessToken: string;
  /** epoch milliseconds */
  expiresOn: number;
  /** which login the token belongs to */
  endpoint: string;
  clientId: string;
  tenantId: string;
}

/** The scope of ARM tokens; Key Vault's data plane uses https://vault.azure.net/.default. */
export const ARM_SCOPE = 'https://management.azure.com/.default';

/** token-cache.json: one token per scope (like MSAL's cache, keyed by resource). */
interface TokenCacheFile {
  tokens: Record<string, CachedToken>;
}

export const CLOUD_NAME = 'AzureEmulator';

export function configDir(): string {
  return process.env.AZEMU_CONFIG_DIR || join(homedir(), '.azemu');
}

const profilePath = () => join(configDir(), 'profile.json');
const tokenPath = () => join(configDir(), 'token-cache.json');

function readJson<T>(path: string): T | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CliError(`The azemu profile file '${path}' is unreadable (${(err as Error).message}); run 'azemu logout' and 'azemu login' again.`);
  }
}

/** Write atomically with owner-only permissions: the files hold a client secret and a bearer token. */
function writeSecretJson(path: string, value: unknown): void {
  const dir = configDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

export function loadProfile(): Profile | null {
  return readJson<Profile>(profilePath());
}

export function requireProfile(): Profile {
  const profile = loadProfile();
  if (!profile) throw notLoggedIn();
  return profile;
}

export function saveProfile(profile: Profile): void {
  writeSecretJson(profilePath(), profile);
}

export function deleteProfile(): boolean {
  const existed = existsSync(profilePath());
  rmSync(profilePath(), { force: true });
  rmSync(tokenPath(), { force: true });
  return existed;
}

function readTokenCache(): TokenCacheFile {
  const raw = readJson<Partial<TokenCacheFile> & Partial<CachedToken>>(tokenPath());
  if (!raw) return { tokens: {} };
  // a cache written before tokens were kept per scope held one ARM token at the top level
  if (typeof raw.accessToken === 'string') return { tokens: { [ARM_SCOPE]: raw as CachedToken } };
  return { tokens: raw.tokens && typeof raw.tokens === 'object' ? raw.tokens : {} };
}

/** The cached token for a scope, if it belongs to this login (and to `tenantId`, default the profile's). */
export function loadToken(profile: Profile, scope = ARM_SCOPE, tenantId = profile.tenantId): CachedToken | null {
  const token = readTokenCache().tokens[scope];
  if (!token || token.endpoint !== profile.endpoint || token.clientId !== profile.clientId || token.tenantId !== tenantId) return null;
  return token;
}

export function saveToken(token: CachedToken, scope = ARM_SCOPE): void {
  const cache = readTokenCache();
  cache.tokens[scope] = token;
  writeSecretJson(tokenPath(), cache);
}

/** Forget one scope's token, or every token. */
export function clearToken(scope?: string): void {
  if (scope === undefined) {
    rmSync(tokenPath(), { force: true });
    return;
  }
  const cache = readTokenCache();
  if (!(scope in cache.tokens)) return;
  delete cache.tokens[scope];
  writeSecretJson(tokenPath(), cache);
}

/** Resolve --subscription (a name or an id) against the profile; default when not given. */
export function resolveSubscription(profile: Profile, nameOrId?: string): Subscription {
  if (!nameOrId) {
    const current = profile.subscriptions.find((s) => s.id === profile.defaultSubscription);
    if (current) return current;
    return { id: profile.defaultSubscription, name: profile.defaultSubscription, state: 'Enabled', tenantId: profile.tenantId };
  }
  const wanted = nameOrId.toLowerCase();
  const found = profile.subscriptions.find((s) => s.id.toLowerCase() === wanted) ?? profile.subscriptions.find((s) => s.name.toLowerCase() === wanted);
  if (found) return found;
  // an id we have not listed (e.g. created after login) is still usable: ARM decides
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(nameOrId)) {
    return { id: nameOrId, name: nameOrId, state: 'Enabled', tenantId: profile.tenantId };
  }
  throw new CliError(`Subscription '${nameOrId}' not found. Check the spelling and casing and try again.`);
}

/** az's account entry shape (`az account show`/`list`). */
export function accountEntry(profile: Profile, sub: Subscription, withCloudName: boolean): Record<string, unknown> {
  return {
    ...(withCloudName ? { cloudName: CLOUD_NAME } : { environmentName: CLOUD_NAME }),
    homeTenantId: sub.tenantId,
    id: sub.id,
    isDefault: sub.id === profile.defaultSubscription,
    managedByTenants: [],
    name: sub.name,
    state: sub.state,
    tenantId: sub.tenantId,
    user: { name: profile.clientId, type: 'servicePrincipal' },
  };
}
