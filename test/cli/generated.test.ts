/**
 * The generated networkcloud command table: fresh against the facts, every shipped command and
 * only those, az's table columns per group, defaults, choices and formats as the model says,
 * float output, and the command reference generated from the same table.
 */
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { checkRequired, parseCommandArgs, resolveCommand } from '../../cli/argv.js';
import { COMMANDS, findCommand } from '../../cli/commands/table.js';
import { TABLE } from '../../cli/commands/generated/networkcloud.js';
import { tableOf } from '../../cli/commands/handlers/networkcloud.js';
import type { NetworkCloudRun } from '../../cli/commands/types.js';
import { CliError, UsageError } from '../../cli/errors.js';
import { PyFloat, markFloats } from '../../cli/output/float.js';
import { formatJson } from '../../cli/output/json.js';
import { formatTable } from '../../cli/output/table.js';
import { formatTsv } from '../../cli/output/tsv.js';
import { formatYaml } from '../../cli/output/yaml.js';
import { REFERENCE_FILE, cliReference } from '../../tools/cli-reference.js';
import { readdirSync } from 'node:fs';
import { GENERATED_DIR, generate } from '../../tools/sync-cli.js';
import { PREVIEW_WARNING, ROOT, azemu, newConfigDir, removeTempDirs } from './helpers.js';

const FACTS = path.resolve(ROOT, '../shared/networkcloud-api/derived-v2');

function needFacts(ctx: Mocha.Context): void {
  if (existsSync(path.join(FACTS, 'cli/_index.txt'))) return;
  if (process.env.CI === 'true') throw new Error(`the facts are missing at ${FACTS}`);
  console.log(`      (pending: the facts are not at ${FACTS})`);
  ctx.skip();
}

/** The index's commands: name -> shipped. */
function indexCommands(): Map<string, boolean> {
  const text = readFileSync(path.join(FACTS, 'cli/_index.txt'), 'utf8');
  const out = new Map<string, boolean>();
  for (const line of text.split('\n')) {
    const m = /^az (networkcloud [^|]+?) \|.*\| (\S+)$/.exec(line.trim());
    if (m) out.set(m[1], m[2] !== 'no');
  }
  return out;
}

const nc = () => COMMANDS.filter((c) => c.path[0] === 'networkcloud');

