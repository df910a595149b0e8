/** What a Range header asks of a representation of `size` bytes. */
export type RangeResult =
  /** No usable Range: serve the whole representation with 200 (absent, another unit, bad syntax, or not worth it). */
  | { readonly kind: 'whole' }
  /** One byte range, `end` inclusive: 206 with Content-Range. */
  | { readonly kind: 'range'; readonly start: number; readonly end: number }
  /** Every range lies past the end: 416 with `Content-Range: bytes *\/size`. */
  | { readonly kind: 'unsatisfiable' };

const WHOLE: RangeResult = Object.freeze({ kind: 'whole' });
const UNSATISFIABLE: RangeResult = Object.freeze({ kind: 'unsatisfiable' });

/** More ranges than this in one header are not parsed at all: the request gets the whole file (RFC 9110 §14.2 lets a server ignore Range). */
const MAX_RANGES = 16;
const RANGE_SPEC = /^(\d*)-(\d*)$/;

/**
 * Parses a Range header (RFC 9110 §14.1.2) against a representation of `size` bytes. Only a single range is ever
 * served: several ranges are coalesced when they overlap or touch, and when they stay disjoint the answer is the
 * whole representation with 200 — so a client can never make the server send more bytes than the file holds
 * (§14.2 warns of overlapping-range amplification), and no multipart/byteranges body is built.
 *
 * @example
 * parseRange('bytes=0-99', 1000);   // { kind: 'range', start: 0, end: 99 }
 * parseRange('bytes=-100', 1000);   // { kind: 'range', start: 900, end: 999 }
 * parseRange('bytes=2000-', 1000);  // { kind: 'unsatisfiable' }
 */
export function parseRange(header: string | undefined, size: number): RangeResult {
  if (header === undefined || size === 0) return WHOLE;
  const eq = header.indexOf('=');
  // §14.1: range units are case-insensitive; a unit we do not know means "ignore the header".
  if (eq === -1 || header.slice(0, eq).trim().toLowerCase() !== 'bytes') return WHOLE;
  const specs = header.slice(eq + 1).split(',');
  if (specs.length > MAX_RANGES) return WHOLE;

  const ranges: { start: number; end: number }[] = [];
  for (const raw of specs) {
    const spec = raw.trim();
    if (spec === '') continue; // §5.6.1: empty list elements are allowed and ignored
    const m = RANGE_SPEC.exec(spec);
    if (m === null) return WHOLE; // §14.2: an invalid Range is ignored, not an error
    const [, first = '', last = ''] = m;
    if (first === '' && last === '') return WHOLE;
    if (first === '') {
      // suffix-range: the last N bytes; a zero length selects nothing
      const length = Number(last);
      if (length === 0) continue;
      ranges.push({ start: Math.max(0, size - length), end: size - 1 });
      continue;
    }
    const start = Number(first);
    const end = last === '' ? Infinity : Number(last);
    if (end < start) return WHOLE; // §14.1.1: last-pos < first-pos makes the whole header invalid
    if (start >= size) continue; // unsatisfiable on its own; others may still be satisfiable
    ranges.push({ start, end: Math.min(end, size - 1) });
  }
  if (ranges.length === 0) return specs.some((s) => s.trim() !== '') ? UNSATISFIABLE : WHOLE;
  return coalesce(ranges);
}

function coalesce(ranges: { start: number; end: number }[]): RangeResult {
  ranges.sort((a, b) => a.start - b.start);
  let { start, end } = ranges[0]!;
  for (let i = 1; i < ranges.length; i++) {
    const next = ranges[i]!;
    if (next.start > end + 1) return WHOLE; // disjoint ranges: the whole file, never a multipart body
    end = Math.max(end, next.end);
  }
  return { kind: 'range', start, end };
}
