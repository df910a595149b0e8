import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostProblem } from './host.js';

const valid = [
  'example.com',
  'example.com:8080',
  'localhost:',
  '127.0.0.1:3000',
  '[::1]:8443',
  '[2001:db8::1]',
  'xn--bck2b.example',
  'a_b.example',
  'sub-delims!$&\'()*+,;=',
  '%41bc.example',
  '',
];
const invalid = [
  'a b',
  'evil.example/x',
  'evil.example?x',
  'evil.example#x',
  'user@evil.example',
  'evil.example:80x',
  'evil.example:80:80',
  '[::1',
  '[::1]x',
  '[evil.example]',
  'évil.example',
  'a\\b',
  '%4',
  '%zz.example',
  'a"b',
  'a<b>',
];

for (const host of valid) {
  test(`accepts Host ${JSON.stringify(host)}`, () => {
    assert.equal(hostProblem(['Host', host, 'Accept', '*/*'], host), undefined);
  });
}

for (const host of invalid) {
  test(`refuses Host ${JSON.stringify(host)} as invalid (RFC 9112 §3.2)`, () => {
    assert.equal(hostProblem(['Host', host], host), 'invalid');
  });
}

test('refuses a second Host line, whatever its case and even when both agree', () => {
  assert.equal(hostProblem(['Host', 'a', 'X-A', '1', 'host', 'b'], 'a'), 'duplicate');
  assert.equal(hostProblem(['HOST', 'a', 'hOsT', 'a'], 'a'), 'duplicate');
});

test('leaves a request without Host alone (Node refuses it itself), and ignores look-alike names', () => {
  assert.equal(hostProblem(['Accept', '*/*'], undefined), undefined);
  assert.equal(hostProblem(['Host', 'a', 'X-Host', 'b', 'Hosts', 'c', 'Hos', 'd'], 'a'), undefined);
});
