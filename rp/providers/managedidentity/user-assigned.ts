/** Microsoft.ManagedIdentity/userAssignedIdentities: identities a cluster can be given, each with a principal that can get tokens. */
import { randomUUID } from 'node:crypto';
import type { JsonObject } from '../../api/derive.js';
import { location, tags } from '../../api/schema.js';
import { obj, ro, str, type ResourceTypeDef } from '../../api/schema.js';
import { LATEST_STABLE } from '../../api/versions.js';
import type { EmulatorHost } from '../../host.js';
import { TrackedResourceType } from '../tracked.js';
import { credentialDeleteOps } from './credential-store.js';
import { MSI_API_VERSIONS } from './versions.js';

export { MSI_API_VERSIONS };

export const userAssignedIdentityDef: ResourceTypeDef = {
  namespace: 'Microsoft.ManagedIdentity',
  type: 'userAssignedIdentities',
  operationGroup: 'UserAssignedIdentities',
  definition: 'Identity',
  displayName: 'user-assigned identity',
  namePattern: '^[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}$',
  nameParameter: 'resourceName',
  fields: {
    location,
    tags,
    properties: ro(obj('The identity\'s ids.', {
      tenantId: str('Tenant of the identity.', { format: 'uuid' }),
      principalId: str('Object id of the identity\'s service principal.', { format: 'uuid' }),
      clientId: str('Client (application) id of the identity.', { format: 'uuid' }),
    }, { definition: 'UserAssignedIdentityProperties' })),
  },
  patchable: ['tags'],
  actions: [],
};

export function userAssignedIdentities(emu: EmulatorHost): TrackedResourceType {
  const type = new TrackedResourceType(
    userAssignedIdentityDef,
    {
      initialize(hub: JsonObject) {
        hub.properties = { tenantId: emu.tenantId, principalId: randomUUID(), clientId: randomUUID() };
      },
      async afterWrite(hub: JsonObject) {
        const props = hub.properties as JsonObject;
        await emu.principals.createManagedIdentity({
          tenantId: emu.tenantId,
          objectId: props.principalId as string,
          clientId: props.clientId as string,
          displayName: String(hub.name),
          assignment: 'UserAssigned',
          resourceId: String(hub.id),
        });
      },
      // An identity's federated credentials go with it, in the same commit.
      deleteOps: (stored) => credentialDeleteOps(emu.store, stored.id),
      async afterDelete(stored) {
        await emu.principals.delete(String((stored.resource.properties as JsonObject).principalId));
      },
    },
    { apiVersions: MSI_API_VERSIONS, modelVersion: LATEST_STABLE, synchronous: true },
  );
  return type;
}
