/**
 * Plumbing for the site tests: an in-process emulator whose request and error log lines are kept
 * (to prove no key is ever logged), small clusters deployed through the public API, a recorder of
 * every response body, and real TLS handshakes against the live endpoints.
 */
import 'reflect-metadata';
import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, type PeerCertificate, type TLSSocket } from 'node:tls';
import { DEFAULT_CONFIG, type EmulatorConfig } from '../../rp/config.js';
import { Emulator } from '../../rp/emulator.js';
import { certificateToPem, normalizeSerial } from '../../rp/pki/x509.js';
import { clusterBody, clusterManagerBody } from '../helpers/bodies.js';
import { Client, ncPath, rgPath, type Reply, type RequestOptions } from '../helpers/emulator.js';

export const V = '2025-09-01';
export const DAY = 86_400_000;

/** A client that keeps every response text, so a test can assert none ever held a key. */
export class RecordingClient extends Client {
  readonly texts: string[] = [];

  override async send<T = any>(method: string, pathOrUrl: string, body?: unknown, options: RequestOptions = {}): Promise<Reply<T>> {
    const r = await super.send<T>(method, pathOrUrl, body, options);
    this.texts.push(r.text);
    return r;
  }
}

export interface SiteRun {
  emu: Emulator;
  client: RecordingClient;
  sub: string;
  logs: string[];
  stop(): Promise<void>;
}

/** An in-process emulator (in memory unless a data folder is given) that keeps its log lines. */
export async function startSiteEmulator(overrides: Partial<EmulatorConfig> = {}): Promise<SiteRun> {
  const dataDir = overrides.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'nce-site-'));
  const config: EmulatorConfig = { ...DEFAULT_CONFIG, port: 0, inMemory: true, seed: 'none', operationDurationMs: 0, quiet: false, ...overrides, dataDir };
  const logs: string[] = [];
  const errors: string[] = [];
  const emu = await Emulator.open(config, { request: (l) => logs.push(l), error: (l) => { logs.push(l); errors.push(l); } });
  await emu.listen();
  await emu.writeInfoFile();
  const client = new RecordingClient(emu.info(), emu.caCertPem);
  const sub = client.info.subscriptionId;
  await client.put(`${rgPath(sub, 'rg1')}?api-version=2021-04-01`, { location: 'eastus' });
  const cm = await client.put(`${ncPath(sub, 'rg1', 'clusterManagers', 'cm1')}?api-version=${V}`, clusterManagerBody(sub, 'rg1'));
  expect(cm.status, cm.text).to.equal(201);
  return {
    emu, client, sub, logs,
    async stop() {
      await emu.close();
      if (errors.length) throw new Error(`the emulator logged errors:\n${errors.join('\n')}`);
    },
  };
}

export function sitePath(sub: string, cluster: string, rg = 'rg1'): string {
  return `/_emulator/sites/${sub}/${rg}/${cluster}`;
}

/** Creates a cluster (not deployed yet). */
export async function createCluster(run: SiteRun, name: string, options: { machines?: number; appliances?: number; computeRacks?: number } = {}): Promise<string> {
  const c = run.client;
  const cm = await c.get(`${ncPath(run.sub, 'rg1', 'clusterManagers', 'cm1')}?api-version=${V}`);
  const put = await c.put(`${ncPath(run.sub, 'rg1', 'clusters', name)}?api-version=${V}`, clusterBody(run.sub, 'rg1', cm.body.properties.managerExtendedLocation, { mrg: `${name}-mrg`, machines: 2, appliances: 1, ...options }));
  expect(put.status, put.text).to.equal(201);
  return put.body.id;
}

/** Deploys a created cluster and returns the finished operation's reply. */
export async function deploy(run: SiteRun, name: string): Promise<Reply> {
  const r = await run.client.post(`${ncPath(run.sub, 'rg1', 'clusters', name)}/deploy?api-version=${V}`, {});
  expect(r.status, r.text).to.equal(202);
  return run.client.poll(r);
}

export async function createAndDeploy(run: SiteRun, name: string, options: { machines?: number; appliances?: number; computeRacks?: number } = {}): Promise<string> {
  const id = await createCluster(run, name, options);
  const done = await deploy(run, name);
  expect(done.body.status, done.text).to.equal('Succeeded');
  return id;
}

export async function machines(run: SiteRun, cluster: string): Promise<any[]> {
  const r = await run.client.get(`${ncPath(run.sub, `${cluster}-mrg`, 'bareMetalMachines')}?api-version=${V}`);
  expect(r.status, r.text).to.equal(200);
  return r.body.value;
}

export async function appliances(run: SiteRun, cluster: string): Promise<any[]> {
  const r = await run.client.get(`${ncPath(run.sub, `${cluster}-mrg`, 'storageAppliances')}?api-version=${V}`);
  expect(r.status, r.text).to.equal(200);
  return r.body.value;
}

export async function siteGet(run: SiteRun, cluster: string, suffix = ''): Promise<any> {
  const r = await run.client.get(`${sitePath(run.sub, cluster)}${suffix}`);
  expect(r.status, r.text).to.equal(200);
  return r.body;
}

export function portOf(bmcConnectionString: string): number {
  const m = /^redfish\+https:\/\/127\.0\.0\.1:(\d+)\//.exec(bmcConnectionString);
  if (!m) throw new Error(`not a loopback redfish URL: ${bmcConnectionString}`);
  return Number(m[1]);
}

export interface Peer {
  authorized: boolean;
  serial: string;
  /** The verified chain as PEMs: leaf, issuer(s), then the trust anchor. */
  chain: string[];
}

/** A real TLS handshake to a loopback endpoint with exactly these trust anchors. */
export function handshake(port: number, ca: string[]): Promise<Peer> {
  return new Promise((resolve, reject) => {
    const socket: TLSSocket = connect({ host: '127.0.0.1', port, ca }, () => {
      // getPeerCertificate(true) first: after getPeerX509Certificate() node returns no issuer chain.
      const chain: PeerCertificate[] = [];
      for (let c: PeerCertificate & { issuerCertificate?: PeerCertificate } = socket.getPeerCertificate(true); c && !chain.includes(c); c = c.issuerCertificate!) chain.push(c);
      resolve({ authorized: socket.authorized, serial: normalizeSerial(chain[0].serialNumber), chain: chain.map((c) => certificateToPem(c.raw)) });
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

export async function handshakeFails(port: number, ca: string[]): Promise<string> {
  try {
    await handshake(port, ca);
  } catch (e) {
    return `${(e as NodeJS.ErrnoException).code} ${(e as Error).message}`;
  }
  throw new Error('the handshake should have failed');
}

export async function advance(run: SiteRun, body: { advance?: string; set?: string }): Promise<void> {
  const r = await run.client.post('/_emulator/clock', body);
  expect(r.status, r.text).to.equal(200);
}
