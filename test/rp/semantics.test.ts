/** etags and preconditions, PATCH merge, version projection, request validation, paging, secrets. */
import { expect } from 'chai';
import { clusterBody, clusterManagerBody } from '../helpers/bodies.js';
import { ncPath, rgPath, startEmulator, type Running } from '../helpers/emulator.js';

describe('ARM semantics', () => {
  let run: Running;
  let sub: string;
  let cmLocation: { name: string; type: string };
  const cluster = (v: string, name = 'c1') => `${ncPath(sub, 'rg1', 'clusters', name)}?api-version=${v}`;

  before(async () => {
    run = await startEmulator({ demo: true });
    sub = run.client.info.subscriptionId;
    await run.client.put(`${rgPath(sub, 'rg1')}?api-version=2021-04-01`, { location: 'eastus' });
    const cm = await run.client.put(`${ncPath(sub, 'rg1', 'clusterManagers', 'cm1')}?api-version=2025-09-01`, clusterManagerBody(sub, 'rg1'));
    cmLocation = cm.body.properties.managerExtendedLocation;
    const c = await run.client.put(cluster('2025-09-01'), clusterBody(sub, 'rg1', cmLocation));
    expect(c.status, c.text).to.equal(201);
  });
  after(() => run.stop());

  describe('etag and If-Match / If-None-Match (from 2025-02-01)', () => {
    it('shows an etag from 2025-02-01 on and hides it before', async () => {
      const now = await run.client.get(cluster('2025-02-01'));
      expect(now.body.etag).to.be.a('string');
      expect(now.headers.etag).to.equal(now.body.etag);
      const old = await run.client.get(cluster('2024-10-01-preview'));
      expect(old.body).to.not.have.property('etag');
    });

    it('updates with a matching If-Match, refuses a stale one with 412 and keeps the resource', async () => {
      const before = (await run.client.get(cluster('2025-09-01'))).body;
      const ok = await run.client.patch(cluster('2025-09-01'), { tags: { round: '1' } }, { headers: { 'If-Match': before.etag } });
      expect(ok.status, ok.text).to.be.oneOf([200, 202]);
      const after = (await run.client.get(cluster('2025-09-01'))).body;
      expect(after.etag).to.not.equal(before.etag);
      const stale = await run.client.patch(cluster('2025-09-01'), { tags: { round: '2' } }, { headers: { 'If-Match': before.etag } });
      expect(stale.status).to.equal(412);
      expect(stale.body.error.code).to.equal('PreconditionFailed');
      expect((await run.client.get(cluster('2025-09-01'))).body.tags).to.deep.equal({ round: '1' });
      const star = await run.client.put(cluster('2025-09-01'), clusterBody(sub, 'rg1', cmLocation), { headers: { 'If-None-Match': '*' } });
      expect(star.status).to.equal(412);
      const createOnly = await run.client.put(cluster('2025-09-01', 'c2'), clusterBody(sub, 'rg1', cmLocation), { headers: { 'If-None-Match': '*' } });
      expect(createOnly.status).to.equal(201);
      const deleteStale = await run.client.delete(cluster('2025-09-01', 'c2'), { headers: { 'If-Match': '"nope"' } });
      expect(deleteStale.status).to.equal(412);
    });

    it('ignores the precondition headers at versions that do not have them', async () => {
      const before = (await run.client.get(cluster('2025-09-01'))).body;
      const r = await run.client.patch(cluster('2024-07-01'), { tags: { round: '3' } }, { headers: { 'If-Match': '"stale"' } });
      expect(r.status, r.text).to.be.oneOf([200, 202]);
      const done = await run.client.poll(r);
      expect(done.status, done.text).to.equal(200);
      // The update was applied: the new tags are stored and the etag moved on.
      const after = (await run.client.get(cluster('2025-09-01'))).body;
      expect(after.tags).to.deep.equal({ round: '3' });
      expect(after.etag).to.not.equal(before.etag);
      expect((await run.client.get(cluster('2024-07-01'))).body.tags).to.deep.equal({ round: '3' });
      const none = await run.client.put(cluster('2024-07-01'), { ...clusterBody(sub, 'rg1', cmLocation), tags: { round: '4' } }, { headers: { 'If-None-Match': '*' } });
      expect(none.status, none.text).to.be.oneOf([200, 201]);
      await run.client.poll(none);
      expect((await run.client.get(cluster('2025-09-01'))).body.tags).to.deep.equal({ round: '4' });
    });
  });

  describe('version projection', () => {
    it('never shows a property at a version that lacks it', async () => {
      const old = (await run.client.get(cluster('2023-07-01'))).body;
      expect(old).to.not.have.property('identity');
      const v2024 = (await run.client.get(cluster('2024-07-01'))).body;
      expect(v2024.properties).to.not.have.property('secretArchiveSettings');
    });

    it('never accepts a property at a version that lacks it, and names it', async () => {
      const body = { ...clusterBody(sub, 'rg1', cmLocation), identity: { type: 'SystemAssigned' } };
      const r = await run.client.put(cluster('2023-07-01', 'c3'), body);
      expect(r.status).to.equal(400);
      expect(r.body.error.target).to.equal('identity');
      const p = await run.client.patch(cluster('2024-07-01'), { properties: { secretArchiveSettings: { vaultUri: 'https://kv.vault.azure.net/' } } });
      expect(p.status).to.equal(400);
      expect(p.body.error.target).to.equal('properties.secretArchiveSettings');
    });

    it('keeps what an older version cannot see when that version PUTs the resource', async () => {
      const set = await run.client.patch(cluster('2025-09-01'), { properties: { vulnerabilityScanningSettings: { containerScan: 'Disabled' } } });
      await run.client.poll(set);
      const old = (await run.client.get(cluster('2024-07-01'))).body;
      const put = await run.client.put(cluster('2024-07-01'), { location: old.location, extendedLocation: old.extendedLocation, properties: { ...clusterBody(sub, 'rg1', cmLocation).properties } });
      expect(put.status, put.text).to.equal(200);
      const now = (await run.client.get(cluster('2025-09-01'))).body;
      expect(now.properties.vulnerabilityScanningSettings).to.deep.equal({ containerScan: 'Disabled' });
    });

    it('clears a nullable property with null in PATCH', async () => {
      const r = await run.client.patch(cluster('2025-09-01'), { properties: { vulnerabilityScanningSettings: null } });
      await run.client.poll(r);
      expect((await run.client.get(cluster('2025-09-01'))).body.properties).to.not.have.property('vulnerabilityScanningSettings');
    });
  });

  describe('validation', () => {
    it('names the JSON path of a wrong type, a bad pattern, an unknown member and a missing required one', async () => {
      const base = clusterBody(sub, 'rg1', cmLocation);
      const cases: [unknown, string][] = [
        [{ ...base, properties: { ...base.properties, clusterVersion: 42 } }, 'properties.clusterVersion'],
        [{ ...base, properties: { ...base.properties, aggregatorOrSingleRackDefinition: { ...base.properties.aggregatorOrSingleRackDefinition, bareMetalMachineConfigurationData: [{ ...base.properties.aggregatorOrSingleRackDefinition.bareMetalMachineConfigurationData[0], bmcMacAddress: 'zz' }] } } }, 'properties.aggregatorOrSingleRackDefinition.bareMetalMachineConfigurationData[0].bmcMacAddress'],
        [{ ...base, properties: { ...base.properties, favouriteColour: 'blue' } }, 'properties.favouriteColour'],
        [{ ...base, properties: { ...base.properties, clusterType: undefined } }, 'properties.clusterType'],
      ];
      for (const [body, target] of cases) {
        const r = await run.client.put(cluster('2025-09-01', 'bad'), body);
        expect(r.status, JSON.stringify(body).slice(0, 80)).to.equal(400);
        expect(r.body.error.target).to.equal(target);
        expect(r.body.error.message).to.contain(target);
      }
      expect((await run.client.get(cluster('2025-09-01', 'bad'))).status).to.equal(404);
    });

    it('validates names: cluster names allow hyphens, machine names in rack definitions do not', async () => {
      const badName = await run.client.put(cluster('2025-09-01', '-bad-'), clusterBody(sub, 'rg1', cmLocation));
      expect(badName.status).to.equal(400);
      expect(badName.body.error.code).to.equal('InvalidResourceName');
      const base = clusterBody(sub, 'rg1', cmLocation);
      base.properties.aggregatorOrSingleRackDefinition.bareMetalMachineConfigurationData[0] = { ...base.properties.aggregatorOrSingleRackDefinition.bareMetalMachineConfigurationData[0], machineName: 'r01-c001' } as any;
      const r = await run.client.put(cluster('2025-09-01', 'c4'), base);
      expect(r.status).to.equal(400);
      expect(r.body.error.target).to.match(/machineName$/);
    });

    it('ignores read-only input and never returns secrets', async () => {
      const base = clusterBody(sub, 'rg1', cmLocation);
      const r = await run.client.put(cluster('2025-09-01', 'c5'), { ...base, id: 'ignored', properties: { ...base.properties, detailedStatus: 'Running', clusterServicePrincipal: { applicationId: 'a', principalId: 'p', tenantId: 't', password: 'sp-secret' } } });
      expect(r.status, r.text).to.equal(201);
      expect(r.body.properties.detailedStatus).to.equal('PendingDeployment');
      expect(r.body.id).to.contain('/clusters/c5');
      const text = (await run.client.get(cluster('2025-09-01', 'c5'))).text;
      expect(text).to.not.contain('sp-secret').and.not.contain('bmc-secret');
      expect(JSON.parse(text).properties.clusterServicePrincipal).to.deep.equal({ applicationId: 'a', principalId: 'p', tenantId: 't' });
    });

    it('accepts a GET body PUT back unchanged (az identity assign does this): secrets and create-only values are kept', async () => {
      const cm = await run.client.get(`${ncPath(sub, 'rg1', 'clusterManagers', 'cm1')}?api-version=2025-09-01`);
      const cmPut = await run.client.put(`${ncPath(sub, 'rg1', 'clusterManagers', 'cm1')}?api-version=2025-09-01`, { ...cm.body, identity: { type: 'SystemAssigned' } });
      expect(cmPut.status, cmPut.text).to.equal(200);
      const got = await run.client.get(cluster('2025-09-01'));
      const put = await run.client.put(cluster('2025-09-01'), { ...got.body, tags: { via: 'get-then-put' } });
      expect(put.status, put.text).to.equal(200);
      await run.client.poll(put);
      const stored = run.emu.store.get<any>('resources', got.body.id.toLowerCase());
      expect(stored.resource.properties.aggregatorOrSingleRackDefinition.bareMetalMachineConfigurationData[0].bmcCredentials.password).to.equal('bmc-secret-1-0');
      expect((await run.client.get(cluster('2025-09-01'))).body.tags).to.deep.equal({ via: 'get-then-put' });
    });

    it('refuses to change create-only properties', async () => {
      const base = clusterBody(sub, 'rg1', cmLocation);
      const moved = await run.client.put(cluster('2025-09-01', 'c5'), { ...base, location: 'westus3' });
      expect(moved.status).to.equal(400);
      expect(moved.body.error.code).to.equal('InvalidResourceLocation');
    });
  });

  describe('paging', () => {
    it('pages lists with nextLink and honours $top from 2025-07-01-preview', async () => {
      run.emu.pageSize = 2;
      try {
        const mrg = run.client.info.demo!.managedResourceGroup;
        const seen: string[] = [];
        let next: string | undefined = `${ncPath(sub, mrg, 'bareMetalMachines')}?api-version=2024-07-01`;
        while (next) {
          const page: any = await run.client.get(next);
          expect(page.status).to.equal(200);
          expect(page.body.value.length).to.be.at.most(2);
          seen.push(...page.body.value.map((m: { name: string }) => m.name));
          next = page.body.nextLink;
        }
        expect(seen).to.have.length(6);
        expect(new Set(seen).size).to.equal(6);
        const top = await run.client.get(`${ncPath(sub, mrg, 'bareMetalMachines')}?api-version=2025-09-01&$top=1`);
        expect(top.body.value).to.have.length(1);
        expect(decodeURIComponent(top.body.nextLink)).to.contain('$top=1');
        const bySub = await run.client.get(`/subscriptions/${sub}/providers/Microsoft.NetworkCloud/bareMetalMachines?api-version=2025-09-01&$top=50`);
        expect(bySub.body.value).to.have.length(6);
        expect(bySub.body).to.not.have.property('nextLink');
        const badToken = await run.client.get(`${ncPath(sub, mrg, 'bareMetalMachines')}?api-version=2025-09-01&$skipToken=garbage`);
        expect(badToken.status).to.equal(400);
        const badTop = await run.client.get(`${ncPath(sub, mrg, 'bareMetalMachines')}?api-version=2025-09-01&$top=-1`);
        expect(badTop.status).to.equal(400);
      } finally {
        run.emu.pageSize = 100;
      }
    });
  });
});
