/** ARM routes need a bearer token the emulator issued, for an ARM audience, still valid. */
import { expect } from 'chai';
import { generateKeyPair, SignJWT } from 'jose';
import { startEmulator, type Running } from '../helpers/emulator.js';

describe('authentication on ARM routes', () => {
  let run: Running;
  let path: string;
  before(async () => {
    run = await startEmulator();
    path = `/subscriptions/${run.client.info.subscriptionId}/resourcegroups?api-version=2021-04-01`;
  });
  after(() => run.stop());

  const demo = () => run.emu.principals.byObjectId(run.emu.demoPrincipalObjectId)!;

  it('challenges a request without a token', async () => {
    const r = await run.client.get(path, { token: false });
    expect(r.status).to.equal(401);
    expect(r.body.error.code).to.equal('AuthenticationFailed');
    expect(r.headers['www-authenticate']).to.match(new RegExp(`^Bearer authorization_uri="https://localhost:\\d+/${run.client.info.tenantId}"`));
  });

  it('accepts a token from the token endpoint', async () => {
    expect((await run.client.get(path)).status).to.equal(200);
  });

  it('rejects an expired token', async () => {
    const { accessToken } = await run.emu.tokens.issue(demo(), 'https://management.azure.com/', { nowMs: Date.now() - 3 * 3600_000 });
    const r = await run.client.get(path, { token: accessToken });
    expect(r.status).to.equal(401);
    expect(r.body.error.code).to.equal('ExpiredAuthenticationToken');
  });

  it('rejects a token for another audience', async () => {
    const { accessToken } = await run.emu.tokens.issue(demo(), 'https://vault.azure.net');
    const r = await run.client.get(path, { token: accessToken });
    expect(r.status).to.equal(401);
    expect(r.body.error.code).to.equal('InvalidAuthenticationTokenAudience');
  });

  it('rejects a tampered signature and a token signed with another key', async () => {
    const good = await run.client.token();
    const [h, p, s] = good.split('.');
    const tampered = `${h}.${p}.${s.slice(0, -4)}${s.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    const r1 = await run.client.get(path, { token: tampered });
    expect(r1.status).to.equal(401);
    expect(r1.body.error.code).to.equal('InvalidAuthenticationToken');
    const { privateKey } = await generateKeyPair('RS256');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: JSON.parse(Buffer.from(h, 'base64url').toString()).kid }).sign(privateKey);
    const r2 = await run.client.get(path, { token: forged });
    expect(r2.status).to.equal(401);
    expect(r2.body.error.code).to.equal('InvalidAuthenticationToken');
  });

  it('rejects garbage', async () => {
    const r = await run.client.get(path, { token: 'not-a-jwt' });
    expect(r.status).to.equal(401);
    expect(r.body.error.code).to.equal('InvalidAuthenticationToken');
  });

  it('with --loose-auth accepts any well-formed JWT', async () => {
    const loose = await startEmulator({ looseAuth: true });
    try {
      const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const token = `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ oid: '11111111-2222-3333-4444-555555555555', tid: loose.client.info.tenantId })}.x`;
      const r = await loose.client.get(`/subscriptions/${loose.client.info.subscriptionId}/resourcegroups?api-version=2021-04-01`, { token });
      expect(r.status).to.equal(200);
      expect((await loose.client.get(`/subscriptions?api-version=2022-12-01`, { token: 'nope' })).status).to.equal(401);
    } finally {
      await loose.stop();
    }
  });
});
