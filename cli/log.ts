/**
 * stderr logging the way az does it: `WARNING:`/`INFO:`/`DEBUG:` prefixes, --only-show-errors
 * silences warnings, --verbose adds INFO, --debug adds DEBUG (request/response dumps with
 * tokens and secrets redacted).
 */
export interface Logger {
  readonly debugEnabled: boolean;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

export function createLogger(opts: { debug: boolean; verbose: boolean; onlyShowErrors: boolean }): Logger {
  const write = (prefix: string, message: string) => process.stderr.write(`${prefix}: ${message}\n`);
  return {
    debugEnabled: opts.debug,
    warn: (m) => {
      if (!opts.onlyShowErrors) write('WARNING', m);
    },
    info: (m) => {
      if (opts.verbose || opts.debug) write('INFO', m);
    },
    debug: (m) => {
      if (opts.debug) write('DEBUG', m);
    },
  };
}

export const silentLogger: Logger = { debugEnabled: false, warn: () => {}, info: () => {}, debug: () => {} };

const REDACTED = '*****';
/** JSON keys whose values are credentials. */
const SECRET_KEYS = /^(access_?token|refresh_?token|id_?token|client_?secret|clientSecret|password|secret|adminPassword|bmcPassword|token)$/i;
/** Headers whose values are credentials. */
const SECRET_HEADERS = new Set(['authorization', 'x-ms-authorization-auxiliary', 'secret', 'x-identity-header', 'cookie', 'set-cookie']);

export function redactHeader(name: string, value: string): string {
  return SECRET_HEADERS.has(name.toLowerCase()) ? REDACTED : value;
}

/** Redact secrets in a request or response body: JSON keys, form fields, and bearer tokens anywhere. */
export function redactBody(body: string): string {
  if (!body) return body;
  try {
    return JSON.stringify(redactJson(JSON.parse(body)));
  } catch {
    /* not JSON */
  }
  if (/^[\w.%-]+=[^&]*(&[\w.%-]+=[^&]*)*$/.test(body.trim())) {
    return body
      .split('&')
      .map((pair) => {
        const [k] = pair.split('=', 1);
        return SECRET_KEYS.test(decodeURIComponent(k)) ? `${k}=${REDACTED}` : pair;
      })
      .join('&');
  }
  return body.replace(/Bearer\s+[\w.~+/-]+=*/g, `Bearer ${REDACTED}`);
}

function redactJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.test(k) && typeof v === 'string' ? REDACTED : redactJson(v);
    return out;
  }
  return value;
}

/**
 * Key Vault secret bodies: every string `value` (a secret's value) redacted. Used on the vault
 * data plane's requests and responses, where `value` is the secret (a list's `value` is an array
 * and is walked, not redacted).
 */
export function redactSecretValues(body: string): string {
  if (!body) return body;
  try {
    return JSON.stringify(redactValues(JSON.parse(body)));
  } catch {
    // not JSON: nothing of a secret bundle's shape can be told apart, so show nothing of it
    return REDACTED;
  }
}

function redactValues(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactValues);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = k === 'value' && typeof v === 'string' ? REDACTED : redactValues(v);
    return out;
  }
  return value;
}
