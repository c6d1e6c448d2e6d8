/**
 * Certificate revocation: signed v2 CRLs for an issuer, and the revocation selectors the emulator
 * lets users write (by serial, group, DNS name or IP address) as pure matching functions.
 */
import type * as X509 from '@peculiar/x509';
import { toMs, type ClockLike, type Instant } from './policy.js';
import {
  certificateFromPem, normalizeIp, normalizeSerial, signatureAlgorithmFor, toPem, x509, type IssuerRef,
} from './x509.js';

/** RFC 5280 reason codes, by name, so stored entries stay readable. */
export type CrlReason = keyof typeof x509.X509CrlReason;

export interface CrlEntryInput {
  serial: string;
  revocationDate: Instant;
  reason?: CrlReason;
}

export interface BuildCrlParams {
  issuer: IssuerRef;
  /** Monotonically increasing per issuer (RFC 5280 §5.2.3); the caller persists the counter. */
  crlNumber: number | bigint;
  entries: CrlEntryInput[];
  clock: ClockLike;
  /** nextUpdate − thisUpdate; one day unless told otherwise. */
  validityMs?: number;
}

export interface BuiltCrl {
  der: Uint8Array<ArrayBuffer>;
  pem: string;
  crlNumber: string;
  thisUpdate: Date;
  nextUpdate: Date;
}

const ID_CE_CRL_NUMBER = '2.5.29.20';
const DEFAULT_CRL_VALIDITY_MS = 86_400_000;

