/**
 * The per-cluster PKI of an emulated Nexus cluster, created at deploy: a self-signed root CA that
 * never leaves the cluster, two intermediate issuers (interface: BMC and storage-appliance
 * management endpoints; infra: platform services and webhooks) and leaf certificates per endpoint.
 *
 * State is plain JSON records so it can live in the emulator's Store. Public records never hold key
 * material: private keys come back as separate PrivateKeyRecords, which the caller keeps in its
 * secret collection. Functions never mutate their inputs; they return the new records.
 */
import {
  DEFAULT_KEY_ALGORITHM, exportPrivateKeyPem, generateKeyPair, importPrivateKeyPem, inspectCertificate, issueCertificate, randomSerial,
  type DistinguishedName, type ExtKeyUsageName, type IssuedCertificate, type IssuerRef, type KeyAlgorithm,
} from './x509.js';
import { issuerRotationPlan, needsRenewal, renewalTime, toMs, type ClockLike, type Instant } from './policy.js';

export type { ClockLike };

const DAY = 86_400_000;

export interface ClusterPkiSettings {
  keyAlgorithm: KeyAlgorithm;
  rootLifetimeMs: number;
  issuerLifetimeMs: number;
  leafLifetimeMs: number;
  /** Fraction of the lifetime after which a certificate is renewed (cert-manager: 2/3). */
  renewalFraction: number;
  /** Base URL the emulator serves CRLs under; leaves then carry a CRL distribution point. */
  crlBaseUrl: string | null;
}

export const DEFAULT_CLUSTER_PKI_SETTINGS: Readonly<ClusterPkiSettings> = Object.freeze({
  keyAlgorithm: DEFAULT_KEY_ALGORITHM,
  rootLifetimeMs: 3650 * DAY,
  issuerLifetimeMs: 365 * DAY,
  leafLifetimeMs: 90 * DAY,
  renewalFraction: 2 / 3,
  crlBaseUrl: null,
});

export type IssuerPurpose = 'interfaceIssuer' | 'infraIssuer';
export type LeafPurpose = 'bmc' | 'storageAppliance' | 'platformService';
export type CertificatePurpose = 'rootCa' | IssuerPurpose | LeafPurpose;

/** Public, JSON-serialisable view of one certificate (CA or leaf). Never contains key material. */
export interface CertificateRecord {
  /** Stable name within the cluster; successive revisions (renewals, rotations) keep it. */
  name: string;
  purpose: CertificatePurpose;
  certPem: string;
  /** Lower-case hex. */
  serial: string;
  notBefore: string;
  notAfter: string;
  renewalTime: string;
  /** 1 for the first issuance, +1 for every renewal or rotation (cert-manager's status.revision). */
  revision: number;
  dnsNames: string[];
  ipAddresses: string[];
  /** Name of the issuing record (the root names itself). */
  issuerName: string;
  /** Serial of the exact issuer certificate that signed this one: names repeat across rotations. */
  issuerSerial: string;
  /** Lower-case hex SHA-256 of the DER. */
  fingerprint: string;
  keyAlgorithm: KeyAlgorithm;
}

/** Secret half of a certificate record; stored apart from the public records. */
export interface PrivateKeyRecord {
  /** Name of the certificate record this key belongs to. */
  name: string;
  /** Serial of the certificate this key was issued for (keys rotate with every revision). */
  serial: string;
  keyAlgorithm: KeyAlgorithm;
  privateKeyPem: string;
}

/** Issuer keys by certificate serial, so any revision of an issuer finds its own key. */
export type ClusterPkiKeys = Record<string, PrivateKeyRecord>;

export interface ClusterPkiRecord {
  clusterName: string;
  /** Random id that keeps two clusters' CA subjects apart in any trust store. */
  pkiId: string;
  settings: ClusterPkiSettings;
  rootCa: CertificateRecord;
  interfaceIssuer: CertificateRecord;
  infraIssuer: CertificateRecord;
  /** Successors already in the trust bundle that do not sign yet (rotation 'introduce' phase). */
  pendingIssuers: CertificateRecord[];
  /** Replaced issuers that stay trusted until their notAfter (rotation 'switched' phase). */
  retiringIssuers: CertificateRecord[];
}

