/**
 * Where a deploy of 8 racks x 16 machines spends its time: run under `node --cpu-prof` (not part of
 * npm run bench). Deploys a warm-up cluster, then `--runs` big ones, printing each one's time.
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof dist/bench/deploy-profile.js [--runs 2]
 */
import 'reflect-metadata';
import { generateKeyPair, randomBytes, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_CONFIG } from '../rp/config.js';
import { Emulator } from '../rp/emulator.js';
import { clusterBody, clusterManagerBody } from '../test/helpers/bodies.js';
import { Client, ncPath, rgPath } from '../test/helpers/emulator.js';

const V = '2025-09-01';

const keyPair = () => new Promise<KeyObject>((resolve, reject) => generateKeyPair('ec', { namedCurve: 'P-384' }, (e, _pub, key) => (e ? reject(e) : resolve(key))));
async function rawParallel(n: number): Promise<number> {
  const issuer = await keyPair();
  const tbs = randomBytes(700);
  const start = performance.now();
  await Promise.all(Array.from({ length: n }, async () => {
    await keyPair();
    await new Promise((resolve, reject) => sign('sha384', tbs, issuer, (e, sig) => (e ? reject(e) : resolve(sig))));
  }));
  return performance.now() - start;
}
const i = process.argv.indexOf('--runs');
const runs = i >= 0 ? Number(process.argv[i + 1]) : 2;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nce-deploy-profile-'));
const emu = await Emulator.open({ ...DEFAULT_CONFIG, port: 0, inMemory: process.argv.includes('--in-memory'), seed: 'none', operationDurationMs: 0, quiet: true, dataDir }, { request: () => undefined, error: (l) => console.error(l) });
await emu.listen();
const client = new Client(emu.info(), emu.caCertPem);
const sub = client.info.subscriptionId;
await client.put(`${rgPath(sub, 'bench-rg')}?api-version=2021-04-01`, { location: 'eastus' });
const cm = await client.put(`${ncPath(sub, 'bench-rg', 'clusterManagers', 'bench-cm')}?api-version=${V}`, clusterManagerBody(sub, 'bench-rg'));
const mel = cm.body.properties.managerExtendedLocation;
for (let r = 0; r <= runs; r++) {
  const name = `c${r}`;
  const big = r > 0;
  await client.put(`${ncPath(sub, 'bench-rg', 'clusters', name)}?api-version=${V}`, clusterBody(sub, 'bench-rg', mel, big ? { machines: 16, appliances: 1, computeRacks: 7, mrg: `${name}-mrg` } : { machines: 2, appliances: 1, computeRacks: 0, mrg: `${name}-mrg` }));
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const done = await client.poll(await client.post(`${ncPath(sub, 'bench-rg', 'clusters', name)}/deploy?api-version=${V}`, {}));
  const took = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  const cpu1 = process.cpuUsage();
  const floor = await rawParallel(135);
  const floorCpu = process.cpuUsage(cpu1);
  const ms = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;
  console.log(`${name}: CPU (all threads) deploy ${ms(cpu).toFixed(0)} ms, floor ${ms(floorCpu).toFixed(0)} ms (${(ms(cpu) / ms(floorCpu)).toFixed(2)}x)`);
  console.log(`${name}: deploy ${done.status} in ${took.toFixed(0)} ms; 135 key pairs + signatures in parallel ${floor.toFixed(0)} ms (${(took / floor).toFixed(2)}x)`);
}
await emu.close();
