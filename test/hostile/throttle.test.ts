// Password guessing and registration floods. Against `maru serve` as a process, with its default limits: ten
// failures for one name, then 429 with Retry-After — the same for a name no member has, even for the right
// password, and for a look-alike of the name. Against the same app in this process, with limits lowered through
// the app's options (a process would take a hundred scrypt runs to reach its defaults): the per-address limits of
// login and registration, which a forged X-Forwarded-For does not escape; and a flood of logins past the scrypt
// bound, which gets 503 BUSY while the pages stay quick.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { SCRYPT_LIMITS } from '../../app/auth/password.js';
import { DEFAULT_ACCOUNT_LIMITS } from '../../app/auth/throttle.js';
import { assertCleanLogs, assertIntact, assertNoLeak, PROMPT_MS, signUp, snapshot, type Member } from './checks.js';
import { startApp, startProcess, type Target } from './target.js';
import { codeOf, http, type Response } from './wire.js';

const JSON_TYPE = { 'content-type': 'application/json' };
const login = (target: Target, name: string, password: string, headers: Record<string, string> = {}) =>
  http(target, '/login', { method: 'POST', headers: { ...JSON_TYPE, ...headers }, body: JSON.stringify({ name, password }) });
const register = (target: Target, name: string, headers: Record<string, string> = {}) =>
  http(target, '/users', { method: 'POST', headers: { ...JSON_TYPE, ...headers }, body: JSON.stringify({ name, password: 'password-123' }) });

/** The 429 of a limit: its code, a Retry-After of whole seconds within the window, and nothing else to read. */
function assertLimited(res: Response, windowMs: number): void {
  assert.equal(res.status, 429, res.body);
  assert.deepEqual(JSON.parse(res.body), { error: { code: 'TOO_MANY_ATTEMPTS', message: 'too many attempts; try again later' } });
  const retryAfter = Number(res.headers['retry-after']);
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= windowMs / 1000, `Retry-After ${res.headers['retry-after']}`);
  assert.deepEqual([res.headers['set-cookie'] ?? []].flat(), [], 'no session is given');
  assertNoLeak(res.body);
}

/** The headers of a reply that could tell one refusal from another (Date and Retry-After aside). */
function shape(res: Response): string {
  const { date: _date, 'retry-after': retry, ...headers } = res.headers;
  return JSON.stringify({ status: res.status, body: res.body, headers, retryAfter: retry !== undefined });
}

describe('login throttling in maru serve, at its default limits', () => {
  let target: Target;
  let resident: Member;
  let victim: Member;
  const window = DEFAULT_ACCOUNT_LIMITS.loginWindowMs;
  const perName = DEFAULT_ACCOUNT_LIMITS.loginFailuresPerName;

  before(async () => {
    target = await startProcess();
    resident = await signUp(target, 'resident');
    victim = await signUp(target, 'victim', 'victim-password');
  });
  after(() => target.close());

  test(`answers ${perName} wrong passwords with 401, then 429 with Retry-After`, async () => {
    const before = await snapshot(target, resident);
    for (let i = 0; i < perName; i++) assert.equal((await login(target, 'victim', `wrong-guess-${i}`)).status, 401);
    assertLimited(await login(target, 'victim', 'wrong-guess-x'), window);
    await assertIntact(target, resident, before);
  });

  test('answers even the right password with 429 while the name is limited', async () => {
    const before = await snapshot(target, resident);
    assertLimited(await login(target, 'victim', victim.password), window);
    await assertIntact(target, resident, before);
  });

  test('answers a look-alike of the limited name (capitals, fullwidth) with the same 429', async () => {
    const before = await snapshot(target, resident);
    assertLimited(await login(target, 'VICTIM', 'wrong-guess-y'), window);
    assertLimited(await login(target, '\uFF56\uFF49\uFF43\uFF54\uFF49\uFF4D', 'wrong-guess-z'), window);
    await assertIntact(target, resident, before);
  });

  test('answers a name no member has exactly as a member\'s: 401s, then the same 429', async () => {
    const before = await snapshot(target, resident);
    for (let i = 0; i < perName; i++) assert.equal((await login(target, 'nobody-at-all', `wrong-guess-${i}`)).status, 401);
    const unknown = await login(target, 'nobody-at-all', 'wrong-guess-x');
    assertLimited(unknown, window);
    assert.equal(shape(unknown), shape(await login(target, 'victim', 'wrong-guess-x')), 'nothing tells the two apart');
    await assertIntact(target, resident, before);
  });

  test('still lets another name from the same address try (the address limit is far higher)', async () => {
    const before = await snapshot(target, resident);
    const res = await login(target, 'resident', 'wrong-guess-r');
    assert.equal(res.status, 401);
    assert.equal(codeOf(res.body), 'LOGIN_FAILED');
    await assertIntact(target, resident, before);
  });

  test('logged each failure at warn with the name and the address, and no password', async () => {
    // The process writes its log lines after it has answered: the last ones may still be in the pipe.
    const failed = () => target.logs().filter((line) => line.msg === 'login failed');
    for (const deadline = Date.now() + 10_000; failed().length < 2 * perName && Date.now() < deadline; ) await delay(20);
    const failures = failed();
    assert.ok(failures.length >= 2 * perName, `${failures.length} lines`);
    assert.ok(failures.every((line) => line.level === 40 && line.address === '127.0.0.1' && typeof line.name === 'string'));
    assertCleanLogs(target.logs(), { passwords: ['victim-password', 'wrong-guess-', resident.password] });
  });
});

