/**
 * The opaque pagination cursor of `UserRepository.list`: the (createdAt, id) of the last member on a page, as
 * base64url JSON. The next page is every member after that pair in (createdAt, id) order — keyset pagination, so
 * a page costs one index seek however deep it is, and members added meanwhile never shift or repeat what follows.
 */

export interface CursorPosition {
  /** ISO 8601 UTC with milliseconds, as `Date.prototype.toISOString()` writes it. */
  readonly createdAt: string;
  readonly id: string;
}

const BASE64URL = /^[A-Za-z0-9_-]{1,200}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * @example
 * encodeCursor({ createdAt: '2026-01-01T00:00:00.000Z', id: '…uuid…' }) // 'WyIyMDI2LTAxLTAx…'
 */
export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id])).toString('base64url');
}

/**
 * Reads a cursor made by encodeCursor. Anything else — bad base64url, bad JSON, a wrong shape, an impossible date,
 * an id that is not a lower-case UUID — throws a RangeError, which the API answers with 400.
 *
 * @example
 * decodeCursor(encodeCursor(position)) // position
 * decodeCursor('nope!')                // throws RangeError
 */
export function decodeCursor(cursor: string): CursorPosition {
  if (!BASE64URL.test(cursor)) throw new RangeError('cursor is malformed');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new RangeError('cursor is malformed');
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw new RangeError('cursor is malformed');
  const [createdAt, id] = parsed as unknown[];
  if (typeof createdAt !== 'string' || !ISO_UTC.test(createdAt)) throw new RangeError('cursor is malformed');
  // Round-tripping through Date refuses the well-shaped but impossible, such as month 13.
  if (Number.isNaN(Date.parse(createdAt)) || new Date(createdAt).toISOString() !== createdAt) {
    throw new RangeError('cursor is malformed');
  }
  if (typeof id !== 'string' || !UUID.test(id)) throw new RangeError('cursor is malformed');
  return { createdAt, id };
}

/**
 * Checks `list`'s limit once for both repositories.
 *
 * @example
 * checkLimit(20) // 20
 * checkLimit(0)  // throws RangeError
 */
export function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new RangeError(`limit must be an integer from 1 to 100, got ${String(limit)}`);
  }
  return limit;
}
