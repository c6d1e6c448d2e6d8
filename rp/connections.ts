/**
 * What every listener the emulator opens holds to (the ARM/portal HTTPS port and each machine's
 * BMC or storage-appliance TLS port): a modern TLS configuration, timeouts at every stage of a
 * connection, and caps on connections per client address and in total. Without them, sockets that
 * connect and then say nothing (raw TCP that never starts TLS, TLS that never sends a request) pile
 * up until the process runs out of file descriptors and nobody is served.
 *
 * One ConnectionGuard is shared by all of an emulator's listeners, so the caps count every socket
 * of the process: a client cannot get around its cap by spreading over the BMC ports.
 */
import type { Server as HttpsServer, ServerOptions } from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

export interface ConnectionLimits {
  /** A TLS handshake must finish this soon after the TCP connection (so raw TCP that never starts TLS is closed too). */
  handshakeTimeoutMs: number;
  /** The request line and headers must have arrived this soon after the connection is ready for a request. */
  headersTimeoutMs: number;
  /** The whole request (headers and body) must have arrived this soon. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long without a new request. */
  keepAliveTimeoutMs: number;
  /** Any socket with no traffic either way for this long is closed, whatever stage it is in. */
  idleTimeoutMs: number;
  /** Open connections over all listeners of the emulator. */
  maxConnections: number;
  /** Open connections from one client address over all listeners. */
  maxConnectionsPerClient: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  handshakeTimeoutMs: 10_000,
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 15_000,
  idleTimeoutMs: 120_000,
  maxConnections: 2_000,
  maxConnectionsPerClient: 250,
};

/**
 * The kernel's queue of connections not yet accepted (capped by net.core.somaxconn). Node's 511 fills
 * in a burst of connects, and then the kernel drops handshakes it has to retry seconds later.
 */
export const LISTEN_BACKLOG = 4096;

/**
 * TLS 1.2 with ECDHE key exchange and AEAD ciphers only (GCM, ChaCha20-Poly1305), and the TLS 1.3
 * suites: no CBC, no SHA-1 MACs, no static RSA key exchange. Works with ECDSA and RSA keys.
 */
export const TLS_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** Checks limits given on the command line (or by tests): positive whole numbers, headers within the request timeout. */
export function validateLimits(limits: ConnectionLimits): ConnectionLimits {
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`connection limit ${key} must be a positive whole number, not ${value}`);
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) throw new Error('the headers timeout cannot be longer than the request timeout');
  return limits;
}

/** The TLS and timeout options for https.createServer, merged with the listener's own (cert, key, ...). */
export function serverOptions(limits: ConnectionLimits, own: ServerOptions): ServerOptions {
  return {
    ...own,
    minVersion: 'TLSv1.2',
    ciphers: TLS_CIPHERS,
    honorCipherOrder: true,
    handshakeTimeout: limits.handshakeTimeoutMs,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // Node checks the headers and request timeouts on this period; a quarter keeps them close to exact.
    connectionsCheckingInterval: Math.max(50, Math.min(5_000, Math.floor(limits.headersTimeoutMs / 4))),
  };
}

export interface ConnectionStats {
  open: number;
  accepted: number;
  refusedPerClient: number;
  refusedTotal: number;
  idleTimeouts: number;
  handshakeTimeouts: number;
  handshakeFailures: number;
}

/** Counts and caps the connections of every listener it is attached to. */
export class ConnectionGuard {
  private readonly perClient = new Map<string, number>();
  private readonly counters: ConnectionStats = { open: 0, accepted: 0, refusedPerClient: 0, refusedTotal: 0, idleTimeouts: 0, handshakeTimeouts: 0, handshakeFailures: 0 };

  constructor(
    readonly limits: ConnectionLimits = DEFAULT_CONNECTION_LIMITS,
    private readonly onError: (line: string) => void = () => undefined,
  ) {}

  get stats(): ConnectionStats {
    return { ...this.counters };
  }

  /** Applies the keep-alive timeout, the caps and the idle timeout to a server made with serverOptions(). */
  attach(server: HttpsServer, name: string): void {
    server.keepAliveTimeout = this.limits.keepAliveTimeoutMs;
    // Node drops connections past this before any JavaScript runs: the cheapest refusal.
    server.maxConnections = this.limits.maxConnections;
    server.on('drop', () => this.counters.refusedTotal++);
    // The TLS layer's own 'connection' listener wraps every socket in a TLSSocket: it runs only for
    // the sockets admitted here, so a refused one costs an accept and a close, nothing more.
    const tlsLayer = server.listeners('connection') as ((socket: Socket) => void)[];
    server.removeAllListeners('connection');
    server.on('connection', (socket: Socket) => {
      if (this.admit(socket)) for (const listener of tlsLayer) listener.call(server, socket);
    });
    // A failed or timed-out handshake: close the socket quietly (this replaces Node's default, which does the same).
    server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: TLSSocket) => {
      if (err.code === 'ERR_TLS_HANDSHAKE_TIMEOUT') this.counters.handshakeTimeouts++;
      else this.counters.handshakeFailures++;
      socket.destroy();
    });
    // Accept errors (EMFILE when the process is out of descriptors) must not end the process.
    server.on('error', (err: NodeJS.ErrnoException) => {
      if (server.listening) this.onError(`${name}: ${err.code ?? ''} ${err.message}`.trim());
    });
  }

  /** Counts the socket in, or closes it (false) when a cap is reached. */
  private admit(socket: Socket): boolean {
    const client = socket.remoteAddress ?? 'unknown';
    const mine = this.perClient.get(client) ?? 0;
    if (this.counters.open >= this.limits.maxConnections) {
      this.counters.refusedTotal++;
      socket.destroy();
      return false;
    }
    if (mine >= this.limits.maxConnectionsPerClient) {
      this.counters.refusedPerClient++;
      socket.destroy();
      return false;
    }
    this.counters.open++;
    this.counters.accepted++;
    this.perClient.set(client, mine + 1);
    socket.once('close', () => {
      this.counters.open--;
      const left = (this.perClient.get(client) ?? 1) - 1;
      if (left > 0) this.perClient.set(client, left);
      else this.perClient.delete(client);
    });
    // Traffic in either direction (TLS records included) restarts this timer.
    socket.setTimeout(this.limits.idleTimeoutMs, () => {
      this.counters.idleTimeouts++;
      socket.destroy();
    });
    return true;
  }
}
