import { expect } from 'chai';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { Store } from '../../rp/store/store.js';
import { armAudiences, TokenError, TokenService, type TokenSubject } from '../../rp/identity/tokens.js';

const ORIGIN = 'https://localhost:8443';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const ARM = armAudiences(ORIGIN);

const sp: TokenSubject = { objectId: 'o-sp', tenantId: TENANT, appId: 'a-sp', kind: 'ServicePrincipal', displayName: 'demo' };
const mi: TokenSubject = {
  objectId: 'o-mi',
  tenantId: TENANT,
  appId: 'a-mi',
  kind: 'ManagedIdentity',
  displayName: 'uami',
  resourceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uami',
};

async function rejection(promise: Promise<unknown>): Promise<TokenError> {
  try {
    await promise;
  } catch (e) {
    expect(e).to.be.instanceOf(TokenError);
    return e as TokenError;
  }
  throw new Error('the token was accepted');
}

function unsignedJwt(payload: object): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.`;
}

describe('identity: token service', () => {
  let dir: string;
  let store: Store;
  let tokens: TokenService;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'nce-tokens-'));
    store = await Store.open(path.join(dir, 'store.json'));
    tokens = await TokenService.open(store, { issuerOrigin: () => ORIGIN });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('issues an RS256 v1.0 app token with the Entra ID claims, verifiable with its JWKS', async () => {
    const issued = await tokens.issue(sp, 'https://management.core.windows.net/');
    expect(decodeProtectedHeader(issued.accessToken)).to.deep.equal({ typ: 'JWT', alg: 'RS256', kid: tokens.kid });
    const { payload } = await jwtVerify(issued.accessToken, createLocalJWKSet(tokens.jwks()), {
      issuer: `${ORIGIN}/${TENANT}/`,
      audience: 'https://management.core.windows.net/',
    });
    expect(payload).to.include({ tid: TENANT, oid: 'o-sp', sub: 'o-sp', appid: 'a-sp', idtyp: 'app', ver: '1.0' });
    expect(payload.exp! - payload.iat!).to.equal(3600);
    expect(payload.nbf).to.equal(payload.iat);
    expect(Math.abs(payload.iat! - Date.now() / 1000)).to.be.below(5);
    expect(issued.expiresOn).to.equal(payload.exp);
    expect(payload).to.not.have.property('xms_mirid');
  });

  it('stamps managed identity tokens with xms_mirid', async () => {
    const { accessToken } = await tokens.issue(mi, 'https://management.azure.com');
    const { claims, principal } = await tokens.verify(accessToken, ARM);
    expect(claims.xms_mirid).to.equal(mi.resourceId);
    expect(principal).to.deep.equal({ objectId: 'o-mi', tenantId: TENANT, appId: 'a-mi', kind: 'ManagedIdentity', displayName: 'a-mi' });
  });

  it('accepts every ARM audience with or without the trailing slash, and the emulator origin', async () => {
    for (const aud of ['https://management.core.windows.net', 'https://management.core.windows.net/', 'https://management.azure.com', 'https://management.azure.com/', ORIGIN, `${ORIGIN}/`]) {
      const { accessToken } = await tokens.issue(sp, aud);
      const { claims } = await tokens.verify(accessToken, ARM);
      expect(claims.aud).to.equal(aud);
    }
  });

  it('rejects a token for another audience', async () => {
    const { accessToken } = await tokens.issue(sp, 'https://vault.azure.net');
    const e = await rejection(tokens.verify(accessToken, ARM));
    expect(e.reason).to.equal('wrong_audience');
    expect(e.message).to.contain("'https://vault.azure.net'");
  });

  it('rejects expired tokens after the 5-minute skew, not before', async () => {
    const hourAgo = Date.now() - 3600_000;
    const justExpired = await tokens.issue(sp, ARM[0], { nowMs: hourAgo - 60_000 });
    await tokens.verify(justExpired.accessToken, ARM); // within the skew
    const expired = await tokens.issue(sp, ARM[0], { nowMs: hourAgo - 6 * 60_000 });
    const e = await rejection(tokens.verify(expired.accessToken, ARM));
    expect(e.reason).to.equal('expired');
    expect(e.message).to.match(/^The access token expiry UTC time '.*' is earlier than current UTC time '.*'\.$/);
  });

  it('rejects tokens that are not valid yet beyond the skew', async () => {
    const soon = await tokens.issue(sp, ARM[0], { nowMs: Date.now() + 4 * 60_000 });
    await tokens.verify(soon.accessToken, ARM);
    const later = await tokens.issue(sp, ARM[0], { nowMs: Date.now() + 10 * 60_000 });
    expect((await rejection(tokens.verify(later.accessToken, ARM))).reason).to.equal('not_yet_valid');
  });

  it('uses the wall clock it is given, not a virtual one', async () => {
    let wall = Date.now();
    const moving = await TokenService.open(store, { issuerOrigin: () => ORIGIN, now: () => wall });
    const { accessToken } = await moving.issue(sp, ARM[0]);
    wall += 2 * 3600_000;
    expect((await rejection(moving.verify(accessToken, ARM))).reason).to.equal('expired');
  });

  it('rejects a token signed by another key', async () => {
    const otherStore = await Store.open(null);
    const other = await TokenService.open(otherStore, { issuerOrigin: () => ORIGIN });
    const { accessToken } = await other.issue(sp, ARM[0]);
    expect((await rejection(tokens.verify(accessToken, ARM))).reason).to.equal('bad_signature');
  });

  it('rejects a token whose payload was altered', async () => {
    const { accessToken } = await tokens.issue(sp, ARM[0]);
    const [h, p, s] = accessToken.split('.');
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    payload.oid = 'someone-else';
    const forged = [h, Buffer.from(JSON.stringify(payload)).toString('base64url'), s].join('.');
    expect((await rejection(tokens.verify(forged, ARM))).reason).to.equal('bad_signature');
  });

  it('rejects malformed tokens with a reason', async () => {
    for (const bad of ['abc', 'a.b', 'a.b.c.d', 'not json.at all.x', `${Buffer.from('[1]').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.x`]) {
      const e = await rejection(tokens.verify(bad, ARM));
      expect(e.reason, bad).to.equal('malformed');
      expect(e.message).to.contain('well-formed JWT');
    }
  });

  it('rejects a token from another issuer even when the signature is good', async () => {
    const elsewhere = await TokenService.open(store, { issuerOrigin: () => 'https://elsewhere:9443' });
    const { accessToken } = await elsewhere.issue(sp, ARM[0]);
    const e = await rejection(tokens.verify(accessToken, ARM));
    expect(e.reason).to.equal('wrong_issuer');
    expect(e.detail.issuer).to.equal(`https://elsewhere:9443/${TENANT}/`);
  });

  it('looseAuth accepts any well-formed JWT and maps its oid/appid/tid claims', async () => {
    const token = unsignedJwt({ oid: 'OID-1', appid: 'APP-1', tid: 'T-1', aud: 'whatever', exp: 1 });
    const { principal } = await tokens.verify(token, ARM, { looseAuth: true });
    expect(principal).to.deep.equal({ objectId: 'oid-1', tenantId: 't-1', appId: 'app-1', kind: 'ServicePrincipal', displayName: 'APP-1' });
    expect((await rejection(tokens.verify('abc', ARM, { looseAuth: true }))).reason).to.equal('malformed');
    expect((await rejection(tokens.verify(unsignedJwt({ aud: 'x' }), ARM, { looseAuth: true }))).reason).to.equal('malformed');
  });

  it('keeps its signing key in the store: a re-created service on the same file verifies old tokens', async () => {
    const { accessToken } = await tokens.issue(sp, ARM[0]);
    await store.close();
    expect(statSync(store.file!).mode & 0o777).to.equal(0o600);

    const reopened = await Store.open(store.file);
    const again = await TokenService.open(reopened, { issuerOrigin: () => ORIGIN });
    expect(again.kid).to.equal(tokens.kid);
    expect(again.jwks()).to.deep.equal(tokens.jwks());
    const { principal } = await again.verify(accessToken, ARM);
    expect(principal.objectId).to.equal('o-sp');
    await reopened.close();
  });
});
