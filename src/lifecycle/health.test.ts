import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memoryLogger } from '../../test/logger.js';
import { createApp } from '../app.js';
import { inject } from '../testing/inject.js';
import { health } from './health.js';
import { createLifecycle } from './lifecycle.js';

function setup(checks?: Record<string, () => boolean | Promise<boolean>>) {
  const log = memoryLogger('warn').log;
  const life = createLifecycle({ log });
  const app = createApp({ log });
  app.use(health(life, checks === undefined ? {} : { checks }));
  app.use(() => {
    throw new Error('health answers before the rest of the chain');
  });
  return { app, life };
}

test('/healthz is 200 while the process runs, whatever its state', async () => {
  const { app, life } = setup();
  assert.equal((await inject(app, { url: '/healthz' })).status, 200);
  void life.stop({ cause: 'signal', exitCode: 0 });
  const res = await inject(app, { url: '/healthz' });
  assert.equal(res.status, 200);
  assert.deepEqual(res.json(), { status: 'ok' });
});

test('/readyz is 503 while starting, 200 once ready, 503 again while draining', async () => {
  const { app, life } = setup();
  const starting = await inject(app, { url: '/readyz' });
  assert.equal(starting.status, 503);
  assert.deepEqual(starting.json(), { status: 'starting' });
  assert.equal(starting.headers['retry-after'], '1');
  life.ready();
  assert.equal((await inject(app, { url: '/readyz' })).status, 200);
  life.onStop(() => new Promise(() => {}));
  void life.stop({ cause: 'signal', exitCode: 0 });
  assert.deepEqual((await inject(app, { url: '/readyz' })).json(), { status: 'draining' });
});

test('/readyz is 503 naming the checks that failed or threw', async () => {
  let databaseUp = false;
  const { app, life } = setup({ database: () => databaseUp, cache: async () => true, broken: () => { throw new Error('x'); } });
  life.ready();
  const res = await inject(app, { url: '/readyz' });
  assert.equal(res.status, 503);
  assert.deepEqual(res.json(), { status: 'unavailable', failed: ['broken', 'database'] });
  databaseUp = true;
  assert.deepEqual((await inject(app, { url: '/readyz' })).json(), { status: 'unavailable', failed: ['broken'] });
});

test('health replies are never cached; OPTIONS lists the methods and others get 405 with Allow', async () => {
  const { app } = setup();
  assert.equal((await inject(app, { url: '/healthz' })).headers['cache-control'], 'no-store');
  const options = await inject(app, { method: 'OPTIONS', url: '/readyz' });
  assert.equal(options.status, 204);
  assert.equal(options.headers.allow, 'GET, HEAD, OPTIONS');
  const post = await inject(app, { method: 'POST', url: '/healthz' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.allow, 'GET, HEAD, OPTIONS');
  assert.equal((await inject(app, { url: '/other' })).status, 500, 'other paths reach the rest of the chain');
});
