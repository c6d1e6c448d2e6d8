/**
 * login / logout / account: the profile. `login` reads the emulator's emulator.json (or
 * explicit service-principal arguments), proves the credentials by getting a new token with
 * them (never a cached one: a cached token says nothing about the secret just given), lists
 * the subscriptions and prints them the way `az login` does. Nothing is saved before the
 * credentials are proven.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { EmulatorClient, parseJsonOrNull } from '../../client.js';
import type { CommandContext, Handler, Outcome } from '../../context.js';
import { CliError, UsageError } from '../../errors.js';
import {
  accountEntry,
  ARM_SCOPE,
  CLOUD_NAME,
  deleteProfile,
  loadProfile,
  requireProfile,
  resolveSubscription,
  saveProfile,
  type Profile,
  type Subscription,
} from '../../profile.js';
import type { Run } from '../types.js';

type AccountRun = Extract<Run, { handler: 'account' }>;

/** What the emulator writes to <data-dir>/emulator.json when it is ready. */
interface EmulatorInfo {
  endpoint: string;
  caCertFile: string;
  tenantId: string;
  subscriptionId: string;
  clientId: string;
  clientSecret: string;
}

const DEFAULT_EMULATOR_FILE = join('.nce', 'emulator.json');

export const run: Handler = async (ctx) => {
  const op = (ctx.command.run as AccountRun).op;
  return OPS[op](ctx);
};

const OPS: Record<AccountRun['op'], (ctx: CommandContext) => Promise<Outcome | void>> = {
  login,
  logout: async () => {
    if (!deleteProfile()) throw new CliError('There are no active accounts.');
  },
  show: async (ctx) => {
    const profile = requireProfile();
    return { result: accountEntry(profile, resolveSubscription(profile, ctx.values.subscription as string | undefined), false) };
  },
  list: async (ctx) => {
    let profile = requireProfile();
    if (ctx.values.refresh) profile = await refreshSubscriptions(ctx, profile);
    return { result: profile.subscriptions.map((s) => accountEntry(profile, s, true)), tableTransformer: accountTable };
  },
  set: async (ctx) => {
    const profile = requireProfile();
    const wanted = String(ctx.values.subscription);
    const sub = profile.subscriptions.find((s) => s.id.toLowerCase() === wanted.toLowerCase() || s.name.toLowerCase() === wanted.toLowerCase());
    if (!sub) throw new CliError(`The subscription of '${wanted}' doesn't exist in cloud '${CLOUD_NAME}'.`);
    saveProfile({ ...profile, defaultSubscription: sub.id });
  },
};

async function login(ctx: CommandContext): Promise<Outcome> {
  const v = ctx.values;
  const explicit = v.endpoint !== undefined;
  const info = explicit ? explicitInfo(v) : readEmulatorInfo(v.emulator as string | undefined);
  const previous = loadProfile();
  const profile: Profile = {
    endpoint: info.endpoint.endsWith('/') ? info.endpoint : info.endpoint + '/',
    caCertFile: info.caCertFile,
    tenantId: info.tenantId,
    clientId: info.clientId,
    clientSecret: info.clientSecret,
    subscriptions: info.subscriptionId ? [{ id: info.subscriptionId, name: info.subscriptionId, state: 'Enabled', tenantId: info.tenantId }] : [],
    defaultSubscription: info.subscriptionId,
    ...(explicit ? {} : { emulatorFile: (info as EmulatorInfo & { file: string }).file }),
  };
  await verifyCredentials(ctx, profile);
  const refreshed = await refreshSubscriptions(ctx, profile);
  // keep the user's chosen default across re-logins to the same emulator
  if (previous?.endpoint === refreshed.endpoint && refreshed.subscriptions.some((s) => s.id === previous.defaultSubscription)) {
    refreshed.defaultSubscription = previous.defaultSubscription;
  }
  saveProfile(refreshed);
  return { result: refreshed.subscriptions.map((s) => accountEntry(refreshed, s, true)), tableTransformer: accountTable };
}

/**
 * Gets a token with exactly these credentials, bypassing the token cache, as `az login
 * --service-principal` does; a refusal fails the login with the token endpoint's own description
 * (AADSTS7000215 for a wrong secret), az's wording, exit code 1.
 */
