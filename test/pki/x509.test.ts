import { expect } from 'chai';
import { createPrivateKey } from 'node:crypto';
import { webcrypto } from 'node:crypto';
import {
  exportPrivateKeyPem, generateKeyPair, importKeyPairPem, inspectCertificate, isIssuedBy, issueCertificate,
  keyAlgorithmOf, keyMatchesCertificate, normalizeSerial, randomSerial, sha256Fingerprint, splitCertificates,
  certificateFromPem, certificateNotAfter, fromPem, toPem, x509, EXT_KEY_USAGE_OIDS, KEY_ALGORITHMS, KEY_USAGE_FLAGS, type IssuedCertificate,
} from '../../rp/pki/x509.js';
import { expectReject, normaliseOpensslFingerprint, openssl, opensslOk, requireOpenssl, TempDir } from './helpers.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2030, 0, 1);

interface Hierarchy {
  rootKeys: CryptoKeyPair;
  root: IssuedCertificate;
  interKeys: CryptoKeyPair;
  inter: IssuedCertificate;
  leafKeys: CryptoKeyPair;
  leaf: IssuedCertificate;
}

async function buildHierarchy(): Promise<Hierarchy> {
  const rootKeys = await generateKeyPair();
  const root = await issueCertificate({
    subject: { commonName: 'test root CA', organization: 'nce-test' },
    issuer: 'self', privateKey: rootKeys.privateKey, publicKey: rootKeys.publicKey,
    notBefore: T0, notAfter: T0 + 3650 * DAY, ca: {},
  });
  const interKeys = await generateKeyPair();
  const inter = await issueCertificate({
    subject: { commonName: 'test interface issuer', organization: 'nce-test' },
    issuer: { cert: root.certPem, key: rootKeys.privateKey }, publicKey: interKeys.publicKey,
    notBefore: T0, notAfter: T0 + 365 * DAY, ca: { pathLength: 0 },
  });
  const leafKeys = await generateKeyPair();
  const leaf = await issueCertificate({
    subject: { commonName: 'bmc-rack1-01.example.nexus', organization: 'bmc' },
    issuer: { cert: inter.certPem, key: interKeys.privateKey }, publicKey: leafKeys.publicKey,
    notBefore: T0, notAfter: T0 + 90 * DAY,
    dnsNames: ['bmc-rack1-01.example.nexus'], ipAddresses: ['127.0.0.1', '::1'],
    crlDistributionPoint: 'http://127.0.0.1:8443/pki/interface-issuer.crl',
  });
  return { rootKeys, root, interKeys, inter, leafKeys, leaf };
}

