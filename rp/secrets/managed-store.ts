/**
 * The platform's managed credential store: the current value of every credential the platform
 * rotates, whether or not a customer vault also got it. (Azure keeps these in a Microsoft-managed
 * vault nobody else reads; here they are a store collection nothing serves.)
 */
import { idKey } from '../arm/resource-id.js';
import type { Store, StoreOp } from '../store/store.js';

export const MANAGED_CREDENTIALS = 'managedCredentials';
/** Per machine: the status message a failed archive replaced, to put back once archiving works again. */
export const ARCHIVE_NOTICES = 'secretArchiveNotices';

export interface ArchiveReference {
  keyVaultId: string;
  keyVaultUri: string;
  secretName: string;
  secretVersion: string;
}

export interface ManagedCredential {
  clusterId: string;
  resourceId: string;
  credential: string;
  secretType: string;
  username: string;
  value: string;
  /** Version of the value in the managed store (32 hex). */
  version: string;
  lastRotationTime: string;
  rotationPeriodDays: number;
  expirePeriodDays: number;
  /** Where the current value was archived; absent when it was not. */
  archive?: ArchiveReference;
}

export interface ArchiveNotice {
  baseline: string;
  notice: string;
}

export function credentialKey(resourceId: string, credential: string): string {
  return `${idKey(resourceId)}|${credential.toLowerCase()}`;
}

export function readCredential(store: Store, resourceId: string, credential: string): ManagedCredential | undefined {
  return store.get<ManagedCredential>(MANAGED_CREDENTIALS, credentialKey(resourceId, credential));
}

export function credentialsOfCluster(store: Store, clusterId: string): ManagedCredential[] {
  const wanted = idKey(clusterId);
  return store.list<ManagedCredential>(MANAGED_CREDENTIALS).filter((c) => idKey(c.clusterId) === wanted);
}

export function putCredentialOp(c: ManagedCredential): StoreOp {
  return { op: 'put', collection: MANAGED_CREDENTIALS, key: credentialKey(c.resourceId, c.credential), value: c };
}

/** Every collection the secret archive and the vaults keep, for a reset of the emulator. */
export const SECRET_STATE_COLLECTIONS = [MANAGED_CREDENTIALS, ARCHIVE_NOTICES] as const;
