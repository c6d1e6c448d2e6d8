/**
 * Operation faults: operations that end Failed or Canceled with the rule's error, operations held
 * InProgress until the virtual clock passes, and the real @azure/arm-resources client meeting a
 * 429 (it retries) and a failed operation (its poller reports it).
 */
import { ResourceManagementClient } from '@azure/arm-resources';
import { ClientSecretCredential } from '@azure/identity';
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { clusterManagerBody } from '../helpers/bodies.js';
import { ncPath, rgPath, startEmulator, type Running } from '../helpers/emulator.js';
import { addRule, captureLog, ruleById } from './helpers.js';

const V = '2025-09-01';
const CM = 'Microsoft.NetworkCloud/clusterManagers';

describe('faults: long-running operations', () => {
  let run: Running;
  let sub: string;
  let log: string[];
  const cmPath = (name: string) => `${ncPath(sub, 'rg1', 'clusterManagers', name)}?api-version=${V}`;

  before(async () => {
    run = await startEmulator();
    sub = run.client.info.subscriptionId;
    log = captureLog(run);
    await run.client.put(`${rgPath(sub, 'rg1')}?api-version=2021-04-01`, { location: 'eastus' });
  });
  after(() => run.stop());
  afterEach(async () => {
    await run.client.delete('/_emulator/faults');
  });

  it('ends a PUT operation Failed with the chosen error; the resource shows Failed and can be retried', async () => {
    const rule = await addRule(run.client, {
      match: { method: 'PUT', resourceType: CM, name: 'cm-fail' },
      effect: { operationStatus: 'Failed', error: { code: 'FabricUnreachable', message: 'The fabric controller did not answer.' } },
      count: 1,
    });
    const put = await run.client.put(cmPath('cm-fail'), clusterManagerBody(sub, 'rg1'));
    expect(put.status).to.equal(201);
    expect(put.headers['x-ms-emulator-fault']).to.equal(rule.id);
    const status = await run.client.poll(put);
    expect(status.body.status).to.equal('Failed');
    expect(status.body.error).to.deep.equal({ code: 'FabricUnreachable', message: 'The fabric controller did not answer.' });
    expect(status.headers['x-ms-emulator-fault']).to.equal(rule.id);
    const cm = await run.client.get(cmPath('cm-fail'));
    expect(cm.body.properties.provisioningState).to.equal('Failed');
    expect(log.some((l) => l.startsWith(`fault ${rule.id}: operation ${status.body.name} will end Failed (FabricUnreachable) on PUT`))).to.equal(true);
    // The rule is used up: a retry succeeds, as it would once Azure recovered.
    const retry = await run.client.put(cmPath('cm-fail'), clusterManagerBody(sub, 'rg1'));
    expect((await run.client.poll(retry)).body.status).to.equal('Succeeded');
    expect((await run.client.get(cmPath('cm-fail'))).body.properties.provisioningState).to.equal('Succeeded');
  });

  it('ends a DELETE Canceled: Location answers with the error, the resource stays as it was', async () => {
    const put = await run.client.put(cmPath('cm-keep'), clusterManagerBody(sub, 'rg1'));
    await run.client.poll(put);
    const before = await run.client.get(cmPath('cm-keep'));
    await addRule(run.client, { match: { method: 'DELETE', resourceType: CM }, effect: { operationStatus: 'Canceled', status: 409 } });
    const del = await run.client.delete(cmPath('cm-keep'));
    expect(del.status).to.equal(202);
    const result = await run.client.get(del.headers.location as string);
    expect(result.status).to.equal(409);
    expect(result.body.error.code).to.equal('OperationCanceled');
    const status = await run.client.get(del.headers['azure-asyncoperation'] as string);
    expect(status.body.status).to.equal('Canceled');
    const after = await run.client.get(cmPath('cm-keep'));
    expect(after.status).to.equal(200);
    expect(after.body).to.deep.equal(before.body);
  });

  it('holds an operation InProgress until the virtual clock passes operationDelay; natural 409 meanwhile', async () => {
    const rule = await addRule(run.client, { match: { method: 'PUT', name: 'cm-slow' }, effect: { operationDelay: '2h' } });
    const put = await run.client.put(cmPath('cm-slow'), clusterManagerBody(sub, 'rg1'));
    expect(put.status).to.equal(201);
    const statusUrl = put.headers['azure-asyncoperation'] as string;
    await new Promise((r) => setTimeout(r, 100));
    expect((await run.client.get(statusUrl)).body.status).to.equal('InProgress');
    // The emulator's own busy answer is unchanged and is not marked as injected.
    const busy = await run.client.patch(cmPath('cm-slow'), { tags: { a: 'b' } });
    expect(busy.status).to.equal(409);
    expect(busy.body.error.code).to.equal('AnotherOperationInProgress');
    expect(busy.headers['x-ms-emulator-fault']).to.equal(undefined);
    await run.client.post('/_emulator/clock', { advance: '1h' });
    expect((await run.client.get(statusUrl)).body.status).to.equal('InProgress');
    await run.client.post('/_emulator/clock', { advance: '61m' });
    const done = await run.client.get(statusUrl);
    expect(done.body.status).to.equal('Succeeded');
    expect((await run.client.get(cmPath('cm-slow'))).body.properties.provisioningState).to.equal('Succeeded');
    expect(await ruleById(run.client, rule.id)).to.include({ fired: 1 });
  });

  it('keeps holding an operation across a restart, and releases it when the clock passes', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nce-faults-hold-'));
    try {
      let durable = await startEmulator({ inMemory: false, dataDir });
      const s = durable.client.info.subscriptionId;
      await durable.client.put(`${rgPath(s, 'rg1')}?api-version=2021-04-01`, { location: 'eastus' });
      await addRule(durable.client, { match: { method: 'PUT', resourceType: CM }, effect: { operationDelay: '1d', operationStatus: 'Canceled' } });
      const put = await durable.client.put(`${ncPath(s, 'rg1', 'clusterManagers', 'held')}?api-version=${V}`, clusterManagerBody(s, 'rg1'));
      const statusPath = new URL(put.headers['azure-asyncoperation'] as string).pathname + '?api-version=' + V;
      await durable.stop();
      durable = await startEmulator({ inMemory: false, dataDir });
      try {
        await new Promise((r) => setTimeout(r, 100));
        expect((await durable.client.get(statusPath)).body.status).to.equal('InProgress');
        await durable.client.post('/_emulator/clock', { advance: '25h' });
        const done = await durable.client.get(statusPath);
        expect(done.body.status).to.equal('Canceled');
        expect(done.body.error.code).to.equal('OperationCanceled');
        expect((await durable.client.get(`${ncPath(s, 'rg1', 'clusterManagers', 'held')}?api-version=${V}`)).body.properties.provisioningState).to.equal('Canceled');
      } finally {
        await durable.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('combines a delay with a final status, and leaves operations of other requests alone', async () => {
    await addRule(run.client, { match: { name: 'cm-late' }, effect: { operationStatus: 'Failed', operationDelay: '30m' } });
    const other = await run.client.put(cmPath('cm-other'), clusterManagerBody(sub, 'rg1'));
    expect((await run.client.poll(other)).body.status).to.equal('Succeeded');
    const put = await run.client.put(cmPath('cm-late'), clusterManagerBody(sub, 'rg1'));
    const statusUrl = put.headers['azure-asyncoperation'] as string;
    expect((await run.client.get(statusUrl)).body.status).to.equal('InProgress');
    await run.client.post('/_emulator/clock', { advance: '31m' });
    const done = await run.client.get(statusUrl);
    expect(done.body.status).to.equal('Failed');
    expect(done.body.error.code).to.equal('OperationFailed');
  });
});

describe('faults: real Azure SDK clients', function () {
  this.timeout(60_000);
  let run: Running;
  let agent: https.Agent;
  let client: ResourceManagementClient;

  before(async () => {
    run = await startEmulator({ operationDurationMs: 200 });
    agent = new https.Agent({ ca: run.client.ca });
    const info = run.client.info;
    const credential = new ClientSecretCredential(info.tenantId, info.clientId, info.clientSecret, { authorityHost: info.endpoint, disableInstanceDiscovery: true, additionallyAllowedTenants: ['*'], agent } as any);
    client = new ResourceManagementClient(credential, info.subscriptionId, { endpoint: info.endpoint, credentialScopes: ['https://management.azure.com/.default'], agent } as any);
    await client.resourceGroups.createOrUpdate('sdk-rg', { location: 'eastus' });
  });
  after(async () => {
    agent.destroy();
    await run.stop();
  });
  afterEach(async () => {
    await run.client.delete('/_emulator/faults');
  });

  it('@azure/arm-resources retries a 429 after Retry-After and then succeeds', async () => {
    const rule = await addRule(run.client, { match: { method: 'GET', resourceType: 'Microsoft.Resources/resourceGroups', name: 'sdk-rg' }, effect: { status: 429, code: 'TooManyRequests', retryAfter: 1 }, count: 1 });
    const t0 = Date.now();
    const group = await client.resourceGroups.get('sdk-rg');
    const elapsed = Date.now() - t0;
    expect(group.name).to.equal('sdk-rg');
    expect(await ruleById(run.client, rule.id)).to.include({ fired: 1, matched: 1, state: 'Exhausted' });
    // It waited for Retry-After (1 s) before the second try.
    expect(elapsed).to.be.at.least(950);
  });

  it("@azure/arm-resources' poller reports a Failed operation with the rule's error", async () => {
    const sub = run.client.info.subscriptionId;
    const id = `/subscriptions/${sub}/resourceGroups/sdk-rg/providers/Microsoft.NetworkCloud/clusterManagers/sdk-cm`;
    await addRule(run.client, { match: { method: 'PUT', resourceType: CM }, effect: { operationStatus: 'Failed', error: { code: 'ControlPlaneDown', message: 'The control plane is not reachable.' } } });
    let caught: any;
    try {
      await client.resources.beginCreateOrUpdateByIdAndWait(id, V, clusterManagerBody(sub, 'sdk-rg') as any, { updateIntervalInMs: 50 });
    } catch (e) {
      caught = e;
    }
    expect(caught, 'the poller should throw').to.not.equal(undefined);
    expect(`${caught.code} ${caught.message}`).to.contain('ControlPlaneDown').and.contain('The control plane is not reachable.');
    const cm = await client.resources.getById(id, V);
    expect((cm.properties as any).provisioningState).to.equal('Failed');
  });
});
