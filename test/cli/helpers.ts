/**
 * CLI test helpers: a real emulator in a child process (ephemeral port, temp data dir, demo
 * seed, short operations), azemu run as a subprocess against it with its own config dir, and
 * a direct HTTPS GET (trusting only the emulator CA) to compare the CLI with the API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { DemoInfo, EmulatorInfo as ServerEmulatorInfo } from '../../rp/emulator.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const CLI = path.join(ROOT, 'dist/cli/main.js');
const RP_MAIN = path.join(ROOT, 'dist/rp/main.js');

/** emulator.json as the server writes it (rp/emulator.ts), with the demo these tests always start. */
export type EmulatorInfo = ServerEmulatorInfo & { caCertFile: string; demo: DemoInfo };

export interface RunningEmulator {
  dataDir: string;
  info: EmulatorInfo;
  stop(): Promise<void>;
}

/** `operationDuration`: how long the emulator's long-running operations take (100ms unless given; `null` keeps the emulator's default). */
export async function startEmulator(opts: { operationDuration?: string | null } = {}): Promise<RunningEmulator> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'azemu-rp-'));
  const duration = opts.operationDuration === null ? [] : ['--operation-duration', opts.operationDuration ?? '100ms'];
  const child: ChildProcess = spawn(process.execPath, [RP_MAIN, '--port', '0', '--data-dir', dataDir, '--seed', 'demo', ...duration], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const file = path.join(dataDir, 'emulator.json');
  const deadline = Date.now() + 30_000;
  while (!existsSync(file)) {
    if (child.exitCode !== null) throw new Error(`emulator exited with ${child.exitCode}: ${stderr}`);
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`emulator did not write ${file} in 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  // written atomically by the emulator, but give a partial write no chance
  let info: EmulatorInfo | undefined;
  while (!info) {
    try {
      info = JSON.parse(readFileSync(file, 'utf8')) as EmulatorInfo;
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return {
    dataDir,
    info,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  /** stderr without az's preview status line (see `preview`) */
  stderr: string;
  /** the preview line was printed first, as az prints it for a Preview command */
  preview: boolean;
  /** stderr exactly as written */
  rawStderr: string;
}

/** What az prints on stderr before running a command registered with is_preview (knack + azure-cli). */
export const PREVIEW_WARNING = 'This command is in preview and under development. Reference and support levels: https://aka.ms/CLI_refstatus\n';

const tempDirs: string[] = [];

/** A temporary directory removed by removeTempDirs(). */
export function tempDir(prefix = 'azemu-tmp-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** A fresh AZEMU_CONFIG_DIR (no profile: not logged in). */
export function newConfigDir(): string {
  return tempDir('azemu-cfg-');
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Run azemu; `configDir` isolates its profile and token cache. */
export function azemu(args: string[], opts: { configDir: string; cwd?: string; env?: Record<string, string>; input?: string }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, AZEMU_CONFIG_DIR: opts.configDir, AZEMU_POLL_INTERVAL_MS: '50', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const preview = stderr.startsWith(PREVIEW_WARNING);
      resolve({ code: code ?? -1, stdout, stderr: preview ? stderr.slice(PREVIEW_WARNING.length) : stderr, preview, rawStderr: stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** A GET straight to the emulator (own token, CA from emulator.json), bypassing the CLI. */
export async function directGet(info: EmulatorInfo, pathAndQuery: string): Promise<{ status: number; body: any }> {
  const ca = readFileSync(info.caCertFile);
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: info.clientId, client_secret: info.clientSecret, scope: 'https://management.azure.com/.default' }).toString();
  const token = (await request(info, ca, 'POST', `/${info.tenantId}/oauth2/v2.0/token`, form, { 'Content-Type': 'application/x-www-form-urlencoded' })).body.access_token as string;
  return request(info, ca, 'GET', pathAndQuery, undefined, { Authorization: `Bearer ${token}` });
}

/**
 * A request straight to the emulator as the demo service principal, with a token for `scope`
 * (ARM by default; https://vault.azure.net/.default for a vault's data plane).
 */
export async function directRequest(info: EmulatorInfo, method: string, pathAndQuery: string, opts: { scope?: string; body?: unknown } = {}): Promise<{ status: number; body: any }> {
  const ca = readFileSync(info.caCertFile);
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: info.clientId, client_secret: info.clientSecret, scope: opts.scope ?? 'https://management.azure.com/.default' }).toString();
  const token = (await request(info, ca, 'POST', `/${info.tenantId}/oauth2/v2.0/token`, form, { 'Content-Type': 'application/x-www-form-urlencoded' })).body.access_token as string;
  const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  return request(info, ca, method, pathAndQuery, opts.body === undefined ? undefined : JSON.stringify(opts.body), headers);
}

function request(info: EmulatorInfo, ca: Buffer, method: string, p: string, body: string | undefined, headers: Record<string, string>): Promise<{ status: number; body: any }> {
  const url = new URL(p.replace(/^\//, ''), info.endpoint);
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers, ca }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}
