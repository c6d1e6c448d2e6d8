/** What survives: a restart keeps everything, an acknowledged write survives kill -9, a corrupt store is an error. */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { clusterManagerBody } from '../helpers/bodies.js';
import { MAIN, ncPath, rgPath, spawnEmulator } from '../helpers/emulator.js';

describe('durability and restart', function () {
  this.timeout(60_000);

  it('keeps the demo, the identity and acknowledged writes across kill -9 and restart', async () => {
    const first = await spawnEmulator(['--operation-duration', '0']);
    const { subscriptionId: sub, clientSecret, demo } = first.client.info;
    expect(demo!.bareMetalMachineIds.length).to.be.at.least(4);
    expect(statSync(path.join(first.dataDir, 'emulator.json')).mode & 0o777).to.equal(0o600);
    const put = await first.client.put(`${ncPath(sub, 'nexus-demo-rg', 'clusterManagers', 'cm-durable')}?api-version=2025-09-01`, clusterManagerBody(sub, 'nexus-demo-rg'));
    expect(put.status, put.text).to.equal(201);
    const tagged = await first.client.patch(`${ncPath(sub, 'nexus-demo-rg', 'clusterManagers', 'cm-durable')}?api-version=2025-09-01`, { tags: { kept: 'yes' } });
    expect(tagged.status).to.equal(200);
    await first.stop('SIGKILL');

    const second = await spawnEmulator([], first.dataDir);
    try {
      expect(second.client.info.subscriptionId).to.equal(sub);
      expect(second.client.info.clientSecret).to.equal(clientSecret);
      expect(second.client.info.demo).to.deep.equal(demo);
      const cm = await second.client.get(`${ncPath(sub, 'nexus-demo-rg', 'clusterManagers', 'cm-durable')}?api-version=2025-09-01`);
      expect(cm.status).to.equal(200);
      expect(cm.body.tags).to.deep.equal({ kept: 'yes' });
      const bmm = await second.client.get(`${demo!.bareMetalMachineIds[0]}?api-version=2025-09-01`);
      expect(bmm.body.properties.caCertificate.hash).to.match(/^[0-9a-f]{64}$/);
      expect(statSync(path.join(first.dataDir, 'db.json')).mode & 0o777).to.equal(0o600);
    } finally {
      await second.stop();
    }
  });

  it('--reset after kill -9 really starts over (journals included); a snapshot moved aside is refused', async () => {
    const first = await spawnEmulator(['--seed', 'none', '--operation-duration', '0']);
    const { subscriptionId: sub, tenantId } = first.client.info;
    expect((await first.client.put(`${rgPath(sub, 'doomed')}?api-version=2021-04-01`, { location: 'eastus' })).status).to.equal(201);
    await first.stop('SIGKILL');
    const moved = path.join(first.dataDir, 'db.json');
    renameSync(moved, `${moved}.aside`);
    const refused = spawn(process.execPath, [MAIN, '--port', '0', '--data-dir', first.dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    refused.stderr.on('data', (d) => (err += d));
    expect(await new Promise((resolve) => refused.once('exit', resolve))).to.equal(1);
    expect(err).to.match(/journals/);
    const fresh = await spawnEmulator(['--seed', 'none', '--reset'], first.dataDir);
    try {
      expect(fresh.client.info.tenantId).to.not.equal(tenantId);
      expect(fresh.client.info.subscriptionId).to.not.equal(sub);
      expect((await fresh.client.get(`${rgPath(fresh.client.info.subscriptionId, 'doomed')}?api-version=2021-04-01`)).status).to.equal(404);
    } finally {
      await fresh.stop();
    }
  });

  it('refuses to start on a corrupt store, saying so, and leaves it untouched', async () => {
    const first = await spawnEmulator(['--seed', 'none']);
    await first.stop();
    const db = path.join(first.dataDir, 'db.json');
    writeFileSync(db, '{"format":1,"collections":{"resources":{"x":');
    const child = spawn(process.execPath, [MAIN, '--port', '0', '--data-dir', first.dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).to.equal(1);
    expect(err).to.match(/cannot be read/).and.match(/--reset/);
    expect(readFileSync(db, 'utf8')).to.equal('{"format":1,"collections":{"resources":{"x":');
  });

  it('resets state with POST /_emulator/reset and answers health without a token', async () => {
    const run = await spawnEmulator(['--seed', 'none', '--in-memory']);
    try {
      const health = await run.client.get('/_emulator/health', { token: false });
      expect(health.status).to.equal(200);
      expect(health.body.status).to.equal('ok');
      const sub = run.client.info.subscriptionId;
      await run.client.put(`${rgPath(sub, 'temp')}?api-version=2021-04-01`, { location: 'eastus' });
      expect((await run.client.post('/_emulator/reset', {}, { token: false })).status).to.equal(401);
      const reset = await run.client.post('/_emulator/reset?seed=demo', {});
      expect(reset.status).to.equal(200);
      expect((await run.client.get(`${rgPath(sub, 'temp')}?api-version=2021-04-01`)).status).to.equal(404);
      expect(reset.body.demo.bareMetalMachineIds.length).to.be.at.least(4);
    } finally {
      await run.stop();
    }
  });
});
