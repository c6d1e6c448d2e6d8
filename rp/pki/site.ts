/**
 * The per-cluster "site": what cert-manager and trust-manager hold inside a deployed Nexus cluster.
 * It issues the hierarchy and the endpoint leaves at deploy, keeps the BMC and storage-appliance
 * management endpoints listening, renews leaves and rotates issuers as the emulator's clock moves,
 * applies revocation rules and publishes CRLs, and honours a customer's own CA (bring your own issuer).
 *
 * Store layout (every record keyed by the lower-cased cluster id):
 *   clusterPki      ClusterPkiRecord: the CA certificates (root, interface/infra issuers, pending and
 *                   retiring successors). Public.
 *   clusterPkiKeys  every private key of the site by certificate serial (root, issuers, current leaves,
 *                   a customer CA key or CSR key). The only place keys live; the store file is 0600.
 *   pkiSites        SiteRecord: leaves and their endpoints, the history of issued leaves, revocation
 *                   rules, published CRLs (numbers and DER), the caCertificate the resources show. Public.
 *   pkiSiteConfig   SiteConfig: settings and bring-your-own-issuer material given before deploy. Public.
 *
 * Decisions are the library's pure functions (policy.ts, crl.ts, cluster-pki.ts), certificates its
 * profiles dated by site-issuance.ts's two-clock policy; this module gathers inputs, applies outcomes
 * and keeps the order the platform promises: leaves from a new interface issuer are served before
 * caCertificate names it; the trust bundle goes old → old+new → new.
 */
import { randomUUID } from 'node:crypto';
import type { JsonObject } from '../api/derive.js';
import { KeyedLock } from '../arm/locks.js';
import { idKey, parseResourceId } from '../arm/resource-id.js';
import { parseDuration } from '../clock.js';
import type { EmulatorHost } from '../host.js';
import { resourceLockKey } from '../arm/locks.js';
import { updateResource } from '../providers/networkcloud/update.js';
import { RESOURCES, type StoredResource } from '../providers/resource-store.js';
import type { StoreOp } from '../store/store.js';
import {
  allIssuers, DEFAULT_CLUSTER_PKI_SETTINGS, DEFAULT_LEAF_GROUPS, issueIssuerCa, issueLeaf, issueRootCa, issuerFor, issuerSubject, LEAF_ISSUER, leafNeedsReissue, signerOf,
  type CertificateRecord, type ClusterPkiKeys, type ClusterPkiRecord, type ClusterPkiSettings, type HierarchyIdentity, type IssuerPurpose, type LeafPurpose,
  type LeafRequest, type Signer,
} from './cluster-pki.js';
import { buildCrl, matchesRevocation, revokedEntries, validateRevocationEntry, type CrlReason, type RevocationEntry, type RevocationSelectorKind } from './crl.js';
import { EndpointRegistry } from './endpoint-registry.js';
import type { EndpointKind } from './endpoints.js';
import { issuerRotationPlan, toMs } from './policy.js';
import {
  acceptCustomerCa, acceptSignedIssuer, adoptedIssuerRecord, createIssuerCsr, siteDating, siteNotBefore,
  SiteInputError, type ExternalCaRecord, type IssueTimes, type SiteCertificate,
} from './site-issuance.js';
import { importPrivateKeyPem, KEY_ALGORITHMS, randomSerial, type KeyAlgorithm } from './x509.js';

export { SiteInputError };

export const CLUSTER_PKI = 'clusterPki';
export const CLUSTER_PKI_KEYS = 'clusterPkiKeys';
export const PKI_SITES = 'pkiSites';
export const PKI_SITE_CONFIG = 'pkiSiteConfig';
/** Issuance history: one record per certificate revision, keyed `${siteKey}|${name}|${revision}` (public). */
export const PKI_HISTORY = 'pkiHistory';
/** CRL history: one record per CRL number, keyed `${siteKey}|${fileId}|${crlNumber}` (public). */
export const PKI_CRL_HISTORY = 'pkiCrlHistory';
const SITE_COLLECTIONS = [PKI_SITES, PKI_SITE_CONFIG, CLUSTER_PKI, CLUSTER_PKI_KEYS];
const HISTORY_COLLECTIONS = [PKI_HISTORY, PKI_CRL_HISTORY];

const DAY = 86_400_000;
const ISSUER_PURPOSES: IssuerPurpose[] = ['interfaceIssuer', 'infraIssuer'];
/** The longest overlap of old and new issuer in the trust bundle; shorter issuers overlap a third of their life. */
const DEFAULT_ROTATION_OVERLAP_MS = 60 * DAY;
/** CRLs are re-signed when their content changes or half of this has passed on the clock. */
const CRL_VALIDITY_MS = DAY;
/** The longest root overlap by default; shorter roots overlap a third of their life. */
const DEFAULT_ROOT_OVERLAP_MS = 365 * DAY;
/** The clock event of a site (one per site; see Clock.schedule). */
const eventKey = (key: string) => `pki-site:${key}`;
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Emulated platform services with infra-issuer certificates (no live listener: they are not reachable from outside). */
export const PLATFORM_SERVICES: ReadonlyArray<{ serviceName: string; dnsNames: string[]; clientAuth?: boolean }> = [
  { serviceName: 'cluster-api-webhook', dnsNames: ['capi-webhook-service.nc-system.svc', 'capi-webhook-service.nc-system.svc.cluster.local'] },
  { serviceName: 'ironic', dnsNames: ['ironic.nc-system.svc', 'ironic.nc-system.svc.cluster.local'], clientAuth: true },
  { serviceName: 'platform-metrics', dnsNames: ['metrics.nc-system.svc', 'metrics.nc-system.svc.cluster.local'] },
];

// ---------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------

export type IssuerMode = 'selfSigned' | 'customerCa' | 'customerSignedCsr';

/** A leaf keeps what it was requested with (all but the revision, which its certificate carries): renewals repeat it. */
export interface SiteLeaf extends Omit<LeafRequest, 'revision'> {
  certificate: SiteCertificate;
  /** The live listener that presents it (BMC and storage appliance leaves), or null. */
  endpoint: { kind: EndpointKind; resourceId: string; resourceName: string; host: string; port: number } | null;
  /** The last issuance attempt failed (cert-manager's Issuing=False, Failed). */
  failure?: { message: string; at: string };
}

/** Every leaf the site ever issued, while it can still be valid: what revocation rules and CRLs read. */
/** Why a certificate revision was issued (its history's reason). */
export type IssuanceReason = 'Deployed' | 'Renewal' | 'IssuerRotation' | 'RootRotation' | 'Revocation' | 'Rotation';

/**
 * One revision of a certificate of the site, kept for good. `materialized` is false for a leaf that
 * was superseded during a clock jump before anyone could connect to it: its serial and dates are
 * exact (CRLs name it), but no key pair was generated for it.
 */
export interface HistoryRecord {
  name: string;
  revision: number;
  serial: string;
  issuedAt: string;
  notBefore: string;
  notAfter: string;
  reason: IssuanceReason;
  issuerName: string;
  issuerSerial: string;
  materialized: boolean;
}

/** One CRL the site published (a CRL number of an issuer), signed or, if superseded within a jump, recorded only. */
export interface CrlHistoryRecord {
  fileId: string;
  issuerSerial: string;
  crlNumber: number;
  thisUpdate: string;
  nextUpdate: string;
  revokedSerials: string[];
  signed: boolean;
}

/** A certificate recorded without a key pair (see HistoryRecord.materialized): no PEM, no fingerprint. */
export function isPhantom(cert: Pick<CertificateRecord, 'certPem'>): boolean {
  return cert.certPem === '';
}

export interface IssuedLeaf {
  name: string;
  serial: string;
  revision: number;
  issuerName: string;
  issuerSerial: string;
  groups: string[];
  dnsNames: string[];
  ipAddresses: string[];
  issuedAt: string;
  notAfter: string;
}

export interface RevocationRule extends RevocationEntry {
  id: string;
  /** When the rule was made on the emulator's clock (also its revokedAt). */
  createdAt: string;
}

export interface PublishedCrl {
  /** `${issuerName}-r${revision}`: the file name of its distribution point. */
  id: string;
  issuerSerial: string;
  crlNumber: number;
  contentKey: string;
  thisUpdate: string;
  nextUpdate: string;
  /** When it was signed on the emulator's clock; it is re-signed half a validity later. */
  signedAt: string;
  derBase64: string;
}

export interface SiteRecord {
  clusterId: string;
  pkiId: string;
  deployedAt: string;
  issuerMode: IssuerMode;
  rotationOverlapMs: number;
  /** Customer CA certificates (signing CA first), when the interface issuer chains to one. */
  externalCa: ExternalCaRecord[];
  leaves: Record<string, SiteLeaf>;
  history: IssuedLeaf[];
  revocations: RevocationRule[];
  crls: Record<string, PublishedCrl>;
  /** Fingerprint of the interface issuer the BMM/SA resources show as caCertificate. */
  caCertificateHash: string;
  issuerFailures: Partial<Record<IssuerPurpose | 'rootCa', { message: string; at: string }>>;
  /** How long old and new root overlap in the trust bundle; null: the root is never rotated (undefined: the default). */
  rootRotationOverlapMs?: number | null;
}

