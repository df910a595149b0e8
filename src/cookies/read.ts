import { parse } from 'cookie';

/**
 * Parses a Cookie header into a map, once. Malformed pairs are skipped and a bad percent-encoding keeps the raw
 * value instead of throwing; of duplicate names the first wins (RFC 6265 §5.4 orders the more specific cookie first).
 *
 * @example
 * parseCookieHeader('a=1; b=%20x') // { a: '1', b: ' x' }
 */
export function parseCookieHeader(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = Object.create(null);
  if (!header) return cookies;
  const parsed = parse(header, { decode: safeDecode });
  for (const name in parsed) {
    const value = parsed[name];
    if (value !== undefined) cookies[name] = value;
  }
  return cookies;
}

function safeDecode(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
