/**
 * The emulator's own local CA for its HTTPS serving certificate (what mkcert does for dev servers):
 * created on first start in a state folder, reused afterwards so users trust ca.pem once. The
 * cluster PKIs are separate; this CA only ever signs the emulator's server certificate.
 *
 * Pass a wall clock (the default), not a virtual clock moved ahead: real TLS clients check the
 * serving certificate against real time and would reject a notBefore in their future.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { Clock } from '../clock.js';
import { needsRenewal, toMs, type ClockLike } from './policy.js';
import {
  certificateNotAfter, exportPrivateKeyPem, generateKeyPair, importKeyPairPem, inspectCertificate, isIssuedBy, issueCertificate,
  keyMatchesCertificate, normalizeIp, randomSerial,
} from './x509.js';

export interface LocalCa {
  caCertPem: string;
  /** Absolute path of ca.pem (what users add to their trust store), or null when in memory. */
  caCertFile: string | null;
  serverCertPem: string;
  serverKeyPem: string;
  /** A new CA was made on this call: users must (re-)trust caCertFile. */
  caCreated: boolean;
  /** A new server certificate was issued on this call (first start, changed names, near expiry). */
  serverCertIssued: boolean;
}

const DAY = 86_400_000;
const CA_LIFETIME_MS = 3650 * DAY;
/** A CA closer than this to expiry is replaced rather than left to break mid-session. */
const CA_MIN_REMAINING_MS = 30 * DAY;
const SERVER_LIFETIME_MS = 365 * DAY;
/** Tolerates clients whose clocks lag a little behind ours. */
const BACKDATE_MS = 5 * 60_000;

const FILES = { caCert: 'ca.pem', caKey: 'ca-key.pem', serverCert: 'server.pem', serverKey: 'server-key.pem' } as const;
const PUBLIC_MODE = 0o644;
const SECRET_MODE = 0o600;

interface Pair {
  certPem: string;
  keyPem: string;
}

interface WantedNames {
  dnsNames: string[];
  ipAddresses: string[];
}

function wantedNames(hostnames: string[], ips: string[]): WantedNames {
  const dnsNames = [...new Set(['localhost', ...hostnames].map((h) => h.trim().toLowerCase()).filter(Boolean))];
  const ipAddresses = [...new Set(['127.0.0.1', '::1', ...ips].map(normalizeIp))];
  return { dnsNames, ipAddresses };
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');
}

// ---------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------

async function readIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Write-then-rename so a crash never leaves half a PEM; chmod because umask may differ. */
async function writeAtomic(file: string, content: string, mode: number): Promise<void> {
  const tmp = `${file}.${randomSerial().slice(0, 8)}.tmp`;
  await writeFile(tmp, content, { mode });
  await chmod(tmp, mode);
  await rename(tmp, file);
}

async function readPair(dir: string, certName: string, keyName: string): Promise<Partial<Pair>> {
  const [certPem, keyPem] = await Promise.all([readIfExists(join(dir, certName)), readIfExists(join(dir, keyName))]);
  return { certPem: certPem ?? undefined, keyPem: keyPem ?? undefined };
}

/** Key first: a crash between the two writes leaves a lone key, which is treated as absent. */
async function writePair(dir: string, certName: string, keyName: string, pair: Pair): Promise<void> {
  await writeAtomic(join(dir, keyName), pair.keyPem, SECRET_MODE);
  await writeAtomic(join(dir, certName), pair.certPem, PUBLIC_MODE);
}

// ---------------------------------------------------------------------------------------------
// CA
// ---------------------------------------------------------------------------------------------

async function createCa(clock: ClockLike): Promise<Pair> {
  const keys = await generateKeyPair();
  const now = clock.nowMs();
  const issued = await issueCertificate({
    // A per-install suffix keeps two installs' CAs apart in a trust store (as mkcert does).
    subject: { commonName: `networkcloud-emulator local CA ${randomSerial().slice(0, 8)}`, organization: 'networkcloud-emulator' },
    issuer: 'self', privateKey: keys.privateKey, publicKey: keys.publicKey,
    notBefore: now - BACKDATE_MS, notAfter: now + CA_LIFETIME_MS,
    ca: { pathLength: 0 },
  });
  return { certPem: issued.certPem, keyPem: await exportPrivateKeyPem(keys) };
}

function caUsable(ca: Pair, now: number): boolean {
  return toMs(inspectCertificate(ca.certPem).notAfter) - now > CA_MIN_REMAINING_MS;
}