export interface SiteConfig {
  clusterId: string;
  /** Chosen when the cluster is first configured, so a CSR made before deploy names the right issuer. */
  pkiId: string;
  settings: Partial<ClusterPkiSettings>;
  rotationOverlapMs?: number;
  /** null: root rotation disabled; undefined: the default overlap. */
  rootRotationOverlapMs?: number | null;
  issuer:
    | { mode: 'selfSigned' }
    | { mode: 'customerCa'; chain: ExternalCaRecord[] }
    | { mode: 'customerSignedCsr'; csrPem: string; keyAlgorithm: KeyAlgorithm; issuerPem?: string; chain?: ExternalCaRecord[] };
  updatedAt: string;
}

/** Where the CSR flow keeps its key in the secret collection until deploy files it under the certificate's serial. */
const CSR_KEY = 'interface-issuer-csr';

interface SiteState {
  key: string;
  pki: ClusterPkiRecord;
  keys: ClusterPkiKeys;
  site: SiteRecord;
  /** History records written with the state (the same commit). */
  journal: StoreOp[];
}

export interface SiteSnapshot {
  pki: ClusterPkiRecord;
  site: SiteRecord;
}

// ---------------------------------------------------------------------------------------------
// Pure helpers
// ---------------------------------------------------------------------------------------------

function dnsLabel(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
}

export function bmcDnsName(machineName: string, clusterName: string): string {
  return `${dnsLabel(machineName)}.bmc.${dnsLabel(clusterName)}.nexus.local`;
}

export function storageDnsName(applianceName: string, clusterName: string): string {
  return `${dnsLabel(applianceName)}.storage.${dnsLabel(clusterName)}.nexus.local`;
}

export function bmcConnectionString(port: number): string {
  return `redfish+https://127.0.0.1:${port}/redfish/v1/Systems/System.Embedded.1`;
}

/** PEM without a trailing newline, as the service shows caCertificate.value. */
function servicePem(pem: string): string {
  return pem.replace(/\r\n/g, '\n').replace(/\n+$/, '');
}

export function caCertificateValue(issuer: CertificateRecord): { value: string; hash: string } {
  return { value: servicePem(issuer.certPem), hash: issuer.fingerprint };
}

export function crlFileId(issuer: Pick<CertificateRecord, 'name' | 'revision'>): string {
  return `${issuer.name}-r${issuer.revision}`;
}

function issuedAtOf(cert: CertificateRecord): string {
  return (cert as Partial<SiteCertificate>).issuedAt ?? cert.notBefore;
}

/** The rotation overlap an issuer gets: the configured one, shortened to a third of a short issuer's life. */
export function overlapFor(issuer: CertificateRecord, configuredMs: number): number {
  const life = toMs(issuer.notAfter) - toMs(issuedAtOf(issuer));
  return Math.max(1000, Math.min(configuredMs, Math.floor(life / 3)));
}

/** The overlap a root gets: the configured one, kept shorter than its life. */
export function rootOverlapFor(root: CertificateRecord, configuredMs: number): number {
  const life = toMs(root.notAfter) - toMs(issuedAtOf(root));
  return Math.max(1000, Math.min(configuredMs, life - 1000));
}

/** The notAfter of the CA that signs an issuer's successor (the root, or the customer CA). */
function parentNotAfterMs(pki: ClusterPkiRecord, site: SiteRecord, purpose: IssuerPurpose): number {
  if (purpose === 'interfaceIssuer' && site.issuerMode === 'customerCa' && site.externalCa[0]) return toMs(site.externalCa[0].notAfter);
  return toMs(pki.rootCa.notAfter);
}

/**
 * Whether a successor could outlive the current issuer: children are capped at their signer's
 * notAfter, so once the signer expires no later than the issuer, rotating gains nothing (and would
 * rotate ever shorter issuers towards the signer's expiry).
 */
function successorCanOutlive(pki: ClusterPkiRecord, site: SiteRecord, purpose: IssuerPurpose): boolean {
  return parentNotAfterMs(pki, site, purpose) > toMs(pki[purpose].notAfter);
}

/** The CAs whose CRLs the site publishes: the root(s) and every issuer that still signs or is trusted. */
function crlIssuers(pki: ClusterPkiRecord): CertificateRecord[] {
  return [pki.rootCa, ...(pki.retiringRoots ?? []), pki.interfaceIssuer, pki.infraIssuer, ...pki.retiringIssuers];
}

/** What a revocation rule compares: the names, the group and the virtual-clock issuance instant. */
export function candidateOf(leaf: Pick<IssuedLeaf, 'serial' | 'groups' | 'dnsNames' | 'ipAddresses' | 'issuedAt'>) {
  return { serial: leaf.serial, groups: leaf.groups, dnsNames: leaf.dnsNames, ipAddresses: leaf.ipAddresses, notBefore: leaf.issuedAt };
}

function historyEntry(leaf: SiteLeaf, issuer: CertificateRecord): IssuedLeaf {
  const c = leaf.certificate;
  return {
    name: c.name, serial: c.serial, revision: c.revision, issuerName: issuer.name, issuerSerial: issuer.serial,
    groups: [leaf.group], dnsNames: c.dnsNames, ipAddresses: c.ipAddresses, issuedAt: c.issuedAt, notAfter: c.notAfter,
  };
}

/** The rules that revoke this certificate (empty when it is not revoked). */
export function revokingRules(site: SiteRecord, leaf: Pick<IssuedLeaf, 'serial' | 'groups' | 'dnsNames' | 'ipAddresses' | 'issuedAt'>): RevocationRule[] {
  return site.revocations.filter((r) => matchesRevocation(candidateOf(leaf), r));
}

function currentLeafFacts(leaf: SiteLeaf): IssuedLeaf {
  return historyEntry(leaf, { name: leaf.certificate.issuerName, serial: leaf.certificate.issuerSerial } as CertificateRecord);
}

export function effectiveSettings(given: Partial<ClusterPkiSettings>): ClusterPkiSettings {
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  return { ...DEFAULT_CLUSTER_PKI_SETTINGS, ...defined };
}

/** Parses the settings body of PUT …/settings: durations like "90d" or ISO 8601 ("P90D"). */
export function parseSettingsInput(body: unknown): { settings: Partial<ClusterPkiSettings>; rotationOverlapMs?: number; rootRotationOverlapMs?: number | null } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new SiteInputError('InvalidRequestContent', 'Send a JSON object of settings.');
  const allowed = ['keyAlgorithm', 'rootLifetime', 'issuerLifetime', 'leafLifetime', 'renewalFraction', 'rotationOverlap', 'rootRotation', 'rootRotationOverlap'];
  const input = body as Record<string, unknown>;
  for (const k of Object.keys(input)) if (!allowed.includes(k)) throw new SiteInputError('InvalidRequestContent', `Unknown setting '${k}'; settings are ${allowed.join(', ')}.`);
  const duration = (k: string): number | undefined => {
    const v = input[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw new SiteInputError('InvalidRequestContent', `'${k}' must be a duration string such as "90d" or "P90D".`);
    try {
      const ms = parseDuration(v);
      if (ms < 1000) throw new RangeError('at least one second');
      return ms;
    } catch (e) {
      throw new SiteInputError('InvalidRequestContent', `'${k}': ${(e as Error).message}`);
    }
  };
  const settings: Partial<ClusterPkiSettings> = {
    rootLifetimeMs: duration('rootLifetime'),
    issuerLifetimeMs: duration('issuerLifetime'),
    leafLifetimeMs: duration('leafLifetime'),
  };
  if (input.keyAlgorithm !== undefined && input.keyAlgorithm !== null) {
    if (!KEY_ALGORITHMS.includes(input.keyAlgorithm as KeyAlgorithm)) {
      throw new SiteInputError('InvalidRequestContent', `'keyAlgorithm' must be one of ${KEY_ALGORITHMS.join(', ')}.`);
    }
    settings.keyAlgorithm = input.keyAlgorithm as KeyAlgorithm;
  }
  if (input.renewalFraction !== undefined && input.renewalFraction !== null) {
    const f = input.renewalFraction;
    if (typeof f !== 'number' || !(f > 0 && f < 1)) throw new SiteInputError('InvalidRequestContent', "'renewalFraction' must be a number between 0 and 1 (cert-manager renews at 2/3).");
    settings.renewalFraction = f;
  }
  const e = effectiveSettings(settings);
  if (e.issuerLifetimeMs > e.rootLifetimeMs) throw new SiteInputError('InvalidRequestContent', 'issuerLifetime must not exceed rootLifetime.');
  if (e.leafLifetimeMs > e.issuerLifetimeMs) throw new SiteInputError('InvalidRequestContent', 'leafLifetime must not exceed issuerLifetime.');
  const rotationOverlapMs = duration('rotationOverlap');
  if (rotationOverlapMs !== undefined && rotationOverlapMs >= e.issuerLifetimeMs) {
    throw new SiteInputError('InvalidRequestContent', 'rotationOverlap must be shorter than issuerLifetime.');
  }
  if (input.rootRotation !== undefined && input.rootRotation !== null && typeof input.rootRotation !== 'boolean') {
    throw new SiteInputError('InvalidRequestContent', "'rootRotation' must be true (rotate the root before it expires, the default) or false.");
  }
  let rootRotationOverlapMs: number | null | undefined = duration('rootRotationOverlap');
  if (input.rootRotation === false) {
    if (rootRotationOverlapMs !== undefined) throw new SiteInputError('InvalidRequestContent', "'rootRotationOverlap' has no meaning with rootRotation false.");
    rootRotationOverlapMs = null;
  } else if (rootRotationOverlapMs !== undefined && rootRotationOverlapMs >= e.rootLifetimeMs) {
    throw new SiteInputError('InvalidRequestContent', 'rootRotationOverlap must be shorter than rootLifetime.');
  }
  return { settings: Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)), rotationOverlapMs, rootRotationOverlapMs };
}

