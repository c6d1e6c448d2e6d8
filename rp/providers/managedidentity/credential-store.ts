/** Where federated identity credentials are kept: one record per credential, keyed by its lower-cased id. */
import { idKey } from '../../arm/resource-id.js';
import type { Store, StoreOp } from '../../store/store.js';

export const FEDERATED_CREDENTIALS = 'federatedIdentityCredentials';

/** The deletes that remove an identity's credentials (the identity is going). */
export function credentialDeleteOps(store: Store, identityId: string): StoreOp[] {
  const prefix = `${idKey(identityId)}/federatedidentitycredentials/`;
  return store.entries(FEDERATED_CREDENTIALS).filter(([k]) => k.startsWith(prefix)).map(([key]) => ({ op: 'delete' as const, collection: FEDERATED_CREDENTIALS, key }));
}
