/**
 * Which members of a Microsoft.NetworkCloud resource are references to other resources, and to
 * which types: derived from the generated model, not listed by hand.
 *
 * The upstream facts mark ids with `format=arm-id` but do not say which resource types an id may
 * name. The target is therefore read from the member's name, against the model's own types: a
 * `cloudServicesNetworkId` names a cloudServicesNetworks resource, an `agentPoolId` an agentPools
 * one, and a `networkId` inside `l3Networks[]` an l3Networks one. Ids into other providers resolve
 * through FOREIGN_TYPES (type names the model does not have). What names cannot tell, and members
 * the facts leave without the arm-id format, are in REFERENCE_RULES, each with its reason.
 */
import type { Field } from './schema.js';
import type { TypeModel } from './model.js';

export const NC = 'Microsoft.NetworkCloud';

export interface ReferenceField {
  /** Dot path from the top; `[]` marks an array's items, e.g. 'properties.networkAttachments[].attachedNetworkId'. */
  path: string;
  /** Full types the id may name (e.g. 'Microsoft.NetworkCloud/l3Networks'); empty: any well-formed id. */
  targets: string[];
  /** A customer writes it (it is in a PUT or PATCH tree of some version); otherwise the service does. */
  writable: boolean;
  /** It puts the target in use (in-use delete, associated ids); a placement hint does not. */
  use: boolean;
  /** The reason, where a hand rule decided the targets. */
  rule?: string;
}

/** Types of other providers that Microsoft.NetworkCloud ids point at, by their type name. */
export const FOREIGN_TYPES: Record<string, string> = {
  networkFabrics: 'Microsoft.ManagedNetworkFabric',
  networkFabricControllers: 'Microsoft.ManagedNetworkFabric',
  networkRacks: 'Microsoft.ManagedNetworkFabric',
  l2IsolationDomains: 'Microsoft.ManagedNetworkFabric',
  l3IsolationDomains: 'Microsoft.ManagedNetworkFabric',
  customLocations: 'Microsoft.ExtendedLocation',
  userAssignedIdentities: 'Microsoft.ManagedIdentity',
  vaults: 'Microsoft.KeyVault',
  workspaces: 'Microsoft.OperationalInsights',
  namespaces: 'Microsoft.Relay',
  privateLinkServices: 'Microsoft.Network',
  connectedClusters: 'Microsoft.Kubernetes',
};

/** Member-name stems whose type name differs from the stem (the rest of the name is the type's). */
const STEM_ALIASES: Record<string, string> = {
  keyVault: 'vaults',
  analyticsWorkspace: 'workspaces',
  relayNamespace: 'namespaces',
  fabricController: 'networkFabricControllers',
  assignedStorageAppliance: 'storageAppliances',
};

const NETWORKS = ['l2Networks', 'l3Networks', 'trunkedNetworks'].map((t) => `${NC}/${t}`);

/**
 * Hand rules: a path (or the end of one, after any type) and what it names. Applied before the
 * derivation by name; `targets` may be empty (form only).
 */
export const REFERENCE_RULES: { match: RegExp; targets: string[]; use?: boolean; rule: string }[] = [
  { match: /cloudServicesNetworkAttachment\.attachedNetworkId$/, targets: [`${NC}/cloudServicesNetworks`], rule: 'a VM\'s cloud services attachment names a cloud services network (its name says so; the facts give no type)' },
  { match: /attachedNetworkId$/, targets: NETWORKS, rule: 'a network attachment names an L2, L3 or trunked network' },
  { match: /cniNetworkId$/, targets: [`${NC}/l3Networks`], rule: 'a Kubernetes cluster\'s CNI network is an L3 network' },
  { match: /^properties\.networkId$/, targets: [...NETWORKS, `${NC}/cloudServicesNetworks`], rule: 'an access bridge names one of the provider\'s networks; the facts do not say which kinds' },
  { match: /placementHints\[\]\.resourceId$/, targets: [`${NC}/bareMetalMachines`, `${NC}/racks`, `${NC}/virtualMachines`], use: false, rule: 'a placement hint names a machine, a rack, or another VM (whose machine it means); it is a hint, not a use' },
  { match: /storageProfile\.volumeAttachments\[\]$/, targets: [`${NC}/volumes`], rule: 'the facts leave volumeAttachments without the arm-id format; its items are volume ids' },
  { match: /isolationDomainIds\[\]$/, targets: ['Microsoft.ManagedNetworkFabric/l2IsolationDomains', 'Microsoft.ManagedNetworkFabric/l3IsolationDomains'], rule: 'a trunked network\'s isolation domains are L2 or L3 isolation domains of the fabric; the facts give no format' },
  { match: /^extendedLocation\.name$/, targets: ['Microsoft.ExtendedLocation/customLocations'], use: false, rule: 'an extendedLocation of type CustomLocation names the custom location by its id; the facts give no format' },
  { match: /(AssociatedIds|associatedResourceIds|attachedTo)(\[\])?$/, targets: [], use: false, rule: 'derived from the other resources (associations.ts), never a reference of its own' },
];

