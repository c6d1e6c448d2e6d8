/**
 * Microsoft.KeyVault/vaults: the ARM side of a key vault. Its `vaultUri` has Azure's form
 * (https://NAME.vault.azure.net/) and names the emulated vault NAME, whose secrets the data plane
 * (rp/vault/) serves. Vault names are global, as in Azure: one name, one vault, across every
 * subscription and group of the emulator.
 */
import { location, tags } from '../../api/schema.js';
import { isObject, type JsonObject } from '../../api/derive.js';
import { arr, bool, enm, int, obj, ro, str, type ResourceTypeDef } from '../../api/schema.js';
import { LATEST_STABLE } from '../../api/versions.js';
import { ArmError } from '../../arm/errors.js';
import { newEtag } from '../../arm/etag.js';
import { sendJson } from '../../arm/http.js';
import { idKey, parseResourceId, resourceId } from '../../arm/resource-id.js';
import type { EmulatorHost } from '../../host.js';
import type { ArmContext } from '../context.js';
import { RESOURCES, systemDataFor, type StoredResource } from '../resource-store.js';
import { TrackedResourceType } from '../tracked.js';
import { purgeVaultSecrets } from '../../vault/secret-store.js';
import { deletedVaultErrors, findDeletedVault, purgeOps, recoverOps, softDeleteOps } from './deleted-vaults.js';

export const VAULT_TYPE = 'Microsoft.KeyVault/vaults';
/**
 * The api-versions of Microsoft.KeyVault's types, oldest first: what az sends (2022-07-01 in Debian's
 * 2.45, 2021-04-01-preview for its other operation groups; later releases newer ones) and what
 * @azure/arm-keyvault 5.x sends (2026-02-01). Adding one: append it here; if it brings a property,
 * list that in VAULT_FIELDS_SINCE.
 */
export const KEYVAULT_API_VERSIONS = [
  '2016-10-01', '2018-02-14', '2019-09-01', '2021-04-01-preview', '2021-06-01-preview', '2021-10-01', '2021-11-01-preview',
  '2022-02-01-preview', '2022-07-01', '2022-11-01', '2023-02-01', '2023-07-01', '2024-11-01', '2025-05-01', '2026-02-01',
] as const;

/** Vault properties that arrived after the oldest version served: path → the first version that has it. */
export const VAULT_FIELDS_SINCE: Record<string, string> = {
  'properties.enablePurgeProtection': '2018-02-14',
  'properties.enableRbacAuthorization': '2019-09-01',
  'properties.softDeleteRetentionInDays': '2019-09-01',
  'properties.provisioningState': '2019-09-01',
  'properties.publicNetworkAccess': '2021-04-01-preview',
};

export const KEYVAULT_LOCATIONS = ['eastus', 'eastus2', 'westus3', 'southcentralus', 'westeurope', 'northeurope', 'uksouth', 'japaneast'];
/** 3 to 24 letters, digits and single hyphens; starts with a letter, ends with a letter or digit. */
export const VAULT_NAME_PATTERN = '^(?!.*--)[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$';
export const VAULT_DNS_SUFFIX = 'vault.azure.net';

const permissionList = (what: string) => arr(`Permissions on ${what}.`, str('A permission, e.g. get, list, set, delete.'));

