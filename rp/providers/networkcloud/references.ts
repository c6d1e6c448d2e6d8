/**
 * References checked the way the service checks them, for every Microsoft.NetworkCloud type (the
 * generic ones and the hand-written ones alike, through TrackedOptions.references):
 *  - on PUT and PATCH, every id the request adds in a reference member (rp/api/references.ts) must be
 *    a well-formed ARM id of a type the member allows; an id into Microsoft.NetworkCloud must also
 *    name a resource that exists (case-insensitively) and is usable: provisioningState Succeeded (or
 *    Updating, i.e. it had succeeded), and not being deleted. Ids into other providers are checked
 *    for form only. 400 otherwise, naming the member:
 *      LinkedInvalidPropertyId  malformed id, or an id of a type the member does not allow;
 *      LinkedResourceNotFound   the resource does not exist;
 *      InvalidParameter         the resource exists but is not usable (Failed, Deleting, still provisioning).
 *  - DELETE of a resource that others use (a network attached to a VM or Kubernetes cluster, a
 *    volume attached to a VM): 409 ResourceInUse, naming the users in the message and in details[].
 */
import { isObject, type JsonObject } from '../../api/derive.js';
import type { TypeModel } from '../../api/model.js';
import { NC, typeOfId, valuesAt } from '../../api/references.js';
import { ArmError, type ErrorDetail } from '../../arm/errors.js';
import { idKey } from '../../arm/resource-id.js';
import type { EmulatorHost } from '../../host.js';
import type { StoredResource } from '../resource-store.js';
import type { ReferencePolicy } from '../tracked.js';
import { fieldsOf, referrersOf, withDerivedState } from './associations.js';

/** Finds a Microsoft.NetworkCloud resource by id, catalogues included. */
export type Resolve = (id: string) => StoredResource | undefined;

const USABLE = new Set(['succeeded', 'updating']);

/**
 * Checks the reference members of `hub` (a resource of `type` about to be written). Ids that
 * `existing` already holds in the same member are not checked again: a resource keeps working while
 * something it uses is being updated. Other helpers' hand-written types may call this directly.
 */
export function checkReferences(emu: EmulatorHost, resolve: Resolve, type: TypeModel, hub: JsonObject, existing?: JsonObject): void {
  for (const field of fieldsOf(type)) {
    if (!field.writable) continue;
    if (field.path === 'extendedLocation.name' && (!isObject(hub.extendedLocation) || hub.extendedLocation.type !== 'CustomLocation')) continue;
    const held = new Set(existing ? valuesAt(existing, field.path).map((v) => idKey(v.value)) : []);
    for (const { value, at } of valuesAt(hub, field.path)) {
      if (held.has(idKey(value))) continue;
      const idType = typeOfId(value);
      const allowed = field.targets;
      if (!idType || (allowed.length && !allowed.some((t) => t.toLowerCase() === idType.toLowerCase()))) {
        const expected = allowed.length ? ` of type ${allowed.map((t) => `'${t}'`).join(' or ')}` : '';
        throw new ArmError(400, 'LinkedInvalidPropertyId', `Property id '${value}' at path '${at}' is invalid. Expect a fully qualified resource id${expected}, starting with '/subscriptions/{subscriptionId}'.`, at);
      }
      if (!idType.toLowerCase().startsWith(`${NC.toLowerCase()}/`)) continue; // another provider's: form only
      const target = resolve(value);
      if (!target) {
        throw new ArmError(400, 'LinkedResourceNotFound', `The resource '${value}' referenced by '${at}' was not found. Make sure it exists before it is referenced.`, at);
      }
      const state = String((target.resource.properties as JsonObject | undefined)?.provisioningState ?? 'Succeeded');
      const deleting = emu.operations.inProgressFor(target.id).some((op) => op.verb === 'delete');
      if (deleting || !USABLE.has(state.toLowerCase())) {
        const why = deleting ? 'it is being deleted' : `its provisioningState is '${state}'`;
        throw new ArmError(400, 'InvalidParameter', `The resource '${target.id}' referenced by '${at}' cannot be used: ${why}. It must have provisioningState 'Succeeded'.`, at);
      }
    }
  }
}

/** Refuses to delete a resource that others use: 409 ResourceInUse naming them. */
export function checkNotInUse(emu: EmulatorHost, stored: StoredResource, displayName: string): void {
  const users = referrersOf(emu.store, stored.id, { uses: true, writable: true });
  if (!users.length) return;
  const ids = [...new Map(users.map((u) => [idKey(u.id), u.id])).values()];
  const details: ErrorDetail[] = users.map((u) => ({ code: 'ResourceInUse', message: `'${u.id}' uses it through '${u.at}'.`, target: u.id }));
  throw new ArmError(409, 'ResourceInUse', `The ${displayName} '${String(stored.resource.name)}' cannot be deleted: it is in use by ${ids.map((i) => `'${i}'`).join(', ')}. Remove those references first.`, undefined, details);
}

/** The policy every Microsoft.NetworkCloud type gets (rp/providers/tracked.ts calls it). */
export function referencePolicy(emu: EmulatorHost, resolve: Resolve): ReferencePolicy {
  return {
    check: (type, hub, existing) => checkReferences(emu, resolve, type, hub, existing),
    checkNotInUse: (type, stored) => checkNotInUse(emu, stored, type.displayName),
    derived: (stored) => withDerivedState(emu.store, stored),
  };
}
