/**
 * How long deploying a cluster of 8 racks x 16 machines takes (root, two issuers, a leaf per BMC and
 * storage endpoint and per platform service, a TLS listener per endpoint, the store writes), next
 * to the raw cost of the same number of key pairs and signatures with node's crypto in the same run.
 *
 *   npm run build && node dist/bench/deploy.js [--runs N]     -> bench/results/deploy.json
 *
 * Key generation and signing dominate deploy; the ratio says what the rest (X.509 encoding through
 * @peculiar/x509, PEM/PKCS#8 export, listeners, store) adds. Not part of npm test.
 */
import 'reflect-metadata';
import { generateKeyPair as nodeGenerateKeyPair, randomBytes, sign as nodeSign, type KeyObject } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONFIG } from '../rp/config.js';
import { Emulator } from '../rp/emulator.js';
import { clusterBody, clusterManagerBody } from '../test/helpers/bodies.js';
import { Client, ncPath, rgPath } from '../test/helpers/emulator.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RESULT = path.join(ROOT, 'bench/results/deploy.json');
const V = '2025-09-01';
const RACKS = 8;
const MACHINES_PER_RACK = 16;
/** About the size of a leaf's TBSCertificate (P-384 key, SANs, CDP): what each signature covers. */
const TBS_BYTES = 700;

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x: number) => Math.round(x * 10) / 10;
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

function keyPair(): Promise<{ privateKey: KeyObject }> {
  return new Promise((resolve, reject) => nodeGenerateKeyPair('ec', { namedCurve: 'P-384' }, (e, _pub, privateKey) => (e ? reject(e) : resolve({ privateKey }))));
}

function signAsync(data: Buffer, key: KeyObject): Promise<Buffer> {
  return new Promise((resolve, reject) => nodeSign('sha384', data, key, (e, sig) => (e ? reject(e) : resolve(sig))));
}

/** n key pairs and n signatures by an issuer key, one after the other. */
async function rawSequential(n: number): Promise<number> {
  const issuer = (await keyPair()).privateKey;
  const tbs = randomBytes(TBS_BYTES);
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    await keyPair();
    await signAsync(tbs, issuer);
  }
  return ms(start);
}

/** The same work all at once, as deploy issues its leaves (node spreads it over libuv's thread pool). */
async function rawParallel(n: number): Promise<number> {
  const issuer = (await keyPair()).privateKey;
  const tbs = randomBytes(TBS_BYTES);
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: n }, async () => {
    await keyPair();
    await signAsync(tbs, issuer);
  }));
  return ms(start);
}

