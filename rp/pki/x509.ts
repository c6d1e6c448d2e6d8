/**
 * X.509 building blocks: key pairs, certificate issuance with proper CA / leaf profiles, PEM and
 * PKCS#8 encoding, and fingerprints. Everything runs on node's webcrypto through @peculiar/x509;
 * nothing here spawns openssl or touches the disk.
 */
import type * as X509 from '@peculiar/x509';
import { createHash, createPrivateKey, createPublicKey, generateKeyPair as nodeGenerateKeyPair, KeyObject, sign as nodeSign, webcrypto } from 'node:crypto';
import { createRequire } from 'node:module';
import * as der from './der.js';
import { isIP } from 'node:net';

const subtle = webcrypto.subtle as unknown as SubtleCrypto;

/**
 * @peculiar/x509, loaded on first use: loading it costs about a fifth of a first start, and issuing
 * certificates (the local CA, a deploy) never needs it; reading, CSRs and CRLs do.
 */
let x509Lib: typeof X509 | undefined;
function loadX509(): typeof X509 {
  if (!x509Lib) {
    const require = createRequire(import.meta.url);
    // tsyringe (used by @peculiar/x509) needs the Reflect metadata polyfill before the library loads.
    require('reflect-metadata');
    const lib = require('@peculiar/x509') as typeof X509;
    // Pin the provider explicitly instead of relying on the library's global-detection heuristics.
    lib.cryptoProvider.set(webcrypto as unknown as Crypto);
    x509Lib = lib;
  }
  return x509Lib;
}

/** The library's exports, each loaded on first access. */
export const x509: typeof X509 = new Proxy({} as typeof X509, { get: (_target, name) => (loadX509() as unknown as Record<string | symbol, unknown>)[name] });

// ---------------------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------------------

export type KeyAlgorithm = 'ECDSA-P256' | 'ECDSA-P384' | 'RSA-2048' | 'RSA-4096';
export const KEY_ALGORITHMS: readonly KeyAlgorithm[] = ['ECDSA-P256', 'ECDSA-P384', 'RSA-2048', 'RSA-4096'];
export const DEFAULT_KEY_ALGORITHM: KeyAlgorithm = 'ECDSA-P384';

type KeyGenParams = EcKeyGenParams | RsaHashedKeyGenParams;

const RSA_EXPONENT = new Uint8Array([1, 0, 1]);

function keyGenParams(algorithm: KeyAlgorithm): KeyGenParams {
  switch (algorithm) {
    case 'ECDSA-P256': return { name: 'ECDSA', namedCurve: 'P-256' };
    case 'ECDSA-P384': return { name: 'ECDSA', namedCurve: 'P-384' };
    // The hash is bound into an RSA CryptoKey by webcrypto, so it must be chosen at generation.
    case 'RSA-2048': return { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: RSA_EXPONENT, hash: 'SHA-256' };
    case 'RSA-4096': return { name: 'RSASSA-PKCS1-v1_5', modulusLength: 4096, publicExponent: RSA_EXPONENT, hash: 'SHA-256' };
    default: throw new RangeError(`unknown key algorithm '${algorithm as string}': use one of ${KEY_ALGORITHMS.join(', ')}`);
  }
}

/** A key pair as a leaf needs it: the public key to certify (SPKI DER) and the private key to keep (PKCS#8 PEM). */
export interface EncodedKeyPair {
  spkiDer: Buffer;
  privateKeyPem: string;
}

/**
 * Generates a key pair already encoded. Node generates and encodes it on the thread pool, so the
 * event loop does none of the work: what a leaf costs the emulator is its key and its signature.
 */
export function generateEncodedKeyPair(algorithm: KeyAlgorithm = DEFAULT_KEY_ALGORITHM): Promise<EncodedKeyPair> {
  const encodings = { publicKeyEncoding: { type: 'spki', format: 'der' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } } as const;
  return new Promise((resolve, reject) => {
    const done = (e: Error | null, spkiDer: Buffer, privateKeyPem: string) => (e ? reject(e) : resolve({ spkiDer, privateKeyPem }));
    switch (algorithm) {
      case 'ECDSA-P256': return nodeGenerateKeyPair('ec', { namedCurve: 'prime256v1', ...encodings }, done);
      case 'ECDSA-P384': return nodeGenerateKeyPair('ec', { namedCurve: 'secp384r1', ...encodings }, done);
      case 'RSA-2048': return nodeGenerateKeyPair('rsa', { modulusLength: 2048, publicExponent: 65537, ...encodings }, done);
      case 'RSA-4096': return nodeGenerateKeyPair('rsa', { modulusLength: 4096, publicExponent: 65537, ...encodings }, done);
      default: reject(new RangeError(`unknown key algorithm '${algorithm as string}': use one of ${KEY_ALGORITHMS.join(', ')}`));
    }
  });
}

