/**
 * Time to listen on a first start, against Azurite's blob service in the same run.
 *
 *   node dist/bench/start.js [--rounds 5]     -> bench/results/start.json
 *
 * Each round, interleaved so both see the same machine load:
 *  - `npm start -- --port 0 --data-dir <empty folder> --quiet` until emulator.json is written
 *    (npm itself, the prestart stale check, the imports, identity and CA creation, listening and
 *    the demo cluster's deploy; what a CI job waits for);
 *  - `node dist/rp/main.js` with the same arguments (the same without npm and the stale check);
 *  - `azurite-blob --silent --disableTelemetry --location <empty folder> --blobPort 0` until it
 *    prints that it listens.
 * Medians with the minimum and maximum of the rounds. Not part of npm test.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { median, ROOT, round, writeResult } from './common.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUNDS = arg('--rounds', 5);
const AZURITE_BLOB = path.join(ROOT, 'node_modules/azurite/dist/src/blob/main.js');

/** Runs `command` in its own process group until `ready` says so; returns the milliseconds it took. */
function timeUntil(command: string, args: string[], ready: (stdout: string) => boolean, readyFile?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(command, args, { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
    let out = '';
    let err = '';
    let done = false;
    const finish = (e?: Error) => {
      if (done) return;
      done = true;
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      clearInterval(poll);
      child.once('exit', () => (e ? reject(e) : resolve(ms)));
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        child.emit('exit');
      }
    };
    const poll = setInterval(() => {
      if (readyFile && existsSync(readyFile)) finish();
    }, 5);
    child.stdout!.on('data', (d) => {
      out += d;
      if (ready(out)) finish();
    });
    child.stderr!.on('data', (d) => (err += d));
    child.once('exit', (code) => {
      if (!done) {
        done = true;
        clearInterval(poll);
        reject(new Error(`${command} ${args.join(' ')} exited ${code} before it was ready: ${err}`));
      }
    });
  });
}

async function emulatorStart(viaNpm: boolean): Promise<number> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nce-bench-start-'));
  try {
    const args = ['--port', '0', '--data-dir', dir, '--quiet'];
    const file = path.join(dir, 'emulator.json');
    const ms = viaNpm
      ? await timeUntil(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['start', '--silent', '--', ...args], () => false, file)
      : await timeUntil(process.execPath, [path.join(ROOT, 'dist/rp/main.js'), ...args], () => false, file);
    const info = JSON.parse(readFileSync(file, 'utf8'));
    if (!info.demo) throw new Error('the demo was not seeded');
    return ms;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function azuriteStart(): Promise<number> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nce-bench-azurite-'));
  try {
    return await timeUntil(process.execPath, [AZURITE_BLOB, '--silent', '--disableTelemetry', '--location', dir, '--blobHost', '127.0.0.1', '--blobPort', '0'], (out) => /successfully listens/.test(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const stats = (xs: number[]) => ({ medianMs: round(median(xs), 0), minMs: round(Math.min(...xs), 0), maxMs: round(Math.max(...xs), 0), runsMs: xs.map((x) => round(x, 0)) });

async function main() {
  if (!existsSync(AZURITE_BLOB)) throw new Error('azurite is not installed (npm ci installs it as a devDependency)');
  // One untimed round of each warms the OS file cache.
  await azuriteStart();
  await emulatorStart(false);
  const npm: number[] = [];
  const node: number[] = [];
  const azurite: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    azurite.push(await azuriteStart());
    npm.push(await emulatorStart(true));
    node.push(await emulatorStart(false));
    console.log(`round ${i + 1}: npm start ${round(npm[i], 0)} ms, node dist/rp/main.js ${round(node[i], 0)} ms, azurite-blob ${round(azurite[i], 0)} ms`);
  }
  const result = {
    rounds: ROUNDS,
    cpus: os.cpus().length,
    loadAverage: os.loadavg().map((x) => round(x, 1)),
    npmStart: stats(npm),
    nodeMain: stats(node),
    azuriteBlob: stats(azurite),
    npmStartOverAzurite: round(median(npm) / median(azurite)),
    nodeMainOverAzurite: round(median(node) / median(azurite)),
    goal: 'npmStartOverAzurite <= 1.5',
  };
  const file = writeResult('start', result);
  console.log(JSON.stringify(result, null, 2));
  console.log(`written ${file}`);
}

await main();