describe('per-address limits, lowered through the app options', () => {
  const limits = { loginFailuresPerAddress: 5, registrationsPerAddress: 3 };
  let target: Target;
  let resident: Member;
  let trusting: Target;

  before(async () => {
    [target, trusting] = await Promise.all([startApp({ limits }), startApp({ limits, trustProxy: 'loopback' })]);
    resident = await signUp(target, 'resident');
  });
  after(() => Promise.all([target.close(), trusting.close()]));

  test('answers 429 once one address has failed 5 logins, whatever names it tried, and a forged X-Forwarded-For does not help', async () => {
    const before = await snapshot(target, resident);
    for (let i = 0; i < limits.loginFailuresPerAddress; i++) {
      assert.equal((await login(target, `name-${i}`, 'wrong-guess', { 'x-forwarded-for': `203.0.113.${i}` })).status, 401);
    }
    assertLimited(await login(target, 'name-x', 'wrong-guess', { 'x-forwarded-for': '198.51.100.1' }), DEFAULT_ACCOUNT_LIMITS.loginWindowMs);
    assertLimited(await login(target, 'resident', resident.password), DEFAULT_ACCOUNT_LIMITS.loginWindowMs);
    await assertIntact(target, resident, before);
  });

  test('answers the 4th registration from one address with 429 and adds no member; a forged X-Forwarded-For does not help', async () => {
    // The resident's registration was the first.
    for (let i = 1; i < limits.registrationsPerAddress; i++) assert.equal((await register(target, `newcomer-${i}`, { 'x-forwarded-for': `203.0.113.${i}` })).status, 201);
    const before = await snapshot(target, resident);
    const res = await register(target, 'one-too-many', { 'x-forwarded-for': '198.51.100.9' });
    assertLimited(res, DEFAULT_ACCOUNT_LIMITS.registrationWindowMs);
    await assertIntact(target, resident, before);
  });

  test('counts the clients behind a trusted proxy apart, by the address it forwards', async () => {
    for (let i = 0; i < limits.registrationsPerAddress; i++) assert.equal((await register(trusting, `behind-${i}`, { 'x-forwarded-for': '203.0.113.7' })).status, 201);
    assertLimited(await register(trusting, 'behind-x', { 'x-forwarded-for': '203.0.113.7' }), DEFAULT_ACCOUNT_LIMITS.registrationWindowMs);
    assert.equal((await register(trusting, 'another-client', { 'x-forwarded-for': '203.0.113.8' })).status, 201);
  });

  test('logged no error and answered no request with a 5xx', () => {
    assertCleanLogs(target.logs(), { passwords: ['wrong-guess', 'password-123'] });
    assertCleanLogs(trusting.logs(), { passwords: ['password-123'] });
  });
});

describe('a flood of logins past the scrypt bound', () => {
  let target: Target;
  let resident: Member;

  before(async () => {
    target = await startApp();
    resident = await signUp(target, 'resident');
  });
  after(() => target.close());

  test('answers what does not fit in the bound with 503 BUSY and Retry-After, serves pages meanwhile, and logs it briefly', async () => {
    const before = await snapshot(target, resident);
    const flood = 2 * (SCRYPT_LIMITS.concurrency + SCRYPT_LIMITS.queue);
    const logins = Array.from({ length: flood }, (_, i) => login(target, `flood-${i}`, 'wrong-guess'));
    const started = Date.now();
    const page = await http(target, '/');
    const pageMs = Date.now() - started;
    const answers = await Promise.all(logins);
    assert.equal(page.status, 200);
    assert.ok(pageMs < PROMPT_MS, `the home page took ${pageMs} ms during the flood`);
    const busy = answers.filter((res) => res.status === 503);
    assert.ok(busy.length > 0, 'some were refused');
    assert.equal(busy.length + answers.filter((res) => res.status === 401).length, flood, 'every other one was judged: 401');
    for (const res of busy) {
      assert.deepEqual(JSON.parse(res.body), { error: { code: 'BUSY', message: 'the server is busy; please try again shortly' } });
      assert.equal(res.headers['retry-after'], '1');
    }
    const lines = target.logs().filter((line) => line.code === 'BUSY');
    assert.ok(lines.length >= 1 && lines.length <= 20, `${lines.length} lines about BUSY`);
    assert.ok(lines.every((line) => line.level === 40 && line.err === undefined), 'at warn, without a stack');
    await assertIntact(target, resident, before);
    assertCleanLogs(target.logs(), { allowed: [503], passwords: ['wrong-guess'] });
  });
});
