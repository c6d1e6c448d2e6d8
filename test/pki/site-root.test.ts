/**
 * Root rotation, with clients that trust only the site's trust bundle: at every step of the sequence
 * (new root introduced, issuers re-signed and endpoints switched, old root retired) a real TLS client
 * (node:tls and openssl s_client) verifies every endpoint, both with the bundle of that moment and with
 * the bundle it fetched at the previous step. And the 'virtual' certificate dating policy: dates read
 * from the certificates are the virtual issuance instant plus the lifetime, and openssl agrees at -attime.
 */
import { expect } from 'chai';
import { inspectCertificate } from '../../rp/pki/x509.js';
import { opensslAsync, opensslOk, requireOpenssl, TempDir } from './helpers.js';
import {
  advance, createCluster, DAY, deploy, handshake, handshakeFails, machines, siteGet, sitePath, startSiteEmulator, type SiteRun,
} from './site-helpers.js';

const HOUR = 3_600_000;

async function bundlePem(run: SiteRun, cluster: string): Promise<string> {
  const r = await run.client.get(`${sitePath(run.sub, cluster)}/trust-bundle.pem`);
  expect(r.status).to.equal(200);
  return r.text;
}

function splitPem(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/g) ?? [];
}

describe('pki/site root rotation: a client trusting only the bundle never fails', function () {
  // Dozens of handshakes (node:tls and openssl) at each step: slow on a loaded machine.
  this.timeout(240_000);
  let run: SiteRun;
  let tmp: TempDir;
  let previousBundle: string;

  before(async () => {
    run = await startSiteEmulator();
    tmp = new TempDir();
    await createCluster(run, 'rr', { machines: 2, appliances: 1 });
    const put = await run.client.put(`${sitePath(run.sub, 'rr')}/settings`, { rootLifetime: '30d', issuerLifetime: '20d', leafLifetime: '4d', rootRotationOverlap: '10d' });
    expect(put.status, put.text).to.equal(200);
    expect(put.body).to.include({ rootRotation: true, rootRotationOverlap: '10d' });
    expect((await deploy(run, 'rr')).body.status).to.equal('Succeeded');
    previousBundle = await bundlePem(run, 'rr');
  });
  after(async () => {
    tmp?.remove();
    await run?.stop();
  });

  /** Every endpoint, with the bundle of now and the one fetched at the previous step, by node:tls and openssl. */
  async function everyClientSucceeds(step: string, withPrevious = true): Promise<void> {
    const current = await bundlePem(run, 'rr');
    const endpoints = (await siteGet(run, 'rr')).endpoints as any[];
    expect(endpoints.length).to.equal(3);
    for (const [which, bundle] of (withPrevious ? [['current', current], ['previous', previousBundle]] : [['current', current]]) as Array<[string, string]>) {
      const file = tmp.write(`${step}-${which}.pem`, bundle);
      for (const e of endpoints) {
        const peer = await handshake(e.port, splitPem(bundle));
        expect(peer.authorized, `${step}: ${e.name} with the ${which} bundle`).to.equal(true);
        expect(peer.serial).to.equal(e.servingSerial);
        const s = await opensslAsync(['s_client', '-connect', `127.0.0.1:${e.port}`, '-CAfile', file, '-verify_return_error', '-verify_ip', '127.0.0.1'], 'Q\n');
        expect(s.stdout, `${step}: openssl s_client ${e.name} with the ${which} bundle\n${s.stderr}`).to.match(/Verify return code: 0 \(ok\)/);
      }
    }
    previousBundle = current;
  }

  const roots = async () => (await siteGet(run, 'rr', '/trust-bundle')).certificates.filter((c: any) => c.purpose === 'rootCa').map((c: any) => `${c.role}:r${c.revision}`);

  it('walks the whole sequence: introduce, switch (issuers re-signed, endpoints and caCertificate follow), retire', async function () {
    requireOpenssl(this);
    const rootView = (await siteGet(run, 'rr', '/issuers')).value[0];
    const plan = rootView.rotation;
    expect(plan.phase).to.equal('active');
    expect(Date.parse(plan.retireAt) - Date.parse(plan.introduceSuccessorAt)).to.equal(10 * DAY);
    const firstRoot = rootView.certificate;
    const firstHash = (await machines(run, 'rr'))[0].properties.caCertificate.hash;
    await everyClientSucceeds('deployed');

    // A day in: nothing about the root changes.
    await advance(run, { advance: '1d' });
    expect(await roots()).to.deep.equal(['root:r1']);
    await everyClientSucceeds('day1');

    // Introduce: the new root joins the bundle; nothing signs with it yet.
    await advance(run, { set: new Date(Date.parse(plan.introduceSuccessorAt) + HOUR).toISOString() });
    expect(await roots()).to.deep.equal(['root:r1', 'pending:r2']);
    const pendingRoot = (await siteGet(run, 'rr', '/issuers')).value.find((i: any) => i.purpose === 'rootCa' && i.role === 'pending');
    expect(pendingRoot.status.conditions[0]).to.include({ status: 'True', reason: 'Pending' });
    await everyClientSucceeds('introduced');

    // Switch: the issuers are re-signed by the new root, every endpoint serves the new chain, caCertificate follows.
    await advance(run, { set: new Date(Date.parse(plan.switchSignerAt) + HOUR).toISOString() });
    expect(await roots()).to.deep.equal(['root:r2', 'retiring:r1']);
    const issuers = (await siteGet(run, 'rr', '/issuers')).value;
    const newRoot = issuers[0];
    expect(newRoot).to.include({ role: 'root', revision: 2, serial: pendingRoot.serial });
    const iface = issuers.find((i: any) => i.purpose === 'interfaceIssuer' && i.role === 'active');
    const infra = issuers.find((i: any) => i.purpose === 'infraIssuer' && i.role === 'active');
    expect(inspectCertificate(iface.certificate).issuer).to.equal(inspectCertificate(newRoot.certificate).subject);
    expect(iface.issuer).to.equal(newRoot.subject);
    for (const ca of [iface, infra]) {
      const history = (await siteGet(run, 'rr', `/certificates/${ca.name}/history`)).value;
      expect(history[history.length - 1]).to.include({ reason: 'RootRotation', serial: ca.serial, issuerSerial: newRoot.serial });
    }
    for (const e of (await siteGet(run, 'rr')).endpoints) {
      const peer = await handshake(e.port, [newRoot.certificate]);
      expect(peer.authorized, `${e.name} chains to the new root alone`).to.equal(true);
      expect(inspectCertificate(peer.chain[1]).fingerprint).to.equal(iface.fingerprint);
      expect((await handshakeFails(e.port, [firstRoot]))).to.match(/unable to get|self.signed|UNABLE/i);
    }
    const m = (await machines(run, 'rr'))[0];
    expect(m.properties.caCertificate.hash).to.equal(iface.fingerprint).and.not.equal(firstHash);
    expect((await siteGet(run, 'rr')).caCertificate).to.include({ hash: iface.fingerprint });
    const lookup = await run.client.get(`/_emulator/pki/roots/${m.properties.caCertificate.hash}`);
    expect(lookup.body.root.serial).to.equal(newRoot.serial);
    await everyClientSucceeds('switched');

    // Retire: the old root leaves the bundle (and its key the store) when it expires.
    await advance(run, { set: new Date(Date.parse(plan.retireAt) + HOUR).toISOString() });
    expect(await roots()).to.deep.equal(['root:r2']);
    const keys = run.emu.store.get<Record<string, unknown>>('clusterPkiKeys', (await siteGet(run, 'rr')).clusterId.toLowerCase())!;
    expect(keys[rootView.serial]).to.equal(undefined);
    expect(splitPem(await bundlePem(run, 'rr')).map((p) => inspectCertificate(p).serial)).to.not.include(rootView.serial);
    await everyClientSucceeds('retired');

    // Two months later (day 90): each root is succeeded 20 days after it was made (30-day life, 10-day
    // overlap), r3 at day 40, r4 at 60, r5 at 80, every step inside one jump.
    const jumped = await run.client.post('/_emulator/clock', { advance: '60d' });
    expect(jumped.status).to.equal(200);
    const rootHistory = (await siteGet(run, 'rr', '/certificates/root-ca/history')).value.map((h: any) => `${h.revision}:${h.reason}`);
    expect(rootHistory).to.deep.equal(['1:Deployed', '2:Rotation', '3:Rotation', '4:Rotation', '5:Rotation']);
    // A client must refresh the bundle at least once per overlap: the day-30 bundle (r2 alone) is two roots behind.
    await everyClientSucceeds('months-later', false);
  });
});

