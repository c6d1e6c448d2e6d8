/**
 * HTTP benchmarks of the emulator (npm run bench; not part of npm test). Load goes to 127.0.0.1 only
 * and every run is bounded in time. Each figure comes with the baseline measured in the same run.
 *
 * 1. GET of a bare metal machine over HTTPS with a bearer token (autocannon, 10 connections)
 *    vs the same bytes from a bare node:https server, and from a plain Express 5 route over HTTPS.
 * 2. PATCH (tags of bare metal machines, 10 concurrent clients) with 100, 1,000 and 10,000 stored
 *    resources: the write cost must not grow with the store size.
 * 3. RSS of the emulator holding 10,000 resources.
 * 4. Durable writes against Azurite: the PATCH of (2) with 100 stored resources, and Azurite's blob
 *    service (on disk) taking a 2 KB block blob PUT, 10 connections each, rounds interleaved.
 *
 *   node dist/bench/http.js [--seconds 5] [--rounds 3]   -> bench/results/http.json
 */
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { cpuMs, median, recordCopier, ROOT, round, rssMiB, startEmulatorChild, startPortChild, stopChild, writeResult, type ChildServer } from './common.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg('--seconds', 5);
const ROUNDS = arg('--rounds', 3);

function request(port: number, ca: string, method: string, urlPath: string, token?: string, body?: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request({ host: '127.0.0.1', servername: 'localhost', port, method, path: urlPath, ca, headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(payload ? { 'Content-Type': 'application/json' } : {}) } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

async function token(port: number, ca: string, info: any): Promise<string> {
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

interface Load {
  requestsPerSecond: number;
  /** CPU time the server process spent per request (user + system): what a busy machine makes scarce. */
  cpuMsPerRequest?: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  non2xx: number;
}

async function load(opts: autocannon.Options, serverPid?: number): Promise<Load> {
  const cpu0 = serverPid ? cpuMs(serverPid) : 0;
  const r = await autocannon({ connections: 10, duration: SECONDS, ...opts });
  const cpu = serverPid && r.requests.total ? { cpuMsPerRequest: round((cpuMs(serverPid) - cpu0) / r.requests.total, 3) } : {};
  return { requestsPerSecond: round(r.requests.average, 0), ...cpu, latencyP50Ms: r.latency.p50, latencyP99Ms: r.latency.p99, non2xx: r.non2xx };
}

/** Median of ROUNDS runs, by requests per second. */
async function rounds(opts: autocannon.Options): Promise<Load & { rounds: number[] }> {
  const runs: Load[] = [];
  for (let i = 0; i < ROUNDS; i++) runs.push(await load(opts));
  const rps = runs.map((r) => r.requestsPerSecond);
  const mid = runs.find((r) => r.requestsPerSecond === median(rps)) ?? runs[0];
  return { ...mid, requestsPerSecond: round(median(rps), 0), rounds: rps };
}

async function benchGet() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nce-bench-get-'));
  const emu = await startEmulatorChild(dir, ['--seed', 'demo', '--operation-duration', '0']);
  try {
    const ca = readFileSync(emu.info.caCertFile, 'utf8');
    const tok = await token(emu.port, ca, emu.info);
    const bmmPath = `${emu.info.demo.bareMetalMachineIds[0]}?api-version=2025-09-01`;
    const body = (await request(emu.port, ca, 'GET', bmmPath, tok)).text;
    const bodyFile = path.join(dir, 'body.json');
    writeFileSync(bodyFile, body);
    const cert = path.join(dir, 'ca', 'server.pem');
    const key = path.join(dir, 'ca', 'server-key.pem');
    // The three servers run side by side and their rounds are interleaved, so all see the same load.
    const bare = await startPortChild([path.join(ROOT, 'dist/bench/baseline-server.js'), 'bare', cert, key, bodyFile]);
    const plain = await startPortChild([path.join(ROOT, 'dist/bench/baseline-server.js'), 'express', cert, key, bodyFile]);
    const targets: Record<string, autocannon.Options> = {
      emulator: { url: `https://127.0.0.1:${emu.port}${bmmPath}`, headers: { Authorization: `Bearer ${tok}` } },
      bareNodeHttps: { url: `https://127.0.0.1:${bare.port}${bmmPath}` },
      plainExpressHttps: { url: `https://127.0.0.1:${plain.port}${bmmPath}` },
    };
    const runs: Record<string, Load[]> = { emulator: [], bareNodeHttps: [], plainExpressHttps: [] };
    try {
      for (let i = 0; i < ROUNDS; i++) for (const [name, opts] of Object.entries(targets)) runs[name].push(await load(opts));
    } finally {
      await bare.stop();
      await plain.stop();
    }
    const pick = (list: Load[]) => {
      const rps = list.map((r) => r.requestsPerSecond);
      const mid = list.find((r) => r.requestsPerSecond === median(rps)) ?? list[0];
      return { ...mid, requestsPerSecond: round(median(rps), 0), rounds: rps };
    };
    const emulator = pick(runs.emulator);
    const results = { bareNodeHttps: pick(runs.bareNodeHttps), plainExpressHttps: pick(runs.plainExpressHttps) };
    const e = emulator.requestsPerSecond;
    return {
      bodyBytes: Buffer.byteLength(body),
      emulator,
      bareNodeHttps: results.bareNodeHttps,
      plainExpressHttps: results.plainExpressHttps,
      ratioToPlainExpress: round(e / results.plainExpressHttps.requestsPerSecond),
      ratioToBareNode: round(e / results.bareNodeHttps.requestsPerSecond),
    };
  } finally {
    await emu.stop();
  }
}

/** Builds a data folder whose store holds `count` bare metal machines (copies of a demo machine). */
async function storeWith(count: number): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `nce-bench-${count}-`));
  const seed = await startEmulatorChild(dir, ['--seed', 'demo', '--operation-duration', '0']);
  const mrgPrefix = seed.info.demo.bareMetalMachineIds[0].replace(/[^/]+$/, '');
  await seed.stop();
  const file = path.join(dir, 'db.json');
  const db = JSON.parse(readFileSync(file, 'utf8'));
  const resources = db.collections.resources as Record<string, any>;
  const templateKey = seed.info.demo.bareMetalMachineIds[0].toLowerCase();
  const copy = await recordCopier(dir, 'resources', templateKey, resources[templateKey]);
  let seq = db.collections.meta.emulator.seq;
  for (let i = Object.keys(resources).length; i < count; i++) {
    const name = `bench${i}`;
    const id = `${mrgPrefix}${name}`;
    resources[id.toLowerCase()] = copy(id.toLowerCase(), (r) => {
      r.id = id;
      r.seq = ++seq;
      r.resource.id = id;
      r.resource.name = name;
      r.resource.properties.machineName = name;
    });
  }
  db.collections.meta.emulator.seq = seq;
  writeFileSync(file, JSON.stringify(db), { mode: 0o600 });
  return dir;
}

