/**
 * A running emulator plus the steps the key vault, RBAC and rotation tests share: vaults,
 * user-assigned identities, role assignments, cluster managers and deployed clusters, the clock,
 * and real @azure/identity + @azure/keyvault-secrets clients that trust the emulator's CA in-process.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import https from 'node:https';
import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { clusterBody, clusterManagerBody } from '../helpers/bodies.js';
import { startEmulator, type Client, type Running } from '../helpers/emulator.js';
import type { Emulator } from '../../rp/emulator.js';

export const KV_API = '2023-07-01';
export const AUTH_API = '2022-04-01';
export const UAI_API = '2023-01-31';
export const NC_API = '2025-09-01';

export const ROLE = {
  owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  reader: 'acdd72a7-3c48-4e46-9046-4b40c0c4b0bd',
  secretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
  secretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
  nexusWriter: '44f0a1a8-6fea-4b35-980a-8ff50c487c97',
} as const;

export interface World {
  run: Running;
  emu: Emulator;
  client: Client;
  sub: string;
  agent: https.Agent;
  /** Every request line the emulator logged. */
  logs: string[];
  stop(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  const run = await startEmulator({});
  const logs: string[] = [];
  const log = run.emu.log as { request: (l: string) => void; error: (l: string) => void };
  const originalError = log.error;
  log.request = (line) => logs.push(line);
  log.error = (line) => {
    logs.push(line);
    originalError(line);
  };
  const agent = new https.Agent({ ca: run.emu.caCertPem });
  return {
    run,
    emu: run.emu,
    client: run.client,
    sub: run.emu.subscriptionId,
    agent,
    logs,
    async stop() {
      agent.destroy();
      await run.stop();
    },
  };
}

export const groupPath = (w: World, rg: string) => `/subscriptions/${w.sub}/resourceGroups/${rg}`;
export const vaultId = (w: World, rg: string, name: string) => `${groupPath(w, rg)}/providers/Microsoft.KeyVault/vaults/${name}`;
export const uaiId = (w: World, rg: string, name: string) => `${groupPath(w, rg)}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
export const ncId = (w: World, rg: string, type: string, name: string) => `${groupPath(w, rg)}/providers/Microsoft.NetworkCloud/${type}/${name}`;
export const roleDefinitionId = (w: World, guid: string) => `/subscriptions/${w.sub}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

export async function ensureGroup(w: World, rg: string): Promise<void> {
  const r = await w.client.put(`${groupPath(w, rg)}?api-version=2021-04-01`, { location: 'eastus' });
  expect(r.status, r.text).to.be.oneOf([200, 201]);
}

export async function createVault(w: World, rg: string, name: string, properties: Record<string, unknown> = {}): Promise<any> {
  const r = await w.client.put(`${vaultId(w, rg, name)}?api-version=${KV_API}`, {
    location: 'eastus',
    properties: { tenantId: w.emu.tenantId, sku: { family: 'A', name: 'standard' }, enableRbacAuthorization: true, ...properties },
  });
  expect(r.status, r.text).to.be.oneOf([200, 201]);
  return r.body;
}

export async function createIdentity(w: World, rg: string, name: string): Promise<{ id: string; principalId: string; clientId: string }> {
  const r = await w.client.put(`${uaiId(w, rg, name)}?api-version=${UAI_API}`, { location: 'eastus' });
  expect(r.status, r.text).to.be.oneOf([200, 201]);
  return { id: r.body.id, principalId: r.body.properties.principalId, clientId: r.body.properties.clientId };
}

/** Assigns a role at a scope; returns the assignment's path (for DELETE). */
export async function assignRole(w: World, scope: string, role: string, principalId: string): Promise<string> {
  const path = `${scope}/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}`;
  const r = await w.client.put(`${path}?api-version=${AUTH_API}`, { properties: { roleDefinitionId: roleDefinitionId(w, role), principalId } });
  expect(r.status, r.text).to.equal(201);
  return path;
}

export async function removeAssignment(w: World, path: string): Promise<void> {
  const r = await w.client.delete(`${path}?api-version=${AUTH_API}`);
  expect(r.status, r.text).to.equal(200);
}

export async function createManager(w: World, rg: string, name: string, identity?: Record<string, unknown>): Promise<any> {
  const r = await w.client.put(`${ncId(w, rg, 'clusterManagers', name)}?api-version=${NC_API}`, clusterManagerBody(w.sub, rg, identity ? { identity } : {}));
  expect(r.status, r.text).to.be.oneOf([200, 201]);
  const done = await w.client.poll(r);
  expect(done.body?.status ?? 'Succeeded', done.text).to.equal('Succeeded');
  return (await w.client.get(`${ncId(w, rg, 'clusterManagers', name)}?api-version=${NC_API}`)).body;
}