export interface IssuedRecord {
  certificate: CertificateRecord;
  key: PrivateKeyRecord;
}

export interface ClusterPkiCreated {
  pki: ClusterPkiRecord;
  keys: ClusterPkiKeys;
}

const ISSUER_NAMES: Record<IssuerPurpose, string> = { interfaceIssuer: 'interface-issuer', infraIssuer: 'infra-issuer' };
const ISSUER_TITLES: Record<IssuerPurpose, string> = { interfaceIssuer: 'interface issuer', infraIssuer: 'infra issuer' };
const LEAF_ISSUER: Record<LeafPurpose, IssuerPurpose> = { bmc: 'interfaceIssuer', storageAppliance: 'interfaceIssuer', platformService: 'infraIssuer' };
/** Default subject O of leaves: the "group" revocation entries can select. */
export const DEFAULT_LEAF_GROUPS: Readonly<Record<LeafPurpose, string>> = { bmc: 'bmc', storageAppliance: 'storage-appliance', platformService: 'platform-services' };

// ---------------------------------------------------------------------------------------------
// Internals
// ---------------------------------------------------------------------------------------------

function validateSettings(s: ClusterPkiSettings): void {
  for (const k of ['rootLifetimeMs', 'issuerLifetimeMs', 'leafLifetimeMs'] as const) {
    if (!(Number.isFinite(s[k]) && s[k] >= 1000)) throw new RangeError(`${k} must be at least one second, got ${s[k]}`);
  }
  if (!(s.renewalFraction > 0 && s.renewalFraction < 1)) throw new RangeError(`renewalFraction must be between 0 and 1, got ${s.renewalFraction}`);
}

/** X.509 dates have one-second precision; rounding here keeps records equal to the certificate. */
function wholeSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

/** A child never outlives its issuer: cert-manager's CA issuer truncates notAfter the same way. */
function validity(clock: ClockLike, lifetimeMs: number, issuer: CertificateRecord | null): { notBefore: number; notAfter: number } {
  const notBefore = wholeSecond(clock.nowMs());
  const wanted = notBefore + lifetimeMs;
  const notAfter = issuer ? Math.min(wanted, toMs(issuer.notAfter)) : wanted;
  if (notAfter <= notBefore) throw new RangeError(`issuer ${issuer?.name} (serial ${issuer?.serial}) has expired; rotate it before issuing`);
  return { notBefore, notAfter };
}

/** CN is capped at 64 characters by RFC 5280; keep the recognisable start of long names. */
function cn(text: string): string {
  return text.length <= 64 ? text : text.slice(0, 64);
}

function clusterOrg(pki: Pick<ClusterPkiRecord, 'clusterName'>): string {
  return cn(`Nexus cluster ${pki.clusterName}`);
}

function toRecord(
  issued: IssuedCertificate,
  meta: { name: string; purpose: CertificatePurpose; revision: number; issuerName: string; issuerSerial: string; keyAlgorithm: KeyAlgorithm; renewalFraction: number },
  names: { dnsNames?: string[]; ipAddresses?: string[] },
): CertificateRecord {
  return {
    name: meta.name,
    purpose: meta.purpose,
    certPem: issued.certPem,
    serial: issued.serial,
    notBefore: issued.notBefore.toISOString(),
    notAfter: issued.notAfter.toISOString(),
    renewalTime: renewalTime(issued.notBefore, issued.notAfter, meta.renewalFraction).toISOString(),
    revision: meta.revision,
    dnsNames: [...(names.dnsNames ?? [])],
    ipAddresses: [...(names.ipAddresses ?? [])],
    issuerName: meta.issuerName,
    issuerSerial: meta.issuerSerial,
    fingerprint: issued.fingerprint,
    keyAlgorithm: meta.keyAlgorithm,
  };
}

async function keyRecord(name: string, serial: string, keys: CryptoKeyPair, keyAlgorithm: KeyAlgorithm): Promise<PrivateKeyRecord> {
  return { name, serial, keyAlgorithm, privateKeyPem: await exportPrivateKeyPem(keys) };
}

/**
 * Parsed issuer keys, by PEM. Issuers sign many leaves and parsing a P-384 PKCS#8 key costs about as
 * much as the signature, so the few live issuer keys are kept; keyed by content, never stale.
 */