async function verifyCredentials(ctx: CommandContext, profile: Profile): Promise<void> {
  const client = new EmulatorClient(profile, ctx.log);
  try {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: profile.clientId, client_secret: profile.clientSecret, scope: ARM_SCOPE }).toString();
    const response = await client.send('POST', `${encodeURIComponent(profile.tenantId)}/oauth2/v2.0/token`, {
      auth: false,
      body: form,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    if (response.status < 400) return;
    const err = parseJsonOrNull(response.body) as { error?: string; error_description?: string } | null;
    throw new CliError(err?.error_description || err?.error || `The emulator refused the login of client '${profile.clientId}' (HTTP ${response.status}).`);
  } finally {
    client.close();
  }
}

/** az's transform_account_list. */
function accountTable(result: unknown): unknown {
  return (result as Record<string, unknown>[]).map((r) => ({
    Name: r.name,
    CloudName: r.cloudName,
    SubscriptionId: r.id,
    TenantId: r.tenantId,
    State: r.state,
    IsDefault: r.isDefault,
  }));
}

/** Ask the emulator for the subscriptions (this also proves the credentials work). */
async function refreshSubscriptions(ctx: CommandContext, profile: Profile): Promise<Profile> {
  const client = new EmulatorClient(profile, ctx.log);
  try {
    const response = await client.send('GET', '/subscriptions?api-version=2022-12-01');
    if (response.status >= 400) {
      ctx.log.warn(`Could not list subscriptions (HTTP ${response.status}); using the subscription from the emulator's configuration.`);
      return profile;
    }
    const body = JSON.parse(response.body) as { value?: { subscriptionId: string; displayName?: string; state?: string; tenantId?: string }[] };
    const subscriptions: Subscription[] = (body.value ?? []).map((s) => ({
      id: s.subscriptionId,
      name: s.displayName ?? s.subscriptionId,
      state: s.state ?? 'Enabled',
      tenantId: s.tenantId ?? profile.tenantId,
    }));
    if (!subscriptions.length) return profile;
    const defaultSubscription = subscriptions.some((s) => s.id === profile.defaultSubscription) ? profile.defaultSubscription : subscriptions[0].id;
    return { ...profile, subscriptions, defaultSubscription };
  } finally {
    client.close();
  }
}

function explicitInfo(v: Record<string, unknown>): EmulatorInfo {
  const missing = [
    ['caFile', '--ca-file'],
    ['username', '--username/-u'],
    ['password', '--password/-p'],
    ['tenant', '--tenant/-t'],
  ].filter(([dest]) => v[dest] === undefined);
  if (missing.length) throw new UsageError(`usage error: --endpoint needs ${missing.map(([, o]) => o).join(', ')}`);
  const caCertFile = resolve(String(v.caFile));
  if (!existsSync(caCertFile)) throw new CliError(`The CA certificate file '${caCertFile}' does not exist.`);
  return {
    endpoint: String(v.endpoint),
    caCertFile,
    tenantId: String(v.tenant),
    clientId: String(v.username),
    clientSecret: String(v.password),
    subscriptionId: '',
  };
}

function readEmulatorInfo(where: string | undefined): EmulatorInfo & { file: string } {
  let file = resolve(where ?? DEFAULT_EMULATOR_FILE);
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'emulator.json');
  if (!existsSync(file)) {
    throw new CliError(
      where
        ? `No emulator.json at '${file}': pass the emulator's data directory (the one given to --data-dir) or its emulator.json.`
        : `No emulator found at ./${DEFAULT_EMULATOR_FILE}: start the emulator here (npm start), or run 'azemu login --emulator DATA_DIR'.`,
    );
  }
  let info: EmulatorInfo;
  try {
    info = JSON.parse(readFileSync(file, 'utf8')) as EmulatorInfo;
  } catch (err) {
    throw new CliError(`Cannot read '${file}': ${(err as Error).message}`);
  }
  for (const key of ['endpoint', 'caCertFile', 'tenantId', 'clientId', 'clientSecret'] as const) {
    if (typeof info[key] !== 'string' || !info[key]) throw new CliError(`'${file}' has no ${key}: is it the emulator's emulator.json?`);
  }
  return { ...info, caCertFile: resolve(dirname(file), info.caCertFile), file };
}
