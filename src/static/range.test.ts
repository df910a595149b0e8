import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRange, type RangeResult } from './range.js';

const whole: RangeResult = { kind: 'whole' };
const unsatisfiable: RangeResult = { kind: 'unsatisfiable' };
const range = (start: number, end: number): RangeResult => ({ kind: 'range', start, end });

const cases: [claim: string, header: string | undefined, size: number, expected: RangeResult][] = [
  ['serves the whole file when there is no Range header', undefined, 1000, whole],
  ['serves a closed range', 'bytes=0-99', 1000, range(0, 99)],
  ['serves an open range to the end', 'bytes=900-', 1000, range(900, 999)],
  ['serves a suffix range', 'bytes=-100', 1000, range(900, 999)],
  ['clamps a suffix longer than the file to the whole file', 'bytes=-5000', 1000, range(0, 999)],
  ['clamps a last position past the end', 'bytes=500-5000', 1000, range(500, 999)],
  ['reads the unit case-insensitively', 'Bytes=0-0', 1000, range(0, 0)],
  ['allows spaces around range specs', 'bytes= 0-9 , 10-19 ', 1000, range(0, 19)],
  ['responds 416 when the range starts past the end', 'bytes=1000-', 1000, unsatisfiable],
  ['responds 416 when every range starts past the end', 'bytes=2000-2100, 3000-', 1000, unsatisfiable],
  ['responds 416 for a zero-length suffix', 'bytes=-0', 1000, unsatisfiable],
  ['ignores the unsatisfiable ones among satisfiable ranges', 'bytes=5000-, 0-9', 1000, range(0, 9)],
  ['ignores another unit', 'items=0-9', 1000, whole],
  ['ignores a header without "="', 'bytes 0-9', 1000, whole],
  ['ignores a range whose last position is before its first', 'bytes=9-0', 1000, whole],
  ['ignores a bare "-"', 'bytes=-', 1000, whole],
  ['ignores a non-numeric range', 'bytes=a-b', 1000, whole],
  ['ignores a negative first position', 'bytes=--5', 1000, whole],
  ['ignores an empty list', 'bytes=', 1000, whole],
  ['coalesces overlapping ranges into one', 'bytes=0-499, 200-799', 1000, range(0, 799)],
  ['coalesces adjacent ranges into one', 'bytes=0-9, 10-19', 1000, range(0, 19)],
  ['coalesces ranges given out of order', 'bytes=500-599, 0-99, 50-520', 1000, range(0, 599)],
  ['coalesces many copies of the whole file into one (no amplification)', `bytes=${Array(16).fill('0-').join(',')}`, 1000, range(0, 999)],
  ['serves the whole file for disjoint ranges (no multipart)', 'bytes=0-9, 100-109', 1000, whole],
  ['serves the whole file when there are more than 16 ranges', `bytes=${Array(17).fill('0-0').join(',')}`, 1000, whole],
  ['serves an empty file whole whatever the range', 'bytes=0-', 0, whole],
  ['treats a huge first position as past the end', 'bytes=99999999999999999999-', 1000, unsatisfiable],
  ['clamps a huge last position', 'bytes=1-99999999999999999999', 1000, range(1, 999)],
];

for (const [claim, header, size, expected] of cases) {
  test(claim, () => assert.deepEqual(parseRange(header, size), expected));
}
