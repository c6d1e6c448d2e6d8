/**
 * The site view over HTTPS: what cert-manager and trust-manager would show inside each deployed
 * cluster (issuers, certificates with Ready/Issuing conditions, the trust bundle), plus root lookup
 * by SHA-256, CRL distribution points, revocation rules and bring-your-own-issuer configuration.
 *
 *   GET    /_emulator/sites                                             every deployed site
 *   GET    /_emulator/sites/{subscriptionId}/{resourceGroup}/{cluster}  summary: endpoints, caCertificate, schedule
 *   GET    …/issuers | …/certificates | …/certificates/{name}
 *   GET    …/certificates/{name}/history   every revision of a leaf or CA (root-ca, interface-issuer, infra-issuer)
 *   GET    …/crls                          every CRL the site published (?file={issuer}-r{revision} for one)
 *   GET    …/trust-bundle (JSON) | …/trust-bundle.pem
 *   GET    …/revocations          POST …/revocations {by, value, notBefore?, reason?}       (administrator)
 *   GET    …/revocations/{id}     DELETE …/revocations/{id}                                (administrator)
 *   GET    …/settings             PUT  …/settings {keyAlgorithm, …Lifetime, …}             (administrator, before deploy)
 *   GET    …/issuer               PUT  …/issuer, POST …/issuer/csr, DELETE …/issuer        (administrator, before deploy)
 *   GET    /_emulator/pki/roots/{sha256}                                                    (no token)
 *   GET    /_emulator/pki/crl/{pkiId}/{issuer}-r{revision}.crl (DER) | .pem                 (no token)
 *
 * Who may call what is decided in front of every /_emulator route by the admin guard
 * (rp/admin/guard.ts): a site's views need Microsoft.Emulator/sites/…/read at its cluster (Reader
 * of the cluster has it), changes need the Emulator Administrator role at '/', and the site list
 * shows only the sites the caller may read. No response ever carries a private key: views are
 * built from the public records only.
 */
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { JsonObject } from '../api/derive.js';
import { ArmError } from '../arm/errors.js';
import { jsonBody, route, sendJson } from '../arm/http.js';
import { idKey, resourceId } from '../arm/resource-id.js';
import type { EmulatorHost } from '../host.js';
import { RESOURCES, type StoredResource } from '../providers/resource-store.js';
import { allIssuers, issuerTrustBundle, type CertificateRecord, type IssuerPurpose } from './cluster-pki.js';
import { certificateStatus, issuerRotationPlan, toMs, type CertificateCondition } from './policy.js';
import {
  allRoots, crlFileId, defaultRootOverlap, defaultRotationOverlap, effectiveSettings, isPhantom, overlapFor, revokingRules, rootOverlapFor, rootOverlapOf, sitesOf,
  type ClusterSites, type IssuedLeaf, type SiteConfig, type SiteLeaf, type SiteRecord, type SiteSnapshot,
} from './site.js';
import type { ExternalCaRecord, SiteCertificate } from './site-issuance.js';
import { inspectCertificate } from './x509.js';
import { infraEndpointsOf } from './infra-endpoints.js';
import { SITE_READ_ACTION } from '../admin/guard.js';
import type { CallerPrincipal } from '../identity/auth.js';
import { callerCan } from '../providers/authorization/arm-access.js';

const DAY = 86_400_000;