export function defaultRotationOverlap(settings: ClusterPkiSettings): number {
  return Math.min(DEFAULT_ROTATION_OVERLAP_MS, Math.floor(settings.issuerLifetimeMs / 3));
}

/** The root's overlap when none is configured: a year, or a third of a shorter root's life. */
export function defaultRootOverlap(settings: ClusterPkiSettings): number {
  return Math.min(DEFAULT_ROOT_OVERLAP_MS, Math.floor(settings.rootLifetimeMs / 3));
}

/** The root overlap in force for a site: null when root rotation is disabled. */
export function rootOverlapOf(pki: ClusterPkiRecord, site: Pick<SiteRecord, 'rootRotationOverlapMs'>): number | null {
  if (site.rootRotationOverlapMs === null) return null;
  return site.rootRotationOverlapMs ?? defaultRootOverlap(pki.settings);
}

/** Every root of the site, current first, then a pending successor and retiring predecessors. */
export function allRoots(pki: ClusterPkiRecord): CertificateRecord[] {
  return [pki.rootCa, ...(pki.pendingRoot ? [pki.pendingRoot] : []), ...(pki.retiringRoots ?? [])];
}

function historyRecord(cert: CertificateRecord, reason: IssuanceReason): HistoryRecord {
  return {
    name: cert.name, revision: cert.revision, serial: cert.serial, issuedAt: issuedAtOf(cert), notBefore: cert.notBefore, notAfter: cert.notAfter,
    reason, issuerName: cert.issuerName, issuerSerial: cert.issuerSerial, materialized: !isPhantom(cert),
  };
}

// ---------------------------------------------------------------------------------------------
// The deployment handle deploy.ts drives
// ---------------------------------------------------------------------------------------------

export interface SiteDeployment {
  /** What every bare metal machine and storage appliance of the cluster reports. */
  readonly caCertificate: { value: string; hash: string };
  /** Registers a machine's BMC; provision() sets props.bmcConnectionString once it listens. */
  addBareMetalMachine(machineName: string, resourceId: string, props: JsonObject): void;
  addStorageAppliance(applianceName: string, resourceId: string, props: JsonObject): void;
  /** Issues every leaf, starts the endpoints, and returns the store writes that make the site durable. */
  provision(): Promise<StoreOp[]>;
  /** Stops what provision() started (the deployment failed after it). */
  abort(): Promise<void>;
}

interface PlannedLeaf {
  request: LeafRequest;
  endpoint: SiteLeaf['endpoint'];
  props?: JsonObject;
}

// ---------------------------------------------------------------------------------------------
// The service
// ---------------------------------------------------------------------------------------------

export class ClusterSites {
  readonly registry: EndpointRegistry;
  private readonly lock = new KeyedLock();
  private started = false;
  private closed = false;
  /** The clock event running now, awaited by stop(). */
  private inFlight: Promise<unknown> = Promise.resolve();

  constructor(private readonly emu: EmulatorHost) {
    this.registry = new EndpointRegistry(emu.connections);
  }

  private times(): IssueTimes {
    return { nowMs: this.emu.clock.nowMs(), wallMs: Date.now(), dating: this.emu.config.certificateDating ?? 'wall' };
  }

  private nowIso(): string {
    return this.emu.clock.iso();
  }

  private crlBase(pkiId: string): string {
    return `${this.emu.endpoint}_emulator/pki/crl/${pkiId}`;
  }

  private crlUrl(pkiId: string, issuer: Pick<CertificateRecord, 'name' | 'revision'>): string {
    return `${this.crlBase(pkiId)}/${crlFileId(issuer)}.crl`;
  }

  // ------------------------------------------------------------------------- state

  private load(key: string): SiteState | undefined {
    const pki = this.emu.store.get<ClusterPkiRecord>(CLUSTER_PKI, key);
    const site = this.emu.store.get<SiteRecord>(PKI_SITES, key);
    const keys = this.emu.store.get<ClusterPkiKeys>(CLUSTER_PKI_KEYS, key);
    if (!pki || !site || !keys) return undefined;
    return { key, pki: structuredClone(pki), site: structuredClone(site), keys: { ...keys }, journal: [] };
  }

  private writes(state: SiteState): StoreOp[] {
    return [
      { op: 'put', collection: CLUSTER_PKI, key: state.key, value: state.pki },
      { op: 'put', collection: CLUSTER_PKI_KEYS, key: state.key, value: state.keys },
      { op: 'put', collection: PKI_SITES, key: state.key, value: state.site },
      ...state.journal.splice(0),
    ];
  }

  private save(state: SiteState): Promise<void> {
    return this.emu.store.batch(this.writes(state));
  }

  /** The stored site of a cluster (read-only: never mutate what this returns). */
  snapshot(clusterId: string): SiteSnapshot | undefined {
    const key = idKey(clusterId);
    const pki = this.emu.store.get<ClusterPkiRecord>(CLUSTER_PKI, key);
    const site = this.emu.store.get<SiteRecord>(PKI_SITES, key);
    return pki && site ? { pki, site } : undefined;
  }

  /** Every deployed site. */
  list(): SiteSnapshot[] {
    const out: SiteSnapshot[] = [];
    for (const [key, site] of this.emu.store.entries<SiteRecord>(PKI_SITES)) {
      const pki = this.emu.store.get<ClusterPkiRecord>(CLUSTER_PKI, key);
      if (pki) out.push({ pki, site });
    }
    return out;
  }

  config(clusterId: string): SiteConfig | undefined {
    return this.emu.store.get<SiteConfig>(PKI_SITE_CONFIG, idKey(clusterId));
  }

  /** The CA that signs the successor of an issuer; null when the emulator does not hold its key (CSR flow). */
  private parentOf(state: SiteState, purpose: IssuerPurpose): Signer | null {
    if (purpose === 'interfaceIssuer' && state.site.issuerMode === 'customerSignedCsr') return null;
    if (purpose === 'interfaceIssuer' && state.site.issuerMode === 'customerCa') return signerOf(state.site.externalCa[0], state.keys);
    return signerOf(state.pki.rootCa, state.keys);
  }

  /** Issuer certificates sent after a leaf: its issuer, then any customer CA that is not a self-signed root. */
  chainOf(pki: ClusterPkiRecord, site: SiteRecord, leaf: CertificateRecord): string[] {
    const issuer = allIssuers(pki).find((i) => i.serial === leaf.issuerSerial);
    if (!issuer) return [];
    const chain = [issuer.certPem];
    if (site.externalCa.length && issuer.purpose === 'interfaceIssuer' && issuer.issuerName !== pki.rootCa.name) {
      for (const ca of site.externalCa) if (!ca.selfSigned) chain.push(ca.certPem);
    }
    return chain;
  }

  private leafSigner(state: SiteState, purpose: LeafPurpose): { signer: Signer; record: CertificateRecord } {
    const record = issuerFor(state.pki, purpose);
    return { signer: signerOf(record, state.keys), record };
  }

  private async issueLeafInto(state: SiteState, request: LeafRequest, t: IssueTimes): Promise<{ certificate: SiteCertificate; keyPem: string }> {
    const { signer, record } = this.leafSigner(state, request.purpose);
    const issued = await issueLeaf(state.pki.settings, request, signer, siteDating(t), this.crlUrl(state.pki.pkiId, record));
    state.keys[issued.certificate.serial] = issued.key;
    return { certificate: issued.certificate, keyPem: issued.key.privateKeyPem };
  }

  // ------------------------------------------------------------------------- configuration before deploy

  private requireCluster(clusterId: string): StoredResource {
    const cluster = this.emu.store.get<StoredResource>(RESOURCES, idKey(clusterId));
    const parts = parseResourceId(clusterId)!;
    if (!cluster || cluster.type.toLowerCase() !== 'microsoft.networkcloud/clusters') {
      throw new SiteInputError('ResourceNotFound', `The Resource 'Microsoft.NetworkCloud/clusters/${parts.name}' under resource group '${parts.resourceGroup}' was not found.`, 404);
    }
    return cluster;
  }

  private requireNotDeployed(clusterId: string): void {
    if (this.emu.store.get(PKI_SITES, idKey(clusterId))) {
      throw new SiteInputError('SiteAlreadyDeployed', 'The cluster is deployed: its PKI settings and issuer are fixed. Configure them before POST …/deploy (delete and re-create the cluster to change them).', 409);
    }
  }

  private baseConfig(clusterId: string, cluster: StoredResource): SiteConfig {
    return this.config(clusterId) ?? { clusterId: cluster.id, pkiId: randomSerial().slice(0, 8), settings: {}, issuer: { mode: 'selfSigned' }, updatedAt: this.nowIso() };
  }

  private configKeys(clusterId: string): ClusterPkiKeys {
    return { ...(this.emu.store.get<ClusterPkiKeys>(CLUSTER_PKI_KEYS, idKey(clusterId)) ?? {}) };
  }

  async putSettings(clusterId: string, body: unknown): Promise<SiteConfig> {
    return this.lock.run(idKey(clusterId), async () => {
      const cluster = this.requireCluster(clusterId);
      this.requireNotDeployed(clusterId);
      const parsed = parseSettingsInput(body);
      const config: SiteConfig = { ...this.baseConfig(clusterId, cluster), settings: parsed.settings, rotationOverlapMs: parsed.rotationOverlapMs, rootRotationOverlapMs: parsed.rootRotationOverlapMs, updatedAt: this.nowIso() };
      await this.emu.store.put(PKI_SITE_CONFIG, idKey(clusterId), config);
      return config;
    });
  }