const issuerKeyCache = new Map<string, Promise<CryptoKey>>();
const ISSUER_KEY_CACHE_SIZE = 32;

function cachedPrivateKey(privateKeyPem: string): Promise<CryptoKey> {
  let key = issuerKeyCache.get(privateKeyPem);
  if (!key) {
    key = importPrivateKeyPem(privateKeyPem);
    key.catch(() => issuerKeyCache.delete(privateKeyPem));
    issuerKeyCache.set(privateKeyPem, key);
    if (issuerKeyCache.size > ISSUER_KEY_CACHE_SIZE) issuerKeyCache.delete(issuerKeyCache.keys().next().value!);
  }
  return key;
}

async function signerFor(record: CertificateRecord, keys: ClusterPkiKeys): Promise<IssuerRef> {
  const key = keys[record.serial];
  if (!key) throw new Error(`no private key for ${record.name} (serial ${record.serial})`);
  return { cert: record.certPem, key: await cachedPrivateKey(key.privateKeyPem) };
}

async function issueRoot(clusterName: string, pkiId: string, settings: ClusterPkiSettings, clock: ClockLike): Promise<IssuedRecord> {
  const keys = await generateKeyPair(settings.keyAlgorithm);
  const { notBefore, notAfter } = validity(clock, settings.rootLifetimeMs, null);
  const issued = await issueCertificate({
    subject: { commonName: `Nexus root CA ${pkiId}`, organization: clusterOrg({ clusterName }) },
    issuer: 'self', privateKey: keys.privateKey, publicKey: keys.publicKey,
    notBefore, notAfter, ca: {},
  });
  const certificate = toRecord(issued, {
    name: 'root-ca', purpose: 'rootCa', revision: 1, issuerName: 'root-ca', issuerSerial: issued.serial,
    keyAlgorithm: settings.keyAlgorithm, renewalFraction: settings.renewalFraction,
  }, {});
  return { certificate, key: await keyRecord('root-ca', issued.serial, keys, settings.keyAlgorithm) };
}

async function issueIssuer(
  pki: Pick<ClusterPkiRecord, 'clusterName' | 'pkiId' | 'settings' | 'rootCa'>, keys: ClusterPkiKeys,
  purpose: IssuerPurpose, revision: number, clock: ClockLike,
): Promise<IssuedRecord> {
  const { settings, rootCa } = pki;
  const pair = await generateKeyPair(settings.keyAlgorithm);
  const { notBefore, notAfter } = validity(clock, settings.issuerLifetimeMs, rootCa);
  const issued = await issueCertificate({
    // The subject stays the same across rotations (AKI/SKI tell revisions apart), as on the platform.
    subject: { commonName: `Nexus ${ISSUER_TITLES[purpose]} ${pki.pkiId}`, organization: clusterOrg(pki) },
    issuer: await signerFor(rootCa, keys), publicKey: pair.publicKey,
    notBefore, notAfter, ca: { pathLength: 0 },
  });
  const name = ISSUER_NAMES[purpose];
  const certificate = toRecord(issued, {
    name, purpose, revision, issuerName: rootCa.name, issuerSerial: rootCa.serial,
    keyAlgorithm: settings.keyAlgorithm, renewalFraction: settings.renewalFraction,
  }, {});
  return { certificate, key: await keyRecord(name, issued.serial, pair, settings.keyAlgorithm) };
}

function crlUrl(pki: ClusterPkiRecord, issuer: CertificateRecord): string | undefined {
  if (!pki.settings.crlBaseUrl) return undefined;
  // Per issuer revision: after a rotation old and new issuer publish separate CRLs.
  return `${pki.settings.crlBaseUrl.replace(/\/+$/, '')}/${issuer.name}-r${issuer.revision}.crl`;
}

interface LeafSpec {
  name: string;
  purpose: LeafPurpose;
  subject: DistinguishedName;
  dnsNames: string[];
  ipAddresses: string[];
  extKeyUsages: ExtKeyUsageName[];
  revision: number;
}

