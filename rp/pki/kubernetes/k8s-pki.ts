/**
 * The certificates inside each Operator Nexus Kubernetes cluster (the AKS hybrid model): three 10-year
 * roots (cluster CA, etcd CA, front-proxy CA), a 365-day client-facing agent CA under the cluster CA,
 * the control plane's own leaves (4 days by default, renewed at 2/3 of their life on the emulator's
 * clock), client certificates for agents obtained by exchanging a one-time bootstrap token with a CSR
 * (90 days, signed by the agent CA, renewed with the current certificate, which rotates the token),
 * node certificates signed kubelet-style (system:node:<name> in system:nodes), and revocation rules
 * (serial, group, DNS name, DNS suffix, IP, with notBefore) published in each CA's CRL.
 *
 * The set of Kubernetes clusters is the store's kubernetesClusters resources: a PKI is made the first
 * time one is needed or seen, and dropped (keys, tokens, endpoint) when its resource is gone.
 *
 * Store layout (keyed by the lower-cased kubernetesClusters resource id):
 *   kubernetesPki                public: certificates, issued client/node certificates, rules, CRLs,
 *                                bootstrap tokens' public facts (id, identity, expiry, use)
 *   kubernetesPkiKeys            sealed: every private key by certificate serial
 *   kubernetesBootstrapTokens    sealed: the SHA-256 of each token's secret (the token itself is never kept)
 * Every change to one cluster's records is one store batch.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { ArmError } from '../../arm/errors.js';
import { KeyedLock } from '../../arm/locks.js';
import { idKey } from '../../arm/resource-id.js';
import { parseDuration } from '../../clock.js';
import type { EmulatorHost } from '../../host.js';
import { RESOURCES, type StoredResource } from '../../providers/resource-store.js';
import type { StoreOp } from '../../store/store.js';
import { buildCrl, matchesRevocation, revokedEntries, validateRevocationEntry, type CrlReason, type RevocationEntry, type RevocationSelectorKind } from '../crl.js';
import { issueFromCsr, parseCsr, secretDigest, subjectDer } from '../csr.js';
import { toMs } from '../policy.js';
import { siteDates, siteNotBefore, type IssueTimes } from '../site-issuance.js';
import { generateEncodedKeyPair, importPrivateKeyPem, inspectCertificate, issueCertificate, normalizeSerial, type ExtKeyUsageName } from '../x509.js';

export const K8S_PKI = 'kubernetesPki';
export const K8S_PKI_KEYS = 'kubernetesPkiKeys';
export const K8S_BOOTSTRAP_TOKENS = 'kubernetesBootstrapTokens';
export const K8S_TYPE = 'Microsoft.NetworkCloud/kubernetesClusters';

const DAY = 86_400_000;
const KEY_ALGORITHM = 'ECDSA-P256' as const;
const CRL_VALIDITY_MS = DAY;

export interface K8sSettings {
  rootLifetimeMs: number;
  agentCaLifetimeMs: number;
  /** Every non-root certificate of the control plane, and node certificates. */
  leafLifetimeMs: number;
  /** Agents' client certificates from a bootstrap token. */
  clientLifetimeMs: number;
  renewalFraction: number;
  bootstrapTokenTtlMs: number;
}

export const DEFAULT_K8S_SETTINGS: Readonly<K8sSettings> = Object.freeze({
  rootLifetimeMs: 3650 * DAY,
  agentCaLifetimeMs: 365 * DAY,
  leafLifetimeMs: 4 * DAY,
  clientLifetimeMs: 90 * DAY,
  renewalFraction: 2 / 3,
  bootstrapTokenTtlMs: DAY,
});

export type CaName = 'cluster-ca' | 'etcd-ca' | 'front-proxy-ca' | 'agent-ca';
export type CertKind = 'root' | 'ca' | 'leaf' | 'client' | 'node';

export interface K8sCert {
  name: string;
  kind: CertKind;
  certPem: string;
  serial: string;
  subject: string;
  commonName: string | null;
  groups: string[];
  dnsNames: string[];
  ipAddresses: string[];
  issuerName: string;
  issuerSerial: string;
  issuedAt: string;
  notBefore: string;
  notAfter: string;
  renewalTime: string;
  revision: number;
  fingerprint: string;
  /** Client certificates: the identity the bootstrap token was made for. */
  identity?: string;
}

export interface K8sRevocationRule extends RevocationEntry {
  id: string;
  createdAt: string;
}

export interface K8sTokenFacts {
  tokenId: string;
  identity: string;
  groups: string[];
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  /** A renewal made a newer token for the same identity. */
  supersededAt: string | null;
  /** The client certificate it was exchanged for. */
  certificateSerial: string | null;
}