export const vaultDef: ResourceTypeDef = {
  namespace: 'Microsoft.KeyVault',
  type: 'vaults',
  operationGroup: 'Vaults',
  definition: 'Vault',
  displayName: 'key vault',
  namePattern: VAULT_NAME_PATTERN,
  nameParameter: 'vaultName',
  fields: {
    location,
    tags,
    properties: obj('The properties of the vault.', {
      tenantId: str('The Entra ID tenant that authenticates requests to the vault (default: the emulator\'s tenant).', { format: 'uuid' }),
      sku: obj('The vault\'s SKU.', {
        family: enm(['A'], 'SKU family.', { required: true }),
        name: enm(['standard', 'premium'], 'SKU name.', { required: true }),
      }, { definition: 'Sku' }),
      accessPolicies: arr('Access policies: used when enableRbacAuthorization is false.', obj('Who may do what with the vault\'s objects.', {
        tenantId: str('Tenant of the principal.', { format: 'uuid', required: true }),
        objectId: str('Object id of the principal.', { required: true }),
        applicationId: str('Application id (compound identities).', { format: 'uuid' }),
        permissions: obj('The permissions granted.', {
          keys: permissionList('keys'),
          secrets: permissionList('secrets'),
          certificates: permissionList('certificates'),
          storage: permissionList('storage accounts'),
        }, { required: true, definition: 'Permissions' }),
      }, { definition: 'AccessPolicyEntry' })),
      vaultUri: ro(str('The URI for operations on keys and secrets: https://NAME.vault.azure.net/.')),
      hsmPoolResourceId: ro(str('Resource id of the HSM pool.')),
      enabledForDeployment: bool('Whether virtual machines may retrieve certificates stored as secrets.'),
      enabledForDiskEncryption: bool('Whether Azure Disk Encryption may retrieve secrets and unwrap keys.'),
      enabledForTemplateDeployment: bool('Whether Azure Resource Manager may retrieve secrets.'),
      enableSoftDelete: bool('Whether deleted secrets stay recoverable for softDeleteRetentionInDays (default true).'),
      softDeleteRetentionInDays: int('Days a deleted object stays recoverable (7 to 90, default 90).', { minimum: 7, maximum: 90 }),
      enableRbacAuthorization: bool('Whether data actions are authorized by Azure RBAC role assignments (true, the default here) or by accessPolicies (false).'),
      createMode: enm(['default', 'recover'], 'Whether the vault is created or recovered.'),
      enablePurgeProtection: bool('Whether purging deleted objects is forbidden.'),
      networkAcls: obj('Network rules (accepted and shown; the emulator does not filter by network).', {
        bypass: enm(['AzureServices', 'None'], 'Which traffic bypasses the rules.'),
        defaultAction: enm(['Allow', 'Deny'], 'What happens to traffic no rule matches.'),
        ipRules: arr('Allowed address ranges.', obj('An address range.', { value: str('IPv4 address or CIDR range.', { required: true }) }, { definition: 'IPRule' })),
        virtualNetworkRules: arr('Allowed subnets.', obj('A subnet.', {
          id: str('Resource id of the subnet.', { required: true }),
          ignoreMissingVnetServiceEndpoint: bool('Whether to skip the service endpoint check.'),
        }, { definition: 'VirtualNetworkRule' })),
      }, { definition: 'NetworkRuleSet' }),
      provisioningState: ro(enm(['Succeeded', 'RegisteringDns'], 'Provisioning state of the vault.')),
      publicNetworkAccess: str('Whether the vault accepts traffic from public networks (Enabled or Disabled).'),
    }, { required: true, definition: 'VaultProperties' }),
  },
  patchable: ['tags', 'properties'],
  actions: [],
};

/** https://NAME.vault.azure.net/ for a vault name. */
export function vaultUriOf(name: string): string {
  return `https://${name.toLowerCase()}.${VAULT_DNS_SUFFIX}/`;
}

/**
 * The vault name a URI designates: Azure's form (https://NAME.vault.azure.net[:443][/...]) or the
 * emulator's data-plane form (https://HOST:PORT/vaults/NAME[/...]). Undefined for anything else.
 */
export function vaultNameFromUri(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:') return undefined;
  const host = url.hostname.toLowerCase();
  const suffix = `.${VAULT_DNS_SUFFIX}`;
  if (host.endsWith(suffix)) {
    const name = host.slice(0, -suffix.length);
    return new RegExp(VAULT_NAME_PATTERN).test(name) ? name : undefined;
  }
  const m = /^\/vaults\/([^/]+)\/?/i.exec(url.pathname);
  return m && new RegExp(VAULT_NAME_PATTERN).test(m[1]) ? m[1].toLowerCase() : undefined;
}

export function isVault(r: StoredResource | undefined): r is StoredResource {
  return !!r && r.type.toLowerCase() === VAULT_TYPE.toLowerCase();
}

/** The vault with this name, wherever it lives (names are global). */
export function findVaultByName(emu: EmulatorHost, name: string): StoredResource | undefined {
  const wanted = name.toLowerCase();
  return emu.store.list<StoredResource>(RESOURCES).find((r) => isVault(r) && String(r.resource.name).toLowerCase() === wanted);
}

export function findVaultById(emu: EmulatorHost, id: string): StoredResource | undefined {
  const r = emu.store.get<StoredResource>(RESOURCES, idKey(id));
  return isVault(r) ? r : undefined;
}

export function findVaultByUri(emu: EmulatorHost, uri: string): StoredResource | undefined {
  const name = vaultNameFromUri(uri);
  return name ? findVaultByName(emu, name) : undefined;
}

/** True when the id has the shape of a vault id (/subscriptions/…/providers/Microsoft.KeyVault/vaults/NAME). */
export function isVaultId(id: string): boolean {
  const p = parseResourceId(id);
  return !!p && `${p.namespace}/${p.type}`.toLowerCase() === VAULT_TYPE.toLowerCase();
}

/**
 * Vaults as Key Vault's resource provider serves them: PUT and PATCH answer at once; DELETE soft-deletes
 * (the vault moves to deletedVaults with its secrets) unless the vault has soft delete off; a PUT with
 * createMode 'recover' brings a deleted vault back.
 */
