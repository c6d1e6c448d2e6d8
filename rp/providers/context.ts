/** What every ARM handler receives, and the interface a resource type implements to be served. */
import type { Request, Response } from 'express';
import type { ParsedPath } from '../arm/resource-id.js';
import type { Emulator } from '../emulator.js';
import type { CallerPrincipal } from '../identity/auth.js';
import type { StoreOp } from '../store/store.js';
import type { StoredResource } from './resource-store.js';

export interface ArmContext {
  req: Request;
  res: Response;
  emu: Emulator;
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
  viewById?(emu: Emulator, id: string, apiVersion: string): Record<string, unknown> | undefined;
  /** Store changes that go with removing this resource in the same commit (e.g. when its group is deleted). */
  cascadeOps?(stored: StoredResource, emu: Emulator): StoreOp[];
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
