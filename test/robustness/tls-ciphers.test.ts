/**
 * Every listener speaks modern TLS only (issue 11, item 10): openssl s_client offering only the
 * CBC-SHA1 suites (ECDSA and RSA variants, whichever key the listener has) is refused, on the ARM
 * port and on a machine's BMC port; an ECDHE+GCM suite at TLS 1.2 and TLS 1.3 are accepted.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { startEmulator, type Running } from '../helpers/emulator.js';
import { requireCommands } from '../helpers/prereq.js';
import { portOf } from '../pki/site-helpers.js';

const CBC_SHA1 = 'ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:AES128-SHA:AES256-SHA';
const CBC_SHA256 = 'ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:AES128-SHA256';
const GCM = 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256';

/**
 * One handshake with openssl s_client (asynchronous: the emulator runs in this process); resolves
 * with the negotiated cipher, or null when the handshake was refused.
 */
function handshake(port: number, args: string[]): Promise<{ cipher: string | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.stdin.end();
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('close', () => {
      clearTimeout(killer);
      const m = /Cipher is (\S+)/.exec(output);
      resolve({ cipher: m && m[1] !== '(NONE)' ? m[1] : null, output });
    });
  });
}

describe('TLS: modern cipher suites only, on the ARM port and the BMC ports', function () {
  this.timeout(60_000);
  let run: Running | undefined;
  let ports: { name: string; port: number }[];

  before(async function () {
    requireCommands(this, ['openssl'], 'apt-get install openssl');
    run = await startEmulator({ demo: true });
    const bmm = await run.client.get(`${run.client.info.demo!.bareMetalMachineIds[0]}?api-version=2025-09-01`);
    expect(bmm.status).to.equal(200);
    ports = [
      { name: 'ARM', port: run.client.port },
      { name: 'BMC', port: portOf(bmm.body.properties.bmcConnectionString) },
    ];
  });
  after(async () => {
    await run?.stop();
  });

  it('refuses CBC suites with SHA-1 or SHA-256 MACs at TLS 1.2', async () => {
    for (const { name, port } of ports) {
      for (const suites of [CBC_SHA1, CBC_SHA256]) {
        const r = await handshake(port, ['-tls1_2', '-cipher', suites]);
        expect(r.cipher, `${name} accepted ${r.cipher}:\n${r.output}`).to.equal(null);
        expect(r.output, name).to.match(/handshake failure|no cipher|alert|errno|error/i);
      }
    }
  });

  it('refuses TLS 1.1', async () => {
    for (const { name, port } of ports) {
      const r = await handshake(port, ['-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0']);
      expect(r.cipher, `${name} spoke TLS 1.1:\n${r.output}`).to.equal(null);
    }
  });

  it('accepts ECDHE with AES-GCM at TLS 1.2, and TLS 1.3', async () => {
    for (const { name, port } of ports) {
      const tls12 = await handshake(port, ['-tls1_2', '-cipher', GCM]);
      expect(tls12.cipher, `${name}:\n${tls12.output}`).to.match(/^ECDHE-(ECDSA|RSA)-AES128-GCM-SHA256$/);
      const tls13 = await handshake(port, ['-tls1_3']);
      expect(tls13.cipher, `${name}:\n${tls13.output}`).to.match(/^TLS_(AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256)$/);
    }
  });
});