/** Generates an extractable key pair (extractable so the private key can be kept as PKCS#8). */
export async function generateKeyPair(algorithm: KeyAlgorithm = DEFAULT_KEY_ALGORITHM): Promise<CryptoKeyPair> {
  return (await subtle.generateKey(keyGenParams(algorithm), true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** The KeyAlgorithm name of a webcrypto key generated or imported by this module. */
export function keyAlgorithmOf(key: CryptoKey): KeyAlgorithm {
  const alg = key.algorithm as Partial<EcKeyAlgorithm & RsaHashedKeyAlgorithm>;
  if (alg.name === 'ECDSA' && alg.namedCurve === 'P-256') return 'ECDSA-P256';
  if (alg.name === 'ECDSA' && alg.namedCurve === 'P-384') return 'ECDSA-P384';
  if (alg.name === 'RSASSA-PKCS1-v1_5' && alg.modulusLength === 2048) return 'RSA-2048';
  if (alg.name === 'RSASSA-PKCS1-v1_5' && alg.modulusLength === 4096) return 'RSA-4096';
  throw new RangeError(`unsupported key: ${JSON.stringify(key.algorithm)}`);
}

function isRsa(key: CryptoKey): boolean {
  return key.algorithm.name === 'RSASSA-PKCS1-v1_5';
}

/**
 * Signature algorithm for a signing key, hash matched to key strength (P-384 with SHA-384, as the
 * CA/B Forum and CNSA pair them). Spelled out because the CRL generator has no default.
 */
export function signatureAlgorithmFor(key: CryptoKey): Algorithm & { hash: string } {
  const alg = keyAlgorithmOf(key);
  if (alg === 'ECDSA-P384') return { name: 'ECDSA', hash: 'SHA-384' };
  if (alg === 'ECDSA-P256') return { name: 'ECDSA', hash: 'SHA-256' };
  return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
}

// ---------------------------------------------------------------------------------------------
// PEM and PKCS#8
// ---------------------------------------------------------------------------------------------

export type PemLabel = 'CERTIFICATE' | 'PRIVATE KEY' | 'PUBLIC KEY' | 'X509 CRL';

/** Encodes DER as PEM with 64-column base64 lines and a trailing newline (what openssl writes). */
export function toPem(der: ArrayBuffer | Uint8Array, label: PemLabel): string {
  const b64 = Buffer.from(der instanceof Uint8Array ? der : new Uint8Array(der)).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** Every PEM block of the given label, in order, as DER. */
export function pemBlocks(pem: string, label: PemLabel): Buffer[] {
  const out: Buffer[] = [];
  for (const m of pem.matchAll(PEM_BLOCK)) {
    if (m[1] === label) out.push(Buffer.from(m[2].replace(/\s+/g, ''), 'base64'));
  }
  return out;
}

/** The first PEM block of the given label as DER; throws when there is none. */
export function fromPem(pem: string, label: PemLabel): Buffer {
  const [first] = pemBlocks(pem, label);
  if (!first) throw new Error(`no PEM block labelled ${label}`);
  return first;
}

export function certificateToPem(der: ArrayBuffer | Uint8Array): string {
  return toPem(der, 'CERTIFICATE');
}

/**
 * Parsed certificates, by PEM. Decoding a certificate's ASN.1 costs about as much as signing one, and
 * issuers are read once per certificate they sign; a PEM always parses to the same certificate, so an
 * entry is never stale. Bounded: the least recently used go first.
 */
const parsedCertificates = new Map<string, X509.X509Certificate>();
const PARSED_CERTIFICATES = 256;

export function certificateFromPem(certPem: string): X509.X509Certificate {
  let cert = parsedCertificates.get(certPem);
  if (cert) {
    parsedCertificates.delete(certPem);
  } else {
    cert = new x509.X509Certificate(new Uint8Array(fromPem(certPem, 'CERTIFICATE')));
    if (parsedCertificates.size >= PARSED_CERTIFICATES) parsedCertificates.delete(parsedCertificates.keys().next().value!);
  }
  parsedCertificates.set(certPem, cert);
  return cert;
}

/** Splits a PEM bundle (chain or trust bundle) into single-certificate PEMs. */
export function splitCertificates(bundlePem: string): string[] {
  return pemBlocks(bundlePem, 'CERTIFICATE').map(certificateToPem);
}

/** Lower-case hex SHA-256 of the certificate's DER: the Nexus caCertificate.hash form. */
export function sha256Fingerprint(certPem: string): string {
  return createHash('sha256').update(fromPem(certPem, 'CERTIFICATE')).digest('hex');
}

/** The private key of a pair (or a lone private key) as unencrypted PKCS#8 PEM. */
export async function exportPrivateKeyPem(key: CryptoKeyPair | CryptoKey): Promise<string> {
  const privateKey = 'privateKey' in key ? key.privateKey : key;
  return toPem(await subtle.exportKey('pkcs8', privateKey), 'PRIVATE KEY');
}

export async function exportPublicKeyPem(publicKey: CryptoKey): Promise<string> {
  return toPem(await subtle.exportKey('spki', publicKey), 'PUBLIC KEY');
}

/** Works out the webcrypto import parameters from the key itself, so PEMs carry no side metadata. */
function importParamsOf(keyObject: KeyObject): EcKeyImportParams | RsaHashedImportParams {
  const details = keyObject.asymmetricKeyDetails ?? {};
  if (keyObject.asymmetricKeyType === 'ec') {
    const curves: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384' };
    const namedCurve = curves[details.namedCurve ?? ''];
    if (!namedCurve) throw new RangeError(`unsupported EC curve ${details.namedCurve}`);
    return { name: 'ECDSA', namedCurve };
  }
  if (keyObject.asymmetricKeyType === 'rsa') return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  throw new RangeError(`unsupported key type ${keyObject.asymmetricKeyType}`);
}

/** Reads a PKCS#8 private key PEM back into a webcrypto signing key (cheaper than the pair: no public key derivation). */
export async function importPrivateKeyPem(privateKeyPem: string): Promise<CryptoKey> {
  const keyObject = createPrivateKey({ key: privateKeyPem, format: 'pem' });
  return subtle.importKey('pkcs8', keyObject.export({ type: 'pkcs8', format: 'der' }), importParamsOf(keyObject), true, ['sign']);
}

/** Reads a PKCS#8 private key PEM back into a webcrypto key pair (public half derived from it). */
export async function importKeyPairPem(privateKeyPem: string): Promise<CryptoKeyPair> {
  const keyObject = createPrivateKey({ key: privateKeyPem, format: 'pem' });
  const params = importParamsOf(keyObject);
  const pkcs8 = keyObject.export({ type: 'pkcs8', format: 'der' });
  const spki = createPublicKey(keyObject).export({ type: 'spki', format: 'der' });
  const [privateKey, publicKey] = await Promise.all([
    subtle.importKey('pkcs8', pkcs8, params, true, ['sign']),
    subtle.importKey('spki', spki, params, true, ['verify']),
  ]);
  return { privateKey, publicKey };
}

/** True when the private key PEM is the one matching the certificate's public key. */
export function keyMatchesCertificate(privateKeyPem: string, certPem: string): boolean {
  const fromKey = createPublicKey(createPrivateKey({ key: privateKeyPem, format: 'pem' })).export({ type: 'spki', format: 'der' });
  const fromCert = Buffer.from(certificateFromPem(certPem).publicKey.rawData);
  return fromKey.equals(fromCert);
}

// ---------------------------------------------------------------------------------------------
// Names and serials
// ---------------------------------------------------------------------------------------------

/** The subject attributes the emulator uses; O doubles as the revocation "group". */
export interface DistinguishedName {
  commonName: string;
  organization?: string;
  organizationalUnit?: string;
}

/** Upper bound from RFC 5280 (ub-common-name); longer CNs are rejected by strict parsers. */
const MAX_CN = 64;

function checkName(dn: DistinguishedName): void {
  if (!dn.commonName) throw new RangeError('a certificate subject needs a common name');
  if (dn.commonName.length > MAX_CN) throw new RangeError(`common name longer than ${MAX_CN} characters: ${dn.commonName}`);
}

/** Builds the Name most-significant first (O, OU, CN) as UTF8Strings, as RFC 5280 asks for new certs. */
export function toName(dn: DistinguishedName): X509.Name {
  checkName(dn);
  const rdns: X509.JsonNameParams = [];
  if (dn.organization) rdns.push({ O: [{ utf8String: dn.organization }] });
  if (dn.organizationalUnit) rdns.push({ OU: [{ utf8String: dn.organizationalUnit }] });
  rdns.push({ CN: [{ utf8String: dn.commonName }] });
  return new x509.Name(rdns);
}

/**
 * A random 16-byte positive serial as lower-case hex. The top bit is cleared (positive INTEGER)
 * and the next one set, so the DER is always exactly 16 bytes with 126 bits of randomness.
 */
export function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] & 0x7f) | 0x40;
  return Buffer.from(bytes).toString('hex');
}

/** Canonical serial form for comparisons: lower-case hex without separators or leading zeros. */
export function normalizeSerial(serial: string): string {
  const hex = serial.replace(/[:\s]/g, '').toLowerCase();
  if (!/^[0-9a-f]+$/.test(hex)) throw new RangeError(`'${serial}' is not a hexadecimal serial number`);
  return hex.replace(/^0+(?=.)/, '');
}

/** One spelling per address: IPv6 compressed and lower-case (URL parsing canonicalises it). */
export function normalizeIp(ip: string): string {
  const v = ip.trim();
  const family = isIP(v);
  if (family === 4) return v;
  if (family === 6) return new URL(`http://[${v}]/`).hostname.slice(1, -1);
  throw new RangeError(`'${ip}' is not an IP address`);
}

// ---------------------------------------------------------------------------------------------
// Issuance
// ---------------------------------------------------------------------------------------------

export type KeyUsageName = keyof typeof X509.KeyUsageFlags;
export type ExtKeyUsageName = keyof typeof X509.ExtendedKeyUsage;

/** RFC 5280's KeyUsage bits as @peculiar/x509 numbers them (test/pki checks they agree). */
export const KEY_USAGE_FLAGS: Readonly<Record<KeyUsageName, number>> = {
  digitalSignature: 1, nonRepudiation: 2, keyEncipherment: 4, dataEncipherment: 8, keyAgreement: 16, keyCertSign: 32, cRLSign: 64, encipherOnly: 128, decipherOnly: 256,
};

/** Extended key usage OIDs (RFC 5280 4.2.1.12), by @peculiar/x509's names. */
export const EXT_KEY_USAGE_OIDS: Readonly<Record<ExtKeyUsageName, string>> = {
  serverAuth: '1.3.6.1.5.5.7.3.1', clientAuth: '1.3.6.1.5.5.7.3.2', codeSigning: '1.3.6.1.5.5.7.3.3', emailProtection: '1.3.6.1.5.5.7.3.4', timeStamping: '1.3.6.1.5.5.7.3.8', ocspSigning: '1.3.6.1.5.5.7.3.9',
};

/** A signing CA: its certificate (PEM) and private key. */
export interface IssuerRef {
  cert: string;
  key: CryptoKey;
}

interface IssueCommon {
  subject: DistinguishedName;
  /** The subject Name as DER, used as is instead of `subject` (e.g. copied from a CSR, with several O values). */
  subjectDer?: Buffer;
  /** The key to certify: a webcrypto key, or its SubjectPublicKeyInfo DER. */
  publicKey: CryptoKey | Buffer;
  /** Hex serial; a random 16-byte one when omitted. */
  serial?: string;
  notBefore: Date | number;
  notAfter: Date | number;
  /** Present for CA certificates. pathLength 0 = may sign only leaves; omitted = unlimited. */
  ca?: { pathLength?: number };
  /** Defaults: CA keyCertSign+cRLSign; leaf digitalSignature (+keyEncipherment for RSA). */
  keyUsages?: KeyUsageName[];
  /** Defaults: none for CAs, serverAuth for leaves. */
  extKeyUsages?: ExtKeyUsageName[];
  dnsNames?: string[];
  ipAddresses?: string[];
  crlDistributionPoint?: string;
}

/** Signed by an issuer, or self-signed (then the subject's own private key signs). */
export type IssueCertificateParams =
  | (IssueCommon & { issuer: IssuerRef })
  | (IssueCommon & { issuer: 'self'; privateKey: CryptoKey });

export interface IssuedCertificate {
  certPem: string;
  serial: string;
  notBefore: Date;
  notAfter: Date;
  fingerprint: string;
  certificate: X509.X509Certificate;
}

function defaultKeyUsages(params: IssueCommon): number {
  const F = KEY_USAGE_FLAGS;
  if (params.ca) return F.keyCertSign | F.cRLSign;
  // RSA key transport (TLS 1.2 RSA kx) needs keyEncipherment; ECDSA keys never encipher.
  const rsa = Buffer.isBuffer(params.publicKey) ? params.publicKey.includes(RSA_ENCRYPTION_OID) : isRsa(params.publicKey);
  return rsa ? F.digitalSignature | F.keyEncipherment : F.digitalSignature;
}

function keyUsageFlags(names: KeyUsageName[]): number {
  return names.reduce<number>((flags, name) => flags | KEY_USAGE_FLAGS[name], 0);
}

// Object identifiers of what the emulator's certificates carry.
const OID = {
  commonName: '2.5.4.3', organization: '2.5.4.10', organizationalUnit: '2.5.4.11',
  basicConstraints: '2.5.29.19', keyUsage: '2.5.29.15', extKeyUsage: '2.5.29.37', subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35', subjectAltName: '2.5.29.17', crlDistributionPoints: '2.5.29.31',
  ecdsaSha256: '1.2.840.10045.4.3.2', ecdsaSha384: '1.2.840.10045.4.3.3', rsaSha256: '1.2.840.113549.1.1.11',
} as const;

/** Name as toName() builds it (O, OU, CN; UTF8String), DER-encoded. */
function nameDer(dn: DistinguishedName): Buffer {
  checkName(dn); // the same checks as toName (a CN, its length)
  const rdns: [string, string][] = [];
  if (dn.organization) rdns.push([OID.organization, dn.organization]);
  if (dn.organizationalUnit) rdns.push([OID.organizationalUnit, dn.organizationalUnit]);
  rdns.push([OID.commonName, dn.commonName]);
  return der.sequence(...rdns.map(([oid, value]) => der.set(der.sequence(der.objectIdentifier(oid), der.utf8String(value)))));
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return der.sequence(der.objectIdentifier(oid), ...(critical ? [der.TRUE] : []), der.octetString(value));
}

/** The TBSCertificate fields of a certificate's DER, by name. */
function tbsFields(certDer: Uint8Array): { subject: Buffer; spki: Buffer; validity: der.Element; extensions?: der.Element } {
  const [tbs] = der.children(certDer, der.read(certDer, 0));
  const fields = der.children(certDer, tbs);
  const first = fields[0].tag === 0xa0 ? 1 : 0; // [0] version is present in v2/v3 certificates
  const slice = (e: der.Element) => Buffer.from(certDer.subarray(e.start, e.end));
  return { subject: slice(fields[first + 4]), spki: slice(fields[first + 5]), validity: fields[first + 3], extensions: fields.find((f) => f.tag === 0xa3) };
}

/** Each extension's extnValue content (the bytes inside its OCTET STRING), by dotted OID. */
function extensionValues(certDer: Uint8Array, extensions: der.Element | undefined): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  if (!extensions) return out;
  const [list] = der.children(certDer, extensions);
  if (!list) return out;
  const byEncoding = new Map(Object.values(OID).map((oid) => [der.objectIdentifier(oid).toString('hex'), oid]));
  for (const ext of der.children(certDer, list)) {
    const parts = der.children(certDer, ext);
    const oid = byEncoding.get(Buffer.from(certDer.subarray(parts[0].start, parts[0].end)).toString('hex'));
    const value = parts[parts.length - 1];
    if (oid && value.tag === 0x04) out.set(oid, certDer.subarray(value.content, value.end));
  }
  return out;
}

