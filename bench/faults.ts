/**
 * What fault rules cost on the hot path: GET of a bare metal machine over HTTPS (autocannon,
 * 10 connections) with no rules, with ten rules that do not match, and with a throttle rule that
 * counts (and stores) every request. Phases alternate over the rounds; figures are ratios to the
 * no-rule GET of the same run.
 *
 *   node dist/bench/faults.js [--seconds 5] [--rounds 3]   -> bench/results/faults.json
 */
import autocannon from 'autocannon';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { median, round, startEmulatorChild, writeResult } from './common.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg('--seconds', 5);
const ROUNDS = arg('--rounds', 3);

function call(port: number, ca: string, method: string, p: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', servername: 'localhost', port, method, path: p, ca, headers }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nce-bench-faults-'));
  const emu = await startEmulatorChild(dir, ['--seed', 'demo', '--operation-duration', '0']);
  try {
    const ca = readFileSync(emu.info.caCertFile, 'utf8');
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: emu.info.clientId, client_secret: emu.info.clientSecret, scope: 'https://management.azure.com/.default' }).toString();
    const tok = JSON.parse((await call(emu.port, ca, 'POST', `/${emu.info.tenantId}/oauth2/v2.0/token`, { 'Content-Type': 'application/x-www-form-urlencoded' }, form)).text).access_token as string;
    const auth = { Authorization: `Bearer ${tok}` };
    const json = { ...auth, 'Content-Type': 'application/json' };
    const setRules = async (rules: unknown[]) => {
      await call(emu.port, ca, 'DELETE', '/_emulator/faults', auth);
      for (const r of rules) {
        const res = await call(emu.port, ca, 'POST', '/_emulator/faults', json, JSON.stringify(r));
        if (res.status !== 201) throw new Error(`rule refused: ${res.text}`);
      }
    };
    const bmmPath = `${emu.info.demo.bareMetalMachineIds[0]}?api-version=2025-09-01`;
    const phases: Record<string, unknown[]> = {
      noRules: [],
      tenNonMatchingRules: Array.from({ length: 10 }, (_, i) => ({ match: { method: 'DELETE', name: `other${i}*` }, effect: { status: 500 } })),
      countingThrottle: [{ effect: { throttle: { reads: 1_000_000, window: '1h' } } }],
    };
    const rps: Record<string, number[]> = Object.fromEntries(Object.keys(phases).map((k) => [k, []]));
    for (let i = 0; i < ROUNDS; i++) {
      for (const [name, rules] of Object.entries(phases)) {
        await setRules(rules);
        const r = await autocannon({ url: `https://127.0.0.1:${emu.port}${bmmPath}`, headers: auth, connections: 10, duration: SECONDS });
        if (r.non2xx) throw new Error(`${name}: ${r.non2xx} answers were not 2xx`);
        rps[name].push(round(r.requests.average, 0));
      }
    }
    const base = median(rps.noRules);
    const result = {
      seconds: SECONDS,
      rounds: ROUNDS,
      requestsPerSecond: Object.fromEntries(Object.entries(rps).map(([k, v]) => [k, { median: median(v), rounds: v }])),
      ratioToNoRules: { tenNonMatchingRules: round(median(rps.tenNonMatchingRules) / base), countingThrottle: round(median(rps.countingThrottle) / base) },
    };
    console.log(JSON.stringify(result, null, 2));
    console.log(`-> ${writeResult('faults', result)}`);
  } finally {
    await emu.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
