// Member names that only look alike: the API refuses invisible characters and mixed alphabets with a 400, and a
// name that reads like a taken one with a 409, while Korean names keep working.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { hashPassword } from '../../app/auth/password.js';
import { testApp, type TestApp } from './harness.js';

type ErrorJson = { error: { code: string; message: string } };

let t: TestApp;
before(async () => {
  t = await testApp();
});
after(() => t.close());

const register = (name: string) => t.client().request({ method: 'POST', url: '/users', body: { name, password: 'secret-password' } });

describe('registering a name that looks like another', () => {
  test('answers 409 NAME_TAKEN for BOB in Cyrillic letters when bob exists', async () => {
    assert.equal((await register('bob')).status, 201);
    const twin = await register('\u0412\u041E\u0412');
    assert.equal(twin.status, 409);
    assert.equal(twin.json<ErrorJson>().error.code, 'NAME_TAKEN');
  });

  for (const [label, suffix] of [['U+034F', '\u034F'], ['U+200D', '\u200D'], ['U+2800', '\u2800'], ['U+3164', '\u3164']] as const) {
    test(`answers 400 NAME_INVISIBLE_CHARACTER for a name ending in ${label}, naming it`, async () => {
      const res = await register(`carol${suffix}`);
      assert.equal(res.status, 400);
      const { error } = res.json<ErrorJson>();
      assert.equal(error.code, 'NAME_INVISIBLE_CHARACTER');
      assert.ok(error.message.includes(label), error.message);
      assert.equal(await t.users.findByName('carol'), undefined);
    });
  }

  test('answers 400 NAME_MIXED_SCRIPTS for Latin letters with a Cyrillic о', async () => {
    const res = await register('d\u043Ean');
    assert.equal(res.status, 400);
    assert.equal(res.json<ErrorJson>().error.code, 'NAME_MIXED_SCRIPTS');
  });

  test('registers Korean names: syllables, conjoining jamo, compatibility jamo, and Hangul with Latin', async () => {
    for (const name of ['홍길동', '\u1112\u1161\u11AB\u1100\u1173\u11AF', 'ㅋㅋㅋ', '김bob']) {
      assert.equal((await register(name)).status, 201, name);
    }
  });
});

describe('renaming to a name that looks like another', () => {
  test('answers 400 NAME_INVISIBLE_CHARACTER and keeps the name', async () => {
    const c = t.client();
    const id = await c.signUp('erin');
    const res = await c.request({ method: 'PUT', url: `/users/${id}`, body: { name: 'erin\u3164' } });
    assert.equal(res.status, 400);
    assert.equal(res.json<ErrorJson>().error.code, 'NAME_INVISIBLE_CHARACTER');
    assert.equal((await t.users.findById(id))?.name, 'erin');
  });

  test('answers 409 NAME_TAKEN for another member\'s name in look-alike letters', async () => {
    await register('pop');
    const c = t.client();
    const id = await c.signUp('frank');
    const res = await c.request({ method: 'PATCH', url: `/users/${id}`, body: { name: '\u0440\u043E\u0440' } });
    assert.equal(res.status, 409);
    assert.equal((await t.users.findById(id))?.name, 'frank');
  });
});

test('a member whose name predates the invisible-character rule still logs in with it', async () => {
  // Stored directly, as a row from before the rule would be.
  const created = await t.users.create({ name: 'grace\u200D', passwordHash: await hashPassword('grace-password') });
  assert.equal(created.ok, true);
  const res = await t.client().request({ method: 'POST', url: '/login', body: { name: 'grace\u200D', password: 'grace-password' } });
  assert.equal(res.status, 200);
  assert.equal(res.json<{ name: string }>().name, 'grace\u200D');
});
