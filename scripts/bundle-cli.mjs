#!/usr/bin/env node
/**
 * Build step after tsc: bundles the azemu CLI (cli/main.ts and everything it may load) into the one
 * file dist/cli/main.js, so a command starts by reading one module instead of resolving dozens.
 * The handlers stay lazily evaluated (esbuild turns each dynamic import into a function call), so a
 * command still runs only the code it needs. Then stamps the build (see build-if-stale.mjs).
 */
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

await build({
  entryPoints: [path.join(ROOT, 'cli/main.ts')],
  outfile: path.join(ROOT, 'dist/cli/main.js'),
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  // Less for V8 to scan at every start; names stay as written (stack traces under --debug).
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  // tsc already type-checked; esbuild only strips types. Keep tsc's shebang.
  banner: { js: '// bundled by scripts/bundle-cli.mjs from cli/main.ts; see dist/cli/*.js for the unbundled modules' },
});
// The generated command table's per-group data modules are required lazily, relative to the module
// that loads them (cli/commands/lazy.ts): in the bundle that module is dist/cli/main.js, so the data
// goes beside it too.
const generated = path.join(ROOT, 'dist/cli/commands/generated');
const besideBundle = path.join(ROOT, 'dist/cli/generated');
mkdirSync(besideBundle, { recursive: true });
for (const file of readdirSync(generated).filter((f) => f.endsWith('.cjs'))) copyFileSync(path.join(generated, file), path.join(besideBundle, file));
writeFileSync(path.join(ROOT, 'dist/.build-stamp'), `${new Date().toISOString()}\n`);
