/**
 * The pieces of azemu's Key Vault support that need no emulator: the challenge parser, which
 * URLs count as a vault's secrets (their --debug bodies lose `value`), the redaction itself,
 * the per-scope token cache (reading the older one-token file), and the new commands' table
 * entries and argument rules.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkRequired, parseCommandArgs, resolveCommand } from '../../cli/argv.js';
import { isVaultSecretUrl, parseChallenge } from '../../cli/client.js';
import { COMMANDS } from '../../cli/commands/table.js';
import { UsageError } from '../../cli/errors.js';
import { redactBody, redactSecretValues } from '../../cli/log.js';
import { ARM_SCOPE, clearToken, loadToken, saveToken, type Profile } from '../../cli/profile.js';

function parse(words: string[]) {
  const resolved = resolveCommand(words);
  if (resolved.kind !== 'command') throw new Error('not a command');
  const parsed = parseCommandArgs(resolved.command, resolved.rest, `azemu ${resolved.command.path.join(' ')}`);
  checkRequired(resolved.command, parsed.values);
  return parsed.values;
}

describe('cli: Key Vault challenge, redaction and the token cache', () => {
  it("parses Key Vault's challenge (and the authorization_uri/scope spellings)", () => {
    expect(parseChallenge('Bearer authorization="https://localhost:8443/t1", resource="https://vault.azure.net"')).to.deep.equal({ authorization: 'https://localhost:8443/t1', resource: 'https://vault.azure.net' });
    expect(parseChallenge('Bearer authorization_uri="https://login/t2", scope="https://vault.azure.net/.default"')).to.deep.equal({ authorization: 'https://login/t2', resource: 'https://vault.azure.net' });
    expect(parseChallenge('Basic realm="x"')).to.equal(null);
    expect(parseChallenge('Bearer error="invalid_token"')).to.equal(null);
  });

  it('knows a vault secrets URL in the emulator form and in Azure form, and nothing else', () => {
    expect(isVaultSecretUrl('https://localhost:8443/vaults/kv1/secrets/s1?api-version=7.4')).to.equal(true);
    expect(isVaultSecretUrl('https://localhost:8443/vaults/kv1/secrets?api-version=7.4')).to.equal(true);
    expect(isVaultSecretUrl('https://localhost:8443/vaults/kv1/deletedsecrets/s1')).to.equal(true);
    expect(isVaultSecretUrl('https://kv1.vault.azure.net/secrets/s1/abc')).to.equal(true);
    expect(isVaultSecretUrl('https://localhost:8443/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/kv1')).to.equal(false);
    expect(isVaultSecretUrl('not a url')).to.equal(false);
  });

  it('redacts every string `value` of a secret body, walks list values, and leaves ARM bodies alone', () => {
    const bundle = JSON.stringify({ value: 's3cr3t', id: 'https://kv/secrets/a/1', attributes: { enabled: true } });
    expect(redactSecretValues(bundle)).to.equal('{"value":"*****","id":"https://kv/secrets/a/1","attributes":{"enabled":true}}');
    expect(redactSecretValues(JSON.stringify({ value: [{ id: 'x' }], nextLink: null }))).to.equal('{"value":[{"id":"x"}],"nextLink":null}');
    expect(redactSecretValues('not json s3cr3t')).to.equal('*****');
    expect(redactSecretValues('')).to.equal('');
    // the generic redaction keeps caCertificate.value, which is public
    expect(redactBody(JSON.stringify({ caCertificate: { value: 'PEM' } }))).to.include('"value":"PEM"');
  });

  it('keeps one token per scope, reads the older one-token cache as the ARM token, and clears one scope', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'azemu-cache-'));
    const saved = process.env.AZEMU_CONFIG_DIR;
    process.env.AZEMU_CONFIG_DIR = dir;
    try {
      const profile = { endpoint: 'https://localhost:1/', clientId: 'c', tenantId: 't' } as Profile;
      const token = (accessToken: string, tenantId = 't') => ({ accessToken, expiresOn: Date.now() + 3_600_000, endpoint: profile.endpoint, clientId: 'c', tenantId });
      writeFileSync(path.join(dir, 'token-cache.json'), JSON.stringify(token('legacy')));
      expect(loadToken(profile)?.accessToken).to.equal('legacy');
      saveToken(token('vault'), 'https://vault.azure.net/.default');
      expect(loadToken(profile)?.accessToken).to.equal('legacy');
      expect(loadToken(profile, 'https://vault.azure.net/.default')?.accessToken).to.equal('vault');
      expect(loadToken(profile, 'https://vault.azure.net/.default', 'other-tenant')).to.equal(null);
      expect(Object.keys(JSON.parse(readFileSync(path.join(dir, 'token-cache.json'), 'utf8')).tokens)).to.have.members([ARM_SCOPE, 'https://vault.azure.net/.default']);
      clearToken(ARM_SCOPE);
      expect(loadToken(profile)).to.equal(null);
      expect(loadToken(profile, 'https://vault.azure.net/.default')?.accessToken).to.equal('vault');
      clearToken();
      expect(loadToken(profile, 'https://vault.azure.net/.default')).to.equal(null);
    } finally {
      if (saved === undefined) delete process.env.AZEMU_CONFIG_DIR;
      else process.env.AZEMU_CONFIG_DIR = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('cli: the identity, keyvault, role and emulator site commands', () => {
  it('are in the table', () => {
    const names = COMMANDS.map((c) => c.path.join(' '));
    expect(names).to.include.members([
      'identity create', 'identity show', 'identity list', 'identity delete',
      'keyvault create', 'keyvault show', 'keyvault list', 'keyvault delete', 'keyvault secret show', 'keyvault secret list-versions',
      'role assignment create', 'role assignment list', 'role assignment delete', 'role definition list',
      'networkcloud cluster rotate-credential',
      'emulator site list', 'emulator site show', 'emulator site issuers', 'emulator site certificates', 'emulator site trust-bundle',
      'emulator site certificate show', 'emulator site revoke', 'emulator pki root',
    ]);
  });

  it("parses az's argument names", () => {
    expect(parse(['keyvault', 'create', '-g', 'rg', '-n', 'kv', '--enable-rbac-authorization', 'true'])).to.include({ resourceGroup: 'rg', name: 'kv', enableRbacAuthorization: true, retentionDays: '90' });
    expect(parse(['keyvault', 'secret', 'show', '--vault-name', 'kv', '-n', 's', '-v', 'v1'])).to.include({ vaultName: 'kv', name: 's', version: 'v1' });
    expect(parse(['role', 'assignment', 'create', '--assignee-object-id', 'o', '--assignee-principal-type', 'serviceprincipal', '--role', 'Reader', '--scope', '/x'])).to.include({ assigneePrincipalType: 'ServicePrincipal', role: 'Reader', scope: '/x' });
    expect(parse(['networkcloud', 'cluster', 'rotate-credential', '-g', 'rg', '-n', 'c', '--credentials', 'BMC Credential', 'Console Credential']).credentials).to.deep.equal(['BMC Credential', 'Console Credential']);
    expect(parse(['networkcloud', 'cluster', 'rotate-credential', '-g', 'rg', '-n', 'c', '--credentials', '[bmc-credential,console-credential]']).credentials).to.deep.equal(['bmc-credential', 'console-credential']);
    expect(parse(['emulator', 'site', 'revoke', '--cluster-id', '/x', '--by', 'serialnumber', '--value', 'ab'])).to.include({ by: 'serialNumber', value: 'ab' });
    expect(parse(['identity', 'show', '--ids', '/subscriptions/s/resourceGroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/u']).ids).to.have.length(1);
  });

  it('refuses missing required arguments (exit 2)', () => {
    for (const words of [
      ['role', 'assignment', 'create', '--assignee', 'x'],
      ['emulator', 'site', 'revoke', '--cluster-id', '/x', '--by', 'group'],
      ['networkcloud', 'cluster', 'rotate-credential', '-g', 'rg', '-n', 'c'],
      ['identity', 'create', '-n', 'u'],
      ['emulator', 'pki', 'root'],
    ]) {
      expect(() => parse(words), words.join(' ')).to.throw(UsageError);
    }
  });
});
