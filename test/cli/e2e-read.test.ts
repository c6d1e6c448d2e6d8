/**
 * azemu as a subprocess against a real emulator: login and profile, reads in every output
 * format, --query after flattening, the caCertificate golden line, errors and exit codes,
 * --debug redaction, rest, version and the emulator clock.
 */
import { expect } from 'chai';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { azemu, directGet, newConfigDir, removeTempDirs, startEmulator, tempDir, type RunningEmulator } from './helpers.js';

describe('azemu against the emulator: login, reads, output, errors', function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  let config: string;
  let mrg: string;
  let bmmId: string;
  const run = (...args: string[]) => azemu(args, { configDir: config });

  before(async () => {
    emu = await startEmulator();
    config = newConfigDir();
    mrg = emu.info.demo.managedResourceGroup;
    bmmId = emu.info.demo.bareMetalMachineIds[0];
    const login = await run('login', '--emulator', emu.dataDir);
    expect(login.code, login.stderr).to.equal(0);
  });

  after(async () => {
    await emu?.stop();
    removeTempDirs();
  });

  describe('login, account, logout', () => {
    it('prints the subscriptions like az login and keeps the profile and token cache private', async () => {
      const dir = newConfigDir();
      const r = await azemu(['login', '--emulator', path.join(emu.dataDir, 'emulator.json')], { configDir: dir });
      expect(r.code, r.stderr).to.equal(0);
      const accounts = JSON.parse(r.stdout);
      expect(accounts).to.have.length.greaterThan(0);
      expect(accounts[0]).to.include({ id: emu.info.subscriptionId, isDefault: true, tenantId: emu.info.tenantId, state: 'Enabled' });
      expect(accounts[0].user).to.deep.equal({ name: emu.info.clientId, type: 'servicePrincipal' });
      for (const f of ['profile.json', 'token-cache.json']) expect(statSync(path.join(dir, f)).mode & 0o777, f).to.equal(0o600);
      expect(statSync(dir).mode & 0o077).to.equal(0);
    });

    it('reads ./.nce/emulator.json when run with no arguments', async () => {
      const cwd = tempDir('azemu-cwd-');
      mkdirSync(path.join(cwd, '.nce'));
      writeFileSync(path.join(cwd, '.nce', 'emulator.json'), readFileSync(path.join(emu.dataDir, 'emulator.json')));
      const dir = newConfigDir();
      const r = await azemu(['login'], { configDir: dir, cwd });
      expect(r.code, r.stderr).to.equal(0);
      const show = await azemu(['account', 'show', '--query', 'id', '-o', 'tsv'], { configDir: dir, cwd });
      expect(show.stdout).to.equal(`${emu.info.subscriptionId}\n`);
    });

    it('logs in with explicit service principal arguments', async () => {
      const dir = newConfigDir();
      const i = emu.info;
      const r = await azemu(['login', '--endpoint', i.endpoint, '--ca-file', i.caCertFile, '-u', i.clientId, '-p', i.clientSecret, '--tenant', i.tenantId, '-o', 'none'], { configDir: dir });
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.equal('');
      const show = await azemu(['networkcloud', 'baremetalmachine', 'show', '--ids', bmmId, '--query', 'name', '-o', 'tsv'], { configDir: dir });
      expect(show.stdout).to.equal('r01c001\n');
    });

    it('refuses a wrong secret with one clear sentence', async () => {
      const dir = newConfigDir();
      const i = emu.info;
      const r = await azemu(['login', '--endpoint', i.endpoint, '--ca-file', i.caCertFile, '-u', i.clientId, '-p', 'wrong', '--tenant', i.tenantId], { configDir: dir });
      expect(r.code).to.equal(1);
      expect(r.stdout).to.equal('');
      expect(r.stderr).to.match(/^ERROR: AADSTS7000215: Invalid client secret provided\./);
    });

    it('shows, lists and sets the subscription; rejects an unknown one', async () => {
      const show = await run('account', 'show');
      expect(JSON.parse(show.stdout)).to.include({ id: emu.info.subscriptionId, isDefault: true, environmentName: 'AzureEmulator' });
      const list = await run('account', 'list', '--refresh', '-o', 'table');
      // az's table transformer for account list
      expect(list.stdout.split('\n')[0]).to.match(/^Name\s+CloudName\s+SubscriptionId\s+TenantId\s+State\s+IsDefault$/);
      const set = await run('account', 'set', '--subscription', emu.info.subscriptionId);
      expect(set).to.deep.include({ code: 0, stdout: '' });
      const bad = await run('account', 'set', '-s', 'nope');
      expect(bad.code).to.equal(1);
      expect(bad.stderr).to.equal("ERROR: The subscription of 'nope' doesn't exist in cloud 'AzureEmulator'.\n");
    });

    it('says what to run when not logged in, and after logout', async () => {
      const dir = newConfigDir();
      const r = await azemu(['networkcloud', 'cluster', 'list'], { configDir: dir });
      expect(r).to.deep.include({ code: 1, stdout: '', stderr: "ERROR: Please run 'azemu login' to setup account.\n" });
      await azemu(['login', '--emulator', emu.dataDir], { configDir: dir });
      expect((await azemu(['logout'], { configDir: dir })).code).to.equal(0);
      expect((await azemu(['account', 'show'], { configDir: dir })).stderr).to.include("Please run 'azemu login'");
      const none = await azemu(['login'], { configDir: dir, cwd: os.tmpdir() });
      expect(none.code).to.equal(1);
      expect(none.stderr).to.match(/^ERROR: No emulator found at \.\/\.nce\/emulator\.json: start the emulator here/);
    });

    it('says the emulator is not running when it cannot connect', async () => {
      const dir = newConfigDir();
      const i = emu.info;
      await azemu(['login', '--emulator', emu.dataDir], { configDir: dir });
      const profile = JSON.parse(readFileSync(path.join(dir, 'profile.json'), 'utf8'));
      profile.endpoint = 'https://localhost:1/';
      writeFileSync(path.join(dir, 'profile.json'), JSON.stringify(profile));
      const r = await azemu(['networkcloud', 'cluster', 'show', '--ids', i.demo.clusterId], { configDir: dir });
      expect(r.code).to.equal(1);
      expect(r.stdout).to.equal('');
      expect(r.stderr).to.match(/^ERROR: Cannot reach the emulator at https:\/\/localhost:1\/ \(ECONNREFUSED\): start it/);
    });
  });

  describe('show and the golden caCertificate line', () => {
    it('prints exactly <hash>\\t<PEM>\\n for --query caCertificate -o tsv, as the API has it at 2025-09-01', async () => {
      const r = await run('networkcloud', 'baremetalmachine', 'show', '-g', mrg, '-n', 'r01c001', '--query', 'caCertificate', '-o', 'tsv');
      expect(r.code, r.stderr).to.equal(0);
      const direct = await directGet(emu.info, `${bmmId}?api-version=2025-09-01`);
      const { hash, value } = direct.body.properties.caCertificate;
      expect(hash).to.match(/^[0-9a-f]{64}$/);
      expect(value).to.match(/^-----BEGIN CERTIFICATE-----\n/);
      expect(r.stdout).to.equal(`${hash}\t${value}\n`);
      expect(r.stderr).to.equal('');
    });

    it('flattens properties into the top level and adds resourceGroup; JSON keys sorted', async () => {
      const r = await run('networkcloud', 'baremetalmachine', 'show', '--ids', bmmId);
      const shown = JSON.parse(r.stdout);
      const direct = (await directGet(emu.info, `${bmmId}?api-version=2026-07-01`)).body;
      expect(shown).to.not.have.property('properties');
      expect(shown.resourceGroup).to.equal(mrg);
      for (const [k, v] of Object.entries(direct.properties)) expect(shown[k], k).to.deep.equal(v);
      expect(shown.id).to.equal(direct.id);
      const keys = Object.keys(shown);
      expect(keys).to.deep.equal([...keys].sort());
      expect(r.stdout).to.match(/^\{\n  "actionStates"/);
    });

    it('shows each api-version as the API does: --api-version 2024-07-01 has no caCertificate', async () => {
      const old = await run('networkcloud', 'baremetalmachine', 'show', '--ids', bmmId, '--api-version', '2024-07-01', '--query', 'caCertificate');
      expect(old).to.deep.include({ code: 0, stdout: '' });
      const bad = await run('networkcloud', 'baremetalmachine', 'show', '--ids', bmmId, '--api-version', '1999-01-01');
      expect(bad.code).to.equal(1);
      expect(bad.stdout).to.equal('');
      expect(bad.stderr).to.match(/^ERROR: \((InvalidApiVersionParameter|NoRegisteredProviderFound)\) /);
    });

    it('shows a storage appliance, a cluster and a cluster manager', async () => {
      const sa = await run('networkcloud', 'storageappliance', 'show', '-g', mrg, '-n', 'r01sa01', '--query', '{n:name, h:caCertificate.hash}', '-o', 'tsv');
      expect(sa.stdout).to.match(/^r01sa01\t[0-9a-f]{64}\n$/);
      // a top-level list is one line per item, as in az
      const list = await run('networkcloud', 'storageappliance', 'show', '-g', mrg, '-n', 'r01sa01', '--query', '[name, caCertificate.hash]', '-o', 'tsv');
      expect(list.stdout).to.match(/^r01sa01\n[0-9a-f]{64}\n$/);
      const cluster = await run('networkcloud', 'cluster', 'show', '--ids', emu.info.demo.clusterId, '--query', '{status:detailedStatus, rg:resourceGroup}', '-o', 'json');
      expect(JSON.parse(cluster.stdout)).to.deep.equal({ rg: 'nexus-demo-rg', status: 'Running' });
      const cm = await run('networkcloud', 'clustermanager', 'show', '-g', 'nexus-demo-rg', '-n', 'demo-cm', '--query', 'fabricControllerId', '-o', 'tsv');
      expect(cm.stdout).to.match(/networkFabricControllers\/demo-nfc\n$/);
    });

    it('prints a list when several --ids are given', async () => {
      const ids = emu.info.demo.bareMetalMachineIds.slice(0, 2);
      const r = await run('networkcloud', 'baremetalmachine', 'show', '--ids', ...ids, '--query', '[].name', '-o', 'tsv');
      expect(r.stdout).to.equal('r01c001\nr01c002\n');
    });
  });

  describe('list', () => {
    it('lists by resource group and by subscription, flattened', async () => {
      const byGroup = await run('networkcloud', 'baremetalmachine', 'list', '-g', mrg, '--query', '[].{name:name, slot:rackSlot}', '-o', 'tsv');
      expect(byGroup.stdout.trim().split('\n')).to.have.length(emu.info.demo.bareMetalMachineIds.length);
      expect(byGroup.stdout.split('\n')[0]).to.equal('r01c001\t1');
      const bySub = await run('networkcloud', 'cluster', 'list', '--query', "[?name=='demo-cluster'].resourceGroup", '-o', 'tsv');
      expect(bySub.stdout).to.equal('nexus-demo-rg\n');
      for (const type of ['storageappliance', 'clustermanager']) {
        const r = await run('networkcloud', type, 'list', '--query', 'length(@)');
        expect(Number(r.stdout), type).to.be.greaterThan(0);
      }
    });

    it('pages with --max-items and --next-token (aaz token warning)', async () => {
      const first = await run('networkcloud', 'baremetalmachine', 'list', '-g', mrg, '--max-items', '4', '--query', '[].name', '-o', 'tsv');
      expect(first.stdout).to.equal('r01c001\nr01c002\nr01c003\nr01c004\n');
      const token = /WARNING: Token of next page: (\S+)/.exec(first.stderr)?.[1];
      expect(token, first.stderr).to.be.a('string');
      const rest = await run('networkcloud', 'baremetalmachine', 'list', '-g', mrg, '--max-items', '10', '--next-token', token!, '--query', '[].name', '-o', 'tsv');
      expect(rest.stdout).to.equal('r01c005\nr01c006\n');
      const top = await run('networkcloud', 'baremetalmachine', 'list', '-g', mrg, '--top', '2', '--query', 'length(@)');
      expect(top.stdout).to.equal('6\n');
    });
  });

  describe('output formats on a real resource', () => {
    const show = (...extra: string[]) => run('networkcloud', 'baremetalmachine', 'show', '--ids', bmmId, ...extra);

    it('yaml: sorted keys, quoted look-alikes, the PEM as a quoted multi-line scalar', async () => {
      const r = await show('-o', 'yaml', '--query', '{readyState:readyState, rackSlot:rackSlot, caCertificate:caCertificate}');
      expect(r.stdout).to.match(/^caCertificate:\n  hash: [0-9a-f]{64}\n  value: '-----BEGIN CERTIFICATE-----\n\n    /);
      expect(r.stdout).to.match(/rackSlot: 1\nreadyState: 'True'\n$/);
      const yamlc = await show('-o', 'yamlc', '--query', 'name');
      expect(yamlc.stdout).to.equal('r01c001\n...\n');
    });

    it('jsonc is plain json when stdout is not a terminal', async () => {
      expect((await show('-o', 'jsonc')).stdout).to.equal((await show('-o', 'json')).stdout);
    });

    it('tsv of the whole resource: sorted values, nested objects empty, lists as lengths', async () => {
      const r = await show('-o', 'tsv', '--query', '{z:name, a:machineRoles, m:extendedLocation, n:powerState}');
      expect(r.stdout).to.equal('r01c001\t1\t\tOn\n');
      const whole = (await show('-o', 'tsv')).stdout;
      expect(whole.split('\t')[0]).to.equal('0'); // actionStates: [] comes first in sorted order
    });

    it("table: the extension's transformer columns; a --query shapes the columns instead", async () => {
      const r = await run('networkcloud', 'baremetalmachine', 'list', '-g', mrg, '-o', 'table');
      const [header, rule, first] = r.stdout.split('\n');
      const columns = header.split(/\s{2,}/);
      // transform_hydrated_resource_table_output
      expect(columns).to.deep.equal(['Name', 'ResourceGroup', 'DetailedStatus', 'DetailedStatusMessage']);
      expect(rule).to.match(/^-+( {2}-+)+$/);
      expect(first).to.match(new RegExp(`^r01c001\\s+${mrg}\\s+`));
      const generic = await run('group', 'show', '-n', mrg, '-o', 'table');
      expect(generic.stdout.split('\n')[0].split(/\s{2,}/)).to.not.include.members(['Id', 'Type']);
      const queried = await run('networkcloud', 'baremetalmachine', 'list', '-g', mrg, '--query', '[].{Slot:rackSlot, Machine:name}', '-o', 'table');
      expect(queried.stdout.split('\n').slice(0, 3)).to.deep.equal(['Slot    Machine', '------  ---------', '1       r01c001']);
    });

    it('none prints nothing; a --query that matches nothing prints nothing and exits 0', async () => {
      expect(await show('-o', 'none')).to.deep.include({ code: 0, stdout: '' });
      expect(await show('--query', 'noSuchProperty', '-o', 'tsv')).to.deep.include({ code: 0, stdout: '' });
    });
  });

  describe('errors and exit codes', () => {
    it('404: az error lines on stderr, nothing on stdout, exit 3', async () => {
      const r = await run('networkcloud', 'baremetalmachine', 'show', '-g', mrg, '-n', 'r09c999');
      expect(r.code).to.equal(3);
      expect(r.stdout).to.equal('');
      const lines = r.stderr.split('\n');
      expect(lines[0]).to.match(/^ERROR: \(ResourceNotFound\) The Resource 'Microsoft.NetworkCloud\/bareMetalMachines\/r09c999' under resource group/);
      expect(lines[1]).to.equal('Code: ResourceNotFound');
      expect(lines[2]).to.match(/^Message: The Resource /);
    });

    it('400: adds Target and Exception Details; exit 1', async () => {
      const r = await run('networkcloud', 'clustermanager', 'create', '-g', 'nexus-demo-rg', '-n', 'cm-bad', '-l', 'eastus', '--fabric-controller-id', 'not-a-resource-id');
      expect(r.code).to.equal(1);
      expect(r.stdout).to.equal('');
      expect(r.stderr).to.match(/^ERROR: \(\w+\) /);
      expect(r.stderr).to.match(/\nCode: \w+\nMessage: .+\nTarget: properties\.fabricControllerId/);
    });

    it("a value the model's format rejects is refused before anything is sent (InvalidArgumentValue, exit 1)", async () => {
      const before = (await directGet(emu.info, `${bmmId}?api-version=2026-07-01`)).body.etag;
      const r = await run('networkcloud', 'baremetalmachine', 'update', '--ids', bmmId, '--machine-details', 'x'.repeat(300));
      expect(r).to.deep.include({ code: 1, stdout: '', stderr: `ERROR: InvalidArgumentValue: --machine-details: Invalid format: '${'x'.repeat(300)}' length is greater than 256\n` });
      expect((await directGet(emu.info, `${bmmId}?api-version=2026-07-01`)).body.etag).to.equal(before);
    });

    it('exit 2 for a bad command line, with nothing on stdout', async () => {
      const cases: [string[], RegExp][] = [
        [['networkcloud', 'baremetalmachine', 'shwo'], /^ERROR: 'shwo' is misspelled or not recognized by the system\.\nThe most similar choice to 'shwo' is:\n\tshow\n$/],
        [['networkcloud', 'baremetalmachine', 'show', '-g', mrg], /^ERROR: \(-n \| --ids\) are required\n$/],
        [['networkcloud', 'baremetalmachine', 'show', '--ids', bmmId, '-n', 'r01c001'], /^ERROR: usage error: --name cannot be used with --ids/],
        [['networkcloud', 'baremetalmachine', 'show', '--ids', bmmId, '--bogus'], /^ERROR: unrecognized arguments: --bogus\n$/],
        [['networkcloud', 'baremetalmachine', 'show', '--ids', bmmId, '--query', '[?'], /^ERROR: argument --query: invalid jmespath_type value: '\[\?'\n/],
        [['networkcloud', 'cluster', 'update', '--ids', emu.info.demo.clusterId, '--secret-archive', '{key-vault-id:x,use-key:True}'], /unknown key 'use-key'\. Valid keys: key-vault-id, use-key-vault\./],
        [['group', 'create', '-n', 'x'], /^ERROR: the following arguments are required: --location\/-l\n$/],
      ];
      for (const [args, stderr] of cases) {
        const r = await run(...args);
        expect(r.code, args.join(' ')).to.equal(2);
        expect(r.stdout, args.join(' ')).to.equal('');
        expect(r.stderr, args.join(' ')).to.match(stderr);
      }
    });

    it('prints help with examples and exits 0', async () => {
      const r = await run('networkcloud', 'cluster', 'update', '--help');
      expect(r.code).to.equal(0);
      expect(r.stdout).to.include('--secret-archive');
      expect(r.stdout).to.include('Examples');
      const group = await run('networkcloud');
      expect(group.stdout).to.include('Subgroups:');
      const shape = await run('networkcloud', 'cluster', 'update', '--sa-settings', '??');
      expect(shape.code).to.equal(0);
      expect(shape.stdout).to.include('identity-resource-id');
    });
  });

  describe('--debug, rest, version, clock', () => {
    it('--debug logs requests and responses on stderr with the token and secrets redacted', async () => {
      const dir = newConfigDir();
      const login = await azemu(['login', '--emulator', emu.dataDir, '--debug', '-o', 'none'], { configDir: dir });
      expect(login.stderr).to.include("DEBUG: cli.azemu.client: Request URL: '");
      expect(login.stderr).to.include('client_secret=*****');
      expect(login.stderr).to.not.include(emu.info.clientSecret);
      const token = JSON.parse(readFileSync(path.join(dir, 'token-cache.json'), 'utf8')).accessToken as string;
      const r = await azemu(['networkcloud', 'baremetalmachine', 'show', '--ids', bmmId, '--debug', '-o', 'none'], { configDir: dir });
      expect(r.code).to.equal(0);
      expect(r.stderr).to.include("'Authorization': '*****'");
      expect(r.stderr).to.include('Response status: 200');
      expect(r.stderr).to.not.include(token);
      expect(r.stderr.split('\n').filter(Boolean).every((l) => /^(DEBUG|INFO|WARNING): /.test(l))).to.equal(true);
    });

    it('--verbose reports the command time; --only-show-errors hides warnings', async () => {
      const verbose = await run('version', '--verbose');
      expect(verbose.stderr).to.match(/^INFO: Command ran in \d+\.\d+ seconds\n$/);
      const quiet = await run('networkcloud', 'baremetalmachine', 'list', '-g', mrg, '--max-items', '1', '--only-show-errors', '-o', 'none');
      expect(quiet.stderr).to.equal('');
    });

    it('rest: the raw API (no flattening), {subscriptionId}, JSON bodies, az rest error text', async () => {
      const url = `/subscriptions/{subscriptionId}/resourceGroups/${mrg}/providers/Microsoft.NetworkCloud/bareMetalMachines/r01c001?api-version=2025-09-01`;
      const get = await run('rest', '--method', 'get', '--url', url, '--query', 'properties.caCertificate.hash', '-o', 'tsv');
      expect(get.stdout).to.match(/^[0-9a-f]{64}\n$/);
      const raw = JSON.parse((await run('rest', '-u', url)).stdout);
      expect(raw).to.have.property('properties');
      expect(raw).to.not.have.property('resourceGroup');
      // a cluster manager PATCH is synchronous, so the body is the updated resource
      const cmUrl = `/subscriptions/{subscriptionId}/resourceGroups/nexus-demo-rg/providers/Microsoft.NetworkCloud/clusterManagers/demo-cm?api-version=2025-09-01`;
      const patch = await run('rest', '-m', 'patch', '-u', cmUrl, '--body', '{"tags":{"via":"rest"}}', '--query', 'tags');
      expect(JSON.parse(patch.stdout)).to.deep.equal({ via: 'rest' });
      // a machine PATCH answers 202 with no body: az rest prints nothing
      expect(await run('rest', '-m', 'patch', '-u', url, '--body', '{"tags":{"via":"rest"}}')).to.deep.include({ code: 0, stdout: '' });
      const missing = await run('rest', '-u', `/subscriptions/{subscriptionId}/resourceGroups/${mrg}/providers/Microsoft.NetworkCloud/bareMetalMachines/nope?api-version=2025-09-01`);
      expect(missing.code).to.equal(1);
      expect(missing.stdout).to.equal('');
      expect(missing.stderr).to.match(/^ERROR: Not Found\(\{"error":\{"code":"ResourceNotFound"/);
    });

    it('version prints JSON; --version too', async () => {
      const r = await run('version');
      expect(JSON.parse(r.stdout)).to.include({ azemu: '0.1.0' });
      expect((await run('--version')).stdout).to.equal(r.stdout);
    });

    it('emulator clock show|advance|set', async () => {
      const before = JSON.parse((await run('emulator', 'clock', 'show')).stdout).now as string;
      const advanced = await run('emulator', 'clock', 'advance', '30d', '--query', 'now', '-o', 'tsv');
      expect(advanced.code, advanced.stderr).to.equal(0);
      expect(Date.parse(advanced.stdout.trim()) - Date.parse(before)).to.be.within(30 * 86400_000, 30 * 86400_000 + 60_000);
      const target = new Date(Date.parse(advanced.stdout.trim()) + 86400_000).toISOString();
      const set = await run('emulator', 'clock', 'set', target, '--query', 'now', '-o', 'tsv');
      expect(Date.parse(set.stdout.trim())).to.be.within(Date.parse(target), Date.parse(target) + 60_000);
      const bad = await run('emulator', 'clock', 'advance', 'soon');
      expect(bad.code).to.equal(2);
    });
  });
});
