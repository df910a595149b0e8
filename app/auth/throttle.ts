import {
  addressKey,
  attemptLimit,
  MemoryAttemptCounter,
  RedisAttemptCounter,
  RedisStore,
  SqliteAttemptCounter,
  SqliteStore,
  type AttemptCounter,
  type AttemptLimit,
  type Context,
  type SessionStore,
} from '../../src/index.js';
import { nameKey } from '../users/name-key.js';

/** How many failed logins and registrations are let through before a 429. */
export interface AccountLimits {
  /** Failed logins per account name in one window (whether the account exists or not). */
  readonly loginFailuresPerName: number;
  /** Failed logins per client address in one window: far more, since many people may share one address. */
  readonly loginFailuresPerAddress: number;
  readonly loginWindowMs: number;
  /** Registrations per client address in one window. */
  readonly registrationsPerAddress: number;
  readonly registrationWindowMs: number;
}

/** About OWASP's suggestion for account lockout thresholds (Authentication Cheat Sheet), per 15 minutes. */
export const DEFAULT_ACCOUNT_LIMITS: AccountLimits = {
  loginFailuresPerName: 10,
  loginFailuresPerAddress: 100,
  loginWindowMs: 15 * 60_000,
  registrationsPerAddress: 100,
  registrationWindowMs: 60 * 60_000,
};

export interface AccountThrottle {
  readonly loginByName: AttemptLimit;
  readonly loginByAddress: AttemptLimit;
  readonly registrationByAddress: AttemptLimit;
}

/** The limits of the account routes, counted by `counter`. */
export function accountThrottle(counter: AttemptCounter, limits: Partial<AccountLimits> = {}): AccountThrottle {
  const l = { ...DEFAULT_ACCOUNT_LIMITS, ...limits };
  return {
    loginByName: attemptLimit({ counter, name: 'login-name', limit: l.loginFailuresPerName, windowMs: l.loginWindowMs }),
    loginByAddress: attemptLimit({ counter, name: 'login-address', limit: l.loginFailuresPerAddress, windowMs: l.loginWindowMs }),
    registrationByAddress: attemptLimit({ counter, name: 'register-address', limit: l.registrationsPerAddress, windowMs: l.registrationWindowMs }),
  };
}

/**
 * The client's address, for the throttle and the log: `ctx.ip`, the peer's address or, behind a proxy that
 * `--trust-proxy` names, the one it forwarded (never a header an untrusted client wrote).
 */
export function clientAddress(ctx: Context): string | undefined {
  return ctx.ip;
}

/**
 * The key a login's name is counted under: the name's uniqueness key (nameKey), so names that look alike (case,
 * width, invisible characters, look-alike letters) share one count, as they share one account. Bounded before
 * folding (no member's name is longer), and anything but a string is one key that no account has.
 */
export function accountKey(name: unknown): string {
  return typeof name === 'string' ? nameKey(name.slice(0, 256).toWellFormed()) : '';
}

/** The key the throttle counts a client's attempts under (an IPv6 client by its /64). */
export function clientKey(ctx: Context): string {
  return addressKey(clientAddress(ctx));
}

/**
 * An AttemptCounter in the session store's own backend (the same SQLite connection; the same Redis client, under
 * the store's prefix), so every worker and every instance that shares the sessions shares the counts.
 *
 * @example
 * const attempts = attemptCounterBeside(sessionStore);
 */
export function attemptCounterBeside(store: SessionStore): AttemptCounter {
  // `<prefix>attempts:…` never meets a session key: those are the prefix and 43 base64url characters, no colon.
  if (store instanceof RedisStore) return new RedisAttemptCounter({ client: store.client, prefix: `${store.prefix}attempts:` });
  if (store instanceof SqliteStore) return new SqliteAttemptCounter({ database: store.database });
  return new MemoryAttemptCounter();
}
