import assert from 'node:assert/strict';
import { test } from 'node:test';
import { request } from '../../test/core/client.js';
import { memoryLogger } from '../../test/logger.js';
import { serveMetrics } from './serve.js';

const source = { contentType: 'text/plain; version=0.0.4; charset=utf-8', text: async () => 'up 1\n' };

test('answers GET /metrics on 127.0.0.1 with Prometheus text, and nothing else', async () => {
  const listener = await serveMetrics(source, { port: 0, log: memoryLogger().log });
  try {
    assert.match(listener.url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const metrics = await request(listener.url);
    assert.equal(metrics.status, 200);
    assert.equal(metrics.body, 'up 1\n');
    assert.equal(metrics.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    assert.equal(metrics.headers['cache-control'], 'no-store');
    assert.equal((await request(listener.url.replace('/metrics', '/'))).status, 404);
    const post = await request(listener.url, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
  } finally {
    await listener.close();
  }
});

test('answers 500 without details when collecting fails, and logs why', async () => {
  const { log, lines } = memoryLogger();
  const listener = await serveMetrics({ ...source, text: () => Promise.reject(new Error('secret detail')) }, { port: 0, log });
  try {
    const res = await request(listener.url);
    assert.equal(res.status, 500);
    assert.doesNotMatch(res.body, /secret/);
    assert.ok(lines().some((l) => l.msg === 'could not collect metrics'));
  } finally {
    await listener.close();
  }
});

test('rejects with one line naming a taken port', async () => {
  const first = await serveMetrics(source, { port: 0, log: memoryLogger().log });
  try {
    const port = Number(new URL(first.url).port);
    await assert.rejects(serveMetrics(source, { port, log: memoryLogger().log }), new RegExp(`^Error: port ${port} is already in use`));
  } finally {
    await first.close();
  }
});