describe('pki/site certificate dating: virtual', function () {
  this.timeout(120_000);
  let run: SiteRun;

  before(async () => {
    run = await startSiteEmulator({ certificateDating: 'virtual' });
    await createCluster(run, 'vd', { machines: 1, appliances: 0 });
    expect((await deploy(run, 'vd')).body.status).to.equal('Succeeded');
  });
  after(() => run?.stop());

  it('every certificate reads its virtual issuance instant and exact lifetime; openssl verify -attime <virtual now> agrees, real time does not', async function () {
    requireOpenssl(this);
    await advance(run, { advance: '61d' }); // past 2/3 of 90 days: the BMC leaf is renewed at day 60
    const leaf = await siteGet(run, 'vd', '/certificates/bmc-r01c001');
    expect(leaf.status.revision).to.equal(2);
    const issuers = (await siteGet(run, 'vd', '/issuers')).value;
    const tmp = new TempDir();
    try {
      const leafFile = tmp.write('leaf.pem', leaf.certificate);
      const dates = opensslOk(['x509', '-in', leafFile, '-noout', '-dates']);
      const notBefore = Date.parse(/notBefore=(.*)/.exec(dates)![1]);
      const notAfter = Date.parse(/notAfter=(.*)/.exec(dates)![1]);
      expect(notBefore).to.equal(Date.parse(leaf.issuedAt));
      expect(notAfter - notBefore).to.equal(90 * DAY);
      const history = leaf.history;
      expect(notBefore - Date.parse(history[0].notBefore)).to.equal(Math.floor((60 * DAY) / 1000) * 1000);
      for (const ca of issuers.filter((i: any) => i.role === 'root' || i.role === 'active')) {
        const d = opensslOk(['x509', '-in', tmp.write(`${ca.name}.pem`, ca.certificate), '-noout', '-dates']);
        const life = Date.parse(/notAfter=(.*)/.exec(d)![1]) - Date.parse(/notBefore=(.*)/.exec(d)![1]);
        expect(life, ca.name).to.equal(ca.purpose === 'rootCa' ? 3650 * DAY : 365 * DAY);
      }
      const now = Date.parse((await run.client.get('/_emulator/clock')).body.now);
      const args = ['-CAfile', tmp.write('root.pem', issuers[0].certificate), '-untrusted', tmp.write('iface.pem', issuers.find((i: any) => i.name === 'interface-issuer').certificate), leafFile];
      expect(opensslOk(['verify', '-attime', String(Math.floor(now / 1000)), ...args])).to.match(/: OK/);
      // At real time the renewed leaf is not valid yet: that is what 'wall' dating (the default) avoids.
      let realTime = '';
      try {
        opensslOk(['verify', ...args]);
      } catch (e) {
        realTime = `${(e as { stdout?: string }).stdout ?? ''}${(e as { stderr?: string }).stderr ?? ''}`;
      }
      expect(realTime).to.match(/not yet valid/);
      // openssl s_client against the live endpoint, checking at the virtual instant.
      const s = await opensslAsync(['s_client', '-connect', `127.0.0.1:${leaf.endpoint.port}`, '-CAfile', tmp.write('bundle.pem', await bundlePem(run, 'vd')),
        '-attime', String(Math.floor(now / 1000)), '-verify_return_error', '-verify_ip', '127.0.0.1'], 'Q\n');
      expect(s.stdout, s.stderr).to.match(/Verify return code: 0 \(ok\)/);
    } finally {
      tmp.remove();
    }
  });
});
