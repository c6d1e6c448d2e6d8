/**
 * The per-cluster PKI of an emulated Nexus cluster, created at deploy: a self-signed root CA that
 * never leaves the cluster, two intermediate issuers (interface: BMC and storage-appliance
 * management endpoints; infra: platform services and webhooks) and leaf certificates per endpoint.
 *
 * State is plain JSON records so it can live in the emulator's Store. Public records never hold key
 * material: private keys come back as separate PrivateKeyRecords, which the caller keeps in its
 * secret collection. Functions never mutate their inputs; they return the new records.
 *
 * The certificate profiles live here once. How they are dated is a DatingPolicy: one clock
 * (clockDating) or, for the running server's sites, the virtual and the real clock (site-issuance.ts).
 */
import {
  DEFAULT_KEY_ALGORITHM, exportPrivateKeyPem, generateEncodedKeyPair, generateKeyPair, importPrivateKeyPem, issueCertificate,
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
  /** Root rotation (sites): the successor root, in the trust bundle before it signs the issuers. */
  pendingRoot?: CertificateRecord;
  /** Replaced roots, trusted until their notAfter. */
  retiringRoots?: CertificateRecord[];
}

export interface IssuedRecord<C extends CertificateRecord = CertificateRecord> {
  certificate: C;
  key: PrivateKeyRecord;
}

export interface ClusterPkiCreated {
  pki: ClusterPkiRecord;
  keys: ClusterPkiKeys;
}

export const ISSUER_NAMES: Record<IssuerPurpose, string> = { interfaceIssuer: 'interface-issuer', infraIssuer: 'infra-issuer' };
const ISSUER_TITLES: Record<IssuerPurpose, string> = { interfaceIssuer: 'interface issuer', infraIssuer: 'infra issuer' };
/** Which issuer signs leaves of each purpose. */
export const LEAF_ISSUER: Readonly<Record<LeafPurpose, IssuerPurpose>> = { bmc: 'interfaceIssuer', storageAppliance: 'interfaceIssuer', platformService: 'infraIssuer' };
/** Default subject O of leaves: the "group" revocation entries can select. */
export const DEFAULT_LEAF_GROUPS: Readonly<Record<LeafPurpose, string>> = { bmc: 'bmc', storageAppliance: 'storage-appliance', platformService: 'platform-services' };

// ---------------------------------------------------------------------------------------------
// Issuance: the one set of profiles (root CA, pathLen-0 issuers, serverAuth leaves), dated by a policy
// ---------------------------------------------------------------------------------------------

/** What a dating policy decides for one certificate, plus what its records keep beyond X.509 dates. */
export interface Dated<Extra extends object> {
  notBefore: number;
  notAfter: number;
  renewalTime: number;
  extra: Extra;
}

/**
 * How certificates are dated: the library's one clock (clockDating), or the sites' virtual and real
 * clocks at once (siteDating in site-issuance.ts). `capMs` is the issuer's notAfter (null for a root);
 * a policy throws when nothing can be issued under that cap any more.
 */
export type DatingPolicy<Extra extends object> = (lifetimeMs: number, capMs: number | null, renewalFraction: number) => Dated<Extra>;

/** X.509 dates have one-second precision; rounding here keeps records equal to the certificate. */
export function wholeSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

/**
 * One clock: valid from now, renewed at renewalFraction of the lifetime. A child never outlives its
 * issuer: cert-manager's CA issuer truncates notAfter the same way.
 */
export function clockDating(clock: ClockLike): DatingPolicy<Record<never, never>> {
  return (lifetimeMs, capMs, renewalFraction) => {
    const notBefore = wholeSecond(clock.nowMs());
    const wanted = notBefore + lifetimeMs;
    const notAfter = capMs === null ? wanted : Math.min(wanted, capMs);
    if (notAfter <= notBefore) throw new RangeError(`the issuing CA expired on ${new Date(notAfter).toISOString()}; rotate it before issuing`);
    return { notBefore, notAfter, renewalTime: renewalTime(notBefore, notAfter, renewalFraction).getTime(), extra: {} };
  };
}

/** CN is capped at 64 characters by RFC 5280; keep the recognisable start of long names. */
export function cn(text: string): string {
  return text.length <= 64 ? text : text.slice(0, 64);
}

export function clusterOrganization(clusterName: string): string {
  return cn(`Nexus cluster ${clusterName}`);
}

