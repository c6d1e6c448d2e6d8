/** Long-running operations with a real duration: the status resources move from InProgress to a result. */
import { expect } from 'chai';
import { clusterBody, clusterManagerBody } from '../helpers/bodies.js';
import { ncPath, rgPath, startEmulator, type Running } from '../helpers/emulator.js';

const V = '2025-09-01';

// Long enough that a loaded CI machine still sees the operations running before they end.
describe('long-running operations (1 s)', () => {
  let run: Running;
  let sub: string;
  before(async () => {
    run = await startEmulator({ operationDurationMs: 1000 });
    sub = run.client.info.subscriptionId;
    await run.client.put(`${rgPath(sub, 'rg1')}?api-version=2021-04-01`, { location: 'eastus' });
  });
  after(() => run.stop());

  it('PUT answers 201 Accepted with Azure-AsyncOperation, which reports InProgress then Succeeded', async () => {
    const put = await run.client.put(`${ncPath(sub, 'rg1', 'clusterManagers', 'cm1')}?api-version=${V}`, clusterManagerBody(sub, 'rg1'));
    expect(put.status).to.equal(201);
    expect(put.body.properties.provisioningState).to.equal('Accepted');
    const statusUrl = put.headers['azure-asyncoperation'] as string;
    expect(statusUrl).to.match(/^https:\/\/localhost:\d+\/subscriptions\/[^/]+\/providers\/Microsoft\.NetworkCloud\/locations\/eastus\/operationStatuses\/[0-9a-f-]{36}\?api-version=2025-09-01$/);
    const running = await run.client.get(statusUrl);
    expect(running.status).to.equal(200);
    expect(running.body).to.include({ status: 'InProgress' });
    expect(running.body.resourceId).to.equal(put.body.id);
    const busy = await run.client.patch(`${ncPath(sub, 'rg1', 'clusterManagers', 'cm1')}?api-version=${V}`, { tags: { a: 'b' } });
    expect(busy.status).to.equal(409);
    const done = await run.client.poll(put);
    expect(done.body.status).to.equal('Succeeded');
    expect(done.body.percentComplete).to.equal(100);
    expect(done.body.endTime).to.be.a('string');
    const cm = await run.client.get(`${ncPath(sub, 'rg1', 'clusterManagers', 'cm1')}?api-version=${V}`);
    expect(cm.body.properties.provisioningState).to.equal('Succeeded');
    expect(cm.body.properties.detailedStatus).to.equal('Available');
  });

  it('PATCH of a cluster answers 202 with both headers; POST deploy answers 202 with Location that gives 202 until done', async () => {
    const cm = await run.client.get(`${ncPath(sub, 'rg1', 'clusterManagers', 'cm1')}?api-version=${V}`);
    const put = await run.client.put(`${ncPath(sub, 'rg1', 'clusters', 'c1')}?api-version=${V}`, clusterBody(sub, 'rg1', cm.body.properties.managerExtendedLocation));
    await run.client.poll(put);
    const patch = await run.client.patch(`${ncPath(sub, 'rg1', 'clusters', 'c1')}?api-version=${V}`, { tags: { x: 'y' } });
    expect(patch.status).to.equal(202);
    expect(patch.headers['azure-asyncoperation']).to.match(/operationStatuses/);
    expect(patch.headers.location).to.match(/operationResults/);
    expect(patch.text).to.equal('');
    await run.client.poll(patch);
    const deploy = await run.client.post(`${ncPath(sub, 'rg1', 'clusters', 'c1')}/deploy?api-version=${V}`, {});
    expect(deploy.status).to.equal(202);
    const first = await run.client.get(deploy.headers.location as string);
    expect(first.status).to.equal(202);
    expect(first.headers['retry-after']).to.equal('1');
    const cluster = await run.client.get(`${ncPath(sub, 'rg1', 'clusters', 'c1')}?api-version=${V}`);
    expect(cluster.body.properties.detailedStatus).to.equal('Deploying');
    const done = await run.client.poll(deploy);
    expect(done.status).to.equal(200);
    expect(done.body.status).to.equal('Succeeded');
    expect(done.body.properties.exitCode).to.equal('0');
  });

  it('a failed operation shows Failed with its error, and its Location answers with the error status', async () => {
    // A deploy whose machine names collide fails when it runs, not when it is accepted.
    const cm = await run.client.get(`${ncPath(sub, 'rg1', 'clusterManagers', 'cm1')}?api-version=${V}`);
    const body = clusterBody(sub, 'rg1', cm.body.properties.managerExtendedLocation, { mrg: 'dup-mrg' });
    const machines = body.properties.aggregatorOrSingleRackDefinition.bareMetalMachineConfigurationData as any[];
    machines[1].machineName = 'same';
    machines[2].machineName = 'same';
    await run.client.poll(await run.client.put(`${ncPath(sub, 'rg1', 'clusters', 'dup')}?api-version=${V}`, body));
    const deploy = await run.client.post(`${ncPath(sub, 'rg1', 'clusters', 'dup')}/deploy?api-version=${V}`, {});
    const result = await run.client.poll(deploy);
    expect(result.status).to.equal(400);
    expect(result.body.error.code).to.equal('DuplicateMachineName');
    const status = await run.client.get((deploy.headers.location as string).replace('operationResults', 'operationStatuses'));
    expect(status.body.status).to.equal('Failed');
    expect(status.body.error.code).to.equal('DuplicateMachineName');
    const cluster = await run.client.get(`${ncPath(sub, 'rg1', 'clusters', 'dup')}?api-version=${V}`);
    expect(cluster.body.properties.detailedStatus).to.equal('Failed');
    // The managed group exists from the cluster's creation (it holds the racks); the failed deploy added no machine to it.
    expect((await run.client.get(`${rgPath(sub, 'dup-mrg')}?api-version=2021-04-01`)).status).to.equal(200);
    expect((await run.client.get(`${ncPath(sub, 'dup-mrg', 'bareMetalMachines')}?api-version=${V}`)).body.value).to.deep.equal([]);
    expect((await run.client.get(`${ncPath(sub, 'dup-mrg', 'racks')}?api-version=${V}`)).body.value.map((r: { name: string }) => r.name)).to.deep.equal(['dup-aggrack']);
  });

  it('refuses writes and actions to a resource being deleted', async () => {
    const cmPath = `${ncPath(sub, 'rg1', 'clusterManagers', 'cm-doomed')}?api-version=${V}`;
    await run.client.poll(await run.client.put(cmPath, clusterManagerBody(sub, 'rg1')));
    const del = await run.client.delete(cmPath);
    expect(del.status).to.equal(202);
    const put = await run.client.put(cmPath, clusterManagerBody(sub, 'rg1'));
    expect(put.status).to.equal(409);
    expect(put.body.error.message).to.contain('being deleted');
    expect((await run.client.delete(cmPath)).status).to.equal(409);
    await run.client.poll(del);
    expect((await run.client.get(cmPath)).status).to.equal(404);
  });

  it('answers 404 for an operation it does not know', async () => {
    const r = await run.client.get(`/subscriptions/${sub}/providers/Microsoft.NetworkCloud/locations/eastus/operationStatuses/00000000-0000-0000-0000-000000000000?api-version=${V}`);
    expect(r.status).to.equal(404);
  });
});

