/**
 * Issuance for the cluster sites: the same profiles as cluster-pki.ts (root CA, pathLen-0 issuers,
 * serverAuth leaves with SANs and a CRL distribution point), dated for two clocks at once.
 *
 * The emulator's clock is virtual and only ever runs ahead of real time, while the TLS clients that
 * talk to the live endpoints (openssl, curl, node) check validity against real time. So:
 *   issuedAt    = virtual now                       (renewal, rotation and revocation notBefore read it)
 *   notBefore   = min(virtual now, wall now) − 5 min (never in a real client's future)
 *   notAfter    = issuedAt + lifetime, capped at the issuer's notAfter
 *   renewalTime = issuedAt + renewalFraction × (notAfter − issuedAt)
 * A certificate issued after the user advanced the clock by 80 days is thus valid for real clients
 * from now until 80 + 90 days ahead, and renews on the virtual clock like any other.
 */
import { createPrivateKey } from 'node:crypto';
import { ArmError } from '../arm/errors.js';
import type { CertificateRecord, ClusterPkiSettings, IssuerPurpose, LeafPurpose, PrivateKeyRecord } from './cluster-pki.js';
import {
  certificateFromPem, exportPrivateKeyPem, generateKeyPair, importKeyPairPem, importPrivateKeyPem, inspectCertificate, isIssuedBy,
  issueCertificate, keyAlgorithmOf, keyMatchesCertificate, signatureAlgorithmFor, splitCertificates, toName, x509,
  type DistinguishedName, type ExtKeyUsageName, type IssuedCertificate, type KeyAlgorithm,
} from './x509.js';

/** Real clients whose clocks lag a little behind ours still accept the certificate. */
export const BACKDATE_MS = 5 * 60_000;

/** A certificate record of a site: the library's record plus when it was issued on the virtual clock. */
export interface SiteCertificate extends CertificateRecord {
  /** ISO instant (millisecond precision) on the emulator's clock at which it was issued. */
  issuedAt: string;
}

/** The two clocks an issuance is dated by. */
export interface IssueTimes {
  /** Virtual now (the emulator's clock). */
  nowMs: number;
  /** Real now. */
  wallMs: number;
}

/** Bad customer material, or an issuance that cannot be made: an ARM-shaped 4xx wherever it surfaces. */
export class SiteInputError extends ArmError {
  constructor(code: string, message: string, status = 400) {
    super(status, code, message);
  }
}

function wholeSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

export interface SiteDates {
  issuedAt: number;
  notBefore: number;
  notAfter: number;
  renewalTime: number;
}

/** The dating policy above, as a pure function. `capMs` is the issuer's notAfter (null for a root). */
export function siteDates(t: IssueTimes, lifetimeMs: number, capMs: number | null, renewalFraction: number): SiteDates {
  const issuedAt = t.nowMs;
  const notBefore = wholeSecond(Math.min(t.nowMs, t.wallMs) - BACKDATE_MS);
  const wanted = wholeSecond(issuedAt + lifetimeMs);
  const notAfter = capMs === null ? wanted : Math.min(wanted, capMs);
  if (notAfter <= issuedAt) {
    throw new SiteInputError('IssuerExpired', `the issuing CA expired on ${new Date(capMs ?? notAfter).toISOString()}; nothing can be issued from it any more`, 409);
  }
  return { issuedAt, notBefore, notAfter, renewalTime: wholeSecond(issuedAt + (notAfter - issuedAt) * renewalFraction) };
}

/** CN is capped at 64 characters by RFC 5280. */
export function cn(text: string): string {
  return text.length <= 64 ? text : text.slice(0, 64);
}

export function clusterOrganization(clusterName: string): string {
  return cn(`Nexus cluster ${clusterName}`);
}

const ISSUER_TITLES: Record<IssuerPurpose, string> = { interfaceIssuer: 'interface issuer', infraIssuer: 'infra issuer' };
export const ISSUER_NAMES: Record<IssuerPurpose, string> = { interfaceIssuer: 'interface-issuer', infraIssuer: 'infra-issuer' };

