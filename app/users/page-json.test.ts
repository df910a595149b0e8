import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeCursor } from './cursor.js';
import { pageOfJsonRows } from './page-json.js';

const row = (n: number) => JSON.stringify({ id: `00000000-0000-4000-8000-00000000000${n}`, name: `m${n}`, createdAt: `2026-01-0${n}T00:00:00.000Z`, updatedAt: `2026-01-0${n}T00:00:00.000Z` });

test('a page with no row past the limit is the rows as one array, and has no next page', () => {
  assert.deepEqual(pageOfJsonRows([], 3), { json: '[]', nextCursor: undefined });
  assert.deepEqual(pageOfJsonRows([row(1), row(2)], 2), { json: `[${row(1)},${row(2)}]`, nextCursor: undefined });
});

test('a row past the limit is left out, and the cursor names the last member of the page', () => {
  const page = pageOfJsonRows([row(1), row(2), row(3)], 2);
  assert.equal(page.json, `[${row(1)},${row(2)}]`);
  assert.deepEqual(decodeCursor(page.nextCursor!), { createdAt: '2026-01-02T00:00:00.000Z', id: '00000000-0000-4000-8000-000000000002' });
});
