/**
 * The operator's sequence end to end (issue 13's "Done when"): examples/operator-sequence.sh runs
 * with bash and azemu (as subprocesses) against a spawned emulator, stepping its virtual clock:
 * deploy, networks, a Kubernetes cluster, an agent pool and a VM, a cordon with evacuation, a
 * rolling version update, a machine replacement, a keyset past its expiry, and deletion in order.
 * The script's output and the emulator's state afterwards are asserted.
 */
import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnEmulator, ROOT, type Spawned } from '../helpers/emulator.js';
import { requirePrereq } from '../helpers/prereq.js';
import { missingTools, runExample } from '../helpers/scripts.js';

const missing = missingTools(['bash', 'date']);

describe('examples/operator-sequence.sh (end to end)', function () {
  this.timeout(300_000);
  let emulator: Spawned | undefined;

  before(function () {
    requirePrereq(this, !missing.length, `${missing.join(' and ')} not installed`);
  });
  after(async () => {
    await emulator?.stop();
  });

  it('deploys, builds workloads, cordons, updates rack by rack, replaces, expires a keyset and deletes in order', async () => {
    emulator = await spawnEmulator(['--operation-duration', '0']);
    const { code, output } = await runExample('operator-sequence.sh', emulator.dataDir, 280_000, {
      AZEMU: `${process.execPath} ${path.join(ROOT, 'dist/cli/main.js')}`,
      AZEMU_CONFIG_DIR: mkdtempSync(path.join(os.tmpdir(), 'nce-ops-cli-')),
      AZEMU_POLL_INTERVAL_MS: '50',
    });
    expect(code, output).to.equal(0);
    for (const line of [
      /cluster: Running 3\.14\.2/,
      /machines: 7/,
      /kubernetes cluster: Succeeded/,
      /virtual machine: Succeeded/,
      /r01c006: Cordoned/,
      /available: 3\.16\.0 4\.1\.0/,
      // Five control-plane machines one at a time, then the two compute machines one at a time (maxUnavailable 1).
      /after  30 min: Updating, machines on 3\.16\.0: 1\n/,
      /after 150 min: Updating, machines on 3\.16\.0: 5\n/,
      /after 180 min: Updating, machines on 3\.16\.0: 6\n/,
      /after 210 min: Running, machines on 3\.16\.0: 7\n/,
      /cluster: Running 3\.16\.0/,
      /r01c007 now: Deprovisioning OPS107/,
      /r01c007 after 45 min: Provisioned True 02:00:bc:00:01:07/,
      // Every user's key is valid until the expiration passes on the clock; then every user is invalid.
      /keyset before: AllActive /,
      /keyset after 2 days: AllInvalid\n/,
      /left in ops-rg: false/,
      /operator sequence done/,
    ]) expect(output).to.match(line);
    expect(output).to.not.match(/bmc-replaced-7|bmc-initial-/);
  });
});