async function issueLeaf(pki: ClusterPkiRecord, keys: ClusterPkiKeys, spec: LeafSpec, clock: ClockLike): Promise<IssuedRecord> {
  const issuer = pki[LEAF_ISSUER[spec.purpose]];
  const { settings } = pki;
  const pair = await generateKeyPair(settings.keyAlgorithm);
  const { notBefore, notAfter } = validity(clock, settings.leafLifetimeMs, issuer);
  const issued = await issueCertificate({
    subject: spec.subject,
    issuer: await signerFor(issuer, keys), publicKey: pair.publicKey,
    notBefore, notAfter,
    dnsNames: spec.dnsNames, ipAddresses: spec.ipAddresses, extKeyUsages: spec.extKeyUsages,
    crlDistributionPoint: crlUrl(pki, issuer),
  });
  const certificate = toRecord(issued, {
    name: spec.name, purpose: spec.purpose, revision: spec.revision, issuerName: issuer.name, issuerSerial: issuer.serial,
    keyAlgorithm: settings.keyAlgorithm, renewalFraction: settings.renewalFraction,
  }, spec);
  return { certificate, key: await keyRecord(spec.name, issued.serial, pair, settings.keyAlgorithm) };
}

function uniq(values: string[]): string[] {
  return [...new Set(values)];
}

// ---------------------------------------------------------------------------------------------
// Creation and leaves
// ---------------------------------------------------------------------------------------------

/** Creates a cluster's hierarchy at deploy: root CA, interface issuer and infra issuer. */
export async function createClusterPki(clusterName: string, clock: ClockLike, settings: Partial<ClusterPkiSettings> = {}): Promise<ClusterPkiCreated> {
  // Undefined fields (an API body with the property omitted) fall back to the defaults.
  const given = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
  const effective: ClusterPkiSettings = { ...DEFAULT_CLUSTER_PKI_SETTINGS, ...given };
  validateSettings(effective);
  const pkiId = randomSerial().slice(0, 8);
  const root = await issueRoot(clusterName, pkiId, effective, clock);
  const keys: ClusterPkiKeys = { [root.key.serial]: root.key };
  const base = { clusterName, pkiId, settings: effective, rootCa: root.certificate };
  const iface = await issueIssuer(base, keys, 'interfaceIssuer', 1, clock);
  const infra = await issueIssuer(base, keys, 'infraIssuer', 1, clock);
  keys[iface.key.serial] = iface.key;
  keys[infra.key.serial] = infra.key;
  return {
    pki: { ...base, interfaceIssuer: iface.certificate, infraIssuer: infra.certificate, pendingIssuers: [], retiringIssuers: [] },
    keys,
  };
}

export interface BmcEndpoint {
  machineName: string;
  /** The machine's DNS name; 127.0.0.1 is always added because the emulated BMC listens on loopback. */
  dnsName: string;
  ipAddresses?: string[];
  group?: string;
}

/** Leaf for a bare metal machine's BMC (iDRAC/Redfish) endpoint, from the interface issuer. */
export function issueBmcCertificate(pki: ClusterPkiRecord, keys: ClusterPkiKeys, endpoint: BmcEndpoint, clock: ClockLike, revision = 1): Promise<IssuedRecord> {
  return issueLeaf(pki, keys, {
    name: `bmc-${endpoint.machineName}`,
    purpose: 'bmc',
    subject: { commonName: cn(endpoint.dnsName), organization: endpoint.group ?? DEFAULT_LEAF_GROUPS.bmc },
    dnsNames: [endpoint.dnsName],
    ipAddresses: uniq([...(endpoint.ipAddresses ?? []), '127.0.0.1']),
    extKeyUsages: ['serverAuth'],
    revision,
  }, clock);
}

export interface StorageApplianceEndpoint {
  applianceName: string;
  dnsName: string;
  ipAddresses?: string[];
  group?: string;
}

/** Leaf for a storage appliance's management endpoint, from the interface issuer. */
export function issueStorageApplianceCertificate(pki: ClusterPkiRecord, keys: ClusterPkiKeys, endpoint: StorageApplianceEndpoint, clock: ClockLike, revision = 1): Promise<IssuedRecord> {
  return issueLeaf(pki, keys, {
    name: `storage-appliance-${endpoint.applianceName}`,
    purpose: 'storageAppliance',
    subject: { commonName: cn(endpoint.dnsName), organization: endpoint.group ?? DEFAULT_LEAF_GROUPS.storageAppliance },
    dnsNames: [endpoint.dnsName],
    ipAddresses: uniq([...(endpoint.ipAddresses ?? []), '127.0.0.1']),
    extKeyUsages: ['serverAuth'],
    revision,
  }, clock);
}

