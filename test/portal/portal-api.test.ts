/** The portal's server side: static assets, the loopback sign-in, and its read-only JSON routes. */
import { expect } from 'chai';
import type { Request } from 'express';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { bareMetalMachineDef } from '../../rp/api/registry.js';
import { isLoopbackAddress, portalStaticDir, portalTokenRefusal } from '../../rp/portal/router.js';
import { startEmulator, type Running } from '../helpers/emulator.js';

describe('portal: server side', () => {
  let run: Running;
  let origin: string;
  const portalHeaders = () => ({ Origin: origin, 'X-Portal-Request': '1', Host: new URL(origin).host });

  before(async () => {
    run = await startEmulator({ demo: true });
    origin = run.client.endpoint.replace(/\/$/, '');
  });
  after(() => run.stop());

  it('serves the page and its modules with a strict content security policy', async () => {
    const redirect = await run.client.get('/portal', { token: false });
    expect(redirect.status).to.equal(301);
    expect(redirect.headers.location).to.equal('/portal/');
    const page = await run.client.get('/portal/', { token: false });
    expect(page.status).to.equal(200);
    expect(page.headers['content-type']).to.match(/^text\/html/);
    expect(page.text).to.include('<script type="module" src="app.js"></script>');
    expect(page.headers['content-security-policy']).to.include("script-src 'self'").and.include("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).to.equal('nosniff');
    const js = await run.client.get('/portal/app.js', { token: false });
    expect(js.status).to.equal(200);
    expect(js.headers['content-type']).to.match(/javascript/);
    expect((await run.client.get('/portal/nope.js', { token: false })).status).to.equal(404);
  });

  it('puts no secret in the page source', async () => {
    const { clientSecret, msiSecret } = run.client.info;
    for (const file of readdirSync(portalStaticDir())) {
      const r = await run.client.get(`/portal/${file}`, { token: false });
      expect(r.status, file).to.equal(200);
      expect(r.text, file).not.to.include(clientSecret);
      expect(r.text, file).not.to.include(msiSecret);
      expect(r.text, file).not.to.match(/client_secret\s*[:=]\s*['"][^'"]/);
    }
  });

  it('hands a same-origin loopback page a short-lived ARM token that works on the ARM API', async () => {
    const r = await run.client.post('/portal/api/token', undefined, { token: false, headers: portalHeaders() });
    expect(r.status).to.equal(200);
    expect(r.headers['cache-control']).to.equal('no-store');
    expect(r.body.token_type).to.equal('Bearer');
    expect(r.body.expires_in).to.equal(900);
    expect(r.body.tenantId).to.equal(run.client.info.tenantId);
    expect(JSON.stringify(r.body)).not.to.include(run.client.info.clientSecret);
    const claims = JSON.parse(Buffer.from(r.body.access_token.split('.')[1], 'base64url').toString());
    expect(claims.aud).to.equal('https://management.azure.com/');
    expect(claims.appid).to.equal(run.client.info.clientId);
    expect(claims.exp - claims.iat).to.equal(900);
    const list = await run.client.get(`/subscriptions/${run.client.info.subscriptionId}/resourcegroups?api-version=2021-04-01`, { token: r.body.access_token });
    expect(list.status).to.equal(200);
  });

  it('refuses a token request without the portal origin, with a foreign origin, or without its header', async () => {
    const cases: Record<string, string>[] = [
      {},
      { Origin: 'https://evil.example', 'X-Portal-Request': '1' },
      { Origin: origin },
      { ...portalHeaders(), 'Sec-Fetch-Site': 'cross-site' },
      { ...portalHeaders(), Host: `rebound.example:${run.client.port}`, Origin: `https://rebound.example:${run.client.port}` },
    ];
    for (const headers of cases) {
      const r = await run.client.post('/portal/api/token', undefined, { token: false, headers });
      expect(r.status, JSON.stringify(headers)).to.equal(403);
      expect(r.body.error.code).to.equal('PortalSignInRefused');
      expect(r.body).not.to.have.property('access_token');
      expect(r.body.tenantId).to.equal(run.client.info.tenantId);
    }
  });

  it('refuses callers that are not on loopback', () => {
    expect(isLoopbackAddress('127.0.0.1')).to.equal(true);
    expect(isLoopbackAddress('::1')).to.equal(true);
    expect(isLoopbackAddress('::ffff:127.0.0.1')).to.equal(true);
    for (const a of ['10.0.0.5', '192.168.1.2', '::ffff:10.0.0.1', 'fe80::1', undefined]) expect(isLoopbackAddress(a), String(a)).to.equal(false);
    const fake = (remoteAddress: string) =>
      ({ socket: { remoteAddress }, get: (h: string) => ({ host: `localhost:${run.client.port}`, origin, 'x-portal-request': '1' } as Record<string, string>)[h.toLowerCase()] }) as unknown as Request;
    expect(portalTokenRefusal(fake('127.0.0.1'), run.emu)).to.equal(null);
    expect(portalTokenRefusal(fake('192.168.1.20'), run.emu)).to.match(/loopback/);
  });

  it('the JSON routes need a bearer token', async () => {
    for (const p of ['/portal/api/version-diff?type=x&from=a&to=b', '/portal/api/property-versions?type=x&path=y']) {
      const r = await run.client.get(p, { token: false });
      expect(r.status, p).to.equal(401);
    }
  });

  it('version-diff reports the model paths a type gains and loses (caCertificate arrives after 2025-02-01)', async () => {
    const r = await run.client.get('/portal/api/version-diff?type=Microsoft.NetworkCloud/bareMetalMachines&from=2025-02-01&to=2025-09-01');
    expect(r.status).to.equal(200);
    expect(r.body.added).to.include.members(['properties.caCertificate', 'properties.caCertificate.hash', 'properties.caCertificate.value']);
    const a = new Set(bareMetalMachineDef.require('2025-02-01').paths());
    const b = new Set(bareMetalMachineDef.require('2025-09-01').paths());
    expect(r.body.added).to.deep.equal([...b].filter((p) => !a.has(p)).sort());
    expect(r.body.removed).to.deep.equal([...a].filter((p) => !b.has(p)).sort());
    const back = await run.client.get('/portal/api/version-diff?type=microsoft.networkcloud/BAREMETALMACHINES&from=2025-09-01&to=2025-02-01');
    expect(back.body.removed).to.deep.equal(r.body.added);
    expect((await run.client.get('/portal/api/version-diff?type=Microsoft.NetworkCloud/bareMetalMachines&from=2019-01-01&to=2025-09-01')).status).to.equal(400);
    expect((await run.client.get('/portal/api/version-diff?type=Microsoft.Foo/bars&from=2025-02-01&to=2025-09-01')).status).to.equal(404);
  });

  it('property-versions lists the versions that have a property', async () => {
    const r = await run.client.get('/portal/api/property-versions?type=Microsoft.NetworkCloud/bareMetalMachines&path=properties.caCertificate');
    expect(r.body.versions).to.deep.equal(['2025-07-01-preview', '2025-09-01', '2026-01-01-preview', '2026-05-01-preview', '2026-07-01']);
    const cm = await run.client.get('/portal/api/property-versions?type=Microsoft.NetworkCloud/clusterManagers&path=properties.caCertificate');
    expect(cm.body.versions).to.deep.equal([]);
  });

  it('the static folder holds only plain browser files', () => {
    const files = readdirSync(portalStaticDir()).sort();
    expect(files).to.deep.equal(['api.js', 'app.js', 'diff.js', 'faults.js', 'index.html', 'jsonview.js', 'portal.css', 'x509.js']);
    for (const f of files.filter((x) => x.endsWith('.js'))) {
      const text = readFileSync(path.join(portalStaticDir(), f), 'utf8');
      // Relative ES module imports only: no bundler, no bare package names.
      for (const m of text.matchAll(/^import .* from '([^']+)';$/gm)) expect(m[1], `${f} imports ${m[1]}`).to.match(/^\.\/[\w-]+\.js$/);
    }
  });
});
