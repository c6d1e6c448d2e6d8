/**
 * End-to-end time of `azemu networkcloud baremetalmachine show` (process start to exit,
 * logged in, token cached) against a real emulator, next to a bare `node -e 0`.
 *
 *   node dist/bench/cli-show.js [--runs N]     -> bench/results/cli-show.json
 *
 * The target: the median of `show` within 1.5x the median of `node -e 0` measured in the same
 * run (the preview warning goes to stderr, as az prints it). Runs are sequential and interleaved
 * so they measure latency, not load.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'dist/cli/main.js');
const RP = path.join(ROOT, 'dist/rp/main.js');
const RESULT = path.join(ROOT, 'bench/results/cli-show.json');

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function timeRun(args: string[], env: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  return ms;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const round = (x: number) => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  const runs = argValue('--runs', 30);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'azemu-bench-rp-'));
  const configDir = mkdtempSync(path.join(os.tmpdir(), 'azemu-bench-cfg-'));
  const emulator = spawn(process.execPath, [RP, '--port', '0', '--data-dir', dataDir, '--seed', 'demo', '--quiet'], { stdio: 'ignore' });
  try {
    const file = path.join(dataDir, 'emulator.json');
    for (const deadline = Date.now() + 30_000; !existsSync(file); ) {
      if (Date.now() > deadline || emulator.exitCode !== null) throw new Error('the emulator did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    const info = JSON.parse(readFileSync(file, 'utf8')) as { demo: { managedResourceGroup: string; bareMetalMachineIds: string[] } };
    const env = { ...process.env, AZEMU_CONFIG_DIR: configDir };
    timeRun([CLI, 'login', '--emulator', dataDir, '-o', 'none'], env);
    const name = info.demo.bareMetalMachineIds[0].split('/').pop()!;
    const show = [CLI, 'networkcloud', 'baremetalmachine', 'show', '-g', info.demo.managedResourceGroup, '-n', name];
    const golden = [...show, '--query', 'caCertificate', '-o', 'tsv'];
    // warm the OS file cache and the emulator once
    timeRun(show, env);
    timeRun(['-e', '0'], env);
    const showMs: number[] = [];
    const goldenMs: number[] = [];
    const nodeMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      nodeMs.push(timeRun(['-e', '0'], env));
      showMs.push(timeRun(show, env));
      goldenMs.push(timeRun(golden, env));
    }
    const result = {
      benchmark: 'cli-show',
      command: 'azemu networkcloud baremetalmachine show -g MRG -n NAME',
      runs,
      node: process.version,
      cpus: os.cpus().length,
      date: new Date().toISOString(),
      medianMs: {
        show: round(median(showMs)),
        showQueryTsv: round(median(goldenMs)),
        nodeBaseline: round(median(nodeMs)),
        showOverBaseline: round(median(showMs) - median(nodeMs)),
      },
      p90Ms: { show: round(percentile(showMs, 90)), nodeBaseline: round(percentile(nodeMs, 90)) },
      ratio: Math.round((median(showMs) / median(nodeMs)) * 100) / 100,
      targetRatio: 1.5,
      withinTarget: median(showMs) <= 1.5 * median(nodeMs),
    };
    mkdirSync(path.dirname(RESULT), { recursive: true });
    writeFileSync(RESULT, JSON.stringify(result, null, 2) + '\n');
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  } finally {
    emulator.kill('SIGTERM');
    rmSync(configDir, { recursive: true, force: true });
    setTimeout(() => rmSync(dataDir, { recursive: true, force: true }), 500).unref();
  }
}

await main();
