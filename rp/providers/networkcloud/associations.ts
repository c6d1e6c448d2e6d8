/**
 * Who uses whom, among the provider's resources: a reverse index of every reference member
 * (rp/api/references.ts) of every stored Microsoft.NetworkCloud resource, and the read-only state
 * derived from it at read time, so that it is true by construction as resources come and go:
 *  - `associatedResourceIds`: every resource that uses this one (a network's VMs and Kubernetes
 *    clusters, a machine's VMs and Kubernetes clusters);
 *  - `<type>AssociatedIds` (`virtualMachinesAssociatedIds`): those of that type; a type the
 *    provider does not have (`hybridAksClustersAssociatedIds`, the retired hybrid AKS) lists none;
 *  - `attachedTo` (volumes): the resources a volume is attached to;
 *  - `clusterId`: the cluster whose custom location the resource's extendedLocation names, where
 *    the resource does not already store one.
 *
 * The index is rebuilt when the resources collection has changed since the last build (the
 * store's change counter), and only when something reads it; what each resource references is
 * remembered per stored object, so a rebuild re-reads only what changed. Derived views are
 * remembered per index, so repeated GETs of a resource cost a lookup.
 */
import { isObject, type Json, type JsonObject } from '../../api/derive.js';
import type { TypeModel } from '../../api/model.js';
import { NC, referenceFields, valuesAt, type ReferenceField } from '../../api/references.js';
import { NETWORKCLOUD_TYPES, networkCloudType } from '../../api/registry.js';
import { idKey } from '../../arm/resource-id.js';
import type { Store } from '../../store/store.js';
import { RESOURCES, type StoredResource } from '../resource-store.js';

export interface Referrer {
  /** The referring resource's id, in its stored casing. */
  id: string;
  /** Its lower-cased id. */
  key: string;
  type: string;
  seq: number;
  /** The member that holds the reference, with indices (e.g. properties.networkAttachments[0].attachedNetworkId). */
  at: string;
  field: ReferenceField;
}

interface Index {
  version: number;
  /** Lower-cased target id -> who references it. */
  byTarget: Map<string, Referrer[]>;
  /** Lower-cased custom location id -> the cluster whose custom location it is. */
  clusterByLocation: Map<string, string>;
  /** Derived views made from this index, per stored object (a write stores a new object and a new index). */
  derived: WeakMap<StoredResource, { hub: JsonObject; key: string } | null>;
}

const indexes = new WeakMap<Store, Index>();

function typeOf(stored: StoredResource): TypeModel | undefined {
  const [ns, ...rest] = stored.type.split('/');
  return ns.toLowerCase() === NC.toLowerCase() ? networkCloudType(rest.join('/')) : undefined;
}

/** The reference members of a stored resource's type. */
export function fieldsOf(type: TypeModel): ReferenceField[] {
  return referenceFields(type, NETWORKCLOUD_TYPES);
}

interface Outgoing {
  refs: { target: string; referrer: Referrer }[];
  locations: string[];
}

/**
 * What one stored resource references, remembered per stored object: every write stores a new
 * object, so a rebuild of the index re-reads only the resources that changed.
 */
const outgoing = new WeakMap<StoredResource, Outgoing | null>();

function outgoingOf(stored: StoredResource): Outgoing | null {
  const known = outgoing.get(stored);
  if (known !== undefined) return known;
  const type = typeOf(stored);
  let out: Outgoing | null = null;
  if (type) {
    out = { refs: [], locations: [] };
    const key = idKey(stored.id);
    for (const field of fieldsOf(type)) {
      for (const { value, at } of valuesAt(stored.resource, field.path)) out.refs.push({ target: idKey(value), referrer: { id: stored.id, key, type: stored.type, seq: stored.seq, at, field } });
    }
    if (type.type === 'clusters') {
      const props = stored.resource.properties;
      for (const member of ['clusterExtendedLocation', 'hybridAksExtendedLocation']) {
        const name = isObject(props) && isObject(props[member]) ? (props[member] as JsonObject).name : undefined;
        if (typeof name === 'string') out.locations.push(name.toLowerCase());
      }
    }
    if (!out.refs.length && !out.locations.length) out = null;
  }
  outgoing.set(stored, out);
  return out;
}

