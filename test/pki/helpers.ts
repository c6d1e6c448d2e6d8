/**
 * Shared test plumbing for the PKI tests: temp dirs (private keys never land in the repo) and the
 * openssl CLI, which the tests use as an independent verifier. The emulator itself never runs it.
 */
import { expect } from 'chai';
import { Clock } from '../../rp/clock.js';
import {
  clockDating, DEFAULT_LEAF_GROUPS, issueIssuerCa, issueLeaf, issueRootCa, issuerFor, signerOf,
  type ClockLike, type ClusterPkiCreated, type ClusterPkiKeys, type ClusterPkiSettings, type IssuedRecord, type LeafRequest,
} from '../../rp/pki/cluster-pki.js';
import { crlFileId, effectiveSettings } from '../../rp/pki/site.js';
import { randomSerial } from '../../rp/pki/x509.js';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { requirePrereq } from '../helpers/prereq.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const OPENSSL_AVAILABLE = spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0;

/** openssl is required: pending with the reason outside CI, a failure under CI=true (test/helpers/prereq.ts). */
export function requireOpenssl(ctx: Mocha.Context): void {
  requirePrereq(ctx, OPENSSL_AVAILABLE, 'the openssl CLI is not on PATH (apt-get install openssl)');
}

export interface OpensslResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A hung openssl must fail the test, not stall the whole run. */
const OPENSSL_TIMEOUT_MS = 20_000;

/**
 * Runs openssl without throwing, so tests can assert on failures (e.g. a revoked leaf).
 * Synchronous: never use it against a server in this process (it would block that server).
 */
export function openssl(args: string[], input?: string): OpensslResult {
  const r = spawnSync('openssl', args, { encoding: 'utf8', input, timeout: OPENSSL_TIMEOUT_MS });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs openssl and returns stdout, throwing with stderr on failure. */
export function opensslOk(args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: OPENSSL_TIMEOUT_MS });
}

/** Asynchronous openssl, for talking to servers running in this same process (s_client). */
export function opensslAsync(args: string[], input = ''): Promise<OpensslResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), OPENSSL_TIMEOUT_MS);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }); });
    child.stdin.end(input);
  });
}

export class TempDir {
  readonly path = mkdtempSync(join(tmpdir(), 'nce-pki-'));

  write(name: string, content: string | Uint8Array): string {
    const file = join(this.path, name);
    writeFileSync(file, content);
    return file;
  }

  file(name: string): string {
    return join(this.path, name);
  }

  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

/** "AB:CD:..." from `openssl x509 -fingerprint` → "abcd..." */
export function normaliseOpensslFingerprint(output: string): string {
  const value = output.trim().split('=').pop() ?? '';
  return value.replace(/:/g, '').toLowerCase();
}

/** Asserts that a promise rejects with a message matching the pattern. */
export async function expectReject(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await p;
  } catch (e) {
    expect((e as Error).message).to.match(pattern);
    return;
  }
  expect.fail(`expected rejection matching ${pattern}`);
}

/**
 * A Clock that stands still unless advanced: tests that compare issued dates with "now" must not
 * straddle a second boundary. Starts at the given instant (default: the real current time).
 */
export function frozenClock(atMs = Date.now()): Clock {
  return new Clock(0, () => atMs);
}

/**
 * A cluster hierarchy from the library's profiles, dated by one clock: what a site issues at deploy,
 * without the server. Settings merge over the defaults as the site's do.
 */
export async function createTestPki(clusterName: string, clock: ClockLike, settings: Partial<ClusterPkiSettings> = {}): Promise<ClusterPkiCreated> {
  const id = { clusterName, pkiId: randomSerial().slice(0, 8), settings: effectiveSettings(settings) };
  const dating = clockDating(clock);
  const root = await issueRootCa(id, dating);
  const keys: ClusterPkiKeys = { [root.key.serial]: root.key };
  const rootSigner = signerOf(root.certificate, keys);
  const iface = await issueIssuerCa(id, 'interfaceIssuer', 1, rootSigner, dating);
  const infra = await issueIssuerCa(id, 'infraIssuer', 1, rootSigner, dating);
  keys[iface.key.serial] = iface.key;
  keys[infra.key.serial] = infra.key;
  return {
    pki: { ...id, rootCa: root.certificate, interfaceIssuer: iface.certificate, infraIssuer: infra.certificate, pendingIssuers: [], retiringIssuers: [] },
    keys,
  };
}

/** Issues a leaf from its purpose's current issuer, with a CRL distribution point when settings.crlBaseUrl is set (as a site does). */
export function issueTestLeaf(c: ClusterPkiCreated, leaf: LeafRequest, clock: ClockLike): Promise<IssuedRecord> {
  const issuer = issuerFor(c.pki, leaf.purpose);
  const base = c.pki.settings.crlBaseUrl;
  return issueLeaf(c.pki.settings, leaf, signerOf(issuer, c.keys), clockDating(clock), base ? `${base}/${crlFileId(issuer)}.crl` : undefined);
}

/** The request a site makes for a machine's BMC (extra IP addresses only where a test wants them). */
export function bmcRequest(machineName: string, dnsName: string, ipAddresses = ['127.0.0.1']): LeafRequest {
  return { name: `bmc-${machineName}`, purpose: 'bmc', group: DEFAULT_LEAF_GROUPS.bmc, dnsNames: [dnsName], ipAddresses, revision: 1 };
}

export function storageRequest(applianceName: string, dnsName: string, ipAddresses = ['127.0.0.1']): LeafRequest {
  return { name: `storage-appliance-${applianceName}`, purpose: 'storageAppliance', group: DEFAULT_LEAF_GROUPS.storageAppliance, dnsNames: [dnsName], ipAddresses, revision: 1 };
}

export function platformServiceRequest(serviceName: string, dnsNames: string[], clientAuth?: boolean): LeafRequest {
  return { name: `platform-service-${serviceName}`, purpose: 'platformService', group: DEFAULT_LEAF_GROUPS.platformService, dnsNames, ipAddresses: [], clientAuth, revision: 1 };
}

/** The next revision of a leaf, as a site renews it: same request, fresh key, from the purpose's current issuer. */
export function renewTestLeaf(c: ClusterPkiCreated, leaf: LeafRequest, current: IssuedRecord, clock: ClockLike): Promise<IssuedRecord> {
  return issueTestLeaf(c, { ...leaf, revision: current.certificate.revision + 1 }, clock);
}
