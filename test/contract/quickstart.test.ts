/** examples/quickstart.sh, run with bash against a spawned emulator: it must finish and show what it promises. */
import { expect } from 'chai';
import { spawnEmulator, type Spawned } from '../helpers/emulator.js';
import { missingTools, runExample } from '../helpers/scripts.js';

const missing = missingTools(['bash', 'curl', 'jq']);

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
    const { code, output } = await runExample('quickstart.sh', emulator.dataDir, 25_000);
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
