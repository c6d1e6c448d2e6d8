/**
 * Key sets of a cluster: clusters/bareMetalMachineKeySets (SSH access to the machines' OS) and
 * clusters/bmcKeySets (access to their BMCs). Every user's SSH public key is checked (ssh-keys.ts);
 * a bad one makes that user Invalid, with the reason, and the key set's detailedStatus says how
 * many are usable. A key set whose expiration has passed on the emulator's clock grants nothing:
 * every user becomes Invalid and the set AllInvalid, until a later expiration is set.
 */
import { isIP } from 'node:net';
import type { Json, JsonObject } from '../../api/derive.js';
import type { TypeModel } from '../../api/model.js';
import { errors } from '../../arm/errors.js';
import type { EmulatorHost } from '../../host.js';
import type { TrackedOptions, TrackedResourceType } from '../tracked.js';
import { ExpiringType } from './expiry.js';
import { checkSshPublicKey } from './ssh-keys.js';

export const KEYSET_TYPES = ['clusters/bareMetalMachineKeySets', 'clusters/bmcKeySets'];

/** Whether an expiration (ISO text) is at or before `nowMs`. */
export function hasExpired(expiration: unknown, nowMs: number): boolean {
  const at = typeof expiration === 'string' ? Date.parse(expiration) : NaN;
  return Number.isFinite(at) && at <= nowMs;
}

/** The users' statuses and the set's detailedStatus, for its user list at `nowMs`. */
export function keysetStatus(props: JsonObject, nowMs: number): void {
  const users = Array.isArray(props.userList) ? (props.userList as JsonObject[]) : [];
  const expired = hasExpired(props.expiration, nowMs);
  props.userListStatus = users.map((u) => {
    const name = String(u.azureUserName ?? '');
    if (expired) return { azureUserName: name, status: 'Invalid', statusMessage: `The key set expired at ${String(props.expiration)}.` };
    const check = checkSshPublicKey((u.sshPublicKey as JsonObject | undefined)?.keyData);
    return check.valid
      ? { azureUserName: name, status: 'Active', statusMessage: `The user's ${check.reason} is installed.` }
      : { azureUserName: name, status: 'Invalid', statusMessage: check.reason.slice(0, 256) };
  }) as Json[];
  const invalid = (props.userListStatus as JsonObject[]).filter((s) => s.status === 'Invalid').length;
  if (expired) {
    props.detailedStatus = 'AllInvalid';
    props.detailedStatusMessage = `The key set expired at ${String(props.expiration)}; set a later expiration to restore its users' access.`;
  } else if (invalid === 0) {
    props.detailedStatus = 'AllActive';
    props.detailedStatusMessage = `All ${users.length} user(s) are active.`;
  } else if (invalid === users.length) {
    props.detailedStatus = 'AllInvalid';
    props.detailedStatusMessage = `None of the ${users.length} user(s) has a valid SSH public key.`;
  } else {
    props.detailedStatus = 'SomeInvalid';
    props.detailedStatusMessage = `${invalid} of ${users.length} user(s) are invalid; see userListStatus.`;
  }
}

/** Request checks the schema cannot express. */
function checkRequest(props: JsonObject): void {
  const users = Array.isArray(props.userList) ? (props.userList as JsonObject[]) : [];
  const seen = new Set<string>();
  users.forEach((u, i) => {
    const name = String(u.azureUserName ?? '').toLowerCase();
    if (seen.has(name)) throw errors.invalidRequestContent(`The user '${String(u.azureUserName)}' appears more than once in userList.`, `properties.userList[${i}].azureUserName`);
    seen.add(name);
  });
  const hosts = Array.isArray(props.jumpHostsAllowed) ? (props.jumpHostsAllowed as Json[]) : [];
  hosts.forEach((h, i) => {
    if (typeof h !== 'string' || !isIP(h)) throw errors.invalidRequestContent(`The jump host '${String(h)}' is not an IPv4 or IPv6 address.`, `properties.jumpHostsAllowed[${i}]`);
  });
}

export function keySets(emu: EmulatorHost, type: TypeModel, options: TrackedOptions): TrackedResourceType {
  const refresh = (props: JsonObject, nowMs: number) => {
    const was = JSON.stringify([props.detailedStatus, props.userListStatus]);
    keysetStatus(props, nowMs);
    return was !== JSON.stringify([props.detailedStatus, props.userListStatus]);
  };
  return new ExpiringType(emu, refresh, type, {
    updatingState: 'Accepted',
    // prepare runs on create and on every update: the keys are validated each time.
    prepare(hub) {
      const props = hub.properties as JsonObject;
      checkRequest(props);
      props.detailedStatus = 'Validating';
      props.detailedStatusMessage = 'The users\' SSH public keys are being validated.';
    },
    afterWrite(hub) {
      const props = hub.properties as JsonObject;
      props.lastValidation = emu.clock.iso();
      keysetStatus(props, emu.clock.nowMs());
    },
  }, options);
}