export interface PlatformService {
  serviceName: string;
  dnsNames: string[];
  ipAddresses?: string[];
  group?: string;
  /** Webhooks and mTLS services also authenticate as clients. */
  clientAuth?: boolean;
}

/** Leaf for a platform service or webhook, from the infra issuer. */
export function issuePlatformServiceCertificate(pki: ClusterPkiRecord, keys: ClusterPkiKeys, service: PlatformService, clock: ClockLike, revision = 1): Promise<IssuedRecord> {
  if (!service.dnsNames.length) throw new RangeError(`platform service ${service.serviceName} needs at least one DNS name`);
  return issueLeaf(pki, keys, {
    name: `platform-service-${service.serviceName}`,
    purpose: 'platformService',
    subject: { commonName: cn(service.dnsNames[0]), organization: service.group ?? DEFAULT_LEAF_GROUPS.platformService },
    dnsNames: service.dnsNames,
    ipAddresses: service.ipAddresses ?? [],
    extKeyUsages: service.clientAuth ? ['serverAuth', 'clientAuth'] : ['serverAuth'],
    revision,
  }, clock);
}

/**
 * Re-issues a leaf with the same names and group from its purpose's current issuer, with a fresh
 * key (cert-manager's rotationPolicy: Always) and revision + 1.
 */
export async function renewLeafCertificate(pki: ClusterPkiRecord, keys: ClusterPkiKeys, current: CertificateRecord, clock: ClockLike): Promise<IssuedRecord> {
  const purpose = current.purpose;
  if (!isLeafPurpose(purpose)) throw new RangeError(`${current.name} is a CA (${purpose}); rotate issuers with advanceIssuerRotation`);
  const info = inspectCertificate(current.certPem);
  return issueLeaf(pki, keys, {
    name: current.name,
    purpose,
    subject: { commonName: info.commonName ?? cn(current.dnsNames[0] ?? current.name), organization: info.groups[0] },
    dnsNames: current.dnsNames,
    ipAddresses: current.ipAddresses,
    extKeyUsages: purpose === 'platformService' && hasClientAuth(current.certPem) ? ['serverAuth', 'clientAuth'] : ['serverAuth'],
    revision: current.revision + 1,
  }, clock);
}

/** Reading the EKU back from the certificate keeps profile fields out of the record. */
function hasClientAuth(certPem: string): boolean {
  return inspectCertificate(certPem).extKeyUsages.includes('clientAuth');
}

/** The active issuer that signs leaves of this purpose. */
export function issuerFor(pki: ClusterPkiRecord, purpose: LeafPurpose): CertificateRecord {
  return pki[LEAF_ISSUER[purpose]];
}

/**
 * A leaf must be re-issued when its renewal time has come or when the issuer that signed it no
 * longer signs (after an issuer rotation switched to the successor).
 */
export function leafNeedsReissue(pki: ClusterPkiRecord, leaf: CertificateRecord, now: Instant): boolean {
  if (!isLeafPurpose(leaf.purpose)) throw new RangeError(`${leaf.name} is a CA (${leaf.purpose}), not a leaf`);
  if (needsRenewal(leaf, now)) return true;
  return issuerFor(pki, leaf.purpose).serial !== leaf.issuerSerial;
}

function isLeafPurpose(purpose: CertificatePurpose): purpose is LeafPurpose {
  return purpose in LEAF_ISSUER;
}

// ---------------------------------------------------------------------------------------------
// What the platform exposes
// ---------------------------------------------------------------------------------------------

/** The caCertificate a bare metal machine / storage appliance reports: the interface issuer. */
export function caCertificateOf(pki: ClusterPkiRecord): { value: string; hash: string } {
  return { value: pki.interfaceIssuer.certPem, hash: pki.interfaceIssuer.fingerprint };
}

