// Sessions against `maru serve` as a process: forged, malformed, oversized and duplicated cookies, session
// fixation, a session kept after its password changed or its account was deleted, and one member's cookie used on
// another's account. Each case: the exact status, the resident member's account and session untouched, nothing
// leaked, the next request served at once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sessionKey } from '../../src/index.js';
import { assertCleanLogs, assertIntact, assertNoLeak, sessionIdOf, signUp, snapshot, type Member } from './checks.js';
import { startProcess, type Target } from './target.js';
import { codeOf, http, type Response } from './wire.js';

const JSON_TYPE = { 'content-type': 'application/json' };
const CLEARED = /^sid=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax$/;
const forgedId = () => 'F'.repeat(16) + Math.random().toString(36).slice(2, 10).padEnd(16, 'x');

function cookiesOf(res: Response): string[] {
  return [res.headers['set-cookie'] ?? []].flat();
}

/** Logs an existing member in once more (another browser); resolves to its `sid=…`. */
async function logIn(target: Target, member: Pick<Member, 'name' | 'password'>, cookie?: string): Promise<string> {
  const res = await http(target, '/login', { method: 'POST', headers: { ...JSON_TYPE, ...(cookie === undefined ? {} : { cookie }) }, body: JSON.stringify({ name: member.name, password: member.password }) });
  assert.equal(res.status, 200, res.body);
  return cookiesOf(res)[0]!.split(';')[0]!;
}

const me = (target: Target, cookie: string) => http(target, '/me', { headers: { cookie } });

