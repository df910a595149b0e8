import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressKey } from './address.js';

const cases: [claim: string, address: string | undefined, key: string][] = [
  ['an IPv4 address is its own key', '203.0.113.7', '203.0.113.7'],
  ['an IPv4-mapped IPv6 address counts as its IPv4 address', '::ffff:203.0.113.7', '203.0.113.7'],
  ['an IPv6 address counts as its /64', '2001:db8:a:b:1:2:3:4', '2001:db8:a:b::/64'],
  ['two addresses of one /64 share a key', '2001:db8:a:b:ffff:ffff:ffff:ffff', '2001:db8:a:b::/64'],
  ['a compressed IPv6 address is expanded before its /64 is taken', '2001:db8::1', '2001:db8:0:0::/64'],
  ['leading zeros and upper case do not make another key', '2001:0DB8:000A:000B::1', '2001:db8:a:b::/64'],
  ['the IPv6 loopback', '::1', '0:0:0:0::/64'],
  ['a zone index is ignored', 'fe80::1%eth0', 'fe80:0:0:0::/64'],
  ['an IPv6 address with an IPv4 tail', '64:ff9b::192.0.2.33', '64:ff9b:0:0::/64'],
  ['a missing address is one shared key', undefined, 'unknown'],
  ['something that is not an IP is one shared key', 'not-an-ip', 'unknown'],
];

for (const [claim, address, key] of cases) {
  test(claim, () => {
    assert.equal(addressKey(address), key);
  });
}

test('addresses of different /64s get different keys', () => {
  assert.notEqual(addressKey('2001:db8:a:b::1'), addressKey('2001:db8:a:c::1'));
});
