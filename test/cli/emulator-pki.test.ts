/**
 * `azemu emulator site settings|issuer|revocation|certificate history|infra|kubernetes` and
 * `azemu emulator kubernetes ...` as subprocesses against a spawned emulator (the demo): what they
 * print, that they change what they say, and that no output holds a private key.
 */
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createKubernetesCluster, makeCsr } from '../pki/mtls-helpers.js';
import { Client } from '../helpers/emulator.js';
import { azemu, newConfigDir, removeTempDirs, startEmulator, tempDir, type RunningEmulator } from './helpers.js';

describe('azemu emulator site (PKI) and azemu emulator kubernetes', function () {
  this.timeout(180_000);
  let emu: RunningEmulator;
  let configDir: string;
  const outputs: string[] = [];
  const run = async (...args: string[]) => {
    const r = await azemu(args, { configDir });
    outputs.push(r.stdout, r.stderr);
    return r;
  };
  const site = ['-g', 'nexus-demo-rg', '--cluster', 'demo-cluster'];
  const k8s = ['-g', 'nexus-demo-rg', '-n', 'kc-cli'];

  before(async () => {
    emu = await startEmulator();
    configDir = newConfigDir();
    expect((await run('login', '--emulator', emu.dataDir)).code).to.equal(0);
    const client = new Client(emu.info, (await import('node:fs')).readFileSync(emu.info.caCertFile, 'utf8'));
    await createKubernetesCluster(client, emu.info.demo.clusterId, 'kc-cli');
  });
  after(async () => {
    await emu?.stop();
    removeTempDirs();
  });

  it('site: settings show, issuer show, infra endpoints and a client certificate from a CSR, revocation add (many) and list, certificate history', async () => {
    const settings = await run('emulator', 'site', 'settings', 'show', ...site);
    expect(settings.code, settings.stderr).to.equal(0);
    expect(JSON.parse(settings.stdout)).to.include({ deployed: true, leafLifetime: '90d' });
    const issuer = await run('emulator', 'site', 'issuer', 'show', ...site, '--query', 'mode', '-o', 'tsv');
    expect(issuer.stdout.trim()).to.equal('selfSigned');
    const late = await run('emulator', 'site', 'settings', 'update', ...site, '--leaf-lifetime', '4d');
    expect(late.code).to.not.equal(0);
    expect(late.stderr).to.contain('SiteAlreadyDeployed');

    const eps = await run('emulator', 'site', 'infra', 'endpoints', ...site);
    expect(eps.code, eps.stderr).to.equal(0);
    expect(JSON.parse(eps.stdout).map((e: any) => e.serviceName).sort()).to.deep.equal(['cluster-api-webhook', 'ironic', 'platform-metrics']);
    const dir = tempDir();
    const key = await makeCsr('cli-client', { orgs: ['ops'] });
    writeFileSync(path.join(dir, 'c.csr'), key.csrPem);
    const signed = await run('emulator', 'site', 'infra', 'client-certificate', ...site, '--csr-file', path.join(dir, 'c.csr'), '--cert-out', path.join(dir, 'c.pem'));
    expect(signed.code, signed.stderr).to.equal(0);
    const cert = JSON.parse(signed.stdout);
    expect([cert.issuer.name, cert.groups]).to.deep.equal(['infra-issuer', ['ops']]);

    const certs = JSON.parse((await run('emulator', 'site', 'certificates', ...site)).stdout);
    const bmc = certs.find((c: any) => c.purpose === 'bmc');
    const add = await run('emulator', 'site', 'revocation', 'add', ...site, '--entry', `by=serialNumber,value=${cert.serial}`, 'by=group,value=ops,notBefore=2000-01-01T00:00:00Z');
    expect(add.code, add.stderr).to.equal(0);
    expect(JSON.parse(add.stdout).map((x: any) => x.rule.by)).to.deep.equal(['serialNumber', 'group']);
    const list = await run('emulator', 'site', 'revocation', 'list', ...site, '-o', 'table');
    expect(list.stdout).to.match(/serialNumber\s+[0-9a-f]+\s+1/);
    const bad = await run('emulator', 'site', 'revocation', 'add', ...site, '--entry', 'by=group');
    expect([bad.code, bad.stderr]).to.satisfy(([c, e]: [number, string]) => c === 2 && e.includes('needs by= and value='));
    const history = await run('emulator', 'site', 'certificate', 'history', ...site, '-n', bmc.name);
    expect(history.code, history.stderr).to.equal(0);
    expect(JSON.parse(history.stdout)[0]).to.include({ serial: bmc.serial });
  });

  it('kubernetes: show, settings, bootstrap-token, exchange, renew, sign-node, revoke many, revocations', async () => {
    const show = await run('emulator', 'kubernetes', 'show', ...k8s);
    expect(show.code, show.stderr).to.equal(0);
    expect(JSON.parse(show.stdout).certificateAuthorities.map((c: any) => c.name)).to.include.members(['cluster-ca', 'agent-ca']);
    expect((await run('emulator', 'site', 'kubernetes', '--query', '[].name', '-o', 'tsv')).stdout.trim().split('\n')).to.have.members(['demo-k8s', 'kc-cli']);
    const settings = await run('emulator', 'kubernetes', 'settings', ...k8s, '--client-lifetime', '30d');
    expect(JSON.parse(settings.stdout)).to.include({ clientLifetime: '30d', leafLifetime: '4d' });

    const dir = tempDir();
    const token = (await run('emulator', 'kubernetes', 'bootstrap-token', ...k8s, '--identity', 'cli-agent', '--groups', 'agents', 'ops', '--query', 'token', '-o', 'tsv')).stdout.trim();
    expect(token).to.match(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    const k1 = await makeCsr('cli-agent');
    writeFileSync(path.join(dir, 'a.csr'), k1.csrPem);
    writeFileSync(path.join(dir, 'a.key'), k1.keyPem);
    const ex = await run('emulator', 'kubernetes', 'exchange', ...k8s, '--token', token, '--csr-file', path.join(dir, 'a.csr'), '--cert-out', path.join(dir, 'a.pem'));
    expect(ex.code, ex.stderr).to.equal(0);
    const c1 = JSON.parse(ex.stdout);
    expect([c1.commonName, c1.groups, Date.parse(c1.notAfter) - Date.parse(c1.issuedAt)]).to.deep.equal(['cli-agent', ['agents', 'ops'], 30 * 86_400_000]);
    const again = await run('emulator', 'kubernetes', 'exchange', ...k8s, '--token', token, '--csr-file', path.join(dir, 'a.csr'));
    expect(again.code).to.not.equal(0);
    expect(again.stderr).to.contain('BootstrapTokenUsed');

    const k2 = await makeCsr('cli-agent');
    writeFileSync(path.join(dir, 'b.csr'), k2.csrPem);
    const renewed = await run('emulator', 'kubernetes', 'renew', ...k8s, '--cert-file', path.join(dir, 'a.pem'), '--key-file', path.join(dir, 'a.key'), '--csr-file', path.join(dir, 'b.csr'));
    expect(renewed.code, renewed.stderr).to.equal(0);
    const c2 = JSON.parse(renewed.stdout);
    expect(c2.serial).to.not.equal(c1.serial);
    expect(c2.token).to.match(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);

    const kn = await makeCsr('system:node:cli-node', { orgs: ['system:nodes'], dns: ['cli-node.kc.cluster.local'] });
    writeFileSync(path.join(dir, 'n.csr'), kn.csrPem);
    const node = await run('emulator', 'kubernetes', 'sign-node', ...k8s, '--csr-file', path.join(dir, 'n.csr'));
    expect(node.code, node.stderr).to.equal(0);
    expect(JSON.parse(node.stdout)).to.include({ username: 'system:node:cli-node' });

    const revoke = await run('emulator', 'kubernetes', 'revoke', ...k8s, '--entry', `by=serialNumber,value=${c1.serial},reason=superseded`, 'by=dnsSuffix,value=.cluster.local');
    expect(revoke.code, revoke.stderr).to.equal(0);
    expect(JSON.parse(revoke.stdout).revoked.map((x: any) => x.serial).sort()).to.deep.equal([c1.serial, JSON.parse(node.stdout).serial].sort());
    const rules = await run('emulator', 'kubernetes', 'revocations', ...k8s);
    expect(JSON.parse(rules.stdout).map((r: any) => [r.by, r.revokedSerials.length])).to.deep.equal([['serialNumber', 1], ['dnsSuffix', 1]]);

    for (const text of outputs) expect(text).to.not.contain('PRIVATE KEY');
  });
});
