/**
 * `azemu identity create|show|list|delete` and `azemu keyvault create|show|list|delete`: ARM
 * resources printed the way az prints its SDK models. az's msi model flattens an identity's
 * properties (clientId, principalId, tenantId at the top level); the keyvault model keeps
 * `properties`. Both list every model attribute, null when the service left it out, and drop
 * what the model does not know (an etag).
 */
import { Progress } from '../../client.js';
import type { CommandContext, Handler, Outcome } from '../../context.js';
import { CliError, UsageError } from '../../errors.js';
import type { ArmKind, Run } from '../types.js';

type ResourceRun = Extract<Run, { handler: 'resource' }>;
type Json = Record<string, unknown>;

interface KindDef {
  provider: string;
  type: string;
  /** what az's SDK calls (azure-mgmt-msi 2023-01-31, azure-mgmt-keyvault 2022-07-01) */
  apiVersion: string;
  model(resource: Json): Json;
}

const enc = encodeURIComponent;

function pick(source: Json | undefined, keys: string[]): Json {
  const out: Json = {};
  for (const key of keys) out[key] = source?.[key] ?? null;
  return out;
}

const ENVELOPE = ['id', 'location', 'name', 'systemData', 'tags', 'type'];

/** azure-mgmt-msi's Identity: the ARM envelope with tenantId, principalId and clientId flattened. */
function identityModel(r: Json): Json {
  return { ...pick(r, ENVELOPE), ...pick(r.properties as Json | undefined, ['clientId', 'principalId', 'tenantId']) };
}

const VAULT_PROPERTIES = [
  'accessPolicies', 'createMode', 'enablePurgeProtection', 'enableRbacAuthorization', 'enableSoftDelete', 'enabledForDeployment',
  'enabledForDiskEncryption', 'enabledForTemplateDeployment', 'hsmPoolResourceId', 'networkAcls', 'privateEndpointConnections',
  'provisioningState', 'publicNetworkAccess', 'sku', 'softDeleteRetentionInDays', 'tenantId', 'vaultUri',
];

/** azure-mgmt-keyvault's Vault: properties stay nested (`--query properties.vaultUri`). */
export function vaultModel(r: Json): Json {
  const props = pick((r.properties ?? {}) as Json, VAULT_PROPERTIES);
  if (Array.isArray(props.accessPolicies)) {
    // AccessPolicyEntry and its Permissions, every attribute present
    props.accessPolicies = (props.accessPolicies as Json[]).map((p) => ({
      ...pick(p, ['applicationId', 'objectId', 'tenantId']),
      permissions: pick((p.permissions ?? {}) as Json, ['certificates', 'keys', 'secrets', 'storage']),
    }));
  }
  return { ...pick(r, ENVELOPE), properties: props };
}

const KINDS: Record<ArmKind, KindDef> = {
  identity: { provider: 'Microsoft.ManagedIdentity', type: 'userAssignedIdentities', apiVersion: '2023-01-31', model: identityModel },
  vault: { provider: 'Microsoft.KeyVault', type: 'vaults', apiVersion: '2022-07-01', model: vaultModel },
};

export const run: Handler = async (ctx) => {
  const spec = ctx.command.run as ResourceRun;
  const kind = KINDS[spec.kind];
  switch (spec.op) {
    case 'create':
      return spec.kind === 'vault' ? createVault(ctx, kind) : createIdentity(ctx, kind);
    case 'show':
      return { result: kind.model(await ctx.client().json('GET', await resourceUrl(ctx, spec.kind, kind))) };
    case 'list':
      return list(ctx, spec.kind, kind);
    case 'delete':
      await ctx.client().arm('DELETE', await resourceUrl(ctx, spec.kind, kind));
      if (spec.kind === 'vault') {
        // az's reminder: a deleted vault is soft-deleted, and its name stays taken until it is purged
        ctx.log.warn('Warning! If you have soft-delete protection enabled on this key vault, you will not be able to reuse this key vault name until the key vault has been purged from the soft deleted state. Please see the following documentation for additional guidance.\nhttps://docs.microsoft.com/azure/key-vault/general/soft-delete-overview');
      }
      return; // az prints nothing
  }
};

// ---- addressing -------------------------------------------------------------------------------

interface Target {
  subscription: string;
  resourceGroup: string;
  name: string;
}

const ID_PATTERN = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/([^/]+)\/([^/]+)\/?$/i;

function targetOf(ctx: CommandContext, kind: KindDef): Target {
  const ids = ctx.values.ids as string[] | undefined;
  if (!ids) return { subscription: ctx.subscriptionId(), resourceGroup: String(ctx.values.resourceGroup), name: String(ctx.values.name) };
  if (ids.length !== 1) throw new UsageError('argument --ids: give one resource ID');
  const m = ID_PATTERN.exec(ids[0].trim());
  if (!m || m[3].toLowerCase() !== kind.provider.toLowerCase() || m[4].toLowerCase() !== kind.type.toLowerCase()) {
    throw new UsageError(`argument --ids: invalid resource ID: '${ids[0]}' (expected /subscriptions/SUB/resourceGroups/RG/providers/${kind.provider}/${kind.type}/NAME)`);
  }
  return { subscription: m[1], resourceGroup: m[2], name: m[5] };
}

const pathOf = (t: Target, kind: KindDef) =>
  `/subscriptions/${enc(t.subscription)}/resourceGroups/${enc(t.resourceGroup)}/providers/${kind.provider}/${kind.type}/${enc(t.name)}`;

