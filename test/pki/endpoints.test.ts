import { expect } from 'chai';
import { request } from 'node:https';
import { connect, type PeerCertificate, type TLSSocket } from 'node:tls';
import { Clock } from '../../rp/clock.js';
import { chainFor, type ClusterPkiCreated, type IssuedRecord } from '../../rp/pki/cluster-pki.js';
import { TlsEndpointHost } from '../../rp/pki/endpoints.js';
import { normalizeSerial } from '../../rp/pki/x509.js';
import { bmcRequest, createTestPki, issueTestLeaf, opensslAsync, renewTestLeaf, requireOpenssl, storageRequest, TempDir } from './helpers.js';

const DAY = 86_400_000;

/** Opens a TLS connection trusting only `ca`; resolves with the socket once the handshake is done. */
function handshake(port: number, ca: string[], host = '127.0.0.1'): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, ca }, () => resolve(socket));
    socket.once('error', reject);
  });
}

async function peerSerial(port: number, ca: string[]): Promise<{ serial: string; chainLength: number }> {
  const socket = await handshake(port, ca);
  try {
    expect(socket.authorized).to.equal(true);
    const peer = socket.getPeerCertificate(true);
    let chainLength = 1;
    for (let c: PeerCertificate & { issuerCertificate?: PeerCertificate } = peer; c.issuerCertificate && c.issuerCertificate !== c; c = c.issuerCertificate) chainLength++;
    return { serial: normalizeSerial(peer.serialNumber), chainLength };
  } finally {
    socket.destroy();
  }
}

function getJson(url: string, ca: string[]): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, agent: false }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function expectHandshakeFailure(port: number, ca: string[], pattern: RegExp): Promise<void> {
  try {
    const s = await handshake(port, ca);
    s.destroy();
  } catch (e) {
    expect(`${(e as NodeJS.ErrnoException).code} ${(e as Error).message}`).to.match(pattern);
    return;
  }
  expect.fail('handshake should have failed');
}

