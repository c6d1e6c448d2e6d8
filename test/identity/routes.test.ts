import { expect } from 'chai';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { startHarness, TENANT, type Harness } from './harness.js';

const ARM_SCOPE = 'https://management.core.windows.net//.default';
const UAMI_ID = '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uami';

describe('identity: login endpoints over HTTPS', () => {
  let h: Harness;
  let appId: string;
  let secret: string;
  let spObjectId: string;

  before(async () => {
    h = await startHarness();
    const sp = await h.identity.principals.createServicePrincipal({ tenantId: TENANT, displayName: 'demo-sp' });
    appId = sp.principal.appId;
    spObjectId = sp.principal.objectId;
    secret = sp.clientSecret;
    await h.identity.principals.createManagedIdentity({
      tenantId: TENANT,
      objectId: 'a0000000-0000-0000-0000-000000000001',
      clientId: 'c0000000-0000-0000-0000-000000000001',
      displayName: 'uami',
      assignment: 'UserAssigned',
      resourceId: UAMI_ID,
    });
  });
  after(() => h.close());

  const clientCredentials = (extra: Record<string, string> = {}) => ({
    grant_type: 'client_credentials',
    client_id: appId,
    client_secret: secret,
    scope: ARM_SCOPE,
    ...extra,
  });

  describe('Entra ID v2.0 token endpoint', () => {
    it('grants client credentials: scope X/.default gives audience X', async () => {
      const r = await h.request('POST', `/${TENANT}/oauth2/v2.0/token`, { form: clientCredentials() });
      expect(r.status).to.equal(200);
      expect(r.body).to.have.all.keys('token_type', 'expires_in', 'ext_expires_in', 'access_token');
      expect(r.body.token_type).to.equal('Bearer');
      expect(r.body.expires_in).to.equal(3600);
      expect(r.headers['cache-control']).to.equal('no-store');
      const claims = decodeJwt(r.body.access_token);
      expect(claims).to.include({ aud: 'https://management.core.windows.net/', tid: TENANT, oid: spObjectId, appid: appId, idtyp: 'app', ver: '1.0' });
    });

    it('ignores the OpenID scopes MSAL may add', async () => {
      const r = await h.request('POST', `/${TENANT}/oauth2/v2.0/token`, { form: clientCredentials({ scope: `${ARM_SCOPE} openid profile offline_access` }) });
      expect(r.status).to.equal(200);
    });

    it('refuses a wrong secret with invalid_client AADSTS7000215, without echoing the secret', async () => {
      const wrong = 'not-the-secret-value-0123456789';
      const r = await h.request('POST', `/${TENANT}/oauth2/v2.0/token`, { form: clientCredentials({ client_secret: wrong }) });
      expect(r.status).to.equal(401);
      expect(r.body).to.have.all.keys('error', 'error_description', 'error_codes', 'timestamp', 'trace_id', 'correlation_id');
      expect(r.body.error).to.equal('invalid_client');
      expect(r.body.error_codes).to.deep.equal([7000215]);
      expect(r.body.error_description).to.match(/^AADSTS7000215: Invalid client secret provided\./);
      expect(r.text).to.not.contain(wrong).and.not.contain(secret);
    });

    it('refuses an unknown client with unauthorized_client AADSTS700016', async () => {
      const r = await h.request('POST', `/${TENANT}/oauth2/v2.0/token`, { form: clientCredentials({ client_id: '99999999-9999-9999-9999-999999999999' }) });
      expect(r.status).to.equal(400);
      expect(r.body.error).to.equal('unauthorized_client');
      expect(r.body.error_codes).to.deep.equal([700016]);
      expect(r.body.error_description).to.contain("'99999999-9999-9999-9999-999999999999' was not found in the directory");
    });

    it('treats the app as unknown in another tenant', async () => {
      const r = await h.request('POST', '/11111111-2222-3333-4444-555555555555/oauth2/v2.0/token', { form: clientCredentials() });
      expect(r.status).to.equal(400);
      expect(r.body.error_codes).to.deep.equal([700016]);
    });

    it('uses the client-request-id header as the correlation id', async () => {
      const id = '0f0e0d0c-0b0a-0908-0706-050403020100';
      const r = await h.request('POST', `/${TENANT}/oauth2/v2.0/token`, { form: clientCredentials({ client_secret: 'x' }), headers: { 'client-request-id': id } });
      expect(r.body.correlation_id).to.equal(id);
    });

    it('names the missing or wrong parameter', async () => {
      const post = (form: Record<string, string>) => h.request('POST', `/${TENANT}/oauth2/v2.0/token`, { form });
      const noSecret = await post({ grant_type: 'client_credentials', client_id: appId, scope: ARM_SCOPE });
      expect([noSecret.status, noSecret.body.error, noSecret.body.error_codes[0]]).to.deep.equal([401, 'invalid_client', 7000218]);
      const noScope = await post({ grant_type: 'client_credentials', client_id: appId, client_secret: secret });
      expect([noScope.status, noScope.body.error]).to.deep.equal([400, 'invalid_request']);
      expect(noScope.body.error_description).to.contain("'scope'");
      const badScope = await post(clientCredentials({ scope: 'https://management.azure.com/user_impersonation' }));
      expect([badScope.status, badScope.body.error]).to.deep.equal([400, 'invalid_scope']);
      const password = await post(clientCredentials({ grant_type: 'password' }));
      expect([password.status, password.body.error]).to.deep.equal([400, 'unsupported_grant_type']);
    });
  });

  describe('Entra ID v1.0 token endpoint', () => {
    it('grants client credentials for resource=X with v1.0 string numbers', async () => {
      const { scope: _scope, ...form } = clientCredentials();
      const r = await h.request('POST', `/${TENANT}/oauth2/token`, { form: { ...form, resource: 'https://management.azure.com/' } });
      expect(r.status).to.equal(200);
      expect(r.body).to.include({ token_type: 'Bearer', expires_in: '3600', resource: 'https://management.azure.com/' });
      expect(r.body.expires_on).to.match(/^\d{10}$/);
      expect(r.body.not_before).to.match(/^\d{10}$/);
      expect(decodeJwt(r.body.access_token).aud).to.equal('https://management.azure.com/');
    });

    it('requires resource', async () => {
      const r = await h.request('POST', `/${TENANT}/oauth2/token`, { form: clientCredentials() });
      expect(r.status).to.equal(400);
      expect(r.body.error_description).to.contain("'resource'");
    });
  });

  describe('discovery and keys', () => {
    it('v2.0 openid-configuration points back to the emulator and matches what MSAL validates', async () => {
      const r = await h.request('GET', `/${TENANT}/v2.0/.well-known/openid-configuration`);
      expect(r.status).to.equal(200);
      expect(r.body).to.include({
        issuer: `${h.origin}/${TENANT}/v2.0`,
        authorization_endpoint: `${h.origin}/${TENANT}/oauth2/v2.0/authorize`,
        token_endpoint: `${h.origin}/${TENANT}/oauth2/v2.0/token`,
        jwks_uri: `${h.origin}/${TENANT}/discovery/v2.0/keys`,
      });
      // MSAL's issuer check: same scheme, host and port as the authority.
      expect(new URL(r.body.issuer).origin).to.equal(h.origin);
    });

    it('v1.0 openid-configuration announces the issuer the tokens carry', async () => {
      const r = await h.request('GET', `/${TENANT}/.well-known/openid-configuration`);
      expect(r.body).to.include({ issuer: `${h.origin}/${TENANT}/`, token_endpoint: `${h.origin}/${TENANT}/oauth2/token`, jwks_uri: `${h.origin}/common/discovery/keys` });
    });

    it('uses the {tenantid} placeholder for the common tenant, as Entra ID does', async () => {
      const r = await h.request('GET', '/common/v2.0/.well-known/openid-configuration');
      expect(r.body.issuer).to.equal(`${h.origin}/{tenantid}/v2.0`);
      expect(r.body.token_endpoint).to.equal(`${h.origin}/common/oauth2/v2.0/token`);
    });

    it('the JWKS from discovery verifies an issued token (jose), with the v1.0 discovery issuer', async () => {
      const token = (await h.request('POST', `/${TENANT}/oauth2/v2.0/token`, { form: clientCredentials() })).body.access_token;
      const v1 = (await h.request('GET', `/${TENANT}/.well-known/openid-configuration`)).body;
      for (const keysPath of [`/${TENANT}/discovery/v2.0/keys`, '/common/discovery/keys', new URL(v1.jwks_uri).pathname]) {
        const jwks = await h.request('GET', keysPath);
        expect(jwks.status).to.equal(200);
        expect(jwks.body.keys[0]).to.include({ kty: 'RSA', use: 'sig', alg: 'RS256', kid: h.identity.tokens.kid });
        expect(jwks.body.keys[0]).to.not.have.property('d');
        const { payload } = await jwtVerify(token, createLocalJWKSet(jwks.body), { issuer: v1.issuer, audience: 'https://management.core.windows.net/' });
        expect(payload.appid).to.equal(appId);
      }
    });
  });

  describe('AD FS (what az uses offline)', () => {
    it('serves discovery under /adfs and grants client credentials with the ARM scope', async () => {
      const doc = (await h.request('GET', '/adfs/.well-known/openid-configuration')).body;
      expect(doc.issuer).to.equal(`${h.origin}/adfs`);
      expect(doc.token_endpoint).to.equal(`${h.origin}/adfs/oauth2/token/`);
      const r = await h.request('POST', new URL(doc.token_endpoint).pathname, { form: clientCredentials() });
      expect(r.status).to.equal(200);
      expect(r.body).to.include({ token_type: 'Bearer', expires_in: 3600 });
      expect(decodeJwt(r.body.access_token)).to.include({ aud: 'https://management.core.windows.net/', tid: TENANT, iss: `${h.origin}/${TENANT}/` });
    });

    it('refuses a wrong secret the same way', async () => {
      const r = await h.request('POST', '/adfs/oauth2/token', { form: clientCredentials({ client_secret: 'nope' }) });
      expect([r.status, r.body.error]).to.deep.equal([401, 'invalid_client']);
    });
  });

  describe('managed identity endpoint', () => {
    beforeEach(() => h.setDefaultMsiPrincipal(spObjectId));

    it("POST with Metadata: true (az's MSI_ENDPOINT form) answers for the default principal, expires_on as a string", async () => {
      const r = await h.request('POST', '/msi/token', { form: { resource: 'https://management.core.windows.net/' }, headers: { Metadata: 'true' } });
      expect(r.status).to.equal(200);
      expect(r.body).to.include({ token_type: 'Bearer', resource: 'https://management.core.windows.net/' });
      expect(r.body.expires_on).to.be.a('string').and.match(/^\d{10}$/);
      const claims = decodeJwt(r.body.access_token);
      expect(claims).to.include({ tid: TENANT, oid: spObjectId, aud: 'https://management.core.windows.net/' });
      expect(Number(r.body.expires_on)).to.equal(claims.exp);
    });

    it('POST without the Metadata header is refused', async () => {
      const r = await h.request('POST', '/msi/token', { form: { resource: 'https://management.core.windows.net/' } });
      expect(r.status).to.equal(400);
      expect(r.body.error).to.equal('invalid_request');
    });

    it('POST can name a user-assigned identity by client_id, object_id or msi_res_id', async () => {
      const selectors: Record<string, string>[] = [
        { client_id: 'c0000000-0000-0000-0000-000000000001' },
        { object_id: 'A0000000-0000-0000-0000-000000000001' },
        { msi_res_id: UAMI_ID },
      ];
      for (const selector of selectors) {
        const r = await h.request('POST', '/msi/token', { form: { resource: 'https://management.azure.com', ...selector }, headers: { Metadata: 'true' } });
        expect(r.status, JSON.stringify(selector)).to.equal(200);
        expect(decodeJwt(r.body.access_token)).to.include({ oid: 'a0000000-0000-0000-0000-000000000001', xms_mirid: UAMI_ID });
      }
    });

    it('GET api-version=2017-09-01 requires the secret header (msrestazure with MSI_SECRET), also with a trailing slash', async () => {
      const url = '/msi/token/?resource=https://management.core.windows.net/&api-version=2017-09-01';
      const ok = await h.request('GET', url, { headers: { secret: h.identity.msiSecret } });
      expect(ok.status).to.equal(200);
      expect(ok.body).to.have.all.keys('access_token', 'expires_on', 'resource', 'token_type');
      expect(ok.body.expires_on).to.match(/^\d{10}$/);
      const wrong = await h.request('GET', url, { headers: { secret: 'guess' } });
      expect(wrong.status).to.equal(401);
      expect(wrong.text).to.not.contain(h.identity.msiSecret);
      const none = await h.request('GET', url);
      expect(none.status).to.equal(401);
    });

    it('GET api-version=2019-08-01 requires X-IDENTITY-HEADER and replies with client_id (App Service 2019)', async () => {
      const url = '/msi/token?resource=https%3A%2F%2Fmanagement.azure.com&api-version=2019-08-01';
      const ok = await h.request('GET', url, { headers: { 'X-IDENTITY-HEADER': h.identity.msiSecret } });
      expect(ok.status).to.equal(200);
      expect(ok.body).to.include({ token_type: 'Bearer', resource: 'https://management.azure.com', client_id: appId });
      expect(Number(ok.body.expires_on)).to.be.closeTo(Date.now() / 1000 + 3600, 10);
      const wrongHeader = await h.request('GET', url, { headers: { secret: h.identity.msiSecret } });
      expect(wrongHeader.status).to.equal(401);
    });

    it('GET selects an identity by client_id, principal_id or mi_res_id', async () => {
      const base = '/msi/token?resource=https://management.azure.com&api-version=2019-08-01';
      for (const q of ['client_id=c0000000-0000-0000-0000-000000000001', 'principal_id=a0000000-0000-0000-0000-000000000001', `mi_res_id=${encodeURIComponent(UAMI_ID)}`]) {
        const r = await h.request('GET', `${base}&${q}`, { headers: { 'X-IDENTITY-HEADER': h.identity.msiSecret } });
        expect(r.status, q).to.equal(200);
        expect(r.body.client_id).to.equal('c0000000-0000-0000-0000-000000000001');
      }
    });

    it('refuses unknown identities, a missing resource, an unknown api-version, and having no default', async () => {
      const hdr = { 'X-IDENTITY-HEADER': h.identity.msiSecret };
      const unknown = await h.request('GET', '/msi/token?resource=r&api-version=2019-08-01&client_id=nobody', { headers: hdr });
      expect([unknown.status, unknown.body.error]).to.deep.equal([400, 'invalid_request']);
      expect(unknown.body.error_description).to.contain('Identity not found');
      // A service principal is not a managed identity, even if named.
      const sp = await h.request('GET', `/msi/token?resource=r&api-version=2019-08-01&client_id=${appId}`, { headers: hdr });
      expect(sp.status).to.equal(400);
      const noResource = await h.request('GET', '/msi/token?api-version=2019-08-01', { headers: hdr });
      expect(noResource.status).to.equal(400);
      const badVersion = await h.request('GET', '/msi/token?resource=r&api-version=2018-02-01', { headers: hdr });
      expect(badVersion.status).to.equal(400);
      h.setDefaultMsiPrincipal(undefined);
      const noDefault = await h.request('GET', '/msi/token?resource=r&api-version=2019-08-01', { headers: hdr });
      expect(noDefault.status).to.equal(400);
    });

    it('keeps one MSI secret per emulator, stored', async () => {
      expect(h.identity.msiSecret).to.match(/^[0-9a-f]{48}$/);
      expect(h.store.get<{ value: string }>('keys', 'msi-secret')?.value).to.equal(h.identity.msiSecret);
    });
  });
});
