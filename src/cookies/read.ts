import { createRequire } from 'node:module';

// cookie is CommonJS: required, not imported, since importing it would make Node parse its source for export names
// (a few ms of every start-up, measured by `npm run bench -- footprint`).
const { parse } = createRequire(import.meta.url)('cookie') as typeof import('cookie');

/**
 * Parses a Cookie header into a map, once. Malformed pairs (no `=`, empty name) are skipped, a value in double
 * quotes loses its quotes (RFC 6265 §4.1.1 allows `cookie-value = DQUOTE *cookie-octet DQUOTE`), and a bad
 * percent-encoding keeps the raw value instead of throwing. Of duplicate names the first wins (RFC 6265 §5.4 orders
 * the cookie with the longer path first, so the first is the more specific one).
 *
 * @example
 * parseCookieHeader('a=1; b=%20x; c="q"') // { a: '1', b: ' x', c: 'q' }
 */
export function parseCookieHeader(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = Object.create(null);
  if (!header) return cookies;
  const parsed = parse(header, { decode: safeDecode });
  for (const name in parsed) {
    const value = parsed[name];
    if (name !== '' && value !== undefined) cookies[name] = value;
  }
  return cookies;
}

function safeDecode(raw: string): string {
  const value = raw.length >= 2 && raw.charCodeAt(0) === 0x22 && raw.charCodeAt(raw.length - 1) === 0x22 ? raw.slice(1, -1) : raw;
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