export interface K8sCrl {
  crlNumber: number;
  contentKey: string;
  signedAt: string;
  thisUpdate: string;
  nextUpdate: string;
  derBase64: string;
}

export interface K8sPkiRecord {
  resourceId: string;
  name: string;
  pkiId: string;
  createdAt: string;
  settings: K8sSettings;
  cas: Record<CaName, K8sCert>;
  /** Earlier agent CAs, still trusted (and their CRLs served) until they expire. */
  retiredCas: K8sCert[];
  leaves: Record<string, K8sCert>;
  /** Client and node certificates, until they expire. */
  issued: K8sCert[];
  revocations: K8sRevocationRule[];
  crls: Record<string, K8sCrl>;
  tokens: Record<string, K8sTokenFacts>;
  /** How many times the control plane's leaves and the agent CA were renewed. */
  renewals: number;
  port: number;
}

type Keys = Record<string, string>;
type TokenDigests = Record<string, { digest: string }>;

interface State {
  key: string;
  rec: K8sPkiRecord;
  keys: Keys;
  tokens: TokenDigests;
}

export class K8sInputError extends ArmError {
  constructor(code: string, message: string, status = 400) {
    super(status, code, message);
  }
}

/** The control plane's leaves: which CA signs them, their subject and names. */
function leafPlan(name: string): Array<{ name: string; ca: CaName; cn: string; groups: string[]; dnsNames: string[]; ips: string[]; eku: ExtKeyUsageName[] }> {
  const host = `${name.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}.k8s.nexus.local`;
  return [
    { name: 'apiserver', ca: 'cluster-ca', cn: 'kube-apiserver', groups: [], dnsNames: ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', host, 'localhost'], ips: ['127.0.0.1'], eku: ['serverAuth'] },
    { name: 'apiserver-kubelet-client', ca: 'cluster-ca', cn: 'kube-apiserver-kubelet-client', groups: ['system:masters'], dnsNames: [], ips: [], eku: ['clientAuth'] },
    { name: 'apiserver-etcd-client', ca: 'etcd-ca', cn: 'kube-apiserver-etcd-client', groups: [], dnsNames: [], ips: [], eku: ['clientAuth'] },
    { name: 'etcd-server', ca: 'etcd-ca', cn: 'etcd', groups: [], dnsNames: ['localhost', `etcd.${host}`], ips: ['127.0.0.1'], eku: ['serverAuth', 'clientAuth'] },
    { name: 'front-proxy-client', ca: 'front-proxy-ca', cn: 'front-proxy-client', groups: [], dnsNames: [], ips: [], eku: ['clientAuth'] },
  ];
}

function record(name: string, kind: CertKind, issued: { certPem: string; serial: string; fingerprint: string }, dates: { issuedAt: number; notBefore: number; notAfter: number; renewalTime: number }, issuer: { name: string; serial: string } | null, revision: number, extra: Partial<K8sCert> = {}): K8sCert {
  const info = inspectCertificate(issued.certPem);
  return {
    name, kind, certPem: issued.certPem, serial: issued.serial, subject: info.subject, commonName: info.commonName, groups: info.groups,
    dnsNames: info.dnsNames, ipAddresses: info.ipAddresses,
    issuerName: issuer?.name ?? name, issuerSerial: issuer?.serial ?? issued.serial,
    issuedAt: new Date(dates.issuedAt).toISOString(), notBefore: new Date(dates.notBefore).toISOString(), notAfter: new Date(dates.notAfter).toISOString(),
    renewalTime: new Date(dates.renewalTime).toISOString(), revision, fingerprint: issued.fingerprint, ...extra,
  };
}

/** Durations like "4d", "12h" or ISO 8601 "P4D". */
function durationOf(input: Record<string, unknown>, field: string): number | undefined {
  const v = input[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new K8sInputError('InvalidRequestContent', `'${field}' must be a duration string such as "4d", "12h" or "P4D".`);
  let ms: number;
  try {
    ms = parseDuration(v);
  } catch (e) {
    throw new K8sInputError('InvalidRequestContent', `'${field}': ${(e as Error).message}`);
  }
  if (ms < 60_000) throw new K8sInputError('InvalidRequestContent', `'${field}' must be at least one minute.`);
  return ms;
}

export function crlFileOf(ca: Pick<K8sCert, 'name' | 'revision'>): string {
  return `${ca.name}-r${ca.revision}`;
}

const IDENTITY = /^[A-Za-z0-9][A-Za-z0-9:._@-]{0,63}$/;
const SELECTORS: RevocationSelectorKind[] = ['serialNumber', 'group', 'dnsName', 'dnsSuffix', 'ipAddress'];

export class KubernetesPkis {
  private readonly lock = new KeyedLock();

  constructor(private readonly emu: EmulatorHost) {}

  /** Whole seconds, as certificates carry them, so notAfter − issuedAt is exactly the lifetime. */
  private times(): IssueTimes {
    return { nowMs: Math.floor(this.emu.clock.nowMs() / 1000) * 1000, wallMs: Date.now() };
  }

  crlUrl(pkiId: string, ca: Pick<K8sCert, 'name' | 'revision'>): string {
    return `${this.emu.endpoint}_emulator/pki/crl/kubernetes/${pkiId}/${crlFileOf(ca)}.crl`;
  }

  /** Every kubernetesClusters resource in the store, by key. */
  resources(): Map<string, StoredResource> {
    const out = new Map<string, StoredResource>();
    for (const r of this.emu.store.list<StoredResource>(RESOURCES)) if (r.type.toLowerCase() === K8S_TYPE.toLowerCase()) out.set(idKey(r.id), r);
    return out;
  }

  get(resourceId: string): K8sPkiRecord | undefined {
    return this.emu.store.get<K8sPkiRecord>(K8S_PKI, idKey(resourceId));
  }

  list(): K8sPkiRecord[] {
    return this.emu.store.list<K8sPkiRecord>(K8S_PKI);
  }

  keyPem(resourceId: string, serial: string): string | undefined {
    return this.emu.store.get<Keys>(K8S_PKI_KEYS, idKey(resourceId))?.[serial];
  }

  private load(key: string): State | undefined {
    const rec = this.emu.store.get<K8sPkiRecord>(K8S_PKI, key);
    if (!rec) return undefined;
    // Copies: a failed issuance must leave the stored records as they were.
    return {
      key,
      rec: structuredClone(rec),
      keys: { ...(this.emu.store.get<Keys>(K8S_PKI_KEYS, key) ?? {}) },
      tokens: { ...(this.emu.store.get<TokenDigests>(K8S_BOOTSTRAP_TOKENS, key) ?? {}) },
    };
  }

  private async save(s: State): Promise<void> {
    await this.emu.store.batch([
      { op: 'put', collection: K8S_PKI, key: s.key, value: s.rec },
      { op: 'put', collection: K8S_PKI_KEYS, key: s.key, value: s.keys },
      { op: 'put', collection: K8S_BOOTSTRAP_TOKENS, key: s.key, value: s.tokens },
    ] as StoreOp[]);
  }

  /** The PKI of a Kubernetes cluster, made now if its resource exists and it has none yet. */
  async ensure(resourceId: string): Promise<K8sPkiRecord> {
    const key = idKey(resourceId);
    const existing = this.get(resourceId);
    if (existing) return existing;
    const resource = this.emu.store.get<StoredResource>(RESOURCES, key);
    if (!resource || resource.type.toLowerCase() !== K8S_TYPE.toLowerCase()) {
      const name = resourceId.split('/').pop();
      throw new K8sInputError('ResourceNotFound', `The Resource '${K8S_TYPE}/${name}' was not found.`, 404);
    }
    return this.lock.run(key, async () => this.get(resourceId) ?? this.create(resource));
  }

  private async create(resource: StoredResource): Promise<K8sPkiRecord> {
    const key = idKey(resource.id);
    const t = this.times();
    const settings = { ...DEFAULT_K8S_SETTINGS };
    const pkiId = randomBytes(6).toString('hex');
    const keys: Keys = {};
    const name = resource.id.split('/').pop()!;
    const root = async (caName: CaName, title: string) => {
      const dates = siteDates(t, settings.rootLifetimeMs, null, settings.renewalFraction);
      const pair = await generateEncodedKeyPair(KEY_ALGORITHM);
      const self = await importPrivateKeyPem(pair.privateKeyPem);
      const issued = await issueCertificate({ subject: { commonName: `${title} ${pkiId}`, organization: `nexus-k8s-${name}`.slice(0, 64) }, issuer: 'self', privateKey: self, publicKey: pair.spkiDer, notBefore: dates.notBefore, notAfter: dates.notAfter, ca: {} });
      keys[issued.serial] = pair.privateKeyPem;
      return record(caName, 'root', issued, dates, null, 1);
    };
    const [clusterCa, etcdCa, frontProxyCa] = await Promise.all([root('cluster-ca', 'kubernetes'), root('etcd-ca', 'etcd-ca'), root('front-proxy-ca', 'front-proxy-ca')]);
    const rec: K8sPkiRecord = {
      resourceId: resource.id, name, pkiId, createdAt: new Date(t.nowMs).toISOString(), settings,
      cas: { 'cluster-ca': clusterCa, 'etcd-ca': etcdCa, 'front-proxy-ca': frontProxyCa, 'agent-ca': undefined as unknown as K8sCert },
      retiredCas: [], leaves: {}, issued: [], revocations: [], crls: {}, tokens: {}, renewals: 0, port: 0,
    };
    const state: State = { key, rec, keys, tokens: {} };
    rec.cas['agent-ca'] = await this.issueAgentCa(state, 1, t);
    await Promise.all(leafPlan(name).map(async (p) => {
      rec.leaves[p.name] = await this.issueLeaf(state, p.name, 1, t);
    }));
    await this.save(state);
    return rec;
  }

  private async signer(state: State, ca: K8sCert) {
    const pem = state.keys[ca.serial];
    if (!pem) throw new K8sInputError('IssuerKeyMissing', `no key for ${ca.name} r${ca.revision}`, 500);
    return { cert: ca.certPem, key: await importPrivateKeyPem(pem) };
  }

  private async issueAgentCa(state: State, revision: number, t: IssueTimes): Promise<K8sCert> {
    const parent = state.rec.cas['cluster-ca'];
    const s = state.rec.settings;
    const dates = siteDates(t, s.agentCaLifetimeMs, toMs(parent.notAfter), s.renewalFraction);
    const pair = await generateEncodedKeyPair(KEY_ALGORITHM);
    const issued = await issueCertificate({
      subject: { commonName: `kubernetes agent CA ${state.rec.pkiId} r${revision}`, organization: `nexus-k8s-${state.rec.name}`.slice(0, 64) },
      issuer: await this.signer(state, parent), publicKey: pair.spkiDer, notBefore: dates.notBefore, notAfter: dates.notAfter, ca: { pathLength: 0 },
      crlDistributionPoint: this.crlUrl(state.rec.pkiId, parent),
    });
    state.keys[issued.serial] = pair.privateKeyPem;
    return record('agent-ca', 'ca', issued, dates, parent, revision);
  }

  private async issueLeaf(state: State, leafName: string, revision: number, t: IssueTimes): Promise<K8sCert> {
    const p = leafPlan(state.rec.name).find((l) => l.name === leafName)!;
    const ca = state.rec.cas[p.ca];
    const s = state.rec.settings;
    const dates = siteDates(t, s.leafLifetimeMs, toMs(ca.notAfter), s.renewalFraction);
    const pair = await generateEncodedKeyPair(KEY_ALGORITHM);
    const issued = await issueCertificate({
      subject: { commonName: p.cn }, subjectDer: subjectDer(p.cn, p.groups), issuer: await this.signer(state, ca), publicKey: pair.spkiDer,
      notBefore: dates.notBefore, notAfter: dates.notAfter, dnsNames: p.dnsNames, ipAddresses: p.ips, extKeyUsages: p.eku,
      crlDistributionPoint: this.crlUrl(state.rec.pkiId, ca),
    });
    state.keys[issued.serial] = pair.privateKeyPem;
    return record(leafName, 'leaf', issued, dates, ca, revision);
  }

  /** Renews what is due (agent CA, control-plane leaves) and forgets what has expired. */
  async reconcile(resourceId: string): Promise<boolean> {
    const key = idKey(resourceId);
    return this.lock.run(key, async () => {
      const state = this.load(key);
      if (!state) return false;
      const t = this.times();
      const { rec } = state;
      let changed = false;
      const agent = rec.cas['agent-ca'];
      if (t.nowMs >= toMs(agent.renewalTime) && t.nowMs < toMs(rec.cas['cluster-ca'].notAfter)) {
        rec.retiredCas.push(agent);
        rec.cas['agent-ca'] = await this.issueAgentCa(state, agent.revision + 1, t);
        rec.renewals += 1;
        changed = true;
      }
      for (const leaf of Object.values(rec.leaves)) {
        const plan = leafPlan(rec.name).find((l) => l.name === leaf.name)!;
        const ca = rec.cas[plan.ca];
        if (t.nowMs < toMs(leaf.renewalTime) && leaf.issuerSerial === ca.serial) continue;
        if (t.nowMs >= toMs(ca.notAfter)) continue; // a root that expired cannot sign: the leaf stays as it is
        const previous = leaf.serial;
        rec.leaves[leaf.name] = await this.issueLeaf(state, leaf.name, leaf.revision + 1, t);
        delete state.keys[previous];
        rec.renewals += 1;
        changed = true;
      }
      const live = (c: { notAfter: string }) => toMs(c.notAfter) > t.nowMs;
      const retired = rec.retiredCas.filter((c) => !live(c));
      if (retired.length) {
        rec.retiredCas = rec.retiredCas.filter(live);
        for (const c of retired) delete state.keys[c.serial];
        changed = true;
      }
      const issuedBefore = rec.issued.length;
      rec.issued = rec.issued.filter(live);
      if (rec.issued.length !== issuedBefore) changed = true;
      for (const tok of Object.values(rec.tokens)) {
        // Spent or expired tokens are shown for a week, then forgotten.
        if (toMs(tok.expiresAt) + 7 * DAY < t.nowMs) {
          delete rec.tokens[tok.tokenId];
          delete state.tokens[tok.tokenId];
          changed = true;
        }
      }
      if (changed) await this.save(state);
      return changed;
    });
  }

  /** Drops the PKI of a Kubernetes cluster whose resource is gone. */
  async drop(key: string): Promise<void> {
    await this.lock.run(key, () => this.emu.store.batch([K8S_PKI, K8S_PKI_KEYS, K8S_BOOTSTRAP_TOKENS].map((collection) => ({ op: 'delete' as const, collection, key }))));
  }

  async putSettings(resourceId: string, body: unknown): Promise<K8sPkiRecord> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new K8sInputError('InvalidRequestContent', 'Send a JSON object of settings.');
    const input = body as Record<string, unknown>;
    const allowed = ['leafLifetime', 'clientLifetime', 'agentCaLifetime', 'bootstrapTokenTtl', 'renewalFraction'];
    for (const k of Object.keys(input)) if (!allowed.includes(k)) throw new K8sInputError('InvalidRequestContent', `Unknown setting '${k}'; settings are ${allowed.join(', ')}.`);
    await this.ensure(resourceId);
    const key = idKey(resourceId);
    return this.lock.run(key, async () => {
      const state = this.load(key)!;
      const s = state.rec.settings;
      const next: K8sSettings = {
        ...s,
        leafLifetimeMs: durationOf(input, 'leafLifetime') ?? s.leafLifetimeMs,
        clientLifetimeMs: durationOf(input, 'clientLifetime') ?? s.clientLifetimeMs,
        agentCaLifetimeMs: durationOf(input, 'agentCaLifetime') ?? s.agentCaLifetimeMs,
        bootstrapTokenTtlMs: durationOf(input, 'bootstrapTokenTtl') ?? s.bootstrapTokenTtlMs,
      };
      if (input.renewalFraction !== undefined) {
        const f = input.renewalFraction;
        if (typeof f !== 'number' || !(f > 0 && f < 1)) throw new K8sInputError('InvalidRequestContent', "'renewalFraction' must be a number between 0 and 1.");
        next.renewalFraction = f;
      }
      if (next.agentCaLifetimeMs > next.rootLifetimeMs) throw new K8sInputError('InvalidRequestContent', 'agentCaLifetime must not exceed the roots\' 10 years.');
      if (next.leafLifetimeMs > next.rootLifetimeMs) throw new K8sInputError('InvalidRequestContent', 'leafLifetime must not exceed the roots\' 10 years.');
      state.rec.settings = next;
      await this.save(state);
      return state.rec;
    });
  }

  // ------------------------------------------------------------------------- bootstrap tokens

  /** A one-time token for a client identity, valid bootstrapTokenTtl (kubeadm's form: [a-z0-9]{6}.[a-z0-9]{16}). */
  async createToken(resourceId: string, body: unknown): Promise<{ token: string; facts: K8sTokenFacts }> {
    const input = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
    for (const k of Object.keys(input)) if (!['identity', 'groups', 'ttl'].includes(k)) throw new K8sInputError('InvalidRequestContent', `Unknown field '${k}'; send {identity, groups?, ttl?}.`);
    if (typeof input.identity !== 'string' || !IDENTITY.test(input.identity)) {
      throw new K8sInputError('InvalidRequestContent', "'identity' must be 1-64 characters: letters, digits and : . _ @ - (the client certificate's CN).");
    }
    const groups = input.groups === undefined ? [] : input.groups;
    if (!Array.isArray(groups) || groups.some((g) => typeof g !== 'string' || !IDENTITY.test(g)) || groups.length > 16) {
      throw new K8sInputError('InvalidRequestContent', "'groups' must be a list of up to 16 names (the certificate's O values).");
    }
    const ttl = durationOf(input, 'ttl');
    await this.ensure(resourceId);
    const key = idKey(resourceId);
    return this.lock.run(key, async () => {
      const state = this.load(key)!;
      const made = this.newToken(state, input.identity as string, groups as string[], ttl ?? state.rec.settings.bootstrapTokenTtlMs);
      await this.save(state);
      return made;
    });
  }

  private newToken(state: State, identity: string, groups: string[], ttlMs: number): { token: string; facts: K8sTokenFacts } {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
    const pick = (n: number) => Array.from(randomBytes(n), (b) => alphabet[b % 36]).join('');
    let tokenId = pick(6);
    while (state.rec.tokens[tokenId]) tokenId = pick(6);
    const secret = pick(16);
    const now = this.emu.clock.nowMs();
    const facts: K8sTokenFacts = {
      tokenId, identity, groups, createdAt: new Date(now).toISOString(), expiresAt: new Date(now + ttlMs).toISOString(), usedAt: null, supersededAt: null, certificateSerial: null,
    };
    state.rec.tokens[tokenId] = facts;
    state.tokens[tokenId] = { digest: secretDigest(secret) };
    return { token: `${tokenId}.${secret}`, facts };
  }

  private async issueClient(state: State, csrPem: unknown, identity: string, groups: string[], t: IssueTimes): Promise<K8sCert> {
    const csr = await parseCsr(csrPem);
    if (csr.commonName !== null && csr.commonName !== identity) {
      throw new K8sInputError('CsrIdentityMismatch', `The CSR's CN is '${csr.commonName}' but the token was made for '${identity}'.`);
    }
    const ca = state.rec.cas['agent-ca'];
    const s = state.rec.settings;
    const dates = siteDates(t, s.clientLifetimeMs, toMs(ca.notAfter), s.renewalFraction);
    const issued = await issueFromCsr({
      csr, issuer: await this.signer(state, ca), commonName: identity, organizations: groups,
      notBefore: dates.notBefore, notAfter: dates.notAfter, crlDistributionPoint: this.crlUrl(state.rec.pkiId, ca),
    });
    const cert = record(`client-${identity}`, 'client', issued, dates, ca, 1, { identity });
    state.rec.issued.push(cert);
    return cert;
  }

  /** Checks a bootstrap token; the reason it is refused otherwise (401). */
  private checkToken(state: State, token: unknown, nowMs: number): K8sTokenFacts {
    const m = typeof token === 'string' ? /^([a-z0-9]{6})\.([a-z0-9]{16})$/.exec(token) : null;
    const refuse = (code: string, message: string) => new K8sInputError(code, message, 401);
    if (!m) throw refuse('BootstrapTokenInvalid', 'Send the bootstrap token as "Authorization: Bearer <id>.<secret>".');
    const facts = state.rec.tokens[m[1]];
    const digest = state.tokens[m[1]]?.digest;
    const given = Buffer.from(secretDigest(m[2]), 'hex');
    if (!facts || !digest || !timingSafeEqual(Buffer.from(digest, 'hex'), given)) throw refuse('BootstrapTokenInvalid', 'The bootstrap token is not known to this cluster.');
    if (facts.usedAt) throw refuse('BootstrapTokenUsed', `The bootstrap token ${facts.tokenId} was already exchanged at ${facts.usedAt}; a token works once.`);
    if (facts.supersededAt) throw refuse('BootstrapTokenSuperseded', `The bootstrap token ${facts.tokenId} was replaced by a renewal at ${facts.supersededAt}.`);
    if (nowMs >= toMs(facts.expiresAt)) throw refuse('BootstrapTokenExpired', `The bootstrap token ${facts.tokenId} expired at ${facts.expiresAt}.`);
    return facts;
  }

  /** Exchanges a bootstrap token (once) and a CSR for a client certificate signed by the agent CA. */
  async exchange(resourceId: string, token: unknown, csr: unknown): Promise<{ certificate: K8sCert; chain: string[] }> {
    await this.ensure(resourceId);
    const key = idKey(resourceId);
    return this.lock.run(key, async () => {
      const state = this.load(key)!;
      const t = this.times();
      const facts = this.checkToken(state, token, t.nowMs);
      const cert = await this.issueClient(state, csr, facts.identity, facts.groups, t);
      facts.usedAt = new Date(t.nowMs).toISOString();
      facts.certificateSerial = cert.serial;
      await this.save(state);
      return { certificate: cert, chain: [state.rec.cas['agent-ca'].certPem] };
    });
  }

  /** Renews a client certificate presented over mTLS: a new certificate, and the identity's token rotated. */
  async renew(resourceId: string, presentedSerial: string, csr: unknown): Promise<{ certificate: K8sCert; chain: string[]; token: string; tokenFacts: K8sTokenFacts }> {
    const key = idKey(resourceId);
    return this.lock.run(key, async () => {
      const state = this.load(key);
      if (!state) throw new K8sInputError('ResourceNotFound', 'The Kubernetes cluster is gone.', 404);
      const t = this.times();
      const current = state.rec.issued.find((c) => c.serial === normalizeSerial(presentedSerial) && c.kind === 'client');
      if (!current?.identity) throw new K8sInputError('NotAClientCertificate', 'Renew with a client certificate obtained from a bootstrap token (the agent CA signed it).', 403);
      const cert = await this.issueClient(state, csr, current.identity, current.groups, t);
      const now = new Date(t.nowMs).toISOString();
      for (const f of Object.values(state.rec.tokens)) if (f.identity === current.identity && !f.usedAt && !f.supersededAt) f.supersededAt = now;
      const made = this.newToken(state, current.identity, current.groups, state.rec.settings.bootstrapTokenTtlMs);
      await this.save(state);
      return { certificate: cert, chain: [state.rec.cas['agent-ca'].certPem], token: made.token, tokenFacts: made.facts };
    });
  }

  /** Signs a kubelet-style node CSR (CN system:node:<name>, O system:nodes) with the cluster CA. */
  async signNode(resourceId: string, body: unknown): Promise<K8sCert> {
    const input = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
    for (const k of Object.keys(input)) if (k !== 'csr') throw new K8sInputError('InvalidRequestContent', `Unknown field '${k}'; send {"csr": "<PEM>"}.`);
    const csr = await parseCsr(input.csr);
    const m = /^system:node:([a-z0-9]([a-z0-9.-]{0,50}[a-z0-9])?)$/.exec(csr.commonName ?? '');
    if (!m) throw new K8sInputError('InvalidNodeIdentity', `A node CSR's CN must be system:node:<node name> (lower-case DNS label characters); it is '${csr.commonName ?? ''}'.`);
    if (csr.organizations.length !== 1 || csr.organizations[0] !== 'system:nodes') {
      throw new K8sInputError('InvalidNodeIdentity', `A node CSR's subject must have exactly one O, system:nodes; it has [${csr.organizations.join(', ')}].`);
    }
    await this.ensure(resourceId);
    const key = idKey(resourceId);
    return this.lock.run(key, async () => {
      const state = this.load(key)!;
      const t = this.times();
      const ca = state.rec.cas['cluster-ca'];
      const s = state.rec.settings;
      const dates = siteDates(t, s.leafLifetimeMs, toMs(ca.notAfter), s.renewalFraction);
      const issued = await issueFromCsr({
        csr, issuer: await this.signer(state, ca), commonName: csr.commonName!, organizations: ['system:nodes'], serverAuthWithSans: true,
        notBefore: dates.notBefore, notAfter: dates.notAfter, crlDistributionPoint: this.crlUrl(state.rec.pkiId, ca),
      });
      const cert = record(`node-${m[1]}`, 'node', issued, dates, ca, 1, { identity: csr.commonName! });
      state.rec.issued.push(cert);
      await this.save(state);
      return cert;
    });
  }

  // ------------------------------------------------------------------------- revocation

  /** Adds many rules at once: every entry is checked first, then all are stored in one commit. */
  async revoke(resourceId: string, body: unknown): Promise<{ rules: K8sRevocationRule[]; revoked: K8sCert[] }> {
    const raw = Array.isArray(body) ? body : (body as Record<string, unknown> | null)?.entries;
    if (!Array.isArray(raw) || raw.length === 0 || raw.length > 1000) {
      throw new K8sInputError('InvalidRequestContent', 'Send {"entries": [{by, value, notBefore?, reason?}, ...]} with 1 to 1000 entries.');
    }
    const entries: RevocationEntry[] = raw.map((e, i) => {
      const where = `entries[${i}]`;
      if (typeof e !== 'object' || e === null || Array.isArray(e)) throw new K8sInputError('InvalidRequestContent', `${where} must be an object {by, value, notBefore?, reason?}.`);
      const o = e as Record<string, unknown>;
      for (const k of Object.keys(o)) if (!['by', 'value', 'notBefore', 'reason'].includes(k)) throw new K8sInputError('InvalidRequestContent', `${where}: unknown field '${k}'.`);
      if (!SELECTORS.includes(o.by as RevocationSelectorKind)) throw new K8sInputError('InvalidRequestContent', `${where}.by must be one of ${SELECTORS.join(', ')}.`);
      if (typeof o.value !== 'string' || !o.value.trim()) throw new K8sInputError('InvalidRequestContent', `${where}.value must be a non-empty string.`);
      if (o.notBefore !== undefined && (typeof o.notBefore !== 'string' || Number.isNaN(Date.parse(o.notBefore)))) throw new K8sInputError('InvalidRequestContent', `${where}.notBefore must be an ISO 8601 date-time.`);
      const entry: RevocationEntry = { by: o.by as RevocationSelectorKind, value: o.value.trim() };
      if (o.notBefore !== undefined) entry.notBefore = new Date(o.notBefore as string).toISOString();
      if (o.reason !== undefined) entry.reason = o.reason as CrlReason;
      try {
        validateRevocationEntry(entry);
      } catch (err) {
        throw new K8sInputError('InvalidRequestContent', `${where}: ${(err as Error).message}`);
      }
      return entry;
    });
    await this.ensure(resourceId);
    const key = idKey(resourceId);
    return this.lock.run(key, async () => {
      const state = this.load(key)!;
      const now = new Date(this.emu.clock.nowMs()).toISOString();
      const rules = entries.map((e) => ({ id: randomBytes(8).toString('hex'), ...e, revokedAt: now, createdAt: now }));
      state.rec.revocations.push(...rules);
      await this.save(state);
      const revoked = state.rec.issued.filter((c) => rules.some((r) => matchesRevocation(candidate(c), r)));
      return { rules, revoked };
    });
  }

  async deleteRevocation(resourceId: string, ruleId: string): Promise<K8sRevocationRule> {
    const key = idKey(resourceId);
    return this.lock.run(key, async () => {
      const state = this.load(key);
      const index = state ? state.rec.revocations.findIndex((r) => r.id === ruleId.toLowerCase()) : -1;
      if (!state || index < 0) throw new K8sInputError('RevocationRuleNotFound', `No revocation rule '${ruleId}'; GET …/revocations lists them.`, 404);
      const [rule] = state.rec.revocations.splice(index, 1);
      await this.save(state);
      return rule;
    });
  }

  /** The CA a CRL file names, and its CRL (re-signed when its content changes or half its validity passed). */
  async crl(pkiId: string, file: string): Promise<K8sCrl | undefined> {
    const rec = this.list().find((r) => r.pkiId === pkiId);
    if (!rec) return undefined;
    const key = idKey(rec.resourceId);
    return this.lock.run(key, async () => {
      const state = this.load(key);
      if (!state) return undefined;
      const ca = [...Object.values(state.rec.cas), ...state.rec.retiredCas].find((c) => crlFileOf(c) === file);
      if (!ca || !state.keys[ca.serial]) return state.rec.crls[file];
      const t = this.times();
      // Rules select client and node certificates; the control plane's own leaves are not theirs to revoke.
      const signed = state.rec.issued.filter((c) => c.issuerSerial === ca.serial);
      const entries = revokedEntries(signed.map(candidate), state.rec.revocations);
      const contentKey = entries.map((e) => `${e.serial}@${toMs(e.revocationDate)}`).sort().join(',');
      const published = state.rec.crls[file];
      if (published && published.contentKey === contentKey && t.nowMs < toMs(published.signedAt) + CRL_VALIDITY_MS / 2) return published;
      const thisUpdate = siteNotBefore(t);
      const built = await buildCrl({
        issuer: await this.signer(state, ca), crlNumber: (published?.crlNumber ?? 0) + 1,
        entries: entries.map((e) => ({ ...e, revocationDate: Math.min(toMs(e.revocationDate), thisUpdate) })),
        clock: { nowMs: () => thisUpdate }, validityMs: t.nowMs + CRL_VALIDITY_MS - thisUpdate,
      });
      const next: K8sCrl = {
        crlNumber: (published?.crlNumber ?? 0) + 1, contentKey, signedAt: new Date(t.nowMs).toISOString(),
        thisUpdate: built.thisUpdate.toISOString(), nextUpdate: built.nextUpdate.toISOString(), derBase64: Buffer.from(built.der).toString('base64'),
      };
      state.rec.crls[file] = next;
      await this.save(state);
      return next;
    });
  }

  /** The rules that revoke a certificate (empty when none). */
  revokingRules(rec: K8sPkiRecord, cert: Pick<K8sCert, 'serial' | 'groups' | 'dnsNames' | 'ipAddresses' | 'issuedAt'>): K8sRevocationRule[] {
    return rec.revocations.filter((r) => matchesRevocation(candidate(cert), r));
  }
}

export function candidate(c: Pick<K8sCert, 'serial' | 'groups' | 'dnsNames' | 'ipAddresses' | 'issuedAt'>) {
  return { serial: c.serial, groups: c.groups, dnsNames: c.dnsNames, ipAddresses: c.ipAddresses, notBefore: c.issuedAt };
}
