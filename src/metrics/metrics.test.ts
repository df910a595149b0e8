import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AggregatorRegistry } from 'prom-client';
import { memoryLogger } from '../../test/logger.js';
import { createApp, type App } from '../app.js';
import { inject } from '../testing/inject.js';
import { createMetrics, type Metrics } from './metrics.js';

function instrumentedApp(metrics: Metrics): App {
  const app = createApp({ log: memoryLogger().log });
  metrics.instrument(app);
  app.get('/hello', (ctx) => ctx.text('Hello Node!'));
  app.get('/users/:id', (ctx) => ctx.json({ id: ctx.params.id }));
  app.get('/slow', async (ctx) => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    return ctx.text('done');
  });
  return app;
}

/** The value of one series in Prometheus text, e.g. `http_requests_total{method="GET",route="/hello",status="200"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('counts requests by method, route pattern and status, never the raw path', async () => {
  const metrics = await createMetrics();
  const app = instrumentedApp(metrics);
  for (const url of ['/hello', '/hello', '/users/1', '/users/2', '/nope', '/users/1/x']) await inject(app, { url });
  await inject(app, { method: 'DELETE', url: '/hello' });
  const text = await metrics.text();
  assert.equal(sample(text, 'http_requests_total{method="GET",route="/hello",status="200"}'), 2);
  assert.equal(sample(text, 'http_requests_total{method="GET",route="/users/:id",status="200"}'), 2);
  assert.equal(sample(text, 'http_requests_total{method="GET",route="unmatched",status="404"}'), 2);
  assert.equal(sample(text, 'http_requests_total{method="DELETE",route="unmatched",status="405"}'), 1);
  assert.doesNotMatch(text, /\/users\/1|\/nope/, 'no raw path in any label');
  assert.match(text, /# TYPE http_requests_total counter/);
});

test('keeps a latency histogram whose buckets are cumulative and whose count matches the requests', async () => {
  const metrics = await createMetrics();
  const app = instrumentedApp(metrics);
  await inject(app, { url: '/slow' });
  await inject(app, { url: '/hello' });
  const text = await metrics.text();
  const slow = 'http_request_duration_seconds_bucket{method="GET",route="/slow",status="200",le="0.025"}';
  assert.match(text, /# TYPE http_request_duration_seconds histogram/);
  assert.equal(sample(text, slow), 0, 'a 50 ms request is above the 25 ms bound');
  assert.equal(sample(text, 'http_request_duration_seconds_bucket{method="GET",route="/slow",status="200",le="0.1"}'), 1);
  assert.equal(sample(text, 'http_request_duration_seconds_bucket{method="GET",route="/slow",status="200",le="+Inf"}'), 1);
  assert.equal(sample(text, 'http_request_duration_seconds_count{method="GET",route="/hello",status="200"}'), 1);
  assert.ok(sample(text, 'http_request_duration_seconds_sum{method="GET",route="/slow",status="200"}')! >= 0.045);
});

test('counts the requests in flight', async () => {
  const metrics = await createMetrics();
  const app = instrumentedApp(metrics);
  const slow = [inject(app, { url: '/slow' }), inject(app, { url: '/slow' })];
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(sample(await metrics.text(), 'http_requests_in_flight'), 2);
  await Promise.all(slow);
  assert.equal(sample(await metrics.text(), 'http_requests_in_flight'), 0);
});

test("reports this process's memory and event-loop lag, labelled with its pid", async () => {
  const text = await (await createMetrics()).text();
  assert.ok(sample(text, `maru_worker_resident_memory_bytes{pid="${process.pid}"}`)! > 10 * 2 ** 20);
  assert.ok(sample(text, `maru_worker_event_loop_lag_p99_seconds{pid="${process.pid}"}`)! >= 0);
});

test('adds the given labels (an instance) to every series', async () => {
  const metrics = await createMetrics({ labels: { instance: 'web-1' } });
  await inject(instrumentedApp(metrics), { url: '/hello' });
  const text = await metrics.text();
  assert.equal(sample(text, 'http_requests_total{method="GET",route="/hello",status="200",instance="web-1"}'), 1);
  assert.equal(sample(text, 'http_requests_in_flight{instance="web-1"}'), 0);
});

test('refuses a label that clashes with a metric label or is not a Prometheus name', async () => {
  await assert.rejects(createMetrics({ labels: { route: 'x' } }), /option labels: route cannot be a label name here/);
  await assert.rejects(createMetrics({ labels: { 'my-label': 'x' } }), /my-label cannot be a label name/);
});

test('instruments one app only', async () => {
  const metrics = await createMetrics();
  instrumentedApp(metrics);
  assert.throws(() => instrumentedApp(metrics), /already called/);
});

test("sums two processes' metrics with prom-client's AggregatorRegistry, keeping per-process series apart", async () => {
  const one = await createMetrics();
  const two = await createMetrics();
  const [appOne, appTwo] = [instrumentedApp(one), instrumentedApp(two)];
  for (let i = 0; i < 3; i++) await inject(appOne, { url: '/hello' });
  await inject(appTwo, { url: '/hello' });
  const text = await AggregatorRegistry.aggregate([[...(await one.json())], [...(await two.json())]]).metrics();
  assert.equal(sample(text, 'http_requests_total{method="GET",route="/hello",status="200"}'), 4);
  assert.equal(sample(text, 'http_request_duration_seconds_count{method="GET",route="/hello",status="200"}'), 4);
  assert.equal(sample(text, 'http_request_duration_seconds_bucket{method="GET",route="/hello",status="200",le="+Inf"}'), 4);
});
