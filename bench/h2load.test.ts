import assert from 'node:assert/strict';
import { test } from 'node:test';
import { h2loadCommand, parseH2loadOutput } from './h2load.js';

const REPORT = `starting benchmark...
spawning thread #0: 10 total client(s). 241606 total requests
Application protocol: h2

finished in 5.00s, 48321.20 req/s, 2.12MB/s
requests: 241606 total, 241706 started, 241606 done, 241590 succeeded, 16 failed, 2 errored, 1 timeout
status codes: 241590 2xx, 0 3xx, 10 4xx, 4 5xx
traffic: 10.60MB (11114100) total, 2.31MB (2421660) headers (space savings 91.61%), 2.53MB (2657666) data
                     min         max         mean         sd        +/- sd
time for request:      312us     24.52ms      2.05ms      1.26ms    90.82%
`;

test('reads requests/s, transfer/s, totals and errors, and p50 and p99 from the per-request durations', () => {
  const durations = Array.from({ length: 100 }, (_, i) => (i + 1) * 100);
  const result = parseH2loadOutput(REPORT, durations);
  assert.equal(result.requestsPerSec, 48321.2);
  assert.equal(result.transferPerSec, 2.12 * 1024 * 1024);
  assert.equal(result.requests, 241606);
  assert.equal(result.non2xx, 14);
  // 16 failed, of which 14 are the 4xx/5xx answers; plus 2 errored and 1 timed out.
  assert.equal(result.socketErrors, 5);
  assert.equal(result.p50Ms, 5);
  assert.equal(result.p99Ms, 9.9);
});

test('reads a run that finished in milliseconds', () => {
  assert.equal(parseH2loadOutput(REPORT.replace('finished in 5.00s', 'finished in 10.90ms'), [1]).requestsPerSec, 48321.2);
});

test('throws instead of returning zeros when a figure is missing', () => {
  assert.throws(() => parseH2loadOutput(REPORT.replace(/^status codes.*\n/m, ''), []), /unexpected h2load output/);
});

test('pins h2load to its core, runs the given number of requests with -c and -m, and passes every header', () => {
  const argv = h2loadCommand({ url: 'https://127.0.0.1:1/x', seconds: 5, clients: 10, streams: 10, core: 1, headers: { cookie: 'sid=1' }, scratchDir: '/tmp' }, 250_000, '/tmp/log');
  assert.deepEqual(argv, ['taskset', '-c', '1', 'h2load', '-c10', '-m10', '-t1', '-n', '250000', '--log-file', '/tmp/log', '-H', 'cookie: sid=1', 'https://127.0.0.1:1/x']);
});