describe('generated networkcloud command table', () => {
  it('is what `npm run sync-cli` makes from the facts (do-not-edit, fresh)', function () {
    needFacts(this);
    const files = generate(FACTS);
    expect(readdirSync(GENERATED_DIR).sort()).to.deep.equal(Object.keys(files).sort());
    for (const [name, text] of Object.entries(files)) {
      const current = readFileSync(path.join(GENERATED_DIR, name), 'utf8');
      expect(current.startsWith('// GENERATED'), name).to.equal(true);
      expect(current === text, `cli/commands/generated/${name} is stale: run npm run sync-cli`).to.equal(true);
    }
  });

  it('offers every shipped command of the index and no model-only one, except the azemu additions', function () {
    needFacts(this);
    const offered = new Set(nc().map((c) => c.path.join(' ')));
    const index = indexCommands();
    expect(index.size).to.be.greaterThan(150);
    for (const [name, shipped] of index) {
      if (shipped) expect(offered.has(name), name).to.equal(true);
      else if (name.startsWith('networkcloud cluster identity ')) expect(findCommand(name.split(' '))!.azemu, name).to.equal(true);
      else expect(offered.has(name), `${name} exists only in the model`).to.equal(false);
    }
    for (const name of offered) expect(index.has(name), name).to.equal(true);
    // the 16 groups of the issue and their subgroups
    const groups = new Set(nc().map((c) => c.path.slice(1, -1).join(' ')));
    for (const g of ['accessbridge', 'baremetalmachine', 'cloudservicesnetwork', 'cluster', 'cluster baremetalmachinekeyset', 'cluster bmckeyset', 'cluster metricsconfiguration', 'clustermanager', 'kubernetescluster', 'kubernetescluster agentpool', 'kubernetescluster feature', 'kubernetesversion', 'l2network', 'l3network', 'trunkednetwork', 'rack', 'racksku', 'storageappliance', 'virtualmachine', 'virtualmachine console', 'volume']) {
      expect(groups.has(g), g).to.equal(true);
    }
  });

  it("has the extension's table transformer columns for every group (golden)", () => {
    const hydrated = ['Name', 'ResourceGroup', 'DetailedStatus', 'DetailedStatusMessage'];
    const resource = ['Name', 'ResourceGroup', 'ProvisioningState', 'DetailedStatus', 'DetailedStatusMessage', 'Location'];
    const child = ['Name', 'ProvisioningState', 'DetailedStatus', 'DetailedStatusMessage'];
    const golden: Record<string, string[] | undefined> = {
      accessbridge: undefined,
      baremetalmachine: hydrated,
      cloudservicesnetwork: resource,
      cluster: resource,
      'cluster baremetalmachinekeyset': child,
      'cluster bmckeyset': child,
      'cluster metricsconfiguration': child,
      clustermanager: ['Name', 'ResourceGroup', 'ProvisioningState', 'Location'],
      kubernetescluster: resource,
      'kubernetescluster agentpool': ['Name', 'ProvisioningState', 'Mode', 'KubernetesVersion', 'DetailedStatus', 'DetailedStatusMessage'],
      'kubernetescluster feature': ['Name', 'ProvisioningState', 'Required', 'AvailabilityLifecycle', 'Version', 'DetailedStatus', 'DetailedStatusMessage'],
      kubernetesversion: undefined,
      l2network: resource,
      l3network: resource,
      rack: hydrated,
      racksku: ['Name', 'RackType', 'MaxClusterSlots', 'StorageAppliances', 'ComputeMachines', 'Description'],
      storageappliance: hydrated,
      trunkednetwork: resource,
      virtualmachine: resource,
      'virtualmachine console': child,
      volume: resource,
    };
    for (const [group, columns] of Object.entries(golden)) {
      for (const verb of ['show', 'list']) {
        const c = findCommand(['networkcloud', ...group.split(' '), verb]);
        expect(c, `${group} ${verb}`).to.not.equal(undefined);
        expect((c!.run as NetworkCloudRun).table, `${group} ${verb}`).to.deep.equal(columns);
      }
    }
    // other commands keep knack's generic table
    expect((findCommand(['networkcloud', 'baremetalmachine', 'cordon'])!.run as NetworkCloudRun).table).to.equal(undefined);
  });

  it('renders a transformer table: exactly its columns in order, nulls blank, list columns as counts', () => {
    const rows = tableOf(['Name', 'ResourceGroup', 'DetailedStatus', 'DetailedStatusMessage'])([
      { name: 'r01c001', resourceGroup: 'mrg', detailedStatus: 'Running', detailedStatusMessage: 'ok', powerState: 'On', rackSlot: 1 },
      { name: 'r01c002', resourceGroup: 'mrg', detailedStatus: 'Provisioning', detailedStatusMessage: 'booting', powerState: 'On', rackSlot: 2 },
    ]);
    expect(formatTable(rows, false)).to.equal(
      ['Name     ResourceGroup    DetailedStatus    DetailedStatusMessage', '-------  ---------------  ----------------  -----------------------', 'r01c001  mrg              Running           ok', 'r01c002  mrg              Provisioning      booting', ''].join('\n'),
    );
    expect(tableOf(['Name', 'ComputeMachines'])({ name: 'sku', computeMachines: [{}, {}, {}] })).to.deep.equal({ Name: 'sku', ComputeMachines: 3 });
  });

  it('prints floats of the response schema as Python does: percentComplete 100.0 in json, yaml, tsv and table', () => {
    const actions = nc().filter((c) => (c.run as NetworkCloudRun).op === 'action');
    expect(actions.length).to.be.greaterThan(20);
    for (const c of actions) expect((c.run as NetworkCloudRun).floats, c.path.join(' ')).to.deep.equal(['percentComplete']);
    const status = markFloats({ status: 'Succeeded', percentComplete: 100, operations: [{ percentComplete: 50.5 }], count: 3 }, new Set(['percentComplete'])) as Record<string, unknown>;
    expect(status.percentComplete).to.be.instanceOf(PyFloat);
    expect(formatJson(status)).to.equal('{\n  "count": 3,\n  "operations": [\n    {\n      "percentComplete": 50.5\n    }\n  ],\n  "percentComplete": 100.0,\n  "status": "Succeeded"\n}\n');
    expect(formatYaml(status)).to.include('percentComplete: 100.0\n');
    expect(formatTsv(status)).to.equal('3\t1\t100.0\tSucceeded\n');
    expect(formatTable(status, true)).to.match(/^Count\s+PercentComplete\s+Status\n[- ]+\n3\s+100\.0\s+Succeeded\n$/);
  });

  it('sends the defaults the model gives (cordon evacuate False) and requires a value where the model has no blank', () => {
    const parse = (words: string[]) => {
      const r = resolveCommand(words);
      if (r.kind !== 'command') throw new Error('not a command');
      const p = parseCommandArgs(r.command, r.rest, `azemu ${r.command.path.join(' ')}`);
      checkRequired(r.command, p.values);
      return p.values;
    };
    expect(parse(['networkcloud', 'baremetalmachine', 'cordon', '-g', 'rg', '-n', 'm']).evacuate).to.equal('False');
    expect(parse(['networkcloud', 'baremetalmachine', 'power-off', '-g', 'rg', '-n', 'm']).skipShutdown).to.equal('False');
    const replace = parse(['networkcloud', 'baremetalmachine', 'replace', '-g', 'rg', '-n', 'm']);
    expect(replace).to.include({ safeguardMode: 'All', storagePolicy: 'DiscardAll' });
    expect(parse(['networkcloud', 'cluster', 'scan-runtime', '-g', 'rg', '-n', 'c']).scanActivity).to.equal('Scan');
    expect(() => parse(['networkcloud', 'baremetalmachine', 'cordon', '-g', 'rg', '-n', 'm', '--evacuate'])).to.throw(UsageError, 'argument --evacuate: expected one argument');
    // create commands with the extension's managed identity arguments send identity {type: None} by default
    expect((findCommand(['networkcloud', 'clustermanager', 'create'])!.run as NetworkCloudRun).managedIdentity).to.equal('create');
    expect((findCommand(['networkcloud', 'cluster', 'update'])!.run as NetworkCloudRun).managedIdentity).to.equal('update');
  });

  it("rejects a value outside the choices with az's message (exit 2)", () => {
    const r = resolveCommand(['networkcloud', 'baremetalmachine', 'cordon', '-g', 'rg', '-n', 'm', '--evacuate', 'Maybe']);
    if (r.kind !== 'command') throw new Error('not a command');
    try {
      parseCommandArgs(r.command, r.rest, 'azemu networkcloud baremetalmachine cordon');
      expect.fail('accepted');
    } catch (err) {
      expect(err).to.be.instanceOf(UsageError);
      expect((err as UsageError).message).to.equal("azemu networkcloud baremetalmachine cordon: 'Maybe' is not a valid value for '--evacuate'. Allowed values: False, True.");
    }
  });

  it('nested format checks use aaz wording with the key path (exit 1)', () => {
    const r = resolveCommand(['networkcloud', 'baremetalmachine', 'run-read-command', '-g', 'rg', '-n', 'm', '--limit-time-seconds', '60', '--commands', '[{command:ls}]']);
    if (r.kind !== 'command') throw new Error('not a command');
    const ok = parseCommandArgs(r.command, r.rest, 'p');
    expect(ok.values.commands).to.deep.equal([{ command: 'ls' }]);
    const bad = resolveCommand(['networkcloud', 'cluster', 'update', '-g', 'rg', '-n', 'c', '--update-strategy', 'wait-time-minutes=99']);
    if (bad.kind !== 'command') throw new Error('not a command');
    try {
      parseCommandArgs(bad.command, bad.rest, 'p');
      expect.fail('accepted');
    } catch (err) {
      expect(err).to.be.instanceOf(CliError);
      expect((err as CliError).exitCode).to.equal(1);
      expect((err as CliError).message).to.equal("InvalidArgumentValue: --update-strategy.wait-time-minutes: Invalid format: '99' is greater than 60");
    }
  });

  it('keeps the seed\'s --secret-archive (hidden in the model) and marks azemu additions', () => {
    for (const verb of ['create', 'update']) {
      const arg = findCommand(['networkcloud', 'cluster', verb])!.args.find((a) => a.options.includes('--secret-archive'));
      expect(arg, verb).to.not.equal(undefined);
      expect(arg!.azemu).to.equal(true);
      expect(arg!.hidden).to.not.equal(true);
    }
    for (const verb of ['show', 'assign', 'remove', 'wait']) expect(findCommand(['networkcloud', 'cluster', 'identity', verb])!.summary, verb).to.match(/azemu addition/);
  });

  it('docs/cli-reference.md is generated from the same table (fresh)', () => {
    const text = readFileSync(REFERENCE_FILE, 'utf8');
    expect(text === cliReference(), 'docs/cli-reference.md is stale: run npm run sync-cli').to.equal(true);
    for (const c of nc()) expect(text, c.path.join(' ')).to.include(`### azemu ${c.path.join(' ')}\n`);
    expect(readFileSync(path.join(ROOT, 'README.md'), 'utf8')).to.include('docs/cli-reference.md');
  });

  it("gives every long-running command its operation's final-state-via from the facts (handed to the poller)", function () {
    needFacts(this);
    // operation path + method -> final-state-via, from operations/<model version>.txt
    const facts = new Map<string, string>();
    let pathNow = '';
    let methodNow = '';
    for (const line of readFileSync(path.join(FACTS, 'operations', `${TABLE.version}.txt`), 'utf8').split('\n')) {
      if (line.startsWith('## ')) pathNow = methodNow = '';
      if (line.startsWith('method: ')) methodNow = line.slice(8).trim();
      if (line.startsWith('path: ')) pathNow = line.slice(6).trim().toLowerCase();
      const via = /final-state-via=([\w-]+)/.exec(line)?.[1];
      if (via) facts.set(`${methodNow} ${pathNow}`, via);
    }
    const lro = nc().filter((c) => (c.run as NetworkCloudRun).lro);
    expect(lro.length).to.be.greaterThan(60);
    for (const c of lro) {
      const run = c.run as NetworkCloudRun;
      expect(run.finalStateVia, c.path.join(' ')).to.equal(facts.get(`${run.method} ${run.url.toLowerCase()}`));
    }
  });

  it('has one record per offered command and a version', () => {
    expect(TABLE.version).to.equal('2026-07-01');
    const names = nc().map((c) => c.path.join(' '));
    expect(new Set(names).size).to.equal(names.length);
  });
});

