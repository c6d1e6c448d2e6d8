/**
 * The site on the emulator's clock: leaf renewal swaps the served certificate and keeps
 * caCertificate; issuer rotation goes old → old+new → new and switches caCertificate only once the
 * endpoints serve leaves of the new issuer; certificates stay verifiable by real clients (real time)
 * however far the virtual clock is moved.
 */
import { expect } from 'chai';
import type { ClusterPkiKeys } from '../../rp/pki/cluster-pki.js';
import { inspectCertificate } from '../../rp/pki/x509.js';
import { opensslOk, requireOpenssl, TempDir } from './helpers.js';
import {
  advance, appliances, createAndDeploy, createCluster, DAY, deploy, handshake, machines, portOf, siteGet, sitePath, startSiteEmulator, type SiteRun,
} from './site-helpers.js';

const HOUR = 3_600_000;

describe('pki/site on the clock: renewal, issuer rotation, dates real clients accept', () => {
  let run: SiteRun;
  let root: string;
  let port: number;
  let initial: { serial: string; hash: string };

  const bmm = async () => (await machines(run, 'clk'))[0];
  const interfaceBundle = async () => (await siteGet(run, 'clk', '/trust-bundle')).certificates.filter((c: any) => c.purpose === 'interfaceIssuer').map((c: any) => `${c.role}:r${c.revision}`);

  before(async () => {
    run = await startSiteEmulator();
    await createAndDeploy(run, 'clk', { machines: 2, appliances: 1 });
    root = (await siteGet(run, 'clk', '/issuers')).value[0].certificate;
    const m = await bmm();
    port = portOf(m.properties.bmcConnectionString);
    initial = { serial: (await handshake(port, [root])).serial, hash: m.properties.caCertificate.hash };
  });
  after(() => run?.stop());

  it('advancing across a leaf\'s renewal time changes the served serial on the same port and keeps caCertificate', async () => {
    const before = await siteGet(run, 'clk', '/certificates/bmc-r01c001');
    expect(before.serial).to.equal(initial.serial);
    await advance(run, { advance: '59d' });
    expect((await handshake(port, [root])).serial, 'not due yet').to.equal(initial.serial);
    await advance(run, { advance: '2d' }); // past 2/3 of 90 days; POST returns once the scheduler caught up
    const peer = await handshake(port, [root]);
    expect(peer.authorized).to.equal(true);
    expect(peer.serial).to.not.equal(initial.serial);
    const after = await siteGet(run, 'clk', '/certificates/bmc-r01c001');
    expect(after.serial).to.equal(peer.serial);
    expect(after.status.revision).to.equal(2);
    expect(after.endpoint).to.include({ port, servingSerial: peer.serial });
    const m = await bmm();
    expect(portOf(m.properties.bmcConnectionString)).to.equal(port);
    expect(m.properties.caCertificate.hash).to.equal(initial.hash);
    expect(m.properties.caCertificate.value).to.equal((await siteGet(run, 'clk', '/issuers')).value[1].certificate.trimEnd());
    // A new key per revision: the old key is gone from the secret collection.
    const keys = run.emu.store.get<ClusterPkiKeys>('clusterPkiKeys', (await siteGet(run, 'clk')).clusterId.toLowerCase())!;
    expect(keys[initial.serial]).to.equal(undefined);
    expect(keys[after.serial].privateKeyPem).to.be.a('string');
  });

  it('dates a certificate issued on an advanced clock so real clients accept it now: notBefore ≤ real now, lifetime from the virtual now', async function () {
    const leaf = await siteGet(run, 'clk', '/certificates/bmc-r01c001');
    const virtualNow = Date.parse((await run.client.get('/_emulator/clock')).body.now);
    expect(virtualNow - Date.now()).to.be.greaterThan(60 * DAY);
    expect(Date.parse(leaf.status.notBefore)).to.be.at.most(Date.now() - 4 * 60_000);
    expect(Date.parse(leaf.status.notAfter) - Date.parse(leaf.issuedAt)).to.be.closeTo(90 * DAY, 2000);
    expect(Date.parse(leaf.status.renewalTime) - Date.parse(leaf.issuedAt)).to.be.closeTo(60 * DAY, 2000);
    expect(leaf.status.conditions[0]).to.include({ type: 'Ready', status: 'True' });
    requireOpenssl(this);
    const tmp = new TempDir();
    try {
      // openssl checks against the real time (no -attime): the leaf and the chain verify.
      const out = opensslOk(['verify', '-CAfile', tmp.write('root.pem', root), '-untrusted', tmp.write('iface.pem', (await siteGet(run, 'clk', '/issuers')).value[1].certificate), tmp.write('leaf.pem', leaf.certificate)]);
      expect(out).to.match(/: OK/);
    } finally {
      tmp.remove();
    }
  });

  it('issuer rotation: the trust bundle goes old → old+new → new; caCertificate switches once the endpoints serve leaves of the new issuer', async () => {
    const active = (await siteGet(run, 'clk', '/issuers')).value.find((i: any) => i.name === 'interface-issuer');
    const plan = active.rotation;
    expect(plan.phase).to.equal('active');
    expect(Date.parse(plan.retireAt) - Date.parse(plan.introduceSuccessorAt)).to.equal(60 * DAY);
    expect(await interfaceBundle()).to.deep.equal(['active:r1']);

    // Introduce: the successor joins the bundle, nothing else changes.
    await advance(run, { set: new Date(Date.parse(plan.introduceSuccessorAt) + HOUR).toISOString() });
    expect(await interfaceBundle()).to.deep.equal(['active:r1', 'pending:r2']);
    let m = await bmm();
    expect(m.properties.caCertificate.hash).to.equal(initial.hash);
    const etagBeforeSwitch = m.etag;
    const saEtagBeforeSwitch = (await appliances(run, 'clk'))[0].etag;
    let peer = await handshake(port, [root]);
    expect(inspectCertificate(peer.chain[1]).fingerprint).to.equal(initial.hash);
    const issuers = (await siteGet(run, 'clk', '/issuers')).value;
    const pending = issuers.find((i: any) => i.role === 'pending' && i.purpose === 'interfaceIssuer');
    expect(pending.status.conditions[0]).to.include({ status: 'True', reason: 'Pending' });
    const rotating = issuers.find((i: any) => i.role === 'active' && i.purpose === 'interfaceIssuer');
    expect(rotating.status.conditions.find((c: any) => c.type === 'Issuing')).to.include({ status: 'True', reason: 'Rotating' });

    // Switch: endpoints present leaves from the successor, then caCertificate names it (new etag).
    await advance(run, { set: new Date(Date.parse(plan.switchSignerAt) + HOUR).toISOString() });
    peer = await handshake(port, [root]);
    expect(peer.authorized).to.equal(true);
    expect(inspectCertificate(peer.chain[1]).fingerprint).to.equal(pending.fingerprint);
    m = await bmm();
    expect(m.properties.caCertificate.hash).to.equal(pending.fingerprint);
    expect(inspectCertificate(`${m.properties.caCertificate.value}\n`).fingerprint).to.equal(pending.fingerprint);
    expect(m.etag).to.not.equal(etagBeforeSwitch);
    const sa = (await appliances(run, 'clk'))[0];
    expect(sa.properties.caCertificate.hash).to.equal(pending.fingerprint);
    expect(sa.etag).to.not.equal(saEtagBeforeSwitch);
    for (const e of (await siteGet(run, 'clk')).endpoints) {
      const p = await handshake(e.port, [root]);
      expect(inspectCertificate(p.chain[1]).fingerprint, e.name).to.equal(pending.fingerprint);
    }
    expect(await interfaceBundle()).to.deep.equal(['retiring:r1', 'active:r2']);
    expect((await siteGet(run, 'clk')).caCertificate).to.include({ hash: pending.fingerprint, revision: 2 });

    // Retire: the old issuer leaves the bundle (and its key the store) once it has expired.
    await advance(run, { set: new Date(Date.parse(plan.retireAt) + HOUR).toISOString() });
    expect(await interfaceBundle()).to.deep.equal(['active:r2']);
    const keys = run.emu.store.get<ClusterPkiKeys>('clusterPkiKeys', (await siteGet(run, 'clk')).clusterId.toLowerCase())!;
    expect(keys[active.serial]).to.equal(undefined);
    expect((await bmm()).properties.caCertificate.hash).to.equal(pending.fingerprint);
    expect((await handshake(port, [root])).authorized).to.equal(true);
    // The infra issuer rotated on the same schedule.
    const infra = (await siteGet(run, 'clk', '/trust-bundle')).certificates.filter((c: any) => c.purpose === 'infraIssuer');
    expect(infra.map((c: any) => `${c.role}:r${c.revision}`)).to.deep.equal(['active:r2']);
  });

  it('reports Issuing=False when nothing can be issued any more (the root expired, root rotation disabled), and keeps serving', async () => {
    await createCluster(run, 'short', { machines: 1, appliances: 0 });
    const put = await run.client.put(`${sitePath(run.sub, 'short')}/settings`, { rootLifetime: '2d', issuerLifetime: '1d', leafLifetime: '12h', rootRotation: false });
    expect(put.status, put.text).to.equal(200);
    expect(put.body.rotationOverlap).to.equal('8h'); // a third of a short issuer's life
    expect((await deploy(run, 'short')).body.status).to.equal('Succeeded');
    const shortRoot = (await siteGet(run, 'short', '/issuers')).value[0].certificate;
    await advance(run, { advance: '3d' });
    const issuers = (await siteGet(run, 'short', '/issuers')).value;
    const rootView = issuers.find((i: any) => i.role === 'root');
    expect(rootView.status.conditions[0]).to.include({ status: 'False', reason: 'Expired' });
    const iface = issuers.find((i: any) => i.name === 'interface-issuer' && i.role === 'active');
    expect(iface.status.conditions.find((c: any) => c.type === 'Issuing')).to.include({ status: 'False', reason: 'Failed' });
    const leaf = await siteGet(run, 'short', '/certificates/bmc-r01c001');
    expect(leaf.status.conditions.find((c: any) => c.type === 'Issuing')).to.include({ status: 'False', reason: 'Failed' });
    expect(leaf.status.lastFailureTime).to.be.a('string');
    // Real clients still get a handshake (real time is within the validity the certificates carry).
    expect((await handshake(leaf.endpoint.port, [shortRoot])).serial).to.equal(leaf.serial);
  });

  // Last: a site with 3-second leaves makes every later jump of the shared clock record a renewal every 2 seconds.
  it('renews on real time too: a 3-second leaf is replaced without anyone moving the clock', async () => {
    await createCluster(run, 'rt', { machines: 1, appliances: 0 });
    expect((await run.client.put(`${sitePath(run.sub, 'rt')}/settings`, { leafLifetime: '3s' })).status).to.equal(200);
    expect((await deploy(run, 'rt')).body.status).to.equal('Succeeded');
    const first = await siteGet(run, 'rt', '/certificates/bmc-r01c001');
    expect(Date.parse(first.status.renewalTime) - Date.parse(first.issuedAt)).to.be.closeTo(2000, 1000);
    const rtRoot = (await siteGet(run, 'rt', '/issuers')).value[0].certificate;
    const deadline = Date.now() + 8000;
    let served = first.serial;
    while (served === first.serial && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      served = (await handshake(first.endpoint.port, [rtRoot])).serial;
    }
    expect(served).to.not.equal(first.serial);
    expect((await siteGet(run, 'rt', '/certificates/bmc-r01c001')).status.revision).to.be.at.least(2);
  });
});
