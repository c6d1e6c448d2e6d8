/** Shared pieces of the benchmarks: a child emulator, statistics, result files. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const RESULTS = path.join(ROOT, 'bench/results');

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

export function writeResult(name: string, result: unknown): string {
  mkdirSync(RESULTS, { recursive: true });
  const file = path.join(RESULTS, `${name}.json`);
  writeFileSync(file, JSON.stringify({ measuredAt: new Date().toISOString(), node: process.version, ...(result as object) }, null, 2) + '\n');
  return file;
}

export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? round(Number(m[1]) / 1024, 1) : NaN;
}

/** CPU time (user + system) a process has used so far, in milliseconds (Linux /proc). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the line (11 and 12 after the command name), in clock ticks.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

export interface ChildServer {
  child: ChildProcess;
  port: number;
  stop(): Promise<void>;
}

/** Starts the emulator as a child and waits for emulator.json (written when ready). */
export async function startEmulatorChild(dataDir: string, args: string[] = [], nodeArgs: string[] = []): Promise<ChildServer & { info: any }> {
  const infoFile = path.join(dataDir, 'emulator.json');
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'dist/rp/main.js'), '--port', '0', '--data-dir', dataDir, '--quiet', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (existsSync(infoFile)) {
      const info = JSON.parse(readFileSync(infoFile, 'utf8'));
      if (info.pid === child.pid) {
        return { child, info, port: Number(new URL(info.endpoint).port), stop: () => stopChild(child) };
      }
    }
    if (child.exitCode !== null) throw new Error(`emulator exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error('emulator did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts a child that prints its port on its first stdout line. */
export function startPortChild(args: string[]): Promise<ChildServer> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
    child.stdout!.once('data', (d) => resolve({ child, port: Number(String(d).trim()), stop: () => stopChild(child) }));
  });
}

export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * Copies a stored record under a new key of the same collection. Secret fields are sealed with
 * their record's key as associated data (rp/secrets/at-rest.ts), so a copy is opened with the
 * template's key and sealed again with its own, using the data folder's store.key.
 */
export async function recordCopier(dataDir: string, collection: string, templateKey: string, template: unknown): Promise<(key: string, edit: (r: any) => void) => unknown> {
  const { openSealer } = await import('../rp/secrets/at-rest.js');
  const sealer = await openSealer(dataDir, {});
  const plain = sealer.unseal(collection, templateKey, template);
  return (key, edit) => {
    const r = structuredClone(plain);
    edit(r);
    return sealer.seal(collection, key, r);
  };
}
