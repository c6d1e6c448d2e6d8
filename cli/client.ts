/**
 * HTTPS to the emulator: the emulator's CA trusted through the agent's `ca` option (read from
 * the profile, never by turning TLS checks off), the service-principal token (cached until
 * shortly before it expires), az's retries on 5xx, --debug dumps, paging and long-running
 * operation polling.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request as httpsRequest } from 'node:https';
import type { FinalStateVia } from './commands/types.js';
import { ArmResponseError, CliError, armErrorOf } from './errors.js';
import { redactBody, redactHeader, redactSecretValues, type Logger } from './log.js';
import { ARM_SCOPE, clearToken, loadToken, saveToken, type Profile } from './profile.js';

export interface HttpResponse {
  status: number;
  reason: string;
  headers: Record<string, string>;
  body: string;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** attach the bearer token (default: true) */
  auth?: boolean;
  /** retry 408/429/5xx like azure-core's RetryPolicy (default: true; az rest does not) */
  retry?: boolean;
  /**
   * Key Vault's challenge-based authentication (what the SDKs' KeyVault challenge policy does):
   * send with the cached token for the vault audience if there is one, else without a token;
   * on a 401, get a token for the resource and tenant the WWW-Authenticate challenge names
   * (only from this emulator) and send again.
   */
  challenge?: boolean;
}

const USER_AGENT = `azemu/0.1.0 (Node.js ${process.version}) AZURECLI-compatible`;
/** Refresh this long before expiry, as MSAL does. */
const TOKEN_REFRESH_MARGIN_MS = 5 * 60 * 1000;
/** The scope of Key Vault data-plane tokens. */
export const VAULT_SCOPE = 'https://vault.azure.net/.default';
const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
const RETRY_TOTAL = 3;
const RETRY_BACKOFF_S = 0.8;

export class EmulatorClient {
  private readonly agent: Agent;
  /** tokens got or read in this process, by scope */
  private readonly tokens = new Map<string, string>();
  /** what each vault's challenge asked for: /vaults/NAME on a host -> scope and tenant */
  private readonly challenges = new Map<string, { scope: string; tenantId: string }>();

  constructor(
    readonly profile: Profile,
    private readonly log: Logger,
    /** az's CommandName / ParameterSetName request headers */
    private readonly commandHeaders: Record<string, string> = {},
  ) {
    this.agent = new Agent({ ca: readCa(profile.caCertFile), keepAlive: true });
  }

  close(): void {
    this.agent.destroy();
  }

  /** An absolute URL for a path relative to the emulator's endpoint. */
  url(pathOrUrl: string): string {
    if (/^https?:\/\//i.test(pathOrUrl)) return pathOrUrl;
    return this.profile.endpoint.replace(/\/+$/, '') + '/' + pathOrUrl.replace(/^\/+/, '');
  }

  isEmulatorUrl(url: string): boolean {
    try {
      return new URL(url).host === new URL(this.profile.endpoint).host;
    } catch {
      return false;
    }
  }

  async send(method: string, pathOrUrl: string, opts: RequestOptions = {}): Promise<HttpResponse> {
    const url = this.url(pathOrUrl);
    const retry = opts.retry ?? true;
    for (let attempt = 0; ; attempt++) {
      let response = opts.challenge ? await this.sendChallenged(method, url, opts) : await this.sendOnce(method, url, opts);
      if (!opts.challenge && response.status === 401 && (opts.auth ?? true) && attempt === 0) {
        // a cached token from an emulator that was restarted with new keys: get a fresh one, once
        clearToken(ARM_SCOPE);
        this.tokens.delete(ARM_SCOPE);
        response = await this.sendOnce(method, url, opts);
      }
      if (!retry || !RETRY_STATUSES.has(response.status) || attempt >= RETRY_TOTAL) return response;
      const delay = retryAfterMs(response) ?? RETRY_BACKOFF_S * 1000 * 2 ** attempt;
      this.log.debug(`cli.azemu.client: Retrying ${method} ${url} after ${delay} ms (status ${response.status})`);
      await sleep(delay);
    }
  }

  /** ARM call: throws az's error for any status >= 400. */
  async arm(method: string, path: string, opts: RequestOptions = {}): Promise<HttpResponse> {
    const response = await this.send(method, path, opts);
    if (response.status >= 400) throw armError(response);
    return response;
  }

  async json<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    return parseJson<T>((await this.arm(method, path, opts)).body);
  }