describe('pki/endpoints', () => {
  // Wall-clock time: real TLS clients check validity against the real clock.
  const clock = new Clock(0);
  let c: ClusterPkiCreated;
  let bmc: IssuedRecord;
  let endpoint: TlsEndpointHost;

  before(async () => {
    c = await createTestPki('tls-cluster', clock);
    bmc = await issueTestLeaf(c, bmcRequest('rack1-bm01', 'rack1-bm01.bmc.tls-cluster.nexus'), clock);
    endpoint = await TlsEndpointHost.start({ certPem: bmc.certificate.certPem, keyPem: bmc.key.privateKeyPem, chainPems: chainFor(c.pki, bmc.certificate), name: 'rack1-bm01' });
  });
  after(() => endpoint.close());

  it('listens on an ephemeral loopback port', () => {
    expect(endpoint.host).to.equal('127.0.0.1');
    expect(endpoint.port).to.be.greaterThan(0);
    expect(endpoint.url).to.equal(`https://127.0.0.1:${endpoint.port}/`);
  });

  it('real TLS handshake with only the cluster root CA as trust anchor: leaf + interface issuer presented', async () => {
    const { serial, chainLength } = await peerSerial(endpoint.port, [c.pki.rootCa.certPem]);
    expect(serial).to.equal(bmc.certificate.serial);
    expect(chainLength).to.equal(3); // leaf → interface issuer → root (root from the client's store)
  });

  it('answers a Redfish-like service root over HTTPS (IP SAN 127.0.0.1 matches)', async () => {
    const { status, body } = await getJson(`${endpoint.url}redfish/v1/`, [c.pki.rootCa.certPem]);
    expect(status).to.equal(200);
    expect(body).to.include({ '@odata.id': '/redfish/v1/', Name: 'emulated BMC' });
    expect((await getJson(`${endpoint.url}redfish/v1/Systems/nope`, [c.pki.rootCa.certPem])).status).to.equal(404);
  });

  it('is refused by a client trusting another cluster, or verifying a name the leaf lacks', async () => {
    const other = await createTestPki('other-cluster', clock);
    await expectHandshakeFailure(endpoint.port, [other.pki.rootCa.certPem], /UNABLE_TO_GET_ISSUER_CERT_LOCALLY|unable to get/i);
    await new Promise<void>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: endpoint.port, ca: [c.pki.rootCa.certPem], servername: 'wrong.example' }, () => { s.destroy(); reject(new Error('should not verify')); });
      s.once('error', (e) => {
        try {
          expect((e as NodeJS.ErrnoException).code).to.equal('ERR_TLS_CERT_ALTNAME_INVALID');
          resolve();
        } catch (failed) {
          reject(failed);
        }
      });
    });
  });

  it('swap: new connections see the new serial while the listener and an open connection stay up', async () => {
    const portBefore = endpoint.port;
    const open = await handshake(endpoint.port, [c.pki.rootCa.certPem]);
    const openSerial = normalizeSerial(open.getPeerCertificate().serialNumber);

    const renewed = await renewTestLeaf(c, bmcRequest('rack1-bm01', 'rack1-bm01.bmc.tls-cluster.nexus'), bmc, clock);
    endpoint.swap(renewed.certificate.certPem, renewed.key.privateKeyPem, chainFor(c.pki, renewed.certificate));

    expect(endpoint.listening).to.equal(true);
    expect(endpoint.port).to.equal(portBefore);
    expect(endpoint.serial).to.equal(renewed.certificate.serial);
    const after = await peerSerial(endpoint.port, [c.pki.rootCa.certPem]);
    expect(after.serial).to.equal(renewed.certificate.serial);
    expect(after.serial).to.not.equal(bmc.certificate.serial);
    // The connection opened before the swap is still alive and still shows the old certificate.
    expect(open.destroyed).to.equal(false);
    expect(openSerial).to.equal(bmc.certificate.serial);
    expect(normalizeSerial(open.getPeerCertificate().serialNumber)).to.equal(bmc.certificate.serial);
    open.destroy();
    bmc = renewed;
  });

  it('swap refuses a key that does not belong to the certificate and keeps serving the old one', async () => {
    const other = await issueTestLeaf(c, bmcRequest('x', 'x.bmc'), clock);
    expect(() => endpoint.swap(other.certificate.certPem, bmc.key.privateKeyPem, [])).to.throw(/key values mismatch|KEY_VALUES_MISMATCH/i);
    expect((await peerSerial(endpoint.port, [c.pki.rootCa.certPem])).serial).to.equal(bmc.certificate.serial);
  });

  it('one port per endpoint: two endpoints present their own certificates', async () => {
    const sa = await issueTestLeaf(c, storageRequest('sa01', 'sa01.mgmt'), clock);
    const second = await TlsEndpointHost.start({ kind: 'storageAppliance', certPem: sa.certificate.certPem, keyPem: sa.key.privateKeyPem, chainPems: chainFor(c.pki, sa.certificate), name: 'sa01' });
    try {
      expect(second.port).to.not.equal(endpoint.port);
      expect((await peerSerial(second.port, [c.pki.rootCa.certPem])).serial).to.equal(sa.certificate.serial);
      expect((await peerSerial(endpoint.port, [c.pki.rootCa.certPem])).serial).to.equal(bmc.certificate.serial);
      expect((await getJson(second.url, [c.pki.rootCa.certPem])).body).to.include({ name: 'emulated storage appliance management', endpoint: 'sa01' });
    } finally {
      await second.close();
    }
    expect(second.listening).to.equal(false);
    await second.close(); // idempotent
    expect(() => second.swap(sa.certificate.certPem, sa.key.privateKeyPem)).to.throw(/closed/);
  });

  it('openssl s_client with only the interface issuer (-partial_chain) verifies the endpoint', async function () {
    requireOpenssl(this);
    const tmp = new TempDir();
    try {
      const iface = tmp.write('iface.pem', c.pki.interfaceIssuer.certPem);
      const r = await opensslAsync(['s_client', '-connect', `127.0.0.1:${endpoint.port}`, '-CAfile', iface, '-partial_chain', '-verify_return_error', '-verify_ip', '127.0.0.1'], 'Q\n');
      expect(r.stdout).to.match(/Verify return code: 0 \(ok\)/);
    } finally {
      tmp.remove();
    }
  });

  it('documents: node tls does not take the interface issuer alone as trust anchor (no partial chain)', async () => {
    // Clients that pin caCertificate (the interface issuer) must add the root, or compare caCertificate.hash themselves.
    await expectHandshakeFailure(endpoint.port, [c.pki.interfaceIssuer.certPem], /UNABLE_TO_GET_ISSUER_CERT/);
  });

  it('documents a wiring hazard: a leaf dated by a virtual clock ahead of real time is refused by real clients', async () => {
    const ahead = new Clock(60 * DAY);
    // One clock (the library's clockDating): the reason sites date by the virtual and the real clock at once.
    const future = await issueTestLeaf(c, bmcRequest('future', 'future.bmc'), ahead);
    const host = await TlsEndpointHost.start({ certPem: future.certificate.certPem, keyPem: future.key.privateKeyPem, chainPems: chainFor(c.pki, future.certificate) });
    try {
      await expectHandshakeFailure(host.port, [c.pki.rootCa.certPem], /CERT_NOT_YET_VALID|not yet valid/i);
    } finally {
      await host.close();
    }
  });
});