/** The target types a member name implies, against the model's types and FOREIGN_TYPES. */
function targetsByName(path: string, types: TypeModel[]): string[] {
  const segments = path.replace(/\[\]/g, '').split('.');
  const key = segments[segments.length - 1];
  const stem = key.replace(/(Resource)?Ids?$/, '');
  const plural = STEM_ALIASES[stem] ?? stem;
  const candidates = [plural, `${plural}s`, `${plural}es`, plural.replace(/y$/, 'ies')].map((c) => c.toLowerCase());
  const own = types.find((t) => candidates.includes(t.segment.toLowerCase()));
  if (own) return [own.fullType];
  const foreign = Object.keys(FOREIGN_TYPES).find((t) => candidates.includes(t.toLowerCase()));
  if (foreign) return [`${FOREIGN_TYPES[foreign]}/${foreign}`];
  // A bare 'networkId' or 'resourceId' inside a member named after a type (l3Networks[].networkId).
  for (const ancestor of segments.slice(0, -1).reverse()) {
    const t = types.find((x) => x.segment.toLowerCase() === ancestor.toLowerCase());
    if (t) return [t.fullType];
  }
  return [];
}

function collect(tree: Field | undefined, out: Map<string, { readOnly: boolean }>): void {
  if (!tree) return;
  const add = (path: string, ro: boolean) => {
    const seen = out.get(path);
    out.set(path, { readOnly: seen ? seen.readOnly && ro : ro });
  };
  // Read-only is inherited: everything under a read-only member (a cluster's nodes[]) is the service's.
  const visit = (f: Field, path: string, inherited: boolean) => {
    const ro = inherited || !!f.readOnly;
    if (f.type === 'string' && path !== 'id' && (f.format === 'arm-id' || REFERENCE_RULES.some((r) => r.targets.length && r.match.test(path)))) add(path, ro);
    if (f.type === 'array' && f.items?.type === 'string' && (f.items.format === 'arm-id' || REFERENCE_RULES.some((r) => r.targets.length && r.match.test(`${path}[]`)))) add(`${path}[]`, ro);
    if (f.fields) for (const [k, c] of Object.entries(f.fields)) visit(c, path ? `${path}.${k}` : k, ro);
    if (f.type === 'array' && f.items?.fields) visit(f.items, `${path}[]`, ro);
  };
  visit(tree, '', false);
}

const cache = new Map<string, ReferenceField[]>();

/** Every reference member of a type across all its versions (computed once per type). */
export function referenceFields(type: TypeModel, types: TypeModel[]): ReferenceField[] {
  const known = cache.get(type.fullType);
  if (known) return known;
  const found = new Map<string, { readOnly: boolean }>();
  for (const v of type.versions) {
    const m = type.require(v);
    // The GET trees say what a customer may write (the facts' request trees elide repeated definitions).
    collect(m.get, found);
    collect(m.put, found);
    collect(m.patch, found);
  }
  const out: ReferenceField[] = [];
  for (const [path, { readOnly }] of [...found].sort(([a], [b]) => a.localeCompare(b))) {
    const rule = REFERENCE_RULES.find((r) => r.match.test(path));
    if (rule && !rule.targets.length && rule.use === false) continue; // derived state, not a reference
    const targets = rule ? rule.targets : targetsByName(path, types);
    out.push({ path, targets, writable: !readOnly, use: rule?.use ?? true, ...(rule ? { rule: rule.rule } : {}) });
  }
  cache.set(type.fullType, out);
  return out;
}

/** The string values at a reference path of a document, each with its concrete path (indices filled in). */
export function valuesAt(doc: unknown, path: string): { value: string; at: string }[] {
  const out: { value: string; at: string }[] = [];
  const walk = (v: unknown, parts: string[], at: string) => {
    if (v === undefined || v === null) return;
    if (!parts.length) {
      if (typeof v === 'string' && v !== '') out.push({ value: v, at });
      return;
    }
    const [head, ...rest] = parts;
    const isArray = head.endsWith('[]');
    const key = isArray ? head.slice(0, -2) : head;
    const child = key === '' ? v : typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined;
    const here = key === '' ? at : at ? `${at}.${key}` : key;
    if (isArray) {
      if (Array.isArray(child)) child.forEach((item, i) => walk(item, rest, `${here}[${i}]`));
    } else walk(child, rest, here);
  };
  walk(doc, path.split('.'), '');
  return out;
}

/** The full type an id names ('Microsoft.NetworkCloud/clusters/bmcKeySets'), or undefined when it is not a resource id. */
export function typeOfId(id: string): string | undefined {
  const m = /^\/subscriptions\/[^/]+(?:\/resourceGroups\/[^/]+)?\/providers\/([^/]+)((?:\/[^/]+\/[^/]+)+)\/?$/i.exec(id);
  if (!m) return undefined;
  const parts = m[2].split('/').filter(Boolean);
  return [m[1], ...parts.filter((_p, i) => i % 2 === 0)].join('/');
}
