/**
 * The real @azure/arm-resources ResourceManagementClient and @azure/identity credentials, unchanged,
 * against the emulator over HTTPS; the emulator's CA is the only extra trust (an https.Agent).
 */
import { ResourceManagementClient } from '@azure/arm-resources';
import { ClientSecretCredential, DefaultAzureCredential } from '@azure/identity';
import { expect } from 'chai';
import https from 'node:https';
import { startEmulator, type Running } from '../helpers/emulator.js';

describe('real Azure SDK clients', function () {
  this.timeout(60_000);
  let run: Running;
  let agent: https.Agent;
  let credential: ClientSecretCredential;
  let client: ResourceManagementClient;
  const ENV = ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_AUTHORITY_HOST'] as const;
  const saved = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));

  before(async () => {
    run = await startEmulator({ demo: true, operationDurationMs: 200 });
    agent = new https.Agent({ ca: run.client.ca });
    const info = run.client.info;
    credential = new ClientSecretCredential(info.tenantId, info.clientId, info.clientSecret, {
      authorityHost: info.endpoint,
      disableInstanceDiscovery: true,
      additionallyAllowedTenants: ['*'],
      agent,
    } as any);
    client = new ResourceManagementClient(credential, info.subscriptionId, {
      endpoint: info.endpoint,
      credentialScopes: ['https://management.azure.com/.default'],
      agent,
    } as any);
  });
  after(async () => {
    for (const k of ENV) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    agent.destroy();
    await run.stop();
  });

  it('manages resource groups', async () => {
    const created = await client.resourceGroups.createOrUpdate('sdk-rg', { location: 'eastus', tags: { from: 'sdk' } });
    expect(created.name).to.equal('sdk-rg');
    const got = await client.resourceGroups.get('SDK-RG');
    expect(got.tags).to.deep.equal({ from: 'sdk' });
    const names: string[] = [];
    for await (const g of client.resourceGroups.list()) names.push(g.name!);
    expect(names).to.include.members(['sdk-rg', 'nexus-demo-rg']);
    expect((await client.resourceGroups.checkExistence('sdk-rg')).body).to.equal(true);
    await client.resourceGroups.beginDeleteAndWait('sdk-rg');
    expect((await client.resourceGroups.checkExistence('sdk-rg')).body).to.equal(false);
  });

  it('reads the provider registration', async () => {
    const provider = await client.providers.get('Microsoft.NetworkCloud');
    expect(provider.registrationState).to.equal('Registered');
    const bmm = provider.resourceTypes!.find((t) => t.resourceType === 'bareMetalMachines')!;
    expect(bmm.apiVersions).to.include('2025-09-01');
  });

  it('gets a bare metal machine by id at 2025-09-01, with caCertificate', async () => {
    const id = run.client.info.demo!.bareMetalMachineIds[0];
    const bmm = await client.resources.getById(id, '2025-09-01');
    expect(bmm.id).to.equal(id);
    expect((bmm.properties as any).caCertificate.hash).to.match(/^[0-9a-f]{64}$/);
    const old = await client.resources.getById(id, '2025-02-01');
    expect((old.properties as any).caCertificate).to.equal(undefined);
  });

  it('lists a resource group\'s resources', async () => {
    const items: string[] = [];
    for await (const r of client.resources.listByResourceGroup(run.client.info.demo!.managedResourceGroup)) items.push(r.type!);
    expect(items.filter((t) => t === 'Microsoft.NetworkCloud/bareMetalMachines')).to.have.length(6);
  });

  it('updates and deletes a cluster through the long-running operation pollers', async () => {
    const clusterId = run.client.info.demo!.clusterId;
    const updated = await client.resources.beginUpdateByIdAndWait(clusterId, '2025-09-01', { tags: { patched: 'by-sdk' } }, { updateIntervalInMs: 50 });
    expect(updated.tags).to.deep.equal({ patched: 'by-sdk' });
    expect((updated.properties as any).provisioningState).to.equal('Succeeded');
    await client.resources.beginDeleteByIdAndWait(clusterId, '2025-09-01', { updateIntervalInMs: 50 });
    expect((await client.resources.checkExistenceById(clusterId, '2025-09-01')).body).to.equal(false);
  });

  // ManagedIdentityCredential is exercised in test/identity/sdk.test.ts (MSAL keeps its managed
  // identity source process-wide, so one suite owns it).
  it('gets tokens with DefaultAzureCredential from environment variables', async () => {
    const info = run.client.info;
    Object.assign(process.env, { AZURE_TENANT_ID: info.tenantId, AZURE_CLIENT_ID: info.clientId, AZURE_CLIENT_SECRET: info.clientSecret, AZURE_AUTHORITY_HOST: info.endpoint });
    const dac = new DefaultAzureCredential({ agent, disableInstanceDiscovery: true } as any);
    const viaDefault = new ResourceManagementClient(dac, info.subscriptionId, { endpoint: info.endpoint, credentialScopes: ['https://management.azure.com/.default'], agent } as any);
    const group = await viaDefault.resourceGroups.get('nexus-demo-rg');
    expect(group.location).to.equal('eastus');
  });
});
