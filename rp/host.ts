/**
 * What the emulator offers the code it runs: the narrow, type-only view that handlers, controllers
 * and routes receive. The Emulator class (emulator.ts) implements it; nothing but the composition
 * root (main.ts, tests) imports emulator.ts itself, so the module graph has no circles.
 * The handler-facing contracts (ArmContext, TypeHandler, ...) live here too: they and the host
 * refer to each other.
 */
import type { Request, Response } from 'express';
import type { Logger } from './arm/http.js';
import type { KeyedLock } from './arm/locks.js';
import type { Operations } from './arm/operations.js';
import type { ParsedPath } from './arm/resource-id.js';
import type { Clock } from './clock.js';
import type { EmulatorConfig } from './config.js';
import type { ConnectionGuard } from './connections.js';
import type { Faults } from './faults/engine.js';
import type { CallerPrincipal } from './identity/auth.js';
import type { PrincipalDirectory } from './identity/principals.js';
import type { TokenService } from './identity/tokens.js';
import type { StoredResource, StoredResourceGroup, StoredSubscription } from './providers/resource-store.js';
import type { JsonObject } from './api/derive.js';
import type { RotationSummary } from './secrets/policy.js';
import type { Store, StoreOp } from './store/store.js';

/** The ids of the demo's resources, as emulator.json's `demo` lists them. */
export interface DemoInfo {
  clusterId: string;
  clusterManagerId: string;
  managedResourceGroup: string;
  bareMetalMachineIds: string[];
  storageApplianceIds: string[];
  /** The tenant's resources on the demo cluster (absent in data folders seeded before they existed). */
  l3NetworkId?: string;
  trunkedNetworkId?: string;
  cloudServicesNetworkId?: string;
  volumeId?: string;
  kubernetesClusterId?: string;
  agentPoolId?: string;
  virtualMachineId?: string;
  consoleId?: string;
}

/** What the emulator keeps about itself in the store. */
export interface EmulatorMeta {
  tenantId: string;
  subscriptionId: string;
  demoPrincipalObjectId: string;
  demoClientId: string;
  clockOffsetMs: number;
  seq: number;
  seeded: boolean;
  demo?: DemoInfo;
}

/** Which resource types are served, by namespace (the registry's read side). */
export interface ProviderLookup {
  registrationsOf(namespace: string): TypeRegistration[];
  routesOf(namespace: string): ProviderRoutes | undefined;
  extension(namespace: string, type: string): ExtensionHandler | undefined;
  handler(namespace: string, type: string): TypeHandler | undefined;
  handlersOf(namespace: string): TypeHandler[];
  hasNamespace(namespace: string): boolean;
  namespaces(): string[];
  isRegistered(subscriptionId: string | undefined, namespace: string): boolean;
  setRegistered(subscriptionId: string, namespace: string, registered: boolean): Promise<void>;
  operationsOf(namespace: string, apiVersion: string): OperationDisplay[];
}

/** Credential rotation as the NetworkCloud handlers drive it (rp/secrets/rotation.ts). */
export interface RotationHooks {
  onDeployed(clusterId: string): Promise<RotationSummary>;
  checkRequest(cluster: StoredResource, body: JsonObject): void;
  rotateOnDemand(clusterId: string, names: string[]): Promise<string>;
  adoptReplacedBmcCredential(machineId: string, username: string, password: string): Promise<RotationSummary>;
}