  /** GET every page of a list: `{value, nextLink}`. */
  async listAll(path: string, opts: { maxItems?: number; startLink?: string; offset?: number } = {}): Promise<{ items: unknown[]; next?: { link: string; offset: number } }> {
    const items: unknown[] = [];
    let link: string | undefined = opts.startLink ?? path;
    let offset = opts.offset ?? 0;
    while (link) {
      const page: { value?: unknown[]; nextLink?: string } = await this.json('GET', link);
      const values = (page.value ?? []).slice(offset);
      offset = 0;
      if (opts.maxItems !== undefined && items.length + values.length > opts.maxItems) {
        const take = opts.maxItems - items.length;
        items.push(...values.slice(0, take));
        const pageOffset = (page.value ?? []).length - values.length + take;
        return { items, next: { link, offset: pageOffset } };
      }
      items.push(...values);
      if (opts.maxItems !== undefined && items.length === opts.maxItems && page.nextLink) return { items, next: { link: page.nextLink, offset: 0 } };
      link = page.nextLink || undefined;
    }
    return { items };
  }

  /**
   * Follow a long-running operation to its end, as azure-core's ARM poller does (what az runs):
   * - a response carrying Azure-AsyncOperation is followed there, whatever its status (200, 201
   *   or 202), until the operation's `status` is terminal; else one carrying Location is polled
   *   until it stops answering 202; else a PUT or PATCH is followed by GETting the resource until
   *   its provisioningState is terminal; anything else is already done;
   * - between polls it waits Retry-After when the last response sent one, else one second;
   * - a Failed or Canceled operation, or an error status while polling, raises az's error;
   * - the result then comes from the final GET the operation's final-state-via calls for:
   *   `location` reads the Location URL; PUT and PATCH read the resource (or the status body's
   *   resourceLocation); a POST with `azure-async-operation` keeps the status body.
   * finalStateVia defaults to what the Network Cloud API declares: azure-async-operation for PUT
   * and PATCH, location for DELETE and POST.
   */
  async completeLro(initial: HttpResponse, kind: 'put' | 'patch' | 'delete' | 'post', resourcePath: string, progress?: Progress, finalStateVia?: FinalStateVia): Promise<unknown> {
    const via: FinalStateVia = finalStateVia ?? (kind === 'put' || kind === 'patch' ? 'azure-async-operation' : 'location');
    const asyncUrl = initial.headers['azure-asyncoperation'];
    let locationUrl = initial.headers['location'];
    const mode: 'async' | 'location' | 'body' | 'done' = asyncUrl ? 'async' : locationUrl ? 'location' : kind === 'put' || kind === 'patch' ? 'body' : 'done';
    const emptyResult = () => (initial.status === 204 || !initial.body ? null : parseJsonOrNull(initial.body));
    if (mode === 'done') return emptyResult();
    if (mode === 'body') {
      // No status link: the resource's own provisioningState says when it is done (BodyContentPolling).
      const state = provisioningState(initial);
      if (initial.status !== 202 && (state === undefined || TERMINAL.has(state.toLowerCase()))) {
        if (state && state.toLowerCase() !== 'succeeded') throw operationFailed({ status: state });
        return emptyResult();
      }
    }
    let last = initial;
    try {
      for (;;) {
        progress?.tick();
        await sleep(pollDelayMs(last));
        const pollUrl = mode === 'async' ? asyncUrl! : mode === 'location' ? locationUrl! : resourcePath;
        const response = await this.send('GET', pollUrl);
        if (response.status >= 400) throw armError(response);
        last = response;
        if (mode === 'location') {
          if (response.headers['location']) locationUrl = response.headers['location'];
          if (response.status === 202) continue;
          // Location polling ends with its own last answer: no final GET.
          return response.status === 204 ? null : parseJsonOrNull(response.body);
        }
        const body = parseJsonOrNull(response.body) as { status?: string; error?: unknown; resourceLocation?: string } | null;
        const status = mode === 'async' ? body?.status : provisioningState(response) ?? 'Succeeded';
        if (!status) throw new CliError(`The long-running operation's status at ${pollUrl} has no 'status'.`);
        if (!TERMINAL.has(status.toLowerCase())) continue;
        if (status.toLowerCase() !== 'succeeded') throw operationFailed(mode === 'async' ? body! : { status });
        if (mode === 'body') return body;
        const finalUrl = finalGetUrl(via, kind, locationUrl, body?.resourceLocation, resourcePath);
        if (!finalUrl) return body;
        const final = await this.send('GET', finalUrl);
        if (final.status >= 400) throw armError(final);
        return final.status === 204 ? null : parseJsonOrNull(final.body);
      }
    } finally {
      progress?.done();
    }
  }