/** A certificate's notAfter, read with der.ts (UTCTime or GeneralizedTime, as RFC 5280 4.1.2.5 allows). */
export function certificateNotAfter(certPem: string): Date {
  const certDer = new Uint8Array(fromPem(certPem, 'CERTIFICATE'));
  const [, notAfter] = der.children(certDer, tbsFields(certDer).validity);
  const text = Buffer.from(certDer.subarray(notAfter.content, notAfter.end)).toString('ascii');
  const m = notAfter.tag === 0x17 ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text) : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) throw new RangeError(`unreadable notAfter '${text}'`);
  const year = notAfter.tag === 0x17 ? (Number(m[1]) >= 50 ? 1900 : 2000) + Number(m[1]) : Number(m[1]);
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}

function extensionsDer(params: IssueCommon, spki: Buffer, authorityKeyIdHex: string): Buffer[] {
  const dnsNames = params.dnsNames ?? [];
  const ipAddresses = params.ipAddresses ?? [];
  for (const ip of ipAddresses) if (!isIP(ip)) throw new RangeError(`'${ip}' is not an IP address`);
  const usages = params.keyUsages ? keyUsageFlags(params.keyUsages) : defaultKeyUsages(params);
  const pathLength = params.ca?.pathLength;
  const out = [
    extension(OID.basicConstraints, true, der.sequence(...(params.ca ? [der.TRUE] : []), ...(params.ca && pathLength !== undefined ? [der.integer(pathLength)] : []))),
    extension(OID.keyUsage, true, der.namedBits(usages)),
  ];
  const eku = params.extKeyUsages ?? (params.ca ? [] : ['serverAuth' as const]);
  if (eku.length) out.push(extension(OID.extKeyUsage, false, der.sequence(...eku.map((u) => der.objectIdentifier(EXT_KEY_USAGE_OIDS[u])))));
  out.push(extension(OID.subjectKeyId, false, der.octetString(Buffer.from(subjectKeyId(spki), 'hex'))));
  out.push(extension(OID.authorityKeyId, false, der.sequence(der.implicitPrimitive(0, Buffer.from(authorityKeyIdHex, 'hex')))));
  if (dnsNames.length || ipAddresses.length) {
    out.push(extension(OID.subjectAltName, false, der.sequence(
      ...dnsNames.map((n) => der.implicitPrimitive(2, Buffer.from(n, 'ascii'))),
      ...ipAddresses.map((ip) => der.implicitPrimitive(7, ipBytes(ip))),
    )));
  }
  const cdp = params.crlDistributionPoint;
  // DistributionPoint { distributionPoint [0] { fullName [0] { uniformResourceIdentifier [6] } } }
  if (cdp) out.push(extension(OID.crlDistributionPoints, false, der.sequence(der.sequence(der.explicit(0, der.explicit(0, der.implicitPrimitive(6, Buffer.from(cdp, 'ascii'))))))));
  return out;
}

