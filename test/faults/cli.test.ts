/**
 * azemu and the start option against a real emulator process: `azemu emulator fault ...`, a failed
 * operation as az reports it (exit 1, az's error text), and `npm start -- --faults FILE` (YAML).
 */
import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, spawnEmulator } from '../helpers/emulator.js';
import { azemu, newConfigDir, removeTempDirs, startEmulator, tempDir, type CliResult, type RunningEmulator } from '../cli/helpers.js';

describe('faults: azemu emulator fault', function () {
  this.timeout(120_000);
  let emu: RunningEmulator;
  let config: string;
  let mrg: string;
  const run = (...args: string[]) => azemu(args, { configDir: config });
  const ok = (r: CliResult, what = '') => expect(r.code, `${what}\n${r.stderr}`).to.equal(0);
  const json = async (...args: string[]) => {
    const r = await run(...args);
    ok(r, args.join(' '));
    return JSON.parse(r.stdout);
  };

  before(async () => {
    emu = await startEmulator();
    config = newConfigDir();
    mrg = emu.info.demo.managedResourceGroup;
    ok(await run('login', '--emulator', emu.dataDir));
  });
  after(async () => {
    await emu?.stop();
    removeTempDirs();
  });

  it('adds rules from flags, lists them, shows, removes and clears', async () => {
    const added = await json('emulator', 'fault', 'add', '--rule-id', 'slow-bmm', '--method', 'GET', '--resource-type', 'Microsoft.NetworkCloud/bareMetalMachines', '--name', 'r01c00*', '--status', '503', '--retry-after', '2', '--count', '1');
    expect(added).to.deep.include({ id: 'slow-bmm', match: { method: 'GET', resourceType: 'Microsoft.NetworkCloud/bareMetalMachines', name: 'r01c00*' }, effect: { status: 503, retryAfter: 2 }, count: 1, fired: 0, state: 'Active' });
    const throttle = await json('emulator', 'fault', 'add', '--throttle-reads', '100', '--throttle-window', '1h');
    expect(throttle.effect).to.deep.equal({ throttle: { reads: 100, window: '1h' } });
    // Like az, azemu retries a 503 after its Retry-After: the rule fires once and the command succeeds.
    const retried = await json('networkcloud', 'baremetalmachine', 'show', '-g', mrg, '-n', 'r01c001');
    expect(retried.name).to.equal('r01c001');
    const refused = await json('emulator', 'fault', 'add', '--rule-id', 'refuse', '--method', 'GET', '--name', 'r01c003', '--status', '400', '--code', 'InvalidMachineState', '--message', 'Not now.');
    const failed = await run('networkcloud', 'baremetalmachine', 'show', '-g', mrg, '-n', 'r01c003');
    expect(failed.code).to.equal(1);
    expect(failed.stderr).to.contain('ERROR: (InvalidMachineState) Not now.');
    ok(await run('emulator', 'fault', 'remove', '--id', refused.id));
    const list = await json('emulator', 'fault', 'list');
    expect(list.map((r: any) => [r.id, r.fired])).to.deep.equal([['slow-bmm', 1], [throttle.id, 0]]);
    const table = await run('emulator', 'fault', 'list', '-o', 'table');
    ok(table);
    expect(table.stdout).to.match(/Id\s+Kind\s+State\s+Matched\s+Fired/).and.match(/slow-bmm\s+error\s+Exhausted\s+1\s+1/);
    expect(await json('emulator', 'fault', 'show', '--id', 'slow-bmm', '--query', 'fired')).to.equal(1);
    ok(await run('emulator', 'fault', 'remove', '--id', 'slow-bmm'));
    const gone = await run('emulator', 'fault', 'show', '--id', 'slow-bmm');
    expect(gone.code).to.equal(3);
    expect(gone.stderr).to.contain('FaultRuleNotFound');
    expect(await json('emulator', 'fault', 'clear')).to.deep.equal({ removed: 1 });
    expect(await json('emulator', 'fault', 'list')).to.deep.equal([]);
  });

  it('adds rules from a YAML file, and refuses a rule without an effect or with a bad one', async () => {
    const file = path.join(tempDir(), 'faults.yaml');
    writeFileSync(file, ['faults:', '  - id: from-file', '    match: {method: DELETE}', '    effect: {drop: true}', '  - effect: {delayMs: 10}', '    expires: 2099-01-01T00:00:00Z', ''].join('\n'));
    const created = await json('emulator', 'fault', 'add', '--file', file);
    expect(created.map((r: any) => r.id)[0]).to.equal('from-file');
    expect(created[1].expires).to.equal('2099-01-01T00:00:00.000Z');
    const usage = await run('emulator', 'fault', 'add', '--method', 'GET');
    expect(usage.code).to.equal(2);
    expect(usage.stderr).to.contain('give an effect');
    const bad = await run('emulator', 'fault', 'add', '--status', '200');
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.contain('(InvalidFaultRule)');
    ok(await run('emulator', 'fault', 'clear'));
  });

  it("exits 1 with az's error text when a rule fails the operation", async () => {
    const rule = await json('emulator', 'fault', 'add', '--action', 'cordon', '--resource-type', 'Microsoft.NetworkCloud/bareMetalMachines', '--operation-status', 'Failed', '--error-code', 'MachineBusy', '--error-message', 'The machine is busy with firmware updates.');
    const r = await run('networkcloud', 'baremetalmachine', 'cordon', '-g', mrg, '-n', 'r01c002');
    expect(r.code, r.stderr).to.equal(1);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.contain('ERROR: (MachineBusy) The machine is busy with firmware updates.');
    expect(r.stderr).to.contain('Code: MachineBusy');
    expect(r.stderr).to.contain('Message: The machine is busy with firmware updates.');
    // The action's effect was not applied.
    const bmm = await json('networkcloud', 'baremetalmachine', 'show', '-g', mrg, '-n', 'r01c002');
    expect(bmm.cordonStatus).to.equal('Uncordoned');
    expect((await json('emulator', 'fault', 'show', '--id', rule.id)).fired).to.equal(1);
    ok(await run('emulator', 'fault', 'clear'));
  });
});

