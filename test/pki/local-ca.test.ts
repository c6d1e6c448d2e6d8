import { expect } from 'chai';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Clock } from '../../rp/clock.js';
import { ensureLocalCa, type LocalCa } from '../../rp/pki/local-ca.js';
import { exportPrivateKeyPem, generateKeyPair, inspectCertificate, isIssuedBy } from '../../rp/pki/x509.js';
import { expectReject, opensslOk, requireOpenssl, TempDir } from './helpers.js';

const DAY = 86_400_000;

function mode(file: string): string {
  return (statSync(file).mode & 0o777).toString(8);
}

/** One HTTPS GET against a node https server using only `ca` as trust anchor. */
async function httpsGet(local: LocalCa, host: string, servername?: string): Promise<string> {
  const server = createServer({ cert: local.serverCertPem, key: local.serverKeyPem }, (_req, res) => res.end('hello'));
  await new Promise<void>((r) => server.listen(0, host === '::1' ? '::1' : '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise<string>((resolve, reject) => {
      const req = request({ host, port, path: '/', ca: [local.caCertPem], servername, agent: false }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
      req.end();
    });
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

describe('pki/local-ca', () => {
  let tmp: TempDir;
  beforeEach(() => { tmp = new TempDir(); });
  afterEach(() => tmp.remove());

  it('in memory (dir null): a CA and a server certificate for localhost, 127.0.0.1, ::1 and given names', async () => {
    const local = await ensureLocalCa(null, ['emulator.test'], ['192.0.2.10']);
    expect(local.caCertFile).to.equal(null);
    expect(local.caCreated).to.equal(true);
    const info = inspectCertificate(local.serverCertPem);
    expect(info.dnsNames).to.have.members(['localhost', 'emulator.test']);
    expect(info.ipAddresses.length).to.equal(3);
    expect(info.extKeyUsages).to.deep.equal(['serverAuth']);
    expect(await isIssuedBy(local.serverCertPem, local.caCertPem)).to.equal(true);
    expect(inspectCertificate(local.caCertPem).isCa).to.equal(true);
  });

  it('works with node https.createServer and a client trusting only the local CA (localhost, 127.0.0.1, ::1)', async () => {
    const local = await ensureLocalCa(null, [], []);
    expect(await httpsGet(local, '127.0.0.1')).to.equal('hello');
    expect(await httpsGet(local, '127.0.0.1', 'localhost')).to.equal('hello');
    expect(await httpsGet(local, '::1')).to.equal('hello');
    const stranger = await ensureLocalCa(null, [], []);
    await expectReject(httpsGet({ ...local, caCertPem: stranger.caCertPem }, '127.0.0.1'), /self[- ]signed|unable to (get|verify)/i);
  });

  it('creates files on first start with the right modes, and reuses them afterwards', async () => {
    const first = await ensureLocalCa(tmp.path, ['nexus.local'], []);
    expect(first.caCertFile).to.equal(tmp.file('ca.pem'));
    expect(first).to.include({ caCreated: true, serverCertIssued: true });
    expect(mode(tmp.file('ca.pem'))).to.equal('644');
    expect(mode(tmp.file('server.pem'))).to.equal('644');
    expect(mode(tmp.file('ca-key.pem'))).to.equal('600');
    expect(mode(tmp.file('server-key.pem'))).to.equal('600');
    expect(readFileSync(tmp.file('ca.pem'), 'utf8')).to.equal(first.caCertPem);

    const second = await ensureLocalCa(tmp.path, ['nexus.local'], []);
    expect(second).to.include({ caCreated: false, serverCertIssued: false });
    expect(second.caCertPem).to.equal(first.caCertPem);
    expect(second.serverCertPem).to.equal(first.serverCertPem);
    expect(second.serverKeyPem).to.equal(first.serverKeyPem);
  });

  it('reissues only the server certificate when its names change', async () => {
    const first = await ensureLocalCa(tmp.path, ['a.local'], []);
    const second = await ensureLocalCa(tmp.path, ['b.local'], ['10.1.2.3']);
    expect(second).to.include({ caCreated: false, serverCertIssued: true });
    expect(second.caCertPem).to.equal(first.caCertPem);
    expect(inspectCertificate(second.serverCertPem).dnsNames).to.have.members(['localhost', 'b.local']);
    expect(inspectCertificate(second.serverCertPem).ipAddresses).to.include('10.1.2.3');
    // The same names in another order or spelling do not count as a change.
    const third = await ensureLocalCa(tmp.path, ['B.LOCAL'], ['10.1.2.3', '::1']);
    expect(third.serverCertIssued).to.equal(false);
  });

  it('reissues the server certificate near expiry (2/3 of its life) and the CA only near its own', async () => {
    const clock = new Clock(0);
    const first = await ensureLocalCa(tmp.path, [], [], clock);
    await clock.advance(200 * DAY);
    expect((await ensureLocalCa(tmp.path, [], [], clock)).serverCertIssued).to.equal(false);
    await clock.advance(50 * DAY);
    const renewed = await ensureLocalCa(tmp.path, [], [], clock);
    expect(renewed).to.include({ serverCertIssued: true, caCreated: false });
    expect(renewed.serverCertPem).to.not.equal(first.serverCertPem);
    await clock.advance(3650 * DAY - 250 * DAY - 29 * DAY);
    const newCa = await ensureLocalCa(tmp.path, [], [], clock);
    expect(newCa).to.include({ caCreated: true, serverCertIssued: true });
    expect(await isIssuedBy(newCa.serverCertPem, newCa.caCertPem)).to.equal(true);
  });

  it('refuses a CA whose key is missing or does not match, rather than silently replacing it', async () => {
    await ensureLocalCa(tmp.path, [], []);
    writeFileSync(tmp.file('ca-key.pem'), await exportPrivateKeyPem(await generateKeyPair()));
    await expectReject(ensureLocalCa(tmp.path, [], []), /does not belong/);
    rmSync(tmp.file('ca-key.pem'));
    await expectReject(ensureLocalCa(tmp.path, [], []), /key ca-key.pem is missing/);
  });

  it('treats a lone CA key (crash between the two writes) as no CA', async () => {
    await ensureLocalCa(tmp.path, [], []);
    rmSync(tmp.file('ca.pem'));
    const again = await ensureLocalCa(tmp.path, [], []);
    expect(again).to.include({ caCreated: true, serverCertIssued: true });
    expect(await isIssuedBy(readFileSync(tmp.file('server.pem'), 'utf8'), readFileSync(tmp.file('ca.pem'), 'utf8'))).to.equal(true);
  });

  it('replaces a server key that does not match its certificate', async () => {
    await ensureLocalCa(tmp.path, [], []);
    writeFileSync(tmp.file('server-key.pem'), await exportPrivateKeyPem(await generateKeyPair()));
    const again = await ensureLocalCa(tmp.path, [], []);
    expect(again.serverCertIssued).to.equal(true);
    expect(mode(tmp.file('server-key.pem'))).to.equal('600');
  });

  it('openssl verify -CAfile ca.pem server.pem', async function () {
    requireOpenssl(this);
    await ensureLocalCa(tmp.path, ['nexus.local'], ['192.0.2.1']);
    expect(opensslOk(['verify', '-CAfile', tmp.file('ca.pem'), tmp.file('server.pem')])).to.match(/server.pem: OK/);
    expect(opensslOk(['verify', '-CAfile', tmp.file('ca.pem'), '-verify_hostname', 'nexus.local', tmp.file('server.pem')])).to.match(/OK/);
    expect(opensslOk(['verify', '-CAfile', tmp.file('ca.pem'), '-verify_ip', '::1', tmp.file('server.pem')])).to.match(/OK/);
    const text = opensslOk(['x509', '-noout', '-text', '-in', tmp.file('server.pem')]);
    expect(text).to.match(/DNS:localhost, DNS:nexus\.local, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1, IP Address:192\.0\.2\.1/);
  });
});
