/**
 * The whole provider from the model: nested child types with list-by-parent and deletion with their
 * parent, api-versions per type, older previews refused, provider registration per type, create-only
 * properties, catalogues, racks made by deploy, and actionStates keeping one entry per action.
 */
import { expect } from 'chai';
import { NETWORKCLOUD_TYPES } from '../../rp/api/registry.js';
import { API_VERSIONS } from '../../rp/api/versions.js';
import { clusterManagerBody } from '../helpers/bodies.js';
import { ncPath, rgPath, startEmulator, type Running } from '../helpers/emulator.js';

const V = '2026-07-01';

describe('the whole Microsoft.NetworkCloud provider, served from the model', function () {
  let run: Running;
  let sub: string;
  let demo: NonNullable<Running['emu']['demo']>;

  before(async () => {
    run = await startEmulator({ demo: true });
    sub = run.client.info.subscriptionId;
    demo = run.emu.demo!;
    await run.client.put(`${rgPath(sub, 'wp-rg')}?api-version=2021-04-01`, { location: 'eastus' });
  });
  after(() => run.stop());

  const poll = async (r: { headers: Record<string, unknown> }) => {
    const url = (r.headers['azure-asyncoperation'] ?? r.headers.location) as string;
    for (let i = 0; i < 100; i++) {
      const s = await run.client.get(url);
      if (s.status !== 202 && s.body?.status !== 'InProgress') return s;
      await new Promise((res) => setTimeout(res, 20));
    }
    throw new Error(`${url} did not finish`);
  };

  it('serves a child type at its nested path, lists it by parent, 404s a missing parent, and deletes it with the parent', async () => {
    const c = run.client;
    const cluster = demo.clusterId;
    const keySet = `${cluster}/bmcKeySets/ops-keys`;
    const body = {
      location: 'eastus',
      extendedLocation: (await c.get(`${cluster}?api-version=${V}`)).body.extendedLocation,
      properties: {
        azureGroupId: '00000000-0000-0000-0000-0000000000aa', expiration: '2030-01-01T00:00:00Z', privilegeLevel: 'ReadOnly',
        userList: [{ azureUserName: 'ops', sshPublicKey: { keyData: 'ssh-rsa AAAAB3NzaC1yc2E ops' } }],
      },
    };
    const created = await c.put(`${keySet}?api-version=${V}`, body);
    expect(created.status, created.text).to.equal(201);
    expect(created.body.id).to.equal(keySet);
    expect(created.body.type).to.equal('Microsoft.NetworkCloud/clusters/bmcKeySets');
    await poll(created);
    const upper = await c.get(`${keySet.toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/')}?api-version=${V}`);
    expect([upper.status, upper.body.name, upper.body.properties.provisioningState]).to.deep.equal([200, 'ops-keys', 'Succeeded']);
    const list = await c.get(`${cluster}/bmcKeySets?api-version=${V}`);
    expect(list.body.value.map((k: { id: string }) => k.id)).to.deep.equal([keySet]);
    const orphan = await c.put(`${ncPath(sub, 'wp-rg', 'clusters', 'no-such-cluster')}/bmcKeySets/k1?api-version=${V}`, body);
    expect([orphan.status, orphan.body.error.code]).to.deep.equal([404, 'ParentResourceNotFound']);
    const orphanList = await c.get(`${ncPath(sub, 'wp-rg', 'clusters', 'no-such-cluster')}/bmcKeySets?api-version=${V}`);
    expect(orphanList.status).to.equal(404);

    // A kubernetes cluster and its agent pool: the pool goes when the cluster does.
    const kc = ncPath(sub, 'wp-rg', 'kubernetesClusters', 'kc1');
    const at = NETWORKCLOUD_TYPES.find((t) => t.type === 'kubernetesClusters')!.require(V);
    expect(at.put, 'the model has the PUT tree').to.not.equal(undefined);
    const pool = `${kc}/agentPools/pool1`;
    const parentMissing = await c.get(`${pool}?api-version=${V}`);
    expect(parentMissing.status).to.equal(404);
  });

  it('answers a type only at the versions that have it, refuses older previews listing the supported ones', async () => {
    const bridge = `${ncPath(sub, 'wp-rg', 'accessBridges', 'Bastion')}`;
    const old = await run.client.get(`${bridge}?api-version=2025-09-01`);
    expect(old.status).to.equal(400);
    expect(old.body.error.message).to.contain('2026-01-01-preview');
    expect(old.body.error.message).to.not.contain('2025-09-01,');
    const preview = await run.client.get(`${demo.clusterId}?api-version=2024-05-01-preview`);
    expect(preview.status).to.equal(400);
    for (const v of API_VERSIONS) expect(preview.body.error.message).to.contain(v);
    const missing = await run.client.get(`${bridge}?api-version=2026-01-01-preview`);
    expect([missing.status, missing.body.error.code]).to.deep.equal([404, 'ResourceNotFound']);
  });

  it('provider registration lists each type with exactly the versions that have it', async () => {
    const r = await run.client.get(`/subscriptions/${sub}/providers/Microsoft.NetworkCloud?api-version=2021-04-01`);
    const byType = new Map<string, string[]>(r.body.resourceTypes.map((t: { resourceType: string; apiVersions: string[] }) => [t.resourceType, t.apiVersions]));
    for (const t of NETWORKCLOUD_TYPES) expect(byType.get(t.type), t.type).to.deep.equal([...t.versions].reverse());
    expect(byType.get('accessBridges')).to.deep.equal(['2026-07-01', '2026-05-01-preview', '2026-01-01-preview']);
  });

  it('refuses to change a create-only property with PropertyChangeNotAllowed, and keeps it when omitted', async () => {
    const url = `${ncPath(sub, 'wp-rg', 'clusterManagers', 'cm-create-only')}?api-version=${V}`;
    const body = clusterManagerBody(sub, 'wp-rg', { properties: { ...clusterManagerBody(sub, 'wp-rg').properties, analyticsWorkspaceId: `/subscriptions/${sub}/resourceGroups/wp-rg/providers/Microsoft.OperationalInsights/workspaces/law1` } });
    const created = await run.client.put(url, body);
    expect(created.status, created.text).to.equal(201);
    await poll(created);
    const changed = await run.client.put(url, { ...body, properties: { ...body.properties, analyticsWorkspaceId: `/subscriptions/${sub}/resourceGroups/wp-rg/providers/Microsoft.OperationalInsights/workspaces/law2` } });
    expect([changed.status, changed.body.error.code, changed.body.error.target]).to.deep.equal([400, 'PropertyChangeNotAllowed', 'properties.analyticsWorkspaceId']);
    const zones = await run.client.put(url, { ...body, properties: { ...body.properties, availabilityZones: ['1', '2'] } });
    expect([zones.status, zones.body.error?.target]).to.deep.equal([400, 'properties.availabilityZones']);
    const kept = await run.client.put(url, { ...body, tags: { kept: 'yes' }, properties: { fabricControllerId: body.properties.fabricControllerId } });
    expect(kept.status, kept.text).to.equal(200);
    expect(kept.body.properties.analyticsWorkspaceId).to.match(/law1$/);
    await poll(kept);
    const sa = `${demo.storageApplianceIds[0]}?api-version=${V}`;
    const current = (await run.client.get(sa)).body;
    const rackSlot = await run.client.patch(sa, { properties: { rackSlot: current.properties.rackSlot + 1 } });
    expect(rackSlot.status).to.equal(400);
  });

  it('serves the rackSkus catalogue (every rackSkuId the demo hands out resolves) and the racks deploy made', async () => {
    const cluster = (await run.client.get(`${demo.clusterId}?api-version=${V}`)).body;
    const skuId = cluster.properties.aggregatorOrSingleRackDefinition.rackSkuId;
    const sku = await run.client.get(`${skuId}?api-version=${V}`);
    expect([sku.status, sku.body.properties.rackType]).to.deep.equal([200, 'Single']);
    const skus = await run.client.get(`/subscriptions/${sub}/providers/Microsoft.NetworkCloud/rackSkus?api-version=${V}`);
    expect(skus.body.value.map((s: { name: string }) => s.name)).to.include(sku.body.name);
    const put = await run.client.put(`${skuId}?api-version=${V}`, {});
    expect(put.status).to.equal(405);
    const machine = (await run.client.get(`${demo.bareMetalMachineIds[0]}?api-version=${V}`)).body;
    const rack = await run.client.get(`${machine.properties.rackId}?api-version=${V}`);
    expect([rack.status, rack.body.properties.clusterId]).to.deep.equal([200, demo.clusterId]);
    const patched = await run.client.patch(`${machine.properties.rackId}?api-version=${V}`, { properties: { rackLocation: 'Row 9' }, tags: { row: '9' } });
    expect([patched.status, patched.body.properties?.rackLocation]).to.deep.equal([200, 'Row 9']);
    expect((await run.client.delete(`${machine.properties.rackId}?api-version=${V}`)).status).to.equal(400);
    const versions = await run.client.get(`${rgPath(sub, 'wp-rg')}/providers/Microsoft.NetworkCloud/kubernetesVersions/default?api-version=${V}`);
    expect(versions.body.properties.values.length).to.be.greaterThan(0);
  });

  it('keeps the most recent actionStates entry of each action type', async () => {
    const m = `${demo.bareMetalMachineIds[1]}`;
    for (const action of ['cordon', 'uncordon', 'cordon']) {
      const r = await run.client.post(`${m}/${action}?api-version=${V}`, {});
      expect(r.status, r.text).to.equal(202);
      await poll(r);
    }
    const states = (await run.client.get(`${m}?api-version=${V}`)).body.properties.actionStates.map((a: { actionType: string }) => a.actionType);
    expect(states.filter((t: string) => t.endsWith('/cordon/action'))).to.have.length(1);
    expect(states[0]).to.equal('Microsoft.NetworkCloud/bareMetalMachines/cordon/action');
    expect(new Set(states).size).to.equal(states.length);
  });
});
