/**
 * examples/verify-bmc-tls.sh run with bash against a spawned emulator (the demo), before and after
 * a restart: the endpoints come back on the ports the resources name, presenting the same leaves.
 */
import { expect } from 'chai';
import { azemu, newConfigDir, removeTempDirs } from '../cli/helpers.js';
import { spawnEmulator, type Spawned } from '../helpers/emulator.js';
import { requirePrereq } from '../helpers/prereq.js';
import { missingTools, runExample } from '../helpers/scripts.js';
import { handshake, portOf } from './site-helpers.js';

const missing = missingTools(['bash', 'curl', 'jq', 'openssl']);
const runScript = (dataDir: string) => runExample('verify-bmc-tls.sh', dataDir, 60_000);

describe('examples/verify-bmc-tls.sh', function () {
  this.timeout(150_000);
  let emulator: Spawned | undefined;

  before(function () {
    requirePrereq(this, !missing.length, `${missing.join(' and ')} not installed`);
  });
  after(async () => {
    await emulator?.stop();
    removeTempDirs();
  });

  it('verifies the demo machine\'s BMC against caCertificate, the root and the CRL, then the storage appliance; again after a restart', async () => {
    emulator = await spawnEmulator([]);
    const first = await runScript(emulator.dataDir);
    expect(first.code, first.output).to.equal(0);
    for (const line of [
      /bmcConnection: +redfish\+https:\/\/127\.0\.0\.1:\d+\/redfish\/v1\/Systems\/System\.Embedded\.1/,
      /presented 1: subject=O = bmc, CN = r01c001\.bmc\.demo-cluster\.nexus\.local/,
      /presented 2: subject=O = Nexus cluster demo-cluster, CN = Nexus interface issuer [0-9a-f]{8}/,
      /leaf\.pem: OK/,
      /s_client: Verify return code: 0 \(ok\)/,
      /fingerprints match/,
      /"Name":"emulated BMC"/,
      /root: subject=O = Nexus cluster demo-cluster, CN = Nexus root CA/,
      /CRL distribution point: https:\/\/localhost:\d+\/_emulator\/pki\/crl\/[0-9a-f]{8}\/interface-issuer-r1\.crl/,
      /storage appliance r01sa01 on 127\.0\.0\.1:\d+/,
      /sa-leaf\.pem: OK/,
      /verify-bmc-tls done/,
    ]) expect(first.output).to.match(line);
    expect(first.output).to.not.match(/PRIVATE KEY/);

    const c = emulator.client;
    const bmm = (await c.get(`${c.info.demo!.bareMetalMachineIds[0]}?api-version=2025-09-01`)).body;
    const site = (await c.get(`/_emulator/sites/${c.info.subscriptionId}/nexus-demo-rg/demo-cluster`)).body;
    const root = (await c.get(`/_emulator/pki/roots/${bmm.properties.caCertificate.hash}`, { token: false })).body.root.certificate;
    const port = portOf(bmm.properties.bmcConnectionString);
    const serial = (await handshake(port, [root])).serial;

    expect(await emulator.stop()).to.equal(0);
    expect(emulator.output()).to.not.match(/PRIVATE KEY/);
    emulator = await spawnEmulator([], emulator.dataDir);
    const again = (await emulator.client.get(`${c.info.demo!.bareMetalMachineIds[0]}?api-version=2025-09-01`)).body;
    expect(again.properties.bmcConnectionString).to.equal(bmm.properties.bmcConnectionString);
    expect(again.properties.caCertificate).to.deep.equal(bmm.properties.caCertificate);
    const peer = await handshake(port, [root]);
    expect(peer.authorized).to.equal(true);
    expect(peer.serial).to.equal(serial);
    const siteAgain = (await emulator.client.get(`/_emulator/sites/${c.info.subscriptionId}/nexus-demo-rg/demo-cluster`)).body;
    expect(siteAgain.endpoints.map((e: any) => [e.name, e.port, e.servingSerial])).to.deep.equal(site.endpoints.map((e: any) => [e.name, e.port, e.serial]));
    const second = await runScript(emulator.dataDir);
    expect(second.code, second.output).to.equal(0);
    expect(second.output).to.match(/verify-bmc-tls done/);
  });

  it('the site view through azemu (rest): certificates, then a renewal after `azemu emulator clock advance`; no output holds a key', async () => {
    const configDir = newConfigDir();
    const run = (...args: string[]) => azemu(args, { configDir });
    const login = await run('login', '--emulator', emulator!.dataDir);
    expect(login.code, login.stderr).to.equal(0);
    const url = '/_emulator/sites/{subscriptionId}/nexus-demo-rg/demo-cluster/certificates/bmc-r01c001';
    const before = await run('rest', '--url', url);
    expect(before.code, before.stderr).to.equal(0);
    const leaf = JSON.parse(before.stdout);
    expect(leaf.status.conditions[0]).to.include({ type: 'Ready', status: 'True' });
    const advanced = await run('emulator', 'clock', 'advance', '61d');
    expect(advanced.code, advanced.stderr).to.equal(0);
    const after = await run('rest', '--url', url, '--query', '{serial: serial, revision: status.revision}');
    expect(after.code, after.stderr).to.equal(0);
    const renewed = JSON.parse(after.stdout);
    expect(renewed.serial).to.not.equal(leaf.serial);
    expect(renewed.revision).to.equal(leaf.status.revision + 1);
    const bundle = await run('rest', '--url', '/_emulator/sites/{subscriptionId}/nexus-demo-rg/demo-cluster/trust-bundle.pem');
    expect(bundle.stdout).to.match(/-----BEGIN CERTIFICATE-----/);
    for (const r of [login, before, advanced, after, bundle]) expect(r.stdout + r.stderr).to.not.match(/PRIVATE KEY/);
  });
});
