/** ARM's envelope: api-version errors, request ids, error shapes, not-found codes, case-insensitive ids. */
import { expect } from 'chai';
import { clusterManagerBody } from '../helpers/bodies.js';
import { ncPath, rgPath, startEmulator, type Running } from '../helpers/emulator.js';

describe('ARM envelope', () => {
  let run: Running;
  let sub: string;
  before(async () => {
    run = await startEmulator();
    sub = run.client.info.subscriptionId;
    await run.client.put(`${rgPath(sub, 'RG-One')}?api-version=2021-04-01`, { location: 'eastus' });
  });
  after(() => run.stop());

  it('requires an api-version, with ARM code and wording', async () => {
    const r = await run.client.get(ncPath(sub, 'RG-One', 'clusters'));
    expect(r.status).to.equal(400);
    expect(r.body.error.code).to.equal('MissingApiVersionParameter');
    expect(r.body.error.message).to.equal('The api-version query parameter (?api-version=) is required for all requests.');
  });

  it('rejects an unknown api-version and lists the supported ones', async () => {
    const r = await run.client.get(`${ncPath(sub, 'RG-One', 'clusters')}?api-version=2022-01-01`);
    expect(r.status).to.equal(400);
    expect(r.body.error.code).to.equal('NoRegisteredProviderFound');
    expect(r.body.error.message).to.contain("API version '2022-01-01'").and.contain('2025-09-01').and.contain('2023-07-01');
    const bad = await run.client.get(`${ncPath(sub, 'RG-One', 'clusters')}?api-version=latest`);
    expect(bad.status).to.equal(400);
    expect(bad.body.error.code).to.equal('InvalidApiVersionParameter');
    expect(bad.body.error.message).to.contain("'latest'").and.contain('2026-07-01');
  });

  it('sends x-ms-request-id and echoes correlation and client request ids', async () => {
    const r = await run.client.get(`${ncPath(sub, 'RG-One', 'clusters')}?api-version=2025-09-01`, {
      headers: { 'x-ms-correlation-request-id': 'corr-123', 'x-ms-client-request-id': 'client-456' },
    });
    expect(r.status).to.equal(200);
    expect(r.headers['x-ms-request-id']).to.match(/^[0-9a-f-]{36}$/);
    expect(r.headers['x-ms-correlation-request-id']).to.equal('corr-123');
    expect(r.headers['x-ms-client-request-id']).to.equal('client-456');
  });

  it('answers missing things with the right not-found codes', async () => {
    const missing = await run.client.get(`${ncPath(sub, 'RG-One', 'clusters', 'nope')}?api-version=2025-09-01`);
    expect(missing.status).to.equal(404);
    expect(missing.body.error.code).to.equal('ResourceNotFound');
    const noGroup = await run.client.get(`${ncPath(sub, 'no-such-rg', 'clusters', 'nope')}?api-version=2025-09-01`);
    expect(noGroup.status).to.equal(404);
    expect(noGroup.body.error.code).to.equal('ResourceGroupNotFound');
    const noSub = await run.client.get(`${ncPath('00000000-0000-0000-0000-000000000001', 'RG-One', 'clusters')}?api-version=2025-09-01`);
    expect(noSub.status).to.equal(404);
    expect(noSub.body.error.code).to.equal('SubscriptionNotFound');
    const badSub = await run.client.get(`${ncPath('not-a-guid', 'RG-One', 'clusters')}?api-version=2025-09-01`);
    expect(badSub.status).to.equal(400);
    expect(badSub.body.error.code).to.equal('InvalidSubscriptionId');
    const noRoute = await run.client.get('/subscriptions/x/y/z/w?api-version=2025-09-01');
    expect(noRoute.status).to.be.oneOf([400, 404]);
    expect(noRoute.body.error.code).to.be.a('string');
  });

  it('matches ids case-insensitively and returns the stored casing', async () => {
    const put = await run.client.put(`${ncPath(sub, 'RG-One', 'clusterManagers', 'MyManager')}?api-version=2025-09-01`, clusterManagerBody(sub, 'RG-One'));
    expect(put.status).to.equal(201);
    const r = await run.client.get(`/SUBSCRIPTIONS/${sub.toUpperCase()}/resourcegroups/rg-one/providers/microsoft.networkcloud/CLUSTERMANAGERS/mymanager?api-version=2025-09-01`);
    expect(r.status).to.equal(200);
    expect(r.body.name).to.equal('MyManager');
    expect(r.body.id).to.equal(`/subscriptions/${sub}/resourceGroups/RG-One/providers/Microsoft.NetworkCloud/clusterManagers/MyManager`);
    expect(r.body.type).to.equal('Microsoft.NetworkCloud/clusterManagers');
  });

  it('fills systemData from the caller token', async () => {
    const r = await run.client.get(`${ncPath(sub, 'RG-One', 'clusterManagers', 'MyManager')}?api-version=2025-09-01`);
    expect(r.body.systemData.createdByType).to.equal('Application');
    expect(r.body.systemData.createdBy).to.equal(run.client.info.clientId);
    expect(Date.parse(r.body.systemData.createdAt)).to.be.a('number').and.not.NaN;
  });

  it('turns broken JSON into 400 and oversized bodies into 413, ARM-shaped', async () => {
    const broken = await run.client.send('PUT', `${ncPath(sub, 'RG-One', 'clusterManagers', 'x1')}?api-version=2025-09-01`, undefined, { raw: '{"location": ' });
    expect(broken.status).to.equal(400);
    expect(broken.body.error.code).to.equal('InvalidRequestContent');
    const huge = await run.client.send('PUT', `${ncPath(sub, 'RG-One', 'clusterManagers', 'x1')}?api-version=2025-09-01`, undefined, { raw: `{"a":"${'x'.repeat(5 * 1024 * 1024)}"}` });
    expect(huge.status).to.equal(413);
    expect(huge.body.error.code).to.equal('RequestEntityTooLarge');
  });

  it('serves resource groups at lower- and upper-case paths, with HEAD and list', async () => {
    const lower = await run.client.get(`/subscriptions/${sub}/resourcegroups/rg-one?api-version=2021-04-01`);
    expect(lower.status).to.equal(200);
    expect(lower.body.name).to.equal('RG-One');
    const head = await run.client.send('HEAD', `/subscriptions/${sub}/resourceGroups/rg-one?api-version=2021-04-01`);
    expect(head.status).to.equal(204);
    const headMissing = await run.client.send('HEAD', `/subscriptions/${sub}/resourceGroups/absent?api-version=2021-04-01`);
    expect(headMissing.status).to.equal(404);
    const list = await run.client.get(`/subscriptions/${sub}/resourcegroups?api-version=2021-04-01`);
    expect(list.body.value.map((g: { name: string }) => g.name)).to.include('RG-One');
  });

  it('lists generic resources, filtered by resourceType when asked', async () => {
    const all = await run.client.get(`/subscriptions/${sub}/resources?api-version=2021-04-01`);
    expect(all.body.value.map((r: { type: string }) => r.type)).to.include('Microsoft.NetworkCloud/clusterManagers');
    const some = await run.client.get(`/subscriptions/${sub}/resources?api-version=2021-04-01&$filter=${encodeURIComponent("resourceType eq 'microsoft.networkcloud/clustermanagers'")}`);
    expect(some.body.value.length).to.be.greaterThan(0);
    expect(some.body.value.every((r: { type: string }) => r.type === 'Microsoft.NetworkCloud/clusterManagers')).to.equal(true);
    const bad = await run.client.get(`/subscriptions/${sub}/resources?api-version=2021-04-01&$filter=${encodeURIComponent("name eq 'x'")}`);
    expect(bad.status).to.equal(400);
  });

  it('serves subscriptions, provider registration, the operations list and cloud metadata', async () => {
    const subs = await run.client.get('/subscriptions?api-version=2022-12-01');
    expect(subs.body.value.map((s: { subscriptionId: string }) => s.subscriptionId)).to.include(sub);
    const one = await run.client.get(`/subscriptions/${sub}?api-version=2022-12-01`);
    expect(one.body.tenantId).to.equal(run.client.info.tenantId);
    const provider = await run.client.get(`/subscriptions/${sub}/providers/Microsoft.NetworkCloud?api-version=2021-04-01`);
    expect(provider.body.registrationState).to.equal('Registered');
    const bmm = provider.body.resourceTypes.find((t: { resourceType: string }) => t.resourceType === 'bareMetalMachines');
    expect(bmm.apiVersions).to.include.members(['2023-07-01', '2024-07-01', '2024-10-01-preview', '2025-02-01', '2025-07-01-preview', '2025-09-01', '2026-07-01']);
    const ops = await run.client.get('/providers/Microsoft.NetworkCloud/operations?api-version=2025-09-01');
    expect(ops.body.value.map((o: { name: string }) => o.name)).to.include('Microsoft.NetworkCloud/clusters/deploy/action');
    for (const path of ['/metadata/endpoints?api-version=2015-01-01', '//metadata/endpoints?api-version=2015-01-01']) {
      const meta = await run.client.get(path, { token: false });
      expect(meta.status).to.equal(200);
      expect(meta.body.authentication.loginEndpoint).to.match(/\/adfs$/);
      expect(meta.body.authentication.audiences).to.include('https://management.core.windows.net/');
    }
  });
});
