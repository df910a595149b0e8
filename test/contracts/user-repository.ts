import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { User, UserRepository } from '../../app/users/repo.js';

/**
 * Storage for one test: a fresh, empty place (a temp directory, a PostgreSQL schema) that repositories open on.
 * `open()` may be called several times, also at once, as restarts and cluster workers would.
 */
export interface UserRepositoryFixture {
  /** Opens a repository on this storage, running the migrations as start-up does. */
  open(): Promise<UserRepository>;
  /** Runs the migrations on this storage again; resolves to the versions applied. */
  migrate(): Promise<number[]>;
  /** Removes the storage (files, schema). */
  dispose(): Promise<void>;
}

const HASH = 'scrypt$N=32768,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g=';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const HOSTILE_NAMES = [
  '__proto__',
  'constructor',
  "Robert'); DROP TABLE users;--",
  "' OR '1'='1",
  '"; SELECT pg_sleep(10); --',
  '%_\\',
  '가나다라마바사아자차카타파하가나다라마바사아자차카타파하가나다라', // 32 Hangul syllables
  '👩‍💻 개발자',
];

/**
 * The behaviour every UserRepository must have. Run it from one test file per implementation:
 *
 * @example
 * describe('SqliteUserRepository', () => userRepositoryContract(async () => sqliteFixture()));
 */
