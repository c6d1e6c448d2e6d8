/** examples/quickstart.sh, run with bash against a spawned emulator: it must finish and show what it promises. */
import { expect } from 'chai';
import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { ROOT, spawnEmulator, type Spawned } from '../helpers/emulator.js';

const missing = ['bash', 'curl', 'jq'].filter((tool) => {
  try {
    execFileSync('which', [tool], { stdio: 'ignore' });
    return false;
  } catch {
    return true;
  }
});

describe('examples/quickstart.sh', function () {
  let emulator: Spawned | undefined;

  before(function () {
    if (missing.length) {
      console.log(`    (skipped: ${missing.join(' and ')} not installed)`);
      this.skip();
    }
  });
  after(async () => {
    await emulator?.stop();
  });

  it('walks through token, list, two versions, If-Match, cordon with polling and errors, and exits 0', async () => {
    emulator = await spawnEmulator(['--operation-duration', '100ms']);
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
      execFile('bash', [path.join(ROOT, 'examples/quickstart.sh')], { cwd: ROOT, env: { ...process.env, NCE_DATA_DIR: emulator!.dataDir }, timeout: 25_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` });
      });
    });
    expect(code, output).to.equal(0);
    for (const line of [
      /token: eyJ/,
      /cluster demo-cluster: Running, SingleRack/,
      /at 2025-02-01: powerState On, caCertificate absent/,
      /at 2025-09-01: powerState On, caCertificate present \(sha256 [0-9a-f]{16}\.\.\.\)/,
      /tags now \{"quickstart":"yes"\}/,
      /now stale, etag: 412 PreconditionFailed/,
      /POST cordon: 202, Location: https:\/\/localhost:\d+\/subscriptions\/.*\/operationResults\//,
      /operation finished: HTTP 200, status Succeeded/,
      /cordonStatus: Cordoned/,
      /GET a missing cluster: 404 ResourceNotFound/,
      /GET without api-version: 400 MissingApiVersionParameter/,
      /quickstart done/,
    ]) expect(output).to.match(line);
  });
});