describe('hostile sessions against maru serve', () => {
  let target: Target;
  let resident: Member;

  before(async () => {
    target = await startProcess();
    resident = await signUp(target, 'resident');
  });
  after(() => target.close());

  test('answers a forged session id of the right shape with 401, and clears the cookie', async () => {
    const before = await snapshot(target, resident);
    const res = await me(target, `sid=${forgedId()}`);
    assert.equal(res.status, 401);
    assert.equal(codeOf(res.body), 'NOT_LOGGED_IN');
    assert.match(cookiesOf(res)[0] ?? '', CLEARED);
    await assertIntact(target, resident, before);
  });

  const malformed: [string, () => string][] = [
    ['too short', () => 'sid=abc'],
    ['too long', () => `sid=${'A'.repeat(33)}`],
    ['path characters', () => 'sid=../../../etc/passwd'],
    ['8 KiB long', () => `sid=${'A'.repeat(8 * 1024)}`],
    ['the SHA-256 key the store keeps for the resident', () => `sid=${sessionKey(sessionIdOf(resident))}`],
    ['quoted', () => `sid="${sessionIdOf(resident)}"x`],
    ['named in another case (SID)', () => `SID=${sessionIdOf(resident)}`],
  ];
  for (const [name, cookie] of malformed) {
    test(`answers a session cookie that is ${name} with 401, without a store lookup or a cookie`, async () => {
      const before = await snapshot(target, resident);
      const res = await me(target, cookie());
      assert.equal(res.status, 401);
      assert.equal(codeOf(res.body), 'NOT_LOGGED_IN');
      assert.deepEqual(cookiesOf(res), []);
      assertNoLeak(res.body, [sessionIdOf(resident)]);
      await assertIntact(target, resident, before);
    });
  }

  test('answers a Cookie header over 16 KiB with 431', async () => {
    const before = await snapshot(target, resident);
    const res = await me(target, `${resident.cookie}; pad=${'p'.repeat(17 * 1024)}`);
    assert.equal(res.status, 431);
    await assertIntact(target, resident, before);
  });

  test('finds the session behind a thousand other cookies', async () => {
    const before = await snapshot(target, resident);
    const many = Array.from({ length: 1000 }, (_, i) => `c${i}=${i}`).join('; ');
    const res = await me(target, `${many}; ${resident.cookie}`);
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body), { id: resident.id, name: resident.name });
    await assertIntact(target, resident, before);
  });

  test('takes the first of two session cookies: a forged one first gets 401, the member\'s first gets the member', async () => {
    const before = await snapshot(target, resident);
    assert.equal((await me(target, `sid=${forgedId()}; ${resident.cookie}`)).status, 401);
    const real = await me(target, `${resident.cookie}; sid=${forgedId()}`);
    assert.equal(real.status, 200);
    assert.equal(JSON.parse(real.body).id, resident.id);
    await assertIntact(target, resident, before);
  });

  test('gives a fresh session id at login, never one the client planted (no fixation)', async () => {
    const victim = await signUp(target, 'fixated');
    const before = await snapshot(target, resident);
    const planted = `sid=${forgedId()}`;
    const cookie = await logIn(target, victim, planted);
    assert.notEqual(cookie, planted);
    assert.equal((await me(target, planted)).status, 401, 'the planted id names no session');
    assert.equal(JSON.parse((await me(target, cookie)).body).id, victim.id);
    await assertIntact(target, resident, before);
  });

  test('a password change ends every other session of the member and gives this one a new id', async () => {
    const member = await signUp(target, 'changer');
    const other = await logIn(target, member);
    const res = await http(target, `/users/${member.id}`, {
      method: 'PATCH',
      headers: { ...JSON_TYPE, cookie: member.cookie },
      body: JSON.stringify({ password: 'a new password 2', currentPassword: member.password }),
    });
    assert.equal(res.status, 200, res.body);
    const before = await snapshot(target, resident);
    const rotated = cookiesOf(res)[0]!.split(';')[0]!;
    assert.notEqual(rotated, member.cookie);
    assert.equal((await me(target, rotated)).status, 200, 'this browser stays logged in');
    for (const stolen of [other, member.cookie]) {
      const res = await me(target, stolen);
      assert.equal(res.status, 401, 'an id from before the change is worth nothing');
      assert.match(cookiesOf(res)[0] ?? '', CLEARED);
      const page = await http(target, '/', { headers: { cookie: stolen } });
      assert.doesNotMatch(page.body, /id="greeting"/, 'the home page greets nobody');
      const rename = await http(target, `/users/${member.id}`, { method: 'PUT', headers: { ...JSON_TYPE, cookie: stolen }, body: '{"name":"stolen"}' });
      assert.equal(rename.status, 401);
    }
    await assertIntact(target, resident, before);
  });

  test('deleting an account ends all its sessions: the other browser is not greeted and cannot act', async () => {
    const member = await signUp(target, 'leaver');
    const other = await logIn(target, member);
    const removed = await http(target, `/users/${member.id}`, { method: 'DELETE', headers: { cookie: member.cookie } });
    assert.equal(removed.status, 204);
    const before = await snapshot(target, resident);
    assert.doesNotMatch(before.members, /leaver/);
    const res = await me(target, other);
    assert.equal(res.status, 401);
    const page = await http(target, '/', { headers: { cookie: other } });
    assert.doesNotMatch(page.body, /id="greeting"/);
    assert.equal((await http(target, `/users/${member.id}`, { method: 'DELETE', headers: { cookie: other } })).status, 401);
    await assertIntact(target, resident, before);
  });

  test('a cookie used after logout gets 401', async () => {
    const member = await signUp(target, 'goer');
    const out = await http(target, '/logout', { method: 'POST', headers: { cookie: member.cookie } });
    assert.equal(out.status, 303);
    assert.match(cookiesOf(out)[0] ?? '', CLEARED);
    const before = await snapshot(target, resident);
    assert.equal((await me(target, member.cookie)).status, 401);
    await assertIntact(target, resident, before);
  });

  let attackerSignUp: Promise<Member> | undefined;
  const signUpOnce = () => (attackerSignUp ??= signUp(target, 'attacker'));
  const other = [
    ['PUT', '{"name":"pwned"}'],
    ['PATCH', '{"name":"pwned","password":"pwned-password","currentPassword":"guess-guess"}'],
    ['DELETE', undefined],
  ] as const;
  for (const [method, body] of other) {
    test(`answers 403 to another member's cookie on ${method} of the resident's account`, async () => {
      const thief = await signUpOnce();
      const before = await snapshot(target, resident);
      const res = await http(target, `/users/${resident.id}`, { method, headers: { ...JSON_TYPE, cookie: thief.cookie }, ...(body === undefined ? {} : { body }) });
      assert.equal(res.status, 403);
      assert.equal(codeOf(res.body), 'NOT_YOUR_ACCOUNT');
      assertNoLeak(res.body, [sessionIdOf(resident)]);
      await assertIntact(target, resident, before);
    });
  }

  test('never sends a member\'s record with its hash, nor another member\'s session', async () => {
    const list = await http(target, '/users?limit=100');
    const one = await http(target, `/users/${resident.id}`);
    for (const res of [list, one]) {
      assert.equal(res.status, 200);
      assertNoLeak(res.body, [sessionIdOf(resident)]);
    }
    assert.deepEqual(Object.keys(JSON.parse(one.body)).sort(), ['createdAt', 'id', 'name', 'updatedAt']);
  });

  test('logged no error and answered no request with a 5xx', () => {
    assertCleanLogs(target.logs(), { passwords: [resident.password, 'a new password 2', 'pwned-password', 'guess-guess'] });
  });
});
