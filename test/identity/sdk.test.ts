/**
 * The real @azure/identity (4.13, on MSAL node) against the emulator over HTTPS. The SDK's pipeline
 * takes an `agent` option, so the test certificate is trusted in-process through an https.Agent
 * with that CA; nothing disables certificate checks.
 */
import { expect } from 'chai';
import https from 'node:https';
import { ClientSecretCredential, ManagedIdentityCredential } from '@azure/identity';
import { startHarness, TENANT, type Harness } from './harness.js';

const UAMI_CLIENT_ID = 'c1000000-0000-0000-0000-000000000001';
const MSI_VARIABLES = ['IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'IDENTITY_SERVER_THUMBPRINT', 'IMDS_ENDPOINT', 'MSI_ENDPOINT', 'MSI_SECRET'];

describe('identity: the real @azure/identity SDK', () => {
  let h: Harness;
  let agent: https.Agent;
  let appId: string;
  let secret: string;
  let spObjectId: string;

  before(async () => {
    h = await startHarness();
    agent = new https.Agent({ ca: h.ca });
    const sp = await h.identity.principals.createServicePrincipal({ tenantId: TENANT, displayName: 'sdk-sp' });
    ({ appId, objectId: spObjectId } = sp.principal);
    secret = sp.clientSecret;
    await h.identity.principals.createManagedIdentity({
      tenantId: TENANT,
      objectId: 'a1000000-0000-0000-0000-000000000001',
      clientId: UAMI_CLIENT_ID,
      displayName: 'sdk-uami',
      assignment: 'UserAssigned',
      resourceId: '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/sdk-uami',
    });
  });
  after(async () => {
    agent.destroy();
    await h.close();
  });

  async function callArm(token: string): Promise<{ status: number; body: { principal: { objectId: string; kind: string } } }> {
    return h.request('GET', '/subscriptions', { headers: { Authorization: `Bearer ${token}` } });
  }

  it('ClientSecretCredential (authorityHost = emulator, no instance discovery) gets a token ARM accepts', async () => {
    const credential = new ClientSecretCredential(TENANT, appId, secret, {
      authorityHost: h.origin,
      disableInstanceDiscovery: true,
      agent,
    });
    const token = await credential.getToken('https://management.azure.com/.default');
    expect(token.token).to.be.a('string');
    expect(token.expiresOnTimestamp).to.be.closeTo(Date.now() + 3600_000, 60_000);
    const arm = await callArm(token.token);
    expect(arm.status).to.equal(200);
    expect(arm.body.principal.objectId).to.equal(spObjectId);
  });

  it("ClientSecretCredential surfaces a wrong secret's AADSTS code (as it does against Entra ID)", async () => {
    const credential = new ClientSecretCredential(TENANT, appId, 'wrong-secret', { authorityHost: h.origin, disableInstanceDiscovery: true, agent });
    let caught: Error | undefined;
    try {
      await credential.getToken('https://management.azure.com/.default');
    } catch (e) {
      caught = e as Error;
    }
    // MSAL's ServerError reaches the caller as AuthenticationRequiredError carrying the server's description.
    expect(caught?.name).to.equal('AuthenticationRequiredError');
    expect(caught?.message).to.contain('invalid_client').and.contain('AADSTS7000215');
    expect(caught?.message).to.not.contain('wrong-secret');
  });

  describe('ManagedIdentityCredential through IDENTITY_ENDPOINT / IDENTITY_HEADER (App Service 2019)', () => {
    const saved: Record<string, string | undefined> = {};
    before(() => {
      for (const name of MSI_VARIABLES) {
        saved[name] = process.env[name];
        delete process.env[name];
      }
      process.env.IDENTITY_ENDPOINT = `${h.origin}/msi/token`;
      process.env.IDENTITY_HEADER = h.identity.msiSecret;
      h.setDefaultMsiPrincipal(spObjectId);
    });
    after(() => {
      for (const name of MSI_VARIABLES) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    });

    it('the default identity gets a token ARM accepts', async () => {
      const credential = new ManagedIdentityCredential({ agent });
      const token = await credential.getToken('https://management.azure.com/.default');
      expect(token.expiresOnTimestamp).to.be.closeTo(Date.now() + 3600_000, 60_000);
      const arm = await callArm(token.token);
      expect(arm.status).to.equal(200);
      expect(arm.body.principal.objectId).to.equal(spObjectId);
    });

    it('a user-assigned identity named by client id gets its own token', async () => {
      const credential = new ManagedIdentityCredential({ clientId: UAMI_CLIENT_ID, agent });
      const token = await credential.getToken('https://management.azure.com/.default');
      const arm = await callArm(token.token);
      expect(arm.status).to.equal(200);
      expect(arm.body.principal).to.include({ objectId: 'a1000000-0000-0000-0000-000000000001', kind: 'ManagedIdentity' });
    });
  });
});
