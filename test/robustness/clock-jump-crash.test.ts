/**
 * kill -9 in the middle of a long jump: each step's state and history were one commit, and the
 * restarted emulator runs the remaining steps in order at their own instants. The history comes out
 * whole (every revision once, 2/3 of a 4-day life apart) and the endpoint serves its last revision.
 */
import { expect } from 'chai';
import { connect } from 'node:tls';
import { normalizeSerial } from '../../rp/pki/x509.js';
import { clusterBody, clusterManagerBody } from '../helpers/bodies.js';
import { ncPath, rgPath, spawnEmulator, type Spawned } from '../helpers/emulator.js';

const V = '2025-09-01';
const DAY = 86_400_000;
const RENEW_EVERY = (4 * DAY * 2) / 3;

function servedSerial(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca: [ca] }, () => {
      resolve(normalizeSerial(socket.getPeerCertificate().serialNumber));
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

describe('crash within a clock jump', function () {
  this.timeout(240_000);

  // 120 days of 4-day leaves: 45 renewal steps, so the restart's catch-up stays short on a loaded machine.
  it('a kill -9 mid-jump loses no step: after restart the history is whole and the endpoint serves its last revision', async () => {
    let emu: Spawned = await spawnEmulator(['--seed', 'none', '--operation-duration', '0']);
    const dataDir = emu.dataDir;
    try {
      const c = emu.client;
      const sub = c.info.subscriptionId;
      await c.put(`${rgPath(sub, 'rg1')}?api-version=2021-04-01`, { location: 'eastus' });
      const cm = await c.put(`${ncPath(sub, 'rg1', 'clusterManagers', 'cm1')}?api-version=${V}`, clusterManagerBody(sub, 'rg1'));
      const put = await c.put(`${ncPath(sub, 'rg1', 'clusters', 'cj')}?api-version=${V}`, clusterBody(sub, 'rg1', cm.body.properties.managerExtendedLocation, { mrg: 'cj-mrg', machines: 2, appliances: 1 }));
      expect(put.status, put.text).to.equal(201);
      const site = `/_emulator/sites/${sub}/rg1/cj`;
      expect((await c.put(`${site}/settings`, { leafLifetime: '4d' })).status).to.equal(200);
      const deploy = await c.post(`${ncPath(sub, 'rg1', 'clusters', 'cj')}/deploy?api-version=${V}`, {});
      expect((await c.poll(deploy)).body.status).to.equal('Succeeded');
      const start = Date.parse((await c.get(site)).body.deployedAt);

      // The jump is under way (the clock's new offset is durable before any step runs): kill it part-way.
      let finished = false;
      const jump = c.post('/_emulator/clock', { advance: '120d' }).then(() => (finished = true), () => undefined);
      let seen = 0;
      for (const deadline = Date.now() + 30_000; Date.now() < deadline && !finished; ) {
        await new Promise((r) => setTimeout(r, 50));
        const h = await c.get(`${site}/certificates/bmc-r01c001/history`).catch(() => undefined);
        seen = h?.status === 200 ? h.body.value.length : seen;
        if (seen >= 3) break;
      }
      await emu.stop('SIGKILL');
      await jump;
      // The kill landed part-way: some renewals were committed, the rest had not run.
      expect(finished, 'the jump ended before the kill').to.equal(false);
      expect(seen).to.be.within(2, 40);

      emu = await spawnEmulator(['--seed', 'none', '--operation-duration', '0'], dataDir);
      const history = (await emu.client.get(`${site}/certificates/bmc-r01c001/history`)).body.value as any[];
      expect(history.length, 'the steps after the crash ran at restart').to.be.within(45, 48);
      expect(history.map((h) => h.revision)).to.deep.equal(history.map((_h, i) => i + 1));
      expect(new Set(history.map((h) => h.serial)).size).to.equal(history.length);
      for (let i = 1; i < history.length; i += 1) {
        if (history[i].reason !== 'Renewal') continue;
        expect(Date.parse(history[i].issuedAt) - Date.parse(history[i - 1].issuedAt), `revision ${history[i].revision}`).to.be.closeTo(RENEW_EVERY, 1000);
      }
      const last = history[history.length - 1];
      expect(Date.parse(last.issuedAt)).to.be.within(start + 120 * DAY - RENEW_EVERY, start + 120 * DAY + 120_000);
      expect(last.materialized).to.equal(true);
      const leaf = (await emu.client.get(`${site}/certificates/bmc-r01c001`)).body;
      expect(leaf.serial).to.equal(last.serial);
      const root = (await emu.client.get(`${site}/issuers`)).body.value[0].certificate;
      expect(await servedSerial(leaf.endpoint.port, root)).to.equal(last.serial);
    } finally {
      await emu.stop();
    }
  });
});
