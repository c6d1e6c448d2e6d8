/**
 * Microsoft.KeyVault as the emulator serves it: vaults (./vaults.ts), their soft-deleted twins
 * (./deleted-vaults.ts) and the subscription-level operations around them:
 *   POST /subscriptions/{s}/providers/Microsoft.KeyVault/checkNameAvailability
 *   GET  /subscriptions/{s}/providers/Microsoft.KeyVault/deletedVaults
 *   GET  /subscriptions/{s}/providers/Microsoft.KeyVault/deletedManagedHSMs   (always empty: no managed HSMs here)
 *   GET  /subscriptions/{s}/providers/Microsoft.KeyVault/locations/{l}/deletedVaults/{name}
 *   POST /subscriptions/{s}/providers/Microsoft.KeyVault/locations/{l}/deletedVaults/{name}/purge  (long-running)
 * Deleted vaults whose scheduledPurgeDate passes on the emulator's clock are purged.
 */
import { errors } from '../../arm/errors.js';
import { sendJson } from '../../arm/http.js';
import { assertJsonObject } from '../../api/validate.js';
import { enforce } from '../authorization/arm-access.js';
import type { ArmContext, ProviderSetup } from '../context.js';
import { requireVersion } from '../router.js';
import { normaliseLocation } from '../tracked.js';
import {
  DELETED_VAULT_TYPE, DELETED_VAULTS, deletedVaultErrors, deletedVaultId, deletedVaultsOf, deletedVaultView, findDeletedVault, nameInUseMessage,
  purgeExpired, purgeOps,
} from './deleted-vaults.js';
import { findVaultByName, KEYVAULT_API_VERSIONS, KEYVAULT_LOCATIONS, VAULT_NAME_PATTERN, VAULT_TYPE, VaultType } from './vaults.js';

const NAMESPACE = 'Microsoft.KeyVault';
const PURGE_FINISHER = `${DELETED_VAULT_TYPE}:purge`;

/** The emulator, as VaultType needs it. */
type Host = ConstructorParameters<typeof VaultType>[0];

export function keyVaultProvider(emu: Host, registry: ProviderSetup): void {
  registry.add(new VaultType(emu));
  const global = (type: string, capabilities = 'None') => ({ fullType: `${NAMESPACE}/${type}`, apiVersions: KEYVAULT_API_VERSIONS, locations: [], capabilities });
  registry.register(global('deletedVaults'));
  // The emulator has no managed HSMs, but az's list-deleted and show-deleted ask for deleted ones too.
  registry.register(global('deletedManagedHSMs'));
  registry.register({ ...global('locations/deletedVaults'), locations: KEYVAULT_LOCATIONS });
  registry.register({ ...global('locations/deletedVaults/purge'), locations: KEYVAULT_LOCATIONS });
  registry.register({ ...global('locations/operationResults'), locations: KEYVAULT_LOCATIONS });
  registry.register(global('checkNameAvailability'));
  registry.register(global('operations'));
  registry.ownCollection(DELETED_VAULTS);
  registry.addRoutes(NAMESPACE, (ctx, verb, rest) => routes(ctx, verb, rest));
  emu.operations.register(PURGE_FINISHER, async (op) => {
    await emu.store.batch(purgeOps(emu, String((op.args as { name: string }).name)));
  });
  // Deleted vaults past their scheduledPurgeDate go when the clock passes it.
  emu.clock.onChange(async () => {
    await purgeExpired(emu);
  });
}

