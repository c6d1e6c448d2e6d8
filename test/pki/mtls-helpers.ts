/**
 * Plumbing for the mutual-TLS tests: key pairs and CSRs made the way a client would (node's crypto
 * plus @peculiar/x509's PKCS#10 generator, or openssl), real HTTPS requests with and without a client
 * certificate, and Kubernetes clusters created through the public API.
 */
import 'reflect-metadata';
import { expect } from 'chai';
import { generateKeyPairSync, webcrypto } from 'node:crypto';
import { request } from 'node:https';
import * as x509 from '@peculiar/x509';
import { ncPath, type Client } from '../helpers/emulator.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export interface ClientKey {
  keyPem: string;
  csrPem: string;
}

/** A P-256 key and a CSR for it: CN, any number of O values, DNS and IP SANs. */
export async function makeCsr(cn: string, opts: { orgs?: string[]; dns?: string[]; ips?: string[] } = {}): Promise<ClientKey> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const subtle = webcrypto.subtle;
  const der = privateKey.export({ type: 'pkcs8', format: 'der' });
  const priv = await subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign']);
  const jwk = privateKey.export({ format: 'jwk' });
  const pub = await subtle.importKey('jwk', { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify']);
  const name = [...(opts.orgs ?? []).map((o) => `O=${o}`), `CN=${cn}`].join(', ');
  const sans = [...(opts.dns ?? []).map((d) => ({ type: 'dns' as const, value: d })), ...(opts.ips ?? []).map((i) => ({ type: 'ip' as const, value: i }))];
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name, keys: { privateKey: priv, publicKey: pub }, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: sans.length ? [new x509.SubjectAlternativeNameExtension(sans)] : [],
  });
  return { keyPem, csrPem: csr.toString('pem') };
}

export interface TlsReply {
  status: number;
  body: any;
  peerSerial: string;
}

/** One HTTPS request on a fresh connection (no agent: every request is its own handshake). */
export function tlsRequest(url: string, opts: { ca: string | string[]; cert?: string; key?: string; servername?: string; method?: string; path?: string; headers?: Record<string, string>; body?: unknown }): Promise<TlsReply> {
  return new Promise((resolve, reject) => {
    const text = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = request(new URL(opts.path ?? '/', url), {
      method: opts.method ?? 'GET', ca: opts.ca, cert: opts.cert, key: opts.key, agent: false, ...(opts.servername ? { servername: opts.servername } : {}),
      headers: { ...(text ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) } : {}), ...(opts.headers ?? {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      const peer = (res.socket as import('node:tls').TLSSocket).getPeerCertificate();
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let body: unknown = raw;
        try {
          body = JSON.parse(raw);
        } catch { /* not JSON */ }
        resolve({ status: res.statusCode ?? 0, body, peerSerial: String(peer?.serialNumber ?? '').toLowerCase().replace(/^0+/, '') });
      });
    });
    req.on('error', reject);
    req.end(text);
  });
}

/** The refusal reason a 401 names (Kubernetes Status cause, or the infra endpoints' error code). */
export function refusal(r: TlsReply): string | null {
  if (r.status !== 401) return null;
  return r.body?.details?.causes?.[0]?.reason ?? r.body?.error?.code ?? 'unknown';
}

export const V = '2025-09-01';

/** A kubernetesClusters resource made through the API, next to the demo cluster (same custom location). */
export async function createKubernetesCluster(client: Client, demoClusterId: string, name: string): Promise<string> {
  const sub = client.info.subscriptionId;
  const cluster = (await client.get(`${demoClusterId}?api-version=${V}`)).body;
  const rg = cluster.id.split('/')[4];
  const id = ncPath(sub, rg, 'kubernetesClusters', name);
  // The networks it attaches must exist and be usable (references are checked); PUT is idempotent.
  const net = async (type: string, netName: string, properties: object) => {
    const put = await client.put(`${ncPath(sub, rg, type, netName)}?api-version=${V}`, { location: 'eastus', extendedLocation: cluster.properties.clusterExtendedLocation, properties });
    expect(put.status, put.text).to.be.oneOf([200, 201]);
    await client.poll(put);
  };
  await net('cloudServicesNetworks', 'csn1', {});
  await net('l3Networks', 'l3-cni', { l3IsolationDomainId: `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ManagedNetworkFabric/l3IsolationDomains/l3d`, vlan: 1001, ipv4ConnectedPrefix: '10.20.0.0/24' });
  const r = await client.put(`${id}?api-version=${V}`, {
    // A Kubernetes cluster runs on the Nexus cluster's Kubernetes custom location, at a catalogued version.
    location: 'eastus', extendedLocation: cluster.properties.clusterExtendedLocation,
    properties: {
      kubernetesVersion: '1.30.12',
      controlPlaneNodeConfiguration: { count: 1, vmSkuName: 'NC_G6_28_v1' },
      initialAgentPoolConfigurations: [{ name: 'pool1', count: 1, mode: 'System', vmSkuName: 'NC_P10_56_v1' }],
      networkConfiguration: {
        cloudServicesNetworkId: `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.NetworkCloud/cloudServicesNetworks/csn1`,
        cniNetworkId: `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.NetworkCloud/l3Networks/l3-cni`,
      },
    },
  });
  expect(r.status, r.text).to.be.oneOf([200, 201]);
  return r.body.id;
}

/** /_emulator/kubernetes/{sub}/{group}/{name} for a kubernetesClusters id. */
export function k8sPath(id: string): string {
  const p = id.split('/');
  return `/_emulator/kubernetes/${p[2]}/${p[4]}/${p[8]}`;
}