/** Reuses a stored CA when sound; refuses to paper over a CA whose key is gone or wrong. */
async function loadOrCreateCa(dir: string | null, clock: ClockLike): Promise<{ ca: Pair; created: boolean }> {
  if (!dir) return { ca: await createCa(clock), created: true };
  const stored = await readPair(dir, FILES.caCert, FILES.caKey);
  if (stored.certPem && !stored.keyPem) {
    throw new Error(`${join(dir, FILES.caCert)} exists but its key ${FILES.caKey} is missing: move the folder aside to create a new local CA (and trust the new ca.pem)`);
  }
  if (stored.certPem && stored.keyPem) {
    if (!keyMatchesCertificate(stored.keyPem, stored.certPem)) {
      throw new Error(`${join(dir, FILES.caKey)} does not belong to ${FILES.caCert}: move the folder aside to create a new local CA`);
    }
    await chmod(join(dir, FILES.caKey), SECRET_MODE);
    const ca = { certPem: stored.certPem, keyPem: stored.keyPem };
    if (caUsable(ca, clock.nowMs())) return { ca, created: false };
  }
  const ca = await createCa(clock);
  await writePair(dir, FILES.caCert, FILES.caKey, ca);
  return { ca, created: true };
}

// ---------------------------------------------------------------------------------------------
// Server certificate
// ---------------------------------------------------------------------------------------------

async function issueServer(ca: Pair, names: WantedNames, clock: ClockLike): Promise<Pair> {
  const keys = await generateKeyPair();
  const caKey = await importKeyPairPem(ca.keyPem);
  const now = clock.nowMs();
  const caNotAfter = certificateNotAfter(ca.certPem).getTime();
  const issued = await issueCertificate({
    subject: { commonName: 'localhost', organization: 'networkcloud-emulator' },
    issuer: { cert: ca.certPem, key: caKey.privateKey }, publicKey: keys.publicKey,
    notBefore: now - BACKDATE_MS, notAfter: Math.min(now + SERVER_LIFETIME_MS, caNotAfter),
    dnsNames: names.dnsNames, ipAddresses: names.ipAddresses, extKeyUsages: ['serverAuth'],
  });
  return { certPem: issued.certPem, keyPem: await exportPrivateKeyPem(keys) };
}

/** Reuse only a server certificate that this CA signed, for exactly these names, not yet due for renewal. */
async function serverReusable(server: Partial<Pair>, ca: Pair, names: WantedNames, now: number): Promise<boolean> {
  if (!server.certPem || !server.keyPem) return false;
  if (!keyMatchesCertificate(server.keyPem, server.certPem)) return false;
  if (!(await isIssuedBy(server.certPem, ca.certPem))) return false;
  const info = inspectCertificate(server.certPem);
  if (!sameSet(info.dnsNames, names.dnsNames) || !sameSet(info.ipAddresses.map(normalizeIp), names.ipAddresses)) return false;
  return !needsRenewal(info, now);
}

/**
 * Makes sure the local CA and a server certificate for `hostnames`/`ips` (plus localhost,
 * 127.0.0.1 and ::1) exist in `dir`, creating or re-issuing only what is missing, stale or
 * different. With dir null everything lives in memory for this process only.
 */
export async function ensureLocalCa(dir: string | null, hostnames: string[], ips: string[], clock: ClockLike = new Clock()): Promise<LocalCa> {
  const folder = dir === null ? null : isAbsolute(dir) ? dir : resolve(dir);
  if (folder) await mkdir(folder, { recursive: true, mode: 0o700 });
  const names = wantedNames(hostnames, ips);
  const { ca, created: caCreated } = await loadOrCreateCa(folder, clock);

  const stored = folder && !caCreated ? await readPair(folder, FILES.serverCert, FILES.serverKey) : {};
  let server: Pair;
  let serverCertIssued = false;
  if (await serverReusable(stored, ca, names, clock.nowMs())) {
    server = stored as Pair;
    await chmod(join(folder!, FILES.serverKey), SECRET_MODE);
  } else {
    server = await issueServer(ca, names, clock);
    serverCertIssued = true;
    if (folder) await writePair(folder, FILES.serverCert, FILES.serverKey, server);
  }
  return {
    caCertPem: ca.certPem,
    caCertFile: folder ? join(folder, FILES.caCert) : null,
    serverCertPem: server.certPem,
    serverKeyPem: server.keyPem,
    caCreated,
    serverCertIssued,
  };
}
