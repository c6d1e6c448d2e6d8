/**
 * The portal's fault rules page in headless Chromium (Debian's /usr/bin/chromium through
 * playwright-core), the pattern of test/portal/portal-browser.test.ts: the header shows how many
 * rules are in force and the page lists them read-only with their counters. The browser pins the
 * emulator's server certificate by SPKI. Screenshot: test-artifacts/portal-faults.png.
 * Without chromium or playwright-core: pending with the reason, or a failure under CI=true.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { ROOT, startEmulator, type Running } from '../helpers/emulator.js';
import { addRule } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(ROOT, 'test-artifacts');

function serverSpki(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca }, () => {
      const spki = socket.getPeerX509Certificate()!.publicKey.export({ type: 'spki', format: 'der' });
      socket.end();
      resolve(createHash('sha256').update(spki).digest('base64'));
    });
    socket.on('error', reject);
  });
}

describe('faults: the portal shows the rules in force', function () {
  this.timeout(120_000);
  let run: Running | undefined;
  let context: any;
  let page: any;
  let profile: string | undefined;
  const problems: string[] = [];

  before(async function () {
    const missing = (why: string) => {
      if (process.env.CI === 'true') throw new Error(`CI=true and ${why}`);
      console.log(`      skipped: ${why}`);
      this.skip();
    };
    if (!existsSync(CHROMIUM)) return missing(`${CHROMIUM} is missing (apt-get install -y chromium)`);
    let chromium: any;
    try {
      const specifier = 'playwright-core';
      chromium = (await import(specifier)).chromium;
    } catch {
      return missing('the npm package playwright-core is not installed');
    }
    run = await startEmulator({ demo: true });
    const spki = await serverSpki(run.client.port, run.emu.caCertPem);
    profile = mkdtempSync(path.join(os.tmpdir(), 'nce-faults-portal-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--ignore-certificate-errors-spki-list=${spki}`],
      viewport: { width: 1440, height: 900 }, locale: 'en-US', timezoneId: 'UTC',
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (e: Error) => problems.push(`page error: ${e.message}`));
    page.on('console', (m: any) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
  });

  after(async () => {
    await context?.close();
    await run?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('counts the rules in force in the header and lists every rule with its counters', async () => {
    const client = run!.client;
    await page.goto(`${client.endpoint}portal/`);
    await page.locator('main h1', { hasText: 'Subscriptions' }).waitFor();
    expect(await page.locator('#faults-link').textContent()).to.equal('Fault rules: none');

    await addRule(client, { id: 'throttle-reads', description: 'CI: ARM read throttling', effect: { throttle: { reads: 100, window: '1h' } } });
    const once = await addRule(client, { id: 'bmm-429-once', match: { method: 'GET', resourceType: 'Microsoft.NetworkCloud/bareMetalMachines', name: 'r01c00*' }, effect: { status: 429, retryAfter: 2 }, count: 1 });
    await addRule(client, { id: 'cordon-fails', match: { action: 'cordon' }, effect: { operationStatus: 'Failed', error: { code: 'MachineBusy', message: 'Busy.' } }, probability: 0.5, seed: 7 });
    const fired = await client.get(`${client.info.demo!.bareMetalMachineIds[0]}?api-version=2025-09-01`);
    expect(fired.headers['x-ms-emulator-fault']).to.equal(once.id);

    await page.locator('#faults-link').click();
    await page.locator('main h1', { hasText: 'Fault rules' }).waitFor();
    await page.locator('#faults tbody tr').nth(2).waitFor();
    expect(await page.locator('#faults-link').textContent()).to.equal('Fault rules: 2 in force');
    expect(await page.locator('#faults-summary').textContent()).to.match(/^2 of 3 rules in force/);
    const rows = await page.locator('#faults tbody tr').evaluateAll((trs: Element[]) => trs.map((tr) => [...tr.children].map((c) => (c.textContent ?? '').trim())));
    expect(rows.map((r: string[]) => r[0])).to.deep.equal(['throttle-readsCI: ARM read throttling', 'bmm-429-once', 'cordon-fails']);
    expect(rows[0].slice(1, 5)).to.deep.equal(['every request', 'throttle: 100 reads per 1h', 'none', 'Active']);
    expect(rows[0][6]).to.equal('0');
    expect(rows[1][1]).to.include('resourceType Microsoft.NetworkCloud/bareMetalMachines').and.include('name r01c00*');
    expect(rows[1].slice(2)).to.deep.equal(['429, Retry-After 2', 'count 1', 'Exhausted', '1', '1']);
    expect(rows[2].slice(2)).to.deep.equal(['operation ends Failed (MachineBusy)', 'probability 0.5 (seed 7)', 'Active', '0', '0']);
    // Read-only: nothing on the page changes rules.
    expect(await page.locator('main button, main form').count()).to.equal(0);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'portal-faults.png') });
    expect(problems).to.deep.equal([]);
  });
});
