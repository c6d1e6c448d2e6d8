/**
 * az's `-o table`: knack's _TableOutput fed to tabulate(headers="keys", tablefmt="simple",
 * disable_numparse=True).
 * Each row keeps the scalar values of an object (skipping id, type, etag, nulls, lists and
 * objects), headers get a capital first letter, keys are sorted unless a --query is active.
 * A scalar result is a one-column "Result" table; a list row becomes Column1..N.
 * Layout: columns are as wide as their widest cell and at least header+2, joined by two
 * spaces, every line right-trimmed, all cells left-aligned (numparse is off).
 */
import { PyFloat } from './float.js';
import { compareKeys } from './json.js';
import { pythonStr } from './tsv.js';

const SKIP_KEYS = new Set(['id', 'type', 'etag']);
const MIN_PADDING = 2;

type Row = Map<string, unknown>;

export function formatTable(result: unknown, sortKeys: boolean): string {
  const items = Array.isArray(result) ? result : [result];
  const rows = items.map((item) => tableRow(item, sortKeys));
  const headers = unionKeys(rows);
  if (rows.length === 0 || headers.length === 0) return '\n';
  return tabulate(headers, rows) + '\n';
}

function tableRow(item: unknown, sortKeys: boolean): Row {
  const row: Row = new Map();
  if (Array.isArray(item)) {
    item.forEach((v, i) => row.set(`Column${i + 1}`, v));
  } else if (item !== null && typeof item === 'object' && !(item instanceof PyFloat)) {
    const obj = item as Record<string, unknown>;
    const keys = sortKeys ? Object.keys(obj).sort(compareKeys) : Object.keys(obj);
    for (const k of keys) {
      const v = obj[k];
      if (SKIP_KEYS.has(k) || v === null || v === undefined || (typeof v === 'object' && !(v instanceof PyFloat))) continue;
      row.set(k ? k[0].toUpperCase() + k.slice(1) : k, v);
    }
  } else if (item instanceof PyFloat) {
    row.set('Result', item);
  } else {
    row.set('Result', item);
  }
  return row;
}

/** tabulate's headers="keys" for a list of dicts: keys in order of first appearance. */
function unionKeys(rows: Row[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const k of row.keys()) seen.add(k);
  return [...seen];
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (value instanceof PyFloat) return value.toString();
  if (Array.isArray(value) || typeof value === 'object') return pythonRepr(value);
  return pythonStr(value);
}

/** Cells only hold scalars, except list rows (Column1..N) whose items may be anything. */
function pythonRepr(value: unknown): string {
  if (value === null) return 'None';
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (Array.isArray(value)) return '[' + value.map(pythonRepr).join(', ') + ']';
  if (typeof value === 'object') {
    return '{' + Object.entries(value as object).map(([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`).join(', ') + '}';
  }
  return pythonStr(value);
}

const width = (text: string): number => Math.max(0, ...text.split('\n').map((line) => Array.from(line).length));

function padRight(text: string, w: number): string {
  return text + ' '.repeat(Math.max(0, w - Array.from(text).length));
}

function tabulate(headers: string[], rows: Row[]): string {
  const cells = rows.map((row) => headers.map((h) => cellText(row.get(h))));
  const widths = headers.map((h, i) => Math.max(width(h) + MIN_PADDING, ...cells.map((r) => width(r[i]))));
  const lines: string[] = [];
  lines.push(...renderRow(headers, widths));
  lines.push(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of cells) lines.push(...renderRow(row, widths));
  return lines.join('\n');
}

/** One table row, split into physical lines when a cell holds line breaks (tabulate's multiline rows). */
function renderRow(row: string[], widths: number[]): string[] {
  const split = row.map((c) => c.split('\n'));
  const height = Math.max(...split.map((s) => s.length));
  const lines: string[] = [];
  for (let i = 0; i < height; i++) {
    lines.push(split.map((s, col) => padRight(s[i] ?? '', widths[col])).join('  ').trimEnd());
  }
  return lines;
}
