import { expect } from 'chai';
import { Store } from '../../rp/store/store.js';
import { TokenService, type TokenSubject } from '../../rp/identity/tokens.js';
import { bearerChallenge } from '../../rp/identity/auth.js';
import { startHarness, TENANT, type Harness } from './harness.js';

const ARM = 'https://management.core.windows.net/';

describe('identity: bearer authentication of ARM routes', () => {
  let h: Harness;
  let sp: TokenSubject;
  let challengePrefix: string;

  before(async () => {
    h = await startHarness();
    sp = (await h.identity.principals.createServicePrincipal({ tenantId: TENANT, displayName: 'demo-sp' })).principal;
    challengePrefix = `Bearer authorization_uri="${h.origin}/${TENANT}", error="invalid_token", error_description="`;
  });
  after(() => h.close());
  afterEach(() => h.setLooseAuth(false));

  const call = (authorization?: string) => h.request('GET', '/subscriptions', { headers: authorization ? { Authorization: authorization } : {} });

  async function expect401(authorization: string | undefined, code: string): Promise<string> {
    const r = await call(authorization);
    expect(r.status).to.equal(401);
    expect(r.body.error.code).to.equal(code);
    const challenge = r.headers['www-authenticate'] as string;
    expect(challenge.startsWith(challengePrefix), challenge).to.equal(true);
    expect(challenge.endsWith('"')).to.equal(true);
    return r.body.error.message;
  }

  it('lets a valid token through and exposes the caller in res.locals', async () => {
    const { accessToken } = await h.identity.tokens.issue(sp, ARM);
    const r = await call(`Bearer ${accessToken}`);
    expect(r.status).to.equal(200);
    expect(r.body.principal).to.deep.equal({ objectId: sp.objectId, tenantId: TENANT, appId: sp.appId, kind: 'ServicePrincipal', displayName: 'demo-sp' });
    expect(r.body.claims.oid).to.equal(sp.objectId);
  });

  it('accepts the scheme in any case and the audience without its trailing slash', async () => {
    const { accessToken } = await h.identity.tokens.issue(sp, 'https://management.azure.com');
    expect((await call(`bearer ${accessToken}`)).status).to.equal(200);
  });

  it('accepts a token for the emulator itself as audience', async () => {
    const { accessToken } = await h.identity.tokens.issue(sp, h.origin);
    expect((await call(`Bearer ${accessToken}`)).status).to.equal(200);
  });

  it('no Authorization header: AuthenticationFailed', async () => {
    const message = await expect401(undefined, 'AuthenticationFailed');
    expect(message).to.equal("Authentication failed. The 'Authorization' header is missing.");
  });

  it('a non-Bearer header: AuthenticationFailed', async () => {
    await expect401('Basic dXNlcjpwYXNz', 'AuthenticationFailed');
  });

  it('a malformed token: InvalidAuthenticationToken with the reason', async () => {
    const message = await expect401('Bearer not-a-jwt', 'InvalidAuthenticationToken');
    expect(message).to.contain('not a well-formed JWT');
  });

  it('a token signed by someone else: InvalidAuthenticationToken (invalid signature)', async () => {
    const otherStore = await Store.open(null);
    const other = await TokenService.open(otherStore, { issuerOrigin: () => h.origin });
    const { accessToken } = await other.issue(sp, ARM);
    const message = await expect401(`Bearer ${accessToken}`, 'InvalidAuthenticationToken');
    expect(message).to.equal('The access token has invalid signature.');
  });

  it('an expired token: ExpiredAuthenticationToken', async () => {
    const { accessToken } = await h.identity.tokens.issue(sp, ARM, { nowMs: Date.now() - 2 * 3600_000 });
    const message = await expect401(`Bearer ${accessToken}`, 'ExpiredAuthenticationToken');
    expect(message).to.contain('is earlier than current UTC time');
  });

  it('a token for another audience: InvalidAuthenticationTokenAudience', async () => {
    const { accessToken } = await h.identity.tokens.issue(sp, 'https://vault.azure.net');
    const message = await expect401(`Bearer ${accessToken}`, 'InvalidAuthenticationTokenAudience');
    expect(message).to.contain("wrong audience or resource 'https://vault.azure.net'");
  });

  it('a token from another issuer: InvalidAuthenticationTokenTenant', async () => {
    const foreign = await TokenService.open(h.store, { issuerOrigin: () => 'https://login.example' });
    const { accessToken } = await foreign.issue(sp, ARM);
    await expect401(`Bearer ${accessToken}`, 'InvalidAuthenticationTokenTenant');
  });

  it('loose auth accepts an unsigned JWT and maps its claims; still requires a well-formed one', async () => {
    h.setLooseAuth(true);
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const unsigned = `${part({ alg: 'none' })}.${part({ oid: 'x-oid', appid: 'x-app', tid: 'x-tenant', aud: 'https://elsewhere' })}.`;
    const r = await call(`Bearer ${unsigned}`);
    expect(r.status).to.equal(200);
    expect(r.body.principal).to.include({ objectId: 'x-oid', appId: 'x-app', tenantId: 'x-tenant' });
    await expect401('Bearer abc', 'InvalidAuthenticationToken');
    await expect401(undefined, 'AuthenticationFailed');
  });

  it('never echoes the token in an error', async () => {
    const { accessToken } = await h.identity.tokens.issue(sp, 'https://vault.azure.net');
    const r = await call(`Bearer ${accessToken}`);
    expect(r.text).to.not.contain(accessToken.split('.')[2]);
    expect(String(r.headers['www-authenticate'])).to.not.contain(accessToken.split('.')[2]);
  });

  it('keeps the challenge a valid quoted header value', () => {
    expect(bearerChallenge('https://h/t', 'say "hi"\r\nthere')).to.equal(
      `Bearer authorization_uri="https://h/t", error="invalid_token", error_description="say 'hi' there"`,
    );
  });
});