async function main(): Promise<void> {
  const runs = argValue('--runs', 3);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nce-bench-deploy-'));
  const emu = await Emulator.open({ ...DEFAULT_CONFIG, port: 0, inMemory: true, seed: 'none', operationDurationMs: 0, quiet: true, dataDir }, { request: () => undefined, error: (l) => console.error(l) });
  await emu.listen();
  const client = new Client(emu.info(), emu.caCertPem);
  const sub = client.info.subscriptionId;
  await client.put(`${rgPath(sub, 'bench-rg')}?api-version=2021-04-01`, { location: 'eastus' });
  const cm = await client.put(`${ncPath(sub, 'bench-rg', 'clusterManagers', 'bench-cm')}?api-version=${V}`, clusterManagerBody(sub, 'bench-rg'));
  const mel = cm.body.properties.managerExtendedLocation;

  const deployOnce = async (name: string, options: { machines: number; appliances: number; computeRacks: number }) => {
    const put = await client.put(`${ncPath(sub, 'bench-rg', 'clusters', name)}?api-version=${V}`, clusterBody(sub, 'bench-rg', mel, { ...options, mrg: `${name}-mrg` }));
    if (put.status !== 201) throw new Error(`create ${name}: ${put.status} ${put.text}`);
    const start = process.hrtime.bigint();
    const r = await client.post(`${ncPath(sub, 'bench-rg', 'clusters', name)}/deploy?api-version=${V}`, {});
    const done = await client.poll(r);
    const took = ms(start);
    if (done.status !== 200) throw new Error(`deploy ${name}: ${done.status} ${done.text}`);
    const site = await client.get(`/_emulator/sites/${sub}/bench-rg/${name}`);
    const certs = await client.get(`/_emulator/sites/${sub}/bench-rg/${name}/certificates`);
    const issuers = await client.get(`/_emulator/sites/${sub}/bench-rg/${name}/issuers`);
    const counts = { certificates: certs.body.value.length + issuers.body.value.length, endpoints: site.body.endpoints.length };
    const del = await client.delete(`${ncPath(sub, 'bench-rg', 'clusters', name)}?api-version=${V}`);
    await client.poll(del);
    return { ms: took, ...counts };
  };

  // Warm-up: the first deploy pays for module loading and JIT.
  await deployOnce('warmup', { machines: 2, appliances: 1, computeRacks: 0 });
  const demo: number[] = [];
  for (let i = 0; i < runs; i++) demo.push((await deployOnce(`demo-${i}`, { machines: 6, appliances: 1, computeRacks: 0 })).ms);

  // Interleaved, so the deploy and its floor see the same machine load.
  const big = [];
  const sequential: number[] = [];
  const parallel: number[] = [];
  let certificates = 0;
  for (let i = 0; i < runs; i++) {
    const b = await deployOnce(`big-${i}`, { machines: MACHINES_PER_RACK, appliances: 1, computeRacks: RACKS - 1 });
    big.push(b);
    certificates = b.certificates;
    parallel.push(await rawParallel(certificates));
    sequential.push(await rawSequential(certificates));
    console.error(`round ${i + 1}: deploy ${round(b.ms)} ms, raw parallel ${round(parallel[i])} ms, raw sequential ${round(sequential[i])} ms`);
  }

  // Four clusters of that size in one emulator: created, then deployed all at once, and they stay.
  const four: { ms: number; raw: number; listeners: number }[] = [];
  for (let i = 0; i < Math.min(runs, 3); i++) {
    const names = Array.from({ length: 4 }, (_, j) => `four-${i}-${j}`);
    for (const name of names) {
      const put = await client.put(`${ncPath(sub, 'bench-rg', 'clusters', name)}?api-version=${V}`, clusterBody(sub, 'bench-rg', mel, { machines: MACHINES_PER_RACK, appliances: 1, computeRacks: RACKS - 1, mrg: `${name}-mrg` }));
      if (put.status !== 201) throw new Error(`create ${name}: ${put.status} ${put.text}`);
    }
    const start = process.hrtime.bigint();
    const done = await Promise.all(names.map(async (name) => client.poll(await client.post(`${ncPath(sub, 'bench-rg', 'clusters', name)}/deploy?api-version=${V}`, {}))));
    const took = ms(start);
    if (done.some((d) => d.status !== 200)) throw new Error(`deploy of four: ${done.map((d) => d.status).join(',')}`);
    let listeners = 0;
    for (const name of names) listeners += (await client.get(`/_emulator/sites/${sub}/bench-rg/${name}`)).body.endpoints.length;
    const raw = await rawParallel(certificates * 4);
    four.push({ ms: took, raw, listeners });
    console.error(`four clusters ${i + 1}: deploy ${round(took)} ms (${listeners} listeners), raw parallel ${round(raw)} ms`);
    for (const name of names) await client.poll(await client.delete(`${ncPath(sub, 'bench-rg', 'clusters', name)}?api-version=${V}`));
  }
  await emu.close();

  const deployMedian = median(big.map((b) => b.ms));
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    loadAverage: os.loadavg().map((x) => Math.round(x * 10) / 10),
    threadPool: Number(process.env.UV_THREADPOOL_SIZE ?? 4),
    keyAlgorithm: 'ECDSA-P384',
    cluster: { racks: RACKS, machines: RACKS * MACHINES_PER_RACK, storageAppliances: 1, certificates, endpoints: big[0].endpoints },
    deploy: { medianMs: round(deployMedian), minMs: round(Math.min(...big.map((b) => b.ms))), maxMs: round(Math.max(...big.map((b) => b.ms))), runsMs: big.map((b) => round(b.ms)), perCertificateMs: round(deployMedian / certificates) },
    raw: {
      what: `${certificates} x (crypto.generateKeyPair ec P-384 + crypto.sign sha384 of ${TBS_BYTES} bytes)`,
      sequentialMedianMs: round(median(sequential)),
      parallelMedianMs: round(median(parallel)),
      sequentialRunsMs: sequential.map(round),
      parallelRunsMs: parallel.map(round),
    },
    deployOverRawParallel: round(deployMedian / median(parallel)),
    deployOverRawParallelPerRound: big.map((b, i) => round(b.ms / parallel[i])),
    goal: 'deployOverRawParallel <= 2',
    fourClusters: {
      what: '4 clusters of 8 racks x 16 machines deployed at once in one emulator, vs 4 x 135 raw key pairs + signatures in parallel',
      medianMs: round(median(four.map((f) => f.ms))),
      runsMs: four.map((f) => round(f.ms)),
      rawParallelMedianMs: round(median(four.map((f) => f.raw))),
      ratio: round(median(four.map((f) => f.ms)) / median(four.map((f) => f.raw))),
      listeners: four[0]?.listeners,
    },
    demoDeploy: { machines: 6, storageAppliances: 1, medianMs: round(median(demo)), runsMs: demo.map(round) },
  };
  mkdirSync(path.dirname(RESULT), { recursive: true });
  writeFileSync(RESULT, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
