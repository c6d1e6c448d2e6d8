/** Where federated identity credentials are kept: one record per credential, keyed by its lower-cased id. */
import { idKey } from '../../arm/resource-id.js';
import type { Emulator } from '../../emulator.js';
import type { StoreOp } from '../../store/store.js';

export const FEDERATED_CREDENTIALS = 'federatedIdentityCredentials';

/** The deletes that remove an identity's credentials (the identity is going). */
export function credentialDeleteOps(emu: Emulator, identityId: string): StoreOp[] {
  const prefix = `${idKey(identityId)}/federatedidentitycredentials/`;
  return emu.store.entries(FEDERATED_CREDENTIALS).filter(([k]) => k.startsWith(prefix)).map(([key]) => ({ op: 'delete' as const, collection: FEDERATED_CREDENTIALS, key }));
}
