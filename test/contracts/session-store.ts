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

function owned(owner: string, data: Record<string, unknown> = { name: owner }): StoredSession {
  return { ...record(data), owner };
}

/** An owner name no other test (nor another run sharing the backend) uses. */
const newOwner = () => `owner-${newSessionId()}`;

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
      saved.owner = 'member-1';
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

    test('destroyByOwner ends every session of that owner, and resolves to how many', async () => {
      const owner = newOwner();
      const ids = [newSessionId(), newSessionId(), newSessionId()];
      for (const id of ids) await store.set(id, owned(owner), 60_000);
      assert.equal(await store.destroyByOwner(owner), 3);
      for (const id of ids) assert.equal(await store.get(id), undefined);
    });

    test("destroyByOwner leaves other owners' and anonymous sessions alone", async () => {
      const owner = newOwner();
      const other = newSessionId();
      const anonymous = newSessionId();
      await store.set(newSessionId(), owned(owner), 60_000);
      await store.set(other, owned(newOwner()), 60_000);
      await store.set(anonymous, record({ cart: 1 }), 60_000);
      await store.destroyByOwner(owner);
      assert.ok(await store.get(other));
      assert.ok(await store.get(anonymous));
    });

    test('destroyByOwner keeps the session it is told to keep', async () => {
      const owner = newOwner();
      const keep = newSessionId();
      const other = newSessionId();
      await store.set(keep, owned(owner), 60_000);
      await store.set(other, owned(owner), 60_000);
      assert.equal(await store.destroyByOwner(owner, keep), 1);
      assert.equal((await store.get(keep))?.owner, owner);
      assert.equal(await store.get(other), undefined);
    });

    test('destroyByOwner of an owner without sessions resolves to 0', async () => {
      assert.equal(await store.destroyByOwner(newOwner()), 0);
    });

    test('destroyByOwner does not count sessions that expired or were destroyed', async () => {
      const owner = newOwner();
      const destroyed = newSessionId();
      await store.set(newSessionId(), owned(owner), 40);
      await store.set(destroyed, owned(owner), 60_000);
      await store.set(newSessionId(), owned(owner), 60_000);
      await store.destroy(destroyed);
      await sleep(120);
      assert.equal(await store.destroyByOwner(owner), 1);
    });

    test('a session stays indexed under its owner through updates', async () => {
      const owner = newOwner();
      const id = newSessionId();
      await store.set(id, owned(owner), 60_000);
      assert.equal(await store.update(id, owned(owner, { visits: 2 }), 60_000), true);
      assert.equal(await store.destroyByOwner(owner), 1);
      assert.equal(await store.get(id), undefined);
    });

    test('a record written with another owner belongs to the new owner only', async () => {
      const [before, after] = [newOwner(), newOwner()];
      const id = newSessionId();
      await store.set(id, owned(before), 60_000);
      await store.set(id, owned(after), 60_000);
      assert.equal(await store.destroyByOwner(before), 0);
      assert.ok(await store.get(id));
      assert.equal(await store.destroyByOwner(after), 1);
      assert.equal(await store.get(id), undefined);
    });

    test('a session written again without an owner leaves the owner index', async () => {
      const owner = newOwner();
      const id = newSessionId();
      await store.set(id, owned(owner), 60_000);
      await store.set(id, record({ anonymous: true }), 60_000);
      assert.equal(await store.destroyByOwner(owner), 0);
      assert.deepEqual((await store.get(id))?.data, { anonymous: true });
    });

    test('an owner with many sessions over time still has all live ones ended', async () => {
      const owner = newOwner();
      // More than any store's internal sweep threshold, with most of them already gone.
      for (let i = 0; i < 40; i++) {
        const id = newSessionId();
        await store.set(id, owned(owner), 60_000);
        if (i % 4 !== 0) await store.destroy(id);
      }
      const live = [newSessionId(), newSessionId()];
      for (const id of live) await store.set(id, owned(owner), 60_000);
      assert.equal(await store.destroyByOwner(owner), 12);
      for (const id of live) assert.equal(await store.get(id), undefined);
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
