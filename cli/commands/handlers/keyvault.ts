/**
 * `azemu keyvault recover|purge|list-deleted|show-deleted`: Key Vault's soft delete as az drives it.
 * A deleted vault is addressed by name and location; like az, a missing --location (and, for
 * recover, a missing --resource-group) is read from the deleted vault itself. Output has the shape
 * of azure-mgmt-keyvault's DeletedVault and Vault models.
 */
import { Progress } from '../../client.js';
import type { CommandContext, Handler, Outcome } from '../../context.js';
import { CliError } from '../../errors.js';
import type { Run } from '../types.js';

type KeyVaultRun = Extract<Run, { handler: 'keyvault' }>;
type Json = Record<string, unknown>;

/** what az 2.45's azure-mgmt-keyvault sends for vaults and deleted vaults */
const API = '2022-07-01';
const enc = encodeURIComponent;

function pick(source: Json | undefined, keys: string[]): Json {
  const out: Json = {};
  for (const key of keys) out[key] = source?.[key] ?? null;
  return out;
}

/** A date as az prints the SDK's datetime: Python's isoformat, microseconds and '+00:00' (2026-12-03T16:25:07.085000+00:00). */
function pythonIso(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? null;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return value;
  const iso = new Date(ms).toISOString();
  const fraction = iso.slice(20, 23);
  return `${iso.slice(0, 19)}${fraction === '000' ? '' : `.${fraction}000`}+00:00`;
}

/** azure-mgmt-keyvault's DeletedVault and its DeletedVaultProperties. */
function deletedVaultModel(r: Json): Json {
  const properties = pick((r.properties ?? {}) as Json, ['deletionDate', 'location', 'purgeProtectionEnabled', 'scheduledPurgeDate', 'tags', 'vaultId']);
  properties.deletionDate = pythonIso(properties.deletionDate);
  properties.scheduledPurgeDate = pythonIso(properties.scheduledPurgeDate);
  return { ...pick(r, ['id', 'name']), properties, type: r.type ?? null };
}

const subscriptionPath = (ctx: CommandContext) => `/subscriptions/${enc(ctx.subscriptionId())}/providers/Microsoft.KeyVault`;

async function listDeleted(ctx: CommandContext): Promise<Json[]> {
  const { items } = await ctx.client().listAll(`${subscriptionPath(ctx)}/deletedVaults?api-version=${API}`);
  return items as Json[];
}

/** The deleted vault NAME: at --location when given, else found among the subscription's deleted vaults. */
async function deletedVault(ctx: CommandContext): Promise<Json> {
  const name = String(ctx.values.name);
  if (ctx.values.location !== undefined) {
    return ctx.client().json<Json>('GET', `${subscriptionPath(ctx)}/locations/${enc(String(ctx.values.location))}/deletedVaults/${enc(name)}?api-version=${API}`);
  }
  const found = (await listDeleted(ctx)).find((v) => String(v.name).toLowerCase() === name.toLowerCase());
  if (!found) throw new CliError(`No deleted Vault or HSM was found with name ${name}`, 3);
  return found;
}

export const run: Handler = async (ctx): Promise<Outcome | void> => {
  const spec = ctx.command.run as KeyVaultRun;
  switch (spec.op) {
    case 'list-deleted':
      return { result: (await listDeleted(ctx)).map(deletedVaultModel) };
    case 'show-deleted':
      return { result: deletedVaultModel(await deletedVault(ctx)) };
    case 'purge': {
      const vault = await deletedVault(ctx);
      const location = String((vault.properties as Json).location);
      const path = `${subscriptionPath(ctx)}/locations/${enc(location)}/deletedVaults/${enc(String(vault.name))}/purge?api-version=${API}`;
      const first = await ctx.client().arm('POST', path);
      if (ctx.values.noWait) return;
      await ctx.client().completeLro(first, 'post', path, new Progress());
      return; // az prints nothing
    }
    case 'recover':
      return recover(ctx);
  }
};

/** PUT the vault back with createMode 'recover', where it was unless --resource-group says otherwise. */
async function recover(ctx: CommandContext): Promise<Outcome | void> {
  const client = ctx.client();
  const deleted = await deletedVault(ctx);
  const props = (deleted.properties ?? {}) as Json;
  const vaultId = String(props.vaultId ?? '');
  const originalGroup = /\/resourceGroups\/([^/]+)\//i.exec(vaultId)?.[1];
  const group = (ctx.values.resourceGroup as string | undefined) ?? originalGroup;
  if (!group) throw new CliError(`Could not tell the resource group of the deleted vault '${String(deleted.name)}'; give --resource-group.`);
  const path = `/subscriptions/${enc(ctx.subscriptionId())}/resourceGroups/${enc(group)}/providers/Microsoft.KeyVault/vaults/${enc(String(deleted.name))}?api-version=${API}`;
  const body = {
    location: props.location,
    properties: { tenantId: client.profile.tenantId, sku: { family: 'A', name: 'standard' }, createMode: 'recover' },
  };
  const first = await client.arm('PUT', path, { body });
  if (ctx.values.noWait) return;
  const { vaultModel } = await import('./resource.js');
  return { result: vaultModel((await client.completeLro(first, 'put', path, new Progress())) as Json) };
}