  /** Bring your own issuer: a customer CA with its key, or the certificate a customer CA signed for our CSR. */
  async putIssuer(clusterId: string, body: { certificate?: unknown; privateKey?: unknown; chain?: unknown }): Promise<SiteConfig> {
    return this.lock.run(idKey(clusterId), async () => {
      const cluster = this.requireCluster(clusterId);
      this.requireNotDeployed(clusterId);
      const base = this.baseConfig(clusterId, cluster);
      const keys = this.configKeys(clusterId);
      const t = this.times();
      let config: SiteConfig;
      if (body.privateKey !== undefined) {
        const material = await acceptCustomerCa(body, t);
        for (const k of Object.keys(keys)) delete keys[k];
        keys[material.chain[0].serial] = { name: 'customer-ca', serial: material.chain[0].serial, keyAlgorithm: material.keyAlgorithm, privateKeyPem: material.keyPem };
        config = { ...base, issuer: { mode: 'customerCa', chain: material.chain }, updatedAt: this.nowIso() };
      } else if (base.issuer.mode === 'customerSignedCsr' && keys[CSR_KEY]) {
        const material = await acceptSignedIssuer(body, keys[CSR_KEY].privateKeyPem, t);
        keys[CSR_KEY] = { ...keys[CSR_KEY], keyAlgorithm: material.keyAlgorithm };
        config = { ...base, issuer: { ...base.issuer, issuerPem: material.issuerPem, chain: material.chain }, updatedAt: this.nowIso() };
      } else {
        throw new SiteInputError('InvalidRequestContent', "Send {certificate, privateKey} (a customer CA and its key), or start the CSR flow with POST …/issuer/csr and send {certificate, chain}.");
      }
      await this.emu.store.batch([
        { op: 'put', collection: PKI_SITE_CONFIG, key: idKey(clusterId), value: config },
        { op: 'put', collection: CLUSTER_PKI_KEYS, key: idKey(clusterId), value: keys },
      ]);
      return config;
    });
  }

  /** Starts the CSR flow: the emulator makes the interface issuer's key and a CSR for the customer CA to sign. */
  async createCsr(clusterId: string): Promise<SiteConfig> {
    return this.lock.run(idKey(clusterId), async () => {
      const cluster = this.requireCluster(clusterId);
      this.requireNotDeployed(clusterId);
      const base = this.baseConfig(clusterId, cluster);
      const settings = effectiveSettings(base.settings);
      const name = parseResourceId(cluster.id)!.name;
      const { csrPem, keyPem } = await createIssuerCsr(issuerSubject('interfaceIssuer', base.pkiId, name), settings.keyAlgorithm);
      const config: SiteConfig = { ...base, issuer: { mode: 'customerSignedCsr', csrPem, keyAlgorithm: settings.keyAlgorithm }, updatedAt: this.nowIso() };
      await this.emu.store.batch([
        { op: 'put', collection: PKI_SITE_CONFIG, key: idKey(clusterId), value: config },
        { op: 'put', collection: CLUSTER_PKI_KEYS, key: idKey(clusterId), value: { [CSR_KEY]: { name: 'interface-issuer', serial: CSR_KEY, keyAlgorithm: settings.keyAlgorithm, privateKeyPem: keyPem } } },
      ]);
      return config;
    });
  }

  /** Back to the emulator's own root for the interface issuer. */
  async resetIssuer(clusterId: string): Promise<SiteConfig> {
    return this.lock.run(idKey(clusterId), async () => {
      const cluster = this.requireCluster(clusterId);
      this.requireNotDeployed(clusterId);
      const config: SiteConfig = { ...this.baseConfig(clusterId, cluster), issuer: { mode: 'selfSigned' }, updatedAt: this.nowIso() };
      await this.emu.store.batch([
        { op: 'put', collection: PKI_SITE_CONFIG, key: idKey(clusterId), value: config },
        { op: 'delete', collection: CLUSTER_PKI_KEYS, key: idKey(clusterId) },
      ]);
      return config;
    });
  }

  // ------------------------------------------------------------------------- deploy

  /** Creates the hierarchy (honouring settings and a customer issuer given before deploy). */
  async beginDeployment(cluster: StoredResource): Promise<SiteDeployment> {
    const key = idKey(cluster.id);
    const clusterName = parseResourceId(cluster.id)!.name;
    const config = this.config(cluster.id);
    const configKeys = this.configKeys(cluster.id);
    const pkiId = config?.pkiId ?? randomSerial().slice(0, 8);
    const settings: ClusterPkiSettings = { ...effectiveSettings(config?.settings ?? {}), crlBaseUrl: this.crlBase(pkiId) };
    const id = { clusterName, pkiId, settings };
    const t = this.times();
    const issuer = config?.issuer ?? { mode: 'selfSigned' as const };
    if (issuer.mode === 'customerSignedCsr' && !issuer.issuerPem) {
      throw new SiteInputError('IssuerCertificatePending', 'The cluster is configured for a customer-signed interface issuer, but the signed certificate has not been sent: PUT …/issuer with {certificate, chain} first.', 409);
    }

    const root = await issueRootCa(id, siteDating(t));
    const keys: ClusterPkiKeys = { [root.key.serial]: root.key };
    const rootSigner = signerOf(root.certificate, keys);
    const rootCrl = this.crlUrl(pkiId, root.certificate);
    // The infra issuer does not depend on the interface issuer: both are made at once.
    const infraIssued = this.issueIssuer(id, keys, 'infraIssuer', 1, rootSigner, t, rootCrl);
    infraIssued.catch(() => undefined);
    let externalCa: ExternalCaRecord[] = [];
    let iface: SiteCertificate;
    if (issuer.mode === 'customerCa') {
      externalCa = issuer.chain;
      const caKey = configKeys[externalCa[0].serial];
      if (!caKey) throw new Error('the customer CA key is missing from the secret store');
      keys[externalCa[0].serial] = caKey;
      iface = (await this.issueIssuer(id, keys, 'interfaceIssuer', 1, signerOf(externalCa[0], keys), t)).certificate;
    } else if (issuer.mode === 'customerSignedCsr') {
      externalCa = issuer.chain ?? [];
      iface = adoptedIssuerRecord(issuer.issuerPem!, 'interfaceIssuer', externalCa[0], issuer.keyAlgorithm, t, settings.renewalFraction);
      keys[iface.serial] = { ...configKeys[CSR_KEY], serial: iface.serial };
    } else {
      iface = (await this.issueIssuer(id, keys, 'interfaceIssuer', 1, rootSigner, t, rootCrl)).certificate;
    }
    const infra = (await infraIssued).certificate;
    const state: SiteState = {
      key,
      keys,
      pki: { clusterName, pkiId, settings, rootCa: root.certificate, interfaceIssuer: iface, infraIssuer: infra, pendingIssuers: [], retiringIssuers: [] },
      site: {
        clusterId: cluster.id, pkiId, deployedAt: new Date(t.nowMs).toISOString(), issuerMode: issuer.mode,
        rotationOverlapMs: config?.rotationOverlapMs ?? defaultRotationOverlap(settings),
        rootRotationOverlapMs: config?.rootRotationOverlapMs === null ? null : config?.rootRotationOverlapMs ?? defaultRootOverlap(settings),
        externalCa, leaves: {}, history: [], revocations: [], crls: {}, caCertificateHash: iface.fingerprint, issuerFailures: {},
      },
      journal: [],
    };
    for (const ca of [root.certificate, iface, infra]) this.record(state, ca, 'Deployed');
    const planned: PlannedLeaf[] = [];
    const platformServices: PlannedLeaf[] = PLATFORM_SERVICES.map((s) => ({
      request: { name: `platform-service-${s.serviceName}`, purpose: 'platformService', group: DEFAULT_LEAF_GROUPS.platformService, dnsNames: s.dnsNames, ipAddresses: [], clientAuth: s.clientAuth, revision: 1 },
      endpoint: null,
    }));
    const sites = this;
    let started = false;
    return {
      caCertificate: caCertificateValue(iface),
      addBareMetalMachine(machineName, resourceId, props) {
        planned.push({
          request: { name: `bmc-${machineName}`, purpose: 'bmc', group: DEFAULT_LEAF_GROUPS.bmc, dnsNames: [bmcDnsName(machineName, clusterName)], ipAddresses: ['127.0.0.1'], revision: 1 },
          endpoint: { kind: 'bmc', resourceId, resourceName: machineName, host: '127.0.0.1', port: 0 },
          props,
        });
      },
      addStorageAppliance(applianceName, resourceId, props) {
        planned.push({
          request: { name: `storage-appliance-${applianceName}`, purpose: 'storageAppliance', group: DEFAULT_LEAF_GROUPS.storageAppliance, dnsNames: [storageDnsName(applianceName, clusterName)], ipAddresses: ['127.0.0.1'], revision: 1 },
          endpoint: { kind: 'storageAppliance', resourceId, resourceName: applianceName, host: '127.0.0.1', port: 0 },
          props,
        });
      },
      async provision() {
        planned.push(...platformServices);
        // Key generation and signing run on libuv's thread pool: issuing in parallel uses every thread.
        const issued = await Promise.all(planned.map((p) => sites.issueLeafInto(state, p.request, t)));
        await Promise.all(planned.map(async (p, i) => {
          const leaf: SiteLeaf = { name: p.request.name, purpose: p.request.purpose, group: p.request.group, dnsNames: p.request.dnsNames, ipAddresses: p.request.ipAddresses, certificate: issued[i].certificate, endpoint: p.endpoint ? { ...p.endpoint } : null };
          if (p.request.clientAuth) leaf.clientAuth = true;
          state.site.leaves[leaf.name] = leaf;
          state.site.history.push(historyEntry(leaf, issuerFor(state.pki, leaf.purpose)));
          sites.record(state, leaf.certificate, 'Deployed');
          if (!leaf.endpoint) return;
          started = true;
          leaf.endpoint.port = await sites.registry.open(key, leaf.name, {
            kind: leaf.endpoint.kind, name: leaf.endpoint.resourceName, certPem: leaf.certificate.certPem, keyPem: issued[i].keyPem,
            chainPems: sites.chainOf(state.pki, state.site, leaf.certificate), serial: leaf.certificate.serial,
          });
          if (p.props && leaf.endpoint.kind === 'bmc') p.props.bmcConnectionString = bmcConnectionString(leaf.endpoint.port);
        }));
        sites.wakeAt(sites.nextDueMs(state.pki, state.site), key);
        // Once the deployment commits, the site's clock event is scheduled from what was stored.
        sites.emu.store.afterCommit(() => sites.scheduleSite(key));
        return sites.writes(state);
      },
      async abort() {
        if (started) await sites.registry.closeSite(key);
      },
    };
  }

