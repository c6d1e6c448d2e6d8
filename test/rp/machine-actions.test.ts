/**
 * Bare metal machine actions, black-box over HTTPS: run* commands whose result archive downloads
 * (and is opened with the real tar), refused commands, RBAC of restricted extracts, reimage and
 * replace through their states on the virtual clock, and a replaced BMC password archived.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { authorizationFailedMessage, newPrincipal, grant } from '../authorization/principals.js';
import {
  advance, assignRole, createDeployedCluster, createIdentity, createManager, createVault, ensureGroup, ncId, ROLE, secretClient, startWorld, statusOf, vaultId, type World,
} from '../vault/world.js';

const V = '2025-09-01';

function download(w: World, url: string): Promise<{ status: number; body: Buffer; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    https.get(url.replace('//localhost:', '//127.0.0.1:'), { agent: w.agent, servername: 'localhost' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }));
    }).on('error', reject);
  });
}

/** Lists and extracts a .tar.gz with the system's tar; returns file name -> content. */
function untar(archive: Buffer): Record<string, string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nce-tar-'));
  try {
    writeFileSync(path.join(dir, 'r.tar.gz'), archive);
    const names = execFileSync('tar', ['-tzf', 'r.tar.gz'], { cwd: dir, encoding: 'utf8' }).trim().split('\n');
    execFileSync('tar', ['-xmzf', 'r.tar.gz'], { cwd: dir }); // -m: the virtual clock may run ahead of this host's
    return Object.fromEntries(names.map((n) => [n, readFileSync(path.join(dir, n), 'utf8')]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('bare metal machine actions', function () {
  this.timeout(60_000);
  let w: World;
  let cluster: any;
  let mrg: string;
  const bmm = (name: string) => ncId(w, mrg, 'bareMetalMachines', name);
  const get = async (name: string, api = V) => (await w.client.get(`${bmm(name)}?api-version=${api}`)).body;
  const act = async (name: string, action: string, body: unknown, api = V) => {
    const r = await w.client.post(`${bmm(name)}/${action}?api-version=${api}`, body);
    expect(r.status, r.text).to.equal(202);
    const done = await w.client.poll(r);
    expect(done.status, done.text).to.equal(200);
    return done.body;
  };

  before(async () => {
    w = await startWorld();
    await ensureGroup(w, 'ma-rg');
    const manager = await createManager(w, 'ma-rg', 'ma-cm');
    await createVault(w, 'ma-rg', 'ma-kv');
    await assignRole(w, vaultId(w, 'ma-rg', 'ma-kv'), ROLE.secretsOfficer, w.emu.demoPrincipalObjectId);
    const uai = await createIdentity(w, 'ma-rg', 'ma-uai');
    await assignRole(w, vaultId(w, 'ma-rg', 'ma-kv'), ROLE.nexusWriter, uai.principalId);
    cluster = await createDeployedCluster(w, 'ma-rg', 'ma-cluster', manager, {
      machines: 8,
      appliances: 1,
      identity: { type: 'UserAssigned', userAssignedIdentities: { [uai.id]: {} } },
      properties: { secretArchiveSettings: { vaultUri: 'https://ma-kv.vault.azure.net/', associatedIdentity: { identityType: 'UserAssignedIdentity', userAssignedIdentityResourceId: uai.id } } },
    });
    mrg = cluster.properties.managedResourceGroupConfiguration.name;
  });
  after(() => w.stop());

  it('runReadCommands: exitCode, outputHead and a resultUrl whose archive holds a file per command', async () => {
    const m = await get('r01c006');
    const result = await act('r01c006', 'runReadCommands', {
      commands: [{ command: 'hostname' }, { command: 'ip', arguments: ['address', 'show'] }, { command: 'kubectl get', arguments: ['nodes'] }],
      limitTimeSeconds: 60,
    });
    expect(result.status).to.equal('Succeeded');
    const { exitCode, outputHead, resultUrl, resultRef } = result.properties;
    expect(exitCode).to.equal('0');
    expect(outputHead).to.match(/^====Action Command Output====\n\$ hostname\nr01c006\n/);
    expect(outputHead).to.contain(`inet ${m.properties.oamIpv4Address}/24`);
    expect(outputHead).to.contain(resultUrl);
    expect(resultUrl).to.match(new RegExp(`^${w.client.endpoint}commandoutput/bmm-run-command-output/${result.name}-action-bmmreadcmd\\.tar\\.gz\\?st=.+&se=.+&sig=[A-Za-z0-9_-]{43}$`));
    expect(resultRef).to.equal(resultUrl.split('?')[0]);
    const got = await download(w, resultUrl);
    expect(got.status).to.equal(200);
    expect(got.headers['content-type']).to.equal('application/gzip');
    const files = untar(got.body);
    expect(Object.keys(files)).to.deep.equal(['output.log', 'commands/01-hostname.txt', 'commands/02-ip-address-show.txt', 'commands/03-kubectl-get.txt']);
    expect(files['commands/01-hostname.txt']).to.equal('r01c006\n');
    expect(files['commands/02-ip-address-show.txt']).to.contain(`link/ether ${m.properties.bootMacAddress}`);
    expect(files['commands/03-kubectl-get.txt'].trim().split('\n')).to.have.length(9); // a header and the 8 nodes
    expect(files['output.log']).to.equal(outputHead.split('\n\n================================')[0] + '\n');
    const machine = await get('r01c006');
    expect(machine.properties.actionStates[0]).to.include({ actionType: 'Microsoft.NetworkCloud/bareMetalMachines/runReadCommands/action', correlationId: result.name, status: 'Completed' });
  });

  it('serves a result only with its token and until it expires on the virtual clock', async () => {
    const result = await act('r01c006', 'runReadCommands', { commands: [{ command: 'uptime' }], limitTimeSeconds: 60 });
    const url: string = result.properties.resultUrl;
    const forged = await download(w, url.replace(/sig=[^&]+/, 'sig=' + 'A'.repeat(43)));
    expect(forged.status).to.equal(403);
    expect(forged.body.toString()).to.contain('<Code>AuthenticationFailed</Code>');
    const noSig = await download(w, url.split('?')[0]);
    expect(noSig.status).to.equal(403);
    await advance(w, '3h');
    expect((await download(w, url)).status).to.equal(200);
    await advance(w, '61m');
    const expired = await download(w, url);
    expect(expired.status).to.equal(403);
    expect(w.emu.store.entries('commandOutputs').some(([k]) => url.toLowerCase().includes(k))).to.equal(false);
  });

  it('refuses commands the platform does not allow, as 400 with the command as target', async () => {
    const r = await w.client.post(`${bmm('r01c006')}/runReadCommands?api-version=${V}`, { commands: [{ command: 'hostname' }, { command: 'rm', arguments: ['-rf', '/'] }], limitTimeSeconds: 60 });
    expect(r.status, r.text).to.equal(400);
    expect(r.body.error).to.include({ code: 'UnsupportedCommand', target: 'commands[1].command' });
    expect(r.body.error.message).to.contain('kubectl get');
    const extract = await w.client.post(`${bmm('r01c006')}/runDataExtracts?api-version=${V}`, { commands: [{ command: 'cluster-cve-report' }], limitTimeSeconds: 600 });
    expect(extract.status).to.equal(400);
    expect(extract.body.error.message).to.contain('use runDataExtractsRestricted');
    // Before the restricted action existed, the same extract ran through runDataExtracts.
    expect((await w.client.post(`${bmm('r01c006')}/runDataExtracts?api-version=2025-02-01`, { commands: [{ command: 'cluster-cve-report' }], limitTimeSeconds: 600 })).status).to.equal(202);
    const badArgs = await w.client.post(`${bmm('r01c006')}/runDataExtracts?api-version=${V}`, { commands: [{ command: 'hardware-support-data-collection', arguments: ['Everything'] }], limitTimeSeconds: 600 });
    expect([badArgs.status, badArgs.body.error.code]).to.deep.equal([400, 'InvalidCommandArguments']);
    const script = await w.client.post(`${bmm('r01c006')}/runCommand?api-version=${V}`, { script: 'not base64!', limitTimeSeconds: 60 });
    expect([script.status, script.body.error.target]).to.deep.equal([400, 'script']);
  });

  it('runDataExtracts and runDataExtractsRestricted put one file per extract in the archive', async () => {
    const r = await act('r01c007', 'runDataExtracts', { commands: [{ command: 'hardware-rollup-status' }, { command: 'hardware-support-data-collection', arguments: ['SysInfo', 'TTYLog'] }], limitTimeSeconds: 600 });
    expect(r.properties.outputHead).to.contain('Getting following hardware support logs: SysInfo,TTYLog');
    const files = untar((await download(w, r.properties.resultUrl)).body);
    expect(JSON.parse(files['extracts/rollupStatus.json']).Members.map((m: any) => m.RollupStatus)).to.include('Ok');
    expect(Object.keys(files).some((f) => /^extracts\/hardware-support-data-.*\.txt$/.test(f))).to.equal(true);
    const restricted = await act('r01c007', 'runDataExtractsRestricted', { commands: [{ command: 'cluster-cve-report', arguments: ['--min-severity=8'] }], limitTimeSeconds: 600 });
    expect(restricted.properties.resultUrl).to.contain('-action-bmmdataextrestrictedcmd.tar.gz?');
    expect(JSON.parse(untar((await download(w, restricted.properties.resultUrl)).body)['extracts/cluster-cve-report.json']).vulnerabilities).to.deep.equal([]);
  });

  it('runCommand: the exit code and output follow the script', async () => {
    const script = Buffer.from('#!/bin/bash\necho "checking $1"\necho done\nexit 3\necho never\n').toString('base64');
    const r = await act('r01c007', 'runCommand', { script, arguments: ['disks'], limitTimeSeconds: 60 });
    expect(r.properties.exitCode).to.equal('3');
    expect(r.properties.outputHead).to.match(/^====Action Command Output====\nchecking disks\ndone\n/);
    const files = untar((await download(w, r.properties.resultUrl)).body);
    expect(files['script.sh']).to.contain('exit 3');
    expect(files['output.log']).to.not.contain('never');
  });

  it('restricted extracts need their own action in RBAC', async () => {
    const p = await newPrincipal(w.client);
    const role = await w.client.put(`/subscriptions/${w.sub}/providers/Microsoft.Authorization/roleDefinitions/6c1d8d4e-5f5e-4f8e-9d0b-3f4c3f0a1b2c?api-version=2022-04-01`, {
      properties: {
        roleName: 'Nexus extract reader', type: 'CustomRole', assignableScopes: [`/subscriptions/${w.sub}`],
        permissions: [{ actions: ['Microsoft.NetworkCloud/bareMetalMachines/read', 'Microsoft.NetworkCloud/bareMetalMachines/runDataExtracts/action'], notActions: [] }],
      },
    });
    expect(role.status, role.text).to.equal(201);
    expect((await grant(w.client, p.objectId, '6c1d8d4e-5f5e-4f8e-9d0b-3f4c3f0a1b2c', `/subscriptions/${w.sub}/resourceGroups/${mrg}`)).status).to.equal(201);
    const body = { commands: [{ command: 'mde-agent-information' }], limitTimeSeconds: 600 };
    const refused = await w.client.post(`${bmm('r01c007')}/runDataExtractsRestricted?api-version=${V}`, body, { token: p.token });
    expect(refused.status).to.equal(403);
    expect(refused.body.error.message).to.equal(authorizationFailedMessage(p, 'Microsoft.NetworkCloud/bareMetalMachines/runDataExtractsRestricted/action', bmm('r01c007')));
    const allowed = await w.client.post(`${bmm('r01c007')}/runDataExtracts?api-version=${V}`, { commands: [{ command: 'platform-services-status' }], limitTimeSeconds: 600 }, { token: p.token });
    expect(allowed.status, allowed.text).to.equal(202);
  });

  it('run* needs the machine powered on', async () => {
    await act('r01c008', 'powerOff', {});
    const r = await w.client.post(`${bmm('r01c008')}/runReadCommands?api-version=${V}`, { commands: [{ command: 'hostname' }], limitTimeSeconds: 60 });
    expect([r.status, r.body.error.code]).to.deep.equal([409, 'InvalidMachineState']);
    await act('r01c008', 'start', {});
  });

  it('reimage takes the machine through its states on the virtual clock', async () => {
    const r = await act('r01c006', 'reimage', {}, '2026-07-01');
    expect(r.status).to.equal('Succeeded');
    let m = await get('r01c006');
    expect(m.properties).to.include({ detailedStatus: 'Deprovisioning', readyState: 'False', provisioningState: 'Provisioning', powerState: 'On' });
    expect(m.properties.actionStates[0]).to.include({ actionType: 'Microsoft.NetworkCloud/bareMetalMachines/reimage/action', status: 'InProgress', correlationId: r.name });
    expect(m.properties.actionStates[0].stepStates.map((s: any) => [s.stepName, s.status])).to.deep.equal([['Deprovision', 'InProgress'], ['Reimage', 'NotStarted']]);
    const again = await w.client.post(`${bmm('r01c006')}/reimage?api-version=${V}`, {});
    expect(again.status).to.equal(409);
    await advance(w, '10m');
    m = await get('r01c006');
    expect(m.properties).to.include({ detailedStatus: 'Provisioning', readyState: 'False' });
    await advance(w, '20m');
    m = await get('r01c006');
    expect(m.properties).to.include({ detailedStatus: 'Provisioned', readyState: 'True', provisioningState: 'Succeeded', osImage: `nexus-os-${cluster.properties.clusterVersion}` });
    expect(m.properties.actionStates[0].status).to.equal('Completed');
    expect(m.properties.actionStates[0].stepStates.every((s: any) => s.status === 'Completed' && s.endTime)).to.equal(true);
  });

  it('safeguardMode All refuses to take a second control-plane machine; None allows it', async () => {
    await act('r01c003', 'reimage', {}, '2026-07-01');
    const refused = await w.client.post(`${bmm('r01c004')}/reimage?api-version=2026-07-01`, { safeguardMode: 'All' });
    expect([refused.status, refused.body.error.code]).to.deep.equal([409, 'SafeguardViolation']);
    expect(refused.body.error.message).to.contain("'r01c003'");
    const forced = await w.client.post(`${bmm('r01c004')}/reimage?api-version=2026-07-01`, { safeguardMode: 'None' });
    expect(forced.status, forced.text).to.equal(202);
    await w.client.poll(forced);
    await advance(w, '30m');
    expect((await get('r01c004')).properties.detailedStatus).to.equal('Provisioned');
  });

  it('replace records the new hardware and archives the new BMC password without ever showing it', async () => {
    const before = await get('r01c005');
    const body = { bmcCredentials: { username: 'root', password: 'n3w-BMC-passw0rd!' }, bmcMacAddress: '02:aa:bb:cc:dd:01', bootMacAddress: '02:aa:bb:cc:dd:02', serialNumber: 'NEWSERIAL01', machineName: 'r01c005' };
    const r = await w.client.post(`${bmm('r01c005')}/replace?api-version=${V}`, body);
    expect(r.status, r.text).to.equal(202);
    const done = await w.client.poll(r);
    expect(done.body.properties.outputHead).to.contain('archived to https://ma-kv.vault.azure.net/');
    expect(done.text).to.not.contain('n3w-BMC-passw0rd!');
    let m = await get('r01c005');
    expect(m.properties).to.include({ bmcMacAddress: '02:aa:bb:cc:dd:01', bootMacAddress: '02:aa:bb:cc:dd:02', serialNumber: 'NEWSERIAL01', detailedStatus: 'Deprovisioning' });
    expect(m.properties.bmcCredentials).to.deep.equal({ username: 'root' });
    const ref = statusOf(m, 'Bare Metal Machine BMC').secretArchiveReference;
    expect(ref.secretVersion).to.not.equal(statusOf(before, 'Bare Metal Machine BMC').secretArchiveReference.secretVersion);
    const secret = await secretClient(w, 'ma-kv').getSecret(ref.secretName, { version: ref.secretVersion });
    expect(secret.value).to.equal('n3w-BMC-passw0rd!');
    await advance(w, '10m');
    expect((await get('r01c005')).properties.detailedStatus).to.equal('Preparing');
    await advance(w, '35m');
    m = await get('r01c005');
    expect(m.properties).to.include({ detailedStatus: 'Provisioned', readyState: 'True', provisioningState: 'Succeeded' });
    expect(m.properties.hardwareValidationStatus.result).to.equal('Pass');
    expect(m.properties.actionStates[0].stepStates.map((s: any) => s.stepName)).to.deep.equal(['Deprovision', 'ValidateHardware', 'Provision']);
    for (const line of w.logs) expect(line).to.not.contain('n3w-BMC-passw0rd!');
  });
});
