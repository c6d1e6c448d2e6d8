/**
 * Live endpoints of the platform services the infra issuer signs for (cluster-api-webhook, ironic,
 * platform-metrics): one loopback mutual-TLS listener each, presenting the site's current
 * platform-service leaf and accepting only client certificates signed by the same cluster's infra
 * issuer (any revision still in its trust bundle). A client certificate is refused when it is
 * missing, chains elsewhere (another cluster, the interface issuer), is revoked by a site revocation
 * rule, or has expired on the emulator's clock.
 *
 * Client certificates come from POST /_emulator/sites/{sub}/{group}/{cluster}/infra-client-certificates
 * with a CSR (the caller keeps its key); they enter the site's history, so the site's revocation
 * rules select them and the infra issuer's CRL lists them once revoked.
 *
 * The listeners follow the sites: opened for every platform-service leaf of every site, closed when
 * the site goes. What they present is read on each connection, so a renewed or reissued leaf (a
 * revoked server certificate is reissued by the site as for any endpoint) is served at once.
 * Ports are not kept across restarts (the site view shows the current ones).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ArmError } from '../arm/errors.js';
import { idKey } from '../arm/resource-id.js';
import type { EmulatorHost } from '../host.js';
import { allIssuers, issuerTrustBundle, type CertificateRecord } from './cluster-pki.js';
import { issueFromCsr, parseCsr } from './csr.js';
import { basicVerdict, MtlsHost, sendJson, type MtlsMaterial, type PeerInfo, type Verdict } from './mtls-host.js';
import { toMs } from './policy.js';
import { CLUSTER_PKI_KEYS, revokingRules, sitesOf, type IssuedLeaf, type SiteSnapshot } from './site.js';
import { siteDates } from './site-issuance.js';
import type { ClusterPkiKeys } from './cluster-pki.js';
import { importPrivateKeyPem, normalizeSerial } from './x509.js';

const SYNC_EVERY_MS = 1000;

export interface InfraEndpointView {
  name: string;
  serviceName: string;
  host: string;
  port: number;
  url: string;
  servingSerial: string | null;
  dnsNames: string[];
  clientCertificates: string;
}

function infraIssuers(snap: SiteSnapshot): CertificateRecord[] {
  return allIssuers(snap.pki).filter((i) => i.purpose === 'infraIssuer');
}

export class InfraEndpoints {
  private readonly hosts = new Map<string, MtlsHost>();
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | null = null;
  private stopped = true;
  private listening = false;

  constructor(private readonly emu: EmulatorHost) {}

  private hostKey(siteKey: string, leafName: string): string {
    return `${siteKey}|${leafName}`;
  }

  private snap(siteKey: string): SiteSnapshot | undefined {
    // Site records are keyed by the lower-cased cluster id, which is what siteKey is.
    return sitesOf(this.emu).snapshot(siteKey);
  }

  /** Opens a listener for every platform-service leaf of every site, closes those whose site is gone. */
  sync(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (!this.syncing) {
      this.syncing = this.doSync().finally(() => {
        this.syncing = null;
      });
    }
    return this.syncing;
  }

  private async doSync(): Promise<void> {
    const wanted = new Set<string>();
    for (const snap of sitesOf(this.emu).list()) {
      const siteKey = idKey(snap.site.clusterId);
      for (const leaf of Object.values(snap.site.leaves)) {
        if (leaf.purpose !== 'platformService') continue;
        const k = this.hostKey(siteKey, leaf.name);
        wanted.add(k);
        if (this.hosts.has(k) || this.stopped) continue;
        const host = await MtlsHost.start({
          material: () => this.material(siteKey, leaf.name),
          judge: (peer) => this.judge(siteKey, peer),
          handle: (req, res, peer, verdict) => this.handle(leaf.name, req, res, peer, verdict),
        }, { title: `platform service ${leaf.name}`, connections: this.emu.connections });
        if (this.stopped) await host.close();
        else this.hosts.set(k, host);
      }
    }
    for (const [k, host] of [...this.hosts]) {
      if (wanted.has(k)) continue;
      this.hosts.delete(k);
      await host.close();
    }
  }

  private material(siteKey: string, leafName: string): MtlsMaterial | undefined {
    const snap = this.snap(siteKey);
    const leaf = snap?.site.leaves[leafName];
    const keys = this.emu.store.get<ClusterPkiKeys>(CLUSTER_PKI_KEYS, siteKey);
    const key = leaf && keys?.[leaf.certificate.serial];
    if (!snap || !leaf || !key) return undefined;
    const issuer = allIssuers(snap.pki).find((i) => i.serial === leaf.certificate.issuerSerial);
    const anchors = [...issuerTrustBundle(snap.pki, 'infraIssuer'), ...infraIssuers(snap)];
    const caPems = [...new Set([snap.pki.rootCa.certPem, ...anchors.map((a) => a.certPem)])];
    return {
      certPem: leaf.certificate.certPem,
      keyPem: key.privateKeyPem,
      chainPems: issuer ? [issuer.certPem] : [],
      caPems,
      version: `${leaf.certificate.serial}|${anchors.map((a) => a.serial).join(',')}`,
    };
  }

  private judge(siteKey: string, peer: PeerInfo): Verdict {
    const basic = basicVerdict(peer);
    if (basic) return basic;
    const snap = this.snap(siteKey);
    if (!snap) return { ok: false, reason: 'ClientCertificateUntrusted', message: 'The site is gone.' };
    const issuers = [...issuerTrustBundle(snap.pki, 'infraIssuer'), ...infraIssuers(snap)];
    if (!peer.issuerFingerprint || !issuers.some((i) => i.fingerprint === peer.issuerFingerprint)) {
      return { ok: false, reason: 'ClientCertificateUntrusted', message: "The client certificate is not signed by this cluster's infra issuer." };
    }
    const serial = normalizeSerial(peer.serial);
    const known = snap.site.history.find((h) => h.serial === serial);
    const notAfter = known ? toMs(known.notAfter) : peer.validTo;
    const now = this.emu.clock.nowMs();
    if (now >= notAfter) return { ok: false, reason: 'ClientCertificateExpired', message: `The client certificate expired at ${new Date(notAfter).toISOString()} (emulator clock ${new Date(now).toISOString()}).` };
    const facts = known ?? { serial, groups: peer.organizations, dnsNames: peer.dnsNames, ipAddresses: peer.ipAddresses, issuedAt: new Date(0).toISOString() };
    const rules = revokingRules(snap.site, facts);
    if (rules.length) return { ok: false, reason: 'ClientCertificateRevoked', message: `The client certificate (serial ${serial}) is revoked by rule ${rules[0].id} (${rules[0].by} ${rules[0].value}).` };
    return { ok: true };
  }

  private handle(leafName: string, _req: IncomingMessage, res: ServerResponse, peer: PeerInfo, verdict: Verdict): void {
    if (!verdict.ok) {
      sendJson(res, 401, { error: { code: verdict.reason, message: verdict.message } });
      return;
    }
    sendJson(res, 200, {
      name: 'emulated platform service', service: leafName.replace(/^platform-service-/, ''), status: 'ok',
      client: { commonName: peer.commonName, organizations: peer.organizations, serial: normalizeSerial(peer.serial) },
    });
  }

  /** The live endpoints of one site, for the site view. */
  list(clusterId: string): InfraEndpointView[] {
    const siteKey = idKey(clusterId);
    const snap = this.snap(siteKey);
    if (!snap) return [];
    return Object.values(snap.site.leaves).filter((l) => l.purpose === 'platformService').flatMap((l) => {
      const host = this.hosts.get(this.hostKey(siteKey, l.name));
      if (!host) return [];
      return [{
        name: l.name, serviceName: l.name.replace(/^platform-service-/, ''), host: host.host, port: host.port, url: host.url,
        servingSerial: l.certificate.serial, dnsNames: l.certificate.dnsNames,
        clientCertificates: "required: signed by this cluster's infra issuer, not revoked, not expired on the emulator's clock",
      }];
    });
  }

  /** Signs a client certificate for a CSR with the cluster's infra issuer (the caller keeps its key). */
  async issueClientCertificate(clusterId: string, body: unknown): Promise<{ entry: IssuedLeaf; certificate: string; chain: string[] }> {
    const input = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
    for (const k of Object.keys(input)) if (k !== 'csr') throw new ArmError(400, 'InvalidRequestContent', `Unknown field '${k}'; send {"csr": "<PEM>"}.`);
    const csr = await parseCsr(input.csr);
    if (!csr.commonName) throw new ArmError(400, 'InvalidCertificateSigningRequest', 'The CSR needs a subject CN (the client identity).');
    const snap = sitesOf(this.emu).snapshot(clusterId);
    if (!snap) throw new ArmError(404, 'SiteNotFound', 'The cluster has no site yet: it is created when the cluster is deployed (POST …/deploy).');
    let certPem = '';
    let chain: string[] = [];
    const entry = await sitesOf(this.emu).issueWith(clusterId, 'infraIssuer', async (issuer, keyPem, t, crlUrl) => {
      const dates = siteDates(t, snap.pki.settings.leafLifetimeMs, toMs(issuer.notAfter), snap.pki.settings.renewalFraction);
      const issued = await issueFromCsr({
        csr, issuer: { cert: issuer.certPem, key: await importPrivateKeyPem(keyPem) }, commonName: csr.commonName!, organizations: csr.organizations,
        notBefore: dates.notBefore, notAfter: dates.notAfter, crlDistributionPoint: crlUrl,
      });
      certPem = issued.certPem;
      chain = [issuer.certPem];
      return {
        name: `infra-client-${csr.commonName}`, serial: issued.serial, revision: 1, issuerName: issuer.name, issuerSerial: issuer.serial,
        groups: csr.organizations, dnsNames: csr.dnsNames, ipAddresses: csr.ipAddresses, issuedAt: new Date(dates.issuedAt).toISOString(), notAfter: new Date(dates.notAfter).toISOString(),
      };
    });
    return { entry, certificate: certPem, chain };
  }

  start(): void {
    this.stopped = false;
    if (!this.listening) {
      this.listening = true;
      this.emu.clock.onChange(() => this.sync().catch((e) => this.emu.log.error(`infra endpoints: ${(e as Error).message}`)));
    }
    this.timer = setInterval(() => void this.sync().catch((e) => this.emu.log.error(`infra endpoints: ${(e as Error).message}`)), SYNC_EVERY_MS);
    this.timer.unref();
    void this.sync().catch((e) => this.emu.log.error(`infra endpoints: ${(e as Error).message}`));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.syncing?.catch(() => undefined);
    const hosts = [...this.hosts.values()];
    this.hosts.clear();
    await Promise.all(hosts.map((h) => h.close()));
  }
}

const services = new WeakMap<EmulatorHost, InfraEndpoints>();

export function infraEndpointsOf(emu: EmulatorHost): InfraEndpoints {
  let s = services.get(emu);
  if (!s) services.set(emu, (s = new InfraEndpoints(emu)));
  return s;
}
