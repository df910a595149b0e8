// A failed login must not tell an attacker whether the name exists (README: "the same answer, in about the same
// time"). Timing it would make a flaky test; what makes the time is the scrypt derivation, so these tests count the
// derivations each answer waited for, and their cost, by wrapping node:crypto's scrypt.
import assert from 'node:assert/strict';
import crypto, { type ScryptOptions } from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { testApp, type TestApp } from './harness.js';

interface Derivation {
  readonly cost: string;
  /** The derivation's callback ran: the answer that follows waited for it. */
  finished: boolean;
}

/** Records every scrypt derivation started from now on; `stop()` puts the real scrypt back. */
function watchDerivations(): { readonly started: Derivation[]; stop(): void } {
  const real = crypto.scrypt;
  const started: Derivation[] = [];
  type Callback = (err: Error | null, key: Buffer) => void;
  const spy = (password: crypto.BinaryLike, salt: crypto.BinaryLike, keylen: number, options: ScryptOptions | Callback, callback?: Callback) => {
    const settings = typeof options === 'function' ? {} : options;
    const done = typeof options === 'function' ? options : callback!;
    const derivation: Derivation = { cost: `N=${settings.N ?? settings.cost},r=${settings.r ?? settings.blockSize},p=${settings.p ?? settings.parallelization},keylen=${keylen}`, finished: false };
    started.push(derivation);
    real(password, salt, keylen, settings, (err, key) => {
      derivation.finished = true;
      done(err, key);
    });
  };
  crypto.scrypt = spy as typeof crypto.scrypt;
  // app/auth/password.ts imports { scrypt } from 'node:crypto': this updates that live binding too.
  syncBuiltinESMExports();
  return {
    started,
    stop() {
      crypto.scrypt = real;
      syncBuiltinESMExports();
    },
  };
}

describe('a failed login costs the same whether the name exists or not', () => {
  const PASSWORD = 'the-right-password';
  let t: TestApp;
  let memberCost: string;

  before(async () => {
    t = await testApp();
    const watch = watchDerivations();
    try {
      const created = await t.client().request({ method: 'POST', url: '/users', body: { name: 'member', password: PASSWORD } });
      assert.equal(created.status, 201);
      assert.equal(watch.started.length, 1, 'registration hashes once');
      memberCost = watch.started[0]!.cost;
    } finally {
      watch.stop();
    }
  });
  after(() => t?.close());

  /** The status of a JSON login with `body`, and the derivations that ran for it. */
  async function login(body: Record<string, unknown>): Promise<{ status: number; derivations: Derivation[] }> {
    const watch = watchDerivations();
    try {
      const res = await t.client().request({ method: 'POST', url: '/login', body });
      return { status: res.status, derivations: [...watch.started] };
    } finally {
      watch.stop();
    }
  }

  test('a wrong password for a member waits for one derivation at the cost of the stored hash', async () => {
    const { status, derivations } = await login({ name: 'member', password: 'a-wrong-password' });
    assert.equal(status, 401);
    assert.deepEqual(derivations, [{ cost: memberCost, finished: true }]);
  });

  const unknown: [claim: string, body: Record<string, unknown>][] = [
    ['a name no member has', { name: 'nobody-by-this-name', password: 'a-wrong-password' }],
    ['a name that could never be registered', { name: 'bad\nname', password: 'a-wrong-password' }],
    ['a name that is not a string', { name: ['member'], password: 'a-wrong-password' }],
    ['a password far over the length limit', { name: 'member', password: 'p'.repeat(10_000) }],
    ['no credentials at all', {}],
  ];
  for (const [claim, body] of unknown) {
    test(`${claim} waits for one derivation at the same cost`, async () => {
      const { status, derivations } = await login(body);
      assert.equal(status, 401);
      assert.deepEqual(derivations, [{ cost: memberCost, finished: true }]);
    });
  }

  test('the right password logs in after one derivation', async () => {
    const { status, derivations } = await login({ name: 'member', password: PASSWORD });
    assert.equal(status, 200);
    assert.deepEqual(derivations, [{ cost: memberCost, finished: true }]);
  });
});
