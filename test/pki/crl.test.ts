import { expect } from 'chai';
import { Clock } from '../../rp/clock.js';
import type { ClusterPkiCreated, IssuedRecord } from '../../rp/pki/cluster-pki.js';
import {
  buildCrl, derInteger, matchesRevocation, revokedEntries, validateRevocationEntry, type RevocationCandidate,
} from '../../rp/pki/crl.js';
import { certificateFromPem, importKeyPairPem, inspectCertificate, normalizeIp, x509, type IssuerRef } from '../../rp/pki/x509.js';
import { bmcRequest, createTestPki, frozenClock, issueTestLeaf, openssl, opensslOk, requireOpenssl, TempDir } from './helpers.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2030, 0, 1);

describe('pki/crl', () => {
  let clock: Clock;
  let c: ClusterPkiCreated;
  let issuer: IssuerRef;
  let revoked: IssuedRecord;
  let good: IssuedRecord;
  let tmp: TempDir;

  before(async () => {
    clock = frozenClock();
    c = await createTestPki('crl-cluster', clock, { crlBaseUrl: 'http://127.0.0.1:8443/pki/crl-cluster' });
    const key = c.keys[c.pki.interfaceIssuer.serial];
    issuer = { cert: c.pki.interfaceIssuer.certPem, key: (await importKeyPairPem(key.privateKeyPem)).privateKey };
    revoked = await issueTestLeaf(c, bmcRequest('bad', 'bad.bmc'), clock);
    good = await issueTestLeaf(c, bmcRequest('good', 'good.bmc'), clock);
    tmp = new TempDir();
  });
  after(() => tmp.remove());

  describe('buildCrl', () => {
    it('encodes CRL numbers as minimal DER INTEGERs', () => {
      expect(Buffer.from(derInteger(0n)).toString('hex')).to.equal('020100');
      expect(Buffer.from(derInteger(127n)).toString('hex')).to.equal('02017f');
      expect(Buffer.from(derInteger(128n)).toString('hex')).to.equal('02020080');
      expect(Buffer.from(derInteger(65536n)).toString('hex')).to.equal('0203010000');
      expect(() => derInteger(-1n)).to.throw(/non-negative/);
    });

    it('builds a signed v2 CRL with times from the clock, CRL number, AKI and entries', async () => {
      const crl = await buildCrl({ issuer, crlNumber: 7, clock, entries: [{ serial: revoked.certificate.serial, revocationDate: clock.nowMs(), reason: 'keyCompromise' }] });
      expect(crl.thisUpdate.getTime()).to.equal(Math.floor(clock.nowMs() / 1000) * 1000);
      expect(crl.nextUpdate.getTime() - crl.thisUpdate.getTime()).to.equal(DAY);
      expect(crl.pem).to.match(/^-----BEGIN X509 CRL-----\n/);
      const parsed = new x509.X509Crl(crl.der);
      expect(parsed.version).to.equal(1); // v2 is encoded as 1
      expect(parsed.issuer).to.equal(certificateFromPem(issuer.cert).subject);
      expect(await parsed.verify({ publicKey: certificateFromPem(issuer.cert) })).to.equal(true);
      expect(parsed.findRevoked(revoked.certificate.serial)?.reason).to.equal(x509.X509CrlReason.keyCompromise);
      expect(parsed.findRevoked(good.certificate.serial)).to.equal(null);
      expect(parsed.getExtension('2.5.29.20')).to.not.equal(null);
      expect(parsed.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId)
        .to.equal(certificateFromPem(issuer.cert).getExtension(x509.SubjectKeyIdentifierExtension)?.keyId);
    });

    it('follows the clock: a later CRL has later times', async () => {
      const local = frozenClock(T0);
      const first = await buildCrl({ issuer, crlNumber: 1, clock: local, entries: [] });
      await local.advance(3 * DAY);
      const second = await buildCrl({ issuer, crlNumber: 2, clock: local, entries: [], validityMs: 7 * DAY });
      expect(first.thisUpdate.toISOString()).to.equal(new Date(T0).toISOString());
      expect(second.thisUpdate.getTime() - first.thisUpdate.getTime()).to.equal(3 * DAY);
      expect(second.nextUpdate.getTime() - second.thisUpdate.getTime()).to.equal(7 * DAY);
    });

    it('openssl reads the DER CRL (v2, CRL number, dates, revoked serial)', async function () {
      requireOpenssl(this);
      const crl = await buildCrl({ issuer, crlNumber: 4660, clock, entries: [{ serial: revoked.certificate.serial, revocationDate: clock.nowMs() }] });
      const text = opensslOk(['crl', '-inform', 'DER', '-in', tmp.write('x.crl', crl.der), '-noout', '-text']);
      expect(text).to.match(/Version 2 \(0x1\)/);
      expect(text).to.match(/X509v3 CRL Number:\s+4660/);
      expect(text).to.match(/X509v3 Authority Key Identifier:/);
      expect(text).to.match(/Last Update: /);
      expect(text).to.match(/Next Update: /);
      expect(text).to.match(/Signature Algorithm: ecdsa-with-SHA384/);
      expect(text.toLowerCase().replace(/[:\s]/g, '')).to.include(`serialnumber${revoked.certificate.serial}`);
    });

    it('openssl verify -crl_check rejects the revoked leaf and accepts the good one', async function () {
      requireOpenssl(this);
      const crl = await buildCrl({ issuer, crlNumber: 1, clock, entries: [{ serial: revoked.certificate.serial, revocationDate: clock.nowMs() }] });
      const crlFile = tmp.write('crl.pem', crl.pem);
      const chain = tmp.write('chain.pem', c.pki.rootCa.certPem + c.pki.interfaceIssuer.certPem);
      const atTime = String(Math.floor(clock.nowMs() / 1000) + 60);
      const bad = openssl(['verify', '-attime', atTime, '-crl_check', '-CRLfile', crlFile, '-CAfile', chain, tmp.write('bad.pem', revoked.certificate.certPem)]);
      expect(bad.status).to.not.equal(0);
      expect(bad.stdout + bad.stderr).to.match(/certificate revoked/);
      const ok = opensslOk(['verify', '-attime', atTime, '-crl_check', '-CRLfile', crlFile, '-CAfile', chain, tmp.write('good.pem', good.certificate.certPem)]);
      expect(ok).to.match(/good.pem: OK/);
      // The leaves carry the issuer's CRL distribution point.
      expect(opensslOk(['x509', '-noout', '-ext', 'crlDistributionPoints', '-in', tmp.file('good.pem')]))
        .to.include('URI:http://127.0.0.1:8443/pki/crl-cluster/interface-issuer-r1.crl');
    });
  });

  describe('revocation selectors', () => {
    const cert: RevocationCandidate = {
      serial: '4a0b', groups: ['BMC'], dnsNames: ['Rack1-BM01.bmc.example.'], ipAddresses: ['127.0.0.1', '0:0:0:0:0:0:0:1'], notBefore: T0,
    };

    it('selects by serial, group, DNS name and IP address, normalising spellings', () => {
      expect(matchesRevocation(cert, { by: 'serialNumber', value: '00:4A:0B' })).to.equal(true);
      expect(matchesRevocation(cert, { by: 'serialNumber', value: '4a0c' })).to.equal(false);
      expect(matchesRevocation(cert, { by: 'group', value: 'bmc' })).to.equal(true);
      expect(matchesRevocation(cert, { by: 'group', value: 'storage-appliance' })).to.equal(false);
      expect(matchesRevocation(cert, { by: 'dnsName', value: 'rack1-bm01.bmc.example' })).to.equal(true);
      expect(matchesRevocation(cert, { by: 'dnsName', value: 'rack1-bm02.bmc.example' })).to.equal(false);
      expect(matchesRevocation(cert, { by: 'ipAddress', value: '::1' })).to.equal(true);
      expect(matchesRevocation(cert, { by: 'ipAddress', value: '127.0.0.1' })).to.equal(true);
      expect(matchesRevocation(cert, { by: 'ipAddress', value: '10.0.0.1' })).to.equal(false);
      expect(normalizeIp('2001:DB8:0:0:0:0:0:1')).to.equal('2001:db8::1');
    });

    it('with notBefore, only certificates issued strictly before it; without, existing and future ones', () => {
      const rule = { by: 'group' as const, value: 'bmc', notBefore: T0 + DAY };
      expect(matchesRevocation(cert, rule)).to.equal(true);
      expect(matchesRevocation({ ...cert, notBefore: T0 + DAY }, rule)).to.equal(false);
      expect(matchesRevocation({ ...cert, notBefore: T0 + 2 * DAY }, rule)).to.equal(false);
      const forever = { by: 'group' as const, value: 'bmc' };
      expect(matchesRevocation({ ...cert, notBefore: T0 + 400 * DAY }, forever)).to.equal(true);
    });

    it('works on real certificates through inspectCertificate', () => {
      const info = inspectCertificate(revoked.certificate.certPem);
      expect(matchesRevocation(info, { by: 'dnsName', value: 'bad.bmc' })).to.equal(true);
      expect(matchesRevocation(info, { by: 'ipAddress', value: '127.0.0.1' })).to.equal(true);
      expect(matchesRevocation(inspectCertificate(good.certificate.certPem), { by: 'dnsName', value: 'bad.bmc' })).to.equal(false);
    });

    it('turns rules into CRL entries: one per serial, dated no earlier than the certificate', () => {
      const later = { ...cert, serial: '4a0c', notBefore: T0 + 10 * DAY };
      const entries = revokedEntries([cert, later, { ...cert, serial: '77', groups: ['other'], dnsNames: [], ipAddresses: [] }], [
        { by: 'group', value: 'bmc', revokedAt: T0 + DAY, reason: 'cessationOfOperation' },
        { by: 'serialNumber', value: '4a0b', revokedAt: T0 + 2 * DAY },
      ]);
      expect(entries).to.deep.equal([
        { serial: '4a0b', revocationDate: T0 + DAY, reason: 'cessationOfOperation' },
        { serial: '4a0c', revocationDate: T0 + 10 * DAY, reason: 'cessationOfOperation' },
      ]);
    });

    it('validates rules before they are stored', () => {
      expect(() => validateRevocationEntry({ by: 'ipAddress', value: 'bmc.local' })).to.throw(/not an IP/);
      expect(() => validateRevocationEntry({ by: 'serialNumber', value: 'xyz' })).to.throw(/hexadecimal/);
      expect(() => validateRevocationEntry({ by: 'group', value: 'bmc', notBefore: 'yesterday' })).to.throw(/instant/);
      expect(() => validateRevocationEntry({ by: 'nope' as 'group', value: 'x' })).to.throw(/unknown/);
      expect(() => validateRevocationEntry({ by: 'group', value: 'bmc', reason: 'superseded' })).to.not.throw();
    });
  });
});