describe('the virtual clock', () => {
  let run: Running;
  before(async () => {
    run = await startEmulator();
  });
  after(() => run.stop());

  it('moves forward by a duration or to an instant, never back', async () => {
    const start = Date.parse((await run.client.get('/_emulator/clock')).body.now);
    const advanced = await run.client.post('/_emulator/clock', { advance: '80d' });
    expect(advanced.status).to.equal(200);
    expect(Date.parse(advanced.body.now) - start).to.be.within(80 * 86400_000, 80 * 86400_000 + 60_000);
    const iso = await run.client.post('/_emulator/clock', { advance: 'P1DT12H' });
    expect(Date.parse(iso.body.now) - Date.parse(advanced.body.now)).to.be.within(36 * 3600_000, 36 * 3600_000 + 60_000);
    const target = new Date(Date.parse(iso.body.now) + 86400_000).toISOString();
    const set = await run.client.post('/_emulator/clock', { set: target });
    expect(Date.parse(set.body.now)).to.be.within(Date.parse(target), Date.parse(target) + 60_000);
    const back = await run.client.post('/_emulator/clock', { set: '2020-01-01T00:00:00Z' });
    expect(back.status).to.equal(400);
    const nonsense = await run.client.post('/_emulator/clock', { advance: 'soon' });
    expect(nonsense.status).to.equal(400);
    expect(nonsense.body.error.message).to.contain('soon');
    expect((await run.client.post('/_emulator/clock', { advance: '1d' }, { token: false })).status).to.equal(401);
  });
});
