/**
 * The virtual clock: an invalid change is refused before anything moves or is saved; a data folder
 * whose stored clock cannot be represented (left by an older version) starts, repaired, and says so.
 * Operation records: kept 24 hours on the virtual clock after they finish, then removed.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OPERATION_RETENTION_MS } from '../../rp/arm/operations.js';
import { LATEST_CLOCK_MS } from '../../rp/clock.js';
import { clusterManagerBody } from '../helpers/bodies.js';
import { ncPath, rgPath, spawnEmulator, startEmulator } from '../helpers/emulator.js';

const storedOffset = (dir: string) => (JSON.parse(readFileSync(path.join(dir, 'db.json'), 'utf8')).collections.meta.emulator.clockOffsetMs as number);

describe('virtual clock: validated before it moves', function () {
  this.timeout(60_000);

  it('refuses unrepresentable or backward changes with 400 and changes nothing, in memory or on disk', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nce-clock-'));
    let run = await startEmulator({ inMemory: false, dataDir });
    try {
      expect((await run.client.post('/_emulator/clock', { advance: '2d' })).status).to.equal(200);
      const before = (await run.client.get('/_emulator/clock')).body;
      for (const body of [
        { set: '+275760-09-13T00:00:00.000Z' },
        { set: '9999-12-31T00:00:00Z' },
        { set: '2001-01-01T00:00:00Z' },
        { advance: -5 },
        { advance: 1e300 },
        { advance: '999999999d' },
      ]) {
        const r = await run.client.post('/_emulator/clock', body);
        expect(r.status, `${JSON.stringify(body)}: ${r.text}`).to.equal(400);
        expect(r.body.error.code).to.equal('InvalidClockChange');
        const now = await run.client.get('/_emulator/clock');
        expect(now.status).to.equal(200);
        expect(now.body.offsetSeconds, JSON.stringify(body)).to.equal(before.offsetSeconds);
        expect((await run.client.get('/_emulator/health')).status).to.equal(200);
      }
      await run.stop();
      expect(Math.round(storedOffset(dataDir) / 1000)).to.equal(before.offsetSeconds);
      // And the folder starts again with the clock where it was.
      run = await startEmulator({ inMemory: false, dataDir });
      expect((await run.client.get('/_emulator/clock')).body.offsetSeconds).to.equal(before.offsetSeconds);
    } finally {
      await run.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a data folder with a clock beyond what the emulator can represent starts repaired and says so', async () => {
    const first = await spawnEmulator(['--seed', 'none']);
    const dir = first.dataDir;
    await first.stop();
    const db = JSON.parse(readFileSync(path.join(dir, 'db.json'), 'utf8'));
    db.collections.meta.emulator.clockOffsetMs = 8.64e15 - Date.now(); // +275760-09-13, as the old bug left it
    writeFileSync(path.join(dir, 'db.json'), JSON.stringify(db));
    const emu = await spawnEmulator(['--seed', 'none'], dir);
    try {
      expect(emu.output()).to.contain(path.join(dir, 'db.json'));
      expect(emu.output()).to.match(/virtual clock .* cannot represent|beyond what the emulator can represent/);
      const clock = await emu.client.get('/_emulator/clock');
      expect(clock.status, clock.text).to.equal(200);
      expect(Date.parse(clock.body.now)).to.be.within(LATEST_CLOCK_MS - 60_000, LATEST_CLOCK_MS + 60_000);
      expect((await emu.client.put(`${rgPath(emu.client.info.subscriptionId, 'after-repair')}?api-version=2021-04-01`, { location: 'eastus' })).status).to.equal(201);
    } finally {
      await emu.stop();
    }
    expect(storedOffset(dir)).to.be.below(LATEST_CLOCK_MS - Date.now() + 60_000);
  });
});

describe('operation records: pruned after the retention period (virtual clock)', function () {
  this.timeout(60_000);

  it('keeps a finished operation readable for 24 h, then removes it', async () => {
    expect(OPERATION_RETENTION_MS).to.equal(24 * 3_600_000);
    const run = await startEmulator();
    try {
      const sub = run.client.info.subscriptionId;
      await run.client.put(`${rgPath(sub, 'ops')}?api-version=2021-04-01`, { location: 'eastus' });
      const put = await run.client.put(`${ncPath(sub, 'ops', 'clusterManagers', 'cm1')}?api-version=2025-09-01`, clusterManagerBody(sub, 'ops'));
      expect(put.status, put.text).to.equal(201);
      const statusUrl = put.headers['azure-asyncoperation'] as string;
      expect((await run.client.get(statusUrl)).body.status).to.equal('Succeeded');
      const stored = () => run.emu.store.list<{ resourceId: string }>('operations').filter((o) => o.resourceId.endsWith('/cm1')).length;
      expect(stored()).to.equal(1);

      expect((await run.client.post('/_emulator/clock', { advance: '23h' })).status).to.equal(200);
      expect((await run.client.get(statusUrl)).status).to.equal(200);
      expect(stored()).to.equal(1);

      expect((await run.client.post('/_emulator/clock', { advance: '2h' })).status).to.equal(200);
      const gone = await run.client.get(statusUrl);
      expect(gone.status, gone.text).to.equal(404);
      expect(gone.body.error.code).to.equal('OperationNotFound');
      expect(stored()).to.equal(0);
      // The resource itself stays.
      expect((await run.client.get(`${ncPath(sub, 'ops', 'clusterManagers', 'cm1')}?api-version=2025-09-01`)).status).to.equal(200);
    } finally {
      await run.stop();
    }
  });
});
