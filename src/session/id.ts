import { randomBytes } from 'node:crypto';

/** 24 random bytes: 192 bits, well over OWASP's 64-bit entropy floor and the 128 bits asked of ids here. */
const ID_BYTES = 24;
/** base64url of 24 bytes is exactly 32 characters, with no padding. */
const ID_PATTERN = /^[A-Za-z0-9_-]{32}$/;

/**
 * A new session id from the system's CSPRNG, url-safe (base64url) so it needs no encoding in a cookie.
 *
 * @example
 * newSessionId() // 'vN3q…' (32 characters)
 */
export function newSessionId(): string {
  return randomBytes(ID_BYTES).toString('base64url');
}

/**
 * True when the value has the shape of an id this module makes. Anything else is rejected before a store sees it,
 * so a client cannot make the server look up (or store) arbitrary keys.
 *
 * @example
 * isSessionId('../../etc') // false
 */
export function isSessionId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}
