/**
 * azemu's Key Vault soft-delete commands as a subprocess against a real emulator: delete (soft, with
 * az's warning), list-deleted, show-deleted (with and without --location), recover (secrets back),
 * purge (name free again), and purge refused under purge protection.
 */
import { expect } from 'chai';
import { azemu, directRequest, newConfigDir, removeTempDirs, startEmulator, type RunningEmulator } from '../cli/helpers.js';

describe('providers: azemu keyvault delete, recover, purge, list-deleted and show-deleted', function () {
  this.timeout(120_000);
  let emu: RunningEmulator;
  let config: string;
  const rg = 'nexus-demo-rg';
  const name = `kv-soft-${Math.random().toString(36).slice(2, 8)}`;

  const run = (...args: string[]) => azemu(args, { configDir: config });
  const json = async (...args: string[]) => {
    const r = await run(...args);
    expect(r.code, `${args.join(' ')}\n${r.stderr}`).to.equal(0);
    return JSON.parse(r.stdout);
  };

  before(async () => {
    emu = await startEmulator();
    config = newConfigDir();
    expect((await run('login', '--emulator', emu.dataDir, '-o', 'none')).code).to.equal(0);
  });
  after(async () => {
    await emu?.stop();
    removeTempDirs();
  });

  it('soft-deletes, lists and shows the deleted vault in az\'s DeletedVault shape', async () => {
    const vault = await json('keyvault', 'create', '-g', rg, '-n', name, '-l', 'eastus', '--retention-days', '7');
    await json('role', 'assignment', 'create', '--assignee', emu.info.clientId, '--role', 'Key Vault Secrets Officer', '--scope', vault.id);
    const set = await directRequest(emu.info, 'PUT', `/vaults/${name}/secrets/kept?api-version=7.5`, { scope: 'https://vault.azure.net/.default', body: { value: 'back-again' } });
    expect(set.status).to.equal(200);

    const del = await run('keyvault', 'delete', '-n', name);
    expect(del).to.deep.include({ code: 0, stdout: '' });
    expect(del.stderr).to.contain('soft deleted state');
    expect((await run('keyvault', 'show', '-n', name)).code).to.equal(3);

    const listed = await json('keyvault', 'list-deleted');
    const mine = listed.find((d: any) => d.name === name);
    expect(Object.keys(mine)).to.deep.equal(['id', 'name', 'properties', 'type']);
    expect(Object.keys(mine.properties)).to.deep.equal(['deletionDate', 'location', 'purgeProtectionEnabled', 'scheduledPurgeDate', 'tags', 'vaultId']);
    expect(mine).to.deep.include({ id: `/subscriptions/${emu.info.subscriptionId}/providers/Microsoft.KeyVault/locations/eastus/deletedVaults/${name}`, type: 'Microsoft.KeyVault/deletedVaults' });
    expect(mine.properties.vaultId).to.equal(vault.id);
    expect(Date.parse(mine.properties.scheduledPurgeDate) - Date.parse(mine.properties.deletionDate)).to.equal(7 * 86_400_000);
    // Dates as az prints the SDK's datetimes.
    expect(mine.properties.deletionDate).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/);
    expect(await json('keyvault', 'show-deleted', '-n', name)).to.deep.equal(mine);
    expect(await json('keyvault', 'show-deleted', '-n', name, '-l', 'eastus')).to.deep.equal(mine);
    const table = await run('keyvault', 'list-deleted', '-o', 'table');
    expect(table.code).to.equal(0);
    expect(table.stdout).to.contain(name);
    // The name stays taken.
    const again = await run('keyvault', 'create', '-g', rg, '-n', name);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.contain('ConflictError');
  });

  it('recovers the vault where it was, with its secrets', async () => {
    const recovered = await json('keyvault', 'recover', '-n', name);
    expect(recovered.name).to.equal(name);
    expect(recovered.properties.vaultUri).to.equal(`https://${name}.vault.azure.net/`);
    expect(recovered.id).to.contain(`/resourceGroups/${rg}/`);
    const secret = await directRequest(emu.info, 'GET', `/vaults/${name}/secrets/kept?api-version=7.5`, { scope: 'https://vault.azure.net/.default' });
    expect(secret.status).to.equal(200);
    expect(secret.body.value).to.equal('back-again');
    expect((await json('keyvault', 'list-deleted')).map((d: any) => d.name)).to.not.include(name);
    const missing = await run('keyvault', 'show-deleted', '-n', name);
    expect(missing.code).to.equal(3);
  });

  it('purges: the name is free again; purge protection refuses', async () => {
    expect((await run('keyvault', 'delete', '-n', name)).code).to.equal(0);
    const purged = await run('keyvault', 'purge', '-n', name);
    expect(purged).to.deep.include({ code: 0, stdout: '' });
    expect((await json('keyvault', 'list-deleted')).map((d: any) => d.name)).to.not.include(name);
    await json('keyvault', 'create', '-g', rg, '-n', name, '--enable-purge-protection', 'true');
    expect((await run('keyvault', 'delete', '-n', name)).code).to.equal(0);
    const refused = await run('keyvault', 'purge', '-n', name, '-l', 'eastus');
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.contain("Operation 'DeletedVaultPurge' is not allowed.");
    expect((await json('keyvault', 'show-deleted', '-n', name)).properties.purgeProtectionEnabled).to.equal(true);
  });
});
