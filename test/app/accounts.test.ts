// The member directory's account security: a password change or an account deletion ends sessions. In-process
// (inject) unless a socket matters.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { hashPassword } from '../../app/auth/password.js';
import { testApp, type Client, type TestApp } from './harness.js';
import { serve } from '../server.js';

const PASSWORD = 'password-123';

const login = (c: Client, name: string, password = PASSWORD, remoteAddress?: string) =>
  c.request({ method: 'POST', url: '/login', body: { name, password }, ...(remoteAddress === undefined ? {} : { remoteAddress }) });

// One real hash of PASSWORD for every member made directly in the repository: registering through the API would
// cost each of them one more scrypt (~110 ms of a core).
const PASSWORD_HASH = hashPassword(PASSWORD);

/** A member made in the repository (not through the API); resolves to its id. */
async function member(t: TestApp, name: string): Promise<string> {
  const created = await t.users.create({ name, passwordHash: await PASSWORD_HASH });
  assert.ok(created.ok, `${name} exists already`);
  return created.user.id;
}

/** A "browser" logged in as `name`. */
async function secondBrowser(t: TestApp, name: string): Promise<Client> {
  const c = t.client();
  assert.equal((await login(c, name)).status, 200);
  return c;
}

describe('a password change or an account deletion ends sessions', () => {
  let t: TestApp;
  /** Makes the member and logs `c` in as them. */
  const memberIn = async (c: Client, name: string) => {
    const id = await member(t, name);
    assert.equal((await login(c, name)).status, 200);
    return id;
  };
  before(async () => {
    t = await testApp();
  });
  after(() => t.close());

  const changePassword = (c: Client, id: string) =>
    c.request({ method: 'PATCH', url: `/users/${id}`, body: { password: 'brand-new-password', currentPassword: PASSWORD } });

  test('changing the password logs the member out of every other browser', async () => {
    const mine = t.client();
    const id = await memberIn(mine, 'pw-other');
    const other = await secondBrowser(t, 'pw-other');
    assert.equal((await changePassword(mine, id)).status, 200);
    assert.equal((await other.request({ url: '/me' })).status, 401);
    assert.equal((await mine.request({ url: '/me' })).status, 200);
  });

  test('changing the password gives this browser a new session id, and the old one stops working', async () => {
    const mine = t.client();
    const id = await memberIn(mine, 'pw-rotate');
    const old = mine.cookies.get('sid');
    assert.equal((await changePassword(mine, id)).status, 200);
    assert.notEqual(mine.cookies.get('sid'), old);
    assert.equal((await t.client().request({ url: '/me', headers: { cookie: `sid=${old}` } })).status, 401);
  });

  test('a session stolen before the password change can no longer delete the account', async () => {
    const mine = t.client();
    const id = await memberIn(mine, 'pw-stolen');
    const thief = await secondBrowser(t, 'pw-stolen');
    await changePassword(mine, id);
    assert.equal((await thief.request({ method: 'DELETE', url: `/users/${id}` })).status, 401);
    assert.ok(await t.users.findById(id));
  });

  test('a rename ends no session', async () => {
    const mine = t.client();
    const id = await memberIn(mine, 'rename-keeps');
    const other = await secondBrowser(t, 'rename-keeps');
    assert.equal((await mine.request({ method: 'PATCH', url: `/users/${id}`, body: { name: 'rename-kept' } })).status, 200);
    assert.equal((await other.request({ url: '/me' })).status, 200);
  });

  test('a wrong current password changes nothing and ends no session', async () => {
    const mine = t.client();
    const id = await memberIn(mine, 'pw-wrong');
    const other = await secondBrowser(t, 'pw-wrong');
    const res = await mine.request({ method: 'PATCH', url: `/users/${id}`, body: { password: 'brand-new-password', currentPassword: 'not-it-at-all' } });
    assert.equal(res.status, 403);
    assert.equal((await other.request({ url: '/me' })).status, 200);
    assert.equal((await login(t.client(), 'pw-wrong')).status, 200);
  });

  test('deleting the account ends the member’s sessions in every browser: /me is 401 everywhere', async () => {
    const mine = t.client();
    const id = await memberIn(mine, 'delete-all');
    const other = await secondBrowser(t, 'delete-all');
    assert.equal((await mine.request({ method: 'DELETE', url: `/users/${id}` })).status, 204);
    assert.equal((await mine.request({ url: '/me' })).status, 401);
    assert.equal((await other.request({ url: '/me' })).status, 401);
  });

  test('after the account is deleted, the home page of another browser greets no one', async () => {
    const mine = t.client();
    const id = await memberIn(mine, 'greet-gone');
    const other = await secondBrowser(t, 'greet-gone');
    assert.match((await other.request({ url: '/' })).body, /greet-gone님 안녕하세요/);
    await mine.request({ method: 'DELETE', url: `/users/${id}` });
    const home = await other.request({ url: '/' });
    assert.equal(home.status, 200);
    assert.doesNotMatch(home.body, /greet-gone/);
  });

  test('deleting one account leaves other members logged in', async () => {
    const mine = t.client();
    const id = await memberIn(mine, 'delete-one');
    const neighbour = t.client();
    await memberIn(neighbour, 'delete-neighbour');
    await mine.request({ method: 'DELETE', url: `/users/${id}` });
    assert.equal((await neighbour.request({ url: '/me' })).status, 200);
  });

  test('a cookie of an ended session is cleared by the next reply', async () => {
    const mine = t.client();
    const id = await memberIn(mine, 'clear-cookie');
    const other = await secondBrowser(t, 'clear-cookie');
    await mine.request({ method: 'DELETE', url: `/users/${id}` });
    const res = await other.request({ url: '/' });
    assert.match([res.headers['set-cookie']].flat()[0] ?? '', /^sid=; Max-Age=0;/);
    assert.equal(other.cookies.has('sid'), false);
  });
});

describe('over HTTP/1.1', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
  });
  after(() => t.close());

  test('a password change over one connection logs out a browser on another', async () => {
    const server = await serve(t.app);
    try {
      const json = { 'content-type': 'application/json' };
      const body = JSON.stringify({ name: 'socket-member', password: PASSWORD });
      const id = await member(t, 'socket-member');
      const cookieOf = (res: Response) => res.headers.getSetCookie()[0]!.split(';')[0]!;
      const mine = cookieOf(await fetch(`${server.url}/login`, { method: 'POST', headers: json, body }));
      const other = cookieOf(await fetch(`${server.url}/login`, { method: 'POST', headers: json, body }));
      const changed = await fetch(`${server.url}/users/${id}`, {
        method: 'PATCH',
        headers: { ...json, cookie: mine },
        body: JSON.stringify({ password: 'another-password', currentPassword: PASSWORD }),
      });
      assert.equal(changed.status, 200);
      const rotated = cookieOf(changed);
      const [meOther, meRotated] = await Promise.all([
        fetch(`${server.url}/me`, { headers: { cookie: other } }),
        fetch(`${server.url}/me`, { headers: { cookie: rotated } }),
      ]);
      assert.equal(meOther.status, 401);
      assert.equal(meRotated.status, 200);
    } finally {
      await server.close();
    }
  });
});