function duration(ms: number): string {
  if (ms % DAY === 0) return `${ms / DAY}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}

function clusterIdOf(req: Request): string {
  const { subscriptionId, resourceGroup, clusterName } = req.params as Record<string, string>;
  return resourceId(subscriptionId, resourceGroup, 'Microsoft.NetworkCloud', 'clusters', clusterName);
}

function sitePath(clusterId: string): string {
  const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/[^/]+\/[^/]+\/([^/]+)$/i.exec(clusterId)!;
  return `/_emulator/sites/${m[1]}/${m[2]}/${m[3]}`;
}

function requireCluster(emu: EmulatorHost, clusterId: string, name: string, group: string): StoredResource {
  const cluster = emu.store.get<StoredResource>(RESOURCES, idKey(clusterId));
  if (!cluster) throw new ArmError(404, 'ResourceNotFound', `The Resource 'Microsoft.NetworkCloud/clusters/${name}' under resource group '${group}' was not found.`);
  return cluster;
}

function requireSite(emu: EmulatorHost, req: Request): SiteSnapshot {
  const clusterId = clusterIdOf(req);
  requireCluster(emu, clusterId, req.params.clusterName as string, req.params.resourceGroup as string);
  const snap = sitesOf(emu).snapshot(clusterId);
  if (!snap) throw new ArmError(404, 'SiteNotFound', `The cluster '${req.params.clusterName as string}' has no site yet: it is created when the cluster is deployed (POST …/deploy).`);
  return snap;
}

// ---------------------------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------------------------

function condition(type: CertificateCondition['type'], status: CertificateCondition['status'], reason: string, message: string, at: string): CertificateCondition {
  return { type, status, reason, message, lastTransitionTime: at };
}

/** cert-manager's Certificate status, with transition times taken from the certificate's own history. */
function leafStatus(site: SiteRecord, leaf: SiteLeaf, nowMs: number) {
  const c = leaf.certificate;
  const previous = {
    conditions: [
      condition('Ready', 'True', '', '', c.issuedAt),
      condition('Issuing', 'True', '', '', leaf.failure?.at ?? c.renewalTime),
    ],
  };
  const status = certificateStatus({
    cert: { notBefore: c.notBefore, notAfter: c.notAfter, renewalTime: c.renewalTime, revision: c.revision },
    now: nowMs,
    previous,
    failure: leaf.failure ? { message: leaf.failure.message, at: leaf.failure.at } : undefined,
  });
  const rules = revokingRules(site, factsOf(leaf));
  if (rules.length) {
    const first = rules[0];
    status.conditions = status.conditions.map((cond) => cond.type !== 'Ready' ? cond : condition('Ready', 'False', 'Revoked',
      `Certificate serial ${c.serial} is revoked by rule ${first.id} (${first.by} ${first.value}${first.notBefore ? `, issued before ${first.notBefore}` : ''}).`,
      new Date(Math.max(toMs(first.createdAt), toMs(c.issuedAt))).toISOString()));
  }
  return status;
}

function factsOf(leaf: SiteLeaf): Pick<IssuedLeaf, 'serial' | 'groups' | 'dnsNames' | 'ipAddresses' | 'issuedAt'> {
  const c = leaf.certificate;
  return { serial: c.serial, groups: [leaf.group], dnsNames: c.dnsNames, ipAddresses: c.ipAddresses, issuedAt: c.issuedAt };
}

function crlLinks(emu: EmulatorHost, pkiId: string, issuer: Pick<CertificateRecord, 'name' | 'revision'>) {
  const base = `${emu.endpoint}_emulator/pki/crl/${pkiId}/${crlFileId(issuer)}`;
  return { der: `${base}.crl`, pem: `${base}.pem` };
}

function certificateView(emu: EmulatorHost, sites: ClusterSites, snap: SiteSnapshot, leaf: SiteLeaf, nowMs: number): JsonObject {
  const { pki, site } = snap;
  const c = leaf.certificate;
  const issuer = allIssuers(pki).find((i) => i.serial === c.issuerSerial);
  const key = idKey(site.clusterId);
  const rules = revokingRules(site, factsOf(leaf));
  return {
    name: leaf.name,
    purpose: leaf.purpose,
    spec: {
      commonName: isPhantom(c) ? (c.dnsNames[0] ?? leaf.name) : inspectCertificate(c.certPem).commonName,
      subjectOrganization: leaf.group,
      dnsNames: c.dnsNames,
      ipAddresses: c.ipAddresses,
      usages: leaf.clientAuth ? ['digital signature', 'server auth', 'client auth'] : ['digital signature', 'server auth'],
      issuerRef: { name: c.issuerName, kind: 'Issuer' },
      privateKey: { algorithm: c.keyAlgorithm, rotationPolicy: 'Always' },
      duration: duration(pki.settings.leafLifetimeMs),
      renewalFraction: pki.settings.renewalFraction,
    },
    status: leafStatus(site, leaf, nowMs) as unknown as JsonObject,
    serial: c.serial,
    fingerprint: c.fingerprint,
    issuedAt: c.issuedAt,
    issuer: { name: c.issuerName, serial: c.issuerSerial, revision: issuer?.revision ?? null },
    crlDistributionPoint: issuer ? crlLinks(emu, pki.pkiId, issuer).der : null,
    revoked: rules.length ? { rules: rules.map((r) => r.id) } : null,
    endpoint: leaf.endpoint
      ? {
        kind: leaf.endpoint.kind,
        resourceId: leaf.endpoint.resourceId,
        host: leaf.endpoint.host,
        port: leaf.endpoint.port,
        url: `https://${leaf.endpoint.host}:${leaf.endpoint.port}/`,
        servingSerial: sites.registry.servingSerial(key, leaf.name) ?? null,
      }
      : null,
    certificate: isPhantom(c) ? null : c.certPem,
  };
}