/** DER INTEGER for a non-negative value (the CRL number); ASN.1 needs a 0x00 pad when the top bit is set. */
export function derInteger(value: bigint): Uint8Array<ArrayBuffer> {
  if (value < 0n) throw new RangeError('CRL numbers are non-negative');
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let body = Buffer.from(hex, 'hex');
  if (body[0] & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
  if (body.length > 20) throw new RangeError('CRL numbers are at most 20 octets (RFC 5280 §5.2.3)');
  return new Uint8Array([0x02, body.length, ...body]);
}

function crlNumberExtension(n: bigint): X509.Extension {
  return new x509.Extension(ID_CE_CRL_NUMBER, false, derInteger(n));
}

/** AKI of the CRL = SKI of the issuer, so relying parties find the right key after a rotation. */
function authorityKeyIdentifier(issuer: X509.X509Certificate): X509.Extension[] {
  const ski = issuer.getExtension(x509.SubjectKeyIdentifierExtension);
  return ski ? [new x509.AuthorityKeyIdentifierExtension(ski.keyId, false)] : [];
}

/** Whole seconds: CRL times are encoded without fractions, so the returned dates match the DER. */
function wholeSecond(ms: number): Date {
  return new Date(Math.floor(ms / 1000) * 1000);
}

/** Builds and signs a v2 CRL for `issuer`, with thisUpdate/nextUpdate from the clock. */
export async function buildCrl(params: BuildCrlParams): Promise<BuiltCrl> {
  const issuerCert = certificateFromPem(params.issuer.cert);
  const thisUpdate = wholeSecond(params.clock.nowMs());
  const nextUpdate = wholeSecond(thisUpdate.getTime() + (params.validityMs ?? DEFAULT_CRL_VALIDITY_MS));
  const crlNumber = BigInt(params.crlNumber);
  const crl = await x509.X509CrlGenerator.create({
    // The issuer's encoded subject, byte for byte: CRL-to-issuer matching compares names.
    issuer: issuerCert.subjectName,
    thisUpdate,
    nextUpdate,
    signingKey: params.issuer.key,
    signingAlgorithm: signatureAlgorithmFor(params.issuer.key),
    extensions: [crlNumberExtension(crlNumber), ...authorityKeyIdentifier(issuerCert)],
    entries: dedupeEntries(params.entries).map((e) => ({
      serialNumber: normalizeSerial(e.serial),
      revocationDate: wholeSecond(toMs(e.revocationDate)),
      reason: e.reason ? x509.X509CrlReason[e.reason] : undefined,
    })),
  });
  const der = new Uint8Array(crl.rawData);
  return { der, pem: toPem(der, 'X509 CRL'), crlNumber: crlNumber.toString(), thisUpdate, nextUpdate };
}

/** A serial may appear once in a CRL; keep its earliest revocation. */
function dedupeEntries(entries: CrlEntryInput[]): CrlEntryInput[] {
  const bySerial = new Map<string, CrlEntryInput>();
  for (const e of entries) {
    const key = normalizeSerial(e.serial);
    const seen = bySerial.get(key);
    if (!seen || toMs(e.revocationDate) < toMs(seen.revocationDate)) bySerial.set(key, e);
  }
  return [...bySerial.values()];
}

// ---------------------------------------------------------------------------------------------
// Revocation selectors
// ---------------------------------------------------------------------------------------------

export type RevocationSelectorKind = 'serialNumber' | 'group' | 'dnsName' | 'dnsSuffix' | 'ipAddress';

/**
 * One revocation rule. Without notBefore it revokes every matching certificate, existing and
 * future; with it, only certificates issued (notBefore) strictly before that instant, so a
 * re-issued certificate for the same name is trusted again.
 */
export interface RevocationEntry {
  by: RevocationSelectorKind;
  value: string;
  notBefore?: Instant;
  /** When the rule was made; the CRL's revocation date (never before the certificate existed). */
  revokedAt?: Instant;
  reason?: CrlReason;
}

/** What a rule needs to know about a certificate; inspectCertificate() returns a superset. */
export interface RevocationCandidate {
  serial: string;
  /** Subject O values. */
  groups: string[];
  dnsNames: string[];
  ipAddresses: string[];
  notBefore: Instant;
}

function normalizeDns(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

function selects(cert: RevocationCandidate, entry: RevocationEntry): boolean {
  switch (entry.by) {
    case 'serialNumber': return normalizeSerial(cert.serial) === normalizeSerial(entry.value);
    // X.520 organizationName uses caseIgnoreMatch.
    case 'group': return cert.groups.some((g) => g.toLowerCase() === entry.value.toLowerCase());
    case 'dnsName': return cert.dnsNames.some((d) => normalizeDns(d) === normalizeDns(entry.value));
    // '.cluster.local' (or 'cluster.local') matches every name under that domain, not the domain itself.
    case 'dnsSuffix': return cert.dnsNames.some((d) => normalizeDns(d).endsWith(`.${normalizeDns(entry.value).replace(/^\.+/, '')}`));
    case 'ipAddress': return cert.ipAddresses.some((ip) => normalizeIp(ip) === normalizeIp(entry.value));
    default: throw new RangeError(`unknown revocation selector '${(entry as { by: string }).by}'`);
  }
}

/** True when the rule revokes this certificate. */
export function matchesRevocation(cert: RevocationCandidate, entry: RevocationEntry): boolean {
  if (entry.notBefore !== undefined && !(toMs(cert.notBefore) < toMs(entry.notBefore))) return false;
  return selects(cert, entry);
}

/** Checks a rule's shape before it is stored, so bad input is refused at the API, not at CRL time. */
export function validateRevocationEntry(entry: RevocationEntry): void {
  if (!entry.value) throw new RangeError('a revocation entry needs a value');
  if (entry.by === 'serialNumber') normalizeSerial(entry.value);
  else if (entry.by === 'ipAddress') normalizeIp(entry.value);
  else if (entry.by !== 'group' && entry.by !== 'dnsName' && entry.by !== 'dnsSuffix') throw new RangeError(`unknown revocation selector '${entry.by as string}'`);
  if (entry.notBefore !== undefined) toMs(entry.notBefore);
  if (entry.reason !== undefined && !(entry.reason in x509.X509CrlReason)) throw new RangeError(`unknown CRL reason '${entry.reason}'`);
}

/**
 * The CRL entries for an issuer's certificates under a set of rules. The revocation date is the
 * rule's revokedAt, or the certificate's notBefore when it was issued after the rule existed.
 */
export function revokedEntries(certs: RevocationCandidate[], rules: RevocationEntry[]): CrlEntryInput[] {
  const out: CrlEntryInput[] = [];
  for (const cert of certs) {
    const matching = rules.filter((r) => matchesRevocation(cert, r));
    if (!matching.length) continue;
    const born = toMs(cert.notBefore);
    const dates = matching.map((r) => Math.max(born, r.revokedAt !== undefined ? toMs(r.revokedAt) : born));
    const first = matching[dates.indexOf(Math.min(...dates))];
    out.push({ serial: cert.serial, revocationDate: Math.min(...dates), reason: first.reason });
  }
  return dedupeEntries(out);
}
