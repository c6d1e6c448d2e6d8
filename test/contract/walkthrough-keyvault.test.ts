/**
 * README's Key Vault walkthrough ("The seed's walkthrough ... all in azemu"), run as written: the
 * block is read from README.md and run by bash in a folder whose ./.nce is the data folder of an
 * emulator started with its defaults (1 s operations, the demo), with `azemu` on PATH and a fresh
 * azemu profile after `azemu login`. No faster operations, no extra steps: `set -euo pipefail`
 * only makes a failing command fail the run.
 *
 * Plus the regression it exposed (issue 14): `cluster identity assign` answers 200 with
 * Azure-AsyncOperation, and azemu must follow that operation before returning, so the very next
 * write is accepted instead of 409 AnotherOperationInProgress.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, spawnEmulator, type Spawned } from '../helpers/emulator.js';
import { requireCommands } from '../helpers/prereq.js';

const CLI = path.join(ROOT, 'dist/cli/main.js');

/** The ```sh block that follows `marker` in README.md. */
function readmeBlock(marker: string): string {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf(marker);
  if (at < 0) throw new Error(`README.md has no "${marker}"`);
  const m = /```sh\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!m) throw new Error(`no sh block after "${marker}" in README.md`);
  return m[1];
}

function bash(script: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('README: the Key Vault walkthrough with azemu, as written, at the default operation duration', function () {
  this.timeout(240_000);
  let home: string;
  let emu: Spawned | undefined;
  let env: NodeJS.ProcessEnv;

  before(async function () {
    requireCommands(this, ['bash', 'jq'], 'apt-get install jq');
    home = mkdtempSync(path.join(os.tmpdir(), 'nce-walk-'));
    const bin = path.join(home, 'bin');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'azemu'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
    chmodSync(path.join(bin, 'azemu'), 0o755);
    // No --operation-duration: the default (1 s), as `npm start` runs it.
    emu = await spawnEmulator([], path.join(home, '.nce'));
    const { AZEMU_POLL_INTERVAL_MS: _fast, ...rest } = process.env;
    env = { ...rest, PATH: `${bin}:${process.env.PATH}`, AZEMU_CONFIG_DIR: path.join(home, 'azemu'), HOME: home };
    const login = await bash('azemu login -o none', home, env, 60_000);
    expect(login.code, login.stderr).to.equal(0);
  });
  after(async () => {
    await emu?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('runs every command of the block and ends with the rotated secret and a new version', async () => {
    const block = readmeBlock("The seed's walkthrough");
    expect(block).to.include('azemu networkcloud cluster identity assign');
    const r = await bash(`set -euo pipefail\n${block}`, home, env, 200_000);
    expect(r.code, `the walkthrough failed:\n${r.stderr}\n${r.stdout}`).to.equal(0);
    // list-versions as a table, the secret value (32 characters) from `secret show --query value -o tsv`,
    // and rotate-credential's final operation status
    expect(r.stdout).to.match(/^Name\s+Id\s+ContentType\s+Enabled\s+Expires/m);
    const lines = r.stdout.split('\n');
    expect(lines.some((l) => /^\S{32}$/.test(l)), r.stdout).to.equal(true);
    expect(r.stdout).to.match(/"status": "Succeeded"/);
    expect(r.stderr).to.not.match(/AnotherOperationInProgress|ERROR/);
  });

  it('cluster identity assign returns only when the cluster is done updating, so the next write is accepted (1 s operations)', async () => {
    const info = emu!.client.info;
    const clusterId = info.demo!.clusterId;
    const created = await bash('azemu identity create -g nexus-demo-rg -n regress-uai --query id -o tsv', home, env, 60_000);
    expect(created.code, created.stderr).to.equal(0);
    const uai = created.stdout.trim();
    const assign = await bash(`azemu networkcloud cluster identity assign --ids ${clusterId} --mi-user-assigned ${uai} -o json`, home, env, 60_000);
    expect(assign.code, assign.stderr).to.equal(0);
    expect(Object.keys(JSON.parse(assign.stdout).userAssignedIdentities)).to.include(uai);
    // At once after azemu returned: the operation it followed has finished.
    const now = await emu!.client.get(`${clusterId}?api-version=2025-09-01`);
    expect(now.body.properties.provisioningState).to.equal('Succeeded');
    expect(Object.keys(now.body.identity.userAssignedIdentities)).to.include(uai);
    const next = await bash(`azemu networkcloud cluster update --ids ${clusterId} --tags walkthrough=regression -o json`, home, env, 60_000);
    expect(next.code, next.stderr).to.equal(0);
    expect(next.stderr).to.not.include('AnotherOperationInProgress');
    expect(JSON.parse(next.stdout).tags).to.deep.equal({ walkthrough: 'regression' });
  });
});