  private async issueIssuer(
    id: HierarchyIdentity, keys: ClusterPkiKeys, purpose: IssuerPurpose, revision: number, parent: Signer, t: IssueTimes, crlUrl?: string,
  ) {
    const issued = await issueIssuerCa(id, purpose, revision, parent, siteDating(t), crlUrl);
    keys[issued.certificate.serial] = issued.key;
    return issued;
  }

  // ------------------------------------------------------------------------- scheduler (clock events)

  /**
   * Clock listener, at the end of every move: each site catches up with whatever is still due (its
   * events already ran, in order, during the move) and its next event is scheduled.
   */
  async reconcileAll(): Promise<void> {
    if (this.closed) return;
    for (const key of this.emu.store.entries<SiteRecord>(PKI_SITES).map(([k]) => k)) {
      try {
        await this.lock.run(key, () => this.reconcile(key));
      } catch (e) {
        this.emu.log.error(`pki site ${key}: scheduler failed: ${(e as Error).message}`);
      }
      this.scheduleSite(key);
    }
  }

  /** Schedules the site's next event on the clock (or cancels it: no site, nothing due). */
  scheduleSite(key: string, afterMs = -Infinity): void {
    if (this.closed || !this.started) return;
    const pki = this.emu.store.get<ClusterPkiRecord>(CLUSTER_PKI, key);
    const site = this.emu.store.get<SiteRecord>(PKI_SITES, key);
    // Not stored (yet): a deployment still committing schedules it once it has (remove() cancels it).
    if (!pki || !site) return;
    let due = this.nextDueMs(pki, site);
    if (due <= afterMs) {
      // Defensive: an event that made no progress must not run again at the same instant forever.
      this.emu.log.error(`pki site ${key}: the step due at ${new Date(due).toISOString()} made no progress; retrying in an hour`);
      due = afterMs + 3_600_000;
    }
    this.emu.clock.schedule(due, eventKey(key), (at) => this.runEvent(key, at.getTime()));
  }

  /** One clock event of a site: everything due at the event's instant, then the next event. */
  private async runEvent(key: string, atMs: number): Promise<void> {
    if (this.closed) return;
    const work = this.lock.run(key, () => this.reconcile(key));
    this.inFlight = work.catch(() => undefined);
    try {
      await work;
    } catch (e) {
      this.emu.log.error(`pki site ${key}: scheduler failed: ${(e as Error).message}`);
    }
    this.scheduleSite(key, atMs);
  }

  /** Kept for deploy: the new site's first event (scheduled precisely again once the deployment commits). */
  wakeAt(dueMs: number, key?: string): void {
    if (this.closed || !this.started || !key) return;
    this.emu.clock.schedule(dueMs, eventKey(key), (at) => this.runEvent(key, at.getTime()));
  }

  /** The earliest instant (virtual ms) at which something of the site falls due (Infinity: nothing will). */
  nextDueMs(pki: ClusterPkiRecord, site: SiteRecord): number {
    const times: number[] = [];
    for (const leaf of Object.values(site.leaves)) if (!leaf.failure) times.push(toMs(leaf.certificate.renewalTime));
    for (const purpose of ISSUER_PURPOSES) {
      // A rotation that failed is retried when the clock is moved, not in a loop.
      if (site.issuerFailures[purpose]) continue;
      // An issuer its signer does not outlive is replaced by the root rotation (or fails then).
      if (!pki.pendingIssuers.some((p) => p.purpose === purpose) && !successorCanOutlive(pki, site, purpose)) continue;
      const current = pki[purpose];
      const plan = issuerRotationPlan(current, toMs(issuedAtOf(current)), overlapFor(current, site.rotationOverlapMs));
      times.push(toMs(pki.pendingIssuers.some((p) => p.purpose === purpose) ? plan.switchSignerAt : plan.introduceSuccessorAt));
    }
    for (const old of pki.retiringIssuers) times.push(toMs(old.notAfter));
    const rootOverlap = rootOverlapOf(pki, site);
    if (rootOverlap !== null && !site.issuerFailures.rootCa) {
      const plan = issuerRotationPlan(pki.rootCa, toMs(issuedAtOf(pki.rootCa)), rootOverlapFor(pki.rootCa, rootOverlap));
      times.push(toMs(pki.pendingRoot ? plan.switchSignerAt : plan.introduceSuccessorAt));
    }
    for (const old of pki.retiringRoots ?? []) times.push(toMs(old.notAfter));
    // CRLs are re-published half a validity after they were last signed (or recorded).
    for (const issuer of crlIssuers(pki)) {
      const published = site.crls[crlFileId(issuer)];
      if (toMs(issuer.notAfter) <= toMs(published?.signedAt ?? issuedAtOf(issuer))) continue;
      times.push((published && published.issuerSerial === issuer.serial ? toMs(published.signedAt) : toMs(issuedAtOf(issuer))) + CRL_VALIDITY_MS / 2);
    }
    return Math.min(...times);
  }

  /** Records a certificate revision in the history, in the same commit as the state. */
  private record(state: SiteState, cert: CertificateRecord, reason: IssuanceReason): void {
    state.journal.push({ op: 'put', collection: PKI_HISTORY, key: `${state.key}|${cert.name}|${pad(cert.revision, 6)}`, value: historyRecord(cert, reason) });
  }

  /**
   * Root rotation (when enabled): the successor root joins the trust bundle at notAfter − overlap;
   * halfway through the overlap it becomes the root, the issuers it signs replace the old root's
   * (their leaves are then reissued by the caller, and caCertificate follows once they are served);
   * the old root leaves the bundle, and its key the store, when it expires.
   */
  private async rotateRoot(state: SiteState, t: IssueTimes): Promise<{ dirty: boolean; switched: boolean }> {
    const { pki, site } = state;
    let dirty = false;
    let switched = false;
    const overlap = rootOverlapOf(pki, site);
    if (overlap !== null) {
      const current = pki.rootCa;
      const plan = issuerRotationPlan(current, t.nowMs, rootOverlapFor(current, overlap));
      try {
        if (plan.phase !== 'active' && !pki.pendingRoot) {
          const successor = await issueRootCa(pki, siteDating(t), current.revision + 1);
          state.keys[successor.certificate.serial] = successor.key;
          pki.pendingRoot = successor.certificate;
          this.record(state, successor.certificate, 'Rotation');
          dirty = true;
        }
        if ((plan.phase === 'switched' || plan.phase === 'retired') && pki.pendingRoot) {
          const root = pki.pendingRoot;
          // The issuers the new root signs replace the old root's at once (clients trust both roots now).
          const fresh: CertificateRecord[] = [];
          for (const purpose of ISSUER_PURPOSES) {
            if (pki[purpose].issuerSerial !== current.serial) continue;
            const issued = await this.issueIssuer(pki, state.keys, purpose, Math.max(pki[purpose].revision, ...pki.pendingIssuers.filter((p) => p.purpose === purpose).map((p) => p.revision)) + 1,
              signerOf(root, state.keys), t, this.crlUrl(pki.pkiId, root));
            fresh.push(issued.certificate);
          }
          pki.rootCa = root;
          delete pki.pendingRoot;
          pki.retiringRoots = [...(pki.retiringRoots ?? []), current];
          for (const issuer of fresh) {
            const purpose = issuer.purpose as IssuerPurpose;
            // A successor the old root signed never signs: it leaves the bundle with its key.
            for (const p of pki.pendingIssuers.filter((c) => c.purpose === purpose)) delete state.keys[p.serial];
            pki.pendingIssuers = pki.pendingIssuers.filter((c) => c.purpose !== purpose);
            pki.retiringIssuers = [...pki.retiringIssuers, pki[purpose]];
            pki[purpose] = issuer;
            delete site.issuerFailures[purpose];
            this.record(state, issuer, 'RootRotation');
          }
          switched = true;
          dirty = true;
        }
        if (site.issuerFailures.rootCa) {
          delete site.issuerFailures.rootCa;
          dirty = true;
        }
      } catch (e) {
        const message = (e as Error).message;
        if (site.issuerFailures.rootCa?.message !== message) {
          site.issuerFailures.rootCa = { message, at: new Date(t.nowMs).toISOString() };
          dirty = true;
        }
      }
    }
    const expired = (pki.retiringRoots ?? []).filter((c) => toMs(c.notAfter) <= t.nowMs);
    if (expired.length) {
      pki.retiringRoots = (pki.retiringRoots ?? []).filter((c) => !expired.includes(c));
      for (const old of expired) delete state.keys[old.serial];
      dirty = true;
    }
    return { dirty, switched };
  }