export function issuerSubject(purpose: IssuerPurpose, pkiId: string, clusterName: string): DistinguishedName {
  // Same subject across rotations (SKI/AKI tell revisions apart), as cluster-pki.ts does.
  return { commonName: `Nexus ${ISSUER_TITLES[purpose]} ${pkiId}`, organization: clusterOrganization(clusterName) };
}

/** Parsed signing keys by PEM: an issuer signs many leaves and parsing costs about a signature. */
const keyCache = new Map<string, Promise<CryptoKey>>();
function signingKey(privateKeyPem: string): Promise<CryptoKey> {
  let key = keyCache.get(privateKeyPem);
  if (!key) {
    key = importPrivateKeyPem(privateKeyPem);
    key.catch(() => keyCache.delete(privateKeyPem));
    keyCache.set(privateKeyPem, key);
    if (keyCache.size > 64) keyCache.delete(keyCache.keys().next().value!);
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

interface RecordMeta {
  name: string;
  purpose: CertificateRecord['purpose'];
  revision: number;
  issuerName: string;
  issuerSerial: string;
  keyAlgorithm: KeyAlgorithm;
  dnsNames?: string[];
  ipAddresses?: string[];
}

function toSiteRecord(issued: IssuedCertificate, dates: SiteDates, meta: RecordMeta): SiteCertificate {
  return {
    name: meta.name,
    purpose: meta.purpose,
    certPem: issued.certPem,
    serial: issued.serial,
    notBefore: issued.notBefore.toISOString(),
    notAfter: issued.notAfter.toISOString(),
    renewalTime: new Date(dates.renewalTime).toISOString(),
    revision: meta.revision,
    dnsNames: [...(meta.dnsNames ?? [])],
    ipAddresses: [...(meta.ipAddresses ?? [])],
    issuerName: meta.issuerName,
    issuerSerial: meta.issuerSerial,
    fingerprint: issued.fingerprint,
    keyAlgorithm: meta.keyAlgorithm,
    issuedAt: new Date(dates.issuedAt).toISOString(),
  };
}

export interface SiteIssued {
  certificate: SiteCertificate;
  key: PrivateKeyRecord;
}

async function keyRecordOf(name: string, serial: string, pair: CryptoKeyPair, keyAlgorithm: KeyAlgorithm): Promise<PrivateKeyRecord> {
  return { name, serial, keyAlgorithm, privateKeyPem: await exportPrivateKeyPem(pair) };
}

export interface HierarchyIdentity {
  clusterName: string;
  pkiId: string;
  settings: ClusterPkiSettings;
}

/** The cluster's self-signed root CA (never leaves the site). */
export async function issueRootCa(id: HierarchyIdentity, t: IssueTimes): Promise<SiteIssued> {
  const pair = await generateKeyPair(id.settings.keyAlgorithm);
  const dates = siteDates(t, id.settings.rootLifetimeMs, null, id.settings.renewalFraction);
  const issued = await issueCertificate({
    subject: { commonName: `Nexus root CA ${id.pkiId}`, organization: clusterOrganization(id.clusterName) },
    issuer: 'self', privateKey: pair.privateKey, publicKey: pair.publicKey,
    notBefore: dates.notBefore, notAfter: dates.notAfter, ca: {},
  });
  const certificate = toSiteRecord(issued, dates, {
    name: 'root-ca', purpose: 'rootCa', revision: 1, issuerName: 'root-ca', issuerSerial: issued.serial, keyAlgorithm: id.settings.keyAlgorithm,
  });
  return { certificate, key: await keyRecordOf('root-ca', issued.serial, pair, id.settings.keyAlgorithm) };
}

/** An intermediate issuer (pathLen 0), signed by the cluster root or by a customer CA. */
export async function issueIssuerCa(
  id: HierarchyIdentity, purpose: IssuerPurpose, revision: number, parent: Signer, t: IssueTimes, crlUrl?: string,
): Promise<SiteIssued> {
  const dates = siteDates(t, id.settings.issuerLifetimeMs, Date.parse(parent.notAfter), id.settings.renewalFraction);
  const pair = await generateKeyPair(id.settings.keyAlgorithm);
  const issued = await issueCertificate({
    subject: issuerSubject(purpose, id.pkiId, id.clusterName),
    issuer: { cert: parent.certPem, key: await signingKey(parent.keyPem) }, publicKey: pair.publicKey,
    notBefore: dates.notBefore, notAfter: dates.notAfter, ca: { pathLength: 0 },
    crlDistributionPoint: crlUrl,
  });
  const name = ISSUER_NAMES[purpose];
  const certificate = toSiteRecord(issued, dates, {
    name, purpose, revision, issuerName: parent.name, issuerSerial: parent.serial, keyAlgorithm: id.settings.keyAlgorithm,
  });
  return { certificate, key: await keyRecordOf(name, issued.serial, pair, id.settings.keyAlgorithm) };
}

export interface LeafRequest {
  name: string;
  purpose: LeafPurpose;
  /** Subject O: the "group" revocation rules select on. */
  group: string;
  dnsNames: string[];
  ipAddresses: string[];
  clientAuth?: boolean;
  revision: number;
}

/** A serverAuth leaf with a fresh key (cert-manager's rotationPolicy: Always). */
export async function issueSiteLeaf(settings: ClusterPkiSettings, leaf: LeafRequest, issuer: Signer, t: IssueTimes, crlUrl?: string): Promise<SiteIssued> {
  // Dates first: an expired issuer fails before any key is generated.
  const dates = siteDates(t, settings.leafLifetimeMs, Date.parse(issuer.notAfter), settings.renewalFraction);
  const pair = await generateKeyPair(settings.keyAlgorithm);
  const extKeyUsages: ExtKeyUsageName[] = leaf.clientAuth ? ['serverAuth', 'clientAuth'] : ['serverAuth'];
  const issued = await issueCertificate({
    subject: { commonName: cn(leaf.dnsNames[0] ?? leaf.name), organization: leaf.group },
    issuer: { cert: issuer.certPem, key: await signingKey(issuer.keyPem) }, publicKey: pair.publicKey,
    notBefore: dates.notBefore, notAfter: dates.notAfter,
    dnsNames: leaf.dnsNames, ipAddresses: leaf.ipAddresses, extKeyUsages,
    crlDistributionPoint: crlUrl,
  });
  const certificate = toSiteRecord(issued, dates, {
    name: leaf.name, purpose: leaf.purpose, revision: leaf.revision, issuerName: issuer.name, issuerSerial: issuer.serial,
    keyAlgorithm: settings.keyAlgorithm, dnsNames: leaf.dnsNames, ipAddresses: leaf.ipAddresses,
  });
  return { certificate, key: await keyRecordOf(leaf.name, issued.serial, pair, settings.keyAlgorithm) };
}

// ---------------------------------------------------------------------------------------------
// Bring your own issuer
// ---------------------------------------------------------------------------------------------

/** The public facts of a customer CA certificate, as the site keeps and shows them. */
export interface ExternalCaRecord {
  name: string;
  certPem: string;
  serial: string;
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  fingerprint: string;
  selfSigned: boolean;
}

export function externalCaRecord(certPem: string, name = 'customer-ca'): ExternalCaRecord {
  const info = inspectCertificate(certPem);
  return {
    name, certPem, serial: info.serial, subject: info.subject, issuer: info.issuer,
    notBefore: info.notBefore.toISOString(), notAfter: info.notAfter.toISOString(), fingerprint: info.fingerprint,
    selfSigned: info.subject === info.issuer,
  };
}

function parseCertificates(pem: unknown, field: string): string[] {
  if (typeof pem !== 'string' || !pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new SiteInputError('InvalidCertificate', `'${field}' must be a PEM certificate (-----BEGIN CERTIFICATE-----).`);
  }
  const certs = splitCertificates(pem);
  for (const [i, c] of certs.entries()) {
    try {
      certificateFromPem(c);
    } catch (e) {
      throw new SiteInputError('InvalidCertificate', `certificate ${i + 1} of '${field}' cannot be parsed: ${(e as Error).message}`);
    }
  }
  return certs;
}

function checkDates(certPem: string, what: string, t: IssueTimes): void {
  const info = inspectCertificate(certPem);
  if (info.notAfter.getTime() <= t.nowMs) {
    throw new SiteInputError('CertificateExpired', `${what} (${info.subject}) expired on ${info.notAfter.toISOString()}; the emulator's clock is at ${new Date(t.nowMs).toISOString()}.`);
  }
  if (info.notBefore.getTime() > t.wallMs) {
    throw new SiteInputError('CertificateNotYetValid', `${what} (${info.subject}) is not valid before ${info.notBefore.toISOString()}.`);
  }
}

/** A CA may sign a CA below it only when it is a CA, may sign certificates, and its pathLen allows one more level. */
function checkCa(certPem: string, what: string, mustSignCas: boolean): void {
  const cert = certificateFromPem(certPem);
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  if (!bc?.ca) throw new SiteInputError('CertificateNotCa', `${what} (${cert.subject}) is not a CA certificate (basicConstraints CA:TRUE is missing).`);
  const ku = cert.getExtension(x509.KeyUsagesExtension);
  if (ku && !(ku.usages & x509.KeyUsageFlags.keyCertSign)) {
    throw new SiteInputError('CertificateNotCa', `${what} (${cert.subject}) may not sign certificates (keyUsage lacks keyCertSign).`);
  }
  if (mustSignCas && bc.pathLength === 0) {
    throw new SiteInputError('CertificatePathLengthExceeded', `${what} (${cert.subject}) has pathLen 0: it cannot sign the cluster's interface issuer, which is itself a CA.`);
  }
}

function checkKeyAlgorithm(keyPem: string): void {
  try {
    const key = createPrivateKey({ key: keyPem, format: 'pem' });
    const d = key.asymmetricKeyDetails ?? {};
    const ok = (key.asymmetricKeyType === 'ec' && ['prime256v1', 'secp384r1'].includes(d.namedCurve ?? ''))
      || (key.asymmetricKeyType === 'rsa' && [2048, 4096].includes(d.modulusLength ?? 0));
    if (!ok) throw new SiteInputError('UnsupportedKeyAlgorithm', `the private key is ${key.asymmetricKeyType} ${d.namedCurve ?? d.modulusLength ?? ''}; use ECDSA P-256/P-384 or RSA 2048/4096.`);
  } catch (e) {
    if (e instanceof SiteInputError) throw e;
    throw new SiteInputError('InvalidPrivateKey', "'privateKey' is not a readable unencrypted PEM private key (PKCS#8, PKCS#1 or SEC1).");
  }
}

export interface CustomerCaMaterial {
  /** The signing customer CA first, then any chain above it. */
  chain: ExternalCaRecord[];
  /** The customer CA key, normalised to PKCS#8 PEM, for the secret collection only. */
  keyPem: string;
  keyAlgorithm: KeyAlgorithm;
}

/** Validates a customer CA certificate (plus optional chain) and its private key. */
export async function acceptCustomerCa(body: { certificate?: unknown; privateKey?: unknown }, t: IssueTimes): Promise<CustomerCaMaterial> {
  const certs = parseCertificates(body.certificate, 'certificate');
  if (typeof body.privateKey !== 'string' || !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(body.privateKey)) {
    throw new SiteInputError('InvalidPrivateKey', "'privateKey' must be an unencrypted PEM private key.");
  }
  checkKeyAlgorithm(body.privateKey);
  const keyPem = createPrivateKey({ key: body.privateKey, format: 'pem' }).export({ type: 'pkcs8', format: 'pem' }).toString();
  const [ca] = certs;
  if (!keyMatchesCertificate(keyPem, ca)) {
    throw new SiteInputError('KeyDoesNotMatchCertificate', "'privateKey' does not belong to the first certificate in 'certificate' (their public keys differ).");
  }
  checkCa(ca, 'the customer CA', true);
  checkDates(ca, 'the customer CA', t);
  const keyAlgorithm = keyAlgorithmOf((await importKeyPairPem(keyPem)).privateKey);
  return { chain: certs.map((c, i) => externalCaRecord(c, i === 0 ? 'customer-ca' : `customer-ca-chain-${i}`)), keyPem, keyAlgorithm };
}

/** The interface issuer's key and CSR, for a customer CA to sign (the CSR flow). */
export async function createIssuerCsr(subject: DistinguishedName, keyAlgorithm: KeyAlgorithm): Promise<{ csrPem: string; keyPem: string }> {
  const keys = await generateKeyPair(keyAlgorithm);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: toName(subject),
    keys,
    signingAlgorithm: signatureAlgorithmFor(keys.privateKey),
    // What the signed certificate must say; `openssl x509 -req -copy_extensions copyall` carries them over.
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false),
    ],
  });
  return { csrPem: `${csr.toString('pem').trim()}\n`, keyPem: await exportPrivateKeyPem(keys) };
}

