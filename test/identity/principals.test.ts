import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Store } from '../../rp/store/store.js';
import { PRINCIPALS, PrincipalConflictError, PrincipalDirectory, type PrincipalRecord } from '../../rp/identity/principals.js';

const TENANT = '00000000-0000-0000-0000-0000000000aa';

describe('identity: principal directory', () => {
  let dir: string;
  let store: Store;
  let directory: PrincipalDirectory;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'nce-principals-'));
    store = await Store.open(path.join(dir, 'store.json'));
    directory = new PrincipalDirectory(store);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a service principal, returns its secret once and stores only a salted hash', async () => {
    const { principal, clientSecret } = await directory.createServicePrincipal({ tenantId: TENANT, displayName: 'demo' });
    expect(principal.kind).to.equal('ServicePrincipal');
    expect(principal).to.not.have.property('secretHash');
    expect(clientSecret).to.have.length(40);

    const record = store.get<PrincipalRecord>(PRINCIPALS, principal.objectId)!;
    expect(record.secretHash).to.match(/^scrypt\$/);
    expect(record.secretHash).to.not.contain(clientSecret);
    expect(readFileSync(path.join(dir, 'store.json'), 'utf8')).to.not.contain(clientSecret);

    expect(await directory.authenticateClient(principal.appId, clientSecret)).to.deep.include({ ok: true });
    expect(await directory.authenticateClient(principal.appId, `${clientSecret}x`)).to.deep.equal({ ok: false, reason: 'invalid_secret' });
    expect(await directory.authenticateClient('11111111-1111-1111-1111-111111111111', clientSecret)).to.deep.equal({ ok: false, reason: 'unknown_client' });
  });

  it('salts each hash, so two principals with the same secret store different hashes', async () => {
    const a = await directory.createServicePrincipal({ tenantId: TENANT, displayName: 'a', secret: 'same-secret' });
    const b = await directory.createServicePrincipal({ tenantId: TENANT, displayName: 'b', secret: 'same-secret' });
    const hashOf = (id: string) => store.get<PrincipalRecord>(PRINCIPALS, id)!.secretHash;
    expect(hashOf(a.principal.objectId)).to.not.equal(hashOf(b.principal.objectId));
  });

  it('rotates a secret: the old one stops working', async () => {
    const { principal, clientSecret } = await directory.createServicePrincipal({ tenantId: TENANT, displayName: 'demo' });
    const fresh = await directory.resetSecret(principal.objectId);
    expect((await directory.authenticateClient(principal.appId, clientSecret)).ok).to.equal(false);
    expect((await directory.authenticateClient(principal.appId, fresh)).ok).to.equal(true);
  });

  it('keys records by lower-case objectId and finds them by object id, app id or resource id, in any case', async () => {
    const mi = await directory.createManagedIdentity({
      tenantId: TENANT,
      objectId: 'AAAAAAAA-0000-0000-0000-000000000001',
      clientId: 'BBBBBBBB-0000-0000-0000-000000000001',
      displayName: 'uami',
      assignment: 'UserAssigned',
      resourceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uami',
    });
    expect(store.get(PRINCIPALS, 'aaaaaaaa-0000-0000-0000-000000000001')).to.exist;
    expect(directory.byObjectId('AAAAAAAA-0000-0000-0000-000000000001')?.appId).to.equal(mi.appId);
    expect(directory.byAppId('bbbbbbbb-0000-0000-0000-000000000001')?.objectId).to.equal(mi.objectId);
    expect(directory.byResourceId('/SUBSCRIPTIONS/s/resourcegroups/RG/providers/microsoft.managedidentity/userassignedidentities/UAMI')?.objectId).to.equal(mi.objectId);
  });

  it('never lets a managed identity sign in with a secret', async () => {
    await directory.createManagedIdentity({ tenantId: TENANT, objectId: 'o1', clientId: 'c1', displayName: 'sami', assignment: 'SystemAssigned' });
    expect(await directory.authenticateClient('c1', '')).to.deep.equal({ ok: false, reason: 'invalid_secret' });
  });

  it('re-registers a managed identity idempotently but refuses ids taken by someone else', async () => {
    const input = { tenantId: TENANT, objectId: 'o1', clientId: 'c1', displayName: 'v1', assignment: 'SystemAssigned' as const };
    await directory.createManagedIdentity(input);
    await directory.createManagedIdentity({ ...input, displayName: 'v2' });
    expect(directory.byObjectId('o1')?.displayName).to.equal('v2');
    let caught: unknown;
    try {
      await directory.createManagedIdentity({ ...input, objectId: 'o2' });
    } catch (e) {
      caught = e;
    }
    expect(caught).to.be.instanceOf(PrincipalConflictError);
    try {
      await directory.createServicePrincipal({ tenantId: TENANT, displayName: 'sp', appId: 'c1' });
      expect.fail('a duplicate app id was accepted');
    } catch (e) {
      expect(e).to.be.instanceOf(PrincipalConflictError);
    }
  });
});
