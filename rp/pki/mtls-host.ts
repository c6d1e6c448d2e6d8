/**
 * A loopback HTTPS listener that asks every client for a certificate (mutual TLS) and lets its owner
 * judge the certificate on each request. Used by the infra issuer's platform-service endpoints and
 * by the Kubernetes clusters' API endpoints.
 *
 * What it presents and which CAs it accepts are read from the owner on every new connection
 * (`material()`, a cheap synchronous read of the store): a renewed, reissued or rotated certificate
 * is served from the next handshake on, with nothing to notify.
 *
 * The TLS layer asks for a client certificate but does not refuse the handshake itself
 * (rejectUnauthorized: false); the owner's `judge()` decides per request and a refusal is an HTTP
 * 401 with the reason, as kube-apiserver answers an unusable client certificate. Judging there is
 * what lets the emulator check expiry on its virtual clock (OpenSSL only knows real time) and
 * revocation rules that change at any moment.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import { ConnectionGuard, LISTEN_BACKLOG, serverOptions } from '../connections.js';

export interface MtlsMaterial {
  certPem: string;
  keyPem: string;
  /** Sent after the leaf. */
  chainPems: string[];
  /** Anchors and intermediates client certificates may chain to. */
  caPems: string[];
  /** Changes whenever any of the above does. */
  version: string;
}

export interface PeerInfo {
  /** Empty when the client sent no certificate. */
  present: boolean;
  /** OpenSSL's verdict against caPems (real time): null when it chains. */
  authorizationError: string | null;
  serial: string;
  commonName: string | null;
  organizations: string[];
  dnsNames: string[];
  ipAddresses: string[];
  validTo: number;
  /** SHA-256 (lower-case hex, no colons) of the certificate that signed it, when the chain was built. */
  issuerFingerprint: string | null;
}

export type Verdict = { ok: true } | { ok: false; reason: string; message: string };

export interface MtlsOwner {
  material(): MtlsMaterial | undefined;
  judge(peer: PeerInfo, req: IncomingMessage): Verdict;
  handle(req: IncomingMessage, res: ServerResponse, peer: PeerInfo, verdict: Verdict): void;
}

function list(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

function fingerprintHex(f: string | undefined): string | null {
  return f ? f.replace(/:/g, '').toLowerCase() : null;
}

/** What the request's client certificate says, read from node's parse of it. */
export function peerOf(socket: TLSSocket): PeerInfo {
  const cert = socket.getPeerCertificate(true) as DetailedPeerCertificate;
  const empty: PeerInfo = { present: false, authorizationError: null, serial: '', commonName: null, organizations: [], dnsNames: [], ipAddresses: [], validTo: 0, issuerFingerprint: null };
  if (!cert || !cert.raw) return empty;
  const sans = (cert.subjectaltname ?? '').split(/,\s*/).filter(Boolean);
  const issuer = cert.issuerCertificate && cert.issuerCertificate !== cert ? cert.issuerCertificate : null;
  const err = socket.authorizationError as unknown as string | Error | null | undefined;
  return {
    present: true,
    authorizationError: err ? String((err as { code?: string }).code ?? err) : null,
    serial: cert.serialNumber.toLowerCase().replace(/^0+(?=.)/, ''),
    commonName: list(cert.subject?.CN)[0] ?? null,
    organizations: list(cert.subject?.O),
    dnsNames: sans.filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4).toLowerCase()),
    ipAddresses: sans.filter((s) => s.startsWith('IP Address:')).map((s) => s.slice(11)),
    validTo: Date.parse(cert.valid_to),
    issuerFingerprint: issuer ? fingerprintHex(issuer.fingerprint256) : null,
  };
}

/** OpenSSL verdicts that only say the dates disagree with real time: the virtual clock decides those. */
const DATE_ONLY = new Set(['CERT_NOT_YET_VALID', 'CERT_HAS_EXPIRED', 'ERROR_IN_CERT_NOT_BEFORE_FIELD', 'ERROR_IN_CERT_NOT_AFTER_FIELD']);

/** The checks every mTLS endpoint makes first: a certificate, that chains to the anchors given. */
export function basicVerdict(peer: PeerInfo): Verdict | null {
  if (!peer.present) return { ok: false, reason: 'ClientCertificateRequired', message: 'This endpoint requires a client certificate (mutual TLS).' };
  if (peer.authorizationError && !DATE_ONLY.has(peer.authorizationError)) {
    return { ok: false, reason: 'ClientCertificateUntrusted', message: `The client certificate does not chain to a CA this endpoint trusts (${peer.authorizationError}).` };
  }
  return null;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

export class MtlsHost {
  private tls: Server | null = null;
  private version = '';
  private closed = false;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly listener: NetServer, private readonly owner: MtlsOwner, private readonly guard: ConnectionGuard, readonly host: string, readonly port: number, private readonly title: string) {}

  static async start(owner: MtlsOwner, options: { port?: number; title: string; connections?: ConnectionGuard }): Promise<MtlsHost> {
    let host: MtlsHost | undefined;
    const listener = createNetServer((socket) => (host ? host.accept(socket) : socket.destroy()));
    const listen = (port: number) => new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen({ port, host: '127.0.0.1', backlog: LISTEN_BACKLOG }, () => {
        listener.off('error', reject);
        resolve();
      });
    });
    try {
      await listen(options.port ?? 0);
    } catch (e) {
      if (!options.port) throw e;
      await listen(0);
    }
    const { port } = listener.address() as AddressInfo;
    host = new MtlsHost(listener, owner, options.connections ?? new ConnectionGuard(), '127.0.0.1', port, options.title);
    return host;
  }

  get url(): string {
    return `https://${this.host}:${this.port}/`;
  }

  private accept(socket: Socket): void {
    if (this.closed) return void socket.destroy();
    try {
      const server = this.current();
      if (!server) return void socket.destroy();
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      server.emit('connection', socket);
    } catch {
      socket.destroy();
    }
  }

  /** The HTTPS side with the owner's current material (rebuilt in place when it changed). */
  private current(): Server | null {
    const m = this.owner.material();
    if (!m) return null;
    if (this.tls && m.version === this.version) return this.tls;
    const cert = [m.certPem, ...m.chainPems].map((p) => (p.endsWith('\n') ? p : `${p}\n`)).join('');
    const creds = { cert, key: m.keyPem, ca: m.caPems };
    if (this.tls) {
      this.tls.setSecureContext(creds);
    } else {
      const server = createServer({ ...serverOptions(this.guard.limits, creds), requestCert: true, rejectUnauthorized: false }, (req, res) => {
        const peer = peerOf(req.socket as TLSSocket);
        let verdict: Verdict;
        try {
          verdict = this.owner.judge(peer, req);
        } catch (e) {
          verdict = { ok: false, reason: 'ClientCertificateUnverifiable', message: (e as Error).message };
        }
        this.owner.handle(req, res, peer, verdict);
      });
      this.guard.attach(server, this.title);
      server.keepAliveTimeout = Math.min(1000, this.guard.limits.keepAliveTimeoutMs);
      this.tls = server;
    }
    this.version = m.version;
    return this.tls;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const done = new Promise<void>((resolve) => this.listener.close(() => resolve()));
    this.tls?.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    await done;
  }
}
