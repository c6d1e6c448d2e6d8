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
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSecureContext } from 'node:tls';
import { ConnectionGuard, LISTEN_BACKLOG, serverOptions } from '../connections.js';
import { inspectCertificate } from './x509.js';

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
  // Building a context validates the PEMs and that the key belongs to the leaf before anything changes.
  createSecureContext({ cert, key: keyPem });
  return { cert, key: keyPem };
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

  private constructor(private readonly server: Server, readonly host: string, readonly port: number, readonly kind: EndpointKind, certPem: string) {
    this.serialNow = inspectCertificate(certPem).serial;
  }

  /** Starts listening; resolves once the port is bound. */
  static async start(options: TlsEndpointOptions): Promise<TlsEndpointHost> {
    const kind = options.kind ?? 'bmc';
    const host = options.host ?? '127.0.0.1';
    const guard = options.connections ?? new ConnectionGuard();
    const server = createServer(serverOptions(guard.limits, credentials(options.certPem, options.keyPem, options.chainPems ?? [])), handlerFor(kind, options.name ?? 'endpoint'));
    guard.attach(server, `${kind} ${options.name ?? 'endpoint'}`);
    // Clients probe and go; idle keep-alive sockets would only hold old certificates longer.
    server.keepAliveTimeout = Math.min(1000, guard.limits.keepAliveTimeoutMs);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: options.port ?? 0, host, backlog: LISTEN_BACKLOG }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    return new TlsEndpointHost(server, host, port, kind, options.certPem);
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
    return this.server.listening;
  }

  /** Presents a new certificate from the next handshake on, without closing the listener. */
  swap(certPem: string, keyPem: string, chainPems: string[] = []): void {
    if (this.closed) throw new Error(`endpoint ${this.url} is closed`);
    const next = credentials(certPem, keyPem, chainPems);
    this.server.setSecureContext(next);
    this.serialNow = inspectCertificate(certPem).serial;
  }

  /** Stops listening and drops open connections; safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const done = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await done;
  }
}
