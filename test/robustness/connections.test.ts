/**
 * Idle connections cannot take the emulator down (issue 11, item 8). A spawned emulator (its
 * `ulimit -n` raised as far as the machine allows) with short timeouts gets 20,000 sockets that
 * never say anything: 10,000 raw TCP connections that never start TLS and 10,000 TLS connections
 * that never send a request, from two loopback addresses of their own (127.0.0.2, 127.0.0.3). An
 * authenticated request from 127.0.0.1 is still served while they are open; every flood socket is
 * closed by the server, at once by the per-client cap or later by a timeout. A second flood spread
 * over 40 addresses hits the total cap, and once its sockets time out the emulator serves again.
 *
 * The floods run in child processes (test/robustness/flood.ts) so that their descriptors are not
 * this process's. Everything is on loopback and bounded in time.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConnectionStats } from '../../rp/connections.js';
import { RAISE_FD_LIMIT, spawnEmulator, type Spawned } from '../helpers/emulator.js';

const FLOOD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'flood.js');
// Short enough to see every timeout act within the test, long enough for handshakes on a loaded 2-core runner.
const LIMITS = ['--handshake-timeout', '5s', '--headers-timeout', '3s', '--request-timeout', '6s', '--keep-alive-timeout', '1s', '--idle-timeout', '10s', '--max-connections', '150', '--max-connections-per-client', '50'];

/** The emulator's connection counters: SIGUSR2 makes it print them as one line. */
async function serverStats(emu: Spawned): Promise<ConnectionStats> {
  const seen = emu.output().length;
  emu.child.kill('SIGUSR2');
  const deadline = Date.now() + 10_000;
  for (;;) {
    const line = emu.output().slice(seen).split('\n').find((l) => l.startsWith('connections {'));
    if (line) return JSON.parse(line.slice('connections '.length)) as ConnectionStats;
    if (Date.now() > deadline) throw new Error(`no connection counters from the emulator:\n${emu.output().slice(seen)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function delta(after: ConnectionStats, before: ConnectionStats): ConnectionStats {
  return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, k === 'open' ? v : v - before[k as keyof ConnectionStats]])) as unknown as ConnectionStats;
}

interface FloodResult {
  mode: string;
  attempted: number;
  connected: number;
  connectFailed: number;
  refused: number;
  closedByTimeout: number;
  secured: number;
  answered408: number;
  stillOpen: number;
  maxOpen: number;
  elapsedMs: number;
  closeAfterConnectMedianMs: number | null;
  closeAfterConnectMaxMs: number | null;
}

/** Starts a flood process; `opened` resolves when every connection was attempted, `done` with its report. */
function flood(port: number, mode: 'raw' | 'tls', count: number, from: string[], perSecond: number): { opened: Promise<void>; done: Promise<FloodResult> } {
  const args = JSON.stringify({ port, mode, count, from, refusedWithinMs: 1000, holdMs: 15_000, perSecond });
  const child = spawn('bash', ['-c', RAISE_FD_LIMIT, 'bash', process.execPath, FLOOD, args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let markOpened: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (markOpened = resolve));
  child.stdout.on('data', (d) => {
    out += d;
    if (out.includes('ALL_OPENED')) markOpened();
  });
  child.stderr.on('data', (d) => (err += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const done = new Promise<FloodResult>((resolve, reject) => {
    child.once('exit', (code) => {
      clearTimeout(killer);
      markOpened();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code !== 0 || !line) reject(new Error(`flood (${mode}) exited ${code}: ${out}${err}`));
      else resolve(JSON.parse(line) as FloodResult);
    });
  });
  return { opened, done };
}

/** One authenticated GET on a fresh connection from 127.0.0.1 (no keep-alive reuse); resolves with its status, body and time. */
function timedGet(emu: Spawned, token: string, timeoutMs = 15_000): Promise<{ status: number; body: any; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1', servername: 'localhost', port: emu.client.port, localAddress: '127.0.0.1', agent: false, ca: emu.client.ca,
        path: '/subscriptions?api-version=2022-12-01', headers: { Authorization: `Bearer ${token}` }, timeout: timeoutMs,
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined, ms: performance.now() - started }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

describe('connections: idle sockets are closed and capped, and real requests are still served', function () {
  this.timeout(150_000);
  let emu: Spawned | undefined;
  let token: string;

  before(async () => {
    emu = await spawnEmulator(['--seed', 'none', ...LIMITS], undefined, { raiseFdLimit: true });
    token = await emu.client.token();
  });
  after(async () => {
    await emu?.stop();
  });

  it('serves an authenticated request promptly while 20,000 idle sockets (raw TCP and TLS) hit it, and closes every one of them', async () => {
    const baseline = await timedGet(emu!, token);
    expect(baseline.status).to.equal(200);
    const before = await serverStats(emu!);
    const raw = flood(emu!.client.port, 'raw', 10_000, ['127.0.0.2'], 400);
    const tls = flood(emu!.client.port, 'tls', 10_000, ['127.0.0.3'], 400);
    await Promise.all([raw.opened, tls.opened]);
    const during = await timedGet(emu!, token);
    expect(during.status, JSON.stringify(during.body)).to.equal(200);
    expect(during.body.value.map((s: { subscriptionId: string }) => s.subscriptionId)).to.include(emu!.client.info.subscriptionId);
    const [r, t] = await Promise.all([raw.done, tls.done]);
    const after = await timedGet(emu!, token);
    expect(after.status).to.equal(200);
    const server = delta(await serverStats(emu!), before);
    console.log(`      request from 127.0.0.1: ${baseline.ms.toFixed(0)} ms before the flood, ${during.ms.toFixed(0)} ms with every flood socket opened, ${after.ms.toFixed(0)} ms after`);
    console.log(
      `      server: ${server.accepted} accepted, ${server.refusedPerClient} refused by the per-client cap, ${server.refusedTotal} by the total cap, ` +
        `${server.handshakeTimeouts} closed by the handshake timeout, ${server.idleTimeouts} by the idle timeout, ${t.answered408} TLS ones answered 408 by the headers timeout, ${server.open} open at the end`,
    );
    for (const f of [r, t]) {
      console.log(`      ${f.mode} flood: ${f.attempted} opened in ${f.elapsedMs} ms, at most ${f.maxOpen} open at a time; ${f.stillOpen} left open by the server, ${f.connectFailed} never connected${f.mode === 'tls' ? `, ${f.secured} handshakes finished` : ''}`);
      expect(f.attempted).to.equal(10_000);
      // The server closed every socket: none was left open when the flood stopped waiting.
      expect(f.stillOpen, `${f.mode} sockets the server never closed`).to.equal(0);
      expect(f.connectFailed, `${f.mode} sockets that never connected`).to.equal(0);
    }
    // Every flood socket was either refused by a cap or let in and later closed by a timeout.
    expect(server.accepted + server.refusedPerClient + server.refusedTotal).to.be.at.least(20_000);
    expect(server.refusedPerClient, 'refused by the per-client cap').to.be.greaterThan(10_000);
    expect(server.handshakeTimeouts, 'raw sockets closed by the handshake timeout').to.be.greaterThan(0);
    // The TLS ones that were let in finished their handshake and were told 408 when no request came.
    expect(t.secured).to.be.greaterThan(0);
    expect(t.answered408).to.be.greaterThan(0);
  });

  it('refuses connections past the total cap, and serves again once the idle ones have timed out', async () => {
    const before = await serverStats(emu!);
    // 40 addresses x 25 sockets: each within the per-client cap (50), together past the total cap (150).
    const from = Array.from({ length: 40 }, (_, i) => `127.0.1.${i + 1}`);
    const raw = flood(emu!.client.port, 'raw', 1_000, from, 500);
    await raw.opened;
    const r = await raw.done;
    const server = delta(await serverStats(emu!), before);
    console.log(`      total cap: ${r.attempted} raw sockets from 40 addresses; server: ${server.accepted} accepted, ${server.refusedTotal} refused by the total cap, ${server.refusedPerClient} by the per-client cap, ${server.handshakeTimeouts} closed by the handshake timeout; ${r.stillOpen} left open`);
    expect(r.stillOpen).to.equal(0);
    expect(server.refusedTotal, 'refused by the total cap').to.be.greaterThan(0);
    expect(server.refusedPerClient).to.equal(0);
    expect(server.handshakeTimeouts).to.be.greaterThan(0);
    const afterwards = await timedGet(emu!, token);
    expect(afterwards.status).to.equal(200);
  });
});
