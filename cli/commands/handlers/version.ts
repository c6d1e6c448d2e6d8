/** `azemu version` (and `azemu --version`): like `az version`, as JSON. */
import { existsSync, readFileSync } from 'node:fs';
import type { Handler } from '../../context.js';
import { DEFAULT_API_VERSION } from '../table.js';

export const run: Handler = async () => {
  const pkg = JSON.parse(readFileSync(packageJson(), 'utf8')) as { version: string };
  return { result: { azemu: pkg.version, extensions: { networkcloud: DEFAULT_API_VERSION }, node: process.version } };
};

/** The project's package.json: the nearest one above this module (dist/cli/commands/handlers/, or dist/cli/ when bundled). */
function packageJson(): URL {
  for (let url = new URL('../', import.meta.url); url.pathname !== '/'; url = new URL('../', url)) {
    const file = new URL('package.json', url);
    if (existsSync(file)) return file;
  }
  return new URL('../../../../package.json', import.meta.url);
}
