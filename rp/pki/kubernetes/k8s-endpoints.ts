/**
 * The live API endpoint of each Kubernetes cluster (one loopback port each) and the lifecycle that
 * keeps the Kubernetes PKIs in step with the store: a PKI for every kubernetesClusters resource, its
 * renewals on the emulator's clock, and nothing left behind (PKI, keys, tokens, listener) once the
 * resource is gone.
 *
 * The endpoint presents the cluster's apiserver certificate (signed by the cluster CA) and, like
 * kube-apiserver, authenticates requests by client certificate: one signed by the cluster CA or the
 * agent CA (current or earlier revision still valid), not revoked by a rule, not expired on the
 * emulator's clock. Anything else gets 401 (a Kubernetes Status naming the reason). Two routes
 * accept other credentials:
 *   POST /bootstrap/exchange   Authorization: Bearer <bootstrap token>, {"csr": PEM}  (no client certificate needed)
 *   POST /bootstrap/renew      the current client certificate (mTLS), {"csr": PEM}: new certificate + rotated token
 * and an authenticated client may ask:
 *   GET /version, GET|POST /apis/authentication.k8s.io/v1/selfsubjectreviews (who the certificate says it is)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { idKey } from '../../arm/resource-id.js';
import { ArmError } from '../../arm/errors.js';
import type { EmulatorHost } from '../../host.js';
import { basicVerdict, MtlsHost, sendJson, type MtlsMaterial, type PeerInfo, type Verdict } from '../mtls-host.js';
import { toMs } from '../policy.js';
import { normalizeSerial } from '../x509.js';
import { KubernetesPkis, type K8sCert, type K8sPkiRecord } from './k8s-pki.js';

const SYNC_EVERY_MS = 1000;
const MAX_BODY = 64 * 1024;

function status(res: ServerResponse, code: number, reason: string, message: string, cause?: string): void {
  sendJson(res, code, {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code,
    ...(cause ? { details: { causes: [{ reason: cause, message }] } } : {}),
  });
}

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new ArmError(413, 'RequestEntityTooLarge', `The body may be at most ${MAX_BODY} bytes.`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {});
      } catch {
        reject(new ArmError(400, 'InvalidRequestContent', 'The body must be JSON: {"csr": "<PEM>"}.'));
      }
    });
    req.on('error', reject);
  });
}

export function clientCertificateView(c: K8sCert, pem: boolean) {
  return {
    name: c.name, kind: c.kind, serial: c.serial, subject: c.subject, commonName: c.commonName, groups: c.groups, dnsNames: c.dnsNames, ipAddresses: c.ipAddresses,
    issuer: { name: c.issuerName, serial: c.issuerSerial }, issuedAt: c.issuedAt, notBefore: c.notBefore, notAfter: c.notAfter, renewalTime: c.renewalTime,
    revision: c.revision, fingerprint: c.fingerprint, ...(c.identity ? { identity: c.identity } : {}), ...(pem ? { certificate: c.certPem } : {}),
  };
}

export class KubernetesService {
  readonly pkis: KubernetesPkis;
  private readonly hosts = new Map<string, MtlsHost>();
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | null = null;
  private stopped = true;
  private listening = false;

  constructor(private readonly emu: EmulatorHost) {
    this.pkis = new KubernetesPkis(emu);
  }

  endpointOf(resourceId: string): MtlsHost | undefined {
    return this.hosts.get(idKey(resourceId));
  }

  /** Makes missing PKIs, renews what is due, opens missing endpoints, drops what lost its resource. */
  sync(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (!this.syncing) {
      this.syncing = this.doSync().catch((e) => this.emu.log.error(`kubernetes pki: ${(e as Error).message}`)).finally(() => {
        this.syncing = null;
      });
    }
    return this.syncing;
  }

  private async doSync(): Promise<void> {
    const resources = this.pkis.resources();
    for (const [key, r] of resources) {
      if (this.stopped) return;
      await this.pkis.ensure(r.id);
      await this.pkis.reconcile(r.id);
      if (!this.hosts.has(key)) await this.open(key);
    }
    for (const rec of this.pkis.list()) {
      const key = idKey(rec.resourceId);
      if (resources.has(key)) continue;
      const host = this.hosts.get(key);
      this.hosts.delete(key);
      await host?.close();
      await this.pkis.drop(key);
    }
  }

  private async open(key: string): Promise<void> {
    const rec = this.emu.store.get<K8sPkiRecord>('kubernetesPki', key);
    if (!rec || this.stopped) return;
    const host = await MtlsHost.start({
      material: () => this.material(key),
      judge: (peer, req) => this.judge(key, peer, req),
      handle: (req, res, peer, verdict) => void this.handle(key, req, res, peer, verdict),
    }, { port: rec.port || 0, title: `kubernetes api ${rec.name}`, connections: this.emu.connections });
    if (this.stopped) return void (await host.close());
    this.hosts.set(key, host);
    if (host.port !== rec.port) await this.emu.store.put('kubernetesPki', key, { ...rec, port: host.port });
  }

  private record(key: string): K8sPkiRecord | undefined {
    return this.emu.store.get<K8sPkiRecord>('kubernetesPki', key);
  }

  private trustedClientCas(rec: K8sPkiRecord): K8sCert[] {
    const now = this.emu.clock.nowMs();
    return [rec.cas['cluster-ca'], rec.cas['agent-ca'], ...rec.retiredCas.filter((c) => toMs(c.notAfter) > now)];
  }

  private material(key: string): MtlsMaterial | undefined {
    const rec = this.record(key);
    const leaf = rec?.leaves.apiserver;
    const keyPem = leaf && this.pkis.keyPem(rec.resourceId, leaf.serial);
    if (!rec || !leaf || !keyPem) return undefined;
    const cas = this.trustedClientCas(rec);
    return { certPem: leaf.certPem, keyPem, chainPems: [], caPems: cas.map((c) => c.certPem), version: `${leaf.serial}|${cas.map((c) => c.serial).join(',')}` };
  }

  private judge(key: string, peer: PeerInfo, req: IncomingMessage): Verdict {
    const path = (req.url ?? '/').split('?')[0];
    const basic = basicVerdict(peer);
    if (basic) return path === '/bootstrap/exchange' && !basic.ok && basic.reason === 'ClientCertificateRequired' ? { ok: true } : basic;
    const rec = this.record(key);
    if (!rec) return { ok: false, reason: 'ClientCertificateUntrusted', message: 'The Kubernetes cluster is gone.' };
    if (!peer.issuerFingerprint || !this.trustedClientCas(rec).some((c) => c.fingerprint === peer.issuerFingerprint)) {
      return { ok: false, reason: 'ClientCertificateUntrusted', message: "The client certificate is not signed by this cluster's cluster CA or agent CA." };
    }
    const serial = normalizeSerial(peer.serial);
    const known = rec.issued.find((c) => c.serial === serial) ?? Object.values(rec.leaves).find((c) => c.serial === serial);
    const notAfter = known ? toMs(known.notAfter) : peer.validTo;
    const now = this.emu.clock.nowMs();
    if (now >= notAfter) return { ok: false, reason: 'ClientCertificateExpired', message: `The client certificate expired at ${new Date(notAfter).toISOString()} (emulator clock ${new Date(now).toISOString()}).` };
    const facts = known ?? { serial, groups: peer.organizations, dnsNames: peer.dnsNames, ipAddresses: peer.ipAddresses, issuedAt: new Date(0).toISOString() };
    const rules = known?.kind === 'leaf' ? [] : this.pkis.revokingRules(rec, facts);
    if (rules.length) return { ok: false, reason: 'ClientCertificateRevoked', message: `The client certificate (serial ${serial}) is revoked by rule ${rules[0].id} (${rules[0].by} ${rules[0].value}).` };
    return { ok: true };
  }

  private async handle(key: string, req: IncomingMessage, res: ServerResponse, peer: PeerInfo, verdict: Verdict): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const rec = this.record(key);
    try {
      if (!rec) return status(res, 404, 'NotFound', 'The Kubernetes cluster is gone.');
      if (!verdict.ok) return status(res, 401, 'Unauthorized', verdict.message, verdict.reason);
      if (path === '/bootstrap/exchange' && req.method === 'POST') {
        const auth = String(req.headers.authorization ?? '');
        const token = /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
        const body = (await readBody(req)) as Record<string, unknown>;
        const out = await this.pkis.exchange(rec.resourceId, token, body?.csr);
        return sendJson(res, 201, { ...clientCertificateView(out.certificate, true), chain: out.chain });
      }
      if (path === '/bootstrap/renew' && req.method === 'POST') {
        const body = (await readBody(req)) as Record<string, unknown>;
        const out = await this.pkis.renew(rec.resourceId, peer.serial, body?.csr);
        return sendJson(res, 201, { ...clientCertificateView(out.certificate, true), chain: out.chain, token: out.token, tokenId: out.tokenFacts.tokenId, tokenExpiresAt: out.tokenFacts.expiresAt });
      }
      if (path === '/version' && req.method === 'GET') {
        const resource = this.pkis.resources().get(key);
        const v = String((resource?.resource.properties as Record<string, unknown> | undefined)?.kubernetesVersion ?? '1.30.0');
        const [major, minor] = v.replace(/^v/, '').split('.');
        return sendJson(res, 200, { major, minor, gitVersion: `v${v.replace(/^v/, '')}`, platform: 'linux/amd64', emulated: true });
      }
      if (path === '/apis/authentication.k8s.io/v1/selfsubjectreviews' && (req.method === 'POST' || req.method === 'GET')) {
        return sendJson(res, req.method === 'POST' ? 201 : 200, {
          kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: new Date(this.emu.clock.nowMs()).toISOString() },
          status: { userInfo: { username: peer.commonName, groups: [...peer.organizations, 'system:authenticated'], extra: { serial: [normalizeSerial(peer.serial)] } } },
        });
      }
      return status(res, 404, 'NotFound', `the server could not find the requested resource (${req.method} ${path})`);
    } catch (e) {
      const err = e as ArmError;
      if (typeof err.status === 'number' && err.status < 500) return status(res, err.status, err.status === 401 ? 'Unauthorized' : err.status === 403 ? 'Forbidden' : 'BadRequest', err.message, err.code);
      this.emu.log.error(`kubernetes api ${rec?.name}: ${(e as Error).message}`);
      return status(res, 500, 'InternalError', 'internal error');
    }
  }

  start(): void {
    this.stopped = false;
    if (!this.listening) {
      this.listening = true;
      this.emu.clock.onChange(() => this.sync());
    }
    this.timer = setInterval(() => void this.sync(), SYNC_EVERY_MS);
    this.timer.unref();
    void this.sync();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.syncing;
    const hosts = [...this.hosts.values()];
    this.hosts.clear();
    await Promise.all(hosts.map((h) => h.close()));
  }

  /** Emulator reset: every Kubernetes PKI goes (the resources went too). */
  async reset(): Promise<void> {
    await this.syncing;
    for (const [key, host] of [...this.hosts]) {
      this.hosts.delete(key);
      await host.close();
    }
    for (const rec of this.pkis.list()) await this.pkis.drop(idKey(rec.resourceId));
  }
}

const services = new WeakMap<EmulatorHost, KubernetesService>();

export function kubernetesOf(emu: EmulatorHost): KubernetesService {
  let s = services.get(emu);
  if (!s) services.set(emu, (s = new KubernetesService(emu)));
  return s;
}