function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  const v6 = normalizeIp(ip);
  const [head, tail = ''] = v6.split('::');
  const groups = (text: string) => (text ? text.split(':') : []);
  const h = groups(head);
  const t = v6.includes('::') ? groups(tail) : [];
  const all = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return Buffer.from(all.map((g) => g.padStart(4, '0')).join(''), 'hex');
}

function signatureAlgorithmDer(key: CryptoKey): { der: Buffer; hash: string } {
  const alg = signatureAlgorithmFor(key);
  if (alg.name === 'ECDSA') {
    return alg.hash === 'SHA-384' ? { der: der.sequence(der.objectIdentifier(OID.ecdsaSha384)), hash: 'sha384' } : { der: der.sequence(der.objectIdentifier(OID.ecdsaSha256)), hash: 'sha256' };
  }
  return { der: der.sequence(der.objectIdentifier(OID.rsaSha256), der.NULL), hash: 'sha256' };
}

function signAsync(hash: string, data: Buffer, key: CryptoKey): Promise<Buffer> {
  // node's ECDSA signatures are DER (r, s) already, as X.509 wants; the work runs on the thread pool.
  return new Promise((resolve, reject) => nodeSign(hash, data, KeyObject.from(key), (e, sig) => (e ? reject(e) : resolve(sig))));
}

