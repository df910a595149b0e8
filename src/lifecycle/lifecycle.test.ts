import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { memoryLogger } from '../../test/logger.js';
import { createLifecycle, EXIT } from './lifecycle.js';
import { handleProcessEvents } from './process.js';

test('moves starting → ready → draining → stopped and tells its listeners', async () => {
  const life = createLifecycle({ log: memoryLogger().log });
  const seen: string[] = [];
  life.onChange((state, reason) => seen.push(reason === undefined ? state : `${state}:${reason.cause}`));
  assert.equal(life.state, 'starting');
  life.ready();
  life.ready();
  assert.equal(await life.stop({ cause: 'signal', exitCode: EXIT.ok }), 0);
  assert.equal(await life.done, 0);
  assert.deepEqual(seen, ['ready', 'draining:signal', 'stopped:signal']);
});

test('runs stop hooks once, last registered first, and a second stop returns the same promise', async () => {
  const life = createLifecycle({ log: memoryLogger().log });
  const order: string[] = [];
  life.onStop(() => void order.push('storage'));
  life.onStop(async () => {
    await new Promise((resolve) => setTimeout(resolve, 10));
    order.push('listeners');
  });
  const first = life.stop({ cause: 'signal', exitCode: 0 });
  const second = life.stop({ cause: 'crash', exitCode: 70 });
  assert.equal(first, second);
  await first;
  assert.deepEqual(order, ['listeners', 'storage']);
});

test('a failing stop hook is logged, the others still run, and the exit code becomes 1', async () => {
  const { log, lines } = memoryLogger();
  const life = createLifecycle({ log });
  let ran = false;
  life.onStop(() => void (ran = true));
  life.onStop(() => {
    throw new Error('close failed');
  });
  assert.equal(await life.stop({ cause: 'signal', exitCode: 0 }), 1);
  assert.ok(ran);
  assert.equal(lines().filter((line) => line.msg === 'a stop step failed').length, 1);
});

test('keeps a crash\'s exit code when a hook fails too', async () => {
  const life = createLifecycle({ log: memoryLogger().log });
  life.onStop(() => Promise.reject(new Error('x')));
  assert.equal(await life.stop({ cause: 'crash', exitCode: EXIT.crashed }), 70);
});

test('gives up on hooks still running at the stop timeout and exits 1', async () => {
  const life = createLifecycle({ log: memoryLogger().log, stopTimeout: 50 });
  life.onStop(() => new Promise(() => {}));
  assert.equal(await life.stop({ cause: 'signal', exitCode: 0 }), 1);
  assert.equal(life.state, 'stopped');
});

test('abort() resolves done at once, even while hooks hang', async () => {
  const life = createLifecycle({ log: memoryLogger().log });
  life.onStop(() => new Promise(() => {}));
  void life.stop({ cause: 'signal', exitCode: 0 });
  life.abort(1);
  assert.equal(await life.done, 1);
});

test('reload runs every hook, logging one that fails', async () => {
  const { log, lines } = memoryLogger();
  const life = createLifecycle({ log });
  let reloaded = 0;
  life.onReload(() => Promise.reject(new Error('bad certificate file')));
  life.onReload(() => void reloaded++);
  await life.reload();
  assert.equal(reloaded, 1);
  assert.deepEqual(lines().filter((line) => line.level === 50).map((line) => line.err), ['bad certificate file']);
});

test('refuses a bad stopTimeout at set-up', () => {
  assert.throws(() => createLifecycle({ log: memoryLogger().log, stopTimeout: 0 }), /option stopTimeout must be a positive integer/);
});

test('SIGTERM drains and stops with 0; a second signal while draining aborts with 1', async () => {
  const events = new EventEmitter();
  const { log } = memoryLogger();
  const life = createLifecycle({ log });
  life.onStop(() => new Promise(() => {}));
  handleProcessEvents(life, { log, target: events });
  life.ready();
  events.emit('SIGTERM', 'SIGTERM');
  assert.equal(life.state, 'draining');
  events.emit('SIGINT', 'SIGINT');
  assert.equal(await life.done, 1);
});

test('SIGHUP reloads without stopping', async () => {
  const events = new EventEmitter();
  const { log } = memoryLogger();
  const life = createLifecycle({ log });
  let reloads = 0;
  life.onReload(() => void reloads++);
  handleProcessEvents(life, { log, target: events });
  life.ready();
  events.emit('SIGHUP', 'SIGHUP');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(reloads, 1);
  assert.equal(life.state, 'ready');
});

test('an uncaught error is logged once as fatal, then the process drains and exits 70', async () => {
  const events = new EventEmitter();
  const { log, lines } = memoryLogger();
  const life = createLifecycle({ log });
  let drained = false;
  life.onStop(() => void (drained = true));
  const remove = handleProcessEvents(life, { log, target: events });
  life.ready();
  events.emit('uncaughtException', new Error('boom'), 'uncaughtException');
  events.emit('unhandledRejection', new Error('second'));
  assert.equal(await life.done, 70);
  assert.ok(drained);
  const fatal = lines().filter((line) => line.level === 60);
  assert.equal(fatal.length, 1);
  assert.equal((fatal[0]!.err as { message: string }).message, 'boom');
  remove();
  assert.equal(events.listenerCount('uncaughtException') + events.listenerCount('SIGTERM'), 0);
});
