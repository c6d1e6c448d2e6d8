/**
 * `npm run specs`: writes specs/<api-version>/networkcloud.json for every served api-version, from
 * the API model (see openapi.ts). test/contract/specs-fresh.test.ts fails when they are stale.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { renderSpec, specFile } from './openapi.js';
import { API_VERSIONS } from './versions.js';

/** The repository root, from dist/rp/api/emit-specs.js. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

async function main(): Promise<void> {
  for (const v of API_VERSIONS) {
    const file = path.join(REPO_ROOT, specFile(v));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, renderSpec(v));
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
