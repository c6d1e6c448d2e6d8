/**
 * The credentials the platform manages for a deployed cluster, how their archive secrets are
 * named, and how new values are made. Names in `credential` are what the cluster's
 * managedCredentials lists and what rotateCredential accepts; `secretType` is what
 * secretRotationStatus reports.
 */
import { createHash, randomInt } from 'node:crypto';

export type CredentialTarget = 'bareMetalMachine' | 'storageAppliance' | 'cluster';

export interface CredentialKind {
  /** The name in cluster.properties.managedCredentials and in rotateCredential's `credentials`. */
  credential: string;
  /** secretRotationStatus[].secretType. */
  secretType: string;
  target: CredentialTarget;
  /** The part of the archive secret's name that says what it is (Azure's "-console-credential-manager-"). */
  slug: string;
}

export const DEFAULT_ROTATION_PERIOD_DAYS = 60;
export const DEFAULT_EXPIRE_PERIOD_DAYS = 90;
export const DAY_MS = 86_400_000;

export const CREDENTIAL_KINDS: readonly CredentialKind[] = [
  { credential: 'BMC Credential', secretType: 'Bare Metal Machine BMC', target: 'bareMetalMachine', slug: 'bmc-credential-manager' },
  { credential: 'Console Credential', secretType: 'Bare Metal Machine Identity - console', target: 'bareMetalMachine', slug: 'console-credential-manager' },
  { credential: 'Storage Appliance Credential', secretType: 'Storage Appliance User', target: 'storageAppliance', slug: 'storage-appliance-credential-manager' },
  { credential: 'Cluster Service Credential', secretType: 'Cluster Service Account', target: 'cluster', slug: 'cluster-service-credential-manager' },
];

export const MANAGED_CREDENTIAL_NAMES: readonly string[] = CREDENTIAL_KINDS.map((k) => k.credential);

export function kindsFor(target: CredentialTarget): CredentialKind[] {
  return CREDENTIAL_KINDS.filter((k) => k.target === target);
}

/** 'BMC Credential', 'bmc-credential' and 'bmcCredentials' are one name: letters and digits, any case, an 's' at the end optional. */
function nameKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '').replace(/s$/, '');
}

/** Resolves rotateCredential's names (credential names or secret types, loosely spelled); reports the unknown ones. */
export function credentialKindsNamed(names: readonly string[]): { kinds: CredentialKind[]; unknown: string[] } {
  const kinds = new Set<CredentialKind>();
  const unknown: string[] = [];
  for (const name of names) {
    const wanted = nameKey(String(name));
    const kind = CREDENTIAL_KINDS.find((k) => nameKey(k.credential) === wanted || nameKey(k.secretType) === wanted);
    if (kind) kinds.add(kind);
    else unknown.push(String(name));
  }
  return { kinds: [...kinds], unknown };
}

const MAX_SECRET_NAME = 127;

function dnsish(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-{2,}/g, '-').replace(/^-|-$/g, '');
}

/**
 * The archive secret's name, in the platform's form:
 * {subscriptionId}-{resourceGroup}-{cluster}-{slug}-{8 hex of the target resource}. The hash keeps
 * one secret per machine; the middle is shortened when the whole would pass Key Vault's 127 characters.
 */
export function archiveSecretName(subscriptionId: string, resourceGroup: string, clusterName: string, kind: CredentialKind, targetResourceId: string): string {
  const hash = createHash('sha256').update(`${targetResourceId.toLowerCase()}|${kind.credential}`).digest('hex').slice(0, 8);
  const head = dnsish(subscriptionId);
  const tail = `${kind.slug}-${hash}`;
  const room = MAX_SECRET_NAME - head.length - tail.length - 2;
  const middle = dnsish(`${resourceGroup}-${clusterName}`).slice(0, Math.max(room, 0)).replace(/-$/, '');
  return [head, middle, tail].filter(Boolean).join('-');
}

const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const DIGITS = '23456789';
const SYMBOLS = '!#%+-=?@^_~';

/** A fresh 32-character password with every character class, from the OS's CSPRNG. */
export function newCredentialValue(length = 32): string {
  const all = LOWER + UPPER + DIGITS + SYMBOLS;
  const chars = [LOWER, UPPER, DIGITS, SYMBOLS].map((set) => set[randomInt(set.length)]);
  while (chars.length < length) chars.push(all[randomInt(all.length)]);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join('');
}
