/**
 * The portal end to end in headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core:
 * sign in, browse to a bare metal machine, JSON View at 2025-02-01 (no caCertificate) and
 * 2025-09-01 (caCertificate, hash equal to the API's), the version diff, the clock, a cluster's PKI.
 * Screenshots go to test-artifacts/portal-*.png. Skips, saying why, without chromium or playwright-core.
 *
 * The browser trusts the emulator's CA through a private NSS database (certutil, from libnss3-tools)
 * in a throw-away HOME; without certutil it pins exactly the emulator's server certificate with
 * --ignore-certificate-errors-spki-list. Certificate errors are never ignored wholesale.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { ROOT, startEmulator, type Running } from '../helpers/emulator.js';
import { requirePrereq } from '../helpers/prereq.js';

const CHROMIUM = '/usr/bin/chromium';
const PLAYWRIGHT = 'playwright-core';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ARTIFACTS = path.join(ROOT, 'test-artifacts');

// playwright-core is loaded at run time (it may be absent), so its types are not imported here.
/* eslint-disable @typescript-eslint/no-explicit-any */
type Page = any;
type BrowserContext = any;

interface Trust {
  args: string[];
  env: NodeJS.ProcessEnv;
  how: string;
  home?: string;
}

function hasCertutil(): boolean {
  const r = spawnSync('certutil', ['-H'], { stdio: 'ignore' });
  return !r.error;
}

/** sha256 of the server certificate's SubjectPublicKeyInfo, base64: what Chromium's SPKI list wants. */
function serverSpkiHash(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca }, () => {
      const spki = socket.getPeerX509Certificate()!.publicKey.export({ type: 'spki', format: 'der' });
      socket.end();
      resolve(createHash('sha256').update(spki).digest('base64'));
    });
    socket.on('error', reject);
  });
}

async function browserTrust(run: Running): Promise<Trust> {
  if (hasCertutil()) {
    const home = mkdtempSync(path.join(os.tmpdir(), 'nce-portal-home-'));
    const db = path.join(home, '.pki', 'nssdb');
    mkdirSync(db, { recursive: true });
    for (const args of [['-N', '--empty-password'], ['-A', '-n', 'networkcloud-emulator test CA', '-t', 'C,,', '-i', run.emu.caCertFile!]]) {
      const r = spawnSync('certutil', ['-d', `sql:${db}`, ...args], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`certutil ${args.join(' ')} failed: ${r.stderr}`);
    }
    return { args: [], env: { ...process.env, HOME: home }, how: "the emulator's CA trusted in a private NSS database", home };
  }
  const spki = await serverSpkiHash(run.client.port, run.emu.caCertPem);
  return { args: [`--ignore-certificate-errors-spki-list=${spki}`], env: process.env, how: "the emulator's server certificate pinned by SPKI (certutil not found)" };
}

/**
 * Text whose colour has less than 4.5:1 contrast (WCAG AA) with the background it sits on: every
 * visible element with its own text, against its nearest opaque background.
 */
function lowContrastText(): string[] {
  const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
  const lum = ([r, g, b]: number[]) => {
    const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (e: Element | null): number[] => {
    for (; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c;
    }
    return [255, 255, 255];
  };
  const out: string[] = [];
  for (const e of document.querySelectorAll('body *')) {
    const own = [...e.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? '').trim());
    const box = (e as HTMLElement).getBoundingClientRect();
    if (!own || !box.width || !box.height || e.closest('.visually-hidden, [hidden]')) continue;
    const [a, b] = [lum(rgb(getComputedStyle(e).color)), lum(background(e))].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    if (ratio < 4.5) out.push(`${e.tagName.toLowerCase()}.${(e as HTMLElement).className} "${(e.textContent ?? '').trim().slice(0, 30)}" ${ratio.toFixed(2)}:1`);
  }
  return out;
}