/** rsaEncryption (1.2.840.113549.1.1.1) as DER: how an RSA SubjectPublicKeyInfo names its algorithm. */
const RSA_ENCRYPTION_OID = Buffer.from('06092a864886f70d010101', 'hex');

const EC_CURVE_OIDS: Record<string, string> = { 'P-256': '1.2.840.10045.3.1.7', 'P-384': '1.3.132.0.34' };

/**
 * The SubjectPublicKeyInfo DER of a public key, built from its JWK: OpenSSL 3's own SPKI encoder
 * costs several times more than the JWK export plus these few bytes (RFC 5480, RFC 3279).
 */
function spkiDer(publicKey: CryptoKey | Buffer): Buffer {
  if (Buffer.isBuffer(publicKey)) return publicKey;
  const key = KeyObject.from(publicKey);
  const jwk = key.export({ format: 'jwk' });
  const b64 = (v: string | undefined) => Buffer.from(v ?? '', 'base64url');
  if (jwk.kty === 'EC' && jwk.crv && EC_CURVE_OIDS[jwk.crv]) {
    const algorithm = der.sequence(der.objectIdentifier('1.2.840.10045.2.1'), der.objectIdentifier(EC_CURVE_OIDS[jwk.crv]));
    return der.sequence(algorithm, der.bitString(Buffer.concat([Buffer.from([4]), b64(jwk.x), b64(jwk.y)])));
  }
  if (jwk.kty === 'RSA') {
    const rsaPublicKey = der.sequence(der.integerFromHex(b64(jwk.n).toString('hex')), der.integerFromHex(b64(jwk.e).toString('hex')));
    return der.sequence(der.sequence(der.objectIdentifier('1.2.840.113549.1.1.1'), der.NULL), der.bitString(rsaPublicKey));
  }
  return key.export({ type: 'spki', format: 'der' });
}