const withApi = (path: string, kind: KindDef) => `${path}?api-version=${kind.apiVersion}`;

async function resourceUrl(ctx: CommandContext, armKind: ArmKind, kind: KindDef): Promise<string> {
  if (armKind === 'vault' && ctx.values.resourceGroup === undefined) {
    // az keyvault show/delete -n NAME: the group is found among the subscription's vaults
    const name = String(ctx.values.name);
    const vault = (await listVaults(ctx, kind)).find((v) => String(v.name).toLowerCase() === name.toLowerCase());
    if (!vault) throw new CliError(`The Vault '${name}' not found within subscription.`, 3);
    return withApi(String(vault.id), kind);
  }
  return withApi(pathOf(targetOf(ctx, kind), kind), kind);
}

async function listVaults(ctx: CommandContext, kind: KindDef): Promise<Json[]> {
  const { items } = await ctx.client().listAll(withApi(`/subscriptions/${enc(ctx.subscriptionId())}/providers/${kind.provider}/${kind.type}`, kind));
  return items as Json[];
}

/** az's default location: the resource group's. */
async function locationOf(ctx: CommandContext): Promise<string> {
  if (ctx.values.location !== undefined) return String(ctx.values.location);
  const group = await ctx.client().json<Json>('GET', `/subscriptions/${enc(ctx.subscriptionId())}/resourcegroups/${enc(String(ctx.values.resourceGroup))}?api-version=2021-04-01`);
  return String(group.location);
}

// ---- list -------------------------------------------------------------------------------------

async function list(ctx: CommandContext, armKind: ArmKind, kind: KindDef): Promise<Outcome> {
  const client = ctx.client();
  const sub = `/subscriptions/${enc(ctx.subscriptionId())}`;
  const rg = ctx.values.resourceGroup as string | undefined;
  if (armKind === 'vault' && rg === undefined) {
    // az's Vaults.list(): the generic resources API filtered to vaults, so no properties
    const filter = enc(`resourceType eq '${kind.provider}/${kind.type}'`);
    const { items } = await client.listAll(`${sub}/resources?$filter=${filter}&$top=1000&api-version=2015-11-01`);
    const vaults = (items as Json[]).filter((r) => String(r.type).toLowerCase() === `${kind.provider}/${kind.type}`.toLowerCase());
    return { result: vaults.map((r) => pick(r, ['id', 'location', 'name', 'tags', 'type'])) };
  }
  const scope = rg === undefined ? sub : `${sub}/resourceGroups/${enc(rg)}`;
  const { items } = await client.listAll(withApi(`${scope}/providers/${kind.provider}/${kind.type}`, kind));
  return { result: (items as Json[]).map(kind.model) };
}

// ---- create -----------------------------------------------------------------------------------

async function createIdentity(ctx: CommandContext, kind: KindDef): Promise<Outcome> {
  const body: Json = { location: await locationOf(ctx) };
  if (ctx.values.tags !== undefined) body.tags = ctx.values.tags;
  const url = withApi(pathOf(targetOf(ctx, kind), kind), kind);
  return { result: kind.model(await ctx.client().json('PUT', url, { body })) };
}

async function createVault(ctx: CommandContext, kind: KindDef): Promise<Outcome | void> {
  const v = ctx.values;
  const client = ctx.client();
  const url = withApi(pathOf(targetOf(ctx, kind), kind), kind);
  const existing = await client.send('GET', url);
  if (existing.status === 200) throw new CliError(`The specified vault: ${String(v.name)} already exists`);
  const retention = String(v.retentionDays ?? '90');
  if (!/^\d+$/.test(retention)) throw new UsageError(`argument --retention-days: invalid int value: '${retention}'`);
  // az: enable_rbac_authorization defaults to True; an access policy for the caller only without RBAC
  const rbac = v.enableRbacAuthorization === undefined ? true : v.enableRbacAuthorization === true;
  const accessPolicies = rbac || v.noSelfPerms === true ? [] : [{
    tenantId: client.profile.tenantId,
    objectId: await client.callerObjectId(),
    permissions: { keys: ['all'], secrets: ['all'], certificates: ['all'], storage: ['all'] },
  }];
  const properties: Json = {
    tenantId: client.profile.tenantId,
    sku: { family: 'A', name: (v.sku as string | undefined) ?? 'standard' },
    accessPolicies,
    enableRbacAuthorization: rbac,
    softDeleteRetentionInDays: Number(retention),
    networkAcls: { bypass: 'AzureServices', defaultAction: 'Allow' },
  };
  const optional: [string, string][] = [
    ['enabledForDeployment', 'enabledForDeployment'],
    ['enabledForDiskEncryption', 'enabledForDiskEncryption'],
    ['enabledForTemplateDeployment', 'enabledForTemplateDeployment'],
    ['enablePurgeProtection', 'enablePurgeProtection'],
    ['publicNetworkAccess', 'publicNetworkAccess'],
  ];
  for (const [dest, key] of optional) if (v[dest] !== undefined) properties[key] = v[dest];
  const body: Json = { location: await locationOf(ctx), properties };
  if (v.tags !== undefined) body.tags = v.tags;
  const first = await client.arm('PUT', url, { body });
  if (v.noWait) return;
  return { result: kind.model((await client.completeLro(first, 'put', url, new Progress())) as Json) };
}
