/**
 * Discrete-event time on the sites: a jump of the clock processes every renewal, rotation and CRL
 * update in order, each at its own instant. A year with 4-day leaves records every renewal in each
 * certificate's history; the CRLs published along the way name exactly the revoked revisions; what
 * the endpoints serve at the end is real (a TLS client gets the last revision of the history).
 */
import { expect } from 'chai';
import { MANAGED_CREDENTIALS, type ManagedCredential } from '../../rp/secrets/managed-store.js';
import { opensslOk, requireOpenssl, TempDir } from './helpers.js';
import {
  advance, createCluster, DAY, deploy, handshake, siteGet, sitePath, startSiteEmulator, type SiteRun,
} from './site-helpers.js';

const HOUR = 3_600_000;
const LEAF = 4 * DAY;
const RENEW_EVERY = (LEAF * 2) / 3;

describe('pki/site events: every renewal, rotation and CRL of a jump, in order, with history', function () {
  // The year's jump runs in before(): about 900 steps, slow on a loaded machine.
  this.timeout(240_000);
  let run: SiteRun;
  let root: string;
  let deployedAt: number;
  let jump: { events: number; now: string };

  before(async () => {
    run = await startSiteEmulator();
    await createCluster(run, 'ev', { machines: 2, appliances: 1 });
    const put = await run.client.put(`${sitePath(run.sub, 'ev')}/settings`, { leafLifetime: '4d' });
    expect(put.status, put.text).to.equal(200);
    expect((await deploy(run, 'ev')).body.status).to.equal('Succeeded');
    root = (await siteGet(run, 'ev', '/issuers')).value[0].certificate;
    deployedAt = Date.parse((await siteGet(run, 'ev')).deployedAt);
    // Revoked by name, every revision, before and after this instant: all of them must be in the CRLs.
    const rule = await run.client.post(`${sitePath(run.sub, 'ev')}/revocations`, { by: 'dnsName', value: 'r01c002.bmc.ev.nexus.local' });
    expect(rule.status, rule.text).to.equal(201);
    const r = await run.client.post('/_emulator/clock', { advance: '366d' });
    expect(r.status, r.text).to.equal(200);
    jump = r.body;
  });
  after(() => run?.stop());

  it('a one-year jump with 4-day leaves records every renewal (about 137 per leaf), each revision exactly 2/3 of a life after the last', async () => {
    const history = await siteGet(run, 'ev', '/certificates/bmc-r01c001/history');
    const revisions = history.value as any[];
    const renewalsBeforeRotation = Math.floor((366 * DAY) / RENEW_EVERY);
    // 137 renewals by the clock, plus the reissues the interface issuer's rotation forces.
    expect(revisions.filter((h) => h.reason === 'Renewal').length).to.be.within(renewalsBeforeRotation - 3, renewalsBeforeRotation);
    expect(revisions.length).to.be.within(136, 141);
    expect(revisions.map((h) => h.revision)).to.deep.equal(revisions.map((_h, i) => i + 1));
    expect(revisions[0]).to.include({ reason: 'Deployed', materialized: true });
    expect(revisions.filter((h) => h.reason === 'IssuerRotation').length).to.equal(1);
    expect(new Set(revisions.map((h) => h.serial)).size).to.equal(revisions.length);
    for (let i = 1; i < revisions.length; i += 1) {
      const gap = Date.parse(revisions[i].issuedAt) - Date.parse(revisions[i - 1].issuedAt);
      if (revisions[i].reason === 'Renewal') expect(gap, `revision ${revisions[i].revision}`).to.be.closeTo(RENEW_EVERY, 1000);
      expect(Date.parse(revisions[i].notAfter) - Date.parse(revisions[i].issuedAt)).to.be.closeTo(LEAF, 1000);
    }
    expect(Date.parse(revisions[revisions.length - 1].issuedAt)).to.be.within(deployedAt + 366 * DAY - RENEW_EVERY, deployedAt + 366 * DAY + 60_000);
    // Superseded within the jump: recorded without a key pair. The last one is real.
    expect(revisions.slice(1, -1).every((h) => h.materialized === false)).to.equal(true);
    expect(revisions[revisions.length - 1].materialized).to.equal(true);
    // The count the clock reports includes every one of these steps.
    expect(jump.events).to.be.at.least(renewalsBeforeRotation);
  });

  it('what is served at the end is real: the TLS endpoint presents the last revision of the history, the site view shows it with its history', async () => {
    const leaf = await siteGet(run, 'ev', '/certificates/bmc-r01c001');
    const last = leaf.history[leaf.history.length - 1];
    expect(leaf.serial).to.equal(last.serial);
    expect(leaf.status.revision).to.equal(last.revision);
    expect(leaf.certificate).to.match(/BEGIN CERTIFICATE/);
    const peer = await handshake(leaf.endpoint.port, [root]);
    expect(peer.authorized).to.equal(true);
    expect(peer.serial).to.equal(last.serial);
  });

  it('issuer rotations ran at their own instants within the jump and are in the CA history', async () => {
    const iface = (await siteGet(run, 'ev', '/certificates/interface-issuer/history')).value;
    expect(iface.map((h: any) => `${h.revision}:${h.reason}`)).to.deep.equal(['1:Deployed', '2:Rotation']);
    // Introduced 60 days before the first issuer's end (365 days after deploy).
    expect(Date.parse(iface[1].issuedAt) - deployedAt).to.be.closeTo(305 * DAY, 2000);
    const rootHistory = (await siteGet(run, 'ev', '/certificates/root-ca/history')).value;
    expect(rootHistory.map((h: any) => h.reason)).to.deep.equal(['Deployed']);
  });

  it('CRLs published along the way: numbers only grow, and each names exactly the revoked revisions still valid then', async () => {
    const crls = (await siteGet(run, 'ev', '/crls')).value as any[];
    const leafHistory = (await siteGet(run, 'ev', '/certificates/bmc-r01c002/history')).value as any[];
    const ifaceCrls = crls.filter((c) => c.fileId.startsWith('interface-issuer-'));
    // Re-published every 12 hours of the year, by each issuer that signs.
    expect(ifaceCrls.length).to.be.at.least(700);
    for (const fileId of new Set(ifaceCrls.map((c) => c.fileId))) {
      const numbers = ifaceCrls.filter((c) => c.fileId === fileId).map((c) => c.crlNumber);
      expect(numbers, fileId).to.deep.equal([...numbers].sort((a, b) => a - b));
      expect(new Set(numbers).size).to.equal(numbers.length);
    }
    let checked = 0;
    for (const crl of ifaceCrls) {
      const at = Date.parse(crl.nextUpdate) - DAY; // the virtual instant it was published
      const expected = leafHistory.filter((h) => h.issuerSerial === crl.issuerSerial && Date.parse(h.issuedAt) <= at && Date.parse(h.notAfter) > at).map((h) => h.serial).sort();
      expect(crl.revokedSerials, `CRL ${crl.fileId} #${crl.crlNumber}`).to.deep.equal(expected);
      if (expected.length) checked += 1;
    }
    expect(checked).to.be.at.least(700);
    // Only the last of each issuer is signed; the rest were superseded within the jump.
    expect(ifaceCrls.filter((c) => c.signed).length).to.be.at.most(3);
  });

  it('the CRL served at the end is real, matches its history record, and revokes the endpoint openssl sees', async function () {
    requireOpenssl(this);
    const leaf = await siteGet(run, 'ev', '/certificates/bmc-r01c002');
    const tmp = new TempDir();
    try {
      const crlPem = (await run.client.get(leaf.crlDistributionPoint.replace(/\.crl$/, '.pem'))).text;
      const file = tmp.write('crl.pem', crlPem);
      const text = opensslOk(['crl', '-in', file, '-noout', '-text']);
      const number = Number(/X509v3 CRL Number:\s*\n\s*(\d+)/.exec(text)![1]);
      const fileId = /\/([^/]+)\.crl$/.exec(leaf.crlDistributionPoint)![1];
      const record = (await siteGet(run, 'ev', `/crls?file=${fileId}`)).value.pop();
      expect(record).to.include({ crlNumber: number, signed: true });
      for (const serial of record.revokedSerials) expect(text.toLowerCase().replace(/:/g, '')).to.include(serial.replace(/^0+/, ''));
      expect(record.revokedSerials).to.include(leaf.serial);
      const issuer = (await siteGet(run, 'ev', '/issuers')).value.find((i: any) => i.serial === leaf.issuer.serial);
      const out = spawnVerify(tmp, root, issuer.certificate, leaf.certificate, crlPem);
      expect(out).to.match(/certificate revoked/);
    } finally {
      tmp.remove();
    }
  });

  it('credential rotations are events too: each ran at its due instant (every 60 days from deploy), not at the end of the jump', async () => {
    const creds = run.emu.store.list<ManagedCredential>(MANAGED_CREDENTIALS).filter((c) => c.credential === 'BMC Credential');
    expect(creds.length).to.equal(2);
    for (const c of creds) {
      const since = Date.parse(c.lastRotationTime) - deployedAt;
      const period = c.rotationPeriodDays * DAY;
      // The last rotation at a whole number of periods after deploy (deploy rotates every credential).
      expect(since % period, c.lastRotationTime).to.be.below(2 * HOUR);
      expect(since).to.be.above(366 * DAY - period);
    }
  });
});

function spawnVerify(tmp: TempDir, root: string, issuer: string, leaf: string, crlPem: string): string {
  const args = ['verify', '-crl_check', '-CAfile', tmp.write('root.pem', root), '-untrusted', tmp.write('issuer.pem', issuer), '-CRLfile', tmp.write('crl2.pem', crlPem), tmp.write('leaf.pem', leaf)];
  try {
    return opensslOk(args);
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return `${err.stdout ?? ''}${err.stderr ?? ''}`;
  }
}
