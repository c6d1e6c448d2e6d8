/**
 * The `identity` block of clusters and cluster managers: a system-assigned identity gets a
 * principal of its own (so it can obtain tokens), user-assigned ones are resolved against
 * Microsoft.ManagedIdentity/userAssignedIdentities.
 */
import { randomUUID } from 'node:crypto';
import { isObject, type JsonObject } from '../../api/derive.js';
import { ArmError } from '../../arm/errors.js';
import { idKey } from '../../arm/resource-id.js';
import type { EmulatorHost } from '../../host.js';
import { RESOURCES, type StoredResource } from '../resource-store.js';

const KINDS = new Set(['none', 'systemassigned', 'userassigned', 'systemassigned,userassigned']);

export async function resolveIdentity(emu: EmulatorHost, hub: JsonObject, previous: JsonObject | undefined): Promise<void> {
  const identity = hub.identity;
  if (!isObject(identity)) return;
  const type = String(identity.type ?? '');
  const normalised = type.toLowerCase().replace(/\s+/g, '');
  if (!KINDS.has(normalised)) {
    throw new ArmError(400, 'InvalidIdentityType', `The identity type '${type}' is not supported. Use None, SystemAssigned, UserAssigned or 'SystemAssigned,UserAssigned'.`, 'identity.type');
  }
  const wantsSystem = normalised.includes('systemassigned');
  const wantsUser = normalised.includes('userassigned');
  const out: JsonObject = { type: ['None', 'SystemAssigned', 'UserAssigned', 'SystemAssigned,UserAssigned'].find((k) => k.toLowerCase() === normalised)! };

  if (wantsSystem) {
    const prev = isObject(previous) && typeof previous.principalId === 'string' ? previous : undefined;
    const principalId = prev ? (prev.principalId as string) : randomUUID();
    out.principalId = principalId;
    out.tenantId = emu.tenantId;
    await emu.principals.createManagedIdentity({
      tenantId: emu.tenantId,
      objectId: principalId,
      clientId: principalId,
      displayName: String(hub.name ?? 'system-assigned identity'),
      assignment: 'SystemAssigned',
      resourceId: String(hub.id),
    });
  }

  const requested = isObject(identity.userAssignedIdentities) ? identity.userAssignedIdentities : {};
  const ids = Object.entries(requested).filter(([, v]) => v !== null).map(([k]) => k);
  if (!wantsUser && ids.length) {
    throw new ArmError(400, 'InvalidIdentity', `userAssignedIdentities may only be given when the identity type includes UserAssigned (it is '${type}').`, 'identity.userAssignedIdentities');
  }
  if (wantsUser) {
    if (!ids.length) throw new ArmError(400, 'InvalidIdentity', 'The identity type includes UserAssigned, but no userAssignedIdentities were given.', 'identity.userAssignedIdentities');
    const resolved: JsonObject = {};
    for (const id of ids) {
      const uai = emu.store.get<StoredResource>(RESOURCES, idKey(id));
      if (!uai || uai.type.toLowerCase() !== 'microsoft.managedidentity/userassignedidentities') {
        throw new ArmError(400, 'InvalidUserAssignedIdentity', `The user-assigned identity '${id}' was not found.`, `identity.userAssignedIdentities['${id}']`);
      }
      const props = uai.resource.properties as JsonObject;
      resolved[uai.id] = { principalId: props.principalId, clientId: props.clientId };
    }
    out.userAssignedIdentities = resolved;
  }
  hub.identity = out;
}
