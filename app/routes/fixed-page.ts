import { createHash } from 'node:crypto';
import type { Context, Reply, ReplyHeaders } from '../../src/index.js';

/**
 * A page whose bytes are known at start-up, answered like a static file: the reply and its strong ETag are built
 * once, and a request whose If-None-Match names that ETag gets a bodiless 304 (RFC 9110 §13.1.2). `headers` go on
 * both (Cache-Control, Vary and Content-Language must be on a 304 too, §15.4.5).
 *
 * @example
 * const about = fixedPage(renderAbout(view), { 'cache-control': 'no-cache' });
 * app.get('/about', about);
 */
export function fixedPage(html: string, headers: ReplyHeaders): (ctx: Context) => Reply {
  const etag = `"${createHash('sha256').update(html).digest('base64url').slice(0, 27)}"`;
  const page: Reply = {
    status: 200,
    headers: { ...headers, etag, 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) },
    body: html,
  };
  const notModified: Reply = { status: 304, headers: { ...headers, etag }, body: null };
  return (ctx) => (matches(ctx.headers['if-none-match'], etag) ? notModified : page);
}

// If-None-Match uses the weak comparison: W/"x" matches "x"; "*" matches any current representation (§13.1.2).
function matches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  for (const tag of header.split(',', 50)) {
    const t = tag.trim();
    if (t === '*' || t === etag || t === `W/${etag}`) return true;
  }
  return false;
}