/** DER length at `at`: [length, offset of the content]. */
function derLength(der: Buffer, at: number): [number, number] {
  const first = der[at];
  if (first < 0x80) return [first, at + 1];
  let length = 0;
  for (let i = 1; i <= (first & 0x7f); i++) length = length * 256 + der[at + i];
  return [length, at + 1 + (first & 0x7f)];
}

/**
 * RFC 5280 4.2.1.2 method 1, as @peculiar/x509's SubjectKeyIdentifierExtension.create computes it:
 * SHA-1 of the subjectPublicKey BIT STRING's bits (SPKI = SEQUENCE { algorithm, subjectPublicKey }).
 */
function subjectKeyId(spki: Buffer): string {
  const [, algorithmAt] = derLength(spki, 1);
  const [algorithmLength, algorithmContent] = derLength(spki, algorithmAt + 1);
  const bitStringAt = algorithmContent + algorithmLength;
  const [bitsLength, bitsContent] = derLength(spki, bitStringAt + 1);
  // The first content byte counts unused bits (always 0 for keys).
  return createHash('sha1').update(spki.subarray(bitsContent + 1, bitsContent + bitsLength)).digest('hex');
}

/** What issuing under a CA certificate needs from it, read once per certificate (see issuerFacts). */
interface IssuerFacts {
  subject: string;
  /** Its encoded subject, reused byte for byte as the issuer name: chain building matches names exactly. */
  subjectDer: Buffer;
  /** Its SKI when it has one (chain builders match the AKI on it), else derived from its key. */
  keyIdHex: string;
  ca: boolean;
  pathLength?: number;
}

