/**
 * Key Vault's soft delete: a deleted vault leaves the resources and waits in `deletedVaults`, with
 * its secrets, until it is recovered (PUT with createMode 'recover'), purged (POST .../purge, a
 * long-running operation) or its scheduledPurgeDate passes on the emulator's clock. Its name stays
 * taken meanwhile. Records are keyed by the lower-cased vault name: vault names are global.
 */
import { ArmError } from '../../arm/errors.js';
import { idKey } from '../../arm/resource-id.js';
import type { Clock } from '../../clock.js';
import type { Store, StoreOp } from '../../store/store.js';
import { vaultSecretDeleteOps } from '../../vault/secret-store.js';
import type { StoredResource } from '../resource-store.js';

export const DELETED_VAULTS = 'deletedVaults';
export const DELETED_VAULT_TYPE = 'Microsoft.KeyVault/deletedVaults';
const DAY_MS = 86_400_000;

/** What soft delete needs of the emulator: its store and its clock. */
export interface KeyVaultHost {
  store: Store;
  clock: Clock;
}

export interface DeletedVaultRecord {
  /** The vault's name as it was created. */
  name: string;
  subscriptionId: string;
  /** Normalised location (e.g. 'eastus'). */
  location: string;
  /** The id the vault had. */
  vaultId: string;
  deletionDate: string;
  scheduledPurgeDate: string;
  tags: Record<string, string>;
  purgeProtectionEnabled: boolean;
  /** The vault as it was, brought back by a recover. */
  vault: StoredResource;
}

export function deletedVaultId(r: Pick<DeletedVaultRecord, 'subscriptionId' | 'location' | 'name'>): string {
  return `/subscriptions/${r.subscriptionId}/providers/Microsoft.KeyVault/locations/${r.location}/deletedVaults/${r.name}`;
}

export function deletedVaultView(r: DeletedVaultRecord): Record<string, unknown> {
  return {
    id: deletedVaultId(r),
    name: r.name,
    type: DELETED_VAULT_TYPE,
    properties: {
      vaultId: r.vaultId,
      location: r.location,
      deletionDate: r.deletionDate,
      scheduledPurgeDate: r.scheduledPurgeDate,
      tags: r.tags,
      purgeProtectionEnabled: r.purgeProtectionEnabled,
    },
  };
}

function expired(emu: KeyVaultHost, r: DeletedVaultRecord): boolean {
  return Date.parse(r.scheduledPurgeDate) <= emu.clock.nowMs();
}

/** The deleted vault of this name (any subscription), unless its purge date has passed. */
export function findDeletedVault(emu: KeyVaultHost, name: string): DeletedVaultRecord | undefined {
  const r = emu.store.get<DeletedVaultRecord>(DELETED_VAULTS, name.toLowerCase());
  return r && !expired(emu, r) ? r : undefined;
}

/** A subscription's deleted vaults, oldest deletion first. */
export function deletedVaultsOf(emu: KeyVaultHost, subscriptionId: string): DeletedVaultRecord[] {
  return emu.store
    .list<DeletedVaultRecord>(DELETED_VAULTS)
    .filter((r) => r.subscriptionId.toLowerCase() === subscriptionId.toLowerCase() && !expired(emu, r))
    .sort((a, b) => a.deletionDate.localeCompare(b.deletionDate) || a.name.localeCompare(b.name));
}

/** The store changes that soft-delete a vault: it moves to deletedVaults; its secrets stay where they are. */
export function softDeleteOps(emu: KeyVaultHost, stored: StoredResource): StoreOp[] {
  const hub = stored.resource;
  const props = (hub.properties ?? {}) as Record<string, unknown>;
  const days = typeof props.softDeleteRetentionInDays === 'number' ? props.softDeleteRetentionInDays : 90;
  const now = emu.clock.nowMs();
  const name = String(hub.name);
  const record: DeletedVaultRecord = {
    name,
    subscriptionId: stored.id.split('/')[2],
    location: String(hub.location ?? '').toLowerCase().replace(/\s+/g, ''),
    vaultId: stored.id,
    deletionDate: new Date(now).toISOString(),
    scheduledPurgeDate: new Date(now + days * DAY_MS).toISOString(),
    tags: (hub.tags ?? {}) as Record<string, string>,
    purgeProtectionEnabled: props.enablePurgeProtection === true,
    vault: stored,
  };
  return [{ op: 'put', collection: DELETED_VAULTS, key: name.toLowerCase(), value: record }];
}

/** The store changes that forget a deleted vault for good: the record and every secret it kept. */
export function purgeOps(emu: KeyVaultHost, name: string): StoreOp[] {
  const key = name.toLowerCase();
  const ops: StoreOp[] = vaultSecretDeleteOps(emu.store, key);
  if (emu.store.get(DELETED_VAULTS, key)) ops.unshift({ op: 'delete', collection: DELETED_VAULTS, key });
  return ops;
}

/** Purges every deleted vault whose scheduledPurgeDate has passed (the clock moved, or a read noticed). */
export async function purgeExpired(emu: KeyVaultHost): Promise<number> {
  const due = emu.store.list<DeletedVaultRecord>(DELETED_VAULTS).filter((r) => expired(emu, r));
  if (due.length) await emu.store.batch(due.flatMap((r) => purgeOps(emu, r.name)));
  return due.length;
}

/** Recovering moves the vault back, at `id`, in one commit with the record's removal. */
export function recoverOps(record: DeletedVaultRecord, restored: StoredResource): StoreOp[] {
  return [
    { op: 'put', collection: 'resources', key: idKey(restored.id), value: restored },
    { op: 'delete', collection: DELETED_VAULTS, key: record.name.toLowerCase() },
  ];
}

export const deletedVaultErrors = {
  notFound: (name: string, location: string) =>
    new ArmError(404, 'ResourceNotFound', `The deleted vault '${name}' was not found in location '${location}'. It may have been recovered or purged, or never deleted.`),
  purgeNotAllowed: () => new ArmError(405, 'MethodNotAllowed', "Operation 'DeletedVaultPurge' is not allowed."),
  noSoftDeletedVault: (name: string) =>
    new ArmError(404, 'SoftDeletedVaultDoesNotExist', `A soft deleted vault with the name '${name}' does not exist in this subscription, so it cannot be recovered. Only a vault in a recoverable (deleted) state can be recovered; see https://go.microsoft.com/fwlink/?linkid=2149745 for soft delete.`),
  /** Creating a vault whose name a deleted vault of the same subscription holds. */
  deletedInThisSubscription: () =>
    new ArmError(409, 'ConflictError', 'A vault with the same name already exists in deleted state. You need to either recover or purge existing key vault. Follow this link https://go.microsoft.com/fwlink/?linkid=2149745 for more information on soft delete.'),
  /** A name taken by another vault, live or deleted. */
  nameInUse: (name: string) =>
    new ArmError(409, 'VaultAlreadyExists', nameInUseMessage(name)),
};

export function nameInUseMessage(name: string): string {
  return `The vault name '${name}' is already in use. Vault names are globally unique so it is possible that the name is already taken. If you are sure that the vault name was not taken then it is possible that a vault with the same name was recently deleted but not purged after being placed in a recoverable state. If the vault is in a recoverable state then the vault will need to be purged before reusing the name. For more information on soft delete and purging a vault follow this link https://go.microsoft.com/fwlink/?linkid=2147740.`;
}
