/**
 * Emulator routes for the Kubernetes clusters' PKI and for the infra issuer's client certificates.
 * Every one of them is behind the admin guard (rp/admin/guard.ts): /_emulator/kubernetes/... needs
 * Microsoft.Emulator/kubernetes/{read|write|action|delete} at '/', the site routes need
 * Microsoft.Emulator/sites/infra-…/{verb} like the rest of the site view, and the CRLs under
 * /_emulator/pki/crl/ are public (TLS clients fetch them without a token).
 *
 *   GET    /_emulator/kubernetes                                      every Kubernetes cluster's PKI (summaries)
 *   GET    /_emulator/kubernetes/{sub}/{group}/{name}                 summary: CAs, leaves, endpoint, client certificates, tokens (public facts)
 *   GET    …/certificates                                             every certificate, with PEM
 *   GET    …/settings        PUT …/settings {leafLifetime, clientLifetime, agentCaLifetime, bootstrapTokenTtl, renewalFraction}
 *   POST   …/bootstrap-tokens {identity, groups?, ttl?}               a one-time bootstrap token (shown once)
 *   GET    …/bootstrap-tokens                                         the tokens' public facts
 *   POST   …/node-certificates {csr}                                  kubelet-style node certificate from the cluster CA
 *   POST   …/revocations {entries: [...]}   GET …/revocations   DELETE …/revocations/{id}
 *   GET    /_emulator/pki/crl/kubernetes/{pkiId}/{ca}-r{revision}.crl | .pem
 *   GET    /_emulator/sites/{sub}/{group}/{cluster}/infra-endpoints
 *   POST   /_emulator/sites/{sub}/{group}/{cluster}/infra-client-certificates {csr}
 * No response carries a private key; the bootstrap token is in the answer that made it, and nowhere else.
 */
import { Router, type Request, type Response } from 'express';
import { ArmError } from '../../arm/errors.js';
import { jsonBody, route, sendJson } from '../../arm/http.js';
import { idKey, resourceId } from '../../arm/resource-id.js';
import type { EmulatorHost } from '../../host.js';
import { RESOURCES, type StoredResource } from '../../providers/resource-store.js';
import { infraEndpointsOf } from '../infra-endpoints.js';
import { toMs } from '../policy.js';
import { clientCertificateView, kubernetesOf } from './k8s-endpoints.js';
import { crlFileOf, type K8sCert, type K8sPkiRecord } from './k8s-pki.js';

const DAY = 86_400_000;

