/**
 * After a restart: a resource that shows a transitional state but has no operation in flight was
 * left so by an older version of the emulator (which wrote the two separately) and would refuse
 * every write for good. It is marked Failed, so it can be written again; a cluster whose deployment
 * never finished shows Failed and may be deployed again. Today's writes cannot leave this state
 * (the change and its operation are one commit), so on their data this finds nothing.
 */
import { newEtag } from '../arm/etag.js';
import type { Store, StoreOp } from '../store/store.js';
import { RESOURCES, type StoredResource } from './resource-store.js';

const TRANSITIONAL = new Set(['Accepted', 'Updating', 'Provisioning', 'Validating', 'Deleting']);

/** Frees resources stuck in a transitional state without an operation; returns their ids. */
export async function repairInterrupted(store: Store, busy: Set<string>, now: string): Promise<string[]> {
  const ops: StoreOp[] = [];
  const repaired: string[] = [];
  for (const [key, stored] of store.entries<StoredResource>(RESOURCES)) {
    if (busy.has(stored.id.toLowerCase())) continue;
    const props = stored.resource.properties;
    if (typeof props !== 'object' || props === null || Array.isArray(props)) continue;
    const stuckState = TRANSITIONAL.has(String(props.provisioningState));
    const stuckDeploy = stored.type.toLowerCase() === 'microsoft.networkcloud/clusters' && props.detailedStatus === 'Deploying';
    if (!stuckState && !stuckDeploy) continue;
    const next = { ...props };
    if (stuckState) next.provisioningState = 'Failed';
    if (stuckDeploy) {
      next.detailedStatus = 'Failed';
      next.detailedStatusMessage = `The deployment was interrupted when the emulator stopped (${now}); deploy the cluster again.`;
    }
    ops.push({ op: 'put', collection: RESOURCES, key, value: { ...stored, resource: { ...stored.resource, etag: newEtag(), properties: next } } });
    repaired.push(stored.id);
  }
  if (ops.length) await store.batch(ops);
  return repaired;
}
