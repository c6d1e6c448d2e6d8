/**
 * Checks of a cluster's secretArchive and secretArchiveSettings before a PUT or PATCH is written
 * (called from the cluster type's prepare hook, after its identity is resolved). Only what the
 * request changes is checked against the world (a vault deleted later does not block unrelated
 * updates); the identity reference is checked whenever the settings or the identities change.
 */
import { isObject, type Json, type JsonObject } from '../api/derive.js';
import { errors } from '../arm/errors.js';
import type { EmulatorHost } from '../host.js';
import { findVaultById, findVaultByUri, isVaultId, vaultNameFromUri } from '../providers/keyvault/vaults.js';

const same = (a: Json | undefined, b: Json | undefined) => JSON.stringify(a ?? null).toLowerCase() === JSON.stringify(b ?? null).toLowerCase();

export function validateSecretArchive(emu: EmulatorHost, hub: JsonObject, previous: JsonObject | undefined): void {
  const props = (hub.properties ?? {}) as JsonObject;
  const before = (previous?.properties ?? {}) as JsonObject;

  const legacy = props.secretArchive;
  if (isObject(legacy)) {
    const target = 'properties.secretArchive';
    const useKeyVault = legacy.useKeyVault === undefined ? 'False' : String(legacy.useKeyVault);
    const canonical = ['True', 'False'].find((v) => v.toLowerCase() === useKeyVault.toLowerCase());
    if (!canonical) throw errors.badRequest('InvalidSecretArchive', `secretArchive.useKeyVault must be the string "True" or "False", not '${useKeyVault}'.`, `${target}.useKeyVault`);
    legacy.useKeyVault = canonical;
    const keyVaultId = typeof legacy.keyVaultId === 'string' ? legacy.keyVaultId : '';
    if (!isVaultId(keyVaultId)) {
      throw errors.badRequest('InvalidSecretArchive', `secretArchive.keyVaultId must be the resource id of a key vault (/subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.KeyVault/vaults/{name}), not '${keyVaultId}'.`, `${target}.keyVaultId`);
    }
    if (!same(legacy, before.secretArchive as Json) && !findVaultById(emu, keyVaultId)) {
      throw errors.badRequest('KeyVaultNotFound', `The key vault '${keyVaultId}' named by secretArchive.keyVaultId was not found.`, `${target}.keyVaultId`);
    }
  }

  const settings = props.secretArchiveSettings;
  if (!isObject(settings)) return;
  const target = 'properties.secretArchiveSettings';
  const settingsChanged = !same(settings, before.secretArchiveSettings as Json);
  if (settings.vaultUri !== undefined && settings.vaultUri !== null) {
    if (typeof settings.vaultUri !== 'string' || !vaultNameFromUri(settings.vaultUri)) {
      throw errors.badRequest('InvalidSecretArchiveSettings', `secretArchiveSettings.vaultUri must be a key vault URI such as https://NAME.vault.azure.net/, not '${String(settings.vaultUri)}'.`, `${target}.vaultUri`);
    }
    if (settingsChanged && !findVaultByUri(emu, settings.vaultUri)) {
      throw errors.badRequest('KeyVaultNotFound', `The key vault '${settings.vaultUri}' named by secretArchiveSettings.vaultUri was not found.`, `${target}.vaultUri`);
    }
  }
  const selector = settings.associatedIdentity;
  if (!isObject(selector) || (!settingsChanged && same(hub.identity, previous?.identity))) return;
  const identity = isObject(hub.identity) ? hub.identity : {};
  const type = typeof selector.identityType === 'string' ? selector.identityType : undefined;
  const uaiId = selector.userAssignedIdentityResourceId;
  const path = `${target}.associatedIdentity`;
  if (type === undefined) return;
  if (type.toLowerCase() === 'userassignedidentity') {
    if (typeof uaiId !== 'string' || !uaiId) {
      throw errors.badRequest('InvalidAssociatedIdentity', 'userAssignedIdentityResourceId is required when identityType is UserAssignedIdentity.', `${path}.userAssignedIdentityResourceId`);
    }
    const known = isObject(identity.userAssignedIdentities) ? Object.keys(identity.userAssignedIdentities) : [];
    if (!known.some((k) => k.toLowerCase() === uaiId.toLowerCase().replace(/\/+$/, ''))) {
      throw errors.badRequest('InvalidAssociatedIdentity', `The user-assigned identity '${uaiId}' is not one of the cluster's identities; add it to identity.userAssignedIdentities first.`, `${path}.userAssignedIdentityResourceId`);
    }
    return;
  }
  if (type.toLowerCase() === 'systemassignedidentity') {
    if (typeof uaiId === 'string' && uaiId) {
      throw errors.badRequest('InvalidAssociatedIdentity', 'userAssignedIdentityResourceId must not be given when identityType is SystemAssignedIdentity: the two are mutually exclusive.', `${path}.userAssignedIdentityResourceId`);
    }
    if (typeof identity.principalId !== 'string') {
      throw errors.badRequest('InvalidAssociatedIdentity', "identityType is SystemAssignedIdentity, but the cluster has no system-assigned identity (identity.type must include SystemAssigned).", `${path}.identityType`);
    }
    return;
  }
  throw errors.badRequest('InvalidAssociatedIdentity', `identityType must be SystemAssignedIdentity or UserAssignedIdentity, not '${type}'.`, `${path}.identityType`);
}