/**
 * Issuers' facts, by PEM. An issuer signs every leaf of its cluster and reading its extensions goes
 * through an ASN.1 parse each time; a PEM always says the same, so an entry is never stale. Bounded.
 */
const issuerFactsByPem = new Map<string, IssuerFacts>();
const ISSUER_FACTS = 256;

/** Read with der.ts: issuing needs no ASN.1 library (and a first start does not load one). */
function issuerFacts(certPem: string): IssuerFacts {
  let facts = issuerFactsByPem.get(certPem);
  if (facts) return facts;
  const certDer = new Uint8Array(fromPem(certPem, 'CERTIFICATE'));
  const fields = tbsFields(certDer);
  const extensions = extensionValues(certDer, fields.extensions);
  let keyIdHex = subjectKeyId(fields.spki);
  const ski = extensions.get(OID.subjectKeyId);
  if (ski) {
    const keyId = der.read(ski, 0);
    if (keyId.tag === 0x04) keyIdHex = Buffer.from(ski.subarray(keyId.content, keyId.end)).toString('hex');
  }
  let ca = false;
  let pathLength: number | undefined;
  const bc = extensions.get(OID.basicConstraints);
  if (bc) {
    // BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }
    for (const e of der.children(bc, der.read(bc, 0))) {
      if (e.tag === 0x01) ca = bc[e.content] !== 0;
      if (e.tag === 0x02) pathLength = [...bc.subarray(e.content, e.end)].reduce((n, b) => n * 256 + b, 0);
    }
  }
  facts = { subject: `the certificate with subject key id ${keyIdHex}`, subjectDer: fields.subject, keyIdHex, ca, pathLength };
  if (issuerFactsByPem.size >= ISSUER_FACTS) issuerFactsByPem.delete(issuerFactsByPem.keys().next().value!);
  issuerFactsByPem.set(certPem, facts);
  return facts;
}

/** A certificate that is not a CA, or whose pathLen forbids it, must never sign (callers' bug, not input). */
function assertCanIssue(issuer: IssuerFacts, params: IssueCommon): void {
  if (!issuer.ca) throw new Error(`${issuer.subject} is not a CA certificate and cannot issue`);
  if (params.ca && issuer.pathLength === 0) throw new Error(`${issuer.subject} has pathLen 0 and may only issue leaf certificates`);
}

/**
 * Issues one certificate. The caller chooses the dates (from its clock) and keeps the keys.
 * The certificate is encoded here (der.ts) and signed by node directly: a certificate costs its
 * key generation and its signature, not an ASN.1 round trip per field.
 */