  private async rotate(state: SiteState, purpose: IssuerPurpose, t: IssueTimes): Promise<boolean> {
    const { pki, site } = state;
    let dirty = false;
    const current = pki[purpose];
    const plan = issuerRotationPlan(current, t.nowMs, overlapFor(current, site.rotationOverlapMs));
    const pendingOf = () => pki.pendingIssuers.find((c) => c.purpose === purpose);
    const rootSigns = !(purpose === 'interfaceIssuer' && site.issuerMode !== 'selfSigned');
    const waitForRoot = rootSigns && rootOverlapOf(pki, site) !== null;
    if (plan.phase !== 'active' && !pendingOf() && !successorCanOutlive(pki, site, purpose)) {
      // The root rotation re-signs it; without one (or under a customer CA) it cannot be renewed.
      if (!waitForRoot) {
        const message = `The CA that signs ${current.name} expires at ${new Date(parentNotAfterMs(pki, site, purpose)).toISOString()}, no later than ${current.name} itself: a successor could not outlive it. ` +
          (rootSigns ? 'Enable root rotation (rootRotation in the site settings) to renew the hierarchy.' : 'Give the cluster a customer CA that lives longer.');
        if (site.issuerFailures[purpose]?.message !== message) {
          site.issuerFailures[purpose] = { message, at: new Date(t.nowMs).toISOString() };
          dirty = true;
        }
      }
    } else if (plan.phase !== 'active' && !pendingOf()) {
      const parent = this.parentOf(state, purpose);
      try {
        if (!parent) {
          throw new SiteInputError('ExternalSignerRequired', 'The interface issuer was signed by the customer CA from a CSR: the emulator holds no key that can sign its successor. It keeps serving until it expires.');
        }
        const parentCrl = parent.serial === pki.rootCa.serial ? this.crlUrl(pki.pkiId, pki.rootCa) : undefined;
        const successor = await this.issueIssuer(pki, state.keys, purpose, current.revision + 1, parent, t, parentCrl);
        pki.pendingIssuers = [...pki.pendingIssuers, successor.certificate];
        this.record(state, successor.certificate, 'Rotation');
        delete site.issuerFailures[purpose];
        dirty = true;
      } catch (e) {
        const message = (e as Error).message;
        if (site.issuerFailures[purpose]?.message !== message) {
          site.issuerFailures[purpose] = { message, at: new Date(t.nowMs).toISOString() };
          dirty = true;
        }
      }
    }
    const pending = pendingOf();
    if ((plan.phase === 'switched' || plan.phase === 'retired') && pending) {
      pki[purpose] = pending;
      pki.pendingIssuers = pki.pendingIssuers.filter((c) => c !== pending);
      pki.retiringIssuers = [...pki.retiringIssuers, current];
      dirty = true;
    }
    const expired = pki.retiringIssuers.filter((c) => c.purpose === purpose && toMs(c.notAfter) <= t.nowMs);
    if (expired.length) {
      pki.retiringIssuers = pki.retiringIssuers.filter((c) => !expired.includes(c));
      for (const old of expired) delete state.keys[old.serial];
      dirty = true;
    }
    return dirty;
  }

  /**
   * A leaf that nobody can observe: issued at an instant of a clock jump and due for renewal before the
   * jump ends, so superseded before any request sees the clock at or after its issuance settle. Its
   * serial and dates are exact (history and CRLs name it); no key pair is generated.
   */
  private phantomLeaf(state: SiteState, request: LeafRequest, t: IssueTimes): SiteCertificate | undefined {
    const target = this.emu.clock.jumpTargetMs;
    if (target === undefined) return undefined;
    const record = issuerFor(state.pki, request.purpose);
    const dated = siteDating(t)(state.pki.settings.leafLifetimeMs, toMs(record.notAfter), state.pki.settings.renewalFraction);
    if (dated.renewalTime >= target) return undefined;
    return {
      name: request.name, purpose: request.purpose, certPem: '', serial: randomSerial(),
      notBefore: new Date(dated.notBefore).toISOString(), notAfter: new Date(dated.notAfter).toISOString(), renewalTime: new Date(dated.renewalTime).toISOString(),
      revision: request.revision, dnsNames: [...request.dnsNames], ipAddresses: [...request.ipAddresses], issuerName: record.name, issuerSerial: record.serial,
      fingerprint: '', keyAlgorithm: state.pki.settings.keyAlgorithm, issuedAt: dated.extra.issuedAt,
    };
  }

  /**
   * Issues for real a leaf recorded without a key (its exact serial and dates, signed by the issuer it
   * names): what a jump leaves in place when no later step superseded it (a renewal that failed, a crash).
   */
  private async materialize(state: SiteState, leaf: SiteLeaf): Promise<string | null> {
    const c = leaf.certificate;
    const issuer = allIssuers(state.pki).find((i) => i.serial === c.issuerSerial);
    if (!issuer || !state.keys[issuer.serial]) return null;
    const fixed = () => ({ notBefore: toMs(c.notBefore), notAfter: toMs(c.notAfter), renewalTime: toMs(c.renewalTime), extra: { issuedAt: c.issuedAt } });
    const issued = await issueLeaf(state.pki.settings, {
      name: leaf.name, purpose: leaf.purpose, group: leaf.group, dnsNames: leaf.dnsNames, ipAddresses: leaf.ipAddresses,
      clientAuth: leaf.clientAuth, revision: c.revision, serial: c.serial,
    }, signerOf(issuer, state.keys), fixed, this.crlUrl(state.pki.pkiId, issuer));
    state.keys[issued.certificate.serial] = issued.key;
    leaf.certificate = issued.certificate;
    const key = `${state.key}|${c.name}|${pad(c.revision, 6)}`;
    const recorded = this.emu.store.get<HistoryRecord>(PKI_HISTORY, key);
    if (recorded) state.journal.push({ op: 'put', collection: PKI_HISTORY, key, value: { ...recorded, materialized: true } });
    return issued.key.privateKeyPem;
  }

  /** Issues the leaf's next revision; returns its key PEM, or null when it was recorded without one (phantom). */
  private async reissue(state: SiteState, leaf: SiteLeaf, t: IssueTimes, reason: IssuanceReason): Promise<string | null> {
    const previous = leaf.certificate;
    const request: LeafRequest = {
      name: leaf.name, purpose: leaf.purpose, group: leaf.group, dnsNames: leaf.dnsNames, ipAddresses: leaf.ipAddresses,
      clientAuth: leaf.clientAuth, revision: previous.revision + 1,
    };
    const phantom = reason === 'Revocation' ? undefined : this.phantomLeaf(state, request, t);
    let keyPem: string | null = null;
    if (phantom) {
      leaf.certificate = phantom;
    } else {
      const issued = await this.issueLeafInto(state, request, t);
      leaf.certificate = issued.certificate;
      keyPem = issued.keyPem;
    }
    delete state.keys[previous.serial];
    delete leaf.failure;
    state.site.history.push(historyEntry(leaf, issuerFor(state.pki, leaf.purpose)));
    this.record(state, leaf.certificate, reason);
    return keyPem;
  }

  /**
   * Issues, for each leaf, a successor (in parallel). A failure is recorded on the leaf (first time and
   * message kept, like cert-manager's lastFailureTime). Returns the new key PEMs and whether anything changed.
   */
  private async reissueAll(state: SiteState, leaves: SiteLeaf[], t: IssueTimes, reasonOf: (leaf: SiteLeaf) => IssuanceReason): Promise<{ keyPems: Map<string, string>; changed: boolean; reissued: Set<string> }> {
    const keyPems = new Map<string, string>();
    const reissued = new Set<string>();
    let changed = false;
    await Promise.all(leaves.map(async (leaf) => {
      try {
        const keyPem = await this.reissue(state, leaf, t, reasonOf(leaf));
        if (keyPem !== null) keyPems.set(leaf.name, keyPem);
        reissued.add(leaf.name);
        changed = true;
      } catch (e) {
        const message = (e as Error).message;
        if (leaf.failure?.message !== message) {
          leaf.failure = { message, at: new Date(t.nowMs).toISOString() };
          changed = true;
        }
      }
    }));
    return { keyPems, changed, reissued };
  }

  private swapEndpoints(state: SiteState, keyPems: Map<string, string>): void {
    for (const [name, keyPem] of keyPems) {
      const leaf = state.site.leaves[name];
      if (!leaf.endpoint) continue;
      this.registry.swap(state.key, name, leaf.certificate.certPem, keyPem, this.chainOf(state.pki, state.site, leaf.certificate), leaf.certificate.serial);
    }
  }

  private leafDue(state: SiteState, leaf: SiteLeaf, nowMs: number): boolean {
    if (leafNeedsReissue(state.pki, leaf.certificate, nowMs)) return true;
    return !allIssuers(state.pki).some((i) => i.serial === leaf.certificate.issuerSerial);
  }

