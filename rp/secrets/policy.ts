/**
 * The rotation engine's decisions, as pure functions of their inputs: is a credential due, and
 * where (and as whom) does a cluster archive its rotated credentials?
 *
 * Archive precedence, as the platform documents it: a cluster with secretArchiveSettings archives
 * through one of its own identities, and the cluster manager's identity is then ignored; only a
 * cluster without secretArchiveSettings uses the legacy secretArchive {keyVaultId, useKeyVault
 * "True"} with the cluster manager's identity.
 */
import { isObject, type JsonObject } from '../api/derive.js';
import { DAY_MS } from './credentials.js';

export function isDue(lastRotationMs: number, rotationPeriodDays: number, nowMs: number): boolean {
  return nowMs >= lastRotationMs + rotationPeriodDays * DAY_MS;
}

export interface VaultRef {
  id: string;
  name: string;
  /** https://NAME.vault.azure.net/ */
  uri: string;
}

export interface VaultLookup {
  byUri(uri: string): VaultRef | undefined;
  byId(id: string): VaultRef | undefined;
}

export type ArchiveMode = 'secretArchiveSettings' | 'secretArchive';

export interface ArchiveTarget {
  mode: ArchiveMode;
  vault: VaultRef;
  /** Object id of the identity that writes. */
  principalId: string;
  /** How to name that identity in a status message. */
  identity: string;
}

export type ArchivePlan =
  | { kind: 'none' }
  | { kind: 'target'; target: ArchiveTarget }
  | { kind: 'unusable'; mode: ArchiveMode; reason: string };

/** The entry of identity.userAssignedIdentities whose key is `id` (ARM ids compare case-insensitively). */
function userAssigned(identity: JsonObject | undefined, id: string): JsonObject | undefined {
  const map = identity && isObject(identity.userAssignedIdentities) ? identity.userAssignedIdentities : {};
  const key = Object.keys(map).find((k) => k.toLowerCase() === id.toLowerCase().replace(/\/+$/, ''));
  const entry = key ? map[key] : undefined;
  return isObject(entry) ? entry : undefined;
}

function systemPrincipal(identity: JsonObject | undefined): string | undefined {
  return identity && typeof identity.principalId === 'string' ? identity.principalId : undefined;
}

function userAssignedIds(identity: JsonObject | undefined): string[] {
  return identity && isObject(identity.userAssignedIdentities) ? Object.keys(identity.userAssignedIdentities) : [];
}

const nameOf = (id: string) => id.split('/').pop() ?? id;

export function planArchive(cluster: JsonObject, manager: JsonObject | undefined, vaults: VaultLookup): ArchivePlan {
  const props = (cluster.properties ?? {}) as JsonObject;
  const settings = props.secretArchiveSettings;
  if (isObject(settings) && (settings.vaultUri !== undefined || settings.associatedIdentity !== undefined)) {
    const mode: ArchiveMode = 'secretArchiveSettings';
    if (typeof settings.vaultUri !== 'string' || !settings.vaultUri) return { kind: 'unusable', mode, reason: 'secretArchiveSettings names no vaultUri.' };
    const vault = vaults.byUri(settings.vaultUri);
    if (!vault) return { kind: 'unusable', mode, reason: `the key vault '${settings.vaultUri}' named by secretArchiveSettings.vaultUri does not exist.` };
    const identity = isObject(cluster.identity) ? cluster.identity : undefined;
    const selector = isObject(settings.associatedIdentity) ? settings.associatedIdentity : {};
    const type = typeof selector.identityType === 'string' ? selector.identityType.toLowerCase() : undefined;
    if (type === 'userassignedidentity') {
      const id = typeof selector.userAssignedIdentityResourceId === 'string' ? selector.userAssignedIdentityResourceId : '';
      const entry = id ? userAssigned(identity, id) : undefined;
      if (!entry || typeof entry.principalId !== 'string') return { kind: 'unusable', mode, reason: `the cluster has no user-assigned identity '${id}'.` };
      return { kind: 'target', target: { mode, vault, principalId: entry.principalId, identity: `the cluster's user-assigned identity '${nameOf(id)}'` } };
    }
    if (type === 'systemassignedidentity' || (type === undefined && systemPrincipal(identity))) {
      const principalId = systemPrincipal(identity);
      if (!principalId) return { kind: 'unusable', mode, reason: 'the cluster has no system-assigned identity.' };
      return { kind: 'target', target: { mode, vault, principalId, identity: "the cluster's system-assigned identity" } };
    }
    const ids = userAssignedIds(identity);
    if (type === undefined && ids.length === 1) {
      const entry = userAssigned(identity, ids[0]);
      if (entry && typeof entry.principalId === 'string') {
        return { kind: 'target', target: { mode, vault, principalId: entry.principalId, identity: `the cluster's user-assigned identity '${nameOf(ids[0])}'` } };
      }
    }
    return { kind: 'unusable', mode, reason: 'secretArchiveSettings.associatedIdentity does not name one of the cluster\'s managed identities.' };
  }

  const legacy = props.secretArchive;
  if (isObject(legacy) && String(legacy.useKeyVault ?? '').toLowerCase() === 'true') {
    const mode: ArchiveMode = 'secretArchive';
    const keyVaultId = typeof legacy.keyVaultId === 'string' ? legacy.keyVaultId : '';
    const vault = vaults.byId(keyVaultId);
    if (!vault) return { kind: 'unusable', mode, reason: `the key vault '${keyVaultId}' named by secretArchive.keyVaultId does not exist.` };
    if (!manager) return { kind: 'unusable', mode, reason: 'the cluster has no cluster manager, whose identity the legacy secretArchive uses.' };
    const identity = isObject(manager.identity) ? manager.identity : undefined;
    const system = systemPrincipal(identity);
    if (system) return { kind: 'target', target: { mode, vault, principalId: system, identity: `the cluster manager's system-assigned identity` } };
    const first = userAssignedIds(identity)[0];
    const entry = first ? userAssigned(identity, first) : undefined;
    if (entry && typeof entry.principalId === 'string') {
      return { kind: 'target', target: { mode, vault, principalId: entry.principalId, identity: `the cluster manager's user-assigned identity '${nameOf(first)}'` } };
    }
    return { kind: 'unusable', mode, reason: `the cluster manager '${String(manager.name ?? '')}' has no managed identity to write to the key vault with.` };
  }
  return { kind: 'none' };
}

/** What one rotation pass did. */
export interface RotationSummary {
  rotated: number;
  archived: number;
  vaultUri?: string;
  failure?: string;
}
