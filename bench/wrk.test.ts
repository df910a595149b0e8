import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseWrkOutput, wrkCommand } from './wrk.js';

const REPORT = `Running 10s test @ http://127.0.0.1:8080/users
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.10ms  350.12us  12.40ms   91.02%
    Req/Sec    30.51k     1.20k   32.10k    88.00%
  Latency Distribution
     50%    2.05ms
     75%    2.20ms
     90%    2.41ms
     99%  850.00us
  1.21M requests in 10.00s, 1.50GB read
  Socket errors: connect 0, read 3, write 1, timeout 2
  Non-2xx or 3xx responses: 17
Requests/sec:  30512.34
Transfer/sec:    153.60MB
`;

test('reads requests/s, p50, p99, transfer/s, totals and errors from a --latency report', () => {
  const result = parseWrkOutput(REPORT);
  assert.equal(result.requestsPerSec, 30512.34);
  assert.equal(result.p50Ms, 2.05);
  assert.equal(result.p99Ms, 0.85);
  assert.equal(result.transferPerSec, 153.6 * 1024 * 1024);
  assert.equal(result.requests, 1_210_000);
  assert.equal(result.non2xx, 17);
  assert.equal(result.socketErrors, 6);
});

test('counts no errors when wrk reports none', () => {
  const clean = REPORT.replace(/ {2}Socket errors.*\n {2}Non-2xx.*\n/, '');
  const result = parseWrkOutput(clean);
  assert.equal(result.non2xx, 0);
  assert.equal(result.socketErrors, 0);
});

test('reads latencies given in seconds', () => {
  assert.equal(parseWrkOutput(REPORT.replace('850.00us', '1.50s')).p99Ms, 1500);
});

test('throws instead of returning zeros when the latency distribution is missing', () => {
  assert.throws(() => parseWrkOutput(REPORT.replace(/ {2}Latency Distribution[\s\S]*?99%.*\n/, '')), /unexpected wrk output/);
});

test('pins wrk to its core and passes every header', async () => {
  const argv = await wrkCommand({ url: 'http://127.0.0.1:1/x', seconds: 5, connections: 64, threads: 1, core: 1, headers: { cookie: 'sid=1', 'accept-encoding': 'gzip' }, scratchDir: '/tmp' });
  assert.deepEqual(argv, ['taskset', '-c', '1', 'wrk', '-t1', '-c64', '-d5s', '--latency', '-H', 'cookie: sid=1', '-H', 'accept-encoding: gzip', 'http://127.0.0.1:1/x']);
});
