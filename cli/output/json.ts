import { PyFloat } from './float.js';
/**
 * az's `-o json`: Python's json.dumps(indent=2, sort_keys=True, ensure_ascii=False).
 * Written by hand instead of JSON.stringify because JS objects iterate integer-like keys
 * ("10", "9") numerically, while Python sorts every key as a string.
 */
export function formatJson(value: unknown): string {
  return write(value, '') + '\n';
}

function write(value: unknown, indent: string): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : pythonNonFinite(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof PyFloat) return value.toString();
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return '[\n' + value.map((v) => inner + write(v, inner)).join(',\n') + '\n' + indent + ']';
  }
  const keys = Object.keys(value as object).sort(compareKeys);
  if (keys.length === 0) return '{}';
  const obj = value as Record<string, unknown>;
  return '{\n' + keys.map((k) => inner + JSON.stringify(k) + ': ' + write(obj[k], inner)).join(',\n') + '\n' + indent + '}';
}

/** Python compares str by code point; plain `<` on JS strings compares UTF-16 units, equal for every key we meet. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function pythonNonFinite(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  return n > 0 ? 'Infinity' : '-Infinity';
}

/** `-o jsonc` on a terminal: the same text, coloured the way pygments' JSON lexer colours it. */
export function colorizeJson(text: string): string {
  const blue = '\x1b[34m';
  const yellow = '\x1b[33m';
  const reset = '\x1b[39;49;00m';
  return text.replace(
    /("(?:[^"\\]|\\.)*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)/g,
    (m, str: string | undefined, colon: string | undefined, kw: string | undefined, num: string | undefined) => {
      if (str !== undefined) return colon ? `${blue}${str}${reset}${colon}` : `${yellow}${str}${reset}`;
      if (kw !== undefined || num !== undefined) return `${blue}${m}${reset}`;
      return m;
    },
  );
}
