/**
 * Memory at scale: the emulator holding 10,000 clusters, each read once, against the size of the
 * JSON it holds (the baseline: what the same resources cost as text).
 *
 *   node dist/bench/memory.js [--clusters 10000] [--rounds 3]     -> bench/results/memory.json
 *
 * Each round: start on a fresh demo data folder and note the RSS (before); stop; add N copies of the
 * demo cluster to the stored snapshot (distinct names and ids, in the demo resource group); start
 * again, GET every cluster once over HTTPS (10 at a time) and note the RSS (after). The growth is
 * after - before; the JSON held is the byte size of the N stored records as JSON. Goals: growth <=
 * 3x the JSON held and RSS <= 200 MiB. Also checks that paging still serves the page size.
 */
import https from 'node:https';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { median, recordCopier, round, rssMiB, startEmulatorChild, writeResult } from './common.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const CLUSTERS = arg('--clusters', 10_000);
const ROUNDS = arg('--rounds', 3);
const MiB = 1024 * 1024;

function get(agent: https.Agent, port: number, ca: string, urlPath: string, token: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ agent, host: '127.0.0.1', servername: 'localhost', port, path: urlPath, ca, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

function token(port: number, ca: string, info: any): Promise<string> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: info.clientId, client_secret: info.clientSecret, scope: 'https://management.azure.com/.default' }).toString();
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', servername: 'localhost', port, method: 'POST', path: `/${info.tenantId}/oauth2/v2.0/token`, ca, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve(JSON.parse(text).access_token));
    });
    req.on('error', reject);
    req.end(form);
  });
}

async function once() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nce-bench-mem-'));
  try {
    const first = await startEmulatorChild(dir, ['--seed', 'demo', '--operation-duration', '0']);
    // Let the start settle (timers, first GCs) before reading the baseline RSS.
    await new Promise((r) => setTimeout(r, 500));
    const before = rssMiB(first.child.pid!);
    const clusterId: string = first.info.demo.clusterId;
    await first.stop();

    const file = path.join(dir, 'db.json');
    const db = JSON.parse(readFileSync(file, 'utf8'));
    const resources = db.collections.resources as Record<string, any>;
    const copy = await recordCopier(dir, 'resources', clusterId.toLowerCase(), resources[clusterId.toLowerCase()]);
    const prefix = clusterId.replace(/[^/]+$/, '');
    let seq = db.collections.meta.emulator.seq;
    let jsonBytes = 0;
    const ids: string[] = [];
    for (let i = 0; i < CLUSTERS; i++) {
      const name = `bench-cluster-${i}`;
      const id = `${prefix}${name}`;
      const r = copy(id.toLowerCase(), (c) => {
        c.id = id;
        c.seq = ++seq;
        c.resource.id = id;
        c.resource.name = name;
        c.resource.etag = `"${i.toString(16).padStart(8, '0')}-bench"`;
      });
      resources[id.toLowerCase()] = r;
      jsonBytes += Buffer.byteLength(JSON.stringify(r));
      ids.push(id);
    }
    db.collections.meta.emulator.seq = seq;
    writeFileSync(file, JSON.stringify(db), { mode: 0o600 });

    const emu = await startEmulatorChild(dir, ['--operation-duration', '0']);
    try {
      const loaded = rssMiB(emu.child.pid!);
      const ca = readFileSync(emu.info.caCertFile, 'utf8');
      const tok = await token(emu.port, ca, emu.info);
      const agent = new https.Agent({ keepAlive: true, maxSockets: 10 });
      let next = 0;
      let bytesRead = 0;
      let peak = loaded;
      const worker = async () => {
        while (next < ids.length) {
          const id = ids[next++];
          const r = await get(agent, emu.port, ca, `${id}?api-version=2025-09-01`, tok);
          if (r.status !== 200) throw new Error(`GET ${id}: ${r.status} ${r.text}`);
          bytesRead += r.text.length;
          if (next % 1000 === 0) peak = Math.max(peak, rssMiB(emu.child.pid!));
        }
      };
      await Promise.all(Array.from({ length: 10 }, worker));
      // Paging is unchanged: a list returns the page size and a nextLink.
      const page = JSON.parse((await get(agent, emu.port, ca, `${prefix.replace(/\/clusters\/$/, '/clusters')}?api-version=2025-09-01`, tok)).text);
      agent.destroy();
      await new Promise((r) => setTimeout(r, 500));
      const after = rssMiB(emu.child.pid!);
      peak = Math.max(peak, after);
      const growth = after - before;
      return {
        rssBeforeMiB: before,
        rssLoadedMiB: loaded,
        rssAfterReadsMiB: after,
        rssPeakMiB: peak,
        growthMiB: round(growth, 1),
        jsonHeldMiB: round(jsonBytes / MiB, 1),
        growthOverJson: round(growth / (jsonBytes / MiB)),
        bytesServedMiB: round(bytesRead / MiB, 1),
        firstPageItems: page.value.length,
        firstPageHasNextLink: typeof page.nextLink === 'string',
      };
    } finally {
      await emu.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const runs: Awaited<ReturnType<typeof once>>[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const r = await once();
    runs.push(r);
    console.log(`round ${i + 1}: RSS ${r.rssBeforeMiB} -> ${r.rssAfterReadsMiB} MiB (peak ${r.rssPeakMiB}), growth ${r.growthMiB} MiB = ${r.growthOverJson}x the ${r.jsonHeldMiB} MiB of JSON held; first page ${r.firstPageItems} items`);
  }
  const pick = (k: 'rssAfterReadsMiB' | 'growthMiB' | 'growthOverJson') => ({ median: round(median(runs.map((r) => r[k] as number)), 2), min: Math.min(...runs.map((r) => r[k] as number)), max: Math.max(...runs.map((r) => r[k] as number)) });
  const result = {
    clusters: CLUSTERS,
    rounds: ROUNDS,
    cpus: os.cpus().length,
    loadAverage: os.loadavg().map((x) => round(x, 1)),
    rssAfterReadsMiB: pick('rssAfterReadsMiB'),
    growthMiB: pick('growthMiB'),
    jsonHeldMiB: runs[0].jsonHeldMiB,
    growthOverJson: pick('growthOverJson'),
    goals: { growthOverJson: 3, rssMiB: 200 },
    runs,
  };
  const file = writeResult('memory', result);
  console.log(JSON.stringify({ ...result, runs: undefined }, null, 2));
  console.log(`written ${file}`);
}

await main();
