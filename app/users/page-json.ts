import { encodeCursor } from './cursor.js';
import type { UserPageJson } from './repo.js';

/**
 * A page of `listJson` from what the database returned: up to `limit + 1` JSON object texts, one per member in list
 * order, each `{"id":…,"name":…,"createdAt":…,"updatedAt":…}`. The rows past `limit` only say that a next page
 * exists; its cursor is the last member of this page, read back from that member's own JSON.
 *
 * @example
 * pageOfJsonRows(['{"id":"a",…}', '{"id":"b",…}'], 1) // { json: '[{"id":"a",…}]', nextCursor: 'WyIy…' }
 */
export function pageOfJsonRows(rows: readonly string[], limit: number): UserPageJson {
  if (rows.length <= limit) return { json: `[${rows.join(',')}]`, nextCursor: undefined };
  const page = rows.slice(0, limit);
  const last = JSON.parse(page.at(-1)!) as { createdAt: string; id: string };
  return { json: `[${page.join(',')}]`, nextCursor: encodeCursor({ createdAt: last.createdAt, id: last.id }) };
}
