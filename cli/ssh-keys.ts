/**
 * The SSH public keys of `--ssh-key-values`, `--ssh-dest-key-path` and `--generate-ssh-keys`, as
 * the networkcloud extension collects them (virtualmachine create, kubernetescluster and agentpool
 * create/update):
 * - `--generate-ssh-keys` does what az's core does: it uses ~/.ssh/id_rsa.pub when that file
 *   exists (with az's warning that no new keys are made); else it derives id_rsa.pub from an
 *   existing ~/.ssh/id_rsa; else it writes a new RSA key pair there (~/.ssh mode 0700, the private
 *   key 0600, the public one 0644). Only that public key is sent; nothing private is ever printed.
 * - `--ssh-dest-key-path` names public key files, or folders whose `*.pub` files are read.
 * - `--ssh-key-values` are the keys themselves.
 * The keys are sent in that order (generated, files, values).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliError } from './errors.js';

/** OpenSSH's one-line `ssh-rsa AAAA…` form of an RSA public key. */
export function openSshRsa(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
  const field = (b: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(b.length);
    return Buffer.concat([length, b]);
  };
  // an SSH mpint is big-endian two's complement: a leading 0 keeps a set high bit positive
  const mpint = (b64url: string) => {
    const raw = Buffer.from(b64url, 'base64url');
    return field(raw[0] & 0x80 ? Buffer.concat([Buffer.from([0]), raw]) : raw);
  };
  return `ssh-rsa ${Buffer.concat([field(Buffer.from('ssh-rsa')), mpint(jwk.e), mpint(jwk.n)]).toString('base64')}`;
}

/** ~/.ssh/id_rsa.pub: read, derived from ~/.ssh/id_rsa, or made with a new pair (see above). */
export function generatedPublicKey(warn: (line: string) => void, home = os.homedir()): string {
  const dir = path.join(home, '.ssh');
  const privatePath = path.join(dir, 'id_rsa');
  const publicPath = `${privatePath}.pub`;
  if (existsSync(publicPath)) {
    warn(`Public SSH key file '${publicPath}' already exists in the directory: '${dir}'. New SSH key files will not be generated.`);
    return readFileSync(publicPath, 'utf8').trim();
  }
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o700);
  }
  let publicKey: KeyObject;
  if (existsSync(privatePath)) {
    try {
      publicKey = createPublicKey(createPrivateKey(readFileSync(privatePath)));
    } catch (e) {
      throw new CliError(`Could not read the private SSH key file '${privatePath}': ${(e as Error).message}`);
    }
    warn(`Private SSH key file '${privatePath}' was found in the directory: '${dir}'. A paired public key file '${publicPath}' will be generated.`);
  } else {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(privatePath, pair.privateKey.export({ format: 'pem', type: 'pkcs1' }), { mode: 0o600 });
    chmodSync(privatePath, 0o600);
    publicKey = pair.publicKey;
  }
  const line = openSshRsa(publicKey);
  writeFileSync(publicPath, line, { mode: 0o644 });
  chmodSync(publicPath, 0o644);
  return line;
}

/** The public keys in the files (or the *.pub files of the folders) given. */
export function keysFromPaths(paths: string[]): string[] {
  const files = paths.flatMap((p) => {
    try {
      return statSync(p).isDirectory() ? readdirSync(p).filter((f) => f.endsWith('.pub')).sort().map((f) => path.join(p, f)) : [p];
    } catch (e) {
      throw new CliError(`An error occurred while reading the SSH public key path '${p}': ${(e as Error).message}`);
    }
  });
  return files.map((f) => readFileSync(f, 'utf8').trim()).filter(Boolean);
}
