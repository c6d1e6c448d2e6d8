/** examples/quickstart.sh, run with bash against a spawned emulator: it must finish and show what it promises. */
import { expect } from 'chai';
import { spawnEmulator, type Spawned } from '../helpers/emulator.js';
import { requirePrereq } from '../helpers/prereq.js';
import { missingTools, runExample } from '../helpers/scripts.js';

const missing = missingTools(['bash', 'curl', 'jq']);

describe('examples/quickstart.sh', function () {
  this.timeout(120_000);
  let emulator: Spawned | undefined;

  before(function () {
    requirePrereq(this, !missing.length, `${missing.join(' and ')} not installed`);
  });
  after(async () => {
    await emulator?.stop();
  });

  it('walks through token, list, two versions, If-Match, cordon with polling and errors, and exits 0', async () => {
    // As README runs it: the default operation duration (1 s), nothing made faster.
    emulator = await spawnEmulator([]);
    const { code, output } = await runExample('quickstart.sh', emulator.dataDir, 90_000);
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