type IssuerRole = 'root' | 'active' | 'pending' | 'retiring' | 'customer';

function issuerView(emu: EmulatorHost, snap: SiteSnapshot, cert: CertificateRecord | ExternalCaRecord, role: IssuerRole, nowMs: number): JsonObject {
  const { pki, site } = snap;
  const info = inspectCertificate(cert.certPem);
  const at = (cert as Partial<SiteCertificate>).issuedAt ?? cert.notBefore;
  const view: JsonObject = {
    name: cert.name,
    purpose: 'purpose' in cert ? cert.purpose : 'customerCa',
    role,
    revision: 'revision' in cert ? cert.revision : null,
    serial: cert.serial,
    subject: info.subject,
    issuer: info.issuer,
    issuedAt: at,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    renewalTime: 'renewalTime' in cert ? cert.renewalTime : null,
    fingerprint: cert.fingerprint,
    keyAlgorithm: 'keyAlgorithm' in cert ? cert.keyAlgorithm : null,
  };
  const expired = toMs(cert.notAfter) <= nowMs;
  const ready = expired
    ? condition('Ready', 'False', 'Expired', `The CA certificate expired on ${cert.notAfter}.`, cert.notAfter)
    : role === 'pending'
      ? condition('Ready', 'True', 'Pending', 'In the trust bundle; it becomes the signer when the rotation switches.', at)
      : role === 'retiring'
        ? condition('Ready', 'True', 'Retiring', `Replaced as signer; trusted until ${cert.notAfter}.`, at)
        : condition('Ready', 'True', 'KeyPairVerified', 'Signing CA verified', at);
  const conditions: CertificateCondition[] = [ready];
  const rootOverlap = rootOverlapOf(pki, site);
  if ('purpose' in cert && role === 'root' && rootOverlap !== null) {
    const plan = issuerRotationPlan(cert, nowMs, rootOverlapFor(cert, rootOverlap));
    view.rotation = { ...plan } as unknown as JsonObject;
    const failure = site.issuerFailures.rootCa;
    if (failure) conditions.push(condition('Issuing', 'False', 'Failed', failure.message, failure.at));
    else if (plan.phase !== 'active') conditions.push(condition('Issuing', 'True', 'Rotating', `Root rotation phase ${plan.phase}: the successor root signs the issuers from ${plan.switchSignerAt}.`, plan.introduceSuccessorAt));
  }
  if ('purpose' in cert && role === 'active' && cert.purpose !== 'rootCa') {
    const purpose = cert.purpose as IssuerPurpose;
    const plan = issuerRotationPlan(cert, nowMs, overlapFor(cert, site.rotationOverlapMs));
    view.rotation = { ...plan } as unknown as JsonObject;
    const failure = site.issuerFailures[purpose];
    if (failure) conditions.push(condition('Issuing', 'False', 'Failed', failure.message, failure.at));
    else if (plan.phase !== 'active') conditions.push(condition('Issuing', 'True', 'Rotating', `Rotation phase ${plan.phase}: the successor signs from ${plan.switchSignerAt}.`, plan.introduceSuccessorAt));
  }
  view.status = { conditions } as unknown as JsonObject;
  if ('purpose' in cert) view.crl = crlLinks(emu, pki.pkiId, cert);
  view.certificate = cert.certPem;
  return view;
}