  /** The logged-in principal's object id: the `oid` claim of its ARM token (what az asks Graph for). */
  async callerObjectId(): Promise<string> {
    const token = await this.bearer();
    try {
      const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as { oid?: string };
      if (claims.oid) return claims.oid;
    } catch {
      /* fall through */
    }
    throw new CliError('Cannot tell the object id of the logged-in principal from its token; use --no-self-perms.');
  }

  /** A valid token for the scope from this process or the token cache, else null. */
  private cachedBearer(scope: string, tenantId = this.profile.tenantId): string | null {
    const known = this.tokens.get(scope);
    if (known) return known;
    const cached = loadToken(this.profile, scope, tenantId);
    if (cached && cached.expiresOn - TOKEN_REFRESH_MARGIN_MS > Date.now()) {
      this.tokens.set(scope, cached.accessToken);
      return cached.accessToken;
    }
    return null;
  }

  /** The service principal's token for a scope (client credentials), cached until shortly before it expires. */
  private async bearer(scope = ARM_SCOPE, tenantId = this.profile.tenantId): Promise<string> {
    const cached = this.cachedBearer(scope, tenantId);
    if (cached) return cached;
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.profile.clientId,
      client_secret: this.profile.clientSecret,
      scope,
    }).toString();
    const response = await this.sendOnce('POST', this.url(`${encodeURIComponent(tenantId)}/oauth2/v2.0/token`), {
      auth: false,
      body: form,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    if (response.status >= 400) {
      const err = parseJsonOrNull(response.body) as { error?: string; error_description?: string } | null;
      const why = err?.error_description || err?.error || `HTTP ${response.status}`;
      throw new CliError(`The emulator refused the login of client '${this.profile.clientId}': ${why}. Run 'azemu login' again.`);
    }
    const body = parseJson<{ access_token: string; expires_in: number | string }>(response.body);
    const token = { accessToken: body.access_token, expiresOn: Date.now() + Number(body.expires_in) * 1000, endpoint: this.profile.endpoint, clientId: this.profile.clientId, tenantId };
    saveToken(token, scope);
    this.tokens.set(scope, token.accessToken);
    return token.accessToken;
  }

  /** See RequestOptions.challenge. */
  private async sendChallenged(method: string, url: string, opts: RequestOptions): Promise<HttpResponse> {
    const vault = challengeKey(url);
    // before any challenge, a vault token this login already holds is tried (saves a round trip per run)
    const known = this.challenges.get(vault) ?? { scope: VAULT_SCOPE, tenantId: this.profile.tenantId };
    const cached = this.isEmulatorUrl(url) ? this.cachedBearer(known.scope, known.tenantId) : null;
    const first = await this.sendOnce(method, url, { ...opts, auth: false, headers: cached ? { ...opts.headers, Authorization: `Bearer ${cached}` } : opts.headers });
    if (first.status !== 401) return first;
    const challenge = parseChallenge(first.headers['www-authenticate'] ?? '');
    if (!challenge) return first;
    let authority: URL;
    try {
      authority = new URL(challenge.authorization);
    } catch {
      throw new CliError(`The vault answered with an authentication challenge naming '${challenge.authorization}', which is not a URL.`);
    }
    // the client secret goes only to the emulator we logged in to
    if (!this.isEmulatorUrl(authority.toString())) {
      throw new CliError(`The vault asks for a token from ${authority.origin}, which is not the emulator in the azemu profile (${this.profile.endpoint}); refusing to send the credentials there.`);
    }
    const tenantId = authority.pathname.split('/').filter(Boolean)[0] ?? this.profile.tenantId;
    const scope = `${challenge.resource.replace(/\/+$/, '')}/.default`;
    this.challenges.set(vault, { scope, tenantId });
    if (cached) {
      clearToken(scope);
      this.tokens.delete(scope);
    }
    const token = await this.bearer(scope, tenantId);
    return this.sendOnce(method, url, { ...opts, auth: false, headers: { ...opts.headers, Authorization: `Bearer ${token}` } });
  }

  private async sendOnce(method: string, url: string, opts: RequestOptions): Promise<HttpResponse> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'User-Agent': USER_AGENT,
      'x-ms-client-request-id': randomUUID(),
      ...this.commandHeaders,
      ...opts.headers,
    };
    if ((opts.auth ?? true) && !hasHeader(headers, 'authorization')) headers.Authorization = `Bearer ${await this.bearer()}`;
    let payload: string | undefined;
    if (opts.body !== undefined) {
      payload = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      if (!hasHeader(headers, 'content-type')) headers['Content-Type'] = 'application/json';
    }
    this.debugRequest(method, url, headers, payload);
    const response = await this.transmit(method, url, headers, payload);
    this.debugResponse(url, response);
    return response;
  }

  private transmit(method: string, url: string, headers: Record<string, string>, payload?: string): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(url, { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const flat: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : v;
          resolve({ status: res.statusCode ?? 0, reason: res.statusMessage ?? '', headers: flat, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      });
      req.on('error', (err) => reject(this.connectionError(err as NodeJS.ErrnoException, url)));
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  private connectionError(err: NodeJS.ErrnoException, url: string): CliError {
    const endpoint = this.profile.endpoint;
    if (err.code === 'ECONNREFUSED' || err.code === 'ECONNRESET' || err.code === 'EHOSTUNREACH' || err.code === 'ENOTFOUND') {
      return new CliError(`Cannot reach the emulator at ${endpoint} (${err.code}): start it (npm start) and run 'azemu login' again.`);
    }
    if (/certificate|self[- ]signed|SSL|TLS/i.test(`${err.code} ${err.message}`)) {
      return new CliError(
        `The TLS certificate of ${new URL(url).host} is not trusted by the CA in the azemu profile (${err.code ?? err.message}): the emulator was probably restarted with another data directory; run 'azemu login' again.`,
      );
    }
    return new CliError(`Request to ${url} failed: ${err.message}`);
  }

  private debugRequest(method: string, url: string, headers: Record<string, string>, payload?: string): void {
    if (!this.log.debugEnabled) return;
    const d = (m: string) => this.log.debug(`cli.azemu.client: ${m}`);
    d(`Request URL: '${url}'`);
    d(`Request method: '${method}'`);
    d('Request headers:');
    for (const [k, v] of Object.entries(headers)) d(`    '${k}': '${redactHeader(k, v)}'`);
    d('Request body:');
    d(payload === undefined ? 'This request has no body' : this.redacted(url, payload));
  }

  /** Body text for --debug: credentials redacted, and on a vault's secrets the secret values too. */
  private redacted(url: string, body: string): string {
    const text = redactBody(body);
    return isVaultSecretUrl(url) ? redactSecretValues(text) : text;
  }

  private debugResponse(url: string, response: HttpResponse): void {
    if (!this.log.debugEnabled) return;
    const d = (m: string) => this.log.debug(`cli.azemu.client: ${m}`);
    d(`Response status: ${response.status}`);
    d('Response headers:');
    for (const [k, v] of Object.entries(response.headers)) d(`    '${k}': '${redactHeader(k, v)}'`);
    d('Response content:');
    d(this.redacted(url, response.body));
  }
}

const TERMINAL = new Set(['succeeded', 'failed', 'canceled', 'cancelled']);

/** x-ms-long-running-operation-options final-state-via: where the result of an operation is read. */
export type { FinalStateVia };

/** The URL of the GET that ends an Azure-AsyncOperation poll (azure-core's get_final_get_url), or null for none. */
function finalGetUrl(via: FinalStateVia, kind: 'put' | 'patch' | 'delete' | 'post', locationUrl: string | undefined, resourceLocation: string | undefined, resourcePath: string): string | null {
  if (via === 'location' && locationUrl) return locationUrl;
  if (via === 'azure-async-operation' && kind === 'post') return null;
  if (via === 'original-uri') return resourcePath;
  if (resourceLocation) return resourceLocation;
  if (kind === 'put' || kind === 'patch') return resourcePath;
  if (kind === 'post' && locationUrl) return locationUrl;
  return null;
}

/** properties.provisioningState of a resource response, if it has one. */
function provisioningState(response: HttpResponse): string | undefined {
  const body = parseJsonOrNull(response.body) as { properties?: { provisioningState?: unknown } } | null;
  const state = body?.properties?.provisioningState;
  return typeof state === 'string' ? state : undefined;
}

/** Challenges are remembered per vault: host plus /vaults/NAME (one process talks to few vaults). */
function challengeKey(url: string): string {
  const u = new URL(url);
  return u.host + u.pathname.split('/').slice(0, 3).join('/');
}

/** A Key Vault secrets URL: the emulator's /vaults/NAME/(deleted)secrets/... or https://NAME.vault.azure.net/secrets/... */
export function isVaultSecretUrl(url: string): boolean {
  try {
    const u = new URL(url);
    if (/\.vault\.azure\.net$/i.test(u.hostname)) return /^\/(deleted)?secrets(\/|$)/i.test(u.pathname);
    return /^\/vaults\/[^/]+\/(deleted)?secrets(\/|$)/i.test(u.pathname);
  } catch {
    return false;
  }
}

/** `Bearer authorization="https://login/TENANT", resource="https://vault.azure.net"` (also authorization_uri, scope). */
export function parseChallenge(header: string): { authorization: string; resource: string } | null {
  if (!/^\s*Bearer\s/i.test(header)) return null;
  const params: Record<string, string> = {};
  for (const m of header.matchAll(/(\w+)="([^"]*)"/g)) params[m[1].toLowerCase()] = m[2];
  const authorization = params.authorization ?? params.authorization_uri;
  const resource = params.resource ?? params.scope?.replace(/\/\.default$/, '');
  return authorization && resource ? { authorization, resource } : null;
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

function readCa(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch {
    throw new CliError(`The emulator's CA certificate '${file}' named in the azemu profile is missing: start the emulator and run 'azemu login' again.`);
  }
}

export function armError(response: HttpResponse): ArmResponseError {
  return new ArmResponseError(response.status, response.reason, response.body, armErrorOf(response.body));
}

/** A Failed/Canceled operation status: az raises its `error` like an HTTP error. */
function operationFailed(body: { status?: string; error?: unknown }): CliError {
  const error = (body.error ?? { code: body.status, message: `The operation ended in status '${body.status}'.` }) as { code?: string; message?: string };
  return new ArmResponseError(200, body.status ?? 'Failed', JSON.stringify(body), error);
}

function retryAfterMs(response: HttpResponse): number | undefined {
  const value = response.headers['retry-after'];
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * Retry-After when the server sends it, else one second. AZEMU_POLL_INTERVAL_MS caps the wait
 * (for tests and scripts driving an emulator with short operations).
 */
function pollDelayMs(response: HttpResponse): number {
  const delay = retryAfterMs(response) ?? 1000;
  const cap = Number(process.env.AZEMU_POLL_INTERVAL_MS);
  return Number.isFinite(cap) && process.env.AZEMU_POLL_INTERVAL_MS !== '' ? Math.min(delay, cap) : delay;
}

export function parseJson<T>(body: string): T {
  try {
    return JSON.parse(body) as T;
  } catch {
    throw new CliError(`The emulator returned a response that is not JSON: ${body.slice(0, 200)}`);
  }
}

export function parseJsonOrNull(body: string): unknown {
  if (!body) return null;
  try {
    return JSON.parse(body);
  } catch {
    return null;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** az's "- Running .." spinner on stderr while a long-running operation is polled, only on a terminal. */
export class Progress {
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly active = !!process.stderr.isTTY;
  constructor(private readonly message = 'Running') {}
  tick(): void {
    if (!this.active || this.timer) return;
    const draw = () => process.stderr.write(`\r${'-\\|/'[this.frame++ % 4]} ${this.message} ..`);
    draw();
    this.timer = setInterval(draw, 250);
    this.timer.unref();
  }
  done(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    process.stderr.write('\r' + ' '.repeat(this.message.length + 6) + '\r');
  }
}
