/** SSH public keys for tests, in OpenSSH's one-line format. */
import { generateKeyPairSync } from 'node:crypto';

/** A public key in OpenSSH's one-line format, encoded here from node's JWK export. */
export function sshKey(kind: 'ed25519' | 'rsa' | 'ecdsa', bits = 2048): string {
  const field = (b: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(b.length);
    return Buffer.concat([length, b]);
  };
  const mpint = (b: Buffer) => field(b[0] & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
  if (kind === 'ed25519') {
    const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
    return `ssh-ed25519 ${Buffer.concat([field(Buffer.from('ssh-ed25519')), field(Buffer.from(jwk.x!, 'base64url'))]).toString('base64')} ops@example`;
  }
  if (kind === 'ecdsa') {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    const point = Buffer.concat([Buffer.from([4]), Buffer.from(ec.x!, 'base64url'), Buffer.from(ec.y!, 'base64url')]);
    return `ecdsa-sha2-nistp256 ${Buffer.concat([field(Buffer.from('ecdsa-sha2-nistp256')), field(Buffer.from('nistp256')), field(point)]).toString('base64')}`;
  }
  const jwk = generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ format: 'jwk' });
  return `ssh-rsa ${Buffer.concat([field(Buffer.from('ssh-rsa')), mpint(Buffer.from(jwk.e!, 'base64url')), mpint(Buffer.from(jwk.n!, 'base64url'))]).toString('base64')} admin@example`;
}
