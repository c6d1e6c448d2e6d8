/** Which resource types the emulator serves, by namespace, and each subscription's provider registrations. */
import { SERVED_TYPES } from '../api/behaviour.js';
import { NETWORKCLOUD_TYPES } from '../api/registry.js';
import { API_VERSIONS, isApiVersion, LATEST_STABLE } from '../api/versions.js';
import type { EmulatorHost } from '../host.js';
import { authorizationHandlers } from './authorization/handlers.js';
import type { StoreOp } from '../store/store.js';
import type { ArmContext, ExtensionHandler, OperationDisplay, ProviderLookup, ProviderRoutes, ProviderSetup, TypeHandler, TypeRegistration } from '../host.js';
import type { StoredResource } from './resource-store.js';
import { keyVaultProvider } from './keyvault/index.js';
import { FEDERATED_CREDENTIALS } from './managedidentity/credential-store.js';
import { federatedIdentityCredentials } from './managedidentity/federated.js';
import { userAssignedIdentities } from './managedidentity/user-assigned.js';
import { NETWORKCLOUD_COLLECTIONS, networkCloudHandlers } from './networkcloud/index.js';
import { resourcesRegistrations } from './resources/registrations.js';

const REGISTRATIONS = 'providerRegistrations';

export type { ProviderRoutes, TypeRegistration };

export type { ExtensionHandler, OperationDisplay };

export class ProviderRegistry implements ProviderSetup, ProviderLookup {
  private readonly byType = new Map<string, TypeHandler>();
  private readonly extensions = new Map<string, ExtensionHandler>();
  /** Every type's registration, handlers included, in the order they were added. */
  private readonly registrations = new Map<string, TypeRegistration>();
  private readonly routes = new Map<string, ProviderRoutes>();
  /** Store collections providers keep beside the resources (deleted vaults...): emptied by a reset. */
  private readonly collections = new Set<string>();

  constructor(private readonly emu: EmulatorHost) {}

  add(handler: TypeHandler): void {
    this.byType.set(handler.fullType.toLowerCase(), handler);
    this.register(handler);
  }

  /** Lists a type in its provider's registration (a handler's own registration is added by add()). */
  register(registration: TypeRegistration): void {
    this.registrations.set(registration.fullType.toLowerCase(), registration);
  }

  /** The types a namespace registers, as GET /providers/{ns} lists them. */
  registrationsOf(namespace: string): TypeRegistration[] {
    const prefix = `${namespace.toLowerCase()}/`;
    return [...this.registrations.entries()].filter(([k]) => k.startsWith(prefix)).map(([, r]) => r);
  }

  /** The registration of one type (Namespace/type, any casing). */
  registration(fullType: string): TypeRegistration | undefined {
    return this.registrations.get(fullType.toLowerCase());
  }

  addRoutes(namespace: string, routes: ProviderRoutes): void {
    this.routes.set(namespace.toLowerCase(), routes);
  }

  routesOf(namespace: string): ProviderRoutes | undefined {
    return this.routes.get(namespace.toLowerCase());
  }

  addExtension(handler: ExtensionHandler): void {
    this.add(handler);
    this.extensions.set(handler.fullType.toLowerCase(), handler);
  }

  extension(namespace: string, type: string): ExtensionHandler | undefined {
    return this.extensions.get(`${namespace}/${type}`.toLowerCase());
  }

  handler(namespace: string, type: string): TypeHandler | undefined {
    return this.byType.get(`${namespace}/${type}`.toLowerCase());
  }

  handlersOf(namespace: string): TypeHandler[] {
    const prefix = `${namespace.toLowerCase()}/`;
    return [...this.byType.entries()].filter(([k]) => k.startsWith(prefix)).map(([, h]) => h);
  }

  hasNamespace(namespace: string): boolean {
    return this.registrationsOf(namespace).length > 0;
  }

