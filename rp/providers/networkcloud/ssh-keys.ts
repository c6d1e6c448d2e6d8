/**
 * OpenSSH public keys ("ssh-ed25519 AAAA… comment"), checked the way a server would before it
 * installs one: the text has a known algorithm and base64 data, the data is the SSH wire encoding
 * of a key of that same algorithm, and the key itself imports (node:crypto, through a JWK).
 */
import { createPublicKey } from 'node:crypto';

/** The algorithms Nexus installs: RSA (2048 bits or more), ECDSA on the NIST curves, Ed25519. */
const CURVES: Record<string, { crv: string; size: number }> = {
  'ecdsa-sha2-nistp256': { crv: 'P-256', size: 32 },
  'ecdsa-sha2-nistp384': { crv: 'P-384', size: 48 },
  'ecdsa-sha2-nistp521': { crv: 'P-521', size: 66 },
};
export const MIN_RSA_BITS = 2048;

export interface SshKeyCheck {
  valid: boolean;
  /** Why the key was refused (when not valid), or what it is (e.g. "ssh-ed25519 key"). */
  reason: string;
}

class Reader {
  private at = 0;
  constructor(private readonly data: Buffer) {}
  field(): Buffer {
    if (this.at + 4 > this.data.length) throw new Error('the key data ends early');
    const length = this.data.readUInt32BE(this.at);
    this.at += 4;
    if (length > this.data.length - this.at) throw new Error('the key data ends early');
    const out = this.data.subarray(this.at, this.at + length);
    this.at += length;
    return out;
  }
  done(): boolean {
    return this.at === this.data.length;
  }
}

const b64url = (b: Buffer) => b.toString('base64url');
/** An SSH mpint without its sign byte. */
const unsigned = (b: Buffer) => (b.length > 1 && b[0] === 0 ? b.subarray(1) : b);

function jwkOf(algorithm: string, r: Reader): Record<string, string> {
  if (algorithm === 'ssh-ed25519') {
    const x = r.field();
    if (x.length !== 32) throw new Error('an Ed25519 key is 32 bytes');
    return { kty: 'OKP', crv: 'Ed25519', x: b64url(x) };
  }
  if (algorithm === 'ssh-rsa') {
    const e = unsigned(r.field());
    const n = unsigned(r.field());
    const bits = n.length * 8 - Math.clz32(n[0] ?? 0) + 24;
    if (bits < MIN_RSA_BITS) throw new Error(`the RSA key has ${bits} bits; at least ${MIN_RSA_BITS} are needed`);
    return { kty: 'RSA', n: b64url(n), e: b64url(e) };
  }
  const curve = CURVES[algorithm];
  const name = r.field().toString('latin1');
  if (name !== algorithm.slice('ecdsa-sha2-'.length)) throw new Error(`the key data names curve '${name}', not the one its type says`);
  const q = r.field();
  if (q.length !== 1 + 2 * curve.size || q[0] !== 4) throw new Error('the ECDSA point is not an uncompressed point of its curve');
  return { kty: 'EC', crv: curve.crv, x: b64url(q.subarray(1, 1 + curve.size)), y: b64url(q.subarray(1 + curve.size)) };
}

/** Checks one public key in OpenSSH's one-line format. Never throws. */
export function checkSshPublicKey(text: unknown): SshKeyCheck {
  if (typeof text !== 'string' || !text.trim()) return { valid: false, reason: 'The SSH public key is empty.' };
  const [algorithm, data, ...rest] = text.trim().split(/\s+/);
  void rest;
  const known = algorithm === 'ssh-rsa' || algorithm === 'ssh-ed25519' || algorithm in CURVES;
  if (!known) return { valid: false, reason: `The SSH public key type '${algorithm.slice(0, 40)}' is not supported; use ssh-rsa, ssh-ed25519 or ecdsa-sha2-nistp256/384/521.` };
  if (!data || !/^[A-Za-z0-9+/]+={0,2}$/.test(data) || data.length % 4 !== 0) return { valid: false, reason: 'The SSH public key data is not base64.' };
  try {
    const r = new Reader(Buffer.from(data, 'base64'));
    const inner = r.field().toString('latin1');
    if (inner !== algorithm) throw new Error(`the key data is a '${inner.slice(0, 40)}' key, not '${algorithm}'`);
    const jwk = jwkOf(algorithm, r);
    if (!r.done()) throw new Error('the key data has trailing bytes');
    createPublicKey({ key: jwk, format: 'jwk' });
    return { valid: true, reason: `${algorithm} key` };
  } catch (e) {
    const why = (e as Error).message;
    return { valid: false, reason: `The SSH public key is not valid: ${/^[a-z]/.test(why) ? why : 'the key does not decode'}.` };
  }
}
