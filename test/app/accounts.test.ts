// The member directory's account security: a password change or an account deletion ends sessions, failed
// logins and registrations are limited (429 with Retry-After) without telling which names exist, scrypt work is
// bounded, and old password hashes are upgraded at login. In-process (inject) unless a socket matters.
import assert from 'node:assert/strict';
import { scryptSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { hashPassword } from '../../app/auth/password.js';
import { accountThrottle } from '../../app/auth/throttle.js';
import { testApp, type Client, type TestApp } from './harness.js';
import { serve } from '../server.js';

type ErrorJson = { error: { code: string; message: string } };
const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded' };
const PASSWORD = 'password-123';

const login = (c: Client, name: string, password = PASSWORD, remoteAddress?: string) =>
  c.request({ method: 'POST', url: '/login', body: { name, password }, ...(remoteAddress === undefined ? {} : { remoteAddress }) });

// One real hash of PASSWORD for every member made directly in the repository: registering through the API would
// cost each of them one more scrypt (~110 ms of a core), and the limits are tested on their own below.
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

describe('login and registration limits', () => {
  const limits = { loginFailuresPerName: 2, loginFailuresPerAddress: 4, registrationsPerAddress: 2 };
  let t: TestApp;
  before(async () => {
    t = await testApp({ limits });
  });
  after(() => t.close());

  /** Addresses of their own, so the tests' failures do not add up on one address. */
  let nextAddress = 1;
  const freshAddress = () => `198.51.100.${nextAddress++}`;

  async function fail(name: string, times: number, address: string): Promise<number[]> {
    const statuses = [];
    for (let i = 0; i < times; i++) statuses.push((await login(t.client(), name, 'wrong-password', address)).status);
    return statuses;
  }

  test('after the failures allowed for a name, the next login gets 429 with Retry-After, even with the right password', async () => {
    await member(t, 'limited');
    const address = freshAddress();
    assert.deepEqual(await fail('limited', 2, address), [401, 401]);
    const res = await login(t.client(), 'limited', PASSWORD, address);
    assert.equal(res.status, 429);
    assert.equal(res.json<ErrorJson>().error.code, 'TOO_MANY_ATTEMPTS');
    const retryAfter = Number(res.headers['retry-after']);
    assert.ok(retryAfter > 0 && retryAfter <= 15 * 60, String(res.headers['retry-after']));
    assert.equal(res.headers['set-cookie'], undefined);
  });

  test('the name limit holds across addresses (one account guessed from many)', async () => {
    await fail('spread-name', 2, freshAddress());
    assert.equal((await login(t.client(), 'spread-name', 'wrong-password', freshAddress())).status, 429);
  });

  test('the 429 of an unknown name is the 429 of an existing one: nothing tells which names exist', async () => {
    await member(t, 'exists');
    await fail('exists', 2, freshAddress());
    await fail('does-not-exist', 2, freshAddress());
    const address = freshAddress();
    const known = await login(t.client(), 'exists', 'wrong-password', address);
    const unknown = await login(t.client(), 'does-not-exist', 'wrong-password', address);
    assert.equal(known.status, 429);
    assert.equal(unknown.status, known.status);
    assert.equal(unknown.body, known.body);
    assert.ok(Math.abs(Number(unknown.headers['retry-after']) - Number(known.headers['retry-after'])) <= 1);
  });

  test('a successful login gives the name its whole limit back', async () => {
    await member(t, 'forgiven');
    await fail('forgiven', 1, freshAddress());
    assert.equal((await login(t.client(), 'forgiven', PASSWORD, freshAddress())).status, 200);
    assert.deepEqual(await fail('forgiven', 2, freshAddress()), [401, 401]);
  });

  test('names that differ only in case share one limit', async () => {
    const address = freshAddress();
    await fail('CaseName', 2, address);
    assert.equal((await login(t.client(), 'casename', 'wrong-password', address)).status, 429);
  });

  test('failures from one address across many names reach the address limit, for any name', async () => {
    const address = freshAddress();
    for (let i = 0; i < 4; i++) assert.equal((await login(t.client(), `spray-${i}`, 'wrong-password', address)).status, 401);
    assert.equal((await login(t.client(), 'spray-fresh', 'wrong-password', address)).status, 429);
    assert.equal((await login(t.client(), 'spray-fresh', 'wrong-password', freshAddress())).status, 401);
  });

  test('successful logins do not use up the address limit', async () => {
    await member(t, 'frequent');
    const address = freshAddress();
    for (let i = 0; i < 5; i++) assert.equal((await login(t.client(), 'frequent', PASSWORD, address)).status, 200);
  });

  test('an IPv6 client is counted by its /64: new addresses in it are no way around the limit', async () => {
    for (let i = 0; i < 4; i++) await login(t.client(), `v6-spray-${i}`, 'wrong-password', `2001:db8:5:6::${i + 1}`);
    assert.equal((await login(t.client(), 'v6-fresh', 'wrong-password', '2001:db8:5:6:ffff::1')).status, 429);
  });

  test('a failed login is logged at warn with the name and the client address, never the password', async () => {
    const address = freshAddress();
    await login(t.client(), 'logged-name', 'the-secret-guess', address);
    const line = t.logs().find((l) => l.msg === 'login failed' && l.name === 'logged-name');
    assert.ok(line, 'a warn line for the failed login');
    assert.equal(line.level, 40);
    assert.equal(line.address, address);
    assert.ok(!JSON.stringify(t.logs()).includes('the-secret-guess'));
  });

  test('a plain login form over the limit shows the home page with 429 and Retry-After', async () => {
    const address = freshAddress();
    await fail('form-limited', 2, address);
    const res = await t.client().request({
      method: 'POST',
      url: '/login',
      headers: FORM_HEADERS,
      body: 'name=form-limited&password=wrong-password',
      remoteAddress: address,
    });
    assert.equal(res.status, 429);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.ok(Number(res.headers['retry-after']) > 0);
  });

  test('wrong current passwords on a password change count against the name like failed logins', async () => {
    const c = t.client();
    const id = await member(t, 'patch-guess');
    await login(c, 'patch-guess', PASSWORD, freshAddress());
    for (let i = 0; i < 2; i++) {
      const res = await c.request({ method: 'PATCH', url: `/users/${id}`, body: { password: 'new-password-1', currentPassword: `guess-${i}` } });
      assert.equal(res.status, 403);
    }
    const limited = await c.request({ method: 'PATCH', url: `/users/${id}`, body: { password: 'new-password-1', currentPassword: PASSWORD } });
    assert.equal(limited.status, 429);
    assert.equal((await login(t.client(), 'patch-guess', PASSWORD, freshAddress())).status, 429);
  });

  test('registration is limited per address: 429 with Retry-After past the limit, and nothing is created', async () => {
    const address = freshAddress();
    for (let i = 0; i < 2; i++) {
      const res = await t.client().request({ method: 'POST', url: '/users', body: { name: `reg-${i}`, password: PASSWORD }, remoteAddress: address });
      assert.equal(res.status, 201);
    }
    const res = await t.client().request({ method: 'POST', url: '/users', body: { name: 'reg-over', password: PASSWORD }, remoteAddress: address });
    assert.equal(res.status, 429);
    assert.ok(Number(res.headers['retry-after']) > 0);
    assert.equal(await t.users.findByName('reg-over'), undefined);
    assert.equal((await t.client().request({ method: 'POST', url: '/users', body: { name: 'reg-other', password: PASSWORD }, remoteAddress: freshAddress() })).status, 201);
  });

  test('invalid registrations do not count against the address', async () => {
    const address = freshAddress();
    for (let i = 0; i < 4; i++) {
      const res = await t.client().request({ method: 'POST', url: '/users', body: { name: '', password: PASSWORD }, remoteAddress: address });
      assert.equal(res.status, 400);
    }
    const res = await t.client().request({ method: 'POST', url: '/users', body: { name: 'reg-valid', password: PASSWORD }, remoteAddress: address });
    assert.equal(res.status, 201);
  });
});

describe('scrypt work and password hashes', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp({ limits: { loginFailuresPerName: 10_000, loginFailuresPerAddress: 10_000 } });
  });
  after(() => t.close());

  test('a hash made with older scrypt parameters is replaced by one with today’s at the next login', async () => {
    const salt = Buffer.from('fedcba9876543210');
    const old = `scrypt$N=16384,r=8,p=1$${salt.toString('base64')}$${scryptSync(PASSWORD, salt, 32, { N: 16384, r: 8, p: 1 }).toString('base64')}`;
    const created = await t.users.create({ name: 'old-hash', passwordHash: old });
    assert.ok(created.ok);
    assert.equal((await login(t.client(), 'old-hash')).status, 200);
    const upgraded = (await t.users.findByName('old-hash'))!.passwordHash;
    assert.match(upgraded, /^scrypt\$N=32768,r=8,p=1\$/);
    assert.equal((await login(t.client(), 'old-hash')).status, 200);
  });

  test('a failed login leaves an old hash as it is', async () => {
    const salt = Buffer.from('0011223344556677');
    const old = `scrypt$N=16384,r=8,p=1$${salt.toString('base64')}$${scryptSync(PASSWORD, salt, 32, { N: 16384, r: 8, p: 1 }).toString('base64')}`;
    await t.users.create({ name: 'old-hash-kept', passwordHash: old });
    assert.equal((await login(t.client(), 'old-hash-kept', 'wrong-password')).status, 401);
    assert.equal((await t.users.findByName('old-hash-kept'))!.passwordHash, old);
  });

  test('a flood of logins past the scrypt bound is answered 503 BUSY with Retry-After, never queued without end', async () => {
    await member(t, 'flooded');
    const { SCRYPT_LIMITS } = await import('../../app/auth/password.js');
    const flood = SCRYPT_LIMITS.concurrency + SCRYPT_LIMITS.queue + 10;
    const answers = await Promise.all(Array.from({ length: flood }, () => login(t.client(), 'flooded', 'wrong-password')));
    const busy = answers.filter((res) => res.status === 503);
    assert.ok(busy.length >= 1 && busy.length <= 10, `${busy.length} of ${flood} refused`);
    for (const res of busy) {
      assert.equal(res.json<ErrorJson>().error.code, 'BUSY');
      assert.equal(res.headers['retry-after'], '1');
    }
    assert.ok(answers.every((res) => res.status === 401 || res.status === 503), answers.map((res) => res.status).join(' '));
  });
});

