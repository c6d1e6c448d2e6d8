import { expect } from 'chai';
import { checkRequired, closeMatches, parseCommandArgs, resolveCommand } from '../../cli/argv.js';
import { COMMANDS, GROUPS, allArgs, findCommand } from '../../cli/commands/table.js';
import { UsageError } from '../../cli/errors.js';
import { addResourceGroup, applyQuery, flattenProperties } from '../../cli/transform.js';
import { commandHelp, groupHelp } from '../../cli/help.js';

const BMM_ID = '/subscriptions/s1/resourceGroups/mrg/providers/Microsoft.NetworkCloud/bareMetalMachines/r01c001';

function parse(words: string[]) {
  const resolved = resolveCommand(words);
  if (resolved.kind !== 'command') throw new Error('not a command');
  const parsed = parseCommandArgs(resolved.command, resolved.rest, `azemu ${resolved.command.path.join(' ')}`);
  checkRequired(resolved.command, parsed.values);
  return parsed.values;
}

function usageError(words: string[]): string {
  try {
    parse(words);
  } catch (err) {
    expect(err).to.be.instanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('expected a usage error');
}

describe('cli command table', () => {
  it('has every command the issue lists', () => {
    const names = COMMANDS.map((c) => c.path.join(' '));
    const expected = [
      ...['baremetalmachine', 'storageappliance', 'cluster', 'clustermanager'].flatMap((t) => ['show', 'list', 'update', 'wait'].map((v) => `networkcloud ${t} ${v}`)),
      ...['create', 'delete', 'deploy', 'identity assign', 'identity remove', 'identity show'].map((v) => `networkcloud cluster ${v}`),
      ...['create', 'delete', 'identity assign', 'identity remove', 'identity show'].map((v) => `networkcloud clustermanager ${v}`),
      ...['cordon', 'uncordon', 'power-off', 'start', 'restart'].map((v) => `networkcloud baremetalmachine ${v}`),
      'networkcloud storageappliance enable-remote-vendor-management',
      'networkcloud storageappliance disable-remote-vendor-management',
      'login',
      'logout',
      'account show',
      'account list',
      'account set',
      'group create',
      'group show',
      'group list',
      'group delete',
      'rest',
      'version',
      'emulator clock show',
      'emulator clock advance',
      'emulator clock set',
    ];
    for (const name of expected) expect(names, name).to.include(name);
  });

  it('gives every command the generic arguments and each group a definition', () => {
    for (const command of COMMANDS) {
      const options = allArgs(command).flatMap((a) => a.options);
      for (const o of ['--query', '-o', '--output', '--debug', '--verbose', '--only-show-errors', '-h']) expect(options, `${command.path.join(' ')} ${o}`).to.include(o);
      if (command.run.handler === 'networkcloud') expect(options).to.include('--api-version');
      if (command.args.some((a) => a.idPart)) expect(options).to.include('--ids');
      for (let i = 1; i < command.path.length; i++) expect(GROUPS.some((g) => g.path.join(' ') === command.path.slice(0, i).join(' ')), command.path.slice(0, i).join(' ')).to.equal(true);
      // no option string may be claimed twice within one command
      expect(new Set(options).size, command.path.join(' ')).to.equal(options.length);
    }
  });

  it("uses az's names for the update arguments", () => {
    const options = (path: string) => allArgs(findCommand(path.split(' '))!).flatMap((a) => a.options);
    expect(options('networkcloud baremetalmachine update')).to.include.members(['--machine-details', '--tags', '--if-match', '--if-none-match', '--no-wait', '--bare-metal-machine-name']);
    expect(options('networkcloud storageappliance update')).to.include.members(['--serial-number', '--storage-appliance-name']);
    expect(options('networkcloud cluster update')).to.include.members(['--secret-archive', '--secret-archive-settings', '--sa-settings', '--mi-system-assigned', '--mi-user-assigned', '--cluster-name']);
    expect(options('networkcloud clustermanager update')).to.include.members(['--mi-system-assigned', '--mi-user-assigned', '--cluster-manager-name']).and.not.include('--no-wait');
    expect(options('networkcloud cluster identity assign')).to.include.members(['--system-assigned', '--user-assigned']);
    expect(options('networkcloud clustermanager create')).to.include.members(['--mrg', '--managed-resource-group-configuration', '--fabric-controller-id', '-l']);
  });

  it('renders az-style help for commands and groups', () => {
    const help = commandHelp(findCommand(['networkcloud', 'cluster', 'update'])!);
    expect(help).to.match(/^\nCommand\n    azemu networkcloud cluster update : /);
    expect(help).to.include('Resource Id Arguments');
    expect(help).to.include('--sa-settings --secret-archive-settings');
    expect(help).to.include('Global Arguments');
    expect(help).to.include('Examples');
    const group = groupHelp(['networkcloud', 'baremetalmachine']);
    expect(group).to.include('Commands:');
    expect(group).to.match(/power-off\s+: Power off the given bare metal machine\./);
  });
});

describe('cli argument parsing (argparse rules, az messages)', () => {
  it('reads long, short and alias options, greedy lists and flags with optional values', () => {
    const v = parse(['networkcloud', 'cluster', 'update', '-n', 'c1', '-g', 'rg', '--tags', 'a=b', 'c=d', '--no-wait', 'false', '--mi-user-assigned', 'u1', 'u2', '-o', 'TSV']);
    expect(v).to.include({ name: 'c1', resourceGroup: 'rg', noWait: false, output: 'tsv', apiVersion: '2026-07-01' });
    expect(v.tags).to.deep.equal({ a: 'b', c: 'd' });
    expect(v.miUserAssigned).to.deep.equal(['u1', 'u2']);
    expect(parse(['networkcloud', 'cluster', 'update', '--cluster-name=c1', '-grg', '--no-wait']).noWait).to.equal(true);
  });

  it('decodes complex arguments at parse time', () => {
    const v = parse(['networkcloud', 'cluster', 'update', '--ids', '/subscriptions/s/resourceGroups/rg/providers/Microsoft.NetworkCloud/clusters/c1', '--secret-archive', '{key-vault-id:kv,use-key-vault:True}']);
    expect(v.secretArchive).to.deep.equal({ keyVaultId: 'kv', useKeyVault: 'True' });
  });

  it('--evacuate needs a value (the model gives it no blank value), defaults to "False" and matches choices case-insensitively', () => {
    expect(usageError(['networkcloud', 'baremetalmachine', 'cordon', '-g', 'rg', '-n', 'm', '--evacuate'])).to.equal('argument --evacuate: expected one argument');
    expect(parse(['networkcloud', 'baremetalmachine', 'cordon', '-g', 'rg', '-n', 'm']).evacuate).to.equal('False');
    expect(parse(['networkcloud', 'baremetalmachine', 'cordon', '-g', 'rg', '-n', 'm', '--evacuate', 'true']).evacuate).to.equal('True');
  });

  it('reports command-line errors the way az does', () => {
    // azure-cli names each missing Resource Id argument by its first option string (aaz: -n --name ...)
    expect(usageError(['networkcloud', 'baremetalmachine', 'show', '-g', 'rg'])).to.equal('(-n | --ids) are required');
    expect(usageError(['networkcloud', 'baremetalmachine', 'show'])).to.equal('(-n --resource-group | --ids) are required');
    expect(usageError(['networkcloud', 'baremetalmachine', 'show', '-g', 'rg', '-n', 'm', '--foo', 'bar'])).to.equal('unrecognized arguments: --foo bar');
    expect(usageError(['networkcloud', 'baremetalmachine', 'show', '-g', 'rg', '-n'])).to.equal('argument -n/--name/--bare-metal-machine-name: expected one argument');
    expect(usageError(['networkcloud', 'clustermanager', 'create', '-g', 'rg', '-n', 'cm'])).to.equal('the following arguments are required: --location/-l, --fabric-controller-id');
    expect(usageError(['networkcloud', 'baremetalmachine', 'show', '-g', 'rg', '-n', 'm', '-o', 'xml'])).to.equal(
      "azemu networkcloud baremetalmachine show: 'xml' is not a valid value for '--output'. Allowed values: json, jsonc, none, table, tsv, yaml, yamlc.",
    );
    expect(usageError(['networkcloud', 'baremetalmachine', 'show', '--ids', BMM_ID, '-n', 'other'])).to.match(/^usage error: --name cannot be used with --ids/);
    expect(usageError(['networkcloud', 'cluster', 'update', '-g', 'rg', '-n', 'c', '--secret-archive', '{key-vault-id:x,bogus:1}'])).to.include("unknown key 'bogus'");
  });

  it('says which command word is misspelled and suggests the closest', () => {
    try {
      resolveCommand(['networkcloud', 'baremetalmachin', 'show']);
      expect.fail();
    } catch (err) {
      expect((err as UsageError).message).to.equal("'baremetalmachin' is misspelled or not recognized by the system.");
      expect((err as UsageError).hints).to.deep.equal(["The most similar choice to 'baremetalmachin' is:", '\tbaremetalmachine']);
      expect((err as UsageError).exitCode).to.equal(2);
    }
    expect(closeMatches('updte', ['update', 'show', 'list'])).to.deep.equal(['update']);
  });

  it('finds help and global switches anywhere', () => {
    const r = resolveCommand(['--debug', 'networkcloud', 'cluster', 'show', '-h']);
    expect(r.kind).to.equal('command');
    expect(r.help).to.equal(true);
    expect(r.rest).to.include('--debug');
  });
});

describe('cli result transforms', () => {
  it('flattens properties into the top level, where `properties` was', () => {
    const flat = flattenProperties({ id: BMM_ID, name: 'r01c001', properties: { caCertificate: { hash: 'h', value: 'v' }, name: 'shadowed' }, tags: {} }) as Record<string, unknown>;
    expect(Object.keys(flat)).to.deep.equal(['id', 'name', 'caCertificate', 'tags']);
    expect(flat.name).to.equal('r01c001');
  });

  it('adds resourceGroup to every object with a resource id under a group, recursively', () => {
    const data = [{ id: BMM_ID, nested: { id: '/subscriptions/s/resourcegroups/Other/providers/X/y/z' } }, { id: '/subscriptions/s/resourceGroups/rg' }, { id: '' }];
    addResourceGroup(data);
    expect(data[0]).to.deep.include({ resourceGroup: 'mrg' });
    expect(data[0].nested).to.deep.include({ resourceGroup: 'Other' });
    expect(data[1]).to.not.have.property('resourceGroup');
    expect(data[2]).to.not.have.property('resourceGroup');
  });

  it('runs --query after flattening and marks multiselect hashes as ordered', async () => {
    const data = flattenProperties({ name: 'm', properties: { caCertificate: { hash: 'h', value: 'v' } } });
    const q1 = await applyQuery(data, 'caCertificate');
    expect(q1.result).to.deep.equal({ hash: 'h', value: 'v' });
    expect(q1.isOrdered(q1.result as object)).to.equal(false);
    const q2 = await applyQuery(data, '{v:caCertificate.value, h:caCertificate.hash}');
    expect(q2.isOrdered(q2.result as object)).to.equal(true);
  });
});