  /**
   * Re-publishes an issuer's CRL when it is missing, its content changed or half its validity passed.
   * Within a jump, a CRL that the next one supersedes before the jump ends is recorded (number, dates,
   * serials) without being signed; the one published at the end is signed.
   */
  private async publishCrl(state: SiteState, issuer: CertificateRecord, t: IssueTimes, force = false): Promise<PublishedCrl | undefined> {
    const fileId = crlFileId(issuer);
    const published = state.site.crls[fileId];
    if (!state.keys[issuer.serial]) return published;
    const entries = revokedEntries(state.site.history.filter((h) => h.issuerSerial === issuer.serial).map(candidateOf), state.site.revocations);
    const contentKey = entries.map((e) => `${e.serial}@${toMs(e.revocationDate)}`).sort().join(',');
    const fresh = published && published.issuerSerial === issuer.serial && published.contentKey === contentKey && t.nowMs < toMs(published.signedAt) + CRL_VALIDITY_MS / 2;
    if (fresh && (published.derBase64 || !force)) return published;
    // Dated like certificates: thisUpdate not in a real client's future (wall dating), nextUpdate from the virtual clock.
    const thisUpdate = siteNotBefore(t);
    const nextUpdate = t.nowMs + CRL_VALIDITY_MS;
    const crlNumber = fresh ? published.crlNumber : (published?.crlNumber ?? 0) + 1;
    const target = this.emu.clock.jumpTargetMs;
    // Superseded within the jump only if the issuer is still there to publish the next one.
    const unobserved = !force && target !== undefined && t.nowMs + CRL_VALIDITY_MS / 2 < Math.min(target, toMs(issuer.notAfter));
    let next: PublishedCrl;
    if (unobserved) {
      next = {
        id: fileId, issuerSerial: issuer.serial, crlNumber, contentKey,
        thisUpdate: new Date(thisUpdate).toISOString(), nextUpdate: new Date(nextUpdate).toISOString(), signedAt: new Date(t.nowMs).toISOString(), derBase64: '',
      };
    } else {
      const signer = signerOf(issuer, state.keys);
      const built = await buildCrl({
        issuer: { cert: signer.certPem, key: await importPrivateKeyPem(signer.keyPem) },
        crlNumber,
        entries: entries.map((e) => ({ ...e, revocationDate: Math.min(toMs(e.revocationDate), thisUpdate) })),
        clock: { nowMs: () => thisUpdate },
        validityMs: nextUpdate - thisUpdate,
      });
      next = {
        id: fileId, issuerSerial: issuer.serial, crlNumber, contentKey,
        thisUpdate: built.thisUpdate.toISOString(), nextUpdate: built.nextUpdate.toISOString(), signedAt: new Date(t.nowMs).toISOString(),
        derBase64: Buffer.from(built.der).toString('base64'),
      };
    }
    state.site.crls[fileId] = next;
    const history: CrlHistoryRecord = {
      fileId, issuerSerial: issuer.serial, crlNumber, thisUpdate: next.thisUpdate, nextUpdate: next.nextUpdate,
      revokedSerials: entries.map((e) => e.serial).sort(), signed: !unobserved,
    };
    state.journal.push({ op: 'put', collection: PKI_CRL_HISTORY, key: `${state.key}|${fileId}|${pad(crlNumber, 8)}`, value: history });
    return next;
  }

  private async reconcile(key: string): Promise<void> {
    const state = this.load(key);
    if (!state) return;
    const t = this.times();
    const root = await this.rotateRoot(state, t);
    let dirty = root.dirty;
    for (const purpose of ISSUER_PURPOSES) dirty = (await this.rotate(state, purpose, t)) || dirty;
    const outsideJump = this.emu.clock.jumpTargetMs === undefined;
    const due = Object.values(state.site.leaves).filter((l) => this.leafDue(state, l, t.nowMs));
    const reasonOf = (l: SiteLeaf): IssuanceReason => (issuerFor(state.pki, l.purpose).serial === l.certificate.issuerSerial ? 'Renewal' : root.switched ? 'RootRotation' : 'IssuerRotation');
    const { keyPems, changed } = await this.reissueAll(state, due, t, reasonOf);
    dirty = dirty || changed;
    if (outsideJump) {
      // Whatever a jump left without a key (its successor failed, or a crash interrupted it) is made real now.
      for (const leaf of Object.values(state.site.leaves).filter((l) => isPhantom(l.certificate))) {
        try {
          const keyPem = await this.materialize(state, leaf);
          if (keyPem !== null) {
            keyPems.set(leaf.name, keyPem);
            dirty = true;
          }
        } catch (e) {
          this.emu.log.error(`pki site ${key}: could not issue ${leaf.name} for real: ${(e as Error).message}`);
        }
      }
    }
    const before = state.site.history.length;
    state.site.history = state.site.history.filter((h) => toMs(h.notAfter) > t.nowMs);
    if (state.site.history.length !== before) dirty = true;
    for (const issuer of crlIssuers(state.pki)) {
      const was = state.site.crls[crlFileId(issuer)];
      if ((await this.publishCrl(state, issuer, t)) !== was) dirty = true;
    }
    if (!dirty) return;
    // The event's state and history are one commit; endpoints and caCertificate follow it.
    await this.emu.store.transaction(async () => {
      await this.save(state);
    });
    this.swapEndpoints(state, keyPems);
    await this.publishCaCertificate(state);
  }

  /**
   * Points every machine's and appliance's caCertificate at the current interface issuer, but only
   * once every interface endpoint presents a leaf it signed (the platform's promise to BMC clients).
   * A leaf recorded without a key within a jump counts as served: nobody could connect at its instant.
   */
  private async publishCaCertificate(state: SiteState): Promise<void> {
    const iface = state.pki.interfaceIssuer;
    if (state.site.caCertificateHash === iface.fingerprint) return;
    const interfaceLeaves = Object.values(state.site.leaves).filter((l) => LEAF_ISSUER[l.purpose] === 'interfaceIssuer');
    const served = interfaceLeaves.every((l) => l.certificate.issuerSerial === iface.serial
      && (!l.endpoint || isPhantom(l.certificate) || this.registry.servingSerial(state.key, l.name) === l.certificate.serial));
    if (!served) return;
    const clusterKey = state.site.clusterId.toLowerCase();
    const value = caCertificateValue(iface);
    const owned = this.emu.store.list<StoredResource>(RESOURCES).filter((r) => (r.type === 'Microsoft.NetworkCloud/bareMetalMachines' || r.type === 'Microsoft.NetworkCloud/storageAppliances')
      && String((r.resource.properties as JsonObject | undefined)?.clusterId ?? '').toLowerCase() === clusterKey);
    // Each under its own write lock, all at once: the store commits them together.
    await Promise.all(owned.map((r) => this.emu.writeLock.run(resourceLockKey(r.id), () => updateResource(this.emu, r.id, (_hub, p) => {
      p.caCertificate = value;
    }))));
    state.site.caCertificateHash = iface.fingerprint;
    await this.emu.store.put(PKI_SITES, state.key, state.site);
  }

  /**
   * Signs something the site did not plan (a client certificate from a CSR) with one of its current
   * issuers, under the site's lock, and keeps it in the history so revocation rules and CRLs cover it.
   */
  async issueWith(clusterId: string, purpose: IssuerPurpose, sign: (issuer: CertificateRecord, keyPem: string, t: IssueTimes, crlUrl: string) => Promise<IssuedLeaf>): Promise<IssuedLeaf> {
    const key = idKey(clusterId);
    return this.lock.run(key, async () => {
      const state = this.load(key);
      if (!state) throw new SiteInputError('SiteNotFound', 'The cluster has no site: it is created when the cluster is deployed.', 404);
      const issuer = state.pki[purpose];
      const entry = await sign(issuer, signerOf(issuer, state.keys).keyPem, this.times(), this.crlUrl(state.pki.pkiId, issuer));
      state.site.history.push(entry);
      await this.emu.store.put(PKI_SITES, key, state.site);
      return entry;
    });
  }

  // ------------------------------------------------------------------------- revocation

