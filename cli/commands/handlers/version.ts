/** `azemu version` (and `azemu --version`): like `az version`, as JSON. */
import { readFileSync } from 'node:fs';
import type { Handler } from '../../context.js';
import { DEFAULT_API_VERSION } from '../table.js';

export const run: Handler = async () => {
  const pkg = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return { result: { azemu: pkg.version, extensions: { networkcloud: DEFAULT_API_VERSION }, node: process.version } };
};