describe('faults: npm start -- --faults FILE', function () {
  this.timeout(60_000);

  it('puts the rules of a YAML file in force at start, logs each fault with its rule id', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'faults.yaml');
    writeFileSync(file, [
      '# CI: the first read of every resource group fails once, reads are throttled',
      '- id: flaky-groups',
      '  match: {resourceType: Microsoft.Resources/resourceGroups, method: GET}',
      '  effect: {status: 500, code: InternalServerError, message: Injected for CI.}',
      '  count: 1',
      '- id: ci-throttle',
      '  effect:',
      '    throttle: {reads: 50, window: 1h}',
      '',
    ].join('\n'));
    const proc = await spawnEmulator(['--faults', file, '--seed', 'none', '--log-requests']);
    try {
      const sub = proc.client.info.subscriptionId;
      const first = await proc.client.get(`/subscriptions/${sub}/resourcegroups/any?api-version=2021-04-01`);
      expect(first.status).to.equal(500);
      expect(first.body.error).to.deep.equal({ code: 'InternalServerError', message: 'Injected for CI.' });
      expect(first.headers['x-ms-emulator-fault']).to.equal('flaky-groups');
      const second = await proc.client.get(`/subscriptions/${sub}/resourcegroups/any?api-version=2021-04-01`);
      expect(second.status).to.equal(404);
      expect(second.headers['x-ms-ratelimit-remaining-subscription-reads']).to.equal('49');
      const rules = (await proc.client.get('/_emulator/faults')).body.value;
      expect(rules.map((r: any) => [r.id, r.fired])).to.deep.equal([['flaky-groups', 1], ['ci-throttle', 0]]);
      await new Promise((r) => setTimeout(r, 100));
      expect(proc.output()).to.contain('fault rules in force from').and.match(/fault flaky-groups: 500 InternalServerError on GET \/subscriptions\/[0-9a-f-]+\/resourcegroups\/any/);
    } finally {
      await proc.stop();
    }
  });

  it("starts with README's CI recipe file and puts its rules in force", async () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const recipe = readme.slice(readme.indexOf('### CI recipe'));
    const yamlBlock = /```yaml\n([\s\S]*?)```/.exec(recipe)?.[1];
    expect(yamlBlock, 'the CI recipe has a YAML block').to.be.a('string');
    const file = path.join(tempDir(), 'faults.yaml');
    writeFileSync(file, yamlBlock!);
    const proc = await spawnEmulator(['--faults', file]);
    try {
      const rules = (await proc.client.get('/_emulator/faults')).body.value;
      expect(rules.map((r: any) => [r.id, r.kind, r.state])).to.deep.equal([['throttle', 'throttle', 'Active'], ['flaky-front-door', 'error', 'Active'], ['cordon-fails-once', 'operation', 'Active']]);
      expect(rules[1]).to.include({ probability: 0.1, seed: 42 });
      const r = await proc.client.get(`/subscriptions/${proc.client.info.subscriptionId}/resourcegroups?api-version=2021-04-01`);
      expect(r.headers['x-ms-ratelimit-remaining-subscription-reads']).to.equal('199');
    } finally {
      await proc.stop();
    }
  });

  it('refuses to start with a bad faults file, saying which rule is wrong', async () => {
    const file = path.join(tempDir(), 'bad.json');
    writeFileSync(file, JSON.stringify([{ effect: { status: 500 } }, { effect: { operationDelay: 'soon' } }]));
    let message = '';
    try {
      const proc = await spawnEmulator(['--faults', file]);
      await proc.stop();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).to.match(/exited with 2/).and.contain('rule 2').and.contain('operationDelay');
  });
});
