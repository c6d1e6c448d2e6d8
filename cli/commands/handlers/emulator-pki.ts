/**
 * The handler of cli/commands/emulator-pki.ts: site PKI settings, bring your own issuer, revocation
 * rules, history, infra mutual-TLS endpoints (all through /_emulator/sites/...), and the Kubernetes
 * clusters' PKI (/_emulator/kubernetes/...). `kubernetes exchange` and `renew` talk to the cluster's
 * own API endpoint, as an agent would: exchange with the bootstrap token, renew over mutual TLS with
 * the current certificate. Files are read here; private keys are only used for the TLS handshake.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import type { CommandContext, Handler, Outcome } from '../../context.js';
import { UsageError } from '../../errors.js';
import { sitePath } from './site.js';

type Json = Record<string, unknown>;
const enc = encodeURIComponent;
const K8S_ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.NetworkCloud\/kubernetesClusters\/([^/]+)\/?$/i;

export const run: Handler = async (ctx) => {
  const op = (ctx.command.run as { op: string }).op;
  const fn = OPS[op];
  if (!fn) throw new UsageError(`unknown operation ${op}`);
  return fn(ctx);
};

function k8sPath(ctx: CommandContext): string {
  const v = ctx.values;
  const id = v.kubernetesClusterId as string | undefined;
  const usage = 'usage error: --kubernetes-cluster-id ID | --resource-group RG --name NAME';
  if (id !== undefined) {
    if (v.name !== undefined || v.resourceGroup !== undefined) throw new UsageError(usage);
    const m = K8S_ID.exec(id.trim());
    if (!m) throw new UsageError(`argument --kubernetes-cluster-id: invalid Kubernetes cluster ID: '${id}'`);
    return `/_emulator/kubernetes/${enc(m[1])}/${enc(m[2])}/${enc(m[3])}`;
  }
  if (v.name === undefined || v.resourceGroup === undefined) throw new UsageError(usage);
  return `/_emulator/kubernetes/${enc(ctx.subscriptionId())}/${enc(String(v.resourceGroup))}/${enc(String(v.name))}`;
}

function readPem(option: string, file: unknown): string {
  try {
    return readFileSync(String(file), 'utf8');
  } catch (e) {
    throw new UsageError(`argument ${option}: cannot read '${String(file)}': ${(e as Error).message}`);
  }
}

/** "by=dnsSuffix,value=.cluster.local,notBefore=2026-01-01T00:00:00Z" -> a rule. */
function parseEntry(text: string): Json {
  const out: Json = {};
  for (const part of text.split(',')) {
    const i = part.indexOf('=');
    if (i <= 0) throw new UsageError(`argument --entry: expected key=value pairs separated by commas, got '${text}'`);
    const k = part.slice(0, i).trim();
    if (!['by', 'value', 'notBefore', 'reason'].includes(k)) throw new UsageError(`argument --entry: unknown key '${k}' (use by, value, notBefore, reason)`);
    out[k] = part.slice(i + 1).trim();
  }
  if (!out.by || !out.value) throw new UsageError(`argument --entry: '${text}' needs by= and value=`);
  return out;
}

const json = <T = Json>(ctx: CommandContext, method: string, path: string, body?: unknown) => ctx.client().json<T>(method, path, body === undefined ? {} : { body });
const done = (result: unknown, tableTransformer?: (r: unknown) => unknown): Outcome => ({ result, addResourceGroup: false, ...(tableTransformer ? { tableTransformer } : {}) });

function writeOut(file: unknown, pems: string[]): void {
  if (file === undefined) return;
  writeFileSync(String(file), pems.map((p) => (p.endsWith('\n') ? p : `${p}\n`)).join(''));
}

/** A request to a Kubernetes cluster's live API endpoint. */
function callEndpoint(url: string, ca: string, path: string, body: unknown, opts: { token?: string; cert?: string; key?: string }): Promise<{ status: number; body: Json }> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const req = request(new URL(path, url), {
      method: 'POST', ca, cert: opts.cert, key: opts.key,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json });
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on('error', reject);
    req.end(text);
  });
}

async function endpointOf(ctx: CommandContext): Promise<{ url: string; ca: string }> {
  const summary = await json(ctx, 'GET', k8sPath(ctx));
  const endpoint = summary.endpoint as Json | null;
  const ca = ((summary.certificateAuthorities ?? []) as Json[]).find((c) => c.name === 'cluster-ca');
  if (!endpoint?.url || !ca) throw new UsageError('the Kubernetes cluster has no API endpoint yet');
  return { url: String(endpoint.url), ca: String(ca.certificate) };
}

function endpointResult(r: { status: number; body: Json }): Json {
  if (r.status >= 400) {
    const causes = ((r.body.details as Json | undefined)?.causes ?? []) as Json[];
    throw new UsageError(`(${String(causes[0]?.reason ?? r.body.reason ?? r.status)}) ${String(r.body.message ?? 'the API endpoint refused the request')}`);
  }
  return r.body;
}

const rulesTable = (r: unknown) => (r as Json[]).map((x) => ({ Id: x.id, By: x.by, Value: x.value, NotBefore: x.notBefore ?? '', Revoked: ((x.revokedSerials ?? []) as unknown[]).length }));

