/**
 * examples/k8s-bootstrap-cycle.sh run with bash against a spawned emulator (the demo): bootstrap token,
 * exchange, mutual TLS with openssl s_client, renewal rotating the token, revocation in one request,
 * and the CRL, all through azemu and openssl as a user would.
 */
import { expect } from 'chai';
import { KUBERNETES_VERSIONS } from '../../rp/providers/networkcloud/catalogues.js';
import { spawnEmulator, type Spawned } from '../helpers/emulator.js';
import { requirePrereq } from '../helpers/prereq.js';
import { missingTools, runExample } from '../helpers/scripts.js';

const missing = missingTools(['bash', 'curl', 'jq', 'openssl']);

describe('examples/k8s-bootstrap-cycle.sh', function () {
  this.timeout(150_000);
  let emulator: Spawned | undefined;

  before(function () {
    requirePrereq(this, !missing.length, `${missing.join(' and ')} not installed`);
  });
  after(async () => {
    await emulator?.stop();
  });

  it('walks the bootstrap-renew-revoke cycle with azemu and openssl; no output holds a key', async () => {
    emulator = await spawnEmulator([]);
    const run = await runExample('k8s-bootstrap-cycle.sh', emulator.dataDir, 120_000);
    expect(run.code, run.output).to.equal(0);
    for (const line of [
      /CA cluster-ca: 3650d/,
      /CA agent-ca: 365d/,
      /leaf apiserver: /,
      /API endpoint: https:\/\/127\.0\.0\.1:\d+\//,
      /token id: [a-z0-9]{6}\n/,
      /"issuer": "agent-ca"/,
      /subject=O = agents, CN = agent-1/,
      /agent\.pem: OK/,
      /second exchange refused: .*BootstrapTokenUsed/,
      /with certificate: HTTP\/1\.[01] 200/,
      /with certificate: Verification: OK/,
      // The script creates its cluster at the newest version the catalogue offers; the endpoint serves it.
      new RegExp(`with certificate: .*"gitVersion":"v${KUBERNETES_VERSIONS[KUBERNETES_VERSIONS.length - 1].version.replace(/\./g, '\\.')}"`),
      /without certificate: HTTP\/1\.[01] 401/,
      /renewed: serial [0-9a-f]+, new token id [a-z0-9]{6}/,
      /revoked certificate: HTTP\/1\.[01] 401/,
      /ClientCertificateRevoked/,
      /renewed certificate: HTTP\/1\.[01] 200/,
      /crl: +Serial Number: [0-9A-F]+/,
      /crl: +Superseded/,
      /first: .*certificate revoked/,
      /renewed: agent2\.pem: OK/,
      /k8s-bootstrap-cycle done/,
    ]) expect(run.output).to.match(line);
    expect(run.output).to.not.match(/PRIVATE KEY/);
    expect(emulator.output()).to.not.match(/PRIVATE KEY/);
    // The token never reaches the emulator's log.
    const secret = /token id: ([a-z0-9]{6})/.exec(run.output)![1];
    expect(emulator.output()).to.not.contain(`${secret}.`);
  });
});
