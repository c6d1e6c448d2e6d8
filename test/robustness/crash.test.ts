/**
 * kill -9 under a stream of acknowledged writes: after restart every acknowledged write is there,
 * the store parses, and nothing is half-written. NCE_CRASH_CYCLES sets the number of cycles.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { clusterManagerBody } from '../helpers/bodies.js';
import { ncPath, rgPath, spawnEmulator, type Spawned } from '../helpers/emulator.js';

const CYCLES = Number(process.env.NCE_CRASH_CYCLES ?? 3);

/** A small deterministic generator, so a failing cycle can be replayed from its seed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

describe(`crash durability (${CYCLES} cycles of kill -9)`, function () {
  this.timeout(60_000 + CYCLES * 20_000);

  it('keeps every acknowledged write', async () => {
    const random = rng(Number(process.env.NCE_CRASH_SEED ?? 20261123));
    let emu: Spawned = await spawnEmulator(['--seed', 'none', '--operation-duration', '0']);
    const dataDir = emu.dataDir;
    const sub = emu.client.info.subscriptionId;
    await emu.client.put(`${rgPath(sub, 'base')}?api-version=2021-04-01`, { location: 'eastus' });
    const acknowledged = new Map<string, string>();
    try {
      for (let cycle = 0; cycle < CYCLES; cycle++) {
        let stop = false;
        let n = 0;
        const client = emu.client;
        const writer = async (w: number) => {
          while (!stop) {
            const i = n++;
            const marker = `${cycle}-${w}-${i}-${'x'.repeat(200)}`;
            try {
              const r = i % 2
                ? await client.put(`${rgPath(sub, `g-${cycle}-${w}-${i}`)}?api-version=2021-04-01`, { location: 'eastus', tags: { marker } })
                : await client.put(`${ncPath(sub, 'base', 'clusterManagers', `cm-${cycle}-${w}-${i}`)}?api-version=2025-09-01`, clusterManagerBody(sub, 'base', { tags: { marker } }));
              if (r.status === 201) acknowledged.set(i % 2 ? `rg:g-${cycle}-${w}-${i}` : `cm:cm-${cycle}-${w}-${i}`, marker);
            } catch {
              return; // the connection died with the process: not acknowledged
            }
          }
        };
        const writers = Array.from({ length: 6 }, (_, w) => writer(w));
        // The kill lands in a stream of acknowledged writes: wait for this cycle's first one (a cold or
        // loaded process may take a while), then a random moment more.
        const ackedBefore = acknowledged.size;
        for (const deadline = Date.now() + 20_000; acknowledged.size === ackedBefore && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 10));
        await new Promise((r) => setTimeout(r, 150 + random() * 600));
        await emu.stop('SIGKILL');
        stop = true;
        await Promise.all(writers);
        JSON.parse(readFileSync(path.join(dataDir, 'db.json'), 'utf8'));
        emu = await spawnEmulator(['--seed', 'none', '--operation-duration', '0'], dataDir);
        expect(emu.client.info.subscriptionId).to.equal(sub);
        for (const [key, marker] of acknowledged) {
          const [kind, name] = key.split(':');
          const url = kind === 'rg' ? `${rgPath(sub, name)}?api-version=2021-04-01` : `${ncPath(sub, 'base', 'clusterManagers', name)}?api-version=2025-09-01`;
          const r = await emu.client.get(url);
          expect(r.status, `${key} after cycle ${cycle}`).to.equal(200);
          expect(r.body.tags).to.deep.equal({ marker });
          if (kind === 'cm') expect(r.body.properties.fabricControllerId).to.be.a('string');
        }
      }
      expect(acknowledged.size).to.be.greaterThan(CYCLES * 5);
    } finally {
      await emu.stop();
    }
  });
});
