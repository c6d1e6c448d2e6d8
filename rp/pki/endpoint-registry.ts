/**
 * The running TLS listeners of every cluster site: one loopback port per BMC and storage-appliance
 * management endpoint (see endpoints.ts for why one port each rather than SNI). The registry only
 * holds listeners; what they present is decided by the site (site.ts), which persists the port so a
 * restarted emulator asks for the same one again.
 */
import type { ConnectionGuard } from '../connections.js';
import { TlsEndpointHost, type EndpointKind } from './endpoints.js';

export interface EndpointSpec {
  kind: EndpointKind;
  /** Shown by the endpoint (the machine or appliance name). */
  name: string;
  certPem: string;
  keyPem: string;
  chainPems: string[];
  /** The certificate's serial (the endpoint reports it without reading the PEM). */
  serial?: string;
  /** The port to ask for first (the one the resources point at); 0 or absent = any free port. */
  preferredPort?: number;
}

function busy(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'EADDRINUSE' || code === 'EACCES';
}

export class EndpointRegistry {
  private readonly sites = new Map<string, Map<string, TlsEndpointHost>>();

  /** `connections`: the emulator's timeouts and caps, applied to every listener opened here. */
  constructor(private readonly connections?: ConnectionGuard) {}

  /** Starts (or restarts) the listener of one endpoint; resolves with its port. */
  async open(siteKey: string, endpointName: string, spec: EndpointSpec): Promise<number> {
    await this.close(siteKey, endpointName);
    const options = { certPem: spec.certPem, keyPem: spec.keyPem, chainPems: spec.chainPems, kind: spec.kind, name: spec.name, serial: spec.serial, connections: this.connections };
    let host: TlsEndpointHost;
    try {
      host = await TlsEndpointHost.start({ ...options, port: spec.preferredPort ?? 0 });
    } catch (e) {
      // The old port went to someone else while we were down: take a new one (the site records it).
      if (!spec.preferredPort || !busy(e)) throw e;
      host = await TlsEndpointHost.start({ ...options, port: 0 });
    }
    let site = this.sites.get(siteKey);
    if (!site) this.sites.set(siteKey, (site = new Map()));
    site.set(endpointName, host);
    return host.port;
  }

  /** Presents a new certificate from the next handshake on; false when that endpoint is not running. */
  swap(siteKey: string, endpointName: string, certPem: string, keyPem: string, chainPems: string[], serial?: string): boolean {
    const host = this.sites.get(siteKey)?.get(endpointName);
    if (!host) return false;
    host.swap(certPem, keyPem, chainPems, serial);
    return true;
  }

  /** Serial (lower-case hex) the endpoint presents now, or undefined when it is not running. */
  servingSerial(siteKey: string, endpointName: string): string | undefined {
    return this.sites.get(siteKey)?.get(endpointName)?.serial;
  }

  port(siteKey: string, endpointName: string): number | undefined {
    return this.sites.get(siteKey)?.get(endpointName)?.port;
  }

  /** Number of listeners running, over all sites. */
  get size(): number {
    let n = 0;
    for (const site of this.sites.values()) n += site.size;
    return n;
  }

  async close(siteKey: string, endpointName: string): Promise<void> {
    const site = this.sites.get(siteKey);
    const host = site?.get(endpointName);
    if (!site || !host) return;
    site.delete(endpointName);
    if (!site.size) this.sites.delete(siteKey);
    await host.close();
  }

  async closeSite(siteKey: string): Promise<void> {
    const site = this.sites.get(siteKey);
    if (!site) return;
    this.sites.delete(siteKey);
    await Promise.all([...site.values()].map((h) => h.close()));
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.sites.keys()].map((k) => this.closeSite(k)));
  }
}