export async function issueCertificate(params: IssueCertificateParams): Promise<IssuedCertificate> {
  const notBefore = new Date(wholeSecondMs(new Date(params.notBefore).getTime()));
  const notAfter = new Date(wholeSecondMs(new Date(params.notAfter).getTime()));
  if (!(new Date(params.notAfter).getTime() > new Date(params.notBefore).getTime())) throw new RangeError('notAfter must be after notBefore');
  const issuer = params.issuer === 'self' ? null : issuerFacts(params.issuer.cert);
  if (issuer) assertCanIssue(issuer, params);
  const signingKey = params.issuer === 'self' ? params.privateKey : params.issuer.key;
  const subject = params.subjectDer ?? nameDer(params.subject);
  const serial = params.serial ? normalizeSerial(params.serial) : randomSerial();
  const spki = spkiDer(params.publicKey);
  // Reuse the issuer's encoded subject byte for byte: name matching in chain building is exact.
  // AKI = the issuer's SKI when it has one (so chain builders match on it), else derived from its key.
  let issuerName = subject;
  let authorityKeyIdHex = subjectKeyId(spki);
  if (issuer) {
    issuerName = issuer.subjectDer;
    authorityKeyIdHex = issuer.keyIdHex;
  }
  const algorithm = signatureAlgorithmDer(signingKey);
  const tbs = der.sequence(
    der.explicit(0, der.integer(2)),
    der.integerFromHex(serial),
    algorithm.der,
    issuerName,
    der.sequence(der.time(notBefore), der.time(notAfter)),
    subject,
    spki,
    der.explicit(3, der.sequence(...extensionsDer(params, spki, authorityKeyIdHex))),
  );
  const signature = await signAsync(algorithm.hash, tbs, signingKey);
  const certDer = der.sequence(tbs, algorithm.der, der.bitString(signature));
  const certPem = certificateToPem(certDer);
  let parsed: X509.X509Certificate | undefined;
  return {
    certPem,
    serial: normalizeSerial(serial),
    notBefore,
    notAfter,
    fingerprint: createHash('sha256').update(certDer).digest('hex'),
    // Parsed only when someone asks.
    get certificate() {
      return (parsed ??= certificateFromPem(certPem));
    },
  };
}

function wholeSecondMs(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

// ---------------------------------------------------------------------------------------------
// Inspection
// ---------------------------------------------------------------------------------------------

export interface CertificateInfo {
  serial: string;
  subject: string;
  issuer: string;
  /** Subject O values: the "group" revocation selectors match on. */
  groups: string[];
  commonName: string | null;
  notBefore: Date;
  notAfter: Date;
  dnsNames: string[];
  ipAddresses: string[];
  isCa: boolean;
  /** Named usages (serverAuth, clientAuth...); unknown OIDs appear as dotted strings. */
  extKeyUsages: string[];
  fingerprint: string;
}

const EKU_NAMES = new Map<string, string>(Object.entries(EXT_KEY_USAGE_OIDS).map(([name, oid]) => [oid, name]));

/** What inspectCertificate() read, by PEM (a PEM always says the same): bounded, least recently used go first. */
const inspected = new Map<string, CertificateInfo>();
const INSPECTED = 1024;

/** Reads the fields the emulator reasons about out of a certificate PEM. */
export function inspectCertificate(certPem: string): CertificateInfo {
  let info = inspected.get(certPem);
  if (info) {
    inspected.delete(certPem);
  } else {
    info = readCertificate(certPem);
    if (inspected.size >= INSPECTED) inspected.delete(inspected.keys().next().value!);
  }
  inspected.set(certPem, info);
  // A copy: callers own what they get.
  return {
    ...info, groups: [...info.groups], dnsNames: [...info.dnsNames], ipAddresses: [...info.ipAddresses], extKeyUsages: [...info.extKeyUsages],
    notBefore: new Date(info.notBefore.getTime()), notAfter: new Date(info.notAfter.getTime()),
  };
}

function readCertificate(certPem: string): CertificateInfo {
  const cert = certificateFromPem(certPem);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const names = san?.names.items ?? [];
  return {
    serial: normalizeSerial(cert.serialNumber),
    subject: cert.subject,
    issuer: cert.issuer,
    groups: cert.subjectName.getField('O'),
    commonName: cert.subjectName.getField('CN')[0] ?? null,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    dnsNames: names.filter((n) => n.type === 'dns').map((n) => n.value),
    ipAddresses: names.filter((n) => n.type === 'ip').map((n) => n.value),
    isCa: cert.getExtension(x509.BasicConstraintsExtension)?.ca ?? false,
    extKeyUsages: (cert.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? []).map((u) => EKU_NAMES.get(String(u)) ?? String(u)),
    fingerprint: sha256Fingerprint(certPem),
  };
}

/** True when `issuerPem`'s key signed `certPem` and the names chain (signature only, no dates). */
export async function isIssuedBy(certPem: string, issuerPem: string): Promise<boolean> {
  const cert = certificateFromPem(certPem);
  const issuer = certificateFromPem(issuerPem);
  if (cert.issuer !== issuer.subject) return false;
  return cert.verify({ publicKey: issuer, signatureOnly: true });
}