function build(store: Store, version: number): Index {
  const byTarget = new Map<string, Referrer[]>();
  const clusterByLocation = new Map<string, string>();
  for (const stored of store.list<StoredResource>(RESOURCES)) {
    const out = outgoingOf(stored);
    if (!out) continue;
    for (const l of out.locations) clusterByLocation.set(l, stored.id);
    for (const { target, referrer } of out.refs) {
      const list = byTarget.get(target);
      if (list) list.push(referrer);
      else byTarget.set(target, [referrer]);
    }
  }
  for (const list of byTarget.values()) if (list.length > 1) list.sort((a, b) => a.seq - b.seq);
  return { version, byTarget, clusterByLocation, derived: new WeakMap() };
}

function index(store: Store): Index {
  const version = store.version(RESOURCES);
  const known = indexes.get(store);
  // NaN (inside a transaction that wrote resources) is never equal: the index is built afresh.
  if (known && known.version === version) return known;
  const fresh = build(store, version);
  if (!Number.isNaN(version)) indexes.set(store, fresh);
  return fresh;
}

/**
 * The resources that use `id` (one entry per referring member), oldest first: what in-use checks
 * and associated ids read. Resources nested under `id` (its own children) are left out.
 */
export function referrersOf(store: Store, id: string, opts: { uses?: boolean; writable?: boolean } = {}): Referrer[] {
  const key = idKey(id);
  const child = `${key}/`;
  return (index(store).byTarget.get(key) ?? []).filter((r) =>
    r.key !== key && !r.key.startsWith(child) && (!opts.uses || r.field.use) && (!opts.writable || r.field.writable));
}

const unique = (ids: string[]) => {
  const seen = new Set<string>();
  return ids.filter((id) => !seen.has(id.toLowerCase()) && seen.add(id.toLowerCase()));
};

/** The derived members a type shows, as the union of its versions' response trees has them. */
function derivedMembers(type: TypeModel): string[] {
  const props = type.hub.fields?.properties?.fields ?? {};
  return Object.keys(props).filter((k) => k === 'associatedResourceIds' || k === 'attachedTo' || k.endsWith('AssociatedIds') || k === 'clusterId');
}

const derivedCache = new WeakMap<TypeModel, string[]>();

/**
 * The stored resource with its derived members filled in, and a key that changes whenever they do
 * (for the view cache); undefined when the type derives nothing.
 */
export function withDerivedState(store: Store, stored: StoredResource): { hub: JsonObject; key: string } | undefined {
  const type = typeOf(stored);
  if (!type) return undefined;
  let members = derivedCache.get(type);
  if (!members) derivedCache.set(type, (members = derivedMembers(type)));
  if (!members.length) return undefined;
  const idx = index(store);
  const memo = idx.derived.get(stored);
  if (memo !== undefined) return memo ?? undefined;
  const made = derive(store, stored, members);
  idx.derived.set(stored, made);
  return made;
}

function derive(store: Store, stored: StoredResource, members: string[]): { hub: JsonObject; key: string } {
  const props = isObject(stored.resource.properties) ? stored.resource.properties : {};
  const derived: JsonObject = {};
  const users = members.some((m) => m !== 'clusterId') ? referrersOf(store, stored.id, { uses: true }) : [];
  for (const m of members) {
    if (m === 'clusterId') {
      if (typeof props.clusterId === 'string' && props.clusterId) continue;
      const location = isObject(stored.resource.extendedLocation) ? stored.resource.extendedLocation.name : undefined;
      const cluster = typeof location === 'string' ? index(store).clusterByLocation.get(location.toLowerCase()) : undefined;
      if (cluster) derived.clusterId = cluster;
    } else if (m === 'associatedResourceIds' || m === 'attachedTo') {
      derived[m] = unique(users.map((u) => u.id));
    } else {
      const segment = m.slice(0, -'AssociatedIds'.length).toLowerCase();
      derived[m] = unique(users.filter((u) => u.type.split('/').pop()!.toLowerCase() === segment).map((u) => u.id));
    }
  }
  const hub: JsonObject = { ...stored.resource, properties: { ...props, ...derived } as Json };
  return { hub, key: JSON.stringify(derived) };
}