describe('attempts the scrypt bound refused', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp({ limits: { loginFailuresPerName: 10_000, loginFailuresPerAddress: 10_000 } });
  });
  after(() => t.close());

  test('a login refused with 503 BUSY is counted neither against its name nor its address', async () => {
    await member(t, 'busy-member');
    const { SCRYPT_LIMITS } = await import('../../app/auth/password.js');
    const flood = SCRYPT_LIMITS.concurrency + SCRYPT_LIMITS.queue + 10;
    const address = '203.0.113.50';
    const answers = await Promise.all(Array.from({ length: flood }, () => login(t.client(), 'busy-member', 'wrong-password', address)));
    const refused = answers.filter((res) => res.status === 503).length;
    assert.ok(refused >= 1, 'the flood met the bound');
    // The app's own limits over the app's counter: the next hit shows how many attempts were left counted.
    const counts = accountThrottle(t.attempts);
    assert.equal((await counts.loginByAddress.hit(address)).count, flood - refused + 1);
    assert.equal((await counts.loginByName.hit('busy-member')).count, flood - refused + 1);
  });
});

describe('over HTTP/1.1', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp({ limits: { loginFailuresPerName: 2 } });
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

  test('a limited login is a 429 with Retry-After on the wire', async () => {
    const server = await serve(t.app);
    try {
      const attempt = () =>
        fetch(`${server.url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'wire', password: 'wrong-password' }) });
      assert.deepEqual([(await attempt()).status, (await attempt()).status], [401, 401]);
      const limited = await attempt();
      assert.equal(limited.status, 429);
      assert.match(limited.headers.get('retry-after') ?? '', /^\d+$/);
      assert.equal(((await limited.json()) as ErrorJson).error.code, 'TOO_MANY_ATTEMPTS');
    } finally {
      await server.close();
    }
  });
});
