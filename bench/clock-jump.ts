/**
 * What discrete-event time costs: a one-year jump of the clock on a cluster shaped like the demo's
 * (six bare metal machines, one storage appliance, three platform services: ten leaves) with 4-day
 * leaves, against one renewal step (the same site, the clock moved just past one renewal: every leaf
 * reissued for real). The year records every renewal (about 137 per leaf), both issuer rotations and
 * the CRLs re-published every 12 hours; leaves and CRLs superseded within the jump are recorded
 * without key pairs or signatures. A file-backed store (real fsync), a fresh emulator per round.
 *
 *   node dist/bench/clock-jump.js [--rounds 3]   -> bench/results/clock-jump.json
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCluster, deploy, siteGet, sitePath, startSiteEmulator } from '../test/pki/site-helpers.js';
import { median, round, writeResult } from './common.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUNDS = arg('--rounds', 3);

async function round1() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nce-bench-clock-'));
  const run = await startSiteEmulator({ inMemory: false, dataDir: dir, quiet: true });
  try {
    await createCluster(run, 'demo', { machines: 6, appliances: 1 });
    const put = await run.client.put(`${sitePath(run.sub, 'demo')}/settings`, { leafLifetime: '4d' });
    if (put.status !== 200) throw new Error(put.text);
    const done = await deploy(run, 'demo');
    if (done.body.status !== 'Succeeded') throw new Error(done.text);
    const move = async (advance: string) => {
      const t0 = process.hrtime.bigint();
      const r = await run.client.post('/_emulator/clock', { advance });
      if (r.status !== 200) throw new Error(r.text);
      return { ms: Number(process.hrtime.bigint() - t0) / 1e6, events: r.body.events as number };
    };
    // One renewal: just past 2/3 of the first 4-day leaves (64 hours).
    const one = await move('65h');
    const revisions = (await siteGet(run, 'demo', '/certificates/bmc-r01c001')).status.revision;
    if (revisions !== 2) throw new Error(`expected one renewal, the leaf is at revision ${revisions}`);
    const year = await move('366d');
    const history = (await siteGet(run, 'demo', '/certificates/bmc-r01c001/history')).value as unknown[];
    const leaves = (await siteGet(run, 'demo', '/certificates')).value.length as number;
    const crls = (await siteGet(run, 'demo', '/crls')).value.length as number;
    return { one, year, revisionsPerLeaf: history.length, leaves, crls };
  } finally {
    await run.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const rounds = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push(await round1());
  const oneMs = median(rounds.map((r) => r.one.ms));
  const yearMs = median(rounds.map((r) => r.year.ms));
  const result = {
    rounds: ROUNDS,
    shape: { leaves: rounds[0].leaves, leafLifetime: '4d', renewalFraction: '2/3' },
    oneRenewalStep: { medianMs: round(oneMs, 1), events: rounds[0].one.events, roundsMs: rounds.map((r) => round(r.one.ms, 1)) },
    oneYearJump: {
      medianMs: round(yearMs, 0), events: rounds[0].year.events, revisionsPerLeaf: rounds[0].revisionsPerLeaf, crlsRecorded: rounds[0].crls,
      roundsMs: rounds.map((r) => round(r.year.ms, 0)),
    },
    ratioYearToOneRenewal: round(yearMs / oneMs, 1),
    perEventRatioToOneRenewal: round(yearMs / rounds[0].year.events / oneMs, 3),
  };
  console.log(JSON.stringify(result, null, 2));
  console.log(`-> ${writeResult('clock-jump', result)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
