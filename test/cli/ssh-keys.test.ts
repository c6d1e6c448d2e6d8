/**
 * --generate-ssh-keys, --ssh-dest-key-path and --ssh-key-values, as the networkcloud extension
 * collects them: az's core key files under $HOME/.ssh (made once, with their modes; reused with az's
 * warning), public key files and folders, the keys sent in the request and stored by the
 * emulator, and no private key in any output.
 */
import { expect } from 'chai';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DemoInfo } from '../../rp/emulator.js';
import { openSshRsa } from '../../cli/ssh-keys.js';
import { sshPublicKey } from '../../rp/seed/demo.js';
import { azemu, directGet, newConfigDir, removeTempDirs, startEmulator, tempDir, type RunningEmulator } from './helpers.js';

describe('azemu SSH key arguments (--generate-ssh-keys as az does it)', function () {
  this.timeout(120_000);
  let emu: RunningEmulator;
  let config: string;
  let demo: DemoInfo;
  let location: unknown;

  before(async function () {
    this.timeout(120_000);
    emu = await startEmulator();
    config = newConfigDir();
    demo = emu.info.demo as DemoInfo;
    const login = await azemu(['login', '--emulator', emu.dataDir, '-o', 'none'], { configDir: config });
    expect(login.code, login.stderr).to.equal(0);
    location = (await directGet(emu.info, `${demo.clusterId}?api-version=2025-09-01`)).body.properties.clusterExtendedLocation;
  });
  after(async () => {
    await emu?.stop();
    removeTempDirs();
  });

  const vmCreate = (name: string, home: string, extra: string[]) =>
    azemu(
      [
        'networkcloud', 'virtualmachine', 'create', '-g', 'nexus-demo-rg', '-n', name, '--location', 'eastus',
        '--extended-location', JSON.stringify(location), '--admin-username', 'azureuser', '--cpu-cores', '2', '--memory-size', '8',
        '--vm-image', 'demoacr.azurecr.io/ubuntu-server:22.04', '--storage-profile', '{"disk-size": 64}',
        '--csn', JSON.stringify({ 'attached-network-id': demo.cloudServicesNetworkId, 'ip-allocation-method': 'Dynamic' }), ...extra,
      ],
      { configDir: config, env: { HOME: home } },
    );
  const storedKeys = async (name: string) =>
    ((await directGet(emu.info, `/subscriptions/${emu.info.subscriptionId}/resourceGroups/nexus-demo-rg/providers/Microsoft.NetworkCloud/virtualMachines/${name}?api-version=2025-09-01`)).body.properties.sshPublicKeys as { keyData: string }[]).map((k) => k.keyData);

  it('makes ~/.ssh/id_rsa (0600) and id_rsa.pub (0644) in a fresh home, sends the public key, prints no private key', async () => {
    const home = tempDir('azemu-home-');
    const r = await vmCreate('sshvm01', home, ['--generate-ssh-keys']);
    expect(r.code, r.stderr).to.equal(0);
    const ssh = path.join(home, '.ssh');
    expect(statSync(ssh).mode & 0o777).to.equal(0o700);
    expect(statSync(path.join(ssh, 'id_rsa')).mode & 0o777).to.equal(0o600);
    expect(statSync(path.join(ssh, 'id_rsa.pub')).mode & 0o777).to.equal(0o644);
    const pub = readFileSync(path.join(ssh, 'id_rsa.pub'), 'utf8');
    expect(pub).to.match(/^ssh-rsa AAAAB3NzaC1yc2E[A-Za-z0-9+/]+=*$/);
    // the public file is the private key's own public half
    expect(openSshRsa(createPublicKey(createPrivateKey(readFileSync(path.join(ssh, 'id_rsa')))))).to.equal(pub);
    expect(await storedKeys('sshvm01')).to.deep.equal([pub]);
    expect(r.stdout + r.rawStderr).to.not.match(/PRIVATE KEY/);
    expect(JSON.parse(r.stdout).sshPublicKeys).to.deep.equal([{ keyData: pub }]);
  });

  it("reuses an existing id_rsa.pub with az's warning, and writes nothing new", async () => {
    const home = tempDir('azemu-home-');
    mkdirSync(path.join(home, '.ssh'));
    const key = sshPublicKey('me@laptop');
    writeFileSync(path.join(home, '.ssh', 'id_rsa.pub'), `${key}\n`);
    const r = await vmCreate('sshvm02', home, ['--generate-ssh-keys', '--no-wait']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.equal(
      `WARNING: Public SSH key file '${path.join(home, '.ssh', 'id_rsa.pub')}' already exists in the directory: '${path.join(home, '.ssh')}'. New SSH key files will not be generated.\n`,
    );
    expect(existsSync(path.join(home, '.ssh', 'id_rsa'))).to.equal(false);
    await azemu(['networkcloud', 'virtualmachine', 'wait', '-g', 'nexus-demo-rg', '-n', 'sshvm02', '--created', '--interval', '1'], { configDir: config });
    expect(await storedKeys('sshvm02')).to.deep.equal([key]);
  });

  it('sends generated, file and folder, then given keys, in that order; --generate-ssh-keys false makes nothing', async () => {
    const home = tempDir('azemu-home-');
    const keys = tempDir('azemu-keys-');
    const [a, b, c, d] = ['a@x', 'b@x', 'c@x', 'd@x'].map((n) => sshPublicKey(n));
    writeFileSync(path.join(keys, 'one.pub'), a);
    writeFileSync(path.join(keys, 'two.pub'), b);
    writeFileSync(path.join(keys, 'not-a-key.txt'), 'ignored');
    writeFileSync(path.join(home, 'single.pub'), c);
    const r = await vmCreate('sshvm03', home, ['--generate-ssh-keys', 'false', '--ssh-dest-key-path', keys, path.join(home, 'single.pub'), '--ssh-key-values', d, '--no-wait']);
    expect(r.code, r.stderr).to.equal(0);
    expect(existsSync(path.join(home, '.ssh'))).to.equal(false);
    await azemu(['networkcloud', 'virtualmachine', 'wait', '-g', 'nexus-demo-rg', '-n', 'sshvm03', '--created', '--interval', '1'], { configDir: config });
    expect(await storedKeys('sshvm03')).to.deep.equal([a, b, c, d]);
  });

  it('refuses a missing key path and a value that is not a boolean (a usage error), sending nothing', async () => {
    const home = tempDir('azemu-home-');
    const missing = await vmCreate('sshvm04', home, ['--ssh-dest-key-path', path.join(home, 'nope.pub')]);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.match(/^ERROR: An error occurred while reading the SSH public key path '.*nope\.pub': /);
    const bad = await vmCreate('sshvm04', home, ['--generate-ssh-keys=maybe']);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.contain("argument --generate-ssh-keys: invalid value: 'maybe' (choose from true, false)");
    expect(existsSync(path.join(home, '.ssh'))).to.equal(false);
    expect((await directGet(emu.info, `/subscriptions/${emu.info.subscriptionId}/resourceGroups/nexus-demo-rg/providers/Microsoft.NetworkCloud/virtualMachines/sshvm04?api-version=2025-09-01`)).status).to.equal(404);
  });
});