export function userRepositoryContract(makeFixture: () => Promise<UserRepositoryFixture>): void {
  async function withRepo(body: (repo: UserRepository, fixture: UserRepositoryFixture) => Promise<void>): Promise<void> {
    const fixture = await makeFixture();
    const repo = await fixture.open();
    try {
      await body(repo, fixture);
    } finally {
      await repo.close();
      await fixture.dispose();
    }
  }

  async function createOk(repo: UserRepository, name: string, passwordHash = HASH): Promise<User> {
    const result = await repo.create({ name, passwordHash });
    assert.equal(result.ok, true, `create ${JSON.stringify(name)} should succeed`);
    return (result as { ok: true; user: User }).user;
  }

  async function listAll(repo: UserRepository, limit: number): Promise<User[]> {
    const all: User[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 1000; pages++) {
      const page = await repo.list(cursor === undefined ? { limit } : { limit, cursor });
      all.push(...page.users);
      if (page.nextCursor === undefined) return all;
      cursor = page.nextCursor;
    }
    throw new Error('pagination did not end');
  }

  /** Creates members a couple of milliseconds apart, so that their list order is their creation order. */
  async function createInOrder(repo: UserRepository, names: readonly string[]): Promise<User[]> {
    const users: User[] = [];
    for (const name of names) {
      users.push(await createOk(repo, name));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return users;
  }

  function assertPlainUser(user: User): void {
    assert.deepEqual(Object.keys(user).sort(), ['createdAt', 'id', 'name', 'updatedAt']);
    assert.ok(!JSON.stringify(user).includes('scrypt'), 'a User must not carry the password hash');
  }

  test('create returns the member with a random UUID and equal ISO 8601 timestamps', () =>
    withRepo(async (repo) => {
      const before = Date.now();
      const user = await createOk(repo, '홍길동');
      assert.match(user.id, UUID);
      assert.equal(user.name, '홍길동');
      assert.equal(user.createdAt, user.updatedAt);
      assert.equal(new Date(user.createdAt).toISOString(), user.createdAt);
      assert.ok(Date.parse(user.createdAt) >= before - 1000 && Date.parse(user.createdAt) <= Date.now() + 1000);
    }));

  test('findById and findByName return the stored record with its password hash', async () =>
    withRepo(async (repo) => {
      const user = await createOk(repo, 'alice');
      assert.deepEqual(await repo.findById(user.id), { ...user, passwordHash: HASH });
      assert.deepEqual(await repo.findByName('alice'), { ...user, passwordHash: HASH });
    }));

  test('findByName matches regardless of case and compatibility width', () =>
    withRepo(async (repo) => {
      const user = await createOk(repo, 'Alice');
      assert.equal((await repo.findByName('alice'))?.id, user.id);
      assert.equal((await repo.findByName('ＡＬＩＣＥ'))?.id, user.id);
      assert.equal((await repo.findByName('Alice'))?.name, 'Alice');
    }));

  test('find answers undefined for unknown and hostile ids and names', () =>
    withRepo(async (repo) => {
      await createOk(repo, 'alice');
      for (const id of ['00000000-0000-4000-8000-000000000000', '__proto__', '', "' OR 1=1 --", 'x'.repeat(10_000)]) {
        assert.equal(await repo.findById(id), undefined, `findById(${JSON.stringify(id.slice(0, 20))})`);
      }
      for (const name of ['bob', '__proto__', "' OR '1'='1", '', 'ali\u0000ce', 'x'.repeat(100_000)]) {
        assert.equal(await repo.findByName(name), undefined, `findByName(${JSON.stringify(name.slice(0, 20))})`);
      }
    }));

  test('create answers name-taken for a name already used, in any case, and keeps the first member', () =>
    withRepo(async (repo) => {
      const first = await createOk(repo, 'Alice', HASH);
      assert.deepEqual(await repo.create({ name: 'Alice', passwordHash: 'other' }), { ok: false, reason: 'name-taken' });
      assert.deepEqual(await repo.create({ name: 'aLiCe', passwordHash: 'other' }), { ok: false, reason: 'name-taken' });
      assert.deepEqual(await repo.findByName('Alice'), { ...first, passwordHash: HASH });
      assert.equal((await repo.list({ limit: 100 })).users.length, 1);
    }));

  test('create answers name-taken for a twin that only looks different: an invisible character, width, case, a look-alike alphabet', () =>
    withRepo(async (repo) => {
      const first = await createOk(repo, 'bob');
      for (const twin of ['bob\u200D', 'bob\u034F', 'bob\u3164', 'ｂｏｂ', 'BOB', '\u0412\u041E\u0412']) {
        assert.deepEqual(await repo.create({ name: twin, passwordHash: 'other' }), { ok: false, reason: 'name-taken' }, JSON.stringify(twin));
      }
      assert.equal((await repo.findByName('\u0412\u041E\u0412'))?.id, first.id, 'a look-alike finds the member it looks like');
      assert.equal((await repo.list({ limit: 100 })).users.length, 1);
    }));

  test('list returns members in creation order, and pages cover each member exactly once', () =>
    withRepo(async (repo) => {
      const created = await createInOrder(repo, Array.from({ length: 7 }, (_, i) => `member ${i}`));
      const first = await repo.list({ limit: 3 });
      assert.deepEqual(first.users.map((u) => u.name), ['member 0', 'member 1', 'member 2']);
      assert.equal(typeof first.nextCursor, 'string');
      assert.deepEqual(await listAll(repo, 3), created);
      const last = await repo.list({ limit: 7 });
      assert.equal(last.users.length, 7);
      assert.equal(last.nextCursor, undefined, 'a page that reaches the end has no next cursor');
    }));

  test('list order is stable for members created in the same millisecond (ties broken by id)', () =>
    withRepo(async (repo) => {
      await Promise.all(Array.from({ length: 20 }, (_, i) => repo.create({ name: `same ${i}`, passwordHash: HASH })));
      const whole = (await repo.list({ limit: 100 })).users;
      assert.equal(whole.length, 20);
      const sorted = [...whole].sort((a, b) => (a.createdAt === b.createdAt ? cmp(a.id, b.id) : cmp(a.createdAt, b.createdAt)));
      assert.deepEqual(whole, sorted);
      assert.deepEqual(await listAll(repo, 3), whole);
      assert.deepEqual(await listAll(repo, 1), whole);
    }));

  test('a cursor keeps its place when members are added after it is issued', () =>
    withRepo(async (repo) => {
      await createInOrder(repo, ['a', 'b', 'c']);
      const first = await repo.list({ limit: 2 });
      assert.deepEqual(first.users.map((u) => u.name), ['a', 'b']);
      await createInOrder(repo, ['d', 'e']);
      const rest = await repo.list({ limit: 100, cursor: first.nextCursor! });
      assert.deepEqual(rest.users.map((u) => u.name), ['c', 'd', 'e']);
      assert.equal(rest.nextCursor, undefined);
    }));

  test('a cursor stays valid after the member it points at is deleted', () =>
    withRepo(async (repo) => {
      const users = await createInOrder(repo, ['a', 'b', 'c']);
      const first = await repo.list({ limit: 1 });
      assert.equal(await repo.delete(users[0]!.id), true);
      const rest = await repo.list({ limit: 10, cursor: first.nextCursor! });
      assert.deepEqual(rest.users.map((u) => u.name), ['b', 'c']);
    }));

  test('list accepts limits from 1 to 100 and throws a RangeError for any other', () =>
    withRepo(async (repo) => {
      for (let i = 0; i < 3; i++) await createOk(repo, `m${i}`);
      assert.equal((await repo.list({ limit: 1 })).users.length, 1);
      assert.equal((await repo.list({ limit: 100 })).users.length, 3);
      for (const limit of [0, -1, 101, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        await assert.rejects(repo.list({ limit }), RangeError, `limit ${limit}`);
      }
    }));

  test('listJson pages are JSON arrays of the members as created, hostile names included, with list()\'s cursors', () =>
    withRepo(async (repo) => {
      const created = await createInOrder(repo, ['ann', 'bob', ...HOSTILE_NAMES]);
      const seen: User[] = [];
      let cursor: string | undefined;
      do {
        const options = cursor === undefined ? { limit: 3 } : { limit: 3, cursor };
        const page = await repo.listJson(options);
        const users = JSON.parse(page.json) as User[];
        for (const user of users) assertPlainUser(user);
        assert.equal(page.nextCursor, (await repo.list(options)).nextCursor);
        seen.push(...users);
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      assert.deepEqual(seen, created);
      await assert.rejects(repo.listJson({ limit: 0 }), RangeError);
      await assert.rejects(repo.listJson({ limit: 3, cursor: 'nope!' }), RangeError);
    }));

  test('listJson of an empty directory is an empty array and no next page', () =>
    withRepo(async (repo) => {
      assert.deepEqual(await repo.listJson({ limit: 10 }), { json: '[]', nextCursor: undefined });
    }));

  test('list throws a RangeError for a malformed cursor', () =>
    withRepo(async (repo) => {
      await createOk(repo, 'a');
      const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const malformed = [
        '',
        'not a cursor!',
        '====',
        'x'.repeat(10_000),
        Buffer.from('{not json').toString('base64url'),
        b64({ createdAt: '2026-01-01T00:00:00.000Z', id: '00000000-0000-4000-8000-000000000000' }),
        b64(['2026-01-01T00:00:00.000Z']),
        b64(['2026-13-01T00:00:00.000Z', '00000000-0000-4000-8000-000000000000']),
        b64(['2026-01-01T00:00:00.000Z', "' OR 1=1 --"]),
        b64(['yesterday', '00000000-0000-4000-8000-000000000000']),
        b64(['__proto__', '__proto__']),
      ];
      for (const cursor of malformed) {
        await assert.rejects(repo.list({ limit: 10, cursor }), RangeError, `cursor ${JSON.stringify(cursor.slice(0, 40))}`);
      }
    }));

  test('update renames a member, moves updatedAt forward and keeps createdAt', () =>
    withRepo(async (repo) => {
      const user = await createOk(repo, 'old name');
      await new Promise((resolve) => setTimeout(resolve, 5));
      const result = await repo.update(user.id, { name: 'new name' });
      assert.ok(result?.ok);
      assert.equal(result.user.name, 'new name');
      assert.equal(result.user.id, user.id);
      assert.equal(result.user.createdAt, user.createdAt);
      assert.ok(result.user.updatedAt > user.updatedAt, 'updatedAt moves forward');
      assertPlainUser(result.user);
      assert.equal(await repo.findByName('old name'), undefined);
      assert.equal((await repo.findByName('new name'))?.passwordHash, HASH);
    }));

  test('update changes only the password hash when only it is given', () =>
    withRepo(async (repo) => {
      const user = await createOk(repo, 'alice');
      const newHash = HASH.replace('c2Fsd', 'bmV3c');
      const result = await repo.update(user.id, { passwordHash: newHash });
      assert.ok(result?.ok);
      assert.equal(result.user.name, 'alice');
      assertPlainUser(result.user);
      assert.equal((await repo.findById(user.id))?.passwordHash, newHash);
    }));

  test('update answers name-taken when renaming onto another member, and changes nothing', () =>
    withRepo(async (repo) => {
      await createOk(repo, 'alice');
      const bob = await createOk(repo, 'bob');
      assert.deepEqual(await repo.update(bob.id, { name: 'ALICE', passwordHash: 'changed' }), { ok: false, reason: 'name-taken' });
      assert.deepEqual(await repo.findById(bob.id), { ...bob, passwordHash: HASH });
    }));

  test('update lets a member change the case of their own name', () =>
    withRepo(async (repo) => {
      const user = await createOk(repo, 'alice');
      const result = await repo.update(user.id, { name: 'Alice' });
      assert.ok(result?.ok);
      assert.equal(result.user.name, 'Alice');
    }));

  test('update and delete of a missing or hostile id answer undefined and false', () =>
    withRepo(async (repo) => {
      const user = await createOk(repo, 'alice');
      for (const id of ['00000000-0000-4000-8000-000000000000', '__proto__', '', "' OR 1=1 --"]) {
        assert.equal(await repo.update(id, { name: 'x' }), undefined, `update ${JSON.stringify(id)}`);
        assert.equal(await repo.update(id, {}), undefined, `empty update ${JSON.stringify(id)}`);
        assert.equal(await repo.delete(id), false, `delete ${JSON.stringify(id)}`);
      }
      assert.deepEqual(await repo.findById(user.id), { ...user, passwordHash: HASH });
    }));

  test('delete removes the member and frees the name', () =>
    withRepo(async (repo) => {
      const user = await createOk(repo, 'alice');
      assert.equal(await repo.delete(user.id), true);
      assert.equal(await repo.findById(user.id), undefined);
      assert.equal(await repo.delete(user.id), false);
      const again = await createOk(repo, 'alice');
      assert.notEqual(again.id, user.id);
    }));

  test('50 concurrent creates of distinct names all succeed with distinct ids', () =>
    withRepo(async (repo) => {
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => repo.create({ name: `member ${i}`, passwordHash: HASH })));
      const users = results.map((r) => (r.ok ? r.user : assert.fail('a create failed')));
      assert.equal(new Set(users.map((u) => u.id)).size, 50);
      assert.equal((await repo.list({ limit: 100 })).users.length, 50);
    }));

  test('concurrent creates of one name let exactly one succeed', () =>
    withRepo(async (repo) => {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => repo.create({ name: i % 2 ? 'SAME' : 'same', passwordHash: HASH })),
      );
      assert.equal(results.filter((r) => r.ok).length, 1);
      assert.ok(results.filter((r) => !r.ok).every((r) => !r.ok && r.reason === 'name-taken'));
      assert.equal((await repo.list({ limit: 100 })).users.length, 1);
    }));

  test('running the migrations again applies nothing and keeps the data', () =>
    withRepo(async (repo, fixture) => {
      const user = await createOk(repo, 'alice');
      assert.deepEqual(await fixture.migrate(), []);
      assert.deepEqual(await Promise.all([fixture.migrate(), fixture.migrate(), fixture.migrate()]), [[], [], []]);
      assert.deepEqual(await repo.findById(user.id), { ...user, passwordHash: HASH });
    }));

  test('several repositories opening a fresh store at once all work on one schema', async () => {
    const fixture = await makeFixture();
    const repos = await Promise.all(Array.from({ length: 4 }, () => fixture.open()));
    try {
      const created = await Promise.all(repos.map((repo, i) => createOk(repo, `worker ${i}`)));
      for (const repo of repos) {
        assert.deepEqual((await repo.list({ limit: 100 })).users.map((u) => u.id).sort(), created.map((u) => u.id).sort());
      }
    } finally {
      await Promise.all(repos.map((repo) => repo.close()));
      await fixture.dispose();
    }
  });

  test('members survive closing and reopening the store', async () => {
    const fixture = await makeFixture();
    try {
      const first = await fixture.open();
      const user = await createOk(first, '재시작');
      await first.close();
      const second = await fixture.open();
      try {
        assert.deepEqual(await second.findByName('재시작'), { ...user, passwordHash: HASH });
        assert.deepEqual((await second.list({ limit: 10 })).users, [user]);
      } finally {
        await second.close();
      }
    } finally {
      await fixture.dispose();
    }
  });

  test('hostile and unusual names are stored and found verbatim', () =>
    withRepo(async (repo) => {
      const created: User[] = [];
      for (const name of HOSTILE_NAMES) {
        const user = await createOk(repo, name);
        assert.equal(user.name, name);
        created.push(user);
      }
      for (const user of created) assert.deepEqual(await repo.findByName(user.name), { ...user, passwordHash: HASH });
      assert.deepEqual((await repo.list({ limit: 100 })).users.map((u) => u.name).sort(), [...HOSTILE_NAMES].sort());
    }));

  test('a User from create, list or update never carries the password hash', () =>
    withRepo(async (repo) => {
      const created = await createOk(repo, 'alice');
      assertPlainUser(created);
      for (const user of (await repo.list({ limit: 10 })).users) assertPlainUser(user);
      const updated = await repo.update(created.id, { name: 'alice2', passwordHash: HASH });
      assert.ok(updated?.ok);
      assertPlainUser(updated.user);
    }));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
