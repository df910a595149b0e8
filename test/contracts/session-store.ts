import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test, after, before } from 'node:test';
import { newSessionId } from '../../src/session/id.js';
import type { SessionStore, StoredSession } from '../../src/session/store.js';

export interface StoreUnderTest {
  store: SessionStore;
  /** Removes whatever the suite created (files, keys) and closes the store. */
  cleanup(): Promise<void>;
}

function record(data: Record<string, unknown> = { name: 'kim' }, at = Date.now()): StoredSession {
  return { data, createdAt: at, touchedAt: at };
}

/**
 * The behaviour every SessionStore must have (see the SessionStore JSDoc). Run it from each store's test file:
 *
 * @example
 * sessionStoreContract('MemoryStore', async () => { const store = new MemoryStore(); return { store, cleanup: () => store.close() }; });
 */
export function sessionStoreContract(name: string, make: () => Promise<StoreUnderTest>, options: { skip?: string | false } = {}): void {
  describe(`SessionStore contract: ${name}`, { skip: options.skip ?? false }, () => {
    let subject: StoreUnderTest;
    let store: SessionStore;
    before(async () => {
      subject = await make();
      store = subject.store;
    });
    after(async () => {
      await subject?.cleanup();
    });

    test('returns undefined for an id it never stored', async () => {
      assert.equal(await store.get(newSessionId()), undefined);
    });

    test('returns what was set, with its clock', async () => {
      const id = newSessionId();
      const saved = record({ name: 'kim', roles: ['admin'], nested: { n: 1, ok: true, none: null } }, 1_700_000_000_000);
      saved.touchedAt = 1_700_000_000_500;
      await store.set(id, saved, 60_000);
      assert.deepEqual(await store.get(id), saved);
    });

    test('keeps text exactly, non-ASCII and quotes included', async () => {
      const id = newSessionId();
      const saved = record({ name: 'Zoë "Z" 김 🍣', note: 'a\nb;c=d' });
      await store.set(id, saved, 60_000);
      assert.deepEqual((await store.get(id))?.data, saved.data);
    });

    test('stores a copy: changing objects after set or after get changes nothing stored', async () => {
      const id = newSessionId();
      const saved = record({ name: 'kim' });
      await store.set(id, saved, 60_000);
      saved.data.name = 'changed after set';
      const read = await store.get(id);
      assert.ok(read);
      read.data.name = 'changed after get';
      assert.equal((await store.get(id))?.data.name, 'kim');
    });

    test('replaces a record on a second set', async () => {
      const id = newSessionId();
      await store.set(id, record({ n: 1 }), 60_000);
      await store.set(id, record({ n: 2 }), 60_000);
      assert.deepEqual((await store.get(id))?.data, { n: 2 });
    });

    test('keeps different ids apart', async () => {
      const a = newSessionId();
      const b = newSessionId();
      await store.set(a, record({ who: 'a' }), 60_000);
      await store.set(b, record({ who: 'b' }), 60_000);
      await store.destroy(a);
      assert.equal(await store.get(a), undefined);
      assert.deepEqual((await store.get(b))?.data, { who: 'b' });
    });

    test('update replaces an existing record and says so', async () => {
      const id = newSessionId();
      await store.set(id, record({ n: 1 }), 60_000);
      assert.equal(await store.update(id, record({ n: 2 }), 60_000), true);
      assert.deepEqual((await store.get(id))?.data, { n: 2 });
    });

    test('update of an unknown id creates nothing and says so', async () => {
      const id = newSessionId();
      assert.equal(await store.update(id, record(), 60_000), false);
      assert.equal(await store.get(id), undefined);
    });

    test('update after destroy does not bring the record back', async () => {
      const id = newSessionId();
      await store.set(id, record(), 60_000);
      await store.destroy(id);
      assert.equal(await store.update(id, record({ late: true }), 60_000), false);
      assert.equal(await store.get(id), undefined);
    });

    test('destroy forgets the record, and destroying an unknown id is fine', async () => {
      const id = newSessionId();
      await store.set(id, record(), 60_000);
      await store.destroy(id);
      assert.equal(await store.get(id), undefined);
      await store.destroy(newSessionId());
    });

    // A ttl of a second leaves a loaded machine (and a Redis round trip) ample time to read the record back before
    // it expires; the sleeps that follow are longer than the ttl, and a sleep is never shorter than asked.
    describe('over time', { concurrency: true }, () => {
      test('forgets a record once its ttl has passed', async () => {
        const id = newSessionId();
        await store.set(id, record(), 1000);
        assert.ok(await store.get(id));
        await sleep(1100);
        assert.equal(await store.get(id), undefined);
      });

      test('update gives the record a new ttl', async () => {
        const id = newSessionId();
        await store.set(id, record(), 1000);
        assert.equal(await store.update(id, record({ n: 2 }), 60_000), true);
        await sleep(1100);
        assert.deepEqual((await store.get(id))?.data, { n: 2 });
      });
    });

    test('update of an expired record returns false and creates nothing', async () => {
      const id = newSessionId();
      await store.set(id, record(), 40);
      await sleep(120);
      assert.equal(await store.update(id, record(), 60_000), false);
      assert.equal(await store.get(id), undefined);
    });

    test('set with a ttl of zero stores nothing', async () => {
      const id = newSessionId();
      await store.set(id, record(), 0);
      assert.equal(await store.get(id), undefined);
    });

    test('concurrent writes to one id leave one whole record, never a mix', async () => {
      const id = newSessionId();
      await store.set(id, record({ n: 0, by: 'start' }), 60_000);
      await Promise.all(Array.from({ length: 20 }, (_, n) => store.update(id, record({ n, by: `writer ${n}` }), 60_000)));
      const data = (await store.get(id))?.data;
      assert.ok(data);
      assert.equal(data.by, `writer ${String(data.n)}`);
    });
  });
}
