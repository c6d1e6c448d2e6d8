/**
 * Where a caller is: the one decision behind "only callers on this machine" (the IMDS-style
 * managed-identity endpoint, the portal's sign-in). Loopback is 127.0.0.0/8 and ::1, also when
 * an IPv6 socket reports an IPv4 caller as ::ffff:127.x.y.z. Node's BlockList does the matching.
 */
import { BlockList, isIP } from 'node:net';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** True for a loopback socket address (as in `socket.remoteAddress`); false for anything else, unknown included. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  // '[::1]' and zone ids ('fe80::1%eth0') are not what sockets report, but cost nothing to accept.
  const bare = address.replace(/^\[(.*)\]$/, '$1').split('%')[0];
  const family = isIP(bare);
  if (family === 0) return false;
  return LOOPBACK.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}
