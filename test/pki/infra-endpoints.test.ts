/**
 * The platform services' mutual-TLS endpoints (signed by the infra issuer): listed by the site view,
 * presenting the platform-service leaf, accepting only client certificates from the same cluster's
 * infra issuer (CSR in, certificate out through an RBAC-checked route), refusing none, another
 * cluster's, revoked (every site selector) and expired ones, with real TLS clients, over clock jumps.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireCommands } from '../helpers/prereq.js';
import { createAndDeploy, DAY, sitePath, startSiteEmulator, type SiteRun } from './site-helpers.js';
import { makeCsr, refusal, tlsRequest } from './mtls-helpers.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'nce-infra-mtls-'));
const openssl = (args: string[]) => {
  const r = spawnSync('openssl', args, { encoding: 'utf8', cwd: dir, timeout: 20_000 });
  return `${r.stdout}${r.stderr}`;
};
const file = (name: string, text: string) => writeFileSync(path.join(dir, name), text);

describe('infra issuer: platform-service endpoints with mutual TLS', function () {
  this.timeout(120_000);
  let run: SiteRun;

  const endpoints = async (cluster: string) => {
    const r = await run.client.get(`${sitePath(run.sub, cluster)}/infra-endpoints`);
    expect(r.status, r.text).to.equal(200);
    return r.body.value as any[];
  };
  const bundle = async (cluster: string) => (await run.client.get(`${sitePath(run.sub, cluster)}/trust-bundle.pem`)).text;
  const client = async (cluster: string, cn: string, opts: { orgs?: string[]; dns?: string[]; ips?: string[] } = {}) => {
    const k = await makeCsr(cn, opts);
    const r = await run.client.post(`${sitePath(run.sub, cluster)}/infra-client-certificates`, { csr: k.csrPem });
    expect(r.status, r.text).to.equal(201);
    return { cert: r.body.certificate as string, chain: r.body.chain as string[], key: k.keyPem, serial: r.body.serial as string, body: r.body };
  };
  const call = async (cluster: string, service: string, c?: { cert: string; key: string }) => {
    const e = (await endpoints(cluster)).find((x) => x.serviceName === service);
    // The services are named by DNS (their certificates carry no IP): dial 127.0.0.1, check the name.
    return tlsRequest(e.url, { ca: await bundle(cluster), servername: e.dnsNames[0], cert: c?.cert, key: c?.key, path: '/' });
  };
  const advance = async (seconds: number) => expect((await run.client.post('/_emulator/clock', { advance: seconds })).status).to.equal(200);

  before(async () => {
    run = await startSiteEmulator({ quiet: true });
    await createAndDeploy(run, 'pa', { machines: 1, appliances: 1 });
    await createAndDeploy(run, 'pb', { machines: 1, appliances: 1 });
  });
  after(async () => {
    await run?.stop();
  });

  it('lists a live endpoint per platform service in the site view, each presenting its infra-issuer leaf', async () => {
    const list = await endpoints('pa');
    expect(list.map((e) => e.serviceName).sort()).to.deep.equal(['cluster-api-webhook', 'ironic', 'platform-metrics']);
    const show = (await run.client.get(sitePath(run.sub, 'pa'))).body;
    expect(show.infraEndpoints.map((e: any) => e.url).sort()).to.deep.equal(list.map((e) => e.url).sort());
    const certs = (await run.client.get(`${sitePath(run.sub, 'pa')}/certificates`)).body.value;
    for (const e of list) {
      const r = await call('pa', e.serviceName);
      expect(r.peerSerial, e.name).to.equal(certs.find((c: any) => c.name === e.name).serial);
      expect(r.peerSerial).to.equal(e.servingSerial);
    }
  });

  it('accepts a client certificate of its own infra issuer (CSR in, certificate out), refuses none and another cluster\'s; openssl agrees', async function () {
    const mine = await client('pa', 'ops-client', { orgs: ['ops'] });
    expect([mine.body.issuer.name, mine.body.groups]).to.deep.equal(['infra-issuer', ['ops']]);
    expect(JSON.stringify(mine.body)).to.not.contain('PRIVATE KEY');
    const ok = await call('pa', 'ironic', mine);
    expect([ok.status, ok.body.client.commonName, ok.body.client.serial]).to.deep.equal([200, 'ops-client', mine.serial]);
    const none = await call('pa', 'ironic');
    expect([none.status, refusal(none)]).to.deep.equal([401, 'ClientCertificateRequired']);
    const foreign = await client('pb', 'ops-client');
    const other = await call('pa', 'ironic', foreign);
    expect([other.status, refusal(other)]).to.deep.equal([401, 'ClientCertificateUntrusted']);
    const bad = await run.client.post(`${sitePath(run.sub, 'pa')}/infra-client-certificates`, { csr: 'nope' });
    expect([bad.status, bad.body.error.code]).to.deep.equal([400, 'InvalidCertificateSigningRequest']);

    requireCommands(this, ['openssl']);
    file('bundle.pem', await bundle('pa'));
    file('client.pem', mine.cert);
    file('infra.pem', mine.chain[0]);
    expect(openssl(['verify', '-CAfile', 'bundle.pem', 'client.pem'])).to.contain('client.pem: OK');
    const info = openssl(['x509', '-in', 'client.pem', '-noout', '-ext', 'extendedKeyUsage']);
    expect(info).to.contain('TLS Web Client Authentication');
  });

  it('refuses client certificates revoked by every site selector (serial, group, DNS name, IP) and lists them in the infra issuer\'s CRL', async function () {
    const bySerial = await client('pa', 'c-serial');
    const byGroup = await client('pa', 'c-group', { orgs: ['rotated-team'] });
    const byDns = await client('pa', 'c-dns', { dns: ['c-dns.ops.example'] });
    const byIp = await client('pa', 'c-ip', { ips: ['192.0.2.44'] });
    const kept = await client('pa', 'c-kept', { orgs: ['other'] });
    for (const [by, value] of [['serialNumber', bySerial.serial], ['group', 'rotated-team'], ['dnsName', 'c-dns.ops.example'], ['ipAddress', '192.0.2.44']]) {
      const r = await run.client.post(`${sitePath(run.sub, 'pa')}/revocations`, { by, value });
      expect(r.status, r.text).to.equal(201);
      expect(r.body.revoked.map((x: any) => x.name)).to.have.length.greaterThan(0);
    }
    for (const c of [bySerial, byGroup, byDns, byIp]) {
      const r = await call('pa', 'platform-metrics', c);
      expect([r.status, refusal(r)], c.body.name).to.deep.equal([401, 'ClientCertificateRevoked']);
    }
    expect((await call('pa', 'platform-metrics', kept)).status).to.equal(200);
    const crlUrl = (await run.client.get(`${sitePath(run.sub, 'pa')}/issuers`)).body.value.find((i: any) => i.name === 'infra-issuer' && i.role === 'active').crl.pem;
    const crl = await run.client.get(crlUrl);
    requireCommands(this, ['openssl']);
    file('infra-crl.pem', crl.text);
    const text = openssl(['crl', '-in', 'infra-crl.pem', '-noout', '-text']).toUpperCase();
    for (const c of [bySerial, byGroup, byDns, byIp]) expect(text).to.contain(c.serial.toUpperCase());
    expect(text).to.not.contain(kept.serial.toUpperCase());
  });

  it('reissues the endpoint of a revoked server certificate and serves the new one at once', async () => {
    const before = (await endpoints('pa')).find((e) => e.serviceName === 'cluster-api-webhook');
    const r = await run.client.post(`${sitePath(run.sub, 'pa')}/revocations`, { by: 'serialNumber', value: before.servingSerial });
    expect(r.status, r.text).to.equal(201);
    expect(r.body.reissued.map((x: any) => x.name)).to.deep.equal(['platform-service-cluster-api-webhook']);
    const after = (await endpoints('pa')).find((e) => e.serviceName === 'cluster-api-webhook');
    expect(after.port).to.equal(before.port);
    expect(after.servingSerial).to.not.equal(before.servingSerial);
    const c = await client('pa', 'after-revoke');
    const reply = await call('pa', 'cluster-api-webhook', c);
    expect([reply.status, reply.peerSerial]).to.deep.equal([200, after.servingSerial]);
  });

  it('over a month and a year: expired client certificates are refused, renewed leaves and a rotated infra issuer are served, new clients work', async () => {
    const old = await client('pa', 'short-lived');
    const leaf0 = (await endpoints('pa')).find((e) => e.serviceName === 'ironic').servingSerial;
    await advance(30 * DAY / 1000);
    expect((await call('pa', 'ironic', old)).status).to.equal(200);
    await advance(70 * DAY / 1000);
    const expired = await call('pa', 'ironic', old);
    expect([expired.status, refusal(expired)]).to.deep.equal([401, 'ClientCertificateExpired']);
    const leaf1 = (await endpoints('pa')).find((e) => e.serviceName === 'ironic').servingSerial;
    expect(leaf1).to.not.equal(leaf0);
    const issuer0 = (await run.client.get(`${sitePath(run.sub, 'pa')}/issuers`)).body.value.find((i: any) => i.name === 'infra-issuer' && i.role === 'active').serial;
    await advance(365 * DAY / 1000);
    const issuer1 = (await run.client.get(`${sitePath(run.sub, 'pa')}/issuers`)).body.value.find((i: any) => i.name === 'infra-issuer' && i.role === 'active').serial;
    expect(issuer1).to.not.equal(issuer0);
    const fresh = await client('pa', 'next-year');
    expect(fresh.body.issuer.serial).to.equal(issuer1);
    const r = await call('pa', 'ironic', fresh);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.peerSerial).to.equal((await endpoints('pa')).find((e) => e.serviceName === 'ironic').servingSerial);
  });
});
