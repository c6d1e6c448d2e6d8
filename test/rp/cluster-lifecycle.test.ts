/** A cluster's life: create its manager and itself, deploy (machines + PKI appear), operate machines, delete. */
import 'reflect-metadata';
import { X509Certificate } from '@peculiar/x509';
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { clusterBody, clusterManagerBody } from '../helpers/bodies.js';
import { ncPath, rgPath, startEmulator, type Running } from '../helpers/emulator.js';

const V = '2025-09-01';

describe('cluster lifecycle', () => {
  let run: Running;
  let sub: string;
  let cluster: any;

  async function deployCluster(name: string, mrg: string, options = {}) {
    const c = run.client;
    const cm = await c.get(`${ncPath(sub, 'rg1', 'clusterManagers', 'cm1')}?api-version=${V}`);
    const put = await c.put(`${ncPath(sub, 'rg1', 'clusters', name)}?api-version=${V}`, clusterBody(sub, 'rg1', cm.body.properties.managerExtendedLocation, { mrg, ...options }));
    expect(put.status, put.text).to.equal(201);
    const deploy = await c.post(`${ncPath(sub, 'rg1', 'clusters', name)}/deploy?api-version=${V}`, {});
    expect(deploy.status, deploy.text).to.equal(202);
    expect(deploy.headers.location).to.match(/\/providers\/Microsoft\.NetworkCloud\/locations\/eastus\/operationResults\/[0-9a-f-]{36}\?api-version=2025-09-01$/);
    // The facts declare Retry-After on an action's 202 only from 2026-05-01-preview.
    expect(deploy.headers['retry-after']).to.equal(undefined);
    const done = await c.poll(deploy);
    expect(done.status, done.text).to.equal(200);
    expect(done.body.status).to.equal('Succeeded');
    return (await c.get(`${ncPath(sub, 'rg1', 'clusters', name)}?api-version=${V}`)).body;
  }

  before(async () => {
    run = await startEmulator();
    sub = run.client.info.subscriptionId;
    await run.client.put(`${rgPath(sub, 'rg1')}?api-version=2021-04-01`, { location: 'eastus' });
    const cm = await run.client.put(`${ncPath(sub, 'rg1', 'clusterManagers', 'cm1')}?api-version=${V}`, clusterManagerBody(sub, 'rg1'));
    expect(cm.status, cm.text).to.equal(201);
    expect(cm.headers['azure-asyncoperation']).to.match(/operationStatuses/);
    cluster = await deployCluster('cluster1', 'cluster1-mrg', { machines: 5, appliances: 1, computeRacks: 1 });
  });
  after(() => run.stop());

  it('runs after deploy, attached to its manager, with capacity', () => {
    expect(cluster.properties.detailedStatus).to.equal('Running');
    expect(cluster.properties.provisioningState).to.equal('Succeeded');
    expect(cluster.properties.clusterManagerId).to.equal(`/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.NetworkCloud/clusterManagers/cm1`);
    expect(cluster.properties.clusterCapacity.totalCoreCount).to.be.greaterThan(0);
    expect(cluster.properties.actionStates[0].actionType).to.equal('Microsoft.NetworkCloud/clusters/deploy/action');
  });

  it('creates the managed resource group with one machine per definition and one appliance per definition', async () => {
    const group = await run.client.get(`${rgPath(sub, 'cluster1-mrg')}?api-version=2021-04-01`);
    expect(group.status).to.equal(200);
    expect(group.body.managedBy).to.equal(cluster.id);
    const machines = await run.client.get(`${ncPath(sub, 'cluster1-mrg', 'bareMetalMachines')}?api-version=${V}`);
    expect(machines.body.value).to.have.length(10);
    const names = machines.body.value.map((m: any) => m.name);
    expect(names).to.include.members(['r01c001', 'r01c005', 'r02c001', 'r02c005']);
    const m = machines.body.value[0];
    expect(m.properties.clusterId).to.equal(cluster.id);
    expect(m.properties.rackId).to.contain('/providers/Microsoft.NetworkCloud/racks/');
    expect(m.properties).to.include({ detailedStatus: 'Provisioned', powerState: 'On', readyState: 'True', cordonStatus: 'Uncordoned', provisioningState: 'Succeeded' });
    expect(m.properties.machineRoles).to.have.length(1);
    expect(m.extendedLocation).to.deep.equal(cluster.properties.clusterExtendedLocation);
    const appliances = await run.client.get(`${ncPath(sub, 'cluster1-mrg', 'storageAppliances')}?api-version=${V}`);
    expect(appliances.body.value).to.have.length(1);
  });

  it('reports the interface issuer as caCertificate: PEM of a CA, hash = SHA-256 of its DER', async () => {
    const m = (await run.client.get(`${ncPath(sub, 'cluster1-mrg', 'bareMetalMachines', 'r01c001')}?api-version=${V}`)).body;
    const { value, hash } = m.properties.caCertificate;
    expect(value).to.match(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----$/);
    expect(hash).to.match(/^[0-9a-f]{64}$/);
    const cert = new X509Certificate(value);
    expect(createHash('sha256').update(Buffer.from(cert.rawData)).digest('hex')).to.equal(hash);
    expect(cert.subject).to.match(/interface/i);
    expect(cert.subject).to.not.equal(cert.issuer);
    const sa = (await run.client.get(`${ncPath(sub, 'cluster1-mrg', 'storageAppliances', 'r01s030')}?api-version=${V}`)).body;
    expect(sa.properties.caCertificate).to.deep.equal(m.properties.caCertificate);
    expect(JSON.stringify(m)).to.not.match(/PRIVATE KEY/);
  });

  it('gives every cluster its own CA', async () => {
    await deployCluster('cluster2', 'cluster2-mrg', { machines: 1, appliances: 0 });
    const a = (await run.client.get(`${ncPath(sub, 'cluster1-mrg', 'bareMetalMachines', 'r01c001')}?api-version=${V}`)).body;
    const b = (await run.client.get(`${ncPath(sub, 'cluster2-mrg', 'bareMetalMachines', 'r01c001')}?api-version=${V}`)).body;
    expect(a.properties.caCertificate.hash).to.not.equal(b.properties.caCertificate.hash);
  });

  it('refuses to deploy a running cluster', async () => {
    const again = await run.client.post(`${ncPath(sub, 'rg1', 'clusters', 'cluster1')}/deploy?api-version=${V}`, {});
    expect(again.status).to.equal(409);
  });

  it('rejects customer PUT and DELETE of machines and appliances: the platform owns them', async () => {
    const m = (await run.client.get(`${ncPath(sub, 'cluster1-mrg', 'bareMetalMachines', 'r01c001')}?api-version=${V}`)).body;
    const put = await run.client.put(`${ncPath(sub, 'cluster1-mrg', 'bareMetalMachines', 'r01c001')}?api-version=${V}`, m);
    expect(put.status).to.equal(400);
    expect(put.body.error.message).to.match(/platform manages its lifecycle/);
    const del = await run.client.delete(`${ncPath(sub, 'cluster1-mrg', 'storageAppliances', 'r01s030')}?api-version=${V}`);
    expect(del.status).to.equal(400);
  });

  it('lets customers PATCH tags (replaced whole) and machineDetails, and nothing else', async () => {
    const path = `${ncPath(sub, 'cluster1-mrg', 'bareMetalMachines', 'r01c002')}?api-version=${V}`;
    const first = await run.client.patch(path, { tags: { a: '1', b: '2' }, properties: { machineDetails: 'rack 1, slot 2' } });
    expect(first.status, first.text).to.be.oneOf([200, 202]);
    await run.client.poll(first);
    const second = await run.client.patch(path, { tags: { c: '3' } });
    await run.client.poll(second);
    const m = (await run.client.get(path)).body;
    expect(m.tags).to.deep.equal({ c: '3' });
    expect(m.properties.machineDetails).to.equal('rack 1, slot 2');
    const illegal = await run.client.patch(path, { properties: { serialNumber: 'X' } });
    expect(illegal.status).to.equal(400);
    expect(illegal.body.error.target).to.equal('properties.serialNumber');
    const sa = await run.client.patch(`${ncPath(sub, 'cluster1-mrg', 'storageAppliances', 'r01s030')}?api-version=${V}`, { properties: { serialNumber: 'NEWSERIAL' } });
    expect((await run.client.poll(sa)).status).to.equal(200);
  });

  it('runs machine actions as long-running operations and records them', async () => {
    const base = ncPath(sub, 'cluster1-mrg', 'bareMetalMachines', 'r01c003');
    for (const [action, body] of [['cordon', { evacuate: 'True' }], ['powerOff', { skipShutdown: 'False' }]] as const) {
      const r = await run.client.post(`${base}/${action}?api-version=${V}`, body);
      expect(r.status, r.text).to.equal(202);
      const done = await run.client.poll(r);
      expect(done.body.status).to.equal('Succeeded');
    }
    const m = (await run.client.get(`${base}?api-version=${V}`)).body;
    expect(m.properties).to.include({ cordonStatus: 'Cordoned', powerState: 'Off' });
    expect(m.properties.actionStates.map((a: any) => a.actionType)).to.include('Microsoft.NetworkCloud/bareMetalMachines/cordon/action');
    const restart = await run.client.post(`${base}/restart?api-version=${V}`);
    expect(restart.status).to.equal(409);
    // Commands need the machine on.
    const off = await run.client.post(`${base}/runReadCommands?api-version=${V}`, { commands: [{ command: 'hostname' }], limitTimeSeconds: 60 });
    expect([off.status, off.body.error.code]).to.deep.equal([409, 'InvalidMachineState']);
    await run.client.poll(await run.client.post(`${base}/start?api-version=${V}`));
    const run1 = await run.client.post(`${base}/runReadCommands?api-version=${V}`, { commands: [{ command: 'hostname' }], limitTimeSeconds: 60 });
    const result = await run.client.poll(run1);
    expect(result.body.properties.exitCode).to.equal('0');
    const noBody = await run.client.post(`${base}/runReadCommands?api-version=${V}`);
    expect(noBody.status).to.equal(400);
    const notYet = await run.client.post(`${base}/runDataExtractsRestricted?api-version=2025-02-01`, { commands: [{ command: 'x' }], limitTimeSeconds: 60 });
    expect(notYet.status).to.equal(404);
  });

  it('deletes a cluster with its machines, PKI and managed resource group; a manager with clusters is kept', async () => {
    const refused = await run.client.delete(`${ncPath(sub, 'rg1', 'clusterManagers', 'cm1')}?api-version=${V}`);
    expect(refused.status).to.equal(409);
    const del = await run.client.delete(`${ncPath(sub, 'rg1', 'clusters', 'cluster2')}?api-version=${V}`);
    expect(del.status).to.equal(202);
    const done = await run.client.poll(del);
    expect(done.status).to.equal(200);
    expect((await run.client.get(`${ncPath(sub, 'rg1', 'clusters', 'cluster2')}?api-version=${V}`)).status).to.equal(404);
    expect((await run.client.get(`${rgPath(sub, 'cluster2-mrg')}?api-version=2021-04-01`)).status).to.equal(404);
    expect((await run.client.get(`${ncPath(sub, 'cluster2-mrg', 'bareMetalMachines', 'r01c001')}?api-version=${V}`)).status).to.equal(404);
    const again = await run.client.delete(`${ncPath(sub, 'rg1', 'clusters', 'cluster2')}?api-version=${V}`);
    expect(again.status).to.equal(204);
  });
});
