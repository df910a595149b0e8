import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testApp, type TestApp } from './harness.js';

interface UserJson {
  id: string;
  name: string;
  createdAt: string;
  updatedAt: string;
}
type ErrorJson = { error: { code: string; message: string } };

const JSON_HEADERS = { 'content-type': 'application/json' };
const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded' };

let t: TestApp;
before(async () => {
  t = await testApp();
});
after(() => t.close());

async function memberCount(): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await t.users.list(cursor === undefined ? { limit: 100 } : { limit: 100, cursor });
    count += page.users.length;
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return count;
}

describe('POST /users (register)', () => {
  test('answers 201 with Location and the member, never the password or its hash', async () => {
    const res = await t.client().request({ method: 'POST', url: '/users', body: { name: '  가나다  ', password: 'secret-password' } });
    assert.equal(res.status, 201);
    const user = res.json<UserJson>();
    assert.deepEqual(Object.keys(user).sort(), ['createdAt', 'id', 'name', 'updatedAt']);
    assert.equal(user.name, '가나다');
    assert.equal(res.headers.location, `/users/${user.id}`);
    assert.ok(!res.body.includes('secret-password') && !res.body.includes('scrypt'));
  });

  test('the book\'s singular POST /user registers too', async () => {
    const res = await t.client().request({ method: 'POST', url: '/user', body: { name: 'singular', password: 'secret-password' } });
    assert.equal(res.status, 201);
  });

  test('answers 409 when the name is taken, and writes nothing', async () => {
    const c = t.client();
    await c.request({ method: 'POST', url: '/users', body: { name: 'taken', password: 'secret-password' } });
    const before = await memberCount();
    const res = await c.request({ method: 'POST', url: '/users', body: { name: 'taken', password: 'other-password' } });
    assert.equal(res.status, 409);
    assert.equal(res.json<ErrorJson>().error.code, 'NAME_TAKEN');
    assert.equal(await memberCount(), before);
  });

  const invalid: [claim: string, body: unknown, code: string][] = [
    ['an empty name', { name: '   ', password: 'secret-password' }, 'NAME_REQUIRED'],
    ['a 33-character name', { name: 'x'.repeat(33), password: 'secret-password' }, 'INVALID_NAME'],
    ['a 10,000-character name', { name: 'x'.repeat(10_000), password: 'secret-password' }, 'INVALID_NAME'],
    ['a name with a newline', { name: 'a\nb', password: 'secret-password' }, 'INVALID_NAME'],
    ['a name that is a number', { name: 42, password: 'secret-password' }, 'INVALID_NAME'],
    ['a missing name', { password: 'secret-password' }, 'NAME_REQUIRED'],
    ['a name smuggled through __proto__', JSON.parse('{"__proto__":{"name":"ghost"},"password":"secret-password"}'), 'NAME_REQUIRED'],
    ['a 7-character password', { name: 'shortpw', password: '1234567' }, 'INVALID_PASSWORD'],
    ['a 129-character password', { name: 'longpw', password: 'p'.repeat(129) }, 'INVALID_PASSWORD'],
    ['a JSON array', [{ name: 'arr', password: 'secret-password' }], 'BODY_NOT_OBJECT'],
  ];
  for (const [claim, body, code] of invalid) {
    test(`answers 400 ${code} for ${claim}, and writes nothing`, async () => {
      const before = await memberCount();
      const res = await t.client().request({ method: 'POST', url: '/users', headers: JSON_HEADERS, body: JSON.stringify(body) });
      assert.equal(res.status, 400);
      assert.equal(res.json<ErrorJson>().error.code, code);
      assert.equal(await memberCount(), before);
    });
  }

  test('answers 400 for malformed JSON without echoing it', async () => {
    const res = await t.client().request({ method: 'POST', url: '/users', headers: JSON_HEADERS, body: '{"name": "x", <script>' });
    assert.equal(res.status, 400);
    assert.equal(res.json<ErrorJson>().error.code, 'MALFORMED_JSON');
    assert.ok(!res.body.includes('<script>'));
  });

  test('answers 415 for a body that is neither JSON nor a form', async () => {
    const res = await t.client().request({ method: 'POST', url: '/users', headers: { 'content-type': 'text/plain' }, body: 'name=x' });
    assert.equal(res.status, 415);
  });

  test('answers 413 for a body over 16 KiB', async () => {
    const res = await t.client().request({ method: 'POST', url: '/users', body: { name: 'big', password: 'secret-password', pad: 'x'.repeat(20_000) } });
    assert.equal(res.status, 413);
  });

  test('stores SQL-looking and __proto__ names verbatim', async () => {
    for (const name of ["Robert'); DROP TABLE users;--", '__proto__', 'constructor', '1 OR 1=1']) {
      const res = await t.client().request({ method: 'POST', url: '/users', body: { name, password: 'secret-password' } });
      assert.equal(res.status, 201, name);
      const id = res.json<UserJson>().id;
      const shown = await t.client().request({ url: `/users/${id}` });
      assert.equal(shown.json<UserJson>().name, name);
    }
  });

  test('ignores a 10,000-character JSON key', async () => {
    const body = `{"${'k'.repeat(10_000)}":1,"name":"longkey","password":"secret-password"}`;
    const res = await t.client().request({ method: 'POST', url: '/users', headers: JSON_HEADERS, body });
    assert.equal(res.status, 201);
    assert.deepEqual(Object.keys(res.json<UserJson>()).sort(), ['createdAt', 'id', 'name', 'updatedAt']);
  });

  test('a plain form registers and redirects home with 303', async () => {
    const res = await t.client().request({ method: 'POST', url: '/users', headers: FORM_HEADERS, body: 'name=%ED%8F%BC&password=form-password' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/?registered=1');
  });

  test('a plain form with a taken name shows the home page with a 409', async () => {
    const c = t.client();
    await c.request({ method: 'POST', url: '/users', body: { name: 'formtaken', password: 'secret-password' } });
    const res = await c.request({ method: 'POST', url: '/users', headers: FORM_HEADERS, body: 'name=formtaken&password=secret-password' });
    assert.equal(res.status, 409);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.match(res.body, /이미 쓰이는 이름입니다/);
  });
});

describe('GET /users and /users/:id', () => {
  test('lists members in a stable order and pages with limit, cursor and a Link header', async () => {
    const local = await testAppWith(['p1', 'p2', 'p3']);
    try {
      const c = local.client();
      const first = await c.request({ url: '/users?limit=2' });
      assert.equal(first.status, 200);
      assert.deepEqual(first.json<UserJson[]>().map((u) => u.name), ['p1', 'p2']);
      const next = /<([^>]+)>; rel="next"/.exec(String(first.headers.link))?.[1];
      assert.ok(next, 'a Link to the next page');
      const second = await c.request({ url: next });
      assert.deepEqual(second.json<UserJson[]>().map((u) => u.name), ['p3']);
      assert.equal(second.headers.link, undefined);
    } finally {
      await local.close();
    }
  });

  for (const limit of ['0', '101', 'abc', '-1', '1.5']) {
    test(`answers 400 for limit=${limit}`, async () => {
      const res = await t.client().request({ url: `/users?limit=${limit}` });
      assert.equal(res.status, 400);
      assert.equal(res.json<ErrorJson>().error.code, 'BAD_LIMIT');
    });
  }

  test('answers 400 for a cursor it never gave out', async () => {
    const res = await t.client().request({ url: '/users?cursor=not-a-cursor' });
    assert.equal(res.status, 400);
  });

  test('shows one member, and 404 for an unknown, malformed or __proto__ id', async () => {
    const c = t.client();
    const id = (await c.request({ method: 'POST', url: '/users', body: { name: 'shown', password: 'secret-password' } })).json<UserJson>().id;
    assert.equal((await c.request({ url: `/users/${id}` })).json<UserJson>().name, 'shown');
    assert.equal((await c.request({ url: `/user/${id}` })).status, 200);
    for (const bad of ['00000000-0000-4000-8000-000000000000', 'nope', '__proto__', '%27%20OR%201%3D1']) {
      const res = await c.request({ url: `/users/${bad}` });
      assert.equal(res.status, 404, bad);
    }
  });

  test('answers HEAD without a body and OPTIONS with Allow', async () => {
    const head = await t.client().request({ method: 'HEAD', url: '/users' });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    const options = await t.client().request({ method: 'OPTIONS', url: '/users/x' });
    assert.equal(options.status, 204);
    assert.equal(options.headers.allow, 'DELETE, GET, HEAD, OPTIONS, PATCH, PUT');
  });
});

describe('login, /me and logout', () => {
  test('logs in with JSON: 200, the member, and an HttpOnly SameSite=Lax session cookie', async () => {
    const c = t.client();
    await c.request({ method: 'POST', url: '/users', body: { name: 'loginjson', password: 'secret-password' } });
    const res = await c.request({ method: 'POST', url: '/login', body: { name: 'loginjson', password: 'secret-password' } });
    assert.equal(res.status, 200);
    assert.equal(res.json<{ name: string }>().name, 'loginjson');
    const cookie = [res.headers['set-cookie']].flat()[0]!;
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.match(cookie, /Path=\//);
    const me = await c.request({ url: '/me' });
    assert.equal(me.status, 200);
    assert.equal(me.json<{ name: string }>().name, 'loginjson');
  });

  test('a plain login form redirects home with 303 and then greets in Korean', async () => {
    const c = t.client();
    await c.request({ method: 'POST', url: '/users', body: { name: '길동', password: 'secret-password' } });
    const res = await c.request({ method: 'POST', url: '/login', headers: FORM_HEADERS, body: `name=${encodeURIComponent('길동')}&password=secret-password` });
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/');
    const home = await c.request({ url: '/' });
    assert.match(home.body, /길동님 안녕하세요/);
    const english = await c.request({ url: '/', headers: { 'accept-language': 'en-US,en;q=0.9' } });
    assert.match(english.body, /Hello, 길동/);
  });

  test('answers the same 401 for a wrong password and for an unknown name', async () => {
    const c = t.client();
    await c.request({ method: 'POST', url: '/users', body: { name: 'wrongpw', password: 'secret-password' } });
    const wrong = await c.request({ method: 'POST', url: '/login', body: { name: 'wrongpw', password: 'not-the-password' } });
    const unknown = await c.request({ method: 'POST', url: '/login', body: { name: 'nobody-here', password: 'not-the-password' } });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.equal(wrong.body, unknown.body);
    assert.equal(wrong.headers['set-cookie'], undefined);
  });

  test('logs in with a valid password of 128 characters outside the BMP (256 UTF-16 units)', async () => {
    const c = t.client();
    const password = '🔑'.repeat(128);
    assert.equal((await c.request({ method: 'POST', url: '/users', body: { name: 'emoji-pw', password } })).status, 201);
    const res = await c.request({ method: 'POST', url: '/login', body: { name: 'emoji-pw', password } });
    assert.equal(res.status, 200);
  });

  test('answers 401 for credentials of the wrong type or size', async () => {
    for (const body of [{ name: ['x'], password: 'secret-password' }, { name: 'x', password: 'p'.repeat(10_000) }, {}]) {
      const res = await t.client().request({ method: 'POST', url: '/login', body });
      assert.equal(res.status, 401);
    }
  });

  test('answers 413 for a login body over 16 KiB, and does not log in', async () => {
    const c = t.client();
    await c.request({ method: 'POST', url: '/users', body: { name: 'biglogin', password: 'secret-password' } });
    const res = await c.request({ method: 'POST', url: '/login', body: { name: 'biglogin', password: 'secret-password', pad: 'x'.repeat(20_000) } });
    assert.equal(res.status, 413);
    assert.equal(res.json<ErrorJson>().error.code, 'BODY_TOO_LARGE');
    assert.equal(res.headers['set-cookie'], undefined);
    assert.equal((await c.request({ url: '/me' })).status, 401);
  });

  test('gives a new session id at login (no session fixation)', async () => {
    const c = t.client();
    await c.signUp('fixation');
    const before = c.cookies.get('sid');
    await c.request({ method: 'POST', url: '/login', body: { name: 'fixation', password: 'password-123' } });
    const afterLogin = c.cookies.get('sid');
    assert.ok(before && afterLogin && before !== afterLogin);
    const stale = await t.client().request({ url: '/me', headers: { cookie: `sid=${before}` } });
    assert.equal(stale.status, 401);
  });

  test('/me is 401 without a session', async () => {
    const res = await t.client().request({ url: '/me' });
    assert.equal(res.status, 401);
    assert.equal(res.json<ErrorJson>().error.code, 'NOT_LOGGED_IN');
  });

  test('logout ends the session with a 303 home, and the old cookie stops working', async () => {
    const c = t.client();
    await c.signUp('leaver');
    const sid = c.cookies.get('sid');
    const res = await c.request({ method: 'POST', url: '/logout' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/');
    const replay = await t.client().request({ url: '/me', headers: { cookie: `sid=${sid}` } });
    assert.equal(replay.status, 401);
  });
});

describe('PUT / PATCH / DELETE /users/:id', () => {
  test('PUT renames yourself, and /me follows', async () => {
    const c = t.client();
    const id = await c.signUp('renameme');
    const res = await c.request({ method: 'PUT', url: `/users/${id}`, body: { name: 'renamed' } });
    assert.equal(res.status, 200);
    assert.equal(res.json<UserJson>().name, 'renamed');
    assert.equal((await c.request({ url: '/me' })).json<{ name: string }>().name, 'renamed');
  });

  test('the book\'s singular PUT /user/:id renames too', async () => {
    const c = t.client();
    const id = await c.signUp('singularput');
    const res = await c.request({ method: 'PUT', url: `/user/${id}`, body: { name: 'singularput2' } });
    assert.equal(res.status, 200);
  });

  test('answers 401 when not logged in and 403 for someone else, changing nothing', async () => {
    const owner = t.client();
    const id = await owner.signUp('victim');
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      const anonymous = await t.client().request({ method, url: `/users/${id}`, ...(method === 'DELETE' ? {} : { body: { name: 'hacked' } }) });
      assert.equal(anonymous.status, 401, method);
      assert.equal(anonymous.json<ErrorJson>().error.code, 'NOT_LOGGED_IN', method);
    }
    const other = t.client();
    await other.signUp('attacker');
    for (const method of ['PUT', 'PATCH']) {
      const res = await other.request({ method, url: `/users/${id}`, body: { name: 'hacked' } });
      assert.equal(res.status, 403, method);
    }
    assert.equal((await other.request({ method: 'DELETE', url: `/users/${id}` })).status, 403);
    assert.equal((await t.users.findById(id))?.name, 'victim');
  });

  for (const method of ['PUT', 'PATCH']) {
    test(`${method} answers 413 for a body over 16 KiB from the member themself, changing nothing`, async () => {
      const c = t.client();
      const id = await c.signUp(`big${method.toLowerCase()}`);
      const res = await c.request({ method, url: `/users/${id}`, body: { name: 'renamed-by-a-big-body', pad: 'x'.repeat(20_000) } });
      assert.equal(res.status, 413);
      assert.equal(res.json<ErrorJson>().error.code, 'BODY_TOO_LARGE');
      assert.equal((await t.users.findById(id))?.name, `big${method.toLowerCase()}`);
    });
  }

  test('answers 409 when renaming to a taken name and 400 for an invalid one, changing nothing', async () => {
    await t.client().signUp('occupied');
    const c = t.client();
    const id = await c.signUp('wantsname');
    assert.equal((await c.request({ method: 'PUT', url: `/users/${id}`, body: { name: 'occupied' } })).status, 409);
    assert.equal((await c.request({ method: 'PUT', url: `/users/${id}`, body: { name: '' } })).status, 400);
    assert.equal((await c.request({ method: 'PUT', url: `/users/${id}`, body: {} })).status, 400);
    assert.equal((await t.users.findById(id))?.name, 'wantsname');
  });

  test('PATCH changes the password only with the current one', async () => {
    const c = t.client();
    const id = await c.signUp('pwchange', 'first-password');
    const refused = await c.request({ method: 'PATCH', url: `/users/${id}`, body: { password: 'second-password' } });
    assert.equal(refused.status, 403);
    const ok = await c.request({ method: 'PATCH', url: `/users/${id}`, body: { password: 'second-password', currentPassword: 'first-password' } });
    assert.equal(ok.status, 200);
    const oldLogin = await t.client().request({ method: 'POST', url: '/login', body: { name: 'pwchange', password: 'first-password' } });
    assert.equal(oldLogin.status, 401);
    const newLogin = await t.client().request({ method: 'POST', url: '/login', body: { name: 'pwchange', password: 'second-password' } });
    assert.equal(newLogin.status, 200);
  });

  test('PATCH with nothing to change is a 400', async () => {
    const c = t.client();
    const id = await c.signUp('patchnothing');
    const res = await c.request({ method: 'PATCH', url: `/users/${id}`, body: { unrelated: 1 } });
    assert.equal(res.status, 400);
  });

  test('DELETE removes your account with 204 and ends the session', async () => {
    const c = t.client();
    const id = await c.signUp('deleteme');
    const res = await c.request({ method: 'DELETE', url: `/users/${id}` });
    assert.equal(res.status, 204);
    assert.equal((await c.request({ url: '/me' })).status, 401);
    assert.equal((await c.request({ url: `/users/${id}` })).status, 404);
  });

  test('the book\'s singular DELETE /user/:id deletes too', async () => {
    const c = t.client();
    const id = await c.signUp('singulardelete');
    assert.equal((await c.request({ method: 'DELETE', url: `/user/${id}` })).status, 204);
  });

  test('refuses a cross-site request that carries a valid session cookie', async () => {
    const c = t.client();
    const id = await c.signUp('csrfvictim');
    const res = await c.request({ method: 'DELETE', url: `/users/${id}`, headers: { origin: 'https://evil.example' } });
    assert.equal(res.status, 403);
    const marked = await c.request({ method: 'PUT', url: `/users/${id}`, headers: { 'sec-fetch-site': 'cross-site' }, body: { name: 'pwned' } });
    assert.equal(marked.status, 403);
    assert.equal((await t.users.findById(id))?.name, 'csrfvictim');
  });
});

describe('pages and the rest', () => {
  test('the home page offers login and register forms to a visitor', async () => {
    const res = await t.client().request({ url: '/' });
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/html; charset=utf-8/);
    assert.match(res.body, /<form id="login" [^>]*action="\/login"/);
    assert.match(res.body, /<form id="register" [^>]*action="\/users"/);
    assert.equal(res.headers['cache-control'], 'private, no-store');
  });

  test('escapes member names on the home page', async () => {
    await t.client().request({ method: 'POST', url: '/users', body: { name: '<b onmouseover=x>', password: 'secret-password' } });
    const res = await t.client().request({ url: '/' });
    assert.ok(res.body.includes('&lt;b onmouseover=x&gt;'));
    assert.ok(!res.body.includes('<b onmouseover=x>'));
  });

  test('serves the about page, the stylesheet and the client script', async () => {
    const about = await t.client().request({ url: '/about' });
    assert.equal(about.status, 200);
    assert.match(about.body, /소개/);
    const css = await t.client().request({ url: '/static/style.css' });
    assert.equal(css.status, 200);
    assert.match(String(css.headers['content-type']), /^text\/css/);
    const js = await t.client().request({ url: '/static/app.js' });
    assert.equal(js.status, 200);
    assert.match(String(js.headers['content-type']), /javascript/);
  });

  test('answers /hello and /healthz', async () => {
    assert.equal((await t.client().request({ url: '/hello' })).body, 'Hello Node!');
    assert.deepEqual((await t.client().request({ url: '/healthz' })).json(), { status: 'ok' });
  });

  test('answers 404 for an unknown route and 405 with Allow for a wrong method', async () => {
    assert.equal((await t.client().request({ url: '/nothing-here' })).status, 404);
    const res = await t.client().request({ method: 'DELETE', url: '/me' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.allow, 'GET, HEAD, OPTIONS');
  });
});

async function testAppWith(names: string[]): Promise<TestApp> {
  const local = await testApp();
  for (const name of names) {
    const res = await local.client().request({ method: 'POST', url: '/users', body: { name, password: 'secret-password' } });
    assert.equal(res.status, 201);
  }
  return local;
}