export class VaultType extends TrackedResourceType {
  constructor(private readonly emu: EmulatorHost) {
    super(
      vaultDef,
      {
        async initialize(hub) {
          checkNameFree(emu, hub);
          const props = hub.properties as JsonObject;
          props.vaultUri = vaultUriOf(String(hub.name));
          props.provisioningState = 'Succeeded';
          // A new vault starts empty (nothing of an older vault of the same name survives its purge).
          await purgeVaultSecrets(emu.store, String(hub.name));
        },
        prepare(hub, ctx) {
          checkNameFree(emu, hub);
          const props = hub.properties as JsonObject;
          const sent = isObject(ctx.req.body) && isObject(ctx.req.body.properties) ? (ctx.req.body.properties as JsonObject) : {};
          if (sent.enablePurgeProtection === false) {
            throw new ArmError(400, 'BadRequest', 'The property "enablePurgeProtection" cannot be set to false. Enabling the purge protection for a vault is an irreversible action.');
          }
          const before = (ctx.existing?.resource.properties ?? {}) as JsonObject;
          if (before.enableSoftDelete !== false && ctx.existing && sent.enableSoftDelete === false) {
            throw new ArmError(400, 'BadRequest', 'The property "enableSoftDelete" cannot be set to false. Once soft delete is enabled for a vault it cannot be turned off.');
          }
          // createMode says how to create; it is not part of the vault.
          delete props.createMode;
          props.tenantId ??= emu.tenantId;
          props.sku ??= { family: 'A', name: 'standard' };
          props.accessPolicies ??= [];
          props.enableSoftDelete ??= true;
          props.softDeleteRetentionInDays ??= 90;
          props.enableRbacAuthorization ??= true;
          props.publicNetworkAccess ??= 'Enabled';
          if (!isObject(props.sku)) props.sku = { family: 'A', name: 'standard' };
          props.provisioningState = 'Succeeded';
        },
        deleteOps(stored) {
          const props = (stored.resource.properties ?? {}) as JsonObject;
          // Without soft delete the vault and its secrets are gone at once.
          return props.enableSoftDelete === false ? purgeOps(emu, String(stored.resource.name)) : softDeleteOps(emu, stored);
        },
      },
      {
        apiVersions: KEYVAULT_API_VERSIONS,
        modelVersion: LATEST_STABLE,
        synchronous: true,
        locations: KEYVAULT_LOCATIONS,
        versionedFields: VAULT_FIELDS_SINCE,
      },
    );
  }

  override async put(ctx: ArmContext): Promise<void> {
    const body = ctx.req.body as unknown;
    const recover = isObject(body as JsonObject) && isObject((body as JsonObject).properties) && ((body as JsonObject).properties as JsonObject).createMode === 'recover';
    if (!recover) return super.put(ctx);
    const { path } = ctx;
    const group = this.emu.requireResourceGroup(path.subscriptionId!, path.resourceGroup!);
    const id = resourceId(group.subscriptionId, group.name, vaultDef.namespace, vaultDef.type, path.names[0]);
    // Recovering a vault that exists is an ordinary update.
    if (this.find(this.emu, id)) return super.put(ctx);
    await this.exclusive(ctx, () => this.recover(ctx, id));
  }

  private async recover(ctx: ArmContext, id: string): Promise<void> {
    const { emu } = ctx;
    const name = ctx.path.names[0];
    const record = findDeletedVault(emu, name);
    if (!record || record.subscriptionId.toLowerCase() !== ctx.path.subscriptionId!.toLowerCase()) throw deletedVaultErrors.noSoftDeletedVault(name);
    const hub = structuredClone(record.vault.resource);
    hub.id = id;
    hub.systemData = systemDataFor(ctx.caller, emu.clock.iso(), hub.systemData as JsonObject | undefined) as unknown as JsonObject;
    hub.etag = newEtag();
    const restored: StoredResource = { id, type: VAULT_TYPE, seq: record.vault.seq, resource: hub };
    await emu.store.batch(recoverOps(record, restored));
    sendJson(ctx.res, 200, this.view(restored, ctx.apiVersion));
  }
}

/** Vault names are global: another vault, live or soft-deleted, holding the name refuses the write. */
function checkNameFree(emu: EmulatorHost, hub: JsonObject): void {
  const name = String(hub.name);
  const other = findVaultByName(emu, name);
  if (other && other.id.toLowerCase() !== String(hub.id).toLowerCase()) throw deletedVaultErrors.nameInUse(name);
  const deleted = findDeletedVault(emu, name);
  if (deleted) {
    const sub = String(hub.id).split('/')[2] ?? '';
    throw deleted.subscriptionId.toLowerCase() === sub.toLowerCase() ? deletedVaultErrors.deletedInThisSubscription() : deletedVaultErrors.nameInUse(name);
  }
}