async function benchPatch(count: number) {
  const dir = await storeWith(count);
  const emu = await startEmulatorChild(dir, ['--operation-duration', '0']);
  try {
    const ca = readFileSync(emu.info.caCertFile, 'utf8');
    const tok = await token(emu.port, ca, emu.info);
    const targets = emu.info.demo.bareMetalMachineIds.slice(0, 6);
    let n = 0;
    const patch = await rounds({
      url: `https://127.0.0.1:${emu.port}`,
      requests: [{
        method: 'PATCH',
        setupRequest: (req: any) => {
          const i = n++;
          return { ...req, path: `${targets[i % targets.length]}?api-version=2025-09-01`, headers: { Authorization: `Bearer ${tok}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ tags: { n: String(i) } }) };
        },
      }],
    });
    return { storedResources: count, ...patch, rssMiB: rssMiB(emu.child.pid!) };
  } finally {
    await emu.stop();
  }
}

/** Azurite's well-known development account (public, documented by Azurite). */
const AZURITE_ACCOUNT = 'devstoreaccount1';
const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** An account SAS (blob service, every resource type, read/write/create) for Azurite's dev account. */
function azuriteSas(): string {
  const sv = '2020-08-04';
  const fields = { sp: 'racwdl', ss: 'b', srt: 'sco', st: '', se: '2099-01-01T00:00:00Z', sip: '', spr: 'https,http' };
  const toSign = [AZURITE_ACCOUNT, fields.sp, fields.ss, fields.srt, fields.st, fields.se, fields.sip, fields.spr, sv, ''].join('\n');
  const sig = createHmac('sha256', Buffer.from(AZURITE_KEY, 'base64')).update(toSign, 'utf8').digest('base64');
  return new URLSearchParams({ sv, ss: fields.ss, srt: fields.srt, sp: fields.sp, se: fields.se, spr: fields.spr, sig }).toString();
}

/** azurite-blob on 127.0.0.1, persisting to a fresh folder; resolves with its port once it listens. */
function startAzurite(location: string): Promise<ChildServer> {
  const main = path.join(ROOT, 'node_modules/azurite/dist/src/blob/main.js');
  const child = spawn(process.execPath, [main, '--silent', '--disableTelemetry', '--location', location, '--blobHost', '127.0.0.1', '--blobPort', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`azurite exited with ${code}: ${out}`)));
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]), stop: () => stopChild(child) });
    });
  });
}

function plainRequest(port: number, method: string, urlPath: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

async function benchWritesVsAzurite() {
  const dir = await storeWith(100);
  const azuriteDir = mkdtempSync(path.join(os.tmpdir(), 'nce-bench-azurite-'));
  const emu = await startEmulatorChild(dir, ['--operation-duration', '0']);
  const azurite = await startAzurite(azuriteDir);
  try {
    const ca = readFileSync(emu.info.caCertFile, 'utf8');
    const tok = await token(emu.port, ca, emu.info);
    const targets = emu.info.demo.bareMetalMachineIds.slice(0, 6);
    const sas = azuriteSas();
    const created = await plainRequest(azurite.port, 'PUT', `/${AZURITE_ACCOUNT}/bench?restype=container&${sas}`);
    if (created !== 201) throw new Error(`azurite: creating the container answered ${created}`);
    const blob = Buffer.alloc(2048, 'x').toString();
    let n = 0;
    let b = 0;
    const patchOpts: autocannon.Options = {
      url: `https://127.0.0.1:${emu.port}`,
      requests: [{
        method: 'PATCH',
        setupRequest: (req: any) => {
          const i = n++;
          return { ...req, path: `${targets[i % targets.length]}?api-version=2025-09-01`, headers: { Authorization: `Bearer ${tok}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ tags: { n: String(i) } }) };
        },
      }],
    };
    const putOpts: autocannon.Options = {
      url: `http://127.0.0.1:${azurite.port}`,
      requests: [{
        method: 'PUT',
        setupRequest: (req: any) => ({ ...req, path: `/${AZURITE_ACCOUNT}/bench/blob-${b++ % 1000}?${sas}`, headers: { 'x-ms-blob-type': 'BlockBlob', 'Content-Type': 'application/octet-stream', 'x-ms-version': '2020-08-04' }, body: blob }),
      }],
    };
    // One short warm-up of each, then interleaved rounds.
    await autocannon({ ...patchOpts, connections: 10, duration: 1 });
    await autocannon({ ...putOpts, connections: 10, duration: 1 });
    const emulatorRuns: Load[] = [];
    const azuriteRuns: Load[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      azuriteRuns.push(await load(putOpts, azurite.child.pid));
      emulatorRuns.push(await load(patchOpts, emu.child.pid));
      console.log(`writes round ${i + 1}: emulator PATCH ${emulatorRuns[i].requestsPerSecond} req/s (${emulatorRuns[i].cpuMsPerRequest} ms CPU each), azurite PUT ${azuriteRuns[i].requestsPerSecond} req/s (${azuriteRuns[i].cpuMsPerRequest} ms CPU each); load average ${os.loadavg()[0].toFixed(1)}`);
    }
    if (emulatorRuns.some((r) => r.non2xx) || azuriteRuns.some((r) => r.non2xx)) throw new Error(`non-2xx answers: emulator ${emulatorRuns.map((r) => r.non2xx)}, azurite ${azuriteRuns.map((r) => r.non2xx)}`);
    const summary = (runs: Load[]) => {
      const rps = runs.map((r) => r.requestsPerSecond);
      const mid = runs.find((r) => r.requestsPerSecond === median(rps)) ?? runs[0];
      const cpu = runs.map((r) => r.cpuMsPerRequest ?? NaN);
      return { ...mid, requestsPerSecond: round(median(rps), 0), min: Math.min(...rps), max: Math.max(...rps), rounds: rps, cpuMsPerRequest: round(median(cpu), 3), cpuRounds: cpu };
    };
    const e = summary(emulatorRuns);
    const a = summary(azuriteRuns);
    return { what: 'emulator: durable PATCH of machine tags (100 stored); azurite: on-disk PUT of a 2 KB block blob; 10 connections', emulator: e, azurite: a, ratio: round(e.requestsPerSecond / a.requestsPerSecond), cpuPerRequestRatio: round(a.cpuMsPerRequest / e.cpuMsPerRequest), goal: 'ratio >= 2' };
  } finally {
    await azurite.stop();
    await emu.stop();
    rmSync(azuriteDir, { recursive: true, force: true });
  }
}

async function main() {
  if (process.argv.includes('--writes-only')) {
    const writes = await benchWritesVsAzurite();
    console.log(JSON.stringify(writes, null, 2));
    writeResult('writes', { secondsPerRound: SECONDS, rounds: ROUNDS, cpus: os.cpus().length, loadAverage: os.loadavg().map((x) => round(x, 1)), ...writes });
    return;
  }
  const get = await benchGet();
  if (process.argv.includes('--get-only')) {
    console.log(JSON.stringify(get, null, 2));
    return;
  }
  console.log(`GET: emulator ${get.emulator.requestsPerSecond} req/s, plain Express ${get.plainExpressHttps.requestsPerSecond}, bare node ${get.bareNodeHttps.requestsPerSecond} (ratio to Express ${get.ratioToPlainExpress})`);
  const patches = [];
  for (const count of [100, 1_000, 10_000]) {
    const p = await benchPatch(count);
    patches.push(p);
    console.log(`PATCH with ${count} stored: ${p.requestsPerSecond} req/s, p50 ${p.latencyP50Ms} ms, p99 ${p.latencyP99Ms} ms, RSS ${p.rssMiB} MiB`);
  }
  const writes = await benchWritesVsAzurite();
  console.log(`writes: emulator PATCH ${writes.emulator.requestsPerSecond} req/s vs azurite PUT ${writes.azurite.requestsPerSecond} req/s (ratio ${writes.ratio})`);
  writeResult('writes', { secondsPerRound: SECONDS, rounds: ROUNDS, cpus: os.cpus().length, loadAverage: os.loadavg().map((x) => round(x, 1)), ...writes });
  const file = writeResult('http', {
    secondsPerRound: SECONDS,
    rounds: ROUNDS,
    get,
    patch: patches,
    patchP50Ratio10kTo100: round(patches[2].latencyP50Ms / Math.max(patches[0].latencyP50Ms, 0.01)),
    rssMiBAt10k: patches[2].rssMiB,
  });
  console.log(`written ${file}`);
}

await main();