function duration(ms: number): string {
  if (ms % DAY === 0) return `${ms / DAY}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}


function k8sIdOf(req: Request): string {
  const { subscriptionId, resourceGroup, name } = req.params as Record<string, string>;
  return resourceId(subscriptionId, resourceGroup, 'Microsoft.NetworkCloud', 'kubernetesClusters', name);
}

function clusterIdOf(req: Request): string {
  const { subscriptionId, resourceGroup, clusterName } = req.params as Record<string, string>;
  return resourceId(subscriptionId, resourceGroup, 'Microsoft.NetworkCloud', 'clusters', clusterName);
}

export function summaryView(emu: EmulatorHost, rec: K8sPkiRecord) {
  const k8s = kubernetesOf(emu);
  const host = k8s.endpointOf(rec.resourceId);
  const now = emu.clock.nowMs();
  const crl = (c: K8sCert) => `${emu.endpoint}_emulator/pki/crl/kubernetes/${rec.pkiId}/${crlFileOf(c)}.crl`;
  const caView = (c: K8sCert, role: string) => ({ ...clientCertificateView(c, true), role, lifetime: duration(toMs(c.notAfter) - toMs(c.issuedAt)), crl: crl(c) });
  return {
    resourceId: rec.resourceId,
    name: rec.name,
    pkiId: rec.pkiId,
    now: new Date(now).toISOString(),
    createdAt: rec.createdAt,
    settings: {
      rootLifetime: duration(rec.settings.rootLifetimeMs), agentCaLifetime: duration(rec.settings.agentCaLifetimeMs), leafLifetime: duration(rec.settings.leafLifetimeMs),
      clientLifetime: duration(rec.settings.clientLifetimeMs), renewalFraction: rec.settings.renewalFraction, bootstrapTokenTtl: duration(rec.settings.bootstrapTokenTtlMs),
    },
    endpoint: host ? { host: host.host, port: host.port, url: host.url, servingSerial: rec.leaves.apiserver?.serial ?? null, clientCertificates: 'required (cluster CA or agent CA), except POST /bootstrap/exchange with a bootstrap token' } : null,
    certificateAuthorities: [
      ...Object.values(rec.cas).map((c) => caView(c, c.kind === 'root' ? 'root' : 'active')),
      ...rec.retiredCas.map((c) => caView(c, 'retired')),
    ],
    certificates: Object.values(rec.leaves).map((c) => clientCertificateView(c, false)),
    clientCertificates: rec.issued.map((c) => ({ ...clientCertificateView(c, false), expired: toMs(c.notAfter) <= now, revokedBy: kubernetesOf(emu).pkis.revokingRules(rec, c).map((r) => r.id) })),
    bootstrapTokens: Object.values(rec.tokens).map((t) => ({ ...t, state: t.usedAt ? 'used' : t.supersededAt ? 'superseded' : toMs(t.expiresAt) <= now ? 'expired' : 'valid' })),
    revocationRules: rec.revocations.length,
    renewals: rec.renewals,
  };
}

function sendPem(res: Response, pem: string): void {
  res.status(200).setHeader('Content-Type', 'application/x-pem-file');
  res.setHeader('Cache-Control', 'no-store');
  res.end(pem);
}

export function kubernetesPkiRouter(emu: EmulatorHost): Router {
  const router = Router();
  const k8s = () => kubernetesOf(emu);
  const base = '/_emulator/kubernetes/:subscriptionId/:resourceGroup/:name';
  const record = async (req: Request) => k8s().pkis.ensure(k8sIdOf(req));

  router.get('/_emulator/kubernetes', route(async (_req, res) => {
    await k8s().sync();
    sendJson(res, 200, { value: k8s().pkis.list().map((r) => summaryView(emu, r)) });
  }));

  router.get(base, route(async (req, res) => {
    await record(req);
    await k8s().sync();
    sendJson(res, 200, summaryView(emu, k8s().pkis.get(k8sIdOf(req))!));
  }));

  router.get(`${base}/certificates`, route(async (req, res) => {
    const rec = await record(req);
    sendJson(res, 200, { value: [...Object.values(rec.cas), ...rec.retiredCas, ...Object.values(rec.leaves), ...rec.issued].map((c) => clientCertificateView(c, true)) });
  }));

  router.get(`${base}/settings`, route(async (req, res) => {
    sendJson(res, 200, summaryView(emu, await record(req)).settings);
  }));

  router.put(`${base}/settings`, jsonBody(), route(async (req, res) => {
    const rec = await k8s().pkis.putSettings(k8sIdOf(req), req.body);
    sendJson(res, 200, summaryView(emu, rec).settings);
  }));

  router.post(`${base}/bootstrap-tokens`, jsonBody(), route(async (req, res) => {
    const made = await k8s().pkis.createToken(k8sIdOf(req), req.body);
    await k8s().sync();
    const rec = k8s().pkis.get(k8sIdOf(req))!;
    const host = k8s().endpointOf(rec.resourceId);
    // What a bootstrap kubeconfig holds: where the API is, the CA to trust, the token.
    sendJson(res, 201, {
      ...made.facts, token: made.token,
      server: host?.url ?? null,
      certificateAuthority: rec.cas['cluster-ca'].certPem,
      exchange: host ? `${host.url}bootstrap/exchange` : null,
    });
  }));

  router.get(`${base}/bootstrap-tokens`, route(async (req, res) => {
    sendJson(res, 200, { value: summaryView(emu, await record(req)).bootstrapTokens });
  }));

  router.post(`${base}/node-certificates`, jsonBody(), route(async (req, res) => {
    const cert = await k8s().pkis.signNode(k8sIdOf(req), req.body);
    const rec = k8s().pkis.get(k8sIdOf(req))!;
    sendJson(res, 201, { ...clientCertificateView(cert, true), username: cert.commonName, chain: [rec.cas['cluster-ca'].certPem] });
  }));

  router.get(`${base}/revocations`, route(async (req, res) => {
    const rec = await record(req);
    const signed = rec.issued;
    sendJson(res, 200, {
      value: rec.revocations.map((r) => ({ ...r, revokedSerials: signed.filter((c) => k8s().pkis.revokingRules({ ...rec, revocations: [r] }, c).length).map((c) => c.serial) })),
    });
  }));

  router.post(`${base}/revocations`, jsonBody(), route(async (req, res) => {
    const out = await k8s().pkis.revoke(k8sIdOf(req), req.body);
    const rec = k8s().pkis.get(k8sIdOf(req))!;
    sendJson(res, 201, {
      rules: out.rules,
      revoked: out.revoked.map((c) => ({ name: c.name, serial: c.serial, identity: c.identity ?? null, issuer: c.issuerName })),
      crls: [rec.cas['agent-ca'], rec.cas['cluster-ca']].map((c) => `${emu.endpoint}_emulator/pki/crl/kubernetes/${rec.pkiId}/${crlFileOf(c)}.crl`),
    });
  }));

  router.delete(`${base}/revocations/:ruleId`, route(async (req, res) => {
    const rule = await k8s().pkis.deleteRevocation(k8sIdOf(req), String(req.params.ruleId));
    sendJson(res, 200, { rule });
  }));

  router.get('/_emulator/pki/crl/kubernetes/:pkiId/:file', route(async (req, res) => {
    const m = /^([a-z-]+-r\d+)\.(crl|pem)$/.exec(String(req.params.file));
    if (!m) throw new ArmError(404, 'CrlNotFound', 'Kubernetes CRLs are at /_emulator/pki/crl/kubernetes/{pkiId}/{ca}-r{revision}.crl (DER) or .pem.');
    const crl = await k8s().pkis.crl(String(req.params.pkiId), m[1]);
    if (!crl) throw new ArmError(404, 'CrlNotFound', `No CA ${m[1]} in a Kubernetes PKI with pkiId ${String(req.params.pkiId)}.`);
    const der = Buffer.from(crl.derBase64, 'base64');
    if (m[2] === 'pem') return sendPem(res, `-----BEGIN X509 CRL-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END X509 CRL-----\n`);
    res.status(200).setHeader('Content-Type', 'application/pkix-crl');
    res.setHeader('Cache-Control', 'no-store');
    res.end(der);
  }));

  // ------------------------------------------------------------------ infra issuer (item: mTLS platform services)
  const site = '/_emulator/sites/:subscriptionId/:resourceGroup/:clusterName';
  const requireCluster = (req: Request) => {
    const id = clusterIdOf(req);
    if (!emu.store.get<StoredResource>(RESOURCES, idKey(id))) {
      throw new ArmError(404, 'ResourceNotFound', `The Resource 'Microsoft.NetworkCloud/clusters/${String(req.params.clusterName)}' under resource group '${String(req.params.resourceGroup)}' was not found.`);
    }
    return id;
  };

  router.get(`${site}/infra-endpoints`, route(async (req, res) => {
    const id = requireCluster(req);
    await infraEndpointsOf(emu).sync();
    sendJson(res, 200, { value: infraEndpointsOf(emu).list(id) });
  }));

  router.post(`${site}/infra-client-certificates`, jsonBody(), route(async (req, res) => {
    const id = requireCluster(req);
    const out = await infraEndpointsOf(emu).issueClientCertificate(id, req.body);
    sendJson(res, 201, {
      name: out.entry.name, serial: out.entry.serial, issuer: { name: out.entry.issuerName, serial: out.entry.issuerSerial },
      groups: out.entry.groups, dnsNames: out.entry.dnsNames, ipAddresses: out.entry.ipAddresses, issuedAt: out.entry.issuedAt, notAfter: out.entry.notAfter,
      certificate: out.certificate, chain: out.chain,
    });
  }));

  return router;
}

