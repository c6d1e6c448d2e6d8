/**
 * @azure/identity's ManagedIdentityCredential through MSI_ENDPOINT (the Cloud Shell form: POST with
 * `resource` and `Metadata: true`). MSAL keeps its managed-identity source per process, so each
 * case runs in a fresh node process that trusts the emulator's CA through NODE_EXTRA_CA_CERTS.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { ROOT, spawnEmulator, type Spawned } from '../helpers/emulator.js';

const CHILD = `
import { ManagedIdentityCredential } from '@azure/identity';
const token = await new ManagedIdentityCredential().getToken('https://management.azure.com/.default');
const claims = JSON.parse(Buffer.from(token.token.split('.')[1], 'base64url').toString());
const res = await fetch(process.env.NCE_PROBE_URL, { headers: { Authorization: 'Bearer ' + token.token } });
console.log(JSON.stringify({ oid: claims.oid, tid: claims.tid, aud: claims.aud, status: res.status }));
`;

function runChild(env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

describe('ManagedIdentityCredential through MSI_ENDPOINT', function () {
  this.timeout(60_000);
  let emu: Spawned;
  before(async () => {
    emu = await spawnEmulator(['--operation-duration', '0']);
  });
  after(() => emu.stop());

  it('gets a token for the default identity that ARM accepts', async () => {
    const info = emu.client.info;
    const env: NodeJS.ProcessEnv = { ...process.env, MSI_ENDPOINT: info.msiEndpoint, NODE_EXTRA_CA_CERTS: info.caCertFile!, NCE_PROBE_URL: `${info.endpoint}subscriptions?api-version=2022-12-01` };
    for (const k of ['IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'MSI_SECRET', 'AZURE_CLIENT_ID']) delete env[k];
    const r = await runChild(env);
    expect(r.code, r.err).to.equal(0);
    const result = JSON.parse(r.out.trim().split('\n').pop()!);
    expect(result).to.include({ tid: info.tenantId, status: 200 });
    expect(result.aud.replace(/\/$/, '')).to.equal('https://management.azure.com');
  });
});