const OPS: Record<string, (ctx: CommandContext) => Promise<Outcome>> = {
  'site-settings-show': async (ctx) => done(await json(ctx, 'GET', `${sitePath(ctx)}/settings`)),
  'site-settings-update': async (ctx) => {
    const v = ctx.values;
    const body: Json = {};
    for (const k of ['keyAlgorithm', 'rootLifetime', 'issuerLifetime', 'leafLifetime', 'rotationOverlap']) if (v[k] !== undefined) body[k] = v[k];
    if (v.renewalFraction !== undefined) {
      const f = Number(v.renewalFraction);
      if (!(f > 0 && f < 1)) throw new UsageError(`argument --renewal-fraction: '${String(v.renewalFraction)}' is not a number between 0 and 1`);
      body.renewalFraction = f;
    }
    return done(await json(ctx, 'PUT', `${sitePath(ctx)}/settings`, body));
  },
  'site-issuer-show': async (ctx) => done(await json(ctx, 'GET', `${sitePath(ctx)}/issuer`)),
  'site-issuer-set': async (ctx) => {
    const v = ctx.values;
    const body: Json = { certificate: readPem('--certificate-file', v.certificate) };
    if (v.privateKey !== undefined) body.privateKey = readPem('--private-key-file', v.privateKey);
    if (v.chain !== undefined) body.chain = readPem('--chain-file', v.chain);
    return done(await json(ctx, 'PUT', `${sitePath(ctx)}/issuer`, body));
  },
  'site-issuer-csr': async (ctx) => done(await json(ctx, 'POST', `${sitePath(ctx)}/issuer/csr`, {})),
  'site-issuer-reset': async (ctx) => done(await json(ctx, 'DELETE', `${sitePath(ctx)}/issuer`)),
  'site-revocation-add': async (ctx) => {
    const entries = (ctx.values.entry as string[]).map(parseEntry);
    const out: unknown[] = [];
    for (const e of entries) out.push(await json(ctx, 'POST', `${sitePath(ctx)}/revocations`, e));
    return done(out);
  },
  'site-revocation-list': async (ctx) => done((await json(ctx, 'GET', `${sitePath(ctx)}/revocations`)).value, rulesTable),
  'site-revocation-delete': async (ctx) => done(await json(ctx, 'DELETE', `${sitePath(ctx)}/revocations/${enc(String(ctx.values.ruleId))}`)),
  'site-certificate-history': async (ctx) => {
    const cert = await json(ctx, 'GET', `${sitePath(ctx)}/certificates/${enc(String(ctx.values.certName))}`);
    const history = (cert.history ?? (cert.status as Json | undefined)?.history) as unknown[] | undefined;
    if (history) return done(history);
    // Without a recorded history: the current revision is all there is to show.
    const status = (cert.status ?? {}) as Json;
    return done([{ revision: status.revision, serial: cert.serial, issuedAt: cert.issuedAt, notBefore: status.notBefore, notAfter: status.notAfter, reason: 'current' }]);
  },
  'site-infra-endpoints': async (ctx) => done((await json(ctx, 'GET', `${sitePath(ctx)}/infra-endpoints`)).value,
    (r) => (r as Json[]).map((e) => ({ Name: e.name, Url: e.url, Serial: e.servingSerial }))),
  'site-infra-client-certificate': async (ctx) => {
    const out = await json(ctx, 'POST', `${sitePath(ctx)}/infra-client-certificates`, { csr: readPem('--csr-file', ctx.values.csr) });
    writeOut(ctx.values.certOut, [String(out.certificate), ...(out.chain as string[])]);
    return done(out);
  },
  'k8s-list': async (ctx) => done((await json(ctx, 'GET', '/_emulator/kubernetes')).value),
  'k8s-show': async (ctx) => done(await json(ctx, 'GET', k8sPath(ctx))),
  'k8s-settings': async (ctx) => {
    const v = ctx.values;
    const body: Json = {};
    for (const k of ['leafLifetime', 'clientLifetime', 'agentCaLifetime', 'bootstrapTokenTtl']) if (v[k] !== undefined) body[k] = v[k];
    return done(Object.keys(body).length ? await json(ctx, 'PUT', `${k8sPath(ctx)}/settings`, body) : await json(ctx, 'GET', `${k8sPath(ctx)}/settings`));
  },
  'k8s-bootstrap-token': async (ctx) => {
    const v = ctx.values;
    const body: Json = { identity: v.identity };
    if (v.groups !== undefined) body.groups = v.groups;
    if (v.ttl !== undefined) body.ttl = v.ttl;
    return done(await json(ctx, 'POST', `${k8sPath(ctx)}/bootstrap-tokens`, body));
  },
  'k8s-exchange': async (ctx) => {
    const { url, ca } = await endpointOf(ctx);
    const out = endpointResult(await callEndpoint(url, ca, '/bootstrap/exchange', { csr: readPem('--csr-file', ctx.values.csr) }, { token: String(ctx.values.token) }));
    writeOut(ctx.values.certOut, [String(out.certificate), ...(out.chain as string[])]);
    return done(out);
  },
  'k8s-renew': async (ctx) => {
    const { url, ca } = await endpointOf(ctx);
    const out = endpointResult(await callEndpoint(url, ca, '/bootstrap/renew', { csr: readPem('--csr-file', ctx.values.csr) }, {
      cert: readPem('--cert-file', ctx.values.cert), key: readPem('--key-file', ctx.values.key),
    }));
    writeOut(ctx.values.certOut, [String(out.certificate), ...(out.chain as string[])]);
    return done(out);
  },
  'k8s-sign-node': async (ctx) => {
    const out = await json(ctx, 'POST', `${k8sPath(ctx)}/node-certificates`, { csr: readPem('--csr-file', ctx.values.csr) });
    writeOut(ctx.values.certOut, [String(out.certificate)]);
    return done(out);
  },
  'k8s-revoke': async (ctx) => done(await json(ctx, 'POST', `${k8sPath(ctx)}/revocations`, { entries: (ctx.values.entry as string[]).map(parseEntry) })),
  'k8s-revocations': async (ctx) => done((await json(ctx, 'GET', `${k8sPath(ctx)}/revocations`)).value, rulesTable),
};