export interface ClusterOptions {
  identity?: Record<string, unknown>;
  machines?: number;
  appliances?: number;
  properties?: Record<string, unknown>;
  api?: string;
}

/** Creates a cluster managed by `manager` and deploys it; returns the cluster as 2025-09-01 shows it. */
export async function createDeployedCluster(w: World, rg: string, name: string, manager: any, options: ClusterOptions = {}): Promise<any> {
  const api = options.api ?? NC_API;
  const body: any = clusterBody(w.sub, rg, manager.properties.managerExtendedLocation, { machines: options.machines ?? 2, appliances: options.appliances ?? 1, mrg: `${name}-mrg` });
  if (options.identity) body.identity = options.identity;
  Object.assign(body.properties, options.properties ?? {});
  const path = ncId(w, rg, 'clusters', name);
  const put = await w.client.put(`${path}?api-version=${api}`, body);
  expect(put.status, put.text).to.be.oneOf([200, 201]);
  expect((await w.client.poll(put)).body.status).to.equal('Succeeded');
  const deploy = await w.client.post(`${path}/deploy?api-version=${NC_API}`, {});
  expect(deploy.status, deploy.text).to.equal(202);
  const finished = await w.client.poll(deploy);
  expect(finished.status, finished.text).to.equal(200);
  return (await w.client.get(`${path}?api-version=${NC_API}`)).body;
}

/** PATCH of a cluster, polled to the end; returns the cluster afterwards. */
export async function patchCluster(w: World, rg: string, name: string, body: unknown, api = NC_API): Promise<any> {
  const path = ncId(w, rg, 'clusters', name);
  const r = await w.client.patch(`${path}?api-version=${api}`, body);
  expect(r.status, r.text).to.be.oneOf([200, 202]);
  const done = await w.client.poll(r);
  if (done.body?.status !== undefined) expect(done.body.status, done.text).to.equal('Succeeded');
  return (await w.client.get(`${path}?api-version=${api}`)).body;
}

export async function advance(w: World, duration: string): Promise<string> {
  const r = await w.client.post('/_emulator/clock', { advance: duration });
  expect(r.status, r.text).to.equal(200);
  return r.body.now;
}

/** The cluster's machines and appliances, as `api` shows them. */
export async function machinesOf(w: World, cluster: any, api = NC_API): Promise<{ machines: any[]; appliances: any[] }> {
  const mrg = cluster.properties.managedResourceGroupConfiguration.name;
  const machines = await w.client.get(`${groupPath(w, mrg)}/providers/Microsoft.NetworkCloud/bareMetalMachines?api-version=${api}`);
  const appliances = await w.client.get(`${groupPath(w, mrg)}/providers/Microsoft.NetworkCloud/storageAppliances?api-version=${api}`);
  expect(machines.status, machines.text).to.equal(200);
  return { machines: machines.body.value, appliances: appliances.body.value };
}

export function statusOf(resource: any, secretType: string): any {
  return (resource.properties.secretRotationStatus as any[]).find((s) => s.secretType === secretType);
}

/** A service principal of the emulator's directory and a real ClientSecretCredential for it. */
export async function newServicePrincipal(w: World, displayName: string): Promise<{ objectId: string; appId: string; secret: string; credential: ClientSecretCredential }> {
  const { principal, clientSecret } = await w.emu.principals.createServicePrincipal({ tenantId: w.emu.tenantId, displayName });
  return { objectId: principal.objectId, appId: principal.appId, secret: clientSecret, credential: credentialFor(w, principal.appId, clientSecret) };
}

export function credentialFor(w: World, clientId = w.client.info.clientId, secret = w.client.info.clientSecret): ClientSecretCredential {
  return new ClientSecretCredential(w.emu.tenantId, clientId, secret, { authorityHost: w.client.endpoint.replace(/\/$/, ''), disableInstanceDiscovery: true, agent: w.agent });
}

/** The documented way to reach vault NAME: vaultUrl https://localhost:PORT/vaults/NAME, challenge resource check off. */
export function secretClient(w: World, vaultName: string, credential = credentialFor(w)): SecretClient {
  return new SecretClient(`${w.client.endpoint}vaults/${vaultName}`, credential, { disableChallengeResourceVerification: true, agent: w.agent, retryOptions: { maxRetries: 0 } });
}

/** A vault-audience token for the demo principal (or another client), for raw data-plane requests. */
export async function vaultToken(w: World): Promise<string> {
  return w.client.token('https://vault.azure.net/.default');
}
