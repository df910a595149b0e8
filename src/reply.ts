import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';

/**
 * Response headers, lower-case names. `set-cookie` is the one header that is naturally a list.
 *
 * @example
 * const headers: ReplyHeaders = { 'content-type': 'text/plain', 'content-length': 2, 'set-cookie': ['a=1', 'b=2'] };
 */
export type ReplyHeaders = Record<string, string | number | readonly string[]>;

/**
 * A byte range of a file on disk, written by the transport adapter: HTTP/1.1 streams it with `pipeline()`,
 * HTTP/2 hands the file descriptor to `respondWithFD`. `end` is inclusive, as in a Content-Range. With `handle`,
 * the adapter sends that already-open file (the one whose identity the caller checked) and closes it; without,
 * it opens `path`.
 *
 * @example
 * return { status: 200, headers: { 'content-type': 'video/mp4', 'content-length': size }, body: { kind: 'file', path, start: 0, end: size - 1 } };
 */
export interface FileBody {
  readonly kind: 'file';
  readonly path: string;
  readonly start: number;
  readonly end: number;
  readonly handle?: FileHandle;
}

/**
 * A reply's body: text or bytes in memory, a stream, a range of a file on disk, or nothing.
 *
 * @example
 * return ctx.send(jpegBytes, 'image/jpeg'); // a Uint8Array body
 */
export type ReplyBody = string | Uint8Array | Readable | FileBody | null;

/**
 * What a handler returns: the whole response, written once by the transport adapter. Build one with the
 * Context helpers (`ctx.json(…)`, `ctx.text(…)`, …); `headers` may be shared between replies (the static cache
 * does), so never mutate a reply's headers after it was built.
 *
 * @example
 * app.get('/teapot', () => ({ status: 418, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: "I'm a teapot" }));
 */
export interface Reply {
  readonly status: number;
  readonly headers: ReplyHeaders;
  readonly body: ReplyBody;
}

export function isFileBody(body: ReplyBody): body is FileBody {
  return body !== null && typeof body === 'object' && (body as Partial<FileBody>).kind === 'file';
}

/** Statuses that never carry a body (RFC 9110 §15.2, §15.3.5, §15.4.5). */
export function statusHasNoBody(status: number): boolean {
  return status === 204 || status === 304 || (status >= 100 && status < 200);
}

/** A reply's own headers with the Context's extra ones (Set-Cookie, Vary, …) laid over them, as one object. */
export function mergeHeaders(own: ReplyHeaders, extra: Readonly<Record<string, string | string[]>> | undefined): ReplyHeaders {
  if (extra === undefined) return own;
  const merged: ReplyHeaders = { ...own };
  for (const name in extra) {
    const value = extra[name]!;
    const current = merged[name];
    merged[name] = name === 'set-cookie' && current !== undefined ? [...toList(current), ...toList(value)] : value;
  }
  return merged;
}

function toList(value: string | number | readonly string[]): string[] {
  return Array.isArray(value) ? [...(value as readonly string[])] : [String(value)];
}
