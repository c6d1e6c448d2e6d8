/**
 * The Kubernetes clusters' PKI against its live mutual-TLS API endpoint, with real TLS clients
 * (node:https and openssl): roots, agent CA and 4-day leaves; token bootstrap (once, expiry,
 * renewal rotating the token); kubelet-style node CSRs; every revocation selector in one request,
 * refused by the endpoint and listed in the CRLs; and the whole over day, month and year jumps.
 */
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, type Running } from '../helpers/emulator.js';
import { requireCommands } from '../helpers/prereq.js';
import { createKubernetesCluster, k8sPath, makeCsr, refusal, tlsRequest, type ClientKey } from './mtls-helpers.js';

const DAY = 86_400_000;
const dir = mkdtempSync(path.join(os.tmpdir(), 'nce-k8s-pki-'));

function openssl(args: string[], input?: string) {
  const r = spawnSync('openssl', args, { input, encoding: 'utf8', cwd: dir, timeout: 20_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** openssl s_client with the request written once the handshake had time to finish (as a person would type it). */
function sClient(args: string[], input: string): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('openssl', ['s_client', ...args, '-ign_eof'], { cwd: dir });
    let out = '';
    child.stdout.on('data', (c) => (out += String(c)));
    child.stderr.on('data', (c) => (out += String(c)));
    const timer = setTimeout(() => child.kill(), 15_000);
    setTimeout(() => child.stdin.end(input), 700);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('Kubernetes cluster PKI: live mutual-TLS API endpoint, token bootstrap, node CSRs, revocation, clock jumps', function () {
  this.timeout(120_000);
  let run: Running;
  let kc1: string;
  let kc2: string;
  const tokenSecrets: string[] = [];

  const summary = async (id: string) => {
    const r = await run.client.get(k8sPath(id));
    expect(r.status, r.text).to.equal(200);
    return r.body;
  };
  const ca = async (id: string, name: string) => (await summary(id)).certificateAuthorities.find((c: any) => c.name === name && c.role !== 'retired');
  const endpoint = async (id: string) => {
    const s = await summary(id);
    return { url: s.endpoint.url as string, ca: s.certificateAuthorities.find((c: any) => c.name === 'cluster-ca').certificate as string };
  };
  const token = async (id: string, body: Record<string, unknown>) => {
    const r = await run.client.post(`${k8sPath(id)}/bootstrap-tokens`, body);
    expect(r.status, r.text).to.equal(201);
    tokenSecrets.push(String(r.body.token).split('.')[1]);
    return r.body;
  };
  const exchange = async (id: string, tok: string, key: ClientKey) => {
    const e = await endpoint(id);
    return tlsRequest(e.url, { ca: e.ca, method: 'POST', path: '/bootstrap/exchange', headers: { authorization: `Bearer ${tok}` }, body: { csr: key.csrPem } });
  };
  /** A client certificate for an identity through the whole bootstrap, with its key. */
  const agent = async (id: string, identity: string, groups: string[] = [], san: { dns?: string[]; ips?: string[] } = {}) => {
    const t = await token(id, { identity, groups });
    const key = await makeCsr(identity, { orgs: groups, ...san });
    const r = await exchange(id, t.token, key);
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    return { cert: r.body.certificate as string, key: key.keyPem, serial: r.body.serial as string, body: r.body };
  };
  const node = async (id: string, name: string, san: { dns?: string[]; ips?: string[] } = {}) => {
    const key = await makeCsr(`system:node:${name}`, { orgs: ['system:nodes'], ...san });
    const r = await run.client.post(`${k8sPath(id)}/node-certificates`, { csr: key.csrPem });
    expect(r.status, r.text).to.equal(201);
    return { cert: r.body.certificate as string, key: key.keyPem, serial: r.body.serial as string, body: r.body };
  };
  const whoami = async (id: string, c?: { cert: string; key: string }) => {
    const e = await endpoint(id);
    return tlsRequest(e.url, { ca: e.ca, cert: c?.cert, key: c?.key, method: 'POST', path: '/apis/authentication.k8s.io/v1/selfsubjectreviews' });
  };
  const advance = async (ms: number) => {
    const r = await run.client.post('/_emulator/clock', { advance: Math.round(ms / 1000) });
    expect(r.status, r.text).to.equal(200);
  };

  before(async () => {
    run = await startEmulator({ demo: true });
    kc1 = await createKubernetesCluster(run.client, run.emu.demo!.clusterId, 'kc1');
    kc2 = await createKubernetesCluster(run.client, run.emu.demo!.clusterId, 'kc2');
  });
  after(async () => {
    await run?.stop();
  });

  it('makes the cluster, etcd and front-proxy roots (10 years), the agent CA (365 days) and 4-day leaves renewing at 2/3; the endpoint presents the apiserver certificate', async function () {
    const s = await summary(kc1);
    const cas = Object.fromEntries(s.certificateAuthorities.map((c: any) => [c.name, c]));
    expect(Object.keys(cas).sort()).to.deep.equal(['agent-ca', 'cluster-ca', 'etcd-ca', 'front-proxy-ca']);
    for (const n of ['cluster-ca', 'etcd-ca', 'front-proxy-ca']) expect([cas[n].kind, cas[n].lifetime], n).to.deep.equal(['root', '3650d']);
    expect([cas['agent-ca'].kind, cas['agent-ca'].lifetime, cas['agent-ca'].issuer.name]).to.deep.equal(['ca', '365d', 'cluster-ca']);
    expect(s.certificates.map((c: any) => c.name).sort()).to.deep.equal(['apiserver', 'apiserver-etcd-client', 'apiserver-kubelet-client', 'etcd-server', 'front-proxy-client']);
    for (const c of s.certificates) {
      const issued = Date.parse(c.issuedAt);
      expect(Date.parse(c.notAfter) - issued, c.name).to.equal(4 * DAY);
      expect(Math.abs(Date.parse(c.renewalTime) - (issued + (4 * DAY * 2) / 3)), c.name).to.be.below(1000);
    }
    const etcd = s.certificates.find((c: any) => c.name === 'apiserver-etcd-client');
    expect(etcd.issuer.serial).to.equal(cas['etcd-ca'].serial);
    expect(s.certificates.find((c: any) => c.name === 'front-proxy-client').issuer.serial).to.equal(cas['front-proxy-ca'].serial);
    // Another Kubernetes cluster has its own roots.
    expect((await ca(kc2, 'cluster-ca')).fingerprint).to.not.equal(cas['cluster-ca'].fingerprint);

    const apiserver = s.certificates.find((c: any) => c.name === 'apiserver');
    const r = await tlsRequest(s.endpoint.url, { ca: cas['cluster-ca'].certificate, path: '/version' });
    expect([r.status, refusal(r), r.peerSerial]).to.deep.equal([401, 'ClientCertificateRequired', apiserver.serial]);

    requireCommands(this, ['openssl']);
    const certs = (await run.client.get(`${k8sPath(kc1)}/certificates`)).body.value;
    const pem = (n: string) => certs.find((c: any) => c.name === n).certificate;
    file('kc1-ca.pem', pem('cluster-ca'));
    file('kc1-apiserver.pem', pem('apiserver'));
    file('kc1-agent-ca.pem', pem('agent-ca'));
    expect(openssl(['verify', '-CAfile', 'kc1-ca.pem', 'kc1-apiserver.pem']).out).to.contain('kc1-apiserver.pem: OK');
    expect(openssl(['verify', '-CAfile', 'kc1-ca.pem', 'kc1-agent-ca.pem']).out).to.contain('OK');
  });

  it('exchanges a bootstrap token once, with a CSR, for a 90-day client certificate from the agent CA that the endpoint accepts; used, expired and unknown tokens are refused', async function () {
    const t = await token(kc1, { identity: 'agent-1', groups: ['agents', 'nexus:operators'] });
    expect(t.token).to.match(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    expect([t.identity, t.groups, Date.parse(t.expiresAt) - Date.parse(t.createdAt)]).to.deep.equal(['agent-1', ['agents', 'nexus:operators'], DAY]);
    expect(t.certificateAuthority).to.contain('BEGIN CERTIFICATE');
    const key = await makeCsr('agent-1');
    const r = await exchange(kc1, t.token, key);
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    expect([r.body.kind, r.body.commonName, r.body.groups, r.body.issuer.name]).to.deep.equal(['client', 'agent-1', ['agents', 'nexus:operators'], 'agent-ca']);
    expect(Date.parse(r.body.notAfter) - Date.parse(r.body.issuedAt)).to.equal(90 * DAY);
    expect(JSON.stringify(r.body)).to.not.contain('PRIVATE KEY');

    const me = await whoami(kc1, { cert: r.body.certificate, key: key.keyPem });
    expect(me.status, JSON.stringify(me.body)).to.equal(201);
    expect(me.body.status.userInfo).to.include({ username: 'agent-1' });
    expect(me.body.status.userInfo.groups).to.deep.equal(['agents', 'nexus:operators', 'system:authenticated']);

    const again = await exchange(kc1, t.token, await makeCsr('agent-1'));
    expect([again.status, refusal(again)]).to.deep.equal([401, 'BootstrapTokenUsed']);
    const unknown = await exchange(kc1, 'abcdef.0123456789abcdef', await makeCsr('agent-1'));
    expect([unknown.status, refusal(unknown)]).to.deep.equal([401, 'BootstrapTokenInvalid']);
    const wrongSecret = await exchange(kc1, `${t.tokenId}.0123456789abcdef`, await makeCsr('agent-1'));
    expect(refusal(wrongSecret)).to.equal('BootstrapTokenInvalid');
    const other = await token(kc1, { identity: 'agent-2' });
    const mismatch = await exchange(kc1, other.token, await makeCsr('someone-else'));
    expect([mismatch.status, mismatch.body.details.causes[0].reason]).to.deep.equal([400, 'CsrIdentityMismatch']);
    const short = await token(kc1, { identity: 'agent-3', ttl: '1h' });
    await advance(2 * 3_600_000);
    const late = await exchange(kc1, short.token, await makeCsr('agent-3'));
    expect([late.status, refusal(late)]).to.deep.equal([401, 'BootstrapTokenExpired']);

    requireCommands(this, ['openssl']);
    file('agent-1.pem', r.body.certificate);
    file('agent-ca.pem', r.body.chain[0]);
    expect(openssl(['verify', '-CAfile', 'kc1-ca.pem', '-untrusted', 'agent-ca.pem', 'agent-1.pem']).out).to.contain('agent-1.pem: OK');

    // The token is shown once: never in a view, a list or a log line.
    const views = [(await run.client.get(k8sPath(kc1))).text, (await run.client.get(`${k8sPath(kc1)}/bootstrap-tokens`)).text, (await run.client.get('/_emulator/kubernetes')).text];
    const tokens = (await run.client.get(`${k8sPath(kc1)}/bootstrap-tokens`)).body.value;
    expect(tokens.find((x: any) => x.tokenId === t.tokenId)).to.include({ state: 'used', certificateSerial: r.body.serial });
    expect(tokens.find((x: any) => x.tokenId === short.tokenId).state).to.equal('expired');
    for (const secret of tokenSecrets) for (const v of views) expect(v).to.not.contain(secret);
  });

  it('renews with the current certificate over mutual TLS: a new certificate, and the identity\'s token rotated (the old one refused)', async () => {
    const first = await agent(kc1, 'renewer', ['agents']);
    const spare = await token(kc1, { identity: 'renewer', groups: ['agents'] });
    const e = await endpoint(kc1);
    const next = await makeCsr('renewer');
    const anonymous = await tlsRequest(e.url, { ca: e.ca, method: 'POST', path: '/bootstrap/renew', body: { csr: next.csrPem } });
    expect([anonymous.status, refusal(anonymous)]).to.deep.equal([401, 'ClientCertificateRequired']);
    const renewed = await tlsRequest(e.url, { ca: e.ca, cert: first.cert, key: first.key, method: 'POST', path: '/bootstrap/renew', body: { csr: next.csrPem } });
    expect(renewed.status, JSON.stringify(renewed.body)).to.equal(201);
    expect(renewed.body.serial).to.not.equal(first.serial);
    expect([renewed.body.commonName, renewed.body.groups]).to.deep.equal(['renewer', ['agents']]);
    expect(renewed.body.token).to.match(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    tokenSecrets.push(renewed.body.token.split('.')[1]);
    const superseded = await exchange(kc1, spare.token, await makeCsr('renewer'));
    expect([superseded.status, refusal(superseded)]).to.deep.equal([401, 'BootstrapTokenSuperseded']);
    const me = await whoami(kc1, { cert: renewed.body.certificate, key: next.keyPem });
    expect(me.body.status.userInfo.extra.serial).to.deep.equal([renewed.body.serial]);
    const rotated = await exchange(kc1, renewed.body.token, await makeCsr('renewer'));
    expect(rotated.status).to.equal(201);
    // A node certificate is not a bootstrap client: it cannot renew that way.
    const n = await node(kc1, 'renew-node');
    const refused = await tlsRequest(e.url, { ca: e.ca, cert: n.cert, key: n.key, method: 'POST', path: '/bootstrap/renew', body: { csr: (await makeCsr('system:node:renew-node')).csrPem } });
    expect([refused.status, refused.body.details.causes[0].reason]).to.deep.equal([403, 'NotAClientCertificate']);
  });

  it('signs node CSRs kubelet-style (system:node:<name> in system:nodes) with the cluster CA, and refuses other subjects', async () => {
    const bad = await makeCsr('node1', { orgs: ['system:nodes'] });
    const r1 = await run.client.post(`${k8sPath(kc1)}/node-certificates`, { csr: bad.csrPem });
    expect([r1.status, r1.body.error.code]).to.deep.equal([400, 'InvalidNodeIdentity']);
    const wrongGroup = await makeCsr('system:node:node1', { orgs: ['system:masters'] });
    const r2 = await run.client.post(`${k8sPath(kc1)}/node-certificates`, { csr: wrongGroup.csrPem });
    expect([r2.status, r2.body.error.code]).to.deep.equal([400, 'InvalidNodeIdentity']);
    const garbage = await run.client.post(`${k8sPath(kc1)}/node-certificates`, { csr: '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----' });
    expect([garbage.status, garbage.body.error.code]).to.deep.equal([400, 'InvalidCertificateSigningRequest']);
    const n = await node(kc1, 'node1', { dns: ['node1.kc1.cluster.local'], ips: ['10.1.0.5'] });
    expect([n.body.kind, n.body.commonName, n.body.groups, n.body.issuer.name, n.body.dnsNames, n.body.ipAddresses])
      .to.deep.equal(['node', 'system:node:node1', ['system:nodes'], 'cluster-ca', ['node1.kc1.cluster.local'], ['10.1.0.5']]);
    expect(Date.parse(n.body.notAfter) - Date.parse(n.body.issuedAt)).to.equal(4 * DAY);
    const me = await whoami(kc1, n);
    expect(me.body.status.userInfo.username).to.equal('system:node:node1');
    expect(me.body.status.userInfo.groups).to.include('system:nodes');
  });

  it("refuses another Kubernetes cluster's client certificate, and answers openssl s_client with and without one", async function () {
    const foreign = await agent(kc2, 'agent-kc2');
    const r = await whoami(kc1, foreign);
    expect([r.status, refusal(r)]).to.deep.equal([401, 'ClientCertificateUntrusted']);
    expect((await whoami(kc2, foreign)).status).to.equal(201);

    requireCommands(this, ['openssl']);
    const mine = await agent(kc1, 'openssl-agent');
    file('os-agent.pem', mine.cert);
    file('os-agent.key', mine.key);
    const port = new URL((await endpoint(kc1)).url).port;
    const ask = 'GET /version HTTP/1.0\r\nHost: localhost\r\n\r\n';
    const withCert = await sClient(['-connect', `127.0.0.1:${port}`, '-CAfile', 'kc1-ca.pem', '-cert', 'os-agent.pem', '-key', 'os-agent.key'], ask);
    expect(withCert).to.contain('Verify return code: 0 (ok)');
    expect(withCert).to.match(/HTTP\/1\.[01] 200/);
    expect(withCert).to.contain('"gitVersion":"v1.30.12"');
    const without = await sClient(['-connect', `127.0.0.1:${port}`, '-CAfile', 'kc1-ca.pem'], ask);
    expect(without).to.match(/HTTP\/1\.[01] 401/);
    expect(without).to.contain('ClientCertificateRequired');
  });

  it('revokes many entries in one request (serial, group, DNS name, DNS suffix, IP, notBefore): each is refused by the live endpoint and listed in its CA\'s CRL; the others keep working', async function () {
    const a = await agent(kc1, 'rev-a');
    const b = await agent(kc1, 'rev-b', ['team-b']);
    const c = await node(kc1, 'rev-c', { dns: ['rev-c.example.net'] });
    const d = await node(kc1, 'rev-d', { dns: ['rev-d.svc.cluster.local'] });
    const e = await node(kc1, 'rev-e', { ips: ['10.9.8.7'] });
    const f = await agent(kc1, 'rev-f', ['team-g']);
    await advance(3_600_000);
    const cutoff = (await run.client.get('/_emulator/clock')).body.now;
    // Certificates carry whole seconds: the next one is issued a second later.
    await advance(1000);
    const g = await agent(kc1, 'rev-g', ['team-g']);
    const h = await agent(kc1, 'rev-h', ['team-h'], { dns: ['rev-h.example.org'] });
    for (const x of [a, b, c, d, e, f, g, h]) expect((await whoami(kc1, x)).status).to.equal(201);

    // A bad entry refuses the whole request: nothing is stored.
    const bad = await run.client.post(`${k8sPath(kc1)}/revocations`, { entries: [{ by: 'serialNumber', value: a.serial }, { by: 'colour', value: 'red' }] });
    expect([bad.status, bad.body.error.code, bad.body.error.message]).to.deep.equal([400, 'InvalidRequestContent', 'entries[1].by must be one of serialNumber, group, dnsName, dnsSuffix, ipAddress.']);
    expect((await run.client.get(`${k8sPath(kc1)}/revocations`)).body.value).to.deep.equal([]);

    const r = await run.client.post(`${k8sPath(kc1)}/revocations`, {
      entries: [
        { by: 'serialNumber', value: a.serial.toUpperCase().match(/../g)!.join(':'), reason: 'keyCompromise' },
        { by: 'group', value: 'team-b' },
        { by: 'dnsName', value: 'REV-C.example.net.' },
        { by: 'dnsSuffix', value: '.cluster.local' },
        { by: 'ipAddress', value: '10.9.8.7' },
        { by: 'group', value: 'team-g', notBefore: cutoff },
      ],
    });
    expect(r.status, r.text).to.equal(201);
    expect(r.body.rules).to.have.length(6);
    const revoked = new Set(r.body.revoked.map((x: any) => x.serial));
    // node1 from the earlier test is under .cluster.local too.
    for (const x of [a, b, c, d, e, f]) expect(revoked.has(x.serial), x.body.commonName).to.equal(true);
    for (const x of [g, h]) expect(revoked.has(x.serial), x.body.commonName).to.equal(false);
    for (const x of [a, b, c, d, e, f]) {
      const reply = await whoami(kc1, x);
      expect([reply.status, refusal(reply)], x.body.commonName).to.deep.equal([401, 'ClientCertificateRevoked']);
    }
    for (const x of [g, h]) expect((await whoami(kc1, x)).status, x.body.commonName).to.equal(201);

    const list = (await run.client.get(`${k8sPath(kc1)}/revocations`)).body.value;
    expect(list.map((x: any) => x.by)).to.deep.equal(['serialNumber', 'group', 'dnsName', 'dnsSuffix', 'ipAddress', 'group']);
    expect(list[3].revokedSerials).to.include(d.serial);
    expect(list[5].revokedSerials).to.deep.equal([f.serial]);

    const s = await summary(kc1);
    const agentCrl = s.certificateAuthorities.find((x: any) => x.name === 'agent-ca').crl;
    const clusterCrl = s.certificateAuthorities.find((x: any) => x.name === 'cluster-ca').crl;
    requireCommands(this, ['openssl']);
    const fetchCrl = async (url: string, name: string) => {
      const res = await run.client.get(url.replace(/\.crl$/, '.pem'));
      expect(res.status, res.text).to.equal(200);
      return file(name, res.text);
    };
    await fetchCrl(agentCrl, 'agent-crl.pem');
    await fetchCrl(clusterCrl, 'cluster-crl.pem');
    const agentText = openssl(['crl', '-in', 'agent-crl.pem', '-noout', '-text']).out.toUpperCase();
    const clusterText = openssl(['crl', '-in', 'cluster-crl.pem', '-noout', '-text']).out.toUpperCase();
    for (const x of [a, b, f]) expect(agentText, x.body.commonName).to.contain(x.serial.toUpperCase());
    for (const x of [c, d, e]) expect(clusterText, x.body.commonName).to.contain(x.serial.toUpperCase());
    for (const x of [g, h]) expect(agentText + clusterText).to.not.contain(x.serial.toUpperCase());
    expect(agentText).to.contain('KEY COMPROMISE');
    file('rev-a.pem', a.cert);
    file('rev-g.pem', g.cert);
    file('agent-ca-now.pem', (await ca(kc1, 'agent-ca')).certificate);
    const verifyA = openssl(['verify', '-crl_check', '-CAfile', 'kc1-ca.pem', '-untrusted', 'agent-ca-now.pem', '-CRLfile', 'agent-crl.pem', 'rev-a.pem']);
    expect(verifyA.out).to.contain('certificate revoked');
    const verifyG = openssl(['verify', '-crl_check', '-CAfile', 'kc1-ca.pem', '-untrusted', 'agent-ca-now.pem', '-CRLfile', 'agent-crl.pem', 'rev-g.pem']);
    expect(verifyG.out).to.contain('rev-g.pem: OK');
  });

  it('over day, month and year jumps: leaves renew on the clock and the endpoint serves them, revoked stays refused, clients expire after 90 days, the agent CA rotates', async function () {
    const before = await summary(kc1);
    const apiserver0 = before.certificates.find((c: any) => c.name === 'apiserver');
    const keeper = await agent(kc1, 'keeper');
    const revokedAgent = await agent(kc1, 'doomed', ['doomed']);
    const rr = await run.client.post(`${k8sPath(kc1)}/revocations`, { entries: [{ by: 'group', value: 'doomed' }] });
    expect(rr.status).to.equal(201);

    await advance(3 * DAY);
    const day = await summary(kc1);
    const apiserver1 = day.certificates.find((c: any) => c.name === 'apiserver');
    expect(apiserver1.revision).to.be.above(apiserver0.revision);
    expect(apiserver1.serial).to.not.equal(apiserver0.serial);
    expect(day.renewals).to.be.above(before.renewals);
    const e = await endpoint(kc1);
    const seen = await tlsRequest(e.url, { ca: e.ca, cert: keeper.cert, key: keeper.key, path: '/version' });
    expect([seen.status, seen.peerSerial]).to.deep.equal([200, apiserver1.serial]);
    expect(refusal(await whoami(kc1, revokedAgent))).to.equal('ClientCertificateRevoked');

    await advance(30 * DAY);
    const month = await summary(kc1);
    expect(month.certificates.find((c: any) => c.name === 'apiserver').serial).to.not.equal(apiserver1.serial);
    expect((await whoami(kc1, keeper)).status).to.equal(201);
    expect(refusal(await whoami(kc1, revokedAgent))).to.equal('ClientCertificateRevoked');

    await advance(60 * DAY);
    const expired = await whoami(kc1, keeper);
    expect([expired.status, refusal(expired)]).to.deep.equal([401, 'ClientCertificateExpired']);

    const agentCa0 = await ca(kc1, 'agent-ca');
    await advance(365 * DAY);
    const year = await summary(kc1);
    const agentCa1 = year.certificateAuthorities.find((c: any) => c.name === 'agent-ca' && c.role === 'active');
    expect(agentCa1.revision).to.be.above(agentCa0.revision);
    expect(agentCa1.serial).to.not.equal(agentCa0.serial);
    // Clients that expired are forgotten; the year-old roots are still the same.
    expect(year.clientCertificates.map((c: any) => c.serial)).to.not.include(keeper.serial);
    expect(year.certificateAuthorities.find((c: any) => c.name === 'cluster-ca').serial).to.equal(before.certificateAuthorities.find((c: any) => c.name === 'cluster-ca').serial);
    const fresh = await agent(kc1, 'after-a-year');
    expect(fresh.body.issuer.serial).to.equal(agentCa1.serial);
    const me = await whoami(kc1, fresh);
    expect([me.status, me.peerSerial]).to.deep.equal([201, year.certificates.find((c: any) => c.name === 'apiserver').serial]);
    const crl = await run.client.get(agentCa1.crl.replace(/\.crl$/, '.pem'));
    expect([crl.status, crl.text]).to.satisfy(([st, t]: [number, string]) => st === 200 && t.includes('BEGIN X509 CRL'));

    requireCommands(this, ['openssl']);
    file('year-client.pem', fresh.cert);
    file('year-agent-ca.pem', agentCa1.certificate);
    expect(openssl(['verify', '-CAfile', 'kc1-ca.pem', '-untrusted', 'year-agent-ca.pem', 'year-client.pem']).out).to.contain('year-client.pem: OK');
  });

  it('drops a Kubernetes cluster\'s PKI, keys, tokens and endpoint when the resource is deleted; refuses unknown clusters and bad input', async () => {
    const url = (await endpoint(kc2)).url;
    const del = await run.client.delete(`${kc2}?api-version=2025-09-01`);
    expect(del.status).to.be.oneOf([200, 202, 204]);
    if (del.status === 202) await run.client.poll(del);
    const list = (await run.client.get('/_emulator/kubernetes')).body.value.map((x: any) => x.name);
    // kc2 is gone; kc1 and the demo's own Kubernetes cluster remain.
    expect(list).to.have.members(['kc1', 'demo-k8s']);
    expect(run.emu.store.get('kubernetesPkiKeys', kc2.toLowerCase())).to.equal(undefined);
    expect(run.emu.store.get('kubernetesBootstrapTokens', kc2.toLowerCase())).to.equal(undefined);
    const gone = await tlsRequest(url, { ca: [] }).catch((e: Error) => e);
    expect(gone).to.be.instanceOf(Error);
    const missing = await run.client.get(k8sPath(kc2));
    expect([missing.status, missing.body.error.code]).to.deep.equal([404, 'ResourceNotFound']);
    const badIdentity = await run.client.post(`${k8sPath(kc1)}/bootstrap-tokens`, { identity: 'has space' });
    expect([badIdentity.status, badIdentity.body.error.code]).to.deep.equal([400, 'InvalidRequestContent']);
    const badSetting = await run.client.put(`${k8sPath(kc1)}/settings`, { leafLifetime: 'soon' });
    expect(badSetting.status).to.equal(400);
    const set = await run.client.put(`${k8sPath(kc1)}/settings`, { leafLifetime: '2d' });
    expect([set.status, set.body.leafLifetime]).to.deep.equal([200, '2d']);
  });
});