function issuersOf(snap: SiteSnapshot): Array<{ cert: CertificateRecord | ExternalCaRecord; role: IssuerRole }> {
  const { pki, site } = snap;
  return [
    { cert: pki.rootCa, role: 'root' as const },
    ...site.externalCa.map((cert) => ({ cert, role: 'customer' as const })),
    { cert: pki.interfaceIssuer, role: 'active' as const },
    { cert: pki.infraIssuer, role: 'active' as const },
    ...pki.pendingIssuers.map((cert) => ({ cert, role: 'pending' as const })),
    ...pki.retiringIssuers.map((cert) => ({ cert, role: 'retiring' as const })),
    ...(pki.pendingRoot ? [{ cert: pki.pendingRoot, role: 'pending' as const }] : []),
    ...(pki.retiringRoots ?? []).map((cert) => ({ cert, role: 'retiring' as const })),
  ];
}

/** The cluster's trust bundle: each issuer purpose old → old+new → new, then the anchors (root, customer CAs). */
function trustBundle(snap: SiteSnapshot) {
  const { pki, site } = snap;
  const role = (c: CertificateRecord): IssuerRole => pki.pendingIssuers.includes(c) ? 'pending' : pki.retiringIssuers.includes(c) ? 'retiring' : 'active';
  const entries = [
    ...issuerTrustBundle(pki, 'interfaceIssuer').map((c) => ({ c, role: role(c) })),
    ...issuerTrustBundle(pki, 'infraIssuer').map((c) => ({ c, role: role(c) })),
    { c: pki.rootCa as CertificateRecord | ExternalCaRecord, role: 'root' as IssuerRole },
    // Root rotation: the successor root is trusted before it signs, the old one until it expires.
    ...(pki.pendingRoot ? [{ c: pki.pendingRoot as CertificateRecord | ExternalCaRecord, role: 'pending' as IssuerRole }] : []),
    ...(pki.retiringRoots ?? []).map((c) => ({ c: c as CertificateRecord | ExternalCaRecord, role: 'retiring' as IssuerRole })),
    ...site.externalCa.map((c) => ({ c: c as CertificateRecord | ExternalCaRecord, role: 'customer' as IssuerRole })),
  ];
  const certificates = entries.map(({ c, role: r }) => ({
    name: c.name, purpose: 'purpose' in c ? c.purpose : 'customerCa', role: r, revision: 'revision' in c ? c.revision : null,
    serial: c.serial, fingerprint: c.fingerprint, notAfter: c.notAfter,
  }));
  const pem = entries.map(({ c }) => (c.certPem.endsWith('\n') ? c.certPem : `${c.certPem}\n`)).join('');
  return { certificates, pem };
}

