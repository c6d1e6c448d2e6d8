/**
 * Disk full, for real: the emulator runs on a small tmpfs mounted in a private mount namespace that
 * this test creates (unshare -m; the emulator joins it with nsenter; the test reaches its files
 * through /proc/<pid>/root). The disk is filled, then:
 * - writes are refused with an ARM-shaped 503 StoreOutOfSpace, and a refused write is never visible;
 * - the journal keeps only whole lines (no torn line, no zero padding);
 * - a restart on the full disk says what is wrong and how much space it needs;
 * - once space is freed, the last acknowledged write is there and writes work again.
 */
import { expect } from 'chai';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EmulatorInfo } from '../../rp/emulator.js';
import { Client, MAIN, rgPath } from '../helpers/emulator.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function namespaceProblem(): string | undefined {
  for (const tool of ['/usr/bin/unshare', '/usr/bin/nsenter']) if (!existsSync(tool)) return `${tool} is missing (util-linux)`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nce-ns-probe-'));
  try {
    const probe = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o size=1m tmpfs "$0"', dir]);
    if (probe.status !== 0) return `a private mount namespace with a tmpfs is not allowed here: ${probe.stderr.toString().trim()}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return undefined;
}

describe('disk full (a small tmpfs in a private mount namespace)', function () {
  this.timeout(120_000);
  let base: string;
  let holder: ChildProcess | undefined;
  let view: (p: string) => string;
  const children: ChildProcess[] = [];

  before(async function () {
    const problem = namespaceProblem();
    if (problem) {
      if (process.env.CI === 'true') throw new Error(`CI needs a private mount namespace for the disk-full test: ${problem}`);
      console.log(`      skipped: ${problem}`);
      this.skip();
    }
    base = mkdtempSync(path.join(os.tmpdir(), 'nce-full-'));
    // The namespace lives as long as this holder process; the tmpfs exists only inside it.
    holder = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o size=4m,mode=0700 tmpfs "$0" && echo mounted && exec sleep 600', base], { stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      holder!.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('mounted')) resolve();
      });
      holder!.stderr!.on('data', (d) => (out += d));
      holder!.once('exit', () => reject(new Error(`could not mount the tmpfs: ${out}`)));
    });
    // The holder's sh exec'd sleep: same pid, same namespace.
    view = (p: string) => `/proc/${holder!.pid}/root${p}`;
  });

  after(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    holder?.kill('SIGKILL');
    if (base) rmSync(base, { recursive: true, force: true });
  });

  /** Runs the emulator inside the namespace; resolves when ready, or with its exit and output. */
  async function start(dataDir: string): Promise<{ child: ChildProcess; client?: Client; code?: number | null; output: () => string }> {
    const info = view(path.join(dataDir, 'emulator.json'));
    const before = existsSync(info) ? readFileSync(info, 'utf8') : '';
    const child = spawn('nsenter', ['-t', String(holder!.pid), '-m', '--', process.execPath, MAIN, '--port', '0', '--data-dir', dataDir, '--quiet', '--seed', 'none', '--operation-duration', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) return { child, code: child.exitCode, output: () => out };
      if (existsSync(info)) {
        const text = readFileSync(info, 'utf8');
        if (text !== before && text.includes('"pid"')) {
          const parsed = JSON.parse(text) as EmulatorInfo;
          return { child, client: new Client(parsed, readFileSync(view(parsed.caCertFile!), 'utf8')), output: () => out };
        }
      }
      if (Date.now() > deadline) throw new Error(`the emulator did not start:\n${out}`);
      await sleep(50);
    }
  }

  const stop = (child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM') =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) return resolve(child.exitCode);
      child.once('exit', (code) => resolve(code));
      child.kill(signal);
    });

  /** Fills the tmpfs with a file until the kernel says there is no space left. */
  function fill(file: string): number {
    const fd = openSync(view(file), 'w');
    const chunk = Buffer.alloc(64 * 1024, 7);
    let total = 0;
    try {
      for (;;) {
        try {
          total += writeSync(fd, chunk);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOSPC') return total;
          throw e;
        }
      }
    } finally {
      closeSync(fd);
    }
  }

  it('refuses writes with 503 StoreOutOfSpace, shows none of them, keeps the journal whole, and recovers once space is freed', async () => {
    const dataDir = path.join(base, 'data');
    const first = await start(dataDir);
    expect(first.client, first.output()).to.not.equal(undefined);
    const client = first.client!;
    const sub = client.info.subscriptionId;
    await client.token();
    expect((await client.put(`${rgPath(sub, 'before-full')}?api-version=2021-04-01`, { location: 'eastus' })).status).to.equal(201);

    const filled = fill(path.join(base, 'filler'));
    expect(filled).to.be.greaterThan(0);

    // Writes until the store runs out of room (the journal's last page may still take a few).
    let lastAcked: string | undefined;
    let refused: { name: string; status: number; body: any; headers: Record<string, unknown> } | undefined;
    for (let i = 0; i < 400 && !refused; i++) {
      const name = `g-${i}`;
      const r = await client.put(`${rgPath(sub, name)}?api-version=2021-04-01`, { location: 'eastus', tags: { marker: `${name}-${'m'.repeat(200)}` } });
      if (r.status === 201) lastAcked = name;
      else refused = { name, status: r.status, body: r.body, headers: r.headers };
    }
    expect(refused, 'no write was refused on a full disk').to.not.equal(undefined);
    expect(refused!.status).to.equal(503);
    expect(refused!.body.error.code).to.equal('StoreOutOfSpace');
    expect(refused!.body.error.message).to.match(/out of disk space/);
    expect(refused!.headers['retry-after']).to.equal('10');
    // A refused write is never visible, and stays refused while the disk is full.
    expect((await client.get(`${rgPath(sub, refused!.name)}?api-version=2021-04-01`)).status).to.equal(404);
    const again = await client.put(`${rgPath(sub, 'still-full')}?api-version=2021-04-01`, { location: 'eastus' });
    expect(again.status).to.equal(503);
    expect((await client.get(`${rgPath(sub, 'still-full')}?api-version=2021-04-01`)).status).to.equal(404);
    expect((await client.get('/_emulator/health')).status).to.equal(200);

    // The journal holds whole lines only: no torn line, no zero padding.
    const journals = readdirSync(view(dataDir)).filter((n) => /^db\.journal\.\d+$/.test(n));
    for (const j of journals) {
      const text = readFileSync(view(path.join(dataDir, j)), 'utf8');
      expect(text.includes('\0'), `${j} has zero bytes`).to.equal(false);
      if (text) expect(text.endsWith('\n'), `${j} ends in a torn line`).to.equal(true);
    }

    // A clean stop on the full disk still exits 0 (the journal holds every acknowledged write).
    expect(await stop(first.child)).to.equal(0);

    // A restart on the full disk says what is wrong and how much it needs, without a stack trace.
    const full = await start(dataDir);
    expect(full.code, full.output()).to.equal(1);
    expect(full.output()).to.match(/is full/);
    expect(full.output()).to.match(/needs about \d+(\.\d+)? (bytes|KiB|MiB) free/);
    expect(full.output()).not.to.match(/\n\s+at /);

    // Space freed: the last acknowledged write is there, and writes work again.
    rmSync(view(path.join(base, 'filler')));
    const second = await start(dataDir);
    expect(second.client, second.output()).to.not.equal(undefined);
    try {
      const c2 = second.client!;
      expect(lastAcked, 'no write was acknowledged after the filler').to.not.equal(undefined);
      const last = await c2.get(`${rgPath(sub, lastAcked!)}?api-version=2021-04-01`);
      expect(last.status, last.text).to.equal(200);
      expect(last.body.tags.marker).to.equal(`${lastAcked}-${'m'.repeat(200)}`);
      expect((await c2.get(`${rgPath(sub, refused!.name)}?api-version=2021-04-01`)).status).to.equal(404);
      const after = await c2.put(`${rgPath(sub, 'after-free')}?api-version=2021-04-01`, { location: 'eastus' });
      expect(after.status, after.text).to.equal(201);
      expect((await c2.get(`${rgPath(sub, 'after-free')}?api-version=2021-04-01`)).status).to.equal(200);
    } finally {
      expect(await stop(second.child)).to.equal(0);
    }
  });
});
