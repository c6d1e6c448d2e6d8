/**
 * Test harness: a real emulator on an ephemeral loopback port over HTTPS, either in this process
 * (fast; full access for assertions) or as a child process (for restarts and kill -9), plus a
 * small HTTPS client that trusts only the emulator's CA.
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONFIG, type EmulatorConfig } from '../../rp/config.js';
import { Emulator, type EmulatorInfo } from '../../rp/emulator.js';
import { seedDemo } from '../../rp/seed/demo.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const MAIN = path.join(ROOT, 'dist/rp/main.js');

export interface Reply<T = any> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
  text: string;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** false: send no Authorization header; a string: send that token. */
  token?: string | false;
  /** Send this exact text as the body instead of JSON. */
  raw?: string | Buffer;
}

export class Client {
  private cached?: { token: string; until: number };

  constructor(
    readonly info: EmulatorInfo,
    readonly ca: string,
  ) {}

  get endpoint(): string {
    return this.info.endpoint;
  }

  get port(): number {
    return Number(new URL(this.info.endpoint).port);
  }

  /** An ARM token for the demo service principal, from the emulator's own token endpoint. */
  async token(scope = 'https://management.azure.com/.default'): Promise<string> {
    if (this.cached && this.cached.until > Date.now() && scope === 'https://management.azure.com/.default') return this.cached.token;
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: this.info.clientId, client_secret: this.info.clientSecret, scope });
    const r = await this.send('POST', `/${this.info.tenantId}/oauth2/v2.0/token`, undefined, {
      token: false,
      raw: form.toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    if (r.status !== 200) throw new Error(`token request failed: ${r.status} ${r.text}`);
    if (scope === 'https://management.azure.com/.default') this.cached = { token: r.body.access_token, until: Date.now() + 30 * 60_000 };
    return r.body.access_token;
  }

  /** Sends a request; `pathOrUrl` may be a path ('/subscriptions/...') or an absolute URL from a header. */
  async send<T = any>(method: string, pathOrUrl: string, body?: unknown, options: RequestOptions = {}): Promise<Reply<T>> {
    // A path is sent as written (even '//metadata/...'); only absolute URLs are parsed.
    const url = /^https?:/.test(pathOrUrl) ? new URL(pathOrUrl) : { port: String(this.port), pathname: pathOrUrl, search: '' };
    const token = options.token === false ? undefined : options.token ?? (await this.token());
    const payload = options.raw !== undefined ? Buffer.from(options.raw) : body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string | number> = { ...(options.headers ?? {}) };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (payload) {
      headers['Content-Length'] = payload.length;
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
    }
    return new Promise((resolve, reject) => {
      const req = https.request(
        { host: '127.0.0.1', servername: 'localhost', port: url.port, method, path: url.pathname + url.search, headers, ca: this.ca },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: any;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              parsed = undefined;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed, text });
          });
        },
      );
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
  }

  get = <T = any>(p: string, o?: RequestOptions) => this.send<T>('GET', p, undefined, o);
  put = <T = any>(p: string, b: unknown, o?: RequestOptions) => this.send<T>('PUT', p, b, o);
  patch = <T = any>(p: string, b: unknown, o?: RequestOptions) => this.send<T>('PATCH', p, b, o);
  post = <T = any>(p: string, b?: unknown, o?: RequestOptions) => this.send<T>('POST', p, b, o);
  delete = <T = any>(p: string, o?: RequestOptions) => this.send<T>('DELETE', p, undefined, o);

  /** Follows a long-running operation's Azure-AsyncOperation or Location header until it ends. */
  async poll(reply: Reply, timeoutMs = 20_000): Promise<Reply> {
    const url = (reply.headers['azure-asyncoperation'] ?? reply.headers.location) as string | undefined;
    if (!url) return reply;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.get(url);
      const done = url === reply.headers['azure-asyncoperation'] ? r.body?.status !== 'InProgress' : r.status !== 202;
      if (done) return r;
      if (Date.now() > deadline) throw new Error(`operation ${url} did not finish in ${timeoutMs} ms`);
      await new Promise((res) => setTimeout(res, 50));
    }
  }
}

export interface Running {
  emu: Emulator;
  client: Client;
  stop(): Promise<void>;
}

/** Starts an emulator in this process. By default: in memory, no demo, LROs of 0 ms. */
export async function startEmulator(overrides: Partial<EmulatorConfig> & { demo?: boolean } = {}): Promise<Running> {
  const dataDir = overrides.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'nce-test-'));
  const config: EmulatorConfig = { ...DEFAULT_CONFIG, port: 0, inMemory: true, seed: 'none', operationDurationMs: 0, quiet: true, ...overrides, dataDir };
  const errors: string[] = [];
  const emu = await Emulator.open(config, { request: () => undefined, error: (l) => errors.push(l) });
  await emu.listen();
  if (overrides.demo) await seedDemo(emu);
  await emu.writeInfoFile();
  const client = new Client(emu.info(), emu.caCertPem);
  return {
    emu,
    client,
    async stop() {
      await emu.close();
      if (!overrides.dataDir) rmSync(dataDir, { recursive: true, force: true });
      if (errors.length) throw new Error(`the emulator logged errors:\n${errors.join('\n')}`);
    },
  };
}

export interface Spawned {
  child: ChildProcess;
  dataDir: string;
  client: Client;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** The shell prefix that raises a child's open-file limit as far as the machine allows (then `exec`s the command). */
export const RAISE_FD_LIMIT = 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"';

/**
 * Starts `node dist/rp/main.js` as a child and waits for its emulator.json. `raiseFdLimit` runs it
 * through bash with `ulimit -n` raised first (for tests that open thousands of sockets).
 */
export async function spawnEmulator(args: string[] = [], dataDir = mkdtempSync(path.join(os.tmpdir(), 'nce-proc-')), opts: { raiseFdLimit?: boolean } = {}): Promise<Spawned> {
  const infoFile = path.join(dataDir, 'emulator.json');
  const before = existsSync(infoFile) ? readFileSync(infoFile, 'utf8') : '';
  // '--log-requests' (test-only spelling) keeps the request log on, for tests that read it.
  const logRequests = args.includes('--log-requests');
  const rest = args.filter((a) => a !== '--log-requests');
  const argv = [MAIN, '--port', '0', '--data-dir', dataDir, ...(logRequests ? [] : ['--quiet']), ...rest];
  const child = opts.raiseFdLimit
    ? spawn('bash', ['-c', RAISE_FD_LIMIT, 'bash', process.execPath, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (existsSync(infoFile)) {
      const text = readFileSync(infoFile, 'utf8');
      if (text !== before && text.includes(`"pid": ${child.pid}`)) break;
    }
    if (child.exitCode !== null) throw new Error(`emulator exited with ${child.exitCode}:\n${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`emulator did not become ready:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const info = JSON.parse(readFileSync(infoFile, 'utf8')) as EmulatorInfo;
  const client = new Client(info, readFileSync(info.caCertFile!, 'utf8'));
  return {
    child,
    dataDir,
    client,
    output: () => out,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      // A child that ignores SIGTERM must not keep the test run alive.
      const escalate = setTimeout(() => child.kill('SIGKILL'), 5_000);
      try {
        return await exited;
      } finally {
        clearTimeout(escalate);
      }
    },
  };
}

/** Path helpers. */
export const rgPath = (sub: string, rg: string) => `/subscriptions/${sub}/resourceGroups/${rg}`;
export const ncPath = (sub: string, rg: string, type: string, name?: string) =>
  `${rgPath(sub, rg)}/providers/Microsoft.NetworkCloud/${type}${name ? `/${name}` : ''}`;
