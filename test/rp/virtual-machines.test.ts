/**
 * Virtual machines, consoles, key sets, volumes and metrics configurations, black-box over HTTPS:
 * placement on a machine with room, power actions moving powerState and detailedStatus over the
 * operation's time, evacuation on cordon, SSH key checks, expiry on the emulator's clock.
 */
import { expect } from 'chai';
import { clusterBody, clusterManagerBody } from '../helpers/bodies.js';
import { ncPath, rgPath, startEmulator, type Reply, type Running } from '../helpers/emulator.js';
import { sshKey } from '../helpers/ssh.js';

const V = '2026-07-01';

describe('virtual machines, consoles, key sets, volumes and metrics configurations', function () {
  this.timeout(60_000);
  let run: Running;
  let sub: string;
  let cluster: any;
  let mrg: string;
  let csn: string;
  const ED = sshKey('ed25519');
  const RSA = sshKey('rsa');
  const machine = (name: string) => `${ncPath(sub, mrg, 'bareMetalMachines', name)}`;
  const vmPath = (name: string) => ncPath(sub, 'rg1', 'virtualMachines', name);

  const vmBody = (extra: Record<string, unknown> = {}) => ({
    location: 'eastus',
    extendedLocation: cluster.properties.clusterExtendedLocation,
    properties: {
      adminUsername: 'azureuser',
      cloudServicesNetworkAttachment: { attachedNetworkId: csn, ipAllocationMethod: 'Dynamic' },
      cpuCores: 4,
      memorySizeGB: 8,
      storageProfile: { osDisk: { diskSizeGB: 120 } },
      vmImage: 'myacr.azurecr.io/ubuntu:24.04',
      sshPublicKeys: [{ keyData: ED }],
      ...extra,
    },
  });

  async function done(r: Reply): Promise<Reply> {
    const end = await run.client.poll(r);
    expect(end.body?.status ?? end.status, end.text).to.be.oneOf(['Succeeded', 200]);
    return end;
  }
  const get = async (p: string) => (await run.client.get(`${p}?api-version=${V}`)).body;
  async function createVm(name: string, extra: Record<string, unknown> = {}) {
    const r = await run.client.put(`${vmPath(name)}?api-version=${V}`, vmBody(extra));
    expect(r.status, r.text).to.equal(201);
    await done(r);
    return get(vmPath(name));
  }
  async function action(p: string, name: string, body?: unknown) {
    const r = await run.client.post(`${p}/${name}?api-version=${V}`, body);
    expect(r.status, r.text).to.equal(202);
    return r;
  }
  const advance = async (by: string) => {
    const r = await run.client.post('/_emulator/clock', { advance: by });
    expect(r.status, r.text).to.equal(200);
  };

  before(async () => {
    // Operations take a moment, so the states an action passes through can be read while it runs.
    run = await startEmulator({ operationDurationMs: 250 });
    sub = run.client.info.subscriptionId;
    const c = run.client;
    await c.put(`${rgPath(sub, 'rg1')}?api-version=2021-04-01`, { location: 'eastus' });
    await done(await c.put(`${ncPath(sub, 'rg1', 'clusterManagers', 'cm1')}?api-version=${V}`, clusterManagerBody(sub, 'rg1')));
    const cm = await get(ncPath(sub, 'rg1', 'clusterManagers', 'cm1'));
    // One rack of 8 machines: slots 6 to 8 are the compute machines (48 cores, 512 GB each).
    mrg = 'vm-mrg';
    await done(await c.put(`${ncPath(sub, 'rg1', 'clusters', 'c1')}?api-version=${V}`, clusterBody(sub, 'rg1', cm.properties.managerExtendedLocation, { machines: 8, mrg })));
    await done(await c.post(`${ncPath(sub, 'rg1', 'clusters', 'c1')}/deploy?api-version=${V}`, {}));
    cluster = await get(ncPath(sub, 'rg1', 'clusters', 'c1'));
    const net = await c.put(`${ncPath(sub, 'rg1', 'cloudServicesNetworks', 'csn1')}?api-version=${V}`, { location: 'eastus', extendedLocation: cluster.properties.clusterExtendedLocation, properties: {} });
    expect(net.status, net.text).to.equal(201);
    await done(net);
    csn = ncPath(sub, 'rg1', 'cloudServicesNetworks', 'csn1');
  });
  after(() => run.stop());

  describe('virtual machines', () => {
    it('places a new VM on a compute machine of its cluster and attaches its network and volume', async () => {
      const vol = await run.client.put(`${ncPath(sub, 'rg1', 'volumes', 'data1')}?api-version=${V}`, { location: 'eastus', extendedLocation: cluster.properties.clusterExtendedLocation, properties: { sizeMiB: 10240 } });
      expect(vol.status, vol.text).to.equal(201);
      await done(vol);
      const volumeId = ncPath(sub, 'rg1', 'volumes', 'data1');
      const created = await run.client.put(`${vmPath('vm1')}?api-version=${V}`, vmBody({ storageProfile: { osDisk: { diskSizeGB: 120 }, volumeAttachments: [volumeId] } }));
      expect(created.status, created.text).to.equal(201);
      expect(created.body.properties).to.include({ provisioningState: 'Accepted', detailedStatus: 'Provisioning', powerState: 'Off' });
      await done(created);
      const vm = await get(vmPath('vm1'));
      expect(vm.properties).to.include({ provisioningState: 'Succeeded', detailedStatus: 'Running', powerState: 'On', clusterId: cluster.id, availabilityZone: '1' });
      expect(vm.properties.bareMetalMachineId).to.be.oneOf(['r01c006', 'r01c007', 'r01c008'].map(machine));
      expect(vm.properties.detailedStatusMessage).to.contain(vm.properties.bareMetalMachineId.split('/').pop());
      expect(vm.properties.volumes).to.deep.equal([volumeId]);
      expect(vm.properties.cloudServicesNetworkAttachment.macAddress).to.match(/^02(:[0-9a-f]{2}){5}$/);
      const volume = await get(volumeId);
      expect(volume.properties.attachedTo).to.deep.equal([vm.id]);
      expect(volume.properties).to.include({ sizeMiB: 10240, allocatedSizeMiB: 10240, detailedStatus: 'Active', assignedStorageApplianceId: ncPath(sub, mrg, 'storageAppliances', 'r01s030') });
      expect(volume.properties.serialNumber).to.match(/^[0-9A-F]{24}$/);
      // In use, the volume cannot go, and nor can it be attached to a second VM.
      const del = await run.client.delete(`${volumeId}?api-version=${V}`);
      expect([del.status, del.body.error.code]).to.deep.equal([409, 'ResourceInUse']);
      const second = await run.client.put(`${vmPath('vm1b')}?api-version=${V}`, vmBody({ storageProfile: { osDisk: { diskSizeGB: 120 }, volumeAttachments: [volumeId] } }));
      expect([second.status, second.body.error.code]).to.deep.equal([409, 'VolumeInUse']);
    });

    it('refuses a VM no machine has room for, and a VM outside any cluster or with a bad SSH key', async () => {
      const tooBig = await run.client.put(`${vmPath('huge')}?api-version=${V}`, vmBody({ cpuCores: 49 }));
      expect([tooBig.status, tooBig.body.error.code]).to.deep.equal([409, 'AllocationFailed']);
      expect(tooBig.body.error.message).to.match(/49 cores and 8 GB/);
      expect((await run.client.get(`${vmPath('huge')}?api-version=${V}`)).status).to.equal(404);
      const tooMuchMemory = await run.client.put(`${vmPath('huge')}?api-version=${V}`, vmBody({ memorySizeGB: 513 }));
      expect([tooMuchMemory.status, tooMuchMemory.body.error.code]).to.deep.equal([409, 'AllocationFailed']);
      const nowhere = await run.client.put(`${vmPath('lost')}?api-version=${V}`, { ...vmBody(), extendedLocation: { name: `${rgPath(sub, 'rg1')}/providers/Microsoft.ExtendedLocation/customLocations/nope`, type: 'CustomLocation' } });
      expect([nowhere.status, nowhere.body.error.code]).to.deep.equal([400, 'InvalidExtendedLocation']);
      const badKey = await run.client.put(`${vmPath('badkey')}?api-version=${V}`, vmBody({ sshPublicKeys: [{ keyData: 'ssh-rsa AAAAB3NzaC1yc2E ops' }] }));
      expect([badKey.status, badKey.body.error.code, badKey.body.error.target]).to.deep.equal([400, 'InvalidRequestContent', 'properties.sshPublicKeys[0].keyData']);
    });

    it('spreads VMs over the machines with room, honours hard placement hints, and fills a cluster up', async () => {
      // All machines empty, vm1 (4 cores) went to the first: r01c006. 44-core VMs then fill each compute machine.
      const vm1 = await get(vmPath('vm1'));
      expect(vm1.properties.bareMetalMachineId).to.equal(machine('r01c006'));
      const hinted = await createVm('big1', { cpuCores: 44, placementHints: [{ hintType: 'Affinity', resourceId: machine('r01c007'), schedulingExecution: 'Hard', scope: 'Machine' }] });
      expect(hinted.properties.bareMetalMachineId).to.equal(machine('r01c007'));
      // Anti-affinity to vm1 (a VM: its machine) rules out r01c006; r01c007 has only 4 cores left.
      const anti = await createVm('big2', { cpuCores: 44, placementHints: [{ hintType: 'AntiAffinity', resourceId: vmPath('vm1'), schedulingExecution: 'Hard', scope: 'Machine' }] });
      expect(anti.properties.bareMetalMachineId).to.equal(machine('r01c008'));
      const big3 = await createVm('big3', { cpuCores: 44 });
      expect(big3.properties.bareMetalMachineId).to.equal(machine('r01c006'));
      const full = await run.client.put(`${vmPath('big4')}?api-version=${V}`, vmBody({ cpuCores: 8 }));
      expect([full.status, full.body.error.code]).to.deep.equal([409, 'AllocationFailed']);
      // Stopped VMs hold no capacity: a powered-off big2 leaves room for big4.
      await done(await action(vmPath('big2'), 'powerOff', { skipShutdown: 'True' }));
      const big4 = await createVm('big4', { cpuCores: 8 });
      expect(big4.properties.bareMetalMachineId).to.equal(anti.properties.bareMetalMachineId);
      // ...and big2 cannot start again until something makes room.
      const refused = await run.client.post(`${vmPath('big2')}/start?api-version=${V}`, {});
      expect([refused.status, refused.body.error.code]).to.deep.equal([409, 'AllocationFailed']);
      for (const n of ['big1', 'big2', 'big3', 'big4']) await done(await run.client.delete(`${vmPath(n)}?api-version=${V}`));
    });

    it('powers off gracefully or at once (skipShutdown), starts, restarts and reimages, moving powerState and detailedStatus', async () => {
      const p = vmPath('vm1');
      let r = await action(p, 'powerOff', { skipShutdown: 'False' });
      expect((await get(p)).properties).to.include({ powerState: 'On', detailedStatus: 'Running' });
      expect((await get(p)).properties.detailedStatusMessage).to.match(/shutting down/);
      await done(r);
      expect((await get(p)).properties).to.include({ powerState: 'Off', detailedStatus: 'Stopped', detailedStatusMessage: 'The virtual machine was shut down and powered off.' });
      const restartOff = await run.client.post(`${p}/restart?api-version=${V}`, {});
      expect([restartOff.status, restartOff.body.error.code]).to.deep.equal([409, 'VirtualMachineNotRunning']);

      r = await action(p, 'start', {});
      expect((await get(p)).properties).to.include({ powerState: 'Off', detailedStatus: 'Scheduling' });
      const busy = await run.client.post(`${p}/restart?api-version=${V}`, {});
      expect([busy.status, busy.body.error.code]).to.deep.equal([409, 'AnotherOperationInProgress']);
      await done(r);
      expect((await get(p)).properties).to.include({ powerState: 'On', detailedStatus: 'Running' });

      r = await action(p, 'powerOff', { skipShutdown: 'True' });
      expect((await get(p)).properties).to.include({ powerState: 'Off', detailedStatus: 'Stopped', detailedStatusMessage: 'The virtual machine was powered off without a guest shutdown.' });
      await done(r);
      await done(await action(p, 'start', {}));

      r = await action(p, 'restart', {});
      expect((await get(p)).properties).to.include({ powerState: 'Off', detailedStatus: 'Scheduling' });
      await done(r);
      expect((await get(p)).properties).to.include({ powerState: 'On', detailedStatus: 'Running' });
      expect((await get(p)).properties.detailedStatusMessage).to.match(/restarted/);

      r = await action(p, 'reimage', {});
      expect((await get(p)).properties).to.include({ powerState: 'Off', detailedStatus: 'Provisioning' });
      await done(r);
      const after = await get(p);
      expect(after.properties).to.include({ powerState: 'On', detailedStatus: 'Running' });
      expect(after.properties.detailedStatusMessage).to.contain('reimaged from myacr.azurecr.io/ubuntu:24.04');

      const badBody = await run.client.post(`${p}/powerOff?api-version=${V}`, { skipShutdown: 'Maybe' });
      expect([badBody.status, badBody.body.error.target]).to.deep.equal([400, 'skipShutdown']);
    });

    it('has assignRelay where its version does, checking the machine it names', async () => {
      const p = vmPath('vm1');
      const wrong = await run.client.post(`${p}/assignRelay?api-version=${V}`, { machineId: `${rgPath(sub, 'rg1')}/providers/Microsoft.NetworkCloud/bareMetalMachines/nope` });
      expect([wrong.status, wrong.body.error.code, wrong.body.error.target]).to.deep.equal([400, 'InvalidRequestContent', 'machineId']);
      const missing = await run.client.post(`${p}/assignRelay?api-version=${V}`, {});
      expect(missing.status).to.equal(400);
      const r = await action(p, 'assignRelay', { machineId: machine('r01c006'), relayType: 'Public' });
      const end = await run.client.poll(r);
      expect(end.status, end.text).to.equal(200);
      expect(end.body.properties.outputHead).to.contain("Public relay of virtual machine 'vm1' is assigned to bare metal machine 'r01c006'");
      // 2025-02-01 has no assignRelay.
      const old = await run.client.post(`${p}/assignRelay?api-version=2025-02-01`, { machineId: machine('r01c006') });
      expect(old.status).to.equal(404);
    });

    it('leaves VMs in place on a cordon without evacuation, and moves or stops them with evacuation', async () => {
      const a = await createVm('ev1', { cpuCores: 30 });
      const home = a.properties.bareMetalMachineId;
      const homeName = home.split('/').pop();
      await done(await action(machine(homeName), 'cordon', { evacuate: 'False' }));
      expect((await get(machine(homeName))).properties.cordonStatus).to.equal('Cordoned');
      expect((await get(vmPath('ev1'))).properties).to.include({ bareMetalMachineId: home, powerState: 'On', detailedStatus: 'Running' });
      // A cordoned machine takes no new VMs.
      const placed = await createVm('ev2', { cpuCores: 30, placementHints: [{ hintType: 'AntiAffinity', resourceId: vmPath('vm1'), schedulingExecution: 'Hard', scope: 'Machine' }] });
      expect(placed.properties.bareMetalMachineId).to.not.equal(home);
      await done(await action(machine(homeName), 'uncordon', {}));

      // Now r01c006 has vm1 (4 cores), ev1's machine ev1 (30), ev2's machine ev2 (30). Evacuating ev1's
      // machine moves ev1 to the only machine with 30 cores free: r01c006.
      const ev2Home = placed.properties.bareMetalMachineId;
      expect([home, ev2Home]).to.have.members([machine('r01c007'), machine('r01c008')]);
      await done(await action(machine(homeName), 'cordon', { evacuate: 'True' }));
      const moved = await get(vmPath('ev1'));
      expect(moved.properties).to.include({ bareMetalMachineId: machine('r01c006'), powerState: 'On', detailedStatus: 'Running' });
      expect(moved.properties.detailedStatusMessage).to.contain(`evacuated from cordoned bare metal machine '${homeName}' and restarted on 'r01c006'`);
      await done(await action(machine(homeName), 'uncordon', {}));

      // ev3 takes the emptied machine; then no machine has 30 cores free, so evacuating ev2's machine stops ev2.
      expect((await createVm('ev3', { cpuCores: 30 })).properties.bareMetalMachineId).to.equal(home);
      const ev2Name = ev2Home.split('/').pop();
      await done(await action(machine(ev2Name), 'cordon', { evacuate: 'True' }));
      const stopped = await get(vmPath('ev2'));
      expect(stopped.properties).to.include({ powerState: 'Off', detailedStatus: 'Stopped', bareMetalMachineId: ev2Home });
      expect(stopped.properties.detailedStatusMessage).to.match(/no other machine has room/);
      // Starting it while its machine is cordoned finds no room either; after uncordon it starts where it was.
      const noRoom = await run.client.post(`${vmPath('ev2')}/start?api-version=${V}`, {});
      expect([noRoom.status, noRoom.body.error.code]).to.deep.equal([409, 'AllocationFailed']);
      await done(await action(machine(ev2Name), 'uncordon', {}));
      await done(await action(vmPath('ev2'), 'start', {}));
      expect((await get(vmPath('ev2'))).properties).to.include({ powerState: 'On', detailedStatus: 'Running', bareMetalMachineId: ev2Home });
      for (const n of ['ev1', 'ev2', 'ev3']) await done(await run.client.delete(`${vmPath(n)}?api-version=${V}`));
    });
  });

  describe('consoles', () => {
    const consolePath = () => `${vmPath('vm1')}/consoles/default`;
    it('carries its key, enabled and expiration, with an access id, and shows Error once the clock passes the expiration', async () => {
      const now = Date.parse((await run.client.get('/_emulator/clock')).body.now);
      const expiration = new Date(now + 3_600_000).toISOString();
      const bad = await run.client.put(`${consolePath()}?api-version=${V}`, { location: 'eastus', extendedLocation: cluster.properties.clusterExtendedLocation, properties: { enabled: 'True', expiration, sshPublicKey: { keyData: 'ssh-ed25519 AAAA' } } });
      expect([bad.status, bad.body.error.target]).to.deep.equal([400, 'properties.sshPublicKey.keyData']);
      const r = await run.client.put(`${consolePath()}?api-version=${V}`, { location: 'eastus', extendedLocation: cluster.properties.clusterExtendedLocation, properties: { enabled: 'True', expiration, sshPublicKey: { keyData: RSA } } });
      expect(r.status, r.text).to.equal(201);
      await done(r);
      let con = await get(consolePath());
      expect(con.properties).to.include({ enabled: 'True', expiration, detailedStatus: 'Ready', provisioningState: 'Succeeded' });
      expect(con.properties.sshPublicKey.keyData).to.equal(RSA);
      expect(con.properties.virtualMachineAccessId).to.match(/^[0-9a-f-]{36}$/);
      expect(con.properties.privateLinkServiceId).to.match(new RegExp(`/resourceGroups/${mrg}/providers/Microsoft.Network/privateLinkServices/`));
      await advance('2h');
      con = await get(consolePath());
      expect(con.properties.detailedStatus).to.equal('Error');
      expect(con.properties.detailedStatusMessage).to.contain(`expired at ${expiration}`);
      const listed = (await run.client.get(`${vmPath('vm1')}/consoles?api-version=${V}`)).body.value;
      expect(listed[0].properties.detailedStatus).to.equal('Error');
      const later = new Date(now + 10 * 3_600_000).toISOString();
      await done(await run.client.patch(`${consolePath()}?api-version=${V}`, { properties: { expiration: later, enabled: 'False' } }));
      con = await get(consolePath());
      expect(con.properties).to.include({ detailedStatus: 'Ready', enabled: 'False', expiration: later });
      expect(con.properties.detailedStatusMessage).to.match(/disabled/);
    });
  });

  describe('key sets', () => {
    const keyset = (type: string, name: string) => `${ncPath(sub, 'rg1', 'clusters', 'c1')}/${type}/${name}`;
    it('validates each user\'s SSH key, keeps the settings, and expires with the clock until a new expiration', async () => {
      const now = Date.parse((await run.client.get('/_emulator/clock')).body.now);
      const expiration = new Date(now + 24 * 3_600_000).toISOString();
      const body = {
        location: 'eastus',
        extendedLocation: cluster.extendedLocation,
        properties: {
          azureGroupId: 'f110271b-XXXX-4163-9b99-214d91660f0e',
          expiration,
          jumpHostsAllowed: ['192.0.2.1', '2001:db8::1'],
          osGroupName: 'opsgroup',
          privilegeLevel: 'Standard',
          userList: [
            { azureUserName: 'alice', description: 'on call', sshPublicKey: { keyData: ED } },
            { azureUserName: 'bob', sshPublicKey: { keyData: RSA } },
            { azureUserName: 'carol', sshPublicKey: { keyData: 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQAB carol' } },
            { azureUserName: 'dave', sshPublicKey: { keyData: sshKey('rsa', 1024) } },
            { azureUserName: 'frank', sshPublicKey: { keyData: sshKey('ecdsa') } },
            // An Ed25519 key's data under the RSA type name.
            { azureUserName: 'grace', sshPublicKey: { keyData: `ssh-rsa ${ED.split(' ')[1]}` } },
          ],
        },
      };
      const p = keyset('bareMetalMachineKeySets', 'ops');
      const r = await run.client.put(`${p}?api-version=${V}`, body);
      expect(r.status, r.text).to.equal(201);
      expect(r.body.properties.detailedStatus).to.equal('Validating');
      await done(r);
      const clockNow = (await run.client.get('/_emulator/clock')).body.now;
      let ks = await get(p);
      expect(ks.properties).to.include({ detailedStatus: 'SomeInvalid', osGroupName: 'opsgroup', privilegeLevel: 'Standard', expiration });
      expect(ks.properties.jumpHostsAllowed).to.deep.equal(['192.0.2.1', '2001:db8::1']);
      expect(Date.parse(ks.properties.lastValidation)).to.be.within(now, Date.parse(clockNow));
      const status = Object.fromEntries(ks.properties.userListStatus.map((s: any) => [s.azureUserName, s]));
      expect(status.alice.status).to.equal('Active');
      expect(status.bob.status).to.equal('Active');
      expect(status.carol).to.include({ status: 'Invalid' });
      expect(status.carol.statusMessage).to.equal('The SSH public key is not valid: the key data ends early.');
      expect(status.dave.statusMessage).to.match(/1024 bits; at least 2048/);
      expect(status.frank.status).to.equal('Active');
      expect(status.grace.statusMessage).to.equal("The SSH public key is not valid: the key data is a 'ssh-ed25519' key, not 'ssh-rsa'.");

      const jump = await run.client.put(`${keyset('bareMetalMachineKeySets', 'bad')}?api-version=${V}`, { ...body, properties: { ...body.properties, jumpHostsAllowed: ['jumpbox'] } });
      expect([jump.status, jump.body.error.target]).to.deep.equal([400, 'properties.jumpHostsAllowed[0]']);

      await advance('25h');
      ks = await get(p);
      expect(ks.properties.detailedStatus).to.equal('AllInvalid');
      expect(ks.properties.detailedStatusMessage).to.contain(`expired at ${expiration}`);
      expect(ks.properties.userListStatus.every((s: any) => s.status === 'Invalid' && /expired/.test(s.statusMessage))).to.equal(true);

      const renewed = new Date(now + 72 * 3_600_000).toISOString();
      await done(await run.client.patch(`${p}?api-version=${V}`, { properties: { expiration: renewed, userList: body.properties.userList.slice(0, 2) } }));
      ks = await get(p);
      expect(ks.properties).to.include({ detailedStatus: 'AllActive', expiration: renewed });
      expect(ks.properties.userListStatus.map((s: any) => s.status)).to.deep.equal(['Active', 'Active']);
    });

    it('does the same for BMC key sets', async () => {
      const now = Date.parse((await run.client.get('/_emulator/clock')).body.now);
      const p = keyset('bmcKeySets', 'bmc');
      const r = await run.client.put(`${p}?api-version=${V}`, {
        location: 'eastus',
        extendedLocation: cluster.extendedLocation,
        properties: { azureGroupId: 'g1', expiration: new Date(now + 60_000).toISOString(), privilegeLevel: 'ReadOnly', userList: [{ azureUserName: 'erin', sshPublicKey: { keyData: 'not a key' } }] },
      });
      expect(r.status, r.text).to.equal(201);
      await done(r);
      let ks = await get(p);
      expect(ks.properties).to.include({ detailedStatus: 'AllInvalid', privilegeLevel: 'ReadOnly' });
      expect(ks.properties.userListStatus[0].statusMessage).to.match(/type 'not' is not supported/);
      await done(await run.client.patch(`${p}?api-version=${V}`, { properties: { userList: [{ azureUserName: 'erin', sshPublicKey: { keyData: ED } }] } }));
      expect((await get(p)).properties.detailedStatus).to.equal('AllActive');
      await advance('2m');
      ks = await get(p);
      expect(ks.properties.detailedStatus).to.equal('AllInvalid');
    });
  });

  describe('metrics configurations', () => {
    const mc = (name: string) => `${ncPath(sub, 'rg1', 'clusters', 'c1')}/metricsConfigurations/${name}`;
    const body = (enabledMetrics?: string[]) => ({ location: 'eastus', extendedLocation: cluster.extendedLocation, properties: { collectionInterval: 15, ...(enabledMetrics ? { enabledMetrics } : {}) } });
    it('is named default, enables metrics of its catalogue only, and lists the rest as disabled', async () => {
      const named = await run.client.put(`${mc('mine')}?api-version=${V}`, body());
      expect([named.status, named.body.error.code]).to.deep.equal([400, 'InvalidResourceName']);
      const unknown = await run.client.put(`${mc('default')}?api-version=${V}`, body(['node_arp_entries', 'no_such_metric']));
      expect([unknown.status, unknown.body.error.code, unknown.body.error.target]).to.deep.equal([400, 'InvalidRequestContent', 'properties.enabledMetrics[1]']);
      const r = await run.client.put(`${mc('default')}?api-version=${V}`, body(['node_arp_entries', 'node_vmstat_oom_kill']));
      expect(r.status, r.text).to.equal(201);
      await done(r);
      const m = await get(mc('default'));
      expect(m.properties).to.include({ detailedStatus: 'Applied', collectionInterval: 15 });
      expect(m.properties.enabledMetrics).to.deep.equal(['node_arp_entries', 'node_vmstat_oom_kill']);
      expect(m.properties.disabledMetrics).to.include('node_boot_time_seconds').and.not.include('node_arp_entries');
      const total = m.properties.disabledMetrics.length + 2;
      await done(await run.client.patch(`${mc('default')}?api-version=${V}`, { properties: { enabledMetrics: [] } }));
      const cleared = await get(mc('default'));
      expect(cleared.properties.disabledMetrics).to.have.length(total);
    });
  });

  describe('deleting', () => {
    it('frees a VM\'s volume when the VM goes, and takes its consoles with it', async () => {
      await done(await run.client.delete(`${vmPath('vm1')}?api-version=${V}`));
      expect((await run.client.get(`${vmPath('vm1')}/consoles/default?api-version=${V}`)).status).to.equal(404);
      const volumeId = ncPath(sub, 'rg1', 'volumes', 'data1');
      expect((await get(volumeId)).properties.attachedTo).to.deep.equal([]);
      await done(await run.client.delete(`${volumeId}?api-version=${V}`));
      expect((await run.client.get(`${volumeId}?api-version=${V}`)).status).to.equal(404);
    });
  });
});
