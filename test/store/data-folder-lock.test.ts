/**
 * One owner per data folder: a second emulator on a folder in use exits at once, naming the first
 * one's pid and endpoint, and touches nothing; the first keeps every write it acknowledges after
 * that. A lock left by a dead process is taken over.
 */
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MAIN, rgPath, spawnEmulator } from '../helpers/emulator.js';

/** Every file of the folder with its mtime and content, to compare before and after. */
function snapshotOf(dir: string): Record<string, { mtimeMs: number; content: string }> {
  const out: Record<string, { mtimeMs: number; content: string }> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = { mtimeMs: st.mtimeMs, content: readFileSync(p, 'base64') };
    }
  };
  walk(dir);
  return out;
}

function runSecond(dataDir: string, timeoutMs = 15_000): Promise<{ code: number | null; output: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, '--port', '0', '--data-dir', dataDir, '--quiet', '--seed', 'none'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output, ms: Date.now() - started });
    });
  });
}

describe('one owner per data folder', function () {
  this.timeout(90_000);

  it('a second instance exits at once naming the running one, touches nothing, and the first keeps its later writes', async () => {
    let first = await spawnEmulator(['--seed', 'none']);
    const dir = first.dataDir;
    const sub = first.client.info.subscriptionId;
    try {
      expect((await first.client.put(`${rgPath(sub, 'before')}?api-version=2021-04-01`, { location: 'eastus' })).status).to.equal(201);
      const before = snapshotOf(dir);
      const second = await runSecond(dir);
      expect(second.code, second.output).to.equal(1);
      expect(second.output).to.contain(`pid ${first.child.pid}`);
      expect(second.output).to.contain(first.client.endpoint);
      expect(second.output).to.match(/in use by another emulator/);
      expect(second.output).not.to.match(/\n\s+at /); // a message, not a stack trace
      expect(snapshotOf(dir)).to.deep.equal(before);

      // The first instance goes on: what it acknowledges now survives its restart.
      for (const name of ['after-1', 'after-2', 'after-3']) {
        expect((await first.client.put(`${rgPath(sub, name)}?api-version=2021-04-01`, { location: 'eastus', tags: { n: name } })).status).to.equal(201);
      }
      await first.stop('SIGKILL');
      first = await spawnEmulator(['--seed', 'none'], dir);
      for (const name of ['before', 'after-1', 'after-2', 'after-3']) {
        const r = await first.client.get(`${rgPath(sub, name)}?api-version=2021-04-01`);
        expect(r.status, `${name}: ${r.text}`).to.equal(200);
      }
    } finally {
      await first.stop();
    }
  });

  it('takes over the lock of a process that no longer runs', async () => {
    const emu = await spawnEmulator(['--seed', 'none']);
    const dir = emu.dataDir;
    await emu.stop('SIGKILL');
    const lock = JSON.parse(readFileSync(path.join(dir, 'emulator.lock'), 'utf8'));
    expect(lock.pid).to.equal(emu.child.pid);
    // Also a lock naming a pid that never existed here.
    const dead = spawnSync('sh', ['-c', 'echo $$']);
    writeFileSync(path.join(dir, 'emulator.lock'), JSON.stringify({ pid: Number(dead.stdout.toString()), endpoint: 'https://localhost:1/' }));
    const again = await spawnEmulator(['--seed', 'none'], dir);
    try {
      const now = JSON.parse(readFileSync(path.join(dir, 'emulator.lock'), 'utf8'));
      expect(now.pid).to.equal(again.child.pid);
      expect(now.endpoint).to.equal(again.client.endpoint);
      expect((await again.client.get('/_emulator/health')).status).to.equal(200);
    } finally {
      await again.stop();
    }
    // A clean stop lets go of the folder.
    expect(readdirSync(dir)).not.to.include('emulator.lock');
  });
});
