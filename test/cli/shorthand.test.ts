import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ArgumentValueError,
  BLANK,
  ShorthandHelpRequest,
  ShorthandSyntaxError,
  argumentValue,
  kebab,
  parseShorthand,
  splitPartialValue,
} from '../../cli/shorthand.js';
import * as shapes from '../../cli/commands/shapes.js';
import { findCommand } from '../../cli/commands/table.js';

const KV = '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1';
const UAI = '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai1';

describe('cli shorthand: syntax (aaz AAZShortHandSyntaxParser)', () => {
  it('parses the braces form into a dict, keeping values as text unless they are JSON scalars', () => {
    expect(parseShorthand('{a:b,c:1,d:true,e:null}')).to.deep.equal({ a: 'b', c: 1, d: true, e: null });
  });

  it('parses lists, nested values and trailing commas', () => {
    expect(parseShorthand('[a,{b:[1,2]},]')).to.deep.equal(['a', { b: [1, 2] }]);
    expect(parseShorthand('{a:b,}')).to.deep.equal({ a: 'b' });
    expect(parseShorthand('{}')).to.deep.equal({});
    expect(parseShorthand('[]')).to.deep.equal([]);
  });

  it("takes single-quoted strings literally, with '/ standing for a quote", () => {
    expect(parseShorthand("{a:'x:y,z'}")).to.deep.equal({ a: 'x:y,z' });
    expect(parseShorthand("{a:'it'/s'}")).to.deep.equal({ a: "it's" });
    expect(parseShorthand("'quoted value'", true)).to.equal('quoted value');
  });

  it('gives a key without a value the blank value', () => {
    expect(parseShorthand('{a,b:c}')).to.deep.equal({ a: BLANK, b: 'c' });
  });

  it('treats a simple value literally except null, ?? and quotes', () => {
    expect(parseShorthand('https://kv.vault.azure.net/', true)).to.equal('https://kv.vault.azure.net/');
    expect(parseShorthand('null', true)).to.equal(null);
    expect(() => parseShorthand('??', true)).to.throw(ShorthandHelpRequest);
  });

  it('reports syntax errors with the position, like aaz', () => {
    try {
      parseShorthand('{a:b');
      expect.fail('should throw');
    } catch (err) {
      expect(err).to.be.instanceOf(ShorthandSyntaxError);
      expect((err as Error).message).to.equal("Shorthand Syntax Error: Expect character ',' or '}':\n\t{a:b\n\t    ^");
    }
    expect(() => parseShorthand('{a b}')).to.throw(ShorthandSyntaxError, 'Please wrap whitespace character in single quotes');
    expect(() => parseShorthand('{a:1,a:2}')).to.throw(ShorthandSyntaxError, "Duplicate defined dict key 'a'");
    expect(() => parseShorthand("{a:'x}")).to.throw(ShorthandSyntaxError, 'Miss end quota character');
  });

  it('splits partial values (space form) into key path and value', () => {
    expect(splitPartialValue('vault-uri=https://kv/?a=b')).to.deep.equal({ keyParts: ['vault-uri'], value: 'https://kv/?a=b' });
    expect(splitPartialValue('a.b[0].c=x')).to.deep.equal({ keyParts: ['a', 'b', 0, 'c'], value: 'x' });
    expect(splitPartialValue('{a:b}')).to.deep.equal({ keyParts: null, value: '{a:b}' });
  });
});

