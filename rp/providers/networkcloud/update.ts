/** Read-modify-write of a stored resource by the platform (not by a client): new etag, durable on return. */
import type { JsonObject } from '../../api/derive.js';
import { newEtag } from '../../arm/etag.js';
import { idKey } from '../../arm/resource-id.js';
import type { EmulatorHost } from '../../host.js';
import { RESOURCES, type StoredResource } from '../resource-store.js';

export async function updateResource(emu: EmulatorHost, id: string, mutate: (hub: JsonObject, props: JsonObject) => void): Promise<StoredResource | undefined> {
  const stored = emu.store.get<StoredResource>(RESOURCES, idKey(id));
  if (!stored) return undefined;
  const hub = structuredClone(stored.resource);
  const props = (hub.properties ??= {}) as JsonObject;
  mutate(hub, props);
  hub.etag = newEtag();
  const next = { ...stored, resource: hub };
  await emu.store.put(RESOURCES, idKey(id), next);
  return next;
}