function settingsView(pkiSettings: ReturnType<typeof effectiveSettings>, overlapMs: number, rootOverlapMs: number | null | undefined) {
  const rootOverlap = rootOverlapMs === undefined ? defaultRootOverlap(pkiSettings) : rootOverlapMs;
  return {
    keyAlgorithm: pkiSettings.keyAlgorithm,
    rootLifetime: duration(pkiSettings.rootLifetimeMs),
    issuerLifetime: duration(pkiSettings.issuerLifetimeMs),
    leafLifetime: duration(pkiSettings.leafLifetimeMs),
    renewalFraction: pkiSettings.renewalFraction,
    rotationOverlap: duration(overlapMs),
    rootRotation: rootOverlap !== null,
    rootRotationOverlap: rootOverlap === null ? null : duration(rootOverlap),
  };
}

function externalView(ca: ExternalCaRecord) {
  return { name: ca.name, subject: ca.subject, issuer: ca.issuer, serial: ca.serial, fingerprint: ca.fingerprint, notBefore: ca.notBefore, notAfter: ca.notAfter, selfSigned: ca.selfSigned, certificate: ca.certPem };
}

function issuerConfigView(config: SiteConfig | undefined, deployed: boolean): JsonObject {
  const issuer = config?.issuer ?? { mode: 'selfSigned' as const };
  const view: JsonObject = { deployed, mode: issuer.mode };
  if (issuer.mode === 'customerCa') view.customerCa = issuer.chain.map(externalView) as unknown as JsonObject[];
  if (issuer.mode === 'customerSignedCsr') {
    view.csr = issuer.csrPem;
    view.keyAlgorithm = issuer.keyAlgorithm;
    view.signedCertificate = issuer.issuerPem
      ? (() => {
        const info = inspectCertificate(issuer.issuerPem);
        return { subject: info.subject, issuer: info.issuer, serial: info.serial, fingerprint: info.fingerprint, notAfter: info.notAfter.toISOString(), certificate: issuer.issuerPem };
      })()
      : null;
    view.customerCa = (issuer.chain ?? []).map(externalView) as unknown as JsonObject[];
  }
  return view;
}

function summaryView(emu: EmulatorHost, sites: ClusterSites, snap: SiteSnapshot, nowMs: number): JsonObject {
  const { pki, site } = snap;
  const key = idKey(site.clusterId);
  const path = `${emu.endpoint.replace(/\/$/, '')}${sitePath(site.clusterId)}`;
  const iface = pki.interfaceIssuer;
  const published = allIssuers(pki).find((i) => i.fingerprint === site.caCertificateHash) ?? iface;
  const next = sites.nextDueMs(pki, site);
  return {
    clusterId: site.clusterId,
    pkiId: site.pkiId,
    now: new Date(nowMs).toISOString(),
    deployedAt: site.deployedAt,
    issuerMode: site.issuerMode,
    settings: settingsView(pki.settings, site.rotationOverlapMs, site.rootRotationOverlapMs),
    caCertificate: { hash: site.caCertificateHash, issuer: published.name, serial: published.serial, revision: published.revision },
    endpoints: Object.values(site.leaves).filter((l) => l.endpoint).map((l) => ({
      name: l.name,
      kind: l.endpoint!.kind,
      resourceId: l.endpoint!.resourceId,
      resourceName: l.endpoint!.resourceName,
      host: l.endpoint!.host,
      port: l.endpoint!.port,
      url: `https://${l.endpoint!.host}:${l.endpoint!.port}/`,
      serial: l.certificate.serial,
      servingSerial: sites.registry.servingSerial(key, l.name) ?? null,
    })),
    // The platform services' mutual-TLS endpoints (rp/pki/infra-endpoints.ts).
    infraEndpoints: infraEndpointsOf(emu).list(site.clusterId) as unknown as JsonObject[],
    nextScheduledAt: Number.isFinite(next) ? new Date(next).toISOString() : null,
    revocationRules: site.revocations.length,
    links: {
      issuers: `${path}/issuers`,
      certificates: `${path}/certificates`,
      trustBundle: `${path}/trust-bundle`,
      trustBundlePem: `${path}/trust-bundle.pem`,
      revocations: `${path}/revocations`,
      root: `${emu.endpoint}_emulator/pki/roots/${pki.rootCa.fingerprint}`,
    },
  };
}