async function routes(ctx: ArmContext, verb: string, rest: string[]): Promise<boolean> {
  const seg = rest.map((s) => s.toLowerCase());
  const version = (type: string, location?: string) => requireVersion(ctx.apiVersion, KEYVAULT_API_VERSIONS, NAMESPACE, type, location);
  if (seg.length === 1 && seg[0] === 'checknameavailability') {
    version('checkNameAvailability');
    if (verb !== 'POST') throw errors.methodNotAllowed(`The ${verb} method is not supported here; use POST.`);
    checkNameAvailability(ctx);
    return true;
  }
  if (seg.length === 1 && seg[0] === 'deletedvaults') {
    version('deletedVaults');
    if (verb !== 'GET' && verb !== 'HEAD') throw errors.methodNotAllowed(`The ${verb} method is not supported here; use GET.`);
    sendJson(ctx.res, 200, { value: deletedVaultsOf(ctx.emu, ctx.path.subscriptionId!).map(deletedVaultView) });
    return true;
  }
  if (seg.length === 1 && seg[0] === 'deletedmanagedhsms') {
    version('deletedManagedHSMs');
    if (verb !== 'GET' && verb !== 'HEAD') throw errors.methodNotAllowed(`The ${verb} method is not supported here; use GET.`);
    sendJson(ctx.res, 200, { value: [] });
    return true;
  }
  if (seg[0] === 'locations' && seg[2] === 'deletedvaults' && (seg.length === 4 || (seg.length === 5 && seg[4] === 'purge'))) {
    const location = normaliseLocation(rest[1]);
    version('locations/deletedVaults', location);
    const name = rest[3];
    const record = findDeletedVault(ctx.emu, name);
    const found = record && record.subscriptionId.toLowerCase() === ctx.path.subscriptionId!.toLowerCase() && record.location === location ? record : undefined;
    const scope = `/subscriptions/${ctx.path.subscriptionId}`;
    if (seg.length === 4) {
      if (verb !== 'GET' && verb !== 'HEAD') throw errors.methodNotAllowed(`The ${verb} method is not supported here; use GET.`);
      enforce(ctx.emu, ctx.caller, { kind: 'check', action: 'Microsoft.KeyVault/locations/deletedVaults/read', scope });
      if (!found) throw deletedVaultErrors.notFound(name, location);
      sendJson(ctx.res, 200, deletedVaultView(found));
      return true;
    }
    if (verb !== 'POST') throw errors.methodNotAllowed(`The ${verb} method is not supported here; use POST.`);
    enforce(ctx.emu, ctx.caller, { kind: 'check', action: 'Microsoft.KeyVault/locations/deletedVaults/purge/action', scope });
    if (!found) throw deletedVaultErrors.notFound(name, location);
    if (found.purgeProtectionEnabled) throw deletedVaultErrors.purgeNotAllowed();
    const op = await ctx.emu.operations.start({
      subscriptionId: found.subscriptionId,
      namespace: NAMESPACE,
      location,
      resourceId: deletedVaultId(found),
      verb: 'purge',
      finisher: PURGE_FINISHER,
      args: { name: found.name },
    });
    sendJson(ctx.res, 202, undefined, { Location: ctx.emu.operations.statusUrl(ctx.emu.endpoint, op, ctx.apiVersion, 'operationResults'), 'Retry-After': '1' });
    return true;
  }
  return false;
}

/** Whether a vault name may be used: valid, and held by no vault, live or soft-deleted. */
function checkNameAvailability(ctx: ArmContext): void {
  const body = ctx.req.body as unknown;
  assertJsonObject(body);
  const { name, type } = body;
  if (typeof name !== 'string') throw errors.badRequest('InvalidRequestContent', "The property 'name' is required and must be a string.", 'name');
  if (typeof type !== 'string' || type.toLowerCase() !== VAULT_TYPE.toLowerCase()) {
    throw errors.badRequest('InvalidRequestContent', `The property 'type' must be '${VAULT_TYPE}'.`, 'type');
  }
  if (!new RegExp(VAULT_NAME_PATTERN).test(name)) {
    sendJson(ctx.res, 200, {
      nameAvailable: false,
      reason: 'AccountNameInvalid',
      message: `Vault name '${name}' is invalid. A vault's name must be between 3-24 alphanumeric characters. The name must begin with a letter, end with a letter or digit, and not contain consecutive hyphens.`,
    });
    return;
  }
  if (findVaultByName(ctx.emu, name) || findDeletedVault(ctx.emu, name)) {
    sendJson(ctx.res, 200, { nameAvailable: false, reason: 'AlreadyExists', message: nameInUseMessage(name) });
    return;
  }
  sendJson(ctx.res, 200, { nameAvailable: true });
}