  async revoke(clusterId: string, body: unknown): Promise<{ rule: RevocationRule; revoked: IssuedLeaf[]; reissued: SiteLeaf[]; stillRevoked: SiteLeaf[] }> {
    const key = idKey(clusterId);
    const input = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    for (const k of Object.keys(input)) {
      if (!['by', 'value', 'notBefore', 'reason'].includes(k)) throw new SiteInputError('InvalidRequestContent', `Unknown field '${k}'; a revocation is {by, value, notBefore?, reason?}.`);
    }
    const by = input.by as RevocationSelectorKind;
    if (!['serialNumber', 'group', 'dnsName', 'ipAddress'].includes(String(by))) {
      throw new SiteInputError('InvalidRequestContent', "'by' must be serialNumber, group, dnsName or ipAddress.");
    }
    if (typeof input.value !== 'string' || !input.value.trim()) throw new SiteInputError('InvalidRequestContent', "'value' must be a non-empty string.");
    if (input.notBefore !== undefined && (typeof input.notBefore !== 'string' || Number.isNaN(Date.parse(input.notBefore)))) {
      throw new SiteInputError('InvalidRequestContent', "'notBefore' must be an ISO 8601 date-time.");
    }
    const entry: RevocationEntry = { by, value: input.value.trim() };
    if (input.notBefore !== undefined) entry.notBefore = new Date(input.notBefore as string).toISOString();
    if (input.reason !== undefined) entry.reason = input.reason as CrlReason;
    try {
      validateRevocationEntry(entry);
    } catch (e) {
      throw new SiteInputError('InvalidRequestContent', (e as Error).message);
    }
    return this.lock.run(key, async () => {
      const state = this.load(key);
      if (!state) throw new SiteInputError('SiteNotFound', 'The cluster has no site: it is created when the cluster is deployed.', 404);
      const t = this.times();
      const createdAt = new Date(t.nowMs).toISOString();
      const rule: RevocationRule = { id: randomUUID(), ...entry, revokedAt: createdAt, createdAt };
      state.site.revocations.push(rule);
      const revoked = state.site.history.filter((h) => matchesRevocation(candidateOf(h), rule));
      const hit = Object.values(state.site.leaves).filter((l) => matchesRevocation(candidateOf(currentLeafFacts(l)), rule));
      // Reissue only where it helps: a successor (new serial, issued now) that no rule would revoke again.
      const probe = (l: SiteLeaf) => ({ ...currentLeafFacts(l), serial: randomSerial(), issuedAt: createdAt });
      const helps = hit.filter((l) => revokingRules(state.site, probe(l)).length === 0);
      const { keyPems } = await this.reissueAll(state, helps, t, () => 'Revocation');
      await this.save(state);
      this.swapEndpoints(state, keyPems);
      await this.publishCaCertificate(state);
      const reissued = helps.filter((l) => keyPems.has(l.name)).map((l) => state.site.leaves[l.name]);
      return { rule, revoked, reissued, stillRevoked: hit.filter((l) => !keyPems.has(l.name)).map((l) => state.site.leaves[l.name]) };
    });
  }

  /**
   * Removes a revocation rule. The certificates it alone revoked leave the next CRL (its content
   * changes, so it is re-signed on the next fetch); certificates already reissued stay reissued.
   */
  async deleteRevocation(clusterId: string, ruleId: string): Promise<RevocationRule> {
    const key = idKey(clusterId);
    return this.lock.run(key, async () => {
      const state = this.load(key);
      if (!state) throw new SiteInputError('SiteNotFound', 'The cluster has no site: it is created when the cluster is deployed.', 404);
      const index = state.site.revocations.findIndex((r) => r.id.toLowerCase() === ruleId.toLowerCase());
      if (index < 0) throw new SiteInputError('RevocationRuleNotFound', `The site has no revocation rule '${ruleId}'; GET …/revocations lists them.`, 404);
      const [rule] = state.site.revocations.splice(index, 1);
      await this.emu.store.put(PKI_SITES, state.key, state.site);
      return rule;
    });
  }

  /** The CRL an issuer publishes at its distribution point, re-signed when its content changes. */
  async crl(pkiId: string, fileId: string): Promise<PublishedCrl | undefined> {
    const found = this.list().find((s) => s.pki.pkiId === pkiId);
    if (!found) return undefined;
    const key = idKey(found.site.clusterId);
    return this.lock.run(key, async () => {
      const state = this.load(key);
      if (!state) return undefined;
      const issuer = [...allRoots(state.pki), ...allIssuers(state.pki)].find((i) => crlFileId(i) === fileId);
      const published = state.site.crls[fileId];
      // A retired issuer's key is gone: its last CRL stays published (everything it signed has expired).
      if (!issuer || !state.keys[issuer.serial]) return published?.derBase64 ? published : undefined;
      const next = await this.publishCrl(state, issuer, this.times(), true);
      if (next !== published) await this.save(state);
      return next;
    });
  }

  /** Every revision of a certificate of the site (leaf or CA name), oldest first. */
  history(clusterId: string, name: string): HistoryRecord[] {
    const prefix = `${idKey(clusterId)}|${name}|`;
    return this.emu.store.entries<HistoryRecord>(PKI_HISTORY).filter(([k]) => k.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v);
  }

  /** Every CRL the site published, oldest first (optionally of one distribution point file). */
  crlHistory(clusterId: string, fileId?: string): CrlHistoryRecord[] {
    const prefix = `${idKey(clusterId)}|${fileId ? `${fileId}|` : ''}`;
    return this.emu.store.entries<CrlHistoryRecord>(PKI_CRL_HISTORY).filter(([k]) => k.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v);
  }

  // ------------------------------------------------------------------------- lifecycle

  /** Starts every stored site's endpoints (on the ports the resources name), catches up, and follows the clock. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.closed = false;
    const keys = this.emu.store.entries<SiteRecord>(PKI_SITES).map(([k]) => k);
    for (const key of keys) {
      try {
        await this.lock.run(key, () => this.openEndpoints(key));
      } catch (e) {
        this.emu.log.error(`pki site ${key}: could not start its endpoints: ${(e as Error).message}`);
      }
    }
    this.emu.clock.onChange(() => this.reconcileAll());
    // What fell due while the emulator was down (or after a crash within a jump) runs in order, each
    // step at its own instant, then every endpoint serves what the site holds.
    for (const key of keys) this.scheduleSite(key);
    await this.emu.clock.catchUp();
    for (const key of keys) {
      try {
        await this.lock.run(key, () => this.reconcile(key));
        await this.lock.run(key, () => this.openEndpoints(key, true));
      } catch (e) {
        this.emu.log.error(`pki site ${key}: could not start its endpoints: ${(e as Error).message}`);
      }
    }
  }

  /** Opens the endpoints of a stored site (`missingOnly`: only those not running, or not serving the stored leaf). */
  private async openEndpoints(key: string, missingOnly = false): Promise<void> {
    const state = this.load(key);
    if (!state) return;
    const moved: SiteLeaf[] = [];
    for (const leaf of Object.values(state.site.leaves)) {
      if (!leaf.endpoint) continue;
      // A leaf recorded without a key (a jump a crash interrupted) is issued for real by the catch-up.
      if (isPhantom(leaf.certificate)) continue;
      if (missingOnly && this.registry.servingSerial(key, leaf.name) === leaf.certificate.serial) continue;
      const keyRecord = state.keys[leaf.certificate.serial];
      if (!keyRecord) {
        this.emu.log.error(`pki site ${key}: no key for ${leaf.name}; its endpoint stays down`);
        continue;
      }
      const port = await this.registry.open(key, leaf.name, {
        kind: leaf.endpoint.kind, name: leaf.endpoint.resourceName, certPem: leaf.certificate.certPem, keyPem: keyRecord.privateKeyPem,
        chainPems: this.chainOf(state.pki, state.site, leaf.certificate), preferredPort: leaf.endpoint.port, serial: leaf.certificate.serial,
      });
      if (port !== leaf.endpoint.port) {
        leaf.endpoint.port = port;
        moved.push(leaf);
      }
    }
    if (!moved.length) return;
    await this.emu.store.put(PKI_SITES, key, state.site);
    for (const leaf of moved) {
      if (leaf.endpoint!.kind !== 'bmc') continue;
      const id = leaf.endpoint!.resourceId;
      await this.emu.writeLock.run(resourceLockKey(id), () => updateResource(this.emu, id, (_hub, p) => {
        p.bmcConnectionString = bmcConnectionString(leaf.endpoint!.port);
      }));
    }
  }

  /** Stops every listener, once the clock event under way is done (emulator shutdown). */
  async stop(): Promise<void> {
    this.closed = true;
    await this.inFlight;
    await this.registry.closeAll();
  }

  /** Forgets a cluster's site: listeners, records, keys and configuration. */
  async remove(clusterId: string): Promise<void> {
    const key = idKey(clusterId);
    await this.lock.run(key, async () => {
      await this.registry.closeSite(key);
      this.emu.clock.cancel(eventKey(key));
      const history = HISTORY_COLLECTIONS.flatMap((collection) => this.emu.store.entries(collection).filter(([k]) => k.startsWith(`${key}|`)).map(([k]) => ({ op: 'delete' as const, collection, key: k })));
      await this.emu.store.batch([...SITE_COLLECTIONS.map((collection) => ({ op: 'delete' as const, collection, key })), ...history]);
    });
  }

  /** Forgets every site (emulator reset), each under its lock so no scheduler run writes one back. */
  async reset(): Promise<void> {
    const keys = new Set(SITE_COLLECTIONS.flatMap((c) => this.emu.store.entries(c).map(([k]) => k)));
    for (const collection of HISTORY_COLLECTIONS) for (const [k] of this.emu.store.entries(collection)) keys.add(k.split('|')[0]);
    for (const key of keys) await this.remove(key);
    await this.registry.closeAll();
  }
}

// ---------------------------------------------------------------------------------------------
// One service per emulator, without a field on Emulator
// ---------------------------------------------------------------------------------------------

const services = new WeakMap<EmulatorHost, ClusterSites>();

export function sitesOf(emu: EmulatorHost): ClusterSites {
  let s = services.get(emu);
  if (!s) services.set(emu, (s = new ClusterSites(emu)));
  return s;
}

/** Emulator start (after listen): endpoints of stored sites, catch-up, the clock listener. */
export function startSites(emu: EmulatorHost): Promise<void> {
  return sitesOf(emu).start();
}

export function stopSites(emu: EmulatorHost): Promise<void> {
  return sitesOf(emu).stop();
}

export function resetSites(emu: EmulatorHost): Promise<void> {
  return sitesOf(emu).reset();
}

export function beginSiteDeployment(emu: EmulatorHost, cluster: StoredResource): Promise<SiteDeployment> {
  return sitesOf(emu).beginDeployment(cluster);
}

export function removeSite(emu: EmulatorHost, clusterId: string): Promise<void> {
  return sitesOf(emu).remove(clusterId);
}
