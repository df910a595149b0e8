import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { test } from 'node:test';
import { parseForwarded, resolveClient } from './forwarded.js';
import { compileTrust } from './trust.js';

const loopback = compileTrust('loopback');
const peer = (headers: IncomingHttpHeaders, remoteAddress = '127.0.0.1', secure = false) => ({ remoteAddress, secure, headers });

test('without trust, the peer is the client and forwarded headers are ignored', () => {
  const facts = resolveClient(peer({ host: 'a.test', 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'b.test' }), undefined);
  assert.deepEqual(facts, { ip: '127.0.0.1', secure: false, host: 'a.test' });
});

test('an untrusted peer cannot forward anything, even with trust configured', () => {
  const facts = resolveClient(peer({ host: 'a.test', 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' }, '198.51.100.1'), loopback);
  assert.deepEqual(facts, { ip: '198.51.100.1', secure: false, host: 'a.test' });
});

test('a trusted peer forwards the client address, scheme and host', () => {
  const facts = resolveClient(peer({ host: 'upstream', 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'example.com' }), loopback);
  assert.deepEqual(facts, { ip: '203.0.113.9', secure: true, host: 'example.com' });
});

test('a client cannot prepend a fake address: the first untrusted hop from the right is the client', () => {
  const facts = resolveClient(peer({ 'x-forwarded-for': '127.0.0.1, 1.2.3.4, 203.0.113.9' }), loopback);
  assert.equal(facts.ip, '203.0.113.9');
  const chain = resolveClient(peer({ 'x-forwarded-for': '203.0.113.9, 10.0.0.2' }), compileTrust('loopback, 10.0.0.0/8'));
  assert.equal(chain.ip, '203.0.113.9');
});

test('of several X-Forwarded-Proto and -Host values the last, set by the nearest proxy, counts', () => {
  const facts = resolveClient(peer({ 'x-forwarded-proto': 'http, https', 'x-forwarded-host': 'evil.test, example.com' }), loopback);
  assert.deepEqual(facts, { ip: '127.0.0.1', secure: true, host: 'example.com' });
});

test('a forwarded host that is not a plain host[:port] is ignored', () => {
  for (const host of ['exa mple.com', 'a.test/path', 'a.test@b.test', '', 'a.test:99999x']) {
    assert.equal(resolveClient(peer({ host: 'own.test', 'x-forwarded-host': host }), loopback).host, 'own.test', host);
  }
  assert.equal(resolveClient(peer({ 'x-forwarded-host': '[2001:db8::1]:8443' }), loopback).host, '[2001:db8::1]:8443');
});

test('reads RFC 7239 Forwarded before X-Forwarded-*, quoted IPv6 with ports included', () => {
  const facts = resolveClient(
    peer({ forwarded: 'for="[2001:db8:cafe::17]:4711";proto=https;host=example.com', 'x-forwarded-for': '198.51.100.1' }),
    loopback,
  );
  assert.deepEqual(facts, { ip: '2001:db8:cafe::17', secure: true, host: 'example.com' });
  assert.deepEqual(parseForwarded('for=192.0.2.60;proto=http;by=203.0.113.43, for=198.51.100.17'), [
    { for: '192.0.2.60', proto: 'http', host: undefined },
    { for: '198.51.100.17', proto: undefined, host: undefined },
  ]);
});

test('a malformed or unknown hop ends the walk at the last hop believed', () => {
  assert.equal(resolveClient(peer({ forwarded: 'for=unknown' }), loopback).ip, '127.0.0.1');
  assert.equal(resolveClient(peer({ 'x-forwarded-for': 'garbage' }), loopback).ip, '127.0.0.1');
  assert.deepEqual(parseForwarded('for=1.2.3.4, junk, for=5.6.7.8'), [{ for: '1.2.3.4', proto: undefined, host: undefined }]);
});

test('reports an IPv4 client of a dual-stack socket as plain IPv4, and HTTP/2 :authority as the host', () => {
  const facts = resolveClient({ remoteAddress: '::ffff:203.0.113.9', secure: true, authority: 'h2.test', headers: { host: 'other.test' } }, undefined);
  assert.deepEqual(facts, { ip: '203.0.113.9', secure: true, host: 'h2.test' });
});