describe('cli shorthand: arguments to API JSON', () => {
  it('maps --secret-archive braces form to camelCase with the "True" string enum', () => {
    expect(argumentValue([`{key-vault-id:${KV},use-key-vault:True}`], shapes.secretArchive, '--secret-archive')).to.deep.equal({ keyVaultId: KV, useKeyVault: 'True' });
  });

  it('gives the same result for the space form, the snake_case keys, JSON and @file', () => {
    const expected = { keyVaultId: KV, useKeyVault: 'True' };
    expect(argumentValue([`key-vault-id=${KV}`, 'use-key-vault=True'], shapes.secretArchive, '--secret-archive')).to.deep.equal(expected);
    expect(argumentValue([`key_vault_id=${KV}`, 'use_key_vault=true'], shapes.secretArchive, '--secret-archive')).to.deep.equal(expected);
    expect(argumentValue([JSON.stringify({ keyVaultId: KV, useKeyVault: 'True' })], shapes.secretArchive, '--secret-archive')).to.deep.equal(expected);
    expect(argumentValue([JSON.stringify({ 'key-vault-id': KV, 'use-key-vault': 'True' })], shapes.secretArchive, '--secret-archive')).to.deep.equal(expected);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'azemu-sh-'));
    const file = path.join(dir, 'archive.json');
    writeFileSync(file, JSON.stringify(expected));
    expect(argumentValue([`@${file}`], shapes.secretArchive, '--secret-archive')).to.deep.equal(expected);
    rmSync(dir, { recursive: true, force: true });
  });

  it('unflattens identity-type / identity-resource-id into associatedIdentity', () => {
    const value = argumentValue(['vault-uri=https://kv.vault.azure.net/', 'identity-type=userassignedidentity', `identity-resource-id=${UAI}`], shapes.secretArchiveSettings, '--secret-archive-settings');
    expect(value).to.deep.equal({
      vaultUri: 'https://kv.vault.azure.net/',
      associatedIdentity: { identityType: 'UserAssignedIdentity', userAssignedIdentityResourceId: UAI },
    });
    // the aaz example's `vault_uri` spelling works too
    expect(argumentValue(['vault_uri=https://x/'], shapes.secretArchiveSettings, '--sa-settings')).to.deep.equal({ vaultUri: 'https://x/' });
  });

  it('names the bad key and the valid ones', () => {
    expect(() => argumentValue(['{key-vault-id:x,use-keyvault:True}'], shapes.secretArchive, '--secret-archive')).to.throw(
      ArgumentValueError,
      "Failed to parse '--secret-archive' argument: unknown key 'use-keyvault'. Valid keys: key-vault-id, use-key-vault.",
    );
    expect(() => argumentValue(['associated-identity.foo=1'], shapes.secretArchiveSettings, '--sa-settings')).to.throw(ArgumentValueError, "unknown key 'associated-identity'");
  });

  it('checks required keys, enums and integers', () => {
    expect(() => argumentValue(['use-key-vault=True'], shapes.secretArchive, '--secret-archive')).to.throw(ArgumentValueError, "missing required key 'key-vault-id'");
    expect(() => argumentValue(['{key-vault-id:x,use-key-vault:maybe}'], shapes.secretArchive, '--secret-archive')).to.throw(ArgumentValueError, "key 'use-key-vault': 'maybe' is not a valid value. Allowed values: False, True.");
    expect(argumentValue(['type=PercentSuccess', 'grouping=PerCluster', 'value=90'], shapes.computeDeploymentThreshold, '--compute-dt')).to.deep.equal({ type: 'PercentSuccess', grouping: 'PerCluster', value: 90 });
    expect(() => argumentValue(['type=CountSuccess', 'grouping=PerRack', 'value=lots'], shapes.computeDeploymentThreshold, '--compute-dt')).to.throw(ArgumentValueError, "key 'value': invalid int value: 'lots'");
  });

  it('handles nested lists of objects (rack definitions) in braces and partial forms', () => {
    const braces = argumentValue(
      ["{network-rack-id:nr,rack-sku-id:sku,rack-serial-number:AA1,bare-metal-machine-configuration-data:[{bmc-credentials:{username:root,password:p},bmc-mac-address:'00:00:00:00:00:01',boot-mac-address:'00:00:00:00:00:02',rack-slot:1,serial-number:S1}]}"],
      shapes.rackDefinition,
      '--aggregator-or-single-rack-definition',
    );
    expect(braces).to.deep.equal({
      networkRackId: 'nr',
      rackSkuId: 'sku',
      rackSerialNumber: 'AA1',
      bareMetalMachineConfigurationData: [
        { bmcCredentials: { username: 'root', password: 'p' }, bmcMacAddress: '00:00:00:00:00:01', bootMacAddress: '00:00:00:00:00:02', rackSlot: 1, serialNumber: 'S1' },
      ],
    });
    const partial = argumentValue(['network-rack-id=nr', 'rack-sku-id=sku', 'rack-serial-number=AA1', 'storage-appliance-configuration-data[0].rack-slot=2', 'storage-appliance-configuration-data[0].serial-number=S2', "storage-appliance-configuration-data[0].admin-credentials={username:a,password:b}"], shapes.rackDefinition, '--aggregator-or-single');
    expect(partial).to.deep.equal({
      networkRackId: 'nr',
      rackSkuId: 'sku',
      rackSerialNumber: 'AA1',
      storageApplianceConfigurationData: [{ rackSlot: 2, serialNumber: 'S2', adminCredentials: { username: 'a', password: 'b' } }],
    });
  });

  it('reads tags the classic way: key=value words, a bare key, or a dict; no words clears them', () => {
    expect(argumentValue(['env=prod', 'team=a=b', 'flag'], shapes.tags, '--tags')).to.deep.equal({ env: 'prod', team: 'a=b', flag: '' });
    expect(argumentValue(['{env:prod}'], shapes.tags, '--tags')).to.deep.equal({ env: 'prod' });
    expect(argumentValue([], shapes.tags, '--tags')).to.deep.equal({});
    expect(argumentValue([''], shapes.tags, '--tags')).to.deep.equal({});
  });

  it('takes a list as one item per word or as one [..] value', () => {
    expect(argumentValue(['a', 'b'], shapes.strings, '--x')).to.deep.equal(['a', 'b']);
    expect(argumentValue(['[a,b]'], shapes.strings, '--x')).to.deep.equal(['a', 'b']);
  });

  it('asks for help on ?? anywhere in the value', () => {
    expect(() => argumentValue(['??'], shapes.secretArchive, '--secret-archive')).to.throw(ShorthandHelpRequest);
    expect(() => argumentValue(['{key-vault-id:??}'], shapes.secretArchive, '--secret-archive')).to.throw(ShorthandHelpRequest);
  });

  it('kebab-cases camelCase like az', () => {
    expect(kebab('userAssignedIdentityResourceId')).to.equal('user-assigned-identity-resource-id');
    expect(kebab('bareMetalMachineConfigurationData')).to.equal('bare-metal-machine-configuration-data');
  });
});

