/**
 * `azemu login` proves the credentials it is given by getting a token with them before it saves
 * anything: a wrong secret fails the way az login fails (AADSTS7000215, exit code 1) even while a
 * valid token of the same client sits in the cache, and leaves the saved profile and the cache as
 * they were. azemu runs as a subprocess against an emulator in its own process.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { azemu, newConfigDir, removeTempDirs, startEmulator, type RunningEmulator } from '../cli/helpers.js';

describe('identity: azemu login verifies the credentials before saving them', function () {
  this.timeout(60_000);
  let emu: RunningEmulator;

  before(async () => {
    emu = await startEmulator();
  });
  after(async () => {
    await emu.stop();
    removeTempDirs();
  });

  it('a wrong secret fails with az\'s error and exit code even when a token is cached, and changes nothing saved', async () => {
    const dir = newConfigDir();
    const i = emu.info;
    // --password=VALUE: a generated secret may start with '-', which would read as an option.
    const login = (secret: string) => azemu(['login', '--endpoint', i.endpoint, '--ca-file', i.caCertFile, '-u', i.clientId, `--password=${secret}`, '--tenant', i.tenantId, '-o', 'none'], { configDir: dir });

    const ok = await login(i.clientSecret);
    expect(ok.code, ok.stderr).to.equal(0);
    // A command that leaves a cached ARM token behind.
    const show = await azemu(['group', 'list', '--query', 'length(@)', '-o', 'tsv'], { configDir: dir });
    expect(show.code, show.stderr).to.equal(0);
    const profileFile = path.join(dir, 'profile.json');
    const cacheFile = path.join(dir, 'token-cache.json');
    const savedProfile = readFileSync(profileFile, 'utf8');
    const savedCache = readFileSync(cacheFile, 'utf8');
    expect(JSON.parse(savedCache).tokens['https://management.azure.com/.default'].accessToken).to.be.a('string');

    const wrong = await login('not-the-secret');
    expect(wrong.code).to.equal(1);
    expect(wrong.stdout).to.equal('');
    expect(wrong.stderr).to.match(new RegExp(`^ERROR: AADSTS7000215: Invalid client secret provided\\. .*'${i.clientId}'`));
    expect(wrong.stderr).to.not.contain('not-the-secret');
    expect(readFileSync(profileFile, 'utf8')).to.equal(savedProfile);
    expect(readFileSync(cacheFile, 'utf8')).to.equal(savedCache);
    expect(JSON.parse(readFileSync(profileFile, 'utf8')).clientSecret).to.equal(i.clientSecret);

    // The first login still works.
    const after = await azemu(['account', 'show', '--query', 'id', '-o', 'tsv'], { configDir: dir });
    expect(after.stdout).to.equal(`${i.subscriptionId}\n`);
  });

  it('an unknown client fails the same way (AADSTS700016), with nothing saved', async () => {
    const dir = newConfigDir();
    const i = emu.info;
    const r = await azemu(['login', '--endpoint', i.endpoint, '--ca-file', i.caCertFile, '-u', '00000000-0000-0000-0000-000000000001', '-p', 'x', '--tenant', i.tenantId], { configDir: dir });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/^ERROR: AADSTS700016: /);
    const none = await azemu(['account', 'show'], { configDir: dir });
    expect(none.stderr).to.equal("ERROR: Please run 'azemu login' to setup account.\n");
  });
});