  namespaces(): string[] {
    return [...new Set([...this.registrations.values()].map((r) => r.fullType.split('/')[0]))];
  }

  /** The store changes that go with deleting these resources (their types' cascades), for one commit. */
  cascadeOps(resources: StoredResource[]): StoreOp[] {
    return resources.flatMap((r) => {
      const [namespace, ...type] = r.type.split('/');
      return this.handler(namespace, type.join('/'))?.cascadeOps?.(r, this.emu) ?? [];
    });
  }

  /** Declares a store collection a provider keeps; the emulator's reset empties it. */
  ownCollection(name: string): void {
    this.collections.add(name);
  }

  resetOps(): StoreOp[] {
    return [...this.collections].flatMap((collection) => this.emu.store.entries(collection).map(([key]) => ({ op: 'delete' as const, collection, key })));
  }

  /** Every provider counts as registered until a subscription unregisters it. */
  isRegistered(subscriptionId: string | undefined, namespace: string): boolean {
    if (!subscriptionId) return true;
    const rec = this.emu.store.get<{ registered: boolean }>(REGISTRATIONS, `${subscriptionId}/${namespace}`.toLowerCase());
    return rec?.registered ?? true;
  }

  async setRegistered(subscriptionId: string, namespace: string, registered: boolean): Promise<void> {
    await this.emu.store.put(REGISTRATIONS, `${subscriptionId}/${namespace}`.toLowerCase(), { registered });
  }

  /** The operations list of a namespace at an api-version, derived from its types and the actions that version has. */
  operationsOf(namespace: string, apiVersion: string): OperationDisplay[] {
    const version = isApiVersion(apiVersion) ? apiVersion : LATEST_STABLE;
    if (namespace.toLowerCase() !== 'microsoft.networkcloud') return [];
    const ops: OperationDisplay[] = [];
    const entry = (name: string, resource: string, operation: string, description: string, action = false): OperationDisplay => ({
      name,
      isDataAction: false,
      display: { provider: 'Microsoft.NetworkCloud', resource, operation, description },
      origin: 'user,system',
      ...(action ? { actionType: 'Internal' } : {}),
    });
    for (const def of NETWORKCLOUD_TYPES.filter((t) => t.at(version) && SERVED_TYPES.has(t.type))) {
      const base = `Microsoft.NetworkCloud/${def.type}`;
      const plural = `${def.displayName}s`;
      ops.push(
        entry(`${base}/read`, plural, `Read ${plural}`, `Get or list ${plural}.`),
        entry(`${base}/write`, plural, `Write ${plural}`, `Create or update ${plural}.`),
        entry(`${base}/delete`, plural, `Delete ${plural}`, `Delete ${plural}.`),
      );
      for (const a of def.require(version).actions) ops.push(entry(`${base}/${a.name}/action`, plural, a.operation, `Run the ${a.name} action on ${plural}.`));
    }
    ops.push(entry('Microsoft.NetworkCloud/locations/operationStatuses/read', 'operation statuses', 'Read operation statuses', 'Read the status of long-running operations.'));
    return ops;
  }
}

export function registerProviders(emu: EmulatorHost): ProviderRegistry {
  const registry = new ProviderRegistry(emu);
  for (const registration of resourcesRegistrations()) registry.register(registration);
  for (const handler of networkCloudHandlers(emu)) registry.add(handler);
  for (const collection of NETWORKCLOUD_COLLECTIONS) registry.ownCollection(collection);
  // The identity type is also served (and its finishers registered) by networkCloudHandlers; adding it
  // again here is harmless and keeps Microsoft.ManagedIdentity's types together.
  registry.add(userAssignedIdentities(emu));
  registry.add(federatedIdentityCredentials());
  registry.ownCollection(FEDERATED_CREDENTIALS);
  keyVaultProvider(emu, registry);
  for (const handler of authorizationHandlers(emu)) registry.addExtension(handler);
  return registry;
}

export { API_VERSIONS };