describe('cli shorthand: nested defaults of the model (what the extension sends)', () => {
  const shapeOf = (command: string, option: string) => findCommand(command.split(' '))!.args.find((a) => a.options.includes(option))!.shape!;

  it('fills the defaults of keys left out of a given object, keeps the given ones, types them as the schema does', () => {
    const storage = shapeOf('networkcloud virtualmachine create', '--storage-profile');
    expect(argumentValue(['{disk-size:64}'], storage, '--storage-profile')).to.deep.equal({ osDisk: { diskSizeGB: 64, createOption: 'Ephemeral', deleteOption: 'Delete' } });
    expect(argumentValue(['{disk-size:64,create-option:Persistent}'], storage, '--storage-profile')).to.deep.equal({ osDisk: { diskSizeGB: 64, createOption: 'Persistent', deleteOption: 'Delete' } });
    // in list items too: an agent pool's L3 network attachment gets pluginType and ipamEnabled
    const pools = shapeOf('networkcloud kubernetescluster create', '--initial-ap-config');
    const sent = argumentValue(
      [JSON.stringify([{ name: 'p1', count: 1, mode: 'System', 'vm-sku-name': 'sku', 'attached-network-configuration': { 'l3-networks': [{ 'network-id': 'ID' }] } }])],
      pools,
      '--initial-ap-config',
    ) as { attachedNetworkConfiguration: { l3Networks: unknown[] } }[];
    expect(sent[0].attachedNetworkConfiguration.l3Networks).to.deep.equal([{ networkId: 'ID', ipamEnabled: 'False', pluginType: 'SRIOV' }]);
  });

  it("carries the model's nested defaults in the generated table", () => {
    const storage = shapeOf('networkcloud virtualmachine create', '--storage-profile');
    expect(storage.type).to.equal('object');
    const withDefaults = (storage as Extract<typeof storage, { type: 'object' }>).fields.filter((f) => f.default !== undefined).map((f) => [f.wire, f.default]);
    expect(withDefaults).to.deep.equal([['osDisk.createOption', 'Ephemeral'], ['osDisk.deleteOption', 'Delete']]);
  });
});
