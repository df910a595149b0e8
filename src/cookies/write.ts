import { createRequire } from 'node:module';
import type { SerializeOptions } from 'cookie';

// Required, not imported: see read.ts.
const { serialize } = createRequire(import.meta.url)('cookie') as typeof import('cookie');

/**
 * The attributes of a Set-Cookie (RFC 6265 §4.1.2); none is set unless given.
 *
 * @example
 * ctx.setCookie('theme', 'dark', { maxAge: 30 * 24 * 3600, httpOnly: true, sameSite: 'lax', path: '/' });
 */
export interface CookieOptions {
  /** Lifetime in seconds (Max-Age). 0 or less expires the cookie now. */
  maxAge?: number;
  expires?: Date;
  domain?: string;
  path?: string;
  secure?: boolean;
  httpOnly?: boolean;
  sameSite?: 'strict' | 'lax' | 'none';
  partitioned?: boolean;
}

/**
 * Serialises one Set-Cookie value. The value is percent-encoded (so CR, LF, `;` and non-ASCII can never reach the
 * header; a lone surrogate becomes U+FFFD instead of making the encoder throw); an invalid name or attribute (Domain,
 * Path, Max-Age, Expires) throws a TypeError at set time, never at write time.
 *
 * @example
 * serializeCookie('sid', 'abc', { httpOnly: true, sameSite: 'lax', path: '/' })
 */
export function serializeCookie(name: string, value: string, options: CookieOptions = {}): string {
  const opts: SerializeOptions = {};
  if (options.maxAge !== undefined) opts.maxAge = Math.max(0, Math.floor(options.maxAge));
  if (options.expires !== undefined) opts.expires = options.expires;
  if (options.domain !== undefined) opts.domain = options.domain;
  if (options.path !== undefined) opts.path = options.path;
  if (options.secure !== undefined) opts.secure = options.secure;
  if (options.httpOnly !== undefined) opts.httpOnly = options.httpOnly;
  if (options.sameSite !== undefined) opts.sameSite = options.sameSite;
  if (options.partitioned !== undefined) opts.partitioned = options.partitioned;
  return serialize(name, String(value).toWellFormed(), opts);
}
