import { hash } from 'node:crypto';
import { HttpError } from '../errors.js';
import type { AttemptCounter } from './counter.js';

/**
 * The options of `attemptLimit()`.
 *
 * @example
 * attemptLimit({ counter, name: 'login-address', limit: 100, windowMs: 15 * 60_000, retryAfterUnavailable: 5 });
 */
export interface AttemptLimitOptions {
  counter: AttemptCounter;
  /** What is counted, e.g. `'login-name'`: every key is stored under it, so limits sharing a counter stay apart. */
  name: string;
  /** Attempts allowed in one window; the next one is refused. */
  limit: number;
  /** Length of a window (ms), from the first attempt of a key. */
  windowMs: number;
  /** Seconds a client is asked to wait when the counter itself is unavailable. */
  retryAfterUnavailable?: number;
}

/**
 * What one counted attempt found.
 *
 * @example
 * const verdict = await logins.hit(name); // { limited: false, count: 3, retryAfter: 842 }
 * if (verdict.limited) throw tooManyAttempts(verdict);
 */
export interface AttemptVerdict {
  /** True when this attempt is over the limit: refuse it (see `tooManyAttempts`). */
  readonly limited: boolean;
  /** Attempts in the window, this one included. */
  readonly count: number;
  /** Whole seconds until the window closes (at least 1): the Retry-After of a refusal. */
  readonly retryAfter: number;
}

/**
 * A limit made by `attemptLimit()`: count an attempt, take it back, or forget a key.
 *
 * @example
 * const verdict = await logins.hit(name);
 * if (verdict.limited) throw tooManyAttempts(verdict);
 * if (await passwordMatches(name, password)) await logins.reset(name);
 */
export interface AttemptLimit {
  /** Counts one attempt of `key` (an account name, a client address…). */
  hit(key: string): Promise<AttemptVerdict>;
  /** Takes one attempt of `key` back, e.g. when it turned out to be a success that should not count. */
  undo(key: string): Promise<void>;
  /** Forgets `key`'s attempts, e.g. after a successful login. */
  reset(key: string): Promise<void>;
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * A limit of `limit` attempts per key in a window of `windowMs`, counted by an AttemptCounter (so every process
 * sees the same counts when the counter is shared). Keys are stored as `name:` plus their SHA-256, so account
 * names and client addresses never sit in the backend in clear, and any string is a safe key. A counter that
 * fails makes `hit` throw a 503 (fail closed: guessing must not get faster because Redis is down).
 *
 * @example
 * const logins = attemptLimit({ counter, name: 'login-name', limit: 10, windowMs: 15 * 60_000 });
 * const verdict = await logins.hit(name);
 * if (verdict.limited) throw tooManyAttempts(verdict);
 */
export function attemptLimit(options: AttemptLimitOptions): AttemptLimit {
  const { counter, name, limit, windowMs, retryAfterUnavailable = 5 } = options ?? ({} as AttemptLimitOptions);
  if (counter === null || typeof counter !== 'object' || typeof counter.hit !== 'function' || typeof counter.undo !== 'function' || typeof counter.reset !== 'function') {
    throw new TypeError('option counter must be an AttemptCounter (hit, undo, reset)');
  }
  if (typeof name !== 'string' || !NAME.test(name)) throw new TypeError(`option name must be 1-64 letters, digits, '_', '.' or '-', got ${String(name)}`);
  for (const [option, value] of [['limit', limit], ['windowMs', windowMs], ['retryAfterUnavailable', retryAfterUnavailable]] as const) {
    if (!Number.isSafeInteger(value) || value <= 0) throw new TypeError(`option ${option} must be a positive integer, got ${value}`);
  }
  const keyOf = (key: string) => `${name}:${hash('sha256', key, 'base64url')}`;
  const unavailable = (cause: unknown) =>
    new HttpError(503, 'ATTEMPT_COUNTER_UNAVAILABLE', 'this cannot be checked for a moment; please try again shortly', {
      expose: true,
      headers: { 'retry-after': String(retryAfterUnavailable) },
      cause,
    });
  const call = async <T>(operation: () => Promise<T>): Promise<T> => {
    try {
      return await operation();
    } catch (err) {
      throw unavailable(err);
    }
  };
  return {
    async hit(key) {
      const { count, resetAt } = await call(() => counter.hit(keyOf(key), windowMs));
      return { limited: count > limit, count, retryAfter: Math.max(1, Math.ceil((resetAt - Date.now()) / 1000)) };
    },
    undo: (key) => call(() => counter.undo(keyOf(key))),
    reset: (key) => call(() => counter.reset(keyOf(key))),
  };
}

/**
 * The 429 for an attempt over its limit (RFC 6585 §4), with Retry-After in seconds (RFC 9110 §10.2.3). Its code
 * and message are the same whatever was counted, so a refusal says nothing about which limit was reached or
 * whether an account exists.
 *
 * @example
 * if (verdict.limited) throw tooManyAttempts(verdict);
 */
export function tooManyAttempts(verdict: AttemptVerdict): HttpError {
  return new HttpError(429, 'TOO_MANY_ATTEMPTS', 'too many attempts; try again later', {
    expose: true,
    headers: { 'retry-after': String(verdict.retryAfter) },
  });
}
