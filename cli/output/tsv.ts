/**
 * az's `-o tsv` (knack's _TsvOutput): one line per top-level list item, a single value is one
 * line. Inside a line: objects give their values in sorted-key order, except objects a
 * `--query` multiselect hash built (Python OrderedDicts), which keep the written order; a
 * nested object is an empty field, a nested list its length, null `None`, booleans
 * `True`/`False`. A top-level boolean prints `true`/`false`. Strings are written raw.
 */
import { PyFloat } from './float.js';
import { compareKeys } from './json.js';

export type IsOrdered = (obj: object) => boolean;

export function formatTsv(result: unknown, isOrdered: IsOrdered = () => false): string {
  const rows = Array.isArray(result) ? result : [result];
  return rows.map((row) => dumpRow(row, isOrdered) + '\n').join('');
}

function dumpRow(row: unknown, isOrdered: IsOrdered): string {
  if (Array.isArray(row)) return row.map(dumpField).join('\t');
  if (row !== null && typeof row === 'object' && !(row instanceof PyFloat)) {
    const obj = row as Record<string, unknown>;
    const keys = isOrdered(obj) ? Object.keys(obj) : Object.keys(obj).sort(compareKeys);
    return keys.map((k) => dumpField(obj[k])).join('\t');
  }
  if (typeof row === 'boolean') return String(row);
  return dumpField(row);
}

function dumpField(value: unknown): string {
  if (value instanceof PyFloat) return value.toString();
  if (Array.isArray(value)) return String(value.length);
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'object') return '';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return pythonStr(value);
}

/** str() of a JSON scalar as Python prints it. */
export function pythonStr(value: unknown): string {
  if (typeof value === 'number' && !Number.isInteger(value) && Number.isFinite(value)) {
    const text = String(value);
    return /e/.test(text) ? text.replace(/e([-+])(\d)$/, 'e$10$2') : text;
  }
  return String(value);
}
