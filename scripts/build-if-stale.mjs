#!/usr/bin/env node
/**
 * Rebuilds only when a source is newer than the last build (`npm start` checks this first, see
 * start.mjs; `node scripts/build-if-stale.mjs` does it alone).
 * The build (npm ci's `prepare`, `npm run build`, `npm test`'s pretest) ends by writing
 * dist/.build-stamp; a TypeScript file, folder (files added or removed), tsconfig.json or
 * package.json changed after that stamp means `npm run build` runs again (tsc is incremental).
 * Checking costs a few milliseconds of stat calls instead of a compile on every start.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = ['rp', 'cli', 'test', 'bench', 'scripts'];
const FILES = ['tsconfig.json', 'package.json'];
const RESULTS = path.join(ROOT, 'bench', 'results');

function mtime(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/** The first source newer than `since`, or undefined. */
function newer(dir, since) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
  if ((mtime(dir) ?? 0) > since) return dir;
  for (const e of entries) {
    const full = path.join(dir, e.name);
    // What the benchmarks write is output, not source: writing it must not make the next start rebuild.
    if (full === RESULTS) continue;
    if (e.isDirectory()) {
      const hit = newer(full, since);
      if (hit) return hit;
    } else if (/\.(ts|mjs|json)$/.test(e.name) && (mtime(full) ?? 0) > since) return full;
  }
  return undefined;
}

export function staleReason() {
  const stamp = mtime(path.join(ROOT, 'dist/.build-stamp'));
  if (stamp === undefined) return 'no build yet';
  for (const f of FILES) if ((mtime(path.join(ROOT, f)) ?? 0) > stamp) return `${f} changed`;
  for (const d of SOURCES) {
    const hit = newer(path.join(ROOT, d), stamp);
    if (hit) return `${path.relative(ROOT, hit)} changed`;
  }
  return undefined;
}

/** Runs `npm run build` when the build is stale; returns its exit status (0 when nothing was needed). */
export function buildIfStale() {
  const reason = staleReason();
  if (!reason) return 0;
  process.stderr.write(`${reason} since the last build: running npm run build\n`);
  const npm = process.env.npm_execpath;
  const r = npm
    ? spawnSync(process.execPath, [npm, 'run', 'build'], { cwd: ROOT, stdio: 'inherit' })
    : spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
  return r.status ?? 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exit(buildIfStale());