export function issuerSubject(purpose: IssuerPurpose, pkiId: string, clusterName: string): DistinguishedName {
  // The subject stays the same across rotations (AKI/SKI tell revisions apart), as on the platform.
  return { commonName: `Nexus ${ISSUER_TITLES[purpose]} ${pkiId}`, organization: clusterOrganization(clusterName) };
}

interface RecordMeta {
  name: string;
  purpose: CertificatePurpose;
  revision: number;
  issuerName: string;
  issuerSerial: string;
  keyAlgorithm: KeyAlgorithm;
  dnsNames?: string[];
  ipAddresses?: string[];
}

/**
 * The record of a certificate: dates as the certificate says, the renewal time and extras as the
 * policy decided. Also used for issuers the emulator did not sign itself (a customer-signed CSR).
 */
export function certificateRecord<Extra extends object>(
  cert: Pick<IssuedCertificate, 'certPem' | 'serial' | 'notBefore' | 'notAfter' | 'fingerprint'>,
  dated: Pick<Dated<Extra>, 'renewalTime' | 'extra'>, meta: RecordMeta,
): CertificateRecord & Extra {
  return {
    name: meta.name,
    purpose: meta.purpose,
    certPem: cert.certPem,
    serial: cert.serial,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    renewalTime: new Date(dated.renewalTime).toISOString(),
    revision: meta.revision,
    dnsNames: [...(meta.dnsNames ?? [])],
    ipAddresses: [...(meta.ipAddresses ?? [])],
    issuerName: meta.issuerName,
    issuerSerial: meta.issuerSerial,
    fingerprint: cert.fingerprint,
    keyAlgorithm: meta.keyAlgorithm,
    ...dated.extra,
  };
}

async function keyRecord(name: string, serial: string, keys: CryptoKeyPair, keyAlgorithm: KeyAlgorithm): Promise<PrivateKeyRecord> {
  return { name, serial, keyAlgorithm, privateKeyPem: await exportPrivateKeyPem(keys) };
}

/**
 * Parsed signing keys, by PEM. Issuers sign many leaves and parsing a P-384 PKCS#8 key costs about as
 * much as the signature, so the few live issuer keys are kept; keyed by content, never stale.
 */
const signingKeyCache = new Map<string, Promise<CryptoKey>>();
const SIGNING_KEY_CACHE_SIZE = 64;

function signingKey(privateKeyPem: string): Promise<CryptoKey> {
  let key = signingKeyCache.get(privateKeyPem);
  if (!key) {
    key = importPrivateKeyPem(privateKeyPem);
    key.catch(() => signingKeyCache.delete(privateKeyPem));
    signingKeyCache.set(privateKeyPem, key);
    if (signingKeyCache.size > SIGNING_KEY_CACHE_SIZE) signingKeyCache.delete(signingKeyCache.keys().next().value!);
  }
  return key;
}

/** A CA that signs: its certificate and the PEM of its key (from the secret collection). */
export interface Signer {
  name: string;
  certPem: string;
  serial: string;
  notAfter: string;
  keyPem: string;
}

/** The signer of a CA record whose key is in `keys` (by serial: any revision finds its own key). */
export function signerOf(record: Pick<CertificateRecord, 'name' | 'certPem' | 'serial' | 'notAfter'>, keys: ClusterPkiKeys): Signer {
  const key = keys[record.serial];
  if (!key) throw new Error(`no private key for ${record.name} (serial ${record.serial})`);
  return { name: record.name, certPem: record.certPem, serial: record.serial, notAfter: record.notAfter, keyPem: key.privateKeyPem };
}

async function issuerRef(signer: Signer): Promise<IssuerRef> {
  return { cert: signer.certPem, key: await signingKey(signer.keyPem) };
}

export interface HierarchyIdentity {
  clusterName: string;
  pkiId: string;
  settings: ClusterPkiSettings;
}

