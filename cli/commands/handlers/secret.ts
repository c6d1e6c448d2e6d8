/**
 * `azemu keyvault secret show|list-versions`: Key Vault's secrets data plane, which the
 * emulator serves for vault NAME at {endpoint}vaults/NAME. Authentication is the SDKs'
 * challenge flow (see EmulatorClient's `challenge` option); output is az's transforms of the
 * track-2 SDK objects (transform_secret_set for show, transform_secret_list for the versions),
 * with Python's isoformat() for the times. `secret show` is the only command that prints a
 * secret's value; --debug never does (the client redacts vault bodies).
 */
import { armError, parseJson } from '../../client.js';
import type { CommandContext, Handler, Outcome } from '../../context.js';
import { UsageError } from '../../errors.js';
import type { Run } from '../types.js';

type SecretRun = Extract<Run, { handler: 'secret' }>;
type Json = Record<string, unknown>;

/** The data-plane api-version az's SDK (azure-keyvault-secrets 4.x) sends. */
const API = 'api-version=7.4';
const enc = encodeURIComponent;

export const run: Handler = async (ctx) => ((ctx.command.run as SecretRun).op === 'show' ? show(ctx) : listVersions(ctx));

interface SecretRef {
  vault: string;
  name: string;
  version?: string;
}

/** --id (Azure's form or the emulator's) or --vault-name/--name[/--version]. */
function secretRef(ctx: CommandContext, withVersion: boolean): SecretRef {
  const v = ctx.values;
  const id = v.id as string | undefined;
  const usage = withVersion ? 'usage error: --id ID | --vault-name VAULT --name NAME [--version VERSION]' : 'usage error: --id ID | --vault-name VAULT --name NAME';
  if (id !== undefined) {
    if (v.vaultName !== undefined || v.name !== undefined || v.version !== undefined) throw new UsageError(usage);
    return parseSecretId(id, withVersion);
  }
  if (v.vaultName === undefined || v.name === undefined) throw new UsageError(usage);
  return { vault: String(v.vaultName), name: String(v.name), version: withVersion ? (v.version as string | undefined) : undefined };
}

function parseSecretId(id: string, withVersion: boolean): SecretRef {
  let url: URL;
  try {
    url = new URL(id);
  } catch {
    throw new UsageError(`argument --id: invalid secret id: '${id}'`);
  }
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const azureHost = /^([^.]+)\.vault\.azure\.net$/i.exec(url.hostname);
  // https://NAME.vault.azure.net/secrets/S[/V]  or  https://localhost:PORT/vaults/NAME/secrets/S[/V]
  const [vault, rest] = azureHost ? [azureHost[1], parts] : parts[0]?.toLowerCase() === 'vaults' ? [parts[1], parts.slice(2)] : [undefined, []];
  if (!vault || rest[0]?.toLowerCase() !== 'secrets' || !rest[1] || rest.length > 3) throw new UsageError(`argument --id: invalid secret id: '${id}'`);
  return { vault, name: rest[1], version: withVersion ? rest[2] : undefined };
}

const secretPath = (ref: SecretRef) => `vaults/${enc(ref.vault)}/secrets/${enc(ref.name)}${ref.version ? `/${enc(ref.version)}` : ''}`;

async function vaultGet(ctx: CommandContext, pathOrUrl: string): Promise<Json> {
  const response = await ctx.client().send('GET', pathOrUrl, { challenge: true });
  if (response.status >= 400) throw armError(response);
  return parseJson<Json>(response.body);
}

/** datetime.fromtimestamp(s, timezone.utc).isoformat(), as az prints the SDK's datetimes. */
function isoformat(seconds: unknown): string | null {
  if (typeof seconds !== 'number') return null;
  const date = new Date(seconds * 1000);
  const iso = date.toISOString();
  const micros = date.getUTCMilliseconds() ? `.${String(date.getUTCMilliseconds() * 1000).padStart(6, '0')}` : '';
  return `${iso.slice(0, 19)}${micros}+00:00`;
}

/** The generated SecretAttributes model, as az's todict prints it. */
function attributes(raw: unknown): Json {
  const a = (raw ?? {}) as Json;
  return {
    created: isoformat(a.created),
    enabled: a.enabled ?? null,
    expires: isoformat(a.exp),
    notBefore: isoformat(a.nbf),
    recoverableDays: a.recoverableDays ?? null,
    recoveryLevel: a.recoveryLevel ?? null,
    updated: isoformat(a.updated),
  };
}

/** SecretProperties.name: the fifth segment of the id (https://VAULT/secrets/NAME/VERSION). */
const nameOf = (id: unknown) => (typeof id === 'string' ? (id.split('/')[4] ?? null) : null);

/** az's transform_secret_base_properties. */
function baseProperties(b: Json): Json {
  return {
    attributes: attributes(b.attributes),
    contentType: b.contentType ?? null,
    id: b.id ?? null,
    managed: b.managed ?? null,
    name: nameOf(b.id),
    tags: b.tags ?? null,
  };
}

async function show(ctx: CommandContext): Promise<Outcome> {
  const bundle = await vaultGet(ctx, `${secretPath(secretRef(ctx, true))}?${API}`);
  // transform_secret_set: the base properties, kid and the value
  return { result: { ...baseProperties(bundle), kid: bundle.kid ?? null, value: bundle.value ?? null }, addResourceGroup: false };
}

/** az's transform_secret_list_table (build_table_output: a missing value prints as a blank). */
function secretTable(result: unknown): unknown {
  const blank = (x: unknown) => x || ' ';
  return (result as Json[]).map((r) => {
    const a = (r.attributes ?? {}) as Json;
    return { Name: blank(r.name), Id: blank(r.id), ContentType: blank(r.contentType), Enabled: blank(a.enabled), Expires: blank(a.expires) };
  });
}

async function listVersions(ctx: CommandContext): Promise<Outcome> {
  const ref = secretRef(ctx, false);
  const raw = ctx.values.maxresults as string | undefined;
  let max: number | undefined;
  if (raw !== undefined) {
    if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new UsageError(`argument --maxresults: invalid int value: '${raw}'`);
    max = Number(raw);
  }
  const items: Json[] = [];
  let link: string | null = `${secretPath(ref)}/versions?${API}${max !== undefined ? `&maxresults=${Math.min(max, 25)}` : ''}`;
  while (link && (max === undefined || items.length < max)) {
    const page = await vaultGet(ctx, link);
    items.push(...((page.value as Json[] | undefined) ?? []));
    link = typeof page.nextLink === 'string' && page.nextLink ? page.nextLink : null;
  }
  // keep_max_results, then transform_secret_list
  const kept = max === undefined ? items : items.slice(0, max);
  return { result: kept.map(baseProperties), addResourceGroup: false, tableTransformer: secretTable };
}
