import { BlockList, isIP } from 'node:net';

/**
 * Which peers may tell the server who the client is (X-Forwarded-*, Forwarded): `false` (nobody, the default), a
 * list of addresses, CIDR ranges and the names `loopback`, `linklocal` and `uniquelocal` (private ranges), or one
 * such entry as a comma-separated string (the form `--trust-proxy` and `TRUST_PROXY` take).
 *
 * @example
 * createApp({ trustProxy: ['loopback', '10.0.0.0/8'] });
 */
export type TrustProxy = false | string | readonly string[];

/**
 * True when forwarded headers from this peer address are believed.
 *
 * @example
 * const trusted = compileTrust('10.0.0.0/8');
 * trusted?.('10.1.2.3'); // true
 */
export type TrustCheck = (address: string) => boolean;

// Named ranges as proxy-addr and Express call them (RFC 6890 special-purpose registries).
const NAMED: Readonly<Record<string, readonly string[]>> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/**
 * Compiles a trust setting once, at start-up, into a check of one address; `undefined` when no peer is trusted, so
 * the per-request path can skip forwarded headers with one comparison. A malformed entry throws a TypeError naming
 * it. IPv4-mapped IPv6 peers (`::ffff:127.0.0.1`, what a dual-stack listener reports) match their IPv4 ranges.
 *
 * @example
 * const trusted = compileTrust('loopback, 10.0.0.0/8');
 * trusted?.('127.0.0.1'); // true
 */
export function compileTrust(option: TrustProxy): TrustCheck | undefined {
  if (option === false) return undefined;
  const entries = (typeof option === 'string' ? option.split(',') : [...option]).map((entry) => {
    if (typeof entry !== 'string') throw new TypeError(`option trustProxy must hold strings, got ${String(entry)}`);
    return entry.trim();
  });
  if (entries.length === 0 || entries.every((entry) => entry === '')) return undefined;
  const list = new BlockList();
  for (const entry of entries) {
    if (entry === '') continue;
    for (const range of NAMED[entry] ?? [entry]) addRange(list, range, entry);
  }
  return (address) => {
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  };
}

function addRange(list: BlockList, range: string, entry: string): void {
  const slash = range.indexOf('/');
  const address = slash === -1 ? range : range.slice(0, slash);
  const family = isIP(address);
  const bits = slash === -1 ? (family === 4 ? 32 : 128) : Number(range.slice(slash + 1));
  const max = family === 4 ? 32 : 128;
  if (family === 0 || !Number.isInteger(bits) || bits < 0 || bits > max || (slash !== -1 && !/^\d{1,3}$/.test(range.slice(slash + 1)))) {
    throw new TypeError(`option trustProxy: ${JSON.stringify(entry)} is not an address, a CIDR range or one of loopback, linklocal, uniquelocal`);
  }
  list.addSubnet(address, bits, family === 4 ? 'ipv4' : 'ipv6');
}
