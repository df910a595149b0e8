import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sessionStoreContract } from '../../test/contracts/session-store.js';
import { MemoryStore } from './memory.js';

sessionStoreContract('MemoryStore', async () => {
  const store = new MemoryStore();
  return { store, cleanup: () => store.close() };
});

const session = { data: { name: 'kim' }, createdAt: 0, touchedAt: 0 };

test('MemoryStore drops the least recently written anonymous session past maxEntries', async () => {
  const store = new MemoryStore({ maxEntries: 2 });
  await store.set('a', session, 60_000);
  await store.set('b', session, 60_000);
  await store.update('a', session, 60_000);
  await store.set('c', session, 60_000);
  assert.equal(store.size, 2);
  assert.ok(await store.get('a'));
  assert.equal(await store.get('b'), undefined);
  assert.ok(await store.get('c'));
  await store.close();
});

const owned = (owner: string) => ({ ...session, owner });

test('MemoryStore: anonymous sessions created in a loop never push out a logged-in one', async () => {
  const store = new MemoryStore({ maxEntries: 10 });
  for (const owner of ['ann', 'bob', 'cho']) await store.set(`member-${owner}`, owned(owner), 60_000);
  for (let i = 0; i < 1000; i++) await store.set(`flood-${i}`, session, 60_000);
  assert.equal(store.size, 10);
  for (const owner of ['ann', 'bob', 'cho']) assert.ok(await store.get(`member-${owner}`), owner);
  assert.ok(await store.get('flood-999'));
  await store.close();
});

test('MemoryStore: one owner logging in over and over only churns their own sessions, up to maxPerOwner', async () => {
  const store = new MemoryStore({ maxEntries: 100, maxPerOwner: 4 });
  await store.set('ann-phone', owned('ann'), 60_000);
  await store.set('visitor', session, 60_000);
  for (let i = 0; i < 1000; i++) await store.set(`bob-${i}`, owned('bob'), 60_000);
  assert.equal(store.size, 6);
  assert.ok(await store.get('ann-phone'));
  assert.ok(await store.get('visitor'));
  assert.equal(await store.get('bob-995'), undefined);
  for (const i of [996, 997, 998, 999]) assert.ok(await store.get(`bob-${i}`));
  await store.close();
});

test('MemoryStore: with no anonymous session left, the least recently written owned one goes', async () => {
  const store = new MemoryStore({ maxEntries: 2 });
  await store.set('a', owned('ann'), 60_000);
  await store.set('b', owned('bob'), 60_000);
  await store.update('a', owned('ann'), 60_000);
  await store.set('c', owned('cho'), 60_000);
  assert.ok(await store.get('a'));
  assert.equal(await store.get('b'), undefined);
  assert.ok(await store.get('c'));
  await store.close();
});

test('MemoryStore prune() removes expired entries it was never asked for again', async () => {
  const store = new MemoryStore();
  await store.set('short', session, 10);
  await store.set('long', session, 60_000);
  await sleep(30);
  store.prune();
  assert.equal(store.size, 1);
  await store.close();
});

test('MemoryStore prunes on its own timer', async () => {
  const store = new MemoryStore({ pruneInterval: 20 });
  await store.set('short', session, 5);
  // The timer runs when the loop gets to it: poll for its effect rather than guess when that is.
  for (const deadline = Date.now() + 10_000; store.size > 0 && Date.now() < deadline; ) await sleep(20);
  assert.equal(store.size, 0);
  await store.close();
});

test('MemoryStore rejects a maxEntries that is not a positive integer', () => {
  assert.throws(() => new MemoryStore({ maxEntries: 0 }), /option maxEntries must be a positive integer, got 0/);
  assert.throws(() => new MemoryStore({ pruneInterval: -1 }), /option pruneInterval/);
  assert.throws(() => new MemoryStore({ maxPerOwner: 1.5 }), /option maxPerOwner must be a positive integer, got 1.5/);
});
