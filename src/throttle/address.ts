import { isIPv4, isIPv6 } from 'node:net';

/**
 * The part of a client address that one client controls, as the key to count its attempts under: an IPv4
 * address as is (an IPv4-mapped IPv6 address as its IPv4 form), and of an IPv6 address its /64 prefix — a single
 * host is usually handed a whole /64 (RFC 6177, RFC 7934), so counting full IPv6 addresses would give it 2^64
 * fresh counters. An address missing or not an IP (a test, a Unix socket) is one shared key.
 *
 * @example
 * addressKey('203.0.113.7')             // '203.0.113.7'
 * addressKey('::ffff:203.0.113.7')      // '203.0.113.7'
 * addressKey('2001:db8:a:b:1:2:3:4')    // '2001:db8:a:b::/64'
 */
export function addressKey(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  const bare = address.replace(/%.*$/, '');
  if (isIPv4(bare)) return bare;
  if (!isIPv6(bare)) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped !== null) return mapped[1]!;
  const groups = expandIPv6(bare.toLowerCase());
  return `${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address, as hex strings; an IPv4 tail becomes its two groups. */
function expandIPv6(address: string): string[] {
  let text = address;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4 !== null) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right];
}