/** Every issuer certificate in the cluster, current or not, for looking up a leaf's issuer by serial. */
export function allIssuers(pki: ClusterPkiRecord): CertificateRecord[] {
  return [pki.interfaceIssuer, pki.infraIssuer, ...pki.pendingIssuers, ...pki.retiringIssuers];
}

/** The intermediate(s) a TLS server presents after its leaf: the exact issuer that signed it. */
export function chainFor(pki: ClusterPkiRecord, leaf: CertificateRecord): string[] {
  const issuer = allIssuers(pki).find((i) => i.serial === leaf.issuerSerial);
  if (!issuer) throw new Error(`issuer ${leaf.issuerName} (serial ${leaf.issuerSerial}) of ${leaf.name} is no longer part of the cluster PKI`);
  return [issuer.certPem];
}

/**
 * Trust bundle of one issuer purpose, oldest first: old → old+new → new as a rotation proceeds.
 * Clients pinning the interface issuer (rather than the root) must accept all of these.
 */
export function issuerTrustBundle(pki: ClusterPkiRecord, purpose: IssuerPurpose): CertificateRecord[] {
  const of = (list: CertificateRecord[]) => list.filter((c) => c.purpose === purpose);
  return [...of(pki.retiringIssuers), pki[purpose], ...of(pki.pendingIssuers)];
}

/** The cluster's trust anchor (root CA PEM): what a client trusting the whole cluster needs. */
export function rootTrustBundle(pki: ClusterPkiRecord): string {
  return pki.rootCa.certPem;
}

// ---------------------------------------------------------------------------------------------
// Issuer rotation
// ---------------------------------------------------------------------------------------------

export type RotationAction = 'introduced' | 'switched' | 'retired';

export interface RotationResult extends ClusterPkiCreated {
  /** What this call did, in order; empty when nothing was due. */
  actions: RotationAction[];
  /** Key serials the caller should delete from its secret collection (retired issuers). */
  removedKeySerials: string[];
}

function removeRetired(pki: ClusterPkiRecord, purpose: IssuerPurpose, now: number): { pki: ClusterPkiRecord; removed: CertificateRecord[] } {
  const removed = pki.retiringIssuers.filter((c) => c.purpose === purpose && toMs(c.notAfter) <= now);
  if (!removed.length) return { pki, removed };
  return { pki: { ...pki, retiringIssuers: pki.retiringIssuers.filter((c) => !removed.includes(c)) }, removed };
}

/**
 * Moves one issuer's rotation forward to `clock` following issuerRotationPlan: issue a successor
 * into the bundle (introduce), make it the signer (switch; the old one keeps being trusted), and
 * drop the old one once expired (retire). Call it whenever the clock moves; it is idempotent.
 * After a 'switched' action the caller re-issues leaves for which leafNeedsReissue() is true.
 */
export async function advanceIssuerRotation(
  created: ClusterPkiCreated, purpose: IssuerPurpose, clock: ClockLike, overlapMs: number,
): Promise<RotationResult> {
  let { pki } = created;
  const keys: ClusterPkiKeys = { ...created.keys };
  const actions: RotationAction[] = [];
  const now = clock.nowMs();
  const pendingOf = () => pki.pendingIssuers.find((c) => c.purpose === purpose);

  const plan = issuerRotationPlan(pki[purpose], now, overlapMs);
  if (plan.phase !== 'active' && !pendingOf()) {
    const successor = await issueIssuer(pki, keys, purpose, pki[purpose].revision + 1, clock);
    keys[successor.key.serial] = successor.key;
    pki = { ...pki, pendingIssuers: [...pki.pendingIssuers, successor.certificate] };
    actions.push('introduced');
  }
  const pending = pendingOf();
  if ((plan.phase === 'switched' || plan.phase === 'retired') && pending) {
    const old = pki[purpose];
    pki = {
      ...pki,
      [purpose]: pending,
      pendingIssuers: pki.pendingIssuers.filter((c) => c !== pending),
      retiringIssuers: [...pki.retiringIssuers, old],
    };
    actions.push('switched');
  }
  const { pki: pruned, removed } = removeRetired(pki, purpose, now);
  pki = pruned;
  if (removed.length) actions.push('retired');
  for (const r of removed) delete keys[r.serial];
  return { pki, keys, actions, removedKeySerials: removed.map((r) => r.serial) };
}