describe('portal: end to end in headless Chromium', function () {
  this.timeout(120_000);
  let run: Running | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let trust: Trust | undefined;
  let userDataDir: string | undefined;
  const problems: string[] = [];

  const demo = () => run!.client.info.demo!;
  const bmmId = () => demo().bareMetalMachineIds[0];
  const shot = async (name: string) => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, `portal-${name}.png`) });
  };
  const h1 = () => page.locator('main h1');

  before(async function () {
    requirePrereq(this, existsSync(CHROMIUM), `${CHROMIUM} is missing (apt-get install -y chromium)`);
    let chromium: any;
    try {
      const specifier: string = PLAYWRIGHT;
      chromium = (await import(specifier)).chromium;
    } catch {
      requirePrereq(this, false, `the npm package ${PLAYWRIGHT} is not installed`);
    }
    run = await startEmulator({ demo: true });
    trust = await browserTrust(run);
    console.log(`      browser trust: ${trust.how}`);
    userDataDir = mkdtempSync(path.join(os.tmpdir(), 'nce-portal-profile-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM, headless: true, args: [...ARGS, ...trust.args], env: trust.env,
      viewport: { width: 1440, height: 1000 }, acceptDownloads: true, locale: 'en-US', timezoneId: 'UTC',
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e: Error) => problems.push(`page error: ${e.message}`));
    page.on('console', (m: any) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    page.on('requestfailed', (r: any) => {
      // Navigating away aborts what the previous page still had in flight; that is not a failure.
      const why = r.failure()?.errorText ?? '';
      if (!r.url().startsWith('blob:') && why !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.url()} ${why}`);
    });
  });

  after(async () => {
    await context?.close();
    await run?.stop();
    if (trust?.home) rmSync(trust.home, { recursive: true, force: true });
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  it('signs in by itself and browses subscriptions, resource groups and resources, with search by name', async () => {
    await page.goto(`${run!.client.endpoint}portal/`);
    await h1().filter({ hasText: 'Subscriptions' }).waitFor();
    await expect(await page.locator('#who').textContent()).to.match(/^Signed in as /);
    await page.getByRole('link', { name: 'Operator Nexus emulator', exact: true }).click();
    await h1().filter({ hasText: 'Operator Nexus emulator' }).waitFor();
    const groups = await page.locator('#groups tbody th a').allTextContents();
    expect(groups).to.include.members(['nexus-demo-rg', 'demo-cluster-mrg']);

    await page.getByLabel('Search resources by name').fill('r01c00');
    expect(await page.locator('#resources tbody tr').count()).to.equal(demo().bareMetalMachineIds.length);
    expect(await page.locator('#resources-count').textContent()).to.match(/^6 of \d+ match/);
    await page.getByLabel('Search resources by name').fill('R01C001');
    expect(await page.locator('#resources tbody tr').count()).to.equal(1);
    await page.getByLabel('Search resources by name').fill('no-such-machine');
    expect(await page.locator('#resources tbody').textContent()).to.include('No names match');
    await page.getByLabel('Search resources by name').fill('r01');
    await shot('search');
    await page.getByLabel('Search resources by name').fill('r01c001');
    await page.locator('#resources tbody a', { hasText: 'r01c001' }).click();
    await h1().filter({ hasText: 'r01c001' }).waitFor();
    const overview = await page.locator('#panel').textContent();
    expect(overview).to.include('Microsoft.NetworkCloud/bareMetalMachines').and.include('detailedStatus').and.include('eastus');
    await shot('overview');
  });

  it('JSON View lists exactly the type\'s api-versions; caCertificate is absent at 2025-02-01 and present at 2025-09-01 with the API\'s hash', async () => {
    await page.getByRole('tab', { name: 'JSON View' }).click();
    await page.locator('#json-version').waitFor();
    const provider = await run!.client.get(`/subscriptions/${run!.client.info.subscriptionId}/providers/Microsoft.NetworkCloud?api-version=2021-04-01`);
    const versions = provider.body.resourceTypes.find((t: { resourceType: string }) => t.resourceType === 'bareMetalMachines').apiVersions;
    expect(await page.locator('#json-version option').allTextContents()).to.deep.equal(versions);

    await page.getByLabel('API version').selectOption('2025-02-01');
    await page.locator('.request', { hasText: 'api-version=2025-02-01' }).waitFor();
    await page.locator('#cert-absent').waitFor();
    expect(await page.locator('#cert-absent').textContent()).to.include('2025-09-01');
    expect(await page.locator('.json-tree [data-path="properties.caCertificate"]').count()).to.equal(0);
    expect(await page.locator('.json-tree [data-path="properties.bmcConnectionString"]').count()).to.equal(1);
    await shot('json-view-2025-02-01');

    const api = await run!.client.get(`${bmmId()}?api-version=2025-09-01`);
    const { hash, value } = api.body.properties.caCertificate;
    await page.getByLabel('API version').selectOption('2025-09-01');
    await page.locator('#cert-hash').waitFor();
    expect(await page.locator('#cert-hash').textContent()).to.equal(hash);
    expect(await page.locator('#cert-hash-check').textContent()).to.include('matches');
    expect(await page.locator('#cert-subject').textContent()).to.match(/interface issuer/);
    expect(await page.locator('#cert-issuer').textContent()).to.match(/root CA/);
    expect(await page.locator('#cert-validity').textContent()).to.equal('valid');
    expect(await page.locator('.json-tree [data-path="properties.caCertificate.hash"]').textContent()).to.include(hash);

    await page.locator('#copy-json').click();
    expect(JSON.parse(await page.evaluate(() => navigator.clipboard.readText()))).to.deep.equal(api.body);

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#cert-download').click()]);
    expect(download.suggestedFilename()).to.equal('r01c001-ca.pem');
    expect(readFileSync(await download.path(), 'utf8').trim()).to.equal(value.trim());

    // Collapsible with the keyboard: Enter on an object's summary closes and reopens it.
    const props = page.locator('.json-tree details[data-path="properties"]');
    await props.locator('> summary').focus();
    await page.keyboard.press('Enter');
    expect(await props.getAttribute('open')).to.equal(null);
    expect(await page.locator('.json-tree [data-path="properties.caCertificate.hash"]').isVisible()).to.equal(false);
    await page.keyboard.press('Enter');
    expect(await props.getAttribute('open')).to.equal('');
    await page.locator('#cert-card').scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot('json-view-2025-09-01');
  });

  it('the version diff shows caCertificate added from 2025-02-01 to 2025-09-01, side by side', async () => {
    await page.getByRole('tab', { name: 'Version diff' }).click();
    await page.locator('#diff-table').waitFor();
    await page.getByLabel('Compare api-version').selectOption('2025-02-01');
    await page.locator('#diff-table-left', { hasText: 'api-version 2025-02-01' }).waitFor();
    await page.getByLabel('with api-version').selectOption('2025-09-01');
    await page.locator('#diff-table-right', { hasText: 'api-version 2025-09-01' }).waitFor();
    const added = page.locator('#diff-table td.d-right.j-added[data-path="properties.caCertificate"]');
    expect(await added.count()).to.equal(1);
    expect(await page.locator('#diff-table td.d-left[data-path="properties.caCertificate"]').count()).to.equal(0);
    // Aligned: on the row where the right side gains caCertificate, the left side is a blank.
    expect(await page.locator('#diff-table tr:has(td.d-right[data-path="properties.caCertificate"]) td.d-left.d-empty').count()).to.equal(1);
    const hashCell = page.locator('#diff-table td.d-right[data-path="properties.caCertificate.hash"]');
    expect(await hashCell.isVisible()).to.equal(true);
    expect(await page.locator('#diff-only-to').textContent()).to.include('properties.caCertificate');
    // The summary's model list comes from the API model (fieldPaths): it names caCertificate.hash too.
    expect(await page.locator('#model-added').textContent()).to.include('properties.caCertificate.hash');
    // Folding caCertificate hides its lines; unfolding shows them again.
    await added.getByRole('button').click();
    expect(await hashCell.isVisible()).to.equal(false);
    expect(await added.getByRole('button').getAttribute('aria-expanded')).to.equal('false');
    await added.getByRole('button').press('Enter');
    expect(await hashCell.isVisible()).to.equal(true);
    // A taller window for the picture, so it shows the summary and the added caCertificate together.
    await page.setViewportSize({ width: 1440, height: 1900 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot('version-diff');
    await page.setViewportSize({ width: 1440, height: 1000 });

    await page.locator('#diff-swap').click();
    await page.locator('#diff-table-left', { hasText: 'api-version 2025-09-01' }).waitFor();
    expect(await page.locator('#diff-table td.d-left.j-removed[data-path="properties.caCertificate"]').count()).to.equal(1);
  });

  it('advances the emulator clock from the header', async () => {
    const before = (await run!.client.get('/_emulator/clock')).body;
    const shown = await page.locator('#clock-now').getAttribute('datetime');
    expect(Math.abs(Date.parse(shown) - Date.parse(before.now))).to.be.below(120_000);
    await page.getByLabel('Advance by').selectOption('30d');
    await page.getByRole('button', { name: 'Advance clock' }).click();
    await page.locator('#clock-ahead', { hasText: '30 d ahead' }).waitFor();
    const after = (await run!.client.get('/_emulator/clock')).body;
    expect(after.offsetSeconds - before.offsetSeconds).to.be.within(30 * 86400, 30 * 86400 + 60);
    const now = await page.locator('#clock-now').getAttribute('datetime');
    expect(Math.abs(Date.parse(now) - Date.parse(after.now))).to.be.below(120_000);
    await page.locator('#status', { hasText: 'advanced by 30 days' }).waitFor({ state: 'attached' });
  });

  it('shows a cluster\'s PKI tree (root, issuers, leaves) and trust bundle, and leaves renew as the clock advances', async () => {
    const [, , sub, , group, , , , name] = demo().clusterId.split('/');
    const site = `/_emulator/sites/${sub}/${group}/${name}`;
    const leafRevision = async (leaf: string) => (await run!.client.get(`${site}/certificates/${leaf}`)).body.status.revision as number;
    await page.goto(`${run!.client.endpoint}portal/#${demo().clusterId}?tab=pki`);
    await page.locator('#pki-tree').waitFor();
    const issuers = (await run!.client.get(`${site}/issuers`)).body.value;
    const leaves = (await run!.client.get(`${site}/certificates`)).body.value;
    const names = await page.locator('#pki-tree .pki-node').evaluateAll((els: Element[]) => els.map((e) => e.getAttribute('data-name')));
    expect(names[0]).to.equal('root-ca');
    expect(names).to.have.members([...issuers, ...leaves].map((c: { name: string }) => c.name));
    // Issuers hang under the root, machine leaves under the interface issuer.
    expect(await page.locator('#pki-tree > li > ul > li[data-name="interface-issuer"]').count()).to.equal(1);
    expect(await page.locator('#pki-tree li[data-name="interface-issuer"] > ul > li[data-name="bmc-r01c001"]').count()).to.equal(1);
    expect(await page.locator('#pki-tree li[data-name="interface-issuer"] .badge', { hasText: 'shown as caCertificate' }).count()).to.equal(1);
    expect(await page.locator('#pki-tree li[data-name="bmc-r01c001"] .pki-endpoint').textContent()).to.include('r01c001');
    const bundle = (await run!.client.get(`${site}/trust-bundle`)).body;
    expect(await page.locator('#trust-bundle tbody tr').count()).to.equal(bundle.certificates.length);
    expect((await page.locator('#trust-bundle pre').textContent()).trim()).to.equal(bundle.pem.trim());

    const before = await leafRevision('bmc-r01c001');
    const bmcRevision = page.locator('#pki-tree li[data-name="bmc-r01c001"] > .pki-cert .pki-rev');
    expect(await bmcRevision.textContent()).to.equal(` revision ${before}`);
    await shot('cluster-pki');
    // Past the leaves' renewal time (two thirds of 90 days): the page redraws with the renewed leaves.
    await page.getByLabel('Advance by').selectOption('61d');
    await page.getByRole('button', { name: 'Advance clock' }).click();
    await page.locator('#status', { hasText: 'advanced by 61 days' }).waitFor({ state: 'attached' });
    const after = await leafRevision('bmc-r01c001');
    expect(after).to.be.above(before);
    await page.locator('#pki-tree li[data-name="bmc-r01c001"] > .pki-cert .pki-rev', { hasText: `revision ${after}` }).waitFor();
    await shot('cluster-pki-renewed');
  });

  it('shows resource types of other providers with their own api-versions', async () => {
    const sub = run!.client.info.subscriptionId;
    const uai = `/subscriptions/${sub}/resourceGroups/nexus-demo-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/portal-uai`;
    const created = await run!.client.put(`${uai}?api-version=2023-01-31`, { location: 'eastus', tags: { team: 'portal' } });
    expect(created.status).to.be.oneOf([200, 201]);
    const provider = await run!.client.get(`/subscriptions/${sub}/providers/Microsoft.ManagedIdentity?api-version=2021-04-01`);
    const versions = provider.body.resourceTypes.find((t: { resourceType: string }) => t.resourceType === 'userAssignedIdentities').apiVersions;
    await page.goto(`${run!.client.endpoint}portal/#/subscriptions/${sub}/resourceGroups/nexus-demo-rg`);
    await page.locator('#group-resources a', { hasText: 'portal-uai' }).click();
    await h1().filter({ hasText: 'portal-uai' }).waitFor();
    expect(await page.locator('#panel .tags').textContent()).to.include('team').and.include('portal');
    await page.getByRole('tab', { name: 'JSON View' }).click();
    await page.locator('.json-tree [data-path="properties.principalId"]').waitFor();
    expect(await page.locator('#json-version option').allTextContents()).to.deep.equal(versions);
    expect(await page.locator('#cert-card').count()).to.equal(0);
    await page.getByRole('tab', { name: 'Version diff' }).click();
    await page.locator('#diff-table').waitFor();
    expect(await page.getByRole('tab', { name: 'PKI and trust' }).count()).to.equal(0);
  });

  it('falls back to a client-credentials sign-in form when the loopback sign-in is refused', async () => {
    const other = await context.newPage();
    try {
      // As a caller on another machine would be answered.
      await other.route('**/portal/api/token', (route: any) => route.fulfill({
        status: 403, contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'PortalSignInRefused', message: 'Only for callers on this machine.' }, tenantId: run!.client.info.tenantId }),
      }));
      await other.goto(`${run!.client.endpoint}portal/`);
      await other.locator('#signin').waitFor();
      expect(await other.getByLabel('Tenant ID').inputValue()).to.equal(run!.client.info.tenantId);
      await other.getByLabel('Client ID').fill(run!.client.info.clientId);
      await other.getByLabel('Client secret').fill('wrong-secret');
      await other.getByRole('button', { name: 'Sign in' }).click();
      await other.locator('#si-error [role=alert]').waitFor();
      await other.getByLabel('Client secret').fill(run!.client.info.clientSecret);
      await other.getByRole('button', { name: 'Sign in' }).click();
      await other.locator('main h1', { hasText: 'Subscriptions' }).waitFor();
      expect(await other.locator('#who').textContent()).to.equal(`Signed in as ${run!.client.info.clientId}`);
    } finally {
      await other.close();
    }
  });

  it('is usable from the keyboard, and every form control has a label', async () => {
    await page.goto(`${run!.client.endpoint}portal/#${bmmId()}?tab=overview`);
    await page.reload();
    await h1().filter({ hasText: 'r01c001' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).to.equal('Skip to content');
    // Focus is visible: the focused element draws an outline.
    expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).to.not.equal('none');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('main');
    await page.getByRole('tab', { name: 'Overview' }).focus();
    await page.keyboard.press('ArrowRight');
    await page.locator('#json-version').waitFor();
    expect(await page.getByRole('tab', { name: 'JSON View' }).getAttribute('aria-selected')).to.equal('true');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('tab-json');

    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll('input, select, textarea, button')]
        .filter((e) => !(e as HTMLInputElement).labels?.length && !e.getAttribute('aria-label') && !(e.textContent ?? '').trim() && !e.closest('[aria-hidden=true]'))
        .map((e) => e.outerHTML.slice(0, 80)),
    );
    expect(unlabelled).to.deep.equal([]);

    // Contrast of every text on the pages with the most colours: JSON View with the certificate, the diff, the PKI tree.
    for (const hash of [`${bmmId()}?tab=json&api-version=2025-09-01`, `${bmmId()}?tab=diff&from=2025-02-01&to=2025-09-01`, `${demo().clusterId}?tab=pki`]) {
      await page.goto(`${run!.client.endpoint}portal/#${hash}`);
      await page.locator('#panel .card').first().waitFor();
      expect(await page.evaluate(lowContrastText), hash).to.deep.equal([]);
    }
    expect(problems).to.deep.equal([]);
  });
});
