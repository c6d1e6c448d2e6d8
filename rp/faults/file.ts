/** Reads a faults file (the --faults start option): JSON or YAML, a list of rules or {faults: [...]}. */
import { readFile } from 'node:fs/promises';
import yaml from 'js-yaml';

export async function readFaultsFile(file: string): Promise<unknown[]> {
  const text = await readFile(file, 'utf8');
  let doc: unknown;
  try {
    doc = /\.json$/i.test(file) ? JSON.parse(text) : yaml.load(text, { schema: yaml.JSON_SCHEMA });
  } catch (e) {
    throw new Error(`${file} is not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(e as Error).message}`);
  }
  if (doc === undefined || doc === null) return [];
  if (Array.isArray(doc)) return doc;
  if (typeof doc === 'object' && Array.isArray((doc as { faults?: unknown }).faults)) return (doc as { faults: unknown[] }).faults;
  if (typeof doc === 'object' && (doc as { effect?: unknown }).effect !== undefined) return [doc];
  throw new Error(`${file} must hold a list of fault rules, or {"faults": [...]}`);
}