/** The root a CA fingerprint leads to: the cluster root, or the top of a customer CA chain. */
function rootLookup(emu: EmulatorHost, sites: ClusterSites, sha256: string): JsonObject | undefined {
  for (const snap of sites.list()) {
    const { pki, site } = snap;
    const found = issuersOf(snap).find(({ cert }) => cert.fingerprint === sha256);
    if (!found) continue;
    const hit = { c: found.cert, role: found.role };
    const customerTop = site.externalCa[site.externalCa.length - 1];
    const chainsToCustomer = hit.role === 'customer' || ('purpose' in hit.c && hit.c.purpose === 'interfaceIssuer' && hit.c.issuerName !== pki.rootCa.name);
    // A CA chains to the root that signed it (after a root rotation, old issuers to the old root).
    const roots = allRoots(pki);
    const signedBy = 'purpose' in hit.c ? roots.find((r) => r.serial === (hit.c as CertificateRecord).issuerSerial) : undefined;
    const root = chainsToCustomer && customerTop ? customerTop : signedBy ?? pki.rootCa;
    return {
      sha256,
      matched: { name: hit.c.name, role: hit.role, serial: hit.c.serial },
      clusterId: site.clusterId,
      site: `${emu.endpoint.replace(/\/$/, '')}${sitePath(site.clusterId)}`,
      root: { name: root.name, subject: inspectCertificate(root.certPem).subject, serial: root.serial, fingerprint: root.fingerprint, notAfter: root.notAfter, selfSigned: 'selfSigned' in root ? root.selfSigned : true, certificate: root.certPem },
    };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Router
// ---------------------------------------------------------------------------------------------


function sendPem(res: Response, pem: string): void {
  res.status(200).setHeader('Content-Type', 'application/x-pem-file');
  res.setHeader('Cache-Control', 'no-store');
  res.end(pem);
}

export function siteRouter(emu: EmulatorHost, requireAuth: RequestHandler): Router {
  const router = Router();
  const sites = () => sitesOf(emu);
  const site = '/_emulator/sites/:subscriptionId/:resourceGroup/:clusterName';
  const now = () => emu.clock.nowMs();

  router.get('/_emulator/sites', requireAuth, route((_req, res) => {
    const caller = res.locals.principal as CallerPrincipal;
    const visible = sites().list().filter((s) => callerCan(emu, caller, SITE_READ_ACTION, s.site.clusterId));
    sendJson(res, 200, { value: visible.map((s) => summaryView(emu, sites(), s, now())) });
  }));

  router.get(site, route((req, res) => {
    sendJson(res, 200, summaryView(emu, sites(), requireSite(emu, req), now()));
  }));

  router.get(`${site}/issuers`, route((req, res) => {
    const snap = requireSite(emu, req);
    sendJson(res, 200, { value: issuersOf(snap).map(({ cert, role }) => issuerView(emu, snap, cert, role, now())) });
  }));

  router.get(`${site}/certificates`, route((req, res) => {
    const snap = requireSite(emu, req);
    sendJson(res, 200, { value: Object.values(snap.site.leaves).map((l) => certificateView(emu, sites(), snap, l, now())) });
  }));

  router.get(`${site}/certificates/:name`, route((req, res) => {
    const snap = requireSite(emu, req);
    const leaf = snap.site.leaves[String(req.params.name)];
    if (!leaf) throw new ArmError(404, 'CertificateNotFound', `The site has no certificate named '${String(req.params.name)}'; GET …/certificates lists them.`);
    // The one certificate also shows its issuance history (every revision: serial, dates, reason).
    sendJson(res, 200, { ...certificateView(emu, sites(), snap, leaf, now()), history: sites().history(snap.site.clusterId, leaf.name) as unknown as JsonObject[] });
  }));

  router.get(`${site}/certificates/:name/history`, route((req, res) => {
    const snap = requireSite(emu, req);
    const name = String(req.params.name);
    const value = sites().history(snap.site.clusterId, name);
    if (!value.length && !snap.site.leaves[name]) {
      throw new ArmError(404, 'CertificateNotFound', `The site has no certificate named '${name}'; GET …/certificates and …/issuers list them.`);
    }
    sendJson(res, 200, { name, value: value as unknown as JsonObject[] });
  }));

  router.get(`${site}/crls`, route((req, res) => {
    const snap = requireSite(emu, req);
    const file = typeof req.query.file === 'string' ? req.query.file : undefined;
    sendJson(res, 200, { value: sites().crlHistory(snap.site.clusterId, file) as unknown as JsonObject[] });
  }));

  router.get(`${site}/trust-bundle`, route((req, res) => {
    const snap = requireSite(emu, req);
    sendJson(res, 200, { name: `${snap.pki.clusterName}-trust-bundle`, ...trustBundle(snap) });
  }));

  router.get(`${site}/trust-bundle.pem`, route((req, res) => {
    sendPem(res, trustBundle(requireSite(emu, req)).pem);
  }));

  router.get(`${site}/revocations`, route((req, res) => {
    const snap = requireSite(emu, req);
    const value = snap.site.revocations.map((rule) => ({
      ...rule,
      revokedSerials: snap.site.history.filter((h) => revokingRules({ ...snap.site, revocations: [rule] }, h).length).map((h) => h.serial),
    }));
    sendJson(res, 200, { value });
  }));

  router.get(`${site}/revocations/:ruleId`, route((req, res) => {
    const snap = requireSite(emu, req);
    const rule = snap.site.revocations.find((r) => r.id.toLowerCase() === String(req.params.ruleId).toLowerCase());
    if (!rule) throw new ArmError(404, 'RevocationRuleNotFound', `The site has no revocation rule '${String(req.params.ruleId)}'; GET …/revocations lists them.`);
    const revokedSerials = snap.site.history.filter((h) => revokingRules({ ...snap.site, revocations: [rule] }, h).length).map((h) => h.serial);
    sendJson(res, 200, { ...rule, revokedSerials });
  }));

  router.delete(`${site}/revocations/:ruleId`, requireAuth, route(async (req, res) => {
    const clusterId = clusterIdOf(req);
    requireCluster(emu, clusterId, String(req.params.clusterName), String(req.params.resourceGroup));
    const rule = await sites().deleteRevocation(clusterId, String(req.params.ruleId));
    sendJson(res, 200, { rule });
  }));

  router.post(`${site}/revocations`, requireAuth, jsonBody(), route(async (req, res) => {
    const clusterId = clusterIdOf(req);
    requireCluster(emu, clusterId, String(req.params.clusterName), String(req.params.resourceGroup));
    const outcome = await sites().revoke(clusterId, req.body);
    const snap = sites().snapshot(clusterId)!;
    sendJson(res, 201, {
      rule: outcome.rule,
      revoked: outcome.revoked.map((h) => ({ name: h.name, serial: h.serial, issuer: h.issuerName, revision: h.revision })),
      reissued: outcome.reissued.map((l) => ({ name: l.name, serial: l.certificate.serial, revision: l.certificate.revision })),
      stillRevoked: outcome.stillRevoked.map((l) => ({ name: l.name, serial: l.certificate.serial, reason: 'every certificate this endpoint could be issued now matches a rule (no notBefore, or a notBefore in the future)' })),
      crls: [snap.pki.interfaceIssuer, snap.pki.infraIssuer].map((i) => crlLinks(emu, snap.pki.pkiId, i).der),
    });
  }));

  router.get(`${site}/settings`, route((req, res) => {
    const clusterId = clusterIdOf(req);
    requireCluster(emu, clusterId, String(req.params.clusterName), String(req.params.resourceGroup));
    const snap = sites().snapshot(clusterId);
    if (snap) {
      sendJson(res, 200, { deployed: true, ...settingsView(snap.pki.settings, snap.site.rotationOverlapMs, snap.site.rootRotationOverlapMs) });
      return;
    }
    const config = sites().config(clusterId);
    const settings = effectiveSettings(config?.settings ?? {});
    sendJson(res, 200, { deployed: false, ...settingsView(settings, config?.rotationOverlapMs ?? defaultRotationOverlap(settings), config?.rootRotationOverlapMs) });
  }));

  router.put(`${site}/settings`, requireAuth, jsonBody(), route(async (req, res) => {
    const config = await sites().putSettings(clusterIdOf(req), req.body);
    const settings = effectiveSettings(config.settings);
    sendJson(res, 200, { deployed: false, ...settingsView(settings, config.rotationOverlapMs ?? defaultRotationOverlap(settings), config.rootRotationOverlapMs) });
  }));

  router.get(`${site}/issuer`, route((req, res) => {
    const clusterId = clusterIdOf(req);
    requireCluster(emu, clusterId, String(req.params.clusterName), String(req.params.resourceGroup));
    sendJson(res, 200, issuerConfigView(sites().config(clusterId), !!sites().snapshot(clusterId)));
  }));

  router.put(`${site}/issuer`, requireAuth, jsonBody(), route(async (req, res) => {
    const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as JsonObject;
    for (const k of Object.keys(body)) {
      if (!['certificate', 'privateKey', 'chain'].includes(k)) throw new ArmError(400, 'InvalidRequestContent', `Unknown field '${k}'; send {certificate, privateKey} or {certificate, chain}.`);
    }
    const config = await sites().putIssuer(clusterIdOf(req), body);
    sendJson(res, 200, issuerConfigView(config, false));
  }));

  router.post(`${site}/issuer/csr`, requireAuth, jsonBody(), route(async (req, res) => {
    const config = await sites().createCsr(clusterIdOf(req));
    sendJson(res, 200, issuerConfigView(config, false));
  }));

  router.delete(`${site}/issuer`, requireAuth, route(async (req, res) => {
    const config = await sites().resetIssuer(clusterIdOf(req));
    sendJson(res, 200, issuerConfigView(config, false));
  }));

  router.get('/_emulator/pki/roots/:sha256', route((req, res) => {
    const sha256 = String(req.params.sha256).replace(/:/g, '').toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new ArmError(400, 'InvalidFingerprint', 'Give the SHA-256 fingerprint as 64 hex digits (colons allowed), e.g. caCertificate.hash.');
    const found = rootLookup(emu, sites(), sha256);
    if (!found) throw new ArmError(404, 'CertificateNotFound', `No cluster CA has the SHA-256 fingerprint ${sha256}.`);
    sendJson(res, 200, found);
  }));

  router.get('/_emulator/pki/crl/:pkiId/:file', route(async (req, res) => {
    const m = /^([a-z0-9-]+-r\d+)\.(crl|pem)$/.exec(String(req.params.file));
    if (!m) throw new ArmError(404, 'CrlNotFound', 'CRLs are at /_emulator/pki/crl/{pkiId}/{issuer}-r{revision}.crl (DER) or .pem.');
    const crl = await sites().crl(String(req.params.pkiId), m[1]);
    if (!crl) throw new ArmError(404, 'CrlNotFound', `No issuer ${m[1]} in a site with pkiId ${String(req.params.pkiId)}.`);
    const der = Buffer.from(crl.derBase64, 'base64');
    if (m[2] === 'pem') {
      sendPem(res, `-----BEGIN X509 CRL-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END X509 CRL-----\n`);
      return;
    }
    res.status(200).setHeader('Content-Type', 'application/pkix-crl');
    res.setHeader('Cache-Control', 'no-store');
    res.end(der);
  }));

  return router;
}

