import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import type { TrustCheck } from './trust.js';

/** Who the client is and how it reached us, after believing (or not) the proxies in front. */
export interface ClientFacts {
  /** The client's address: the peer, or the first untrusted hop of the forwarded chain. */
  readonly ip: string | undefined;
  /** True when the client's own connection was TLS: ours, or the edge proxy's. */
  readonly secure: boolean;
  /** The host the client asked for: the edge proxy's, or `:authority` / `Host`. */
  readonly host: string | undefined;
}

/** What the transport knows of one request before any header is believed. */
export interface PeerFacts {
  readonly remoteAddress: string | undefined;
  readonly secure: boolean;
  /** `:authority` on HTTP/2. */
  readonly authority?: string | undefined;
  readonly headers: IncomingHttpHeaders;
}

interface Hop {
  readonly for: string | undefined;
  readonly proto: string | undefined;
  readonly host: string | undefined;
}

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/**
 * Resolves the client's address, scheme and host once per request. Forwarded headers count only when the peer is
 * trusted; then the chain is walked from the nearest hop outwards while each hop is trusted, and the first
 * untrusted address is the client (proxy-addr's rule, so a client cannot prepend a fake address to
 * `X-Forwarded-For`). `Forwarded` (RFC 7239) is read when present, else `X-Forwarded-For`/`-Proto`/`-Host`; of
 * the latter two the last value counts — the one the nearest (trusted) proxy set, as fastify does. A host that is
 * not a plain host[:port] is ignored.
 *
 * @example
 * resolveClient({ remoteAddress: '127.0.0.1', secure: false, headers: { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' } }, compileTrust('loopback'));
 * // { ip: '203.0.113.9', secure: true, host: undefined }
 */
export function resolveClient(peer: PeerFacts, trusted: TrustCheck | undefined): ClientFacts {
  const { headers } = peer;
  const own: ClientFacts = { ip: plainAddress(peer.remoteAddress), secure: peer.secure, host: peer.authority ?? headers.host };
  if (trusted === undefined || own.ip === undefined || !trusted(own.ip)) return own;
  const hops = headers.forwarded === undefined ? xForwardedHops(headers) : parseForwarded(headers.forwarded);
  if (hops.length === 0) return own;

  let ip = own.ip;
  let proto: string | undefined;
  let host: string | undefined;
  for (let i = hops.length - 1; i >= 0 && trusted(ip); i--) {
    const hop = hops[i]!;
    const address = hop.for === undefined ? undefined : plainAddress(hop.for);
    if (hop.proto !== undefined) proto = hop.proto;
    if (hop.host !== undefined) host = hop.host;
    if (address === undefined || isIP(address) === 0) break;
    ip = address;
  }
  return {
    ip,
    secure: proto === undefined ? own.secure : proto.toLowerCase() === 'https',
    host: host !== undefined && HOST.test(host) ? host : own.host,
  };
}

function xForwardedHops(headers: IncomingHttpHeaders): Hop[] {
  const forwardedFor = headers['x-forwarded-for'];
  const proto = lastValue(headers['x-forwarded-proto']);
  const host = lastValue(headers['x-forwarded-host']);
  const addresses = typeof forwardedFor === 'string' ? forwardedFor.split(',').map((part) => part.trim()) : [];
  if (addresses.length === 0) return proto === undefined && host === undefined ? [] : [{ for: undefined, proto, host }];
  // Proto and host describe the edge of the chain: they ride on the innermost hop, the first one walked.
  return addresses.map((address, i) => (i === addresses.length - 1 ? { for: address, proto, host } : { for: address, proto: undefined, host: undefined }));
}

function lastValue(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[header.length - 1] : header;
  if (value === undefined) return undefined;
  const last = value.slice(value.lastIndexOf(',') + 1).trim();
  return last === '' ? undefined : last;
}

/** RFC 7239 §4: `Forwarded: for=192.0.2.60;proto=https, for="[2001:db8::1]:4711"`; a malformed element ends the list. */
export function parseForwarded(header: string): Hop[] {
  const hops: Hop[] = [];
  for (const element of header.split(',')) {
    const pairs: Record<string, string> = {};
    for (const pair of element.split(';')) {
      const eq = pair.indexOf('=');
      if (eq === -1) {
        if (pair.trim() === '') continue;
        return hops;
      }
      const name = pair.slice(0, eq).trim().toLowerCase();
      let value = pair.slice(eq + 1).trim();
      if (value.startsWith('"')) {
        if (value.length < 2 || !value.endsWith('"')) return hops;
        value = value.slice(1, -1).replace(/\\(.)/g, '$1');
      }
      pairs[name] = value;
    }
    hops.push({ for: nodeAddress(pairs.for), proto: pairs.proto, host: pairs.host });
  }
  return hops;
}

/** `192.0.2.60:4711` → `192.0.2.60`, `[2001:db8::1]:4711` → `2001:db8::1`; `unknown` and obfuscated ids stay as they are. */
function nodeAddress(node: string | undefined): string | undefined {
  if (node === undefined) return undefined;
  if (node.startsWith('[')) return node.slice(1, node.indexOf(']') === -1 ? undefined : node.indexOf(']'));
  const colon = node.indexOf(':');
  return colon !== -1 && node.indexOf(':', colon + 1) === -1 ? node.slice(0, colon) : node;
}

/** `::ffff:203.0.113.9` (an IPv4 client on a dual-stack socket) → `203.0.113.9`. */
function plainAddress(address: string | undefined): string | undefined {
  return address !== undefined && address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
