/**
 * Issuance for the cluster sites: cluster-pki.ts's profiles (root CA, pathLen-0 issuers, serverAuth
 * leaves with SANs and a CRL distribution point), dated for two clocks at once by siteDating, and the
 * checks on a customer's own CA (bring your own issuer).
 *
 * The emulator's clock is virtual and only ever runs ahead of real time, while the TLS clients that
 * talk to the live endpoints (openssl, curl, node) check validity against real time. So:
 *   issuedAt    = virtual now                       (renewal, rotation and revocation notBefore read it)
 *   notBefore   = min(virtual now, wall now) − 5 min (never in a real client's future)
 *   notAfter    = issuedAt + lifetime, capped at the issuer's notAfter
 *   renewalTime = issuedAt + renewalFraction × (notAfter − issuedAt)
 * A certificate issued after the user advanced the clock by 80 days is thus valid for real clients
 * from now until 80 + 90 days ahead, and renews on the virtual clock like any other.
 *
 * That is the 'wall' dating policy (the default). The 'virtual' policy (--certificate-dating virtual)
 * dates every certificate on the virtual clock alone:
 *   issuedAt = notBefore = virtual now (whole second), notAfter = issuedAt + lifetime (capped as above)
 * so the certificate's own dates tell its true lifetime, and clients verify it at the virtual instant
 * (openssl verify -attime); real-time clients reject it once the clock is ahead of real time.
 */
import { createPrivateKey } from 'node:crypto';
import { ArmError } from '../arm/errors.js';
import { certificateRecord, ISSUER_NAMES, wholeSecond, type CertificateRecord, type DatingPolicy, type IssuerPurpose } from './cluster-pki.js';
import {
  certificateFromPem, exportPrivateKeyPem, generateKeyPair, importKeyPairPem, inspectCertificate, isIssuedBy,
  keyAlgorithmOf, keyMatchesCertificate, signatureAlgorithmFor, splitCertificates, toName, x509,
  type DistinguishedName, type KeyAlgorithm,
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
  /** How certificates are dated (default 'wall'). */
  dating?: CertificateDating;
}

/** 'wall': notBefore never in a real client's future (default). 'virtual': every date on the virtual clock. */
export type CertificateDating = 'wall' | 'virtual';
export const CERTIFICATE_DATINGS: readonly CertificateDating[] = ['wall', 'virtual'];

/** Bad customer material, or an issuance that cannot be made: an ARM-shaped 4xx wherever it surfaces. */
export class SiteInputError extends ArmError {
  constructor(code: string, message: string, status = 400) {
    super(status, code, message);
  }
}

export interface SiteDates {
  issuedAt: number;
  notBefore: number;
  notAfter: number;
  renewalTime: number;
}

/** Never in a real client's future: also how the site dates its CRLs' thisUpdate. */
export function siteNotBefore(t: IssueTimes): number {
  if (t.dating === 'virtual') return wholeSecond(t.nowMs);
  return wholeSecond(Math.min(t.nowMs, t.wallMs) - BACKDATE_MS);
}

/** Renewal runs on the virtual clock, from the virtual issuance instant. */
function siteRenewalTime(issuedAt: number, notAfter: number, renewalFraction: number): number {
  return wholeSecond(issuedAt + (notAfter - issuedAt) * renewalFraction);
}

/** The dating policy above, as a pure function. `capMs` is the issuer's notAfter (null for a root). */
export function siteDates(t: IssueTimes, lifetimeMs: number, capMs: number | null, renewalFraction: number): SiteDates {
  // Virtual dating keeps whole seconds, so notAfter − notBefore is the lifetime exactly.
  const issuedAt = t.dating === 'virtual' ? wholeSecond(t.nowMs) : t.nowMs;
  const wanted = wholeSecond(issuedAt + lifetimeMs);
  const notAfter = capMs === null ? wanted : Math.min(wanted, capMs);
  if (notAfter <= issuedAt) {
    throw new SiteInputError('IssuerExpired', `the issuing CA expired on ${new Date(capMs ?? notAfter).toISOString()}; nothing can be issued from it any more`, 409);
  }
  // A life too short to renew within (one second, capped by the issuer) is renewed at its end, when it fails.
  const renewal = siteRenewalTime(issuedAt, notAfter, renewalFraction);
  return { issuedAt, notBefore: siteNotBefore(t), notAfter, renewalTime: renewal <= issuedAt ? notAfter : renewal };
}

/** The sites' DatingPolicy for cluster-pki.ts's profiles: records keep the virtual issuance instant. */
export function siteDating(t: IssueTimes): DatingPolicy<{ issuedAt: string }> {
  return (lifetimeMs, capMs, renewalFraction) => {
    const d = siteDates(t, lifetimeMs, capMs, renewalFraction);
    return { notBefore: d.notBefore, notAfter: d.notAfter, renewalTime: d.renewalTime, extra: { issuedAt: new Date(d.issuedAt).toISOString() } };
  };
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
  const dated = { renewalTime: siteRenewalTime(issuedAt, info.notAfter.getTime(), renewalFraction), extra: { issuedAt: new Date(issuedAt).toISOString() } };
  return certificateRecord({ ...info, certPem: issuerPem }, dated, {
    name: ISSUER_NAMES[purpose], purpose, revision: 1, issuerName: parent.name, issuerSerial: parent.serial, keyAlgorithm,
  });
}