export interface SignedIssuerMaterial {
  issuerPem: string;
  chain: ExternalCaRecord[];
  keyAlgorithm: KeyAlgorithm;
}

/** Validates the certificate a customer CA signed for our CSR, and the customer CA chain it came with. */
export async function acceptSignedIssuer(body: { certificate?: unknown; chain?: unknown }, csrKeyPem: string, t: IssueTimes): Promise<SignedIssuerMaterial> {
  const [issuerPem, ...rest] = parseCertificates(body.certificate, 'certificate');
  const chain = body.chain === undefined ? rest : [...parseCertificates(body.chain, 'chain'), ...rest];
  if (!chain.length) throw new SiteInputError('MissingChain', "Send the customer CA that signed the certificate in 'chain' (PEM), so endpoints and the trust bundle can carry it.");
  if (!keyMatchesCertificate(csrKeyPem, issuerPem)) {
    throw new SiteInputError('KeyDoesNotMatchCertificate', "'certificate' was not issued for this cluster's certificate signing request (its public key differs); sign the CSR from POST …/issuer/csr.");
  }
  checkCa(issuerPem, 'the signed interface issuer', false);
  checkDates(issuerPem, 'the signed interface issuer', t);
  checkCa(chain[0], 'the customer CA in chain', true);
  checkDates(chain[0], 'the customer CA in chain', t);
  if (!(await isIssuedBy(issuerPem, chain[0]))) {
    throw new SiteInputError('ChainMismatch', "'certificate' was not signed by the first certificate of 'chain'.");
  }
  const pair = await importKeyPairPem(csrKeyPem);
  return { issuerPem, chain: chain.map((c, i) => externalCaRecord(c, i === 0 ? 'customer-ca' : `customer-ca-chain-${i}`)), keyAlgorithm: keyAlgorithmOf(pair.privateKey) };
}

/** A site record for an issuer certificate the emulator did not make (signed from the CSR). */
export function adoptedIssuerRecord(issuerPem: string, purpose: IssuerPurpose, parent: ExternalCaRecord, keyAlgorithm: KeyAlgorithm, t: IssueTimes, renewalFraction: number): SiteCertificate {
  const info = inspectCertificate(issuerPem);
  const issuedAt = Math.min(t.nowMs, Math.max(info.notBefore.getTime(), 0));
  const notAfter = info.notAfter.getTime();
  return {
    name: ISSUER_NAMES[purpose], purpose, certPem: issuerPem, serial: info.serial,
    notBefore: info.notBefore.toISOString(), notAfter: info.notAfter.toISOString(),
    renewalTime: new Date(wholeSecond(issuedAt + (notAfter - issuedAt) * renewalFraction)).toISOString(),
    revision: 1, dnsNames: [], ipAddresses: [], issuerName: parent.name, issuerSerial: parent.serial,
    fingerprint: info.fingerprint, keyAlgorithm, issuedAt: new Date(issuedAt).toISOString(),
  };
}

