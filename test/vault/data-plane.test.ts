/**
 * The Key Vault secrets data plane, driven by the real @azure/keyvault-secrets SecretClient (with a
 * real @azure/identity ClientSecretCredential) and by raw HTTPS for what the SDK hides: the 401
 * challenge, Key Vault's error shapes, RBAC by role and access policies.
 */
import { expect } from 'chai';
import type { RestError } from '@azure/core-rest-pipeline';
import {
  assignRole, createVault, ensureGroup, newServicePrincipal, removeAssignment, ROLE, secretClient, startWorld, vaultId, vaultToken, type World,
} from './world.js';

const RG = 'kv-rg';

/** A vault-audience token for a service principal, straight from the emulator's token endpoint. */
async function readerToken(w: World, appId: string, secret: string, scope = 'https://vault.azure.net/.default'): Promise<string> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: appId, client_secret: secret, scope });
  const r = await w.client.send('POST', `/${w.emu.tenantId}/oauth2/v2.0/token`, undefined, { token: false, raw: form.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  return r.body.access_token;
}

async function failure(p: Promise<unknown>): Promise<RestError> {
  try {
    await p;
  } catch (e) {
    return e as RestError;
  }
  throw new Error('expected the call to fail');
}

describe('vault: Key Vault secrets data plane', function () {
  let w: World;
  let officerAssignment: string;

  before(async () => {
    w = await startWorld();
    await ensureGroup(w, RG);
    await createVault(w, RG, 'kv-data');
    officerAssignment = await assignRole(w, vaultId(w, RG, 'kv-data'), ROLE.secretsOfficer, w.emu.demoPrincipalObjectId);
  });
  after(() => w.stop());

  it('sets, gets (latest and by version), lists, lists versions, updates and deletes with the real SecretClient', async () => {
    const secrets = secretClient(w, 'kv-data');
    const first = await secrets.setSecret('db-password', 'first-value', { contentType: 'text/plain', tags: { env: 'test' } });
    expect(first.value).to.equal('first-value');
    expect(first.properties.id).to.match(/^https:\/\/kv-data\.vault\.azure\.net\/secrets\/db-password\/[0-9a-f]{32}$/);
    expect(first.properties.vaultUrl).to.equal('https://kv-data.vault.azure.net');
    expect(first.properties.enabled).to.equal(true);
    expect(first.properties.recoveryLevel).to.equal('Recoverable+Purgeable');
    expect(first.properties.tags).to.deep.equal({ env: 'test' });
    const second = await secrets.setSecret('db-password', 'second-value');
    expect(second.properties.version).to.not.equal(first.properties.version);

    expect((await secrets.getSecret('db-password')).value).to.equal('second-value');
    expect((await secrets.getSecret('db-password', { version: first.properties.version })).value).to.equal('first-value');

    const versions: string[] = [];
    for await (const p of secrets.listPropertiesOfSecretVersions('db-password')) versions.push(p.version!);
    expect(versions).to.have.members([first.properties.version, second.properties.version]);

    await secrets.setSecret('api-key', 'k');
    const names: string[] = [];
    for await (const p of secrets.listPropertiesOfSecrets()) names.push(p.name);
    expect(names).to.include.members(['db-password', 'api-key']);

    const updated = await secrets.updateSecretProperties('db-password', first.properties.version!, { enabled: false });
    expect(updated.enabled).to.equal(false);
    const disabled = await failure(secrets.getSecret('db-password', { version: first.properties.version }));
    expect(disabled.statusCode).to.equal(403);
    expect(disabled.code).to.equal('Forbidden');

    const poller = await secrets.beginDeleteSecret('api-key');
    const deleted = await poller.pollUntilDone();
    expect(deleted.properties.recoveryId).to.equal('https://kv-data.vault.azure.net/deletedsecrets/api-key');
    expect((await failure(secrets.getSecret('api-key'))).statusCode).to.equal(404);
    const reuse = await failure(secrets.setSecret('api-key', 'again'));
    expect(reuse.statusCode).to.equal(409);
    const recovered = await (await secrets.beginRecoverDeletedSecret('api-key')).pollUntilDone();
    expect(recovered.name).to.equal('api-key');
    expect((await secrets.getSecret('api-key')).value).to.equal('k');
    await (await secrets.beginDeleteSecret('api-key')).pollUntilDone();
    await secrets.purgeDeletedSecret('api-key');
    expect((await failure(secrets.getDeletedSecret('api-key'))).statusCode).to.equal(404);
    expect((await secrets.setSecret('api-key', 'reborn')).value).to.equal('reborn');
  });

  it('pages lists with nextLinks that lead back to the emulator', async () => {
    const secrets = secretClient(w, 'kv-data');
    for (let i = 0; i < 5; i++) await secrets.setSecret('paged', `v${i}`);
    const token = await vaultToken(w);
    const first = await w.client.get(`/vaults/kv-data/secrets/paged/versions?api-version=7.5&maxresults=2`, { token });
    expect(first.status).to.equal(200);
    expect(first.body.value).to.have.length(2);
    expect(first.body.nextLink).to.match(new RegExp(`^${w.client.endpoint}vaults/kv-data/secrets/paged/versions\\?`));
    let count = 0;
    for await (const page of secrets.listPropertiesOfSecretVersions('paged').byPage({ maxPageSize: 2 })) count += page.length;
    expect(count).to.equal(5);
  });

  it('answers an unauthenticated request with the Key Vault challenge', async () => {
    const r = await w.client.get('/vaults/kv-data/secrets/db-password?api-version=7.5', { token: false });
    expect(r.status).to.equal(401);
    expect(r.headers['www-authenticate']).to.equal(`Bearer authorization="${w.client.endpoint}${w.emu.tenantId}", resource="https://vault.azure.net"`);
    expect(r.body.error.code).to.equal('Unauthorized');
  });

  it('refuses ARM tokens: the audience must be https://vault.azure.net', async () => {
    const arm = await w.client.token();
    const r = await w.client.get('/vaults/kv-data/secrets/db-password?api-version=7.5', { token: arm });
    expect(r.status).to.equal(401);
    expect(r.body.error.message).to.contain('AKV10022').and.contain('https://vault.azure.net');
    expect(r.headers['www-authenticate']).to.contain('resource="https://vault.azure.net"');
  });

  it('answers unknown vaults, bad api-versions and bad names with Key Vault errors', async () => {
    const token = await vaultToken(w);
    const missing = await w.client.get('/vaults/no-such-vault/secrets/x?api-version=7.5', { token });
    expect(missing.status).to.equal(404);
    expect(missing.body.error.code).to.equal('VaultNotFound');
    const version = await w.client.get('/vaults/kv-data/secrets/db-password?api-version=9.9', { token });
    expect(version.status).to.equal(400);
    expect(version.body.error.code).to.equal('BadParameter');
    const badName = await w.client.put('/vaults/kv-data/secrets/bad_name?api-version=7.5', { value: 'x' }, { token });
    expect(badName.status).to.equal(400);
    const notFound = await w.client.get('/vaults/kv-data/secrets/never-set?api-version=7.5', { token });
    expect(notFound.status).to.equal(404);
    expect(notFound.body.error.code).to.equal('SecretNotFound');
  });

  it('lets a reader of the vault see the vault in ARM but not read its secrets', async () => {
    const reader = await newServicePrincipal(w, 'vault-reader');
    await assignRole(w, `/subscriptions/${w.sub}/resourceGroups/${RG}`, ROLE.reader, reader.objectId);
    const arm = await w.client.get(`${vaultId(w, RG, 'kv-data')}?api-version=2023-07-01`, { token: await readerToken(w, reader.appId, reader.secret, 'https://management.azure.com/.default') });
    expect(arm.status).to.equal(200);
    expect(arm.body.properties.vaultUri).to.equal('https://kv-data.vault.azure.net/');
    const e = await failure(secretClient(w, 'kv-data', reader.credential).getSecret('db-password'));
    expect(e.statusCode).to.equal(403);
    expect(e.code).to.equal('Forbidden');
    // The SDK parsed Key Vault's {error: {code, message, innererror: {code}}}.
    const detail = (e as RestError & { details: any }).details.error;
    expect(detail.innerError.code).to.equal('ForbiddenByRbac');
    expect(detail.message).to.contain('Microsoft.KeyVault/vaults/secrets/getSecret/action').and.contain(reader.objectId);
    const raw = await w.client.get('/vaults/kv-data/secrets/db-password?api-version=7.5', { token: await readerToken(w, reader.appId, reader.secret) });
    expect(raw.status).to.equal(403);
    expect(raw.body.error.code).to.equal('Forbidden');
    expect(raw.body.error.innererror).to.deep.equal({ code: 'ForbiddenByRbac' });
    // Owner and Contributor have no data actions either.
    const owner = await newServicePrincipal(w, 'vault-owner');
    await assignRole(w, vaultId(w, RG, 'kv-data'), ROLE.owner, owner.objectId);
    expect((await failure(secretClient(w, 'kv-data', owner.credential).getSecret('db-password'))).statusCode).to.equal(403);
  });

  it('lets Secrets User read but not write, and the Nexus writer role write but not read', async () => {
    const user = await newServicePrincipal(w, 'secrets-user');
    await assignRole(w, vaultId(w, RG, 'kv-data'), ROLE.secretsUser, user.objectId);
    const asUser = secretClient(w, 'kv-data', user.credential);
    expect((await asUser.getSecret('db-password')).value).to.equal('second-value');
    expect((await failure(asUser.setSecret('db-password', 'nope'))).statusCode).to.equal(403);

    const writer = await newServicePrincipal(w, 'nexus-writer');
    await assignRole(w, vaultId(w, RG, 'kv-data'), ROLE.nexusWriter, writer.objectId);
    const asWriter = secretClient(w, 'kv-data', writer.credential);
    expect((await asWriter.setSecret('written', 'by-writer')).value).to.equal('by-writer');
    expect((await failure(asWriter.getSecret('written'))).statusCode).to.equal(403);
  });

  it('applies a revoked assignment at once', async () => {
    const secrets = secretClient(w, 'kv-data');
    await removeAssignment(w, officerAssignment);
    expect((await failure(secrets.getSecret('db-password'))).statusCode).to.equal(403);
    officerAssignment = await assignRole(w, vaultId(w, RG, 'kv-data'), ROLE.secretsOfficer, w.emu.demoPrincipalObjectId);
    expect((await secrets.getSecret('db-password')).value).to.equal('second-value');
  });

  it('uses access policies instead of roles when enableRbacAuthorization is false', async () => {
    const holder = await newServicePrincipal(w, 'policy-holder');
    await createVault(w, RG, 'kv-policies', {
      enableRbacAuthorization: false,
      accessPolicies: [{ tenantId: w.emu.tenantId, objectId: holder.objectId, permissions: { secrets: ['get', 'set'] } }],
    });
    const asHolder = secretClient(w, 'kv-policies', holder.credential);
    await asHolder.setSecret('s', 'v');
    expect((await asHolder.getSecret('s')).value).to.equal('v');
    const list = await failure((async () => {
      for await (const _ of asHolder.listPropertiesOfSecrets()) void _;
    })());
    expect(list.statusCode).to.equal(403);
    // A role assignment does not open a vault that uses access policies.
    const e = await failure(secretClient(w, 'kv-policies').getSecret('s'));
    expect(e.statusCode).to.equal(403);
    expect((e as RestError & { details: any }).details.error.innerError.code).to.equal('ForbiddenByPolicy');
  });

  it('logs only method, path and status: never a secret value', () => {
    const text = w.logs.join('\n');
    expect(text).to.contain('/vaults/kv-data/secrets/db-password');
    for (const value of ['first-value', 'second-value', 'by-writer', 'reborn']) expect(text).to.not.contain(value);
  });
});
