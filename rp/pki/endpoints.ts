/**
 * Live TLS endpoints on loopback that present a cluster PKI leaf and its issuer chain, so clients
 * can check what a BMC (Redfish) or storage appliance management endpoint would show them.
 *
 * One port per endpoint, not one shared port with SNI: a BMC is reached at its own address and is
 * usually addressed by IP, and TLS SNI cannot carry IP literals (RFC 6066 §3), so a shared listener
 * could not tell which machine's certificate to present. A port of its own also lets each endpoint
 * be swapped, closed and reasoned about on its own. Port 0 asks the OS for an ephemeral port.
 *
 * swap() replaces the certificate with server.setSecureContext: the listener stays up, handshakes
 * from then on present the new chain, and connections already established keep the old one.
 *
 * The port is bound at once, but the TLS side (parsing the key and chain into a context, the costly
 * part of a listener) is made on the first connection: a cluster's deploy opens a hundred listeners
 * that are mostly never dialled, and a listener then costs a bound socket.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { X509Certificate } from 'node:crypto';
import { ConnectionGuard, LISTEN_BACKLOG, serverOptions } from '../connections.js';
import { normalizeSerial } from './x509.js';

export type EndpointKind = 'bmc' | 'storageAppliance' | 'platformService';

export interface TlsEndpointOptions {
  certPem: string;
  keyPem: string;
  /** Issuer certificates sent after the leaf (the intermediate; the root stays with the client). */
  chainPems?: string[];
  kind?: EndpointKind;
  /** Shown in the response body, e.g. the machine name. */
  name?: string;
  /** 0 (default) = an ephemeral port chosen by the OS. */
  port?: number;
  /** Loopback by default: these endpoints are for local clients only. */
  host?: string;
  /** The certificate's serial when the caller knows it (saves reading it from the PEM). */
  serial?: string;
  /** Timeouts and connection caps (shared with the emulator's other listeners); defaults when absent. */
  connections?: ConnectionGuard;
}

interface Credentials {
  cert: string;
  key: string;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** Leaf then chain, as one PEM: how node (and OpenSSL) take a certificate chain. */
function credentials(certPem: string, keyPem: string, chainPems: string[]): Credentials {
  const cert = [certPem, ...chainPems].map((p) => (p.endsWith('\n') ? p : `${p}\n`)).join('');
  // No separate check: createServer and setSecureContext build the context (which validates the PEMs
  // and that the key belongs to the leaf) and throw before anything changes.
  return { cert, key: keyPem };
}

/** The serial as inspectCertificate() spells it, read by node's native parser (no ASN.1 in JS). */
function serialOf(certPem: string): string {
  return normalizeSerial(new X509Certificate(certPem).serialNumber);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': JSON_TYPE, 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** A Redfish service root, the first thing BMC clients (and health probes) ask for. */
function bmcHandler(name: string) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/' || path === '/redfish/v1' || path === '/redfish/v1/') {
      send(res, 200, { '@odata.id': '/redfish/v1/', '@odata.type': '#ServiceRoot.v1_5_0.ServiceRoot', Id: 'RootService', Name: 'emulated BMC', RedfishVersion: '1.6.0', Oem: { emulator: { machine: name } } });
      return;
    }
    send(res, 404, { error: { code: 'Base.1.0.ResourceMissingAtURI', message: `The resource at the URI ${path} was not found.` } });
  };
}

function genericHandler(title: string, name: string) {
  return (_req: IncomingMessage, res: ServerResponse) => send(res, 200, { name: title, endpoint: name, status: 'ok' });
}

function handlerFor(kind: EndpointKind, name: string) {
  if (kind === 'bmc') return bmcHandler(name);
  if (kind === 'storageAppliance') return genericHandler('emulated storage appliance management', name);
  return genericHandler('emulated platform service', name);
}

export class TlsEndpointHost {
  private serialNow: string;
  private closed = false;
  /** The HTTPS side, made on the first connection (or the first swap). */
  private tls: Server | null = null;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly listener: NetServer,
    private credentials: Credentials,
    private readonly handler: (req: IncomingMessage, res: ServerResponse) => void,
    private readonly guard: ConnectionGuard,
    private readonly name: string,
    readonly host: string,
    readonly port: number,
    readonly kind: EndpointKind,
    serial: string,
  ) {
    this.serialNow = serial;
  }

  /** Starts listening; resolves once the port is bound. */
  static async start(options: TlsEndpointOptions): Promise<TlsEndpointHost> {
    const kind = options.kind ?? 'bmc';
    const host = options.host ?? '127.0.0.1';
    let endpoint: TlsEndpointHost | undefined;
    const listener = createNetServer((socket) => (endpoint ? endpoint.accept(socket) : socket.destroy()));
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen({ port: options.port ?? 0, host, backlog: LISTEN_BACKLOG }, () => {
        listener.off('error', reject);
        resolve();
      });
    });
    const { port } = listener.address() as AddressInfo;
    endpoint = new TlsEndpointHost(
      listener, credentials(options.certPem, options.keyPem, options.chainPems ?? []), handlerFor(kind, options.name ?? 'endpoint'),
      options.connections ?? new ConnectionGuard(), `${kind} ${options.name ?? 'endpoint'}`, host, port, kind, options.serial ? normalizeSerial(options.serial) : serialOf(options.certPem),
    );
    return endpoint;
  }

  /** Hands a new connection to the HTTPS side; a context that cannot be built refuses the connection. */
  private accept(socket: Socket): void {
    if (this.closed) return void socket.destroy();
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    try {
      this.https().emit('connection', socket);
    } catch {
      socket.destroy();
    }
  }

  private https(): Server {
    if (!this.tls) this.tls = this.makeServer(this.credentials);
    return this.tls;
  }

  private makeServer(creds: Credentials): Server {
    const server = createServer(serverOptions(this.guard.limits, creds), this.handler);
    // The guard counts and caps the sockets handed over from the listener, and times them out.
    this.guard.attach(server, this.name);
    // Clients probe and go; idle keep-alive sockets would only hold old certificates longer.
    server.keepAliveTimeout = Math.min(1000, this.guard.limits.keepAliveTimeoutMs);
    return server;
  }

  get url(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `https://${host}:${this.port}/`;
  }

  /** Serial (lower-case hex) of the certificate new handshakes present. */
  get serial(): string {
    return this.serialNow;
  }

  get listening(): boolean {
    return this.listener.listening;
  }

  /** Presents a new certificate from the next handshake on, without closing the listener. */
  swap(certPem: string, keyPem: string, chainPems: string[] = [], serial?: string): void {
    if (this.closed) throw new Error(`endpoint ${this.url} is closed`);
    const next = credentials(certPem, keyPem, chainPems);
    // Either way the new context is built (and checked) before anything changes.
    if (this.tls) this.tls.setSecureContext(next);
    else this.tls = this.makeServer(next);
    this.credentials = next;
    this.serialNow = serial ? normalizeSerial(serial) : serialOf(certPem);
  }

  /** Stops listening and drops open connections; safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const done = new Promise<void>((resolve) => this.listener.close(() => resolve()));
    this.tls?.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    await done;
  }
}
