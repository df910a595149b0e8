import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileTrust } from './trust.js';

test('trusts nobody by default, or for an empty list', () => {
  assert.equal(compileTrust(false), undefined);
  assert.equal(compileTrust([]), undefined);
  assert.equal(compileTrust(' , '), undefined);
});

test('matches addresses, CIDR ranges and named ranges, IPv4-mapped peers included', () => {
  const trusted = compileTrust('loopback, 10.0.0.0/8, 2001:db8::/32, 198.51.100.7')!;
  const cases: [string, boolean][] = [
    ['127.0.0.1', true],
    ['127.255.0.9', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['10.1.2.3', true],
    ['::ffff:10.1.2.3', true],
    ['11.0.0.1', false],
    ['2001:db8:1::5', true],
    ['2001:db9::5', false],
    ['198.51.100.7', true],
    ['198.51.100.8', false],
    ['not an address', false],
    ['', false],
  ];
  for (const [address, expected] of cases) assert.equal(trusted(address), expected, address);
});

test('knows the private ranges as uniquelocal and link-local as linklocal', () => {
  const trusted = compileTrust(['uniquelocal', 'linklocal'])!;
  for (const address of ['10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1', 'fd00::1', '169.254.1.1', 'fe80::1']) assert.ok(trusted(address), address);
  for (const address of ['172.32.0.1', '192.169.0.1', '127.0.0.1', '8.8.8.8']) assert.ok(!trusted(address), address);
});

test('refuses a malformed entry at set-up, naming it', () => {
  for (const bad of ['localhost', '10.0.0.0/33', '10.0.0.0/x', '::1/129', '300.1.1.1', '10.0.0.0/-1']) {
    assert.throws(() => compileTrust(bad), (err: Error) => err instanceof TypeError && err.message.includes(JSON.stringify(bad)), bad);
  }
  assert.throws(() => compileTrust([42 as unknown as string]), /must hold strings/);
});
