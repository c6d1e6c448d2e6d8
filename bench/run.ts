/** npm run bench: every benchmark in turn (each writes bench/results/<name>.json; http also writes writes.json). */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './common.js';

const BENCHES = ['start', 'cli-show', 'deploy', 'memory', 'http', 'faults', 'clock-jump'];
let failed = 0;
for (const name of BENCHES) {
  const file = path.join(ROOT, 'dist/bench', `${name}.js`);
  if (!existsSync(file)) {
    console.log(`(skipping ${name}: not built)`);
    continue;
  }
  console.log(`== ${name}`);
  const r = spawnSync(process.execPath, [file, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
