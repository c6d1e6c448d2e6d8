/**
 * Certificate signing requests (PKCS#10) coming from users: parsed and their self-signature checked
 * with @peculiar/x509, then turned into client (or node) certificates signed by one of the emulator's
 * CAs. The private key never comes near the emulator: only the CSR's public key is certified.
 *
 * The subject is written by the emulator (CN plus any number of O values, as Kubernetes reads a
 * client certificate: CN = user name, O = groups), so what the CA vouches for is what it checked.
 */
import type * as X509 from '@peculiar/x509';
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { ArmError } from '../arm/errors.js';
import * as der from './der.js';
import { issueCertificate, normalizeIp, x509, type ExtKeyUsageName, type IssuerRef } from './x509.js';

const OID_CN = '2.5.4.3';
const OID_O = '2.5.4.10';
const MAX_CN = 64;

export interface ParsedCsr {
  /** The SubjectPublicKeyInfo DER, certified as is. */
  spkiDer: Buffer;
  commonName: string | null;
  /** Subject O values in order. */
  organizations: string[];
  dnsNames: string[];
  ipAddresses: string[];
  keyAlgorithm: string;
}

function badCsr(message: string): ArmError {
  return new ArmError(400, 'InvalidCertificateSigningRequest', message);
}

/** Reads a PEM CSR and checks its signature (proof the requester holds the private key). */
export async function parseCsr(pem: unknown): Promise<ParsedCsr> {
  if (typeof pem !== 'string' || !pem.includes('-----BEGIN CERTIFICATE REQUEST-----')) {
    throw badCsr("'csr' must be a PEM certificate signing request (-----BEGIN CERTIFICATE REQUEST-----), e.g. from `openssl req -new`.");
  }
  let csr: X509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(pem.trim());
  } catch (e) {
    throw badCsr(`the CSR cannot be parsed: ${(e as Error).message}`);
  }
  let valid = false;
  try {
    valid = await csr.verify();
  } catch {
    valid = false;
  }
  if (!valid) throw badCsr('the CSR signature does not verify with its own public key.');
  const alg = csr.publicKey.algorithm as { name?: string; namedCurve?: string; modulusLength?: number };
  const keyAlgorithm = alg.name === 'ECDSA' ? `ECDSA-${(alg.namedCurve ?? '').replace('-', '')}` : `RSA-${alg.modulusLength ?? ''}`;
  if (!['ECDSA-P256', 'ECDSA-P384', 'RSA-2048', 'RSA-3072', 'RSA-4096'].includes(keyAlgorithm)) {
    throw badCsr(`the CSR's key is ${keyAlgorithm}; use ECDSA P-256/P-384 or RSA 2048-4096.`);
  }
  const names = csr.subjectName.toJSON();
  const values = (oidName: string) => names.flatMap((rdn) => (rdn[oidName] ?? []) as string[]).map(String);
  const sanExt = csr.extensions.find((e) => e.type === '2.5.29.17');
  const sanJson: Array<{ type: string; value: string }> = sanExt ? new x509.SubjectAlternativeNameExtension(sanExt.rawData).names.toJSON() : [];
  return {
    spkiDer: Buffer.from(csr.publicKey.rawData),
    commonName: values('CN')[0] ?? null,
    organizations: values('O'),
    dnsNames: sanJson.filter((n) => n.type === 'dns').map((n) => n.value.toLowerCase()),
    ipAddresses: sanJson.filter((n) => n.type === 'ip').map((n) => normalizeIp(n.value)),
    keyAlgorithm,
  };
}

/** A Name of O values (one RDN each) then CN, UTF8String, as Kubernetes client certificates carry them. */
export function subjectDer(commonName: string, organizations: string[]): Buffer {
  if (!commonName || commonName.length > MAX_CN) throw badCsr(`the common name must be 1-${MAX_CN} characters: '${commonName}'`);
  const rdn = (oid: string, value: string) => der.set(der.sequence(der.objectIdentifier(oid), der.utf8String(value)));
  return der.sequence(...organizations.map((o) => rdn(OID_O, o)), rdn(OID_CN, commonName));
}

export interface IssueFromCsrParams {
  csr: ParsedCsr;
  issuer: IssuerRef;
  commonName: string;
  organizations: string[];
  notBefore: number;
  notAfter: number;
  /** clientAuth always; serverAuth too when the CSR names DNS names or IPs (kubelet serving style). */
  serverAuthWithSans?: boolean;
  crlDistributionPoint?: string;
}

export async function issueFromCsr(p: IssueFromCsrParams) {
  for (const ip of p.csr.ipAddresses) if (!isIP(ip)) throw badCsr(`'${ip}' is not an IP address`);
  const hasSans = p.csr.dnsNames.length > 0 || p.csr.ipAddresses.length > 0;
  const extKeyUsages: ExtKeyUsageName[] = p.serverAuthWithSans && hasSans ? ['clientAuth', 'serverAuth'] : ['clientAuth'];
  return issueCertificate({
    subject: { commonName: p.commonName },
    subjectDer: subjectDer(p.commonName, p.organizations),
    issuer: p.issuer,
    publicKey: p.csr.spkiDer,
    notBefore: p.notBefore,
    notAfter: p.notAfter,
    extKeyUsages,
    dnsNames: p.csr.dnsNames,
    ipAddresses: p.csr.ipAddresses,
    crlDistributionPoint: p.crlDistributionPoint,
  });
}

/** SHA-256 hex of a secret, so a token can be checked without keeping it readable. */
export function secretDigest(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}
