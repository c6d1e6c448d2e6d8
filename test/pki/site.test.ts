/**
 * The cluster site after deploy: hierarchy and profiles, live TLS endpoints reached from the
 * resources, the site view, root lookup, per-cluster isolation, where keys live, settings, delete.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:https';
import path from 'node:path';
import { ncPath } from '../helpers/emulator.js';
import type { ClusterPkiKeys } from '../../rp/pki/cluster-pki.js';
import { certificateFromPem, inspectCertificate, isIssuedBy, x509 } from '../../rp/pki/x509.js';
import { normaliseOpensslFingerprint, opensslAsync, opensslOk, requireOpenssl, TempDir } from './helpers.js';
import {
  appliances, createAndDeploy, createCluster, DAY, deploy, handshake, handshakeFails, machines, portOf, siteGet, sitePath, startSiteEmulator,
  V, type SiteRun,
} from './site-helpers.js';

function getJson(url: string, ca: string[]): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, agent: false }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('pki/site: deploy, live endpoints and the site view', () => {
  let run: SiteRun;

  before(async () => {
    run = await startSiteEmulator({ inMemory: false });
    await createAndDeploy(run, 'c1', { machines: 2, appliances: 1 });
    await createAndDeploy(run, 'c2', { machines: 1, appliances: 1 });
  });
  after(() => run?.stop());

  it('deploy issues a root, interface and infra issuer, and a leaf per BMC, storage endpoint and platform service', async () => {
    const issuers = (await siteGet(run, 'c1', '/issuers')).value;
    expect(issuers.map((i: any) => [i.name, i.role, i.revision])).to.deep.equal([
      ['root-ca', 'root', 1], ['interface-issuer', 'active', 1], ['infra-issuer', 'active', 1],
    ]);
    for (const i of issuers) {
      expect(i.status.conditions[0]).to.include({ type: 'Ready', status: 'True' });
      expect(i).to.not.have.property('privateKey');
    }
    const certs = (await siteGet(run, 'c1', '/certificates')).value;
    const sa = (await appliances(run, 'c1'))[0];
    expect(certs.map((c: any) => c.name)).to.have.members([
      'bmc-r01c001', 'bmc-r01c002', `storage-appliance-${sa.name}`,
      'platform-service-cluster-api-webhook', 'platform-service-ironic', 'platform-service-platform-metrics',
    ]);
    for (const c of certs) {
      expect(c.status.conditions).to.have.length(1);
      expect(c.status.conditions[0]).to.include({ type: 'Ready', status: 'True', reason: 'Ready' });
      expect(c.status.revision).to.equal(1);
      // Renewal at 2/3 of 90 days after issuance on the emulator's clock.
      expect(Date.parse(c.status.renewalTime) - Date.parse(c.issuedAt)).to.be.closeTo(60 * DAY, 2000);
      expect(c.spec.issuerRef.name).to.equal(c.purpose === 'platformService' ? 'infra-issuer' : 'interface-issuer');
    }
  });

  it('certificates have proper profiles and chain leaf → issuer → root (checked with @peculiar/x509)', async () => {
    const [root, iface, infra] = (await siteGet(run, 'c1', '/issuers')).value.map((i: any) => i.certificate as string);
    const rootCert = certificateFromPem(root);
    expect(await rootCert.isSelfSigned()).to.equal(true);
    expect(rootCert.getExtension(x509.BasicConstraintsExtension)).to.include({ ca: true, pathLength: undefined });
    for (const issuer of [iface, infra]) {
      expect(await isIssuedBy(issuer, root)).to.equal(true);
      const cert = certificateFromPem(issuer);
      expect(cert.getExtension(x509.BasicConstraintsExtension)).to.include({ ca: true, pathLength: 0 });
      expect(cert.getExtension(x509.KeyUsagesExtension)!.usages).to.equal(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
      expect(cert.getExtension(x509.CRLDistributionPointsExtension)).to.not.equal(null);
    }
    const bmc = await siteGet(run, 'c1', '/certificates/bmc-r01c001');
    expect(await isIssuedBy(bmc.certificate, iface)).to.equal(true);
    const leaf = certificateFromPem(bmc.certificate);
    const info = inspectCertificate(bmc.certificate);
    expect(info.isCa).to.equal(false);
    expect(info.extKeyUsages).to.deep.equal(['serverAuth']);
    expect(info.dnsNames).to.deep.equal(['r01c001.bmc.c1.nexus.local']);
    expect(info.ipAddresses).to.deep.equal(['127.0.0.1']);
    expect(info.groups).to.deep.equal(['bmc']);
    const issuerSki = certificateFromPem(iface).getExtension(x509.SubjectKeyIdentifierExtension)!.keyId;
    expect(leaf.getExtension(x509.AuthorityKeyIdentifierExtension)!.keyId).to.equal(issuerSki);
    expect(leaf.getExtension(x509.SubjectKeyIdentifierExtension)).to.not.equal(null);
    const cdp = leaf.getExtension(x509.CRLDistributionPointsExtension)!.distributionPoints[0].distributionPoint!.fullName![0].uniformResourceIdentifier;
    expect(cdp).to.equal(bmc.crlDistributionPoint).and.to.match(/\/_emulator\/pki\/crl\/[0-9a-f]{8}\/interface-issuer-r1\.crl$/);
    expect(bmc.spec.privateKey).to.deep.equal({ algorithm: 'ECDSA-P384', rotationPolicy: 'Always' });
    expect((leaf.publicKey.algorithm as EcKeyAlgorithm).namedCurve).to.equal('P-384');
    const webhook = await siteGet(run, 'c1', '/certificates/platform-service-ironic');
    expect(await isIssuedBy(webhook.certificate, infra)).to.equal(true);
    expect(inspectCertificate(webhook.certificate).extKeyUsages).to.deep.equal(['serverAuth', 'clientAuth']);
  });

  it('every machine and appliance is a live TLS endpoint on loopback: a real handshake with the cluster root as the only anchor', async () => {
    const site = await siteGet(run, 'c1');
    const root = (await siteGet(run, 'c1', '/issuers')).value[0].certificate;
    for (const m of await machines(run, 'c1')) {
      const port = portOf(m.properties.bmcConnectionString);
      const peer = await handshake(port, [root]);
      expect(peer.authorized).to.equal(true);
      const leaf = await siteGet(run, 'c1', `/certificates/bmc-${m.name}`);
      expect(peer.serial).to.equal(leaf.serial);
      expect(leaf.endpoint).to.include({ port, host: '127.0.0.1', servingSerial: leaf.serial, resourceId: m.id });
      // The issuer the endpoint chains through is exactly caCertificate (compare SHA-256 fingerprints).
      expect(inspectCertificate(peer.chain[1]).fingerprint).to.equal(m.properties.caCertificate.hash);
      const redfish = await getJson(`https://127.0.0.1:${port}/redfish/v1/`, [root]);
      expect(redfish.status).to.equal(200);
      expect(redfish.body.Oem.emulator.machine).to.equal(m.name);
    }
    for (const sa of await appliances(run, 'c1')) {
      expect(sa.properties.managementIpv4Address).to.equal('127.0.0.1');
      const endpoint = site.endpoints.find((e: any) => e.resourceId === sa.id);
      expect(endpoint.kind).to.equal('storageAppliance');
      const peer = await handshake(endpoint.port, [root]);
      expect(peer.authorized).to.equal(true);
      expect(peer.serial).to.equal(endpoint.serial);
      expect(inspectCertificate(peer.chain[1]).fingerprint).to.equal(sa.properties.caCertificate.hash);
    }
  });

  it('openssl s_client shows leaf + issuer; verify -partial_chain with caCertificate alone succeeds; fingerprints match', async function () {
    requireOpenssl(this);
    const tmp = new TempDir();
    try {
      const [m] = await machines(run, 'c1');
      const port = portOf(m.properties.bmcConnectionString);
      const s = await opensslAsync(['s_client', '-connect', `127.0.0.1:${port}`, '-showcerts'], 'Q\n');
      const shown = s.stdout.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
      expect(shown, s.stderr).to.have.length(2);
      const leaf = tmp.write('leaf.pem', `${shown[0]}\n`);
      const issuer = tmp.write('issuer.pem', `${shown[1]}\n`);
      const ca = tmp.write('ca.pem', `${m.properties.caCertificate.value}\n`);
      expect(opensslOk(['verify', '-partial_chain', '-CAfile', ca, leaf])).to.match(/: OK/);
      expect(normaliseOpensslFingerprint(opensslOk(['x509', '-in', issuer, '-noout', '-fingerprint', '-sha256']))).to.equal(m.properties.caCertificate.hash);
      const verified = await opensslAsync(['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', ca, '-partial_chain', '-verify_return_error', '-verify_ip', '127.0.0.1'], 'Q\n');
      expect(verified.stdout).to.match(/Verify return code: 0 \(ok\)/);
    } finally {
      tmp.remove();
    }
  });

  it('serves the trust bundle (JSON and PEM) and looks a root up by the SHA-256 of any of its CAs', async () => {
    const bundle = await siteGet(run, 'c1', '/trust-bundle');
    expect(bundle.certificates.map((c: any) => [c.name, c.role])).to.deep.equal([['interface-issuer', 'active'], ['infra-issuer', 'active'], ['root-ca', 'root']]);
    const pem = await run.client.get(`${sitePath(run.sub, 'c1')}/trust-bundle.pem`);
    expect(pem.headers['content-type']).to.equal('application/x-pem-file');
    expect(pem.text).to.equal(bundle.pem);
    expect(pem.text.match(/BEGIN CERTIFICATE/g)).to.have.length(3);

    const [m] = await machines(run, 'c1');
    const site = await siteGet(run, 'c1');
    for (const hash of [m.properties.caCertificate.hash, m.properties.caCertificate.hash.toUpperCase().match(/../g).join(':')]) {
      const r = await run.client.get(`/_emulator/pki/roots/${hash}`, { token: false });
      expect(r.status, r.text).to.equal(200);
      expect(r.body.matched).to.include({ name: 'interface-issuer', role: 'active' });
      expect(r.body.clusterId).to.equal(site.clusterId);
      expect(r.body.root.certificate).to.equal(bundle.pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n/g)[2]);
    }
    const byRoot = await run.client.get(`/_emulator/pki/roots/${bundle.certificates[2].fingerprint}`, { token: false });
    expect(byRoot.body.matched.role).to.equal('root');
    expect((await run.client.get(`/_emulator/pki/roots/${'0'.repeat(64)}`, { token: false })).status).to.equal(404);
    expect((await run.client.get('/_emulator/pki/roots/xyz', { token: false })).body.error.code).to.equal('InvalidFingerprint');
    expect((await run.client.get(`${sitePath(run.sub, 'nope')}`)).status).to.equal(404);
    const list = await run.client.get('/_emulator/sites');
    expect(list.body.value.map((s: any) => s.clusterId.split('/').pop())).to.have.members(['c1', 'c2']);
  });

  it('two clusters share no certificate, key, id or port; one cluster\'s root does not verify the other\'s endpoints', async () => {
    const snapshot = async (name: string) => {
      const site = await siteGet(run, name);
      const issuers = (await siteGet(run, name, '/issuers')).value;
      const certs = (await siteGet(run, name, '/certificates')).value;
      const keys = run.emu.store.get<ClusterPkiKeys>('clusterPkiKeys', site.clusterId.toLowerCase())!;
      return {
        site, root: issuers[0].certificate as string,
        fingerprints: [...issuers, ...certs].map((c: any) => c.fingerprint as string),
        serials: [...issuers, ...certs].map((c: any) => c.serial as string),
        keys: Object.values(keys).map((k) => k.privateKeyPem),
        ports: site.endpoints.map((e: any) => e.port as number),
      };
    };
    const a = await snapshot('c1');
    const b = await snapshot('c2');
    expect(a.site.pkiId).to.not.equal(b.site.pkiId);
    for (const field of ['fingerprints', 'serials', 'keys', 'ports'] as const) {
      expect((a[field] as unknown[]).filter((x) => (b[field] as unknown[]).includes(x)), field).to.deep.equal([]);
      expect(new Set(a[field] as unknown[]).size, `${field} unique within a cluster`).to.equal((a[field] as unknown[]).length);
    }
    expect(await handshakeFails(b.ports[0], [a.root])).to.match(/UNABLE_TO_GET_ISSUER_CERT_LOCALLY|unable to get/i);
  });

  it('keeps every private key in clusterPkiKeys only (one per certificate), in store files of mode 0600', async () => {
    const site = await siteGet(run, 'c1');
    const key = site.clusterId.toLowerCase();
    const keys = run.emu.store.get<ClusterPkiKeys>('clusterPkiKeys', key)!;
    const issuers = (await siteGet(run, 'c1', '/issuers')).value;
    const certs = (await siteGet(run, 'c1', '/certificates')).value;
    expect(Object.keys(keys)).to.have.members([...issuers, ...certs].map((c: any) => c.serial));
    for (const collection of ['clusterPki', 'pkiSites', 'pkiSiteConfig', 'resources']) {
      expect(JSON.stringify(run.emu.store.entries(collection)), collection).to.not.match(/PRIVATE KEY/);
    }
    await run.emu.store.commit();
    // The store is a snapshot (db.json) plus write-ahead journals (db.journal.N): all 0600.
    const files = readdirSync(run.emu.dataDir).filter((f) => f.startsWith('db.'));
    expect(files).to.include('db.json');
    for (const f of files) expect(statSync(path.join(run.emu.dataDir, f)).mode & 0o777, f).to.equal(0o600);
    // The keys are persisted, encrypted (see rp/secrets/at-rest.ts): sealed records, never a PEM key in clear.
    const stored = files.map((f) => readFileSync(path.join(run.emu.dataDir, f), 'utf8')).join('\n');
    expect(stored).to.match(/"collection":"clusterPkiKeys","key":"[^"]+","value":\{"\$sealed":"v1\./);
    expect(stored).to.not.match(/PRIVATE KEY/);
  });

  it('settings are configurable per cluster before deploy (key algorithm, lifetimes) and fixed after', async () => {
    const path_ = `${sitePath(run.sub, 'c3')}/settings`;
    expect((await run.client.put(`${sitePath(run.sub, 'nope')}/settings`, {})).status).to.equal(404);
    await createCluster(run, 'c3', { machines: 1, appliances: 0 });
    expect((await run.client.get(path_)).body).to.deep.equal({
      deployed: false, keyAlgorithm: 'ECDSA-P384', rootLifetime: '3650d', issuerLifetime: '365d', leafLifetime: '90d', renewalFraction: 2 / 3, rotationOverlap: '60d',
      rootRotation: true, rootRotationOverlap: '365d',
    });
    expect((await run.client.put(path_, { keyAlgorithm: 'RSA-2048' }, { token: false })).status).to.equal(401);
    for (const bad of [{ keyAlgorithm: 'DSA' }, { leafLifetime: 'soon' }, { leafLifetime: '400d' }, { renewalFraction: 1.5 }, { colour: 'blue' }, { rotationOverlap: '365d' },
      { rootRotation: 'yes' }, { rootRotationOverlap: '3650d' }, { rootRotation: false, rootRotationOverlap: '30d' }]) {
      const r = await run.client.put(path_, bad);
      expect(r.status, JSON.stringify(bad)).to.equal(400);
      expect(r.body.error.message).to.be.a('string').and.not.equal('');
    }
    const put = await run.client.put(path_, { keyAlgorithm: 'RSA-2048', leafLifetime: '30d', issuerLifetime: 'P180D', renewalFraction: 0.5 });
    expect(put.status, put.text).to.equal(200);
    expect(put.body).to.include({ keyAlgorithm: 'RSA-2048', leafLifetime: '30d', issuerLifetime: '180d', renewalFraction: 0.5, rotationOverlap: '60d' });
    expect((await deploy(run, 'c3')).body.status).to.equal('Succeeded');
    const leaf = await siteGet(run, 'c3', '/certificates/bmc-r01c001');
    expect(leaf.spec.privateKey.algorithm).to.equal('RSA-2048');
    expect(Date.parse(leaf.status.notAfter) - Date.parse(leaf.issuedAt)).to.be.closeTo(30 * DAY, 2000);
    expect(Date.parse(leaf.status.renewalTime) - Date.parse(leaf.issuedAt)).to.be.closeTo(15 * DAY, 2000);
    expect(certificateFromPem(leaf.certificate).publicKey.algorithm.name).to.equal('RSASSA-PKCS1-v1_5');
    const [m] = await machines(run, 'c3');
    const root = (await siteGet(run, 'c3', '/issuers')).value[0].certificate;
    expect((await handshake(portOf(m.properties.bmcConnectionString), [root])).authorized).to.equal(true);
    const late = await run.client.put(path_, { keyAlgorithm: 'ECDSA-P256' });
    expect(late.status).to.equal(409);
    expect(late.body.error.code).to.equal('SiteAlreadyDeployed');
  });

  it('deleting a cluster stops its listeners and forgets its site and keys', async () => {
    const site = await siteGet(run, 'c2');
    const root = (await siteGet(run, 'c2', '/issuers')).value[0].certificate;
    expect((await handshake(site.endpoints[0].port, [root])).authorized).to.equal(true);
    const del = await run.client.delete(`${ncPath(run.sub, 'rg1', 'clusters', 'c2')}?api-version=${V}`);
    await run.client.poll(del);
    expect((await run.client.get(sitePath(run.sub, 'c2'))).status).to.equal(404);
    for (const e of site.endpoints) expect(await handshakeFails(e.port, [root])).to.match(/ECONNREFUSED/);
    for (const collection of ['clusterPki', 'clusterPkiKeys', 'pkiSites']) expect(run.emu.store.get(collection, site.clusterId.toLowerCase())).to.equal(undefined);
  });

  it('no response and no log line ever held a private key', () => {
    expect(run.client.texts.length).to.be.greaterThan(30);
    for (const text of run.client.texts) expect(text).to.not.match(/PRIVATE KEY/);
    expect(run.logs.length).to.be.greaterThan(30);
    for (const line of run.logs) expect(line).to.not.match(/PRIVATE KEY/);
  });
});