describe('azemu networkcloud as a subprocess: preview warning, name patterns, choices (no login, nothing sent)', function () {
  this.timeout(30_000);
  after(() => removeTempDirs());
  const PATTERN = '^([a-zA-Z0-9][a-zA-Z0-9]{0,62}[a-zA-Z0-9])$';

  it("refuses a bare metal machine name with - or _ before anything else, in aaz's words, after the preview line", async () => {
    for (const name of ['r01-c001', 'r01_c001']) {
      const r = await azemu(['networkcloud', 'baremetalmachine', 'show', '-g', 'rg', '-n', name], { configDir: newConfigDir() });
      expect(r.rawStderr).to.equal(`${PREVIEW_WARNING}ERROR: InvalidArgumentValue: -n: Invalid format: '${name}' does not fully match regular expression pattern '${PATTERN}'\n`);
      expect(r).to.deep.include({ code: 1, stdout: '' });
    }
    // the same check applies to a name inside --ids
    const ids = await azemu(['networkcloud', 'baremetalmachine', 'cordon', '--ids', '/subscriptions/s/resourceGroups/rg/providers/Microsoft.NetworkCloud/bareMetalMachines/bad-name'], { configDir: newConfigDir() });
    expect(ids.stderr).to.match(/^ERROR: InvalidArgumentValue: -n: Invalid format: 'bad-name' does not fully match/);
  });

  it('prints the preview line only for Preview commands, and not under --only-show-errors', async () => {
    const quiet = await azemu(['networkcloud', 'baremetalmachine', 'show', '-g', 'rg', '-n', 'r01-c001', '--only-show-errors'], { configDir: newConfigDir() });
    expect(quiet.rawStderr).to.match(/^ERROR: InvalidArgumentValue: /);
    // rotate-credential is Stable in the model: no preview line; cluster names may hold - and _
    const stable = await azemu(['networkcloud', 'cluster', 'rotate-credential', '-g', 'rg', '-n', 'c_1-a', '--credentials', 'x'], { configDir: newConfigDir() });
    expect(stable).to.deep.include({ code: 1, stdout: '', rawStderr: "ERROR: Please run 'azemu login' to setup account.\n" });
    const preview = await azemu(['networkcloud', 'cluster', 'show', '-g', 'rg', '-n', 'c_1-a'], { configDir: newConfigDir() });
    expect(preview.rawStderr).to.equal(`${PREVIEW_WARNING}ERROR: Please run 'azemu login' to setup account.\n`);
  });

  it('--evacuate needs a value; a wrong choice is a usage error with the allowed values (exit 2)', async () => {
    const none = await azemu(['networkcloud', 'baremetalmachine', 'cordon', '-g', 'rg', '-n', 'm1', '--evacuate'], { configDir: newConfigDir() });
    expect(none).to.deep.include({ code: 2, stdout: '', rawStderr: 'ERROR: argument --evacuate: expected one argument\n' });
    const bad = await azemu(['networkcloud', 'baremetalmachine', 'cordon', '-g', 'rg', '-n', 'm1', '--evacuate', 'Maybe'], { configDir: newConfigDir() });
    expect(bad).to.deep.include({ code: 2, rawStderr: "ERROR: azemu networkcloud baremetalmachine cordon: 'Maybe' is not a valid value for '--evacuate'. Allowed values: False, True.\n" });
  });
});
