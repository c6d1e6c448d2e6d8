/** How resources are kept in the store: one version-less (hub) document per resource, keyed by its lower-cased id. */
import type { JsonObject } from '../api/derive.js';
import type { CallerPrincipal } from '../identity/auth.js';

export const RESOURCES = 'resources';
export const RESOURCE_GROUPS = 'resourceGroups';
export const SUBSCRIPTIONS = 'subscriptions';

export interface StoredResource {
  /** The id in the casing it was created with. */
  id: string;
  /** Namespace/type in ARM's casing. */
  type: string;
  /** Creation order, for stable listing. */
  seq: number;
  /** The hub document: the ARM envelope and every property any version knows, secrets included. */
  resource: JsonObject;
}

export interface StoredResourceGroup {
  id: string;
  subscriptionId: string;
  name: string;
  location: string;
  tags?: Record<string, string>;
  managedBy?: string;
  seq: number;
}

export interface StoredSubscription {
  subscriptionId: string;
  displayName: string;
  tenantId: string;
  state: 'Enabled' | 'Disabled' | 'Warned' | 'PastDue' | 'Deleted';
}

export interface SystemData {
  createdBy: string;
  createdByType: string;
  createdAt: string;
  lastModifiedBy: string;
  lastModifiedByType: string;
  lastModifiedAt: string;
}

/** ARM's systemData: who created and last modified a resource, from the caller's token. */
export function systemDataFor(caller: CallerPrincipal, now: string, previous?: JsonObject): SystemData {
  const by = caller.kind === 'ServicePrincipal' ? caller.appId ?? caller.objectId : caller.kind === 'User' ? caller.displayName ?? caller.objectId : caller.objectId;
  const byType = caller.kind === 'ServicePrincipal' ? 'Application' : caller.kind === 'ManagedIdentity' ? 'ManagedIdentity' : 'User';
  return {
    createdBy: (previous?.createdBy as string) ?? by,
    createdByType: (previous?.createdByType as string) ?? byType,
    createdAt: (previous?.createdAt as string) ?? now,
    lastModifiedBy: by,
    lastModifiedByType: byType,
    lastModifiedAt: now,
  };
}