/** The cluster's self-signed root CA (never leaves the cluster). */
export async function issueRootCa<Extra extends object>(id: HierarchyIdentity, dating: DatingPolicy<Extra>, revision = 1): Promise<IssuedRecord<CertificateRecord & Extra>> {
  const { settings } = id;
  const dated = dating(settings.rootLifetimeMs, null, settings.renewalFraction);
  const pair = await generateKeyPair(settings.keyAlgorithm);
  const issued = await issueCertificate({
    subject: { commonName: `Nexus root CA ${id.pkiId}`, organization: clusterOrganization(id.clusterName) },
    issuer: 'self', privateKey: pair.privateKey, publicKey: pair.publicKey,
    notBefore: dated.notBefore, notAfter: dated.notAfter, ca: {},
  });
  const certificate = certificateRecord(issued, dated, {
    name: 'root-ca', purpose: 'rootCa', revision, issuerName: 'root-ca', issuerSerial: issued.serial, keyAlgorithm: settings.keyAlgorithm,
  });
  return { certificate, key: await keyRecord('root-ca', issued.serial, pair, settings.keyAlgorithm) };
}

/** An intermediate issuer (pathLen 0), signed by the cluster root or by a customer CA. */
export async function issueIssuerCa<Extra extends object>(
  id: HierarchyIdentity, purpose: IssuerPurpose, revision: number, parent: Signer, dating: DatingPolicy<Extra>, crlUrl?: string,
): Promise<IssuedRecord<CertificateRecord & Extra>> {
  const { settings } = id;
  // Dates first: an expired parent fails before any key is generated.
  const dated = dating(settings.issuerLifetimeMs, toMs(parent.notAfter), settings.renewalFraction);
  const pair = await generateKeyPair(settings.keyAlgorithm);
  const issued = await issueCertificate({
    subject: issuerSubject(purpose, id.pkiId, id.clusterName),
    issuer: await issuerRef(parent), publicKey: pair.publicKey,
    notBefore: dated.notBefore, notAfter: dated.notAfter, ca: { pathLength: 0 },
    crlDistributionPoint: crlUrl,
  });
  const name = ISSUER_NAMES[purpose];
  const certificate = certificateRecord(issued, dated, {
    name, purpose, revision, issuerName: parent.name, issuerSerial: parent.serial, keyAlgorithm: settings.keyAlgorithm,
  });
  return { certificate, key: await keyRecord(name, issued.serial, pair, settings.keyAlgorithm) };
}

export interface LeafRequest {
  name: string;
  purpose: LeafPurpose;
  /** Subject O: the "group" revocation rules select on. */
  group: string;
  dnsNames: string[];
  ipAddresses: string[];
  /** Webhooks and mTLS services also authenticate as clients. */
  clientAuth?: boolean;
  revision: number;
  /** A given serial (a revision already recorded, issued for real later); random otherwise. */
  serial?: string;
}

/** A serverAuth leaf with a fresh key (cert-manager's rotationPolicy: Always). */
export async function issueLeaf<Extra extends object>(
  settings: ClusterPkiSettings, leaf: LeafRequest, issuer: Signer, dating: DatingPolicy<Extra>, crlUrl?: string,
): Promise<IssuedRecord<CertificateRecord & Extra>> {
  // Dates first: an expired issuer fails before any key is generated.
  const dated = dating(settings.leafLifetimeMs, toMs(issuer.notAfter), settings.renewalFraction);
  // Generated and encoded on the thread pool: a leaf's key is only ever certified and kept as PEM.
  const [pair, signer] = await Promise.all([generateEncodedKeyPair(settings.keyAlgorithm), issuerRef(issuer)]);
  const extKeyUsages: ExtKeyUsageName[] = leaf.clientAuth ? ['serverAuth', 'clientAuth'] : ['serverAuth'];
  const issued = await issueCertificate({
    subject: { commonName: cn(leaf.dnsNames[0] ?? leaf.name), organization: leaf.group },
    issuer: signer, publicKey: pair.spkiDer,
    notBefore: dated.notBefore, notAfter: dated.notAfter,
    dnsNames: leaf.dnsNames, ipAddresses: leaf.ipAddresses, extKeyUsages,
    crlDistributionPoint: crlUrl, serial: leaf.serial,
  });
  const certificate = certificateRecord(issued, dated, {
    name: leaf.name, purpose: leaf.purpose, revision: leaf.revision, issuerName: issuer.name, issuerSerial: issuer.serial,
    keyAlgorithm: settings.keyAlgorithm, dnsNames: leaf.dnsNames, ipAddresses: leaf.ipAddresses,
  });
  return { certificate, key: { name: leaf.name, serial: issued.serial, keyAlgorithm: settings.keyAlgorithm, privateKeyPem: pair.privateKeyPem } };
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
    const successor = await issueIssuerCa(pki, purpose, pki[purpose].revision + 1, signerOf(pki.rootCa, keys), clockDating(clock));
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