describe('pki/x509', function () {
  let h: Hierarchy;
  let tmp: TempDir;

  before(async () => {
    h = await buildHierarchy();
    tmp = new TempDir();
  });
  after(() => tmp.remove());

  describe('keys', () => {
    for (const algorithm of KEY_ALGORITHMS) {
      it(`generates ${algorithm} and round-trips it through PKCS#8 PEM`, async () => {
        const pair = await generateKeyPair(algorithm);
        expect(keyAlgorithmOf(pair.privateKey)).to.equal(algorithm);
        const pem = await exportPrivateKeyPem(pair);
        expect(pem.startsWith(`-----BEGIN ${['PRIVATE', 'KEY'].join(' ')}-----\n`)).to.equal(true);
        const back = await importKeyPairPem(pem);
        expect(keyAlgorithmOf(back.privateKey)).to.equal(algorithm);
        // The re-imported private key must produce signatures the original public key accepts.
        const alg = algorithm.startsWith('ECDSA') ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'RSASSA-PKCS1-v1_5' };
        const data = new TextEncoder().encode('nexus');
        const sig = await webcrypto.subtle.sign(alg, back.privateKey, data);
        expect(await webcrypto.subtle.verify(alg, pair.publicKey, sig, data)).to.equal(true);
        expect(await exportPrivateKeyPem(back)).to.equal(pem);
      });
    }

    it('defaults to ECDSA P-384', async () => {
      expect(keyAlgorithmOf((await generateKeyPair()).publicKey)).to.equal('ECDSA-P384');
    });

    it('tells a matching key from a foreign one', async () => {
      const pem = await exportPrivateKeyPem(h.leafKeys);
      expect(keyMatchesCertificate(pem, h.leaf.certPem)).to.equal(true);
      expect(keyMatchesCertificate(pem, h.inter.certPem)).to.equal(false);
    });
  });

  describe('PEM and serials', () => {
    it('PEM round-trips and splits bundles', () => {
      const der = fromPem(h.leaf.certPem, 'CERTIFICATE');
      expect(toPem(der, 'CERTIFICATE')).to.equal(h.leaf.certPem);
      expect(splitCertificates(h.leaf.certPem + h.inter.certPem)).to.deep.equal([h.leaf.certPem, h.inter.certPem]);
      expect(() => fromPem('nothing here', 'CERTIFICATE')).to.throw(/no PEM block/);
    });

    it('makes random positive 16-byte serials', () => {
      const seen = new Set<string>();
      for (let i = 0; i < 1000; i++) {
        const s = randomSerial();
        expect(s).to.match(/^[4-7][0-9a-f]{31}$/);
        seen.add(s);
      }
      expect(seen.size).to.equal(1000);
      expect(normalizeSerial('00:AB:cd')).to.equal('abcd');
    });

    it('a certificate carries the serial it was issued with', () => {
      expect(h.leaf.serial).to.have.length(32);
      expect(inspectCertificate(h.leaf.certPem).serial).to.equal(h.leaf.serial);
    });
  });

  describe('profiles', () => {
    it('the key usage bits and extended key usage OIDs issuance writes are the library\'s', () => {
      for (const [name, bit] of Object.entries(KEY_USAGE_FLAGS)) expect(bit, name).to.equal(x509.KeyUsageFlags[name as keyof typeof KEY_USAGE_FLAGS]);
      for (const [name, oid] of Object.entries(EXT_KEY_USAGE_OIDS)) expect(oid, name).to.equal(x509.ExtendedKeyUsage[name as keyof typeof EXT_KEY_USAGE_OIDS]);
    });

    it('notAfter read without the ASN.1 library agrees with it (UTCTime and GeneralizedTime)', async () => {
      for (const issued of [h.root, h.inter, h.leaf]) expect(certificateNotAfter(issued.certPem).getTime()).to.equal(inspectCertificate(issued.certPem).notAfter.getTime());
      // After 2049 RFC 5280 encodes GeneralizedTime.
      const keys = await generateKeyPair();
      const late = await issueCertificate({ subject: { commonName: 'late' }, issuer: 'self', privateKey: keys.privateKey, publicKey: keys.publicKey, notBefore: T0, notAfter: Date.UTC(2061, 4, 6, 7, 8, 9), ca: {} });
      expect(certificateNotAfter(late.certPem).toISOString()).to.equal('2061-05-06T07:08:09.000Z');
      expect(inspectCertificate(late.certPem).notAfter.toISOString()).to.equal('2061-05-06T07:08:09.000Z');
    });

    it('a leaf never signs, and a pathLen-0 issuer signs leaves only', async () => {
      const keys = await generateKeyPair();
      const base = { subject: { commonName: 'child' }, publicKey: keys.publicKey, notBefore: T0, notAfter: T0 + DAY };
      await expectReject(issueCertificate({ ...base, issuer: { cert: h.leaf.certPem, key: h.leafKeys.privateKey } }), /is not a CA certificate/);
      await expectReject(issueCertificate({ ...base, issuer: { cert: h.inter.certPem, key: h.interKeys.privateKey }, ca: {} }), /pathLen 0/);
      const leaf = await issueCertificate({ ...base, issuer: { cert: h.inter.certPem, key: h.interKeys.privateKey } });
      expect(await isIssuedBy(leaf.certPem, h.inter.certPem)).to.equal(true);
    });

    it('root: self-signed CA, no path length limit, keyCertSign+cRLSign, SKI=AKI', () => {
      const c = certificateFromPem(h.root.certPem);
      const bc = c.getExtension(x509.BasicConstraintsExtension)!;
      expect(bc.critical).to.equal(true);
      expect(bc.ca).to.equal(true);
      expect(bc.pathLength).to.equal(undefined);
      const ku = c.getExtension(x509.KeyUsagesExtension)!;
      expect(ku.critical).to.equal(true);
      expect(ku.usages).to.equal(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
      expect(c.getExtension(x509.ExtendedKeyUsageExtension)).to.equal(null);
      expect(c.getExtension(x509.AuthorityKeyIdentifierExtension)!.keyId)
        .to.equal(c.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId);
      expect(c.subject).to.equal(c.issuer);
    });

    it('intermediate: CA with pathLen 0, AKI = root SKI', () => {
      const c = certificateFromPem(h.inter.certPem);
      const root = certificateFromPem(h.root.certPem);
      expect(c.getExtension(x509.BasicConstraintsExtension)!.pathLength).to.equal(0);
      expect(c.getExtension(x509.AuthorityKeyIdentifierExtension)!.keyId)
        .to.equal(root.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId);
      expect(c.issuer).to.equal(root.subject);
    });

    it('leaf: not a CA, digitalSignature only for ECDSA, serverAuth, SANs, CRL DP', () => {
      const info = inspectCertificate(h.leaf.certPem);
      expect(info.isCa).to.equal(false);
      expect(info.groups).to.deep.equal(['bmc']);
      expect(info.dnsNames).to.deep.equal(['bmc-rack1-01.example.nexus']);
      expect(info.ipAddresses).to.include('127.0.0.1');
      const c = certificateFromPem(h.leaf.certPem);
      expect(c.getExtension(x509.KeyUsagesExtension)!.usages).to.equal(x509.KeyUsageFlags.digitalSignature);
      expect(c.getExtension(x509.ExtendedKeyUsageExtension)!.usages).to.deep.equal([x509.ExtendedKeyUsage.serverAuth]);
    });

    it('RSA leaf adds keyEncipherment', async () => {
      const keys = await generateKeyPair('RSA-2048');
      const leaf = await issueCertificate({
        subject: { commonName: 'rsa leaf' }, issuer: { cert: h.inter.certPem, key: h.interKeys.privateKey },
        publicKey: keys.publicKey, notBefore: T0, notAfter: T0 + DAY, dnsNames: ['rsa.example'],
      });
      const ku = certificateFromPem(leaf.certPem).getExtension(x509.KeyUsagesExtension)!;
      expect(ku.usages).to.equal(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment);
    });

    it('refuses bad input: inverted dates, non-IP addresses, overlong CN', async () => {
      const base = { issuer: { cert: h.inter.certPem, key: h.interKeys.privateKey }, publicKey: h.leafKeys.publicKey };
      await expectReject(issueCertificate({ ...base, subject: { commonName: 'x' }, notBefore: T0, notAfter: T0 }), /notAfter/);
      await expectReject(issueCertificate({ ...base, subject: { commonName: 'x' }, notBefore: T0, notAfter: T0 + DAY, ipAddresses: ['bmc.local'] }), /not an IP/);
      await expectReject(issueCertificate({ ...base, subject: { commonName: 'x'.repeat(65) }, notBefore: T0, notAfter: T0 + DAY }), /longer than 64/);
    });

    it('refuses to sign with a non-CA, or to make a CA under a pathLen-0 issuer', async () => {
      const keys = await generateKeyPair();
      const common = { subject: { commonName: 'y' }, publicKey: keys.publicKey, notBefore: T0, notAfter: T0 + DAY };
      await expectReject(issueCertificate({ ...common, issuer: { cert: h.leaf.certPem, key: h.leafKeys.privateKey } }), /not a CA/);
      await expectReject(issueCertificate({ ...common, ca: {}, issuer: { cert: h.inter.certPem, key: h.interKeys.privateKey } }), /pathLen 0/);
    });
  });

  describe('chain verification with @peculiar/x509', () => {
    it('X509ChainBuilder builds leaf → interface issuer → root', async () => {
      const builder = new x509.X509ChainBuilder({
        certificates: [h.root.certPem, h.inter.certPem].map(certificateFromPem),
      });
      const chain = await builder.build(certificateFromPem(h.leaf.certPem));
      expect(chain.map((c) => c.serialNumber.toLowerCase())).to.deep.equal([h.leaf.serial, h.inter.serial, h.root.serial]);
    });

    it('signatures verify against the right issuer only', async () => {
      expect(await isIssuedBy(h.leaf.certPem, h.inter.certPem)).to.equal(true);
      expect(await isIssuedBy(h.inter.certPem, h.root.certPem)).to.equal(true);
      expect(await isIssuedBy(h.leaf.certPem, h.root.certPem)).to.equal(false);
      const other = await buildHierarchy();
      expect(await isIssuedBy(h.leaf.certPem, other.inter.certPem)).to.equal(false);
    });
  });

  describe('openssl cross-checks', function () {
    beforeEach(function () { requireOpenssl(this); });

    it('openssl verify: leaf against root + intermediate, and -partial_chain against the interface issuer alone', () => {
      const root = tmp.write('root.pem', h.root.certPem);
      const inter = tmp.write('inter.pem', h.inter.certPem);
      const leaf = tmp.write('leaf.pem', h.leaf.certPem);
      const at = String(T0 / 1000 + DAY / 1000); // a day into the validity window
      expect(opensslOk(['verify', '-attime', at, '-CAfile', root, '-untrusted', inter, leaf])).to.match(/leaf.pem: OK/);
      expect(opensslOk(['verify', '-attime', at, '-partial_chain', '-CAfile', inter, leaf])).to.match(/leaf.pem: OK/);
      // Without -partial_chain an intermediate alone is not a trust anchor.
      expect(openssl(['verify', '-attime', at, '-CAfile', inter, leaf]).status).to.not.equal(0);
      // Outside the validity window openssl must refuse.
      const late = String(T0 / 1000 + 91 * DAY / 1000);
      const expired = openssl(['verify', '-attime', late, '-CAfile', root, '-untrusted', inter, leaf]);
      expect(expired.status).to.not.equal(0);
      expect(expired.stdout + expired.stderr).to.match(/certificate has expired/);
    });

    it('openssl x509 -text shows the intended extensions', () => {
      const rootText = opensslOk(['x509', '-noout', '-text', '-in', tmp.write('root.pem', h.root.certPem)]);
      expect(rootText).to.match(/Basic Constraints: critical\s+CA:TRUE\s/);
      expect(rootText).to.match(/Key Usage: critical\s+Certificate Sign, CRL Sign/);
      expect(rootText).to.match(/Signature Algorithm: ecdsa-with-SHA384/);
      expect(rootText).to.match(/ASN1 OID: secp384r1/);

      const interText = opensslOk(['x509', '-noout', '-text', '-in', tmp.write('inter.pem', h.inter.certPem)]);
      expect(interText).to.match(/Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
      const rootSki = /Subject Key Identifier:\s+([0-9A-F:]+)/.exec(rootText)![1];
      expect(interText).to.include(rootSki); // as the AKI keyid

      const leafText = opensslOk(['x509', '-noout', '-text', '-in', tmp.write('leaf.pem', h.leaf.certPem)]);
      expect(leafText).to.match(/Basic Constraints: critical\s+CA:FALSE/);
      expect(leafText).to.match(/Key Usage: critical\s+Digital Signature\n/);
      expect(leafText).to.match(/Extended Key Usage:\s+TLS Web Server Authentication/);
      expect(leafText).to.match(/Subject Alternative Name:\s+DNS:bmc-rack1-01\.example\.nexus, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1/);
      expect(leafText).to.match(/CRL Distribution Points:\s+Full Name:\s+URI:http:\/\/127\.0\.0\.1:8443\/pki\/interface-issuer\.crl/);
      expect(leafText).to.match(/Subject: O ?= ?bmc, CN ?= ?bmc-rack1-01\.example\.nexus/);
      const serial = opensslOk(['x509', '-noout', '-serial', '-in', tmp.file('leaf.pem')]).trim();
      expect(serial.toLowerCase()).to.equal(`serial=${h.leaf.serial}`);
    });

    it('sha256Fingerprint equals openssl x509 -fingerprint -sha256', () => {
      for (const c of [h.root, h.inter, h.leaf]) {
        const out = opensslOk(['x509', '-noout', '-fingerprint', '-sha256', '-in', tmp.write('fp.pem', c.certPem)]);
        expect(normaliseOpensslFingerprint(out)).to.equal(sha256Fingerprint(c.certPem));
        expect(c.fingerprint).to.equal(sha256Fingerprint(c.certPem));
      }
    });

    it('openssl reads the PKCS#8 key and finds it matches the certificate', async () => {
      const keyPem = await exportPrivateKeyPem(h.leafKeys);
      const keyFile = tmp.write('leaf-key.pem', keyPem);
      const certPub = opensslOk(['x509', '-noout', '-pubkey', '-in', tmp.write('leaf.pem', h.leaf.certPem)]);
      const keyPub = opensslOk(['pkey', '-pubout', '-in', keyFile]);
      expect(keyPub).to.equal(certPub);
      expect(createPrivateKey(keyPem).asymmetricKeyDetails?.namedCurve).to.equal('secp384r1');
    });
  });

  it('measures (printed, not asserted): one ECDSA P-384 leaf, key generation and signing apart', async () => {
    const rounds = 50;
    const issuer = { cert: h.inter.certPem, key: h.interKeys.privateKey };
    let keygenNs = 0n;
    let signNs = 0n;
    for (let i = 0; i < rounds; i++) {
      const t0 = process.hrtime.bigint();
      const keys = await generateKeyPair('ECDSA-P384');
      const t1 = process.hrtime.bigint();
      await issueCertificate({
        subject: { commonName: `leaf-${i}` }, issuer, publicKey: keys.publicKey,
        notBefore: T0, notAfter: T0 + 90 * DAY, dnsNames: [`leaf-${i}.example`], ipAddresses: ['127.0.0.1'],
      });
      keygenNs += t1 - t0;
      signNs += process.hrtime.bigint() - t1;
    }
    const ms = (ns: bigint) => (Number(ns) / 1e6 / rounds).toFixed(2);
    console.log(`      measured: P-384 leaf = keygen ${ms(keygenNs)} ms + issue/sign ${ms(signNs)} ms = ${ms(keygenNs + signNs)} ms (mean of ${rounds})`);
  });
});