export interface EmulatorHost {
  readonly config: EmulatorConfig;
  readonly store: Store;
  readonly log: Logger;
  readonly clock: Clock;
  readonly operations: Operations;
  readonly principals: PrincipalDirectory;
  /** Serialises the check-then-write of each resource (see rp/arm/locks.ts). */
  readonly writeLock: KeyedLock;
  readonly connections: ConnectionGuard;
  readonly faults: Faults;
  readonly providers: ProviderLookup;
  readonly rotation: RotationHooks;
  readonly tokens: TokenService;
  readonly msiSecret: string;
  readonly caCertPem: string;
  readonly port: number;
  pageSize: number;
  demo?: DemoInfo;
  readonly dataDir: string;
  readonly tenantId: string;
  readonly subscriptionId: string;
  readonly seeded: boolean;
  readonly endpoint: string;
  readonly demoPrincipalObjectId: string;
  saveMeta(changes: Partial<EmulatorMeta>): Promise<void>;
  nextSeq(): number;
  putSubscription(sub: StoredSubscription, ownerObjectId?: string): Promise<void>;
  requireSubscription(subscriptionId: string): StoredSubscription;
  findResourceGroup(subscriptionId: string, name: string): StoredResourceGroup | undefined;
  requireResourceGroup(subscriptionId: string, name: string): StoredResourceGroup;
  putResourceGroup(subscriptionId: string, name: string, location: string, tags?: Record<string, string>, managedBy?: string): Promise<StoredResourceGroup>;
  deleteResourceGroupContents(group: StoredResourceGroup, deleteGroup: boolean): Promise<void>;
  /** Rewrites emulator.json (after a change of what it lists). */
  writeInfoFile(): Promise<string>;
  /** Empties the emulator back to its first start (the admin reset route). */
  reset(): Promise<void>;
  /** Keeps the process's shutdown waiting for this work. */
  track<T>(work: Promise<T>): Promise<T>;
}

/** A type served under any scope ({scope}/providers/{ns}/{type}[/{name}]), such as role assignments. */
export interface ExtensionHandler extends TypeHandler {
  handle(ctx: ArmContext, verb: string): Promise<void>;
}

/** One entry of a provider's operations list. */
export interface OperationDisplay {
  name: string;
  isDataAction: boolean;
  display: { provider: string; resource: string; operation: string; description: string };
  origin: string;
  actionType?: string;
}

export interface ArmContext {
  req: Request;
  res: Response;
  emu: EmulatorHost;
  path: ParsedPath;
  /** The api-version as the client sent it. */
  apiVersion: string;
  caller: CallerPrincipal;
}

/** A resource type the ARM router can dispatch to. */
export interface TypeHandler {
  /** Namespace/type, e.g. 'Microsoft.NetworkCloud/clusters', in ARM's casing. */
  fullType: string;
  apiVersions: readonly string[];
  /** 'subscription' for a subscription-level type (rackSkus); resource-group level otherwise. */
  scope?: 'resourceGroup' | 'subscription';
  /** Locations reported by the provider's registration. */
  locations?: string[];
  get(ctx: ArmContext): Promise<void>;
  list(ctx: ArmContext): Promise<void>;
  put(ctx: ArmContext): Promise<void>;
  patch(ctx: ArmContext): Promise<void>;
  delete(ctx: ArmContext): Promise<void>;
  action(ctx: ArmContext, action: string): Promise<void>;
  /** The resource with this id as `apiVersion` shows it, or undefined when it does not exist. */
  viewById?(emu: EmulatorHost, id: string, apiVersion: string): Record<string, unknown> | undefined;
  /** Store changes that go with removing this resource in the same commit (e.g. when its group is deleted). */
  cascadeOps?(stored: StoredResource, emu: EmulatorHost): StoreOp[];
}

/**
 * One resource type of a provider as its registration (GET /providers/{ns}) lists it. Every type the
 * emulator serves has one, next to its code: a TypeHandler is one, and types with no handler of their
 * own (Key Vault's deletedVaults, ARM's resourceGroups) register one. The api-versions here are the
 * ones the type accepts; the router checks requests against the same list.
 */
export interface TypeRegistration {
  /** Namespace/type in ARM's casing, e.g. 'Microsoft.KeyVault/deletedVaults'. */
  fullType: string;
  /** Oldest first. */
  apiVersions: readonly string[];
  locations?: string[];
  capabilities?: string;
}

/**
 * The routes a provider serves under /subscriptions/{s}/providers/{ns}/... besides its resource types'
 * collections (e.g. checkNameAvailability, locations/{l}/deletedVaults). `rest` is the path after the
 * namespace. Resolves true when it answered, false to let the router go on.
 */
export type ProviderRoutes = (ctx: ArmContext, verb: string, rest: string[]) => Promise<boolean>;

/** What a provider's setup may do with the registry (a narrow view of ProviderRegistry). */
export interface ProviderSetup {
  add(handler: TypeHandler): void;
  register(registration: TypeRegistration): void;
  addRoutes(namespace: string, routes: ProviderRoutes): void;
  ownCollection(name: string): void;
}
