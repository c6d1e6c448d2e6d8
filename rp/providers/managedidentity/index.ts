/** Microsoft.ManagedIdentity: user-assigned identities and their federated identity credentials. */
import type { Emulator } from '../../emulator.js';
import type { TypeHandler } from '../context.js';
import { federatedIdentityCredentials } from './federated.js';
import { userAssignedIdentities } from './user-assigned.js';

export function managedIdentityHandlers(emu: Emulator): TypeHandler[] {
  return [userAssignedIdentities(emu), federatedIdentityCredentials(emu)];
}
