import type { BigIntStats } from 'node:fs';
import type { Reply, ReplyHeaders } from '../reply.js';
import type { Validators } from './conditional.js';
import type { Encoding } from './encoding.js';

/**
 * One encoding of one file, with every reply it can give prebuilt: serving it is returning an object, and its
 * headers object is shared by every response (so it is frozen — nobody may mutate it).
 */
export interface Representation extends Validators {
  readonly encoding: Encoding;
  readonly size: number;
  /** The bytes, when the file is small enough to live in memory. */
  readonly bytes: Buffer | undefined;
  /** The real path of the bytes on disk (the file, or its precompressed sibling). */
  readonly path: string;
  /** 200 with the whole body. */
  readonly ok: Reply;
  /** 304: the validators and caching headers of the 200, no body (RFC 9110 §15.4.5). */
  readonly notModified: Reply;
  readonly headers: ReplyHeaders;
}

export interface RepresentationSpec {
  readonly encoding: Encoding;
  /** Content-Type of the file (never of the coding). */
  readonly type: string;
  /** Size of these bytes (the compressed size for br/gzip). */
  readonly size: number;
  readonly bytes: Buffer | undefined;
  readonly path: string;
  /** The stat of the original file: its version decides the validators of every encoding. */
  readonly stat: BigIntStats;
  readonly cacheControl: string | undefined;
  /** Add `Vary: Accept-Encoding`: the file is compressible, so the answer depends on that header. */
  readonly vary: boolean;
  /** Headers every reply of the file carries (serveStatic's `headers` option), 304s included. */
  readonly extraHeaders?: Readonly<Record<string, string>> | undefined;
}

const SUFFIX: Record<Encoding, string> = { identity: '', br: '-br', gzip: '-gz' };

/**
 * Builds a representation and its prebuilt replies. The entity tag is strong and comes from the original file's
 * size and nanosecond mtime (like nginx's, but finer), with a suffix per coding: RFC 9110 §8.8.3 asks that
 * different encodings of one resource carry different strong tags.
 *
 * @example
 * const rep = buildRepresentation({ encoding: 'identity', type: 'text/css; charset=utf-8', size, bytes, path, stat, cacheControl: 'no-cache', vary: true });
 * return rep.ok;
 */
export function buildRepresentation(spec: RepresentationSpec): Representation {
  const { encoding, size, stat } = spec;
  const etag = `"${stat.size.toString(16)}-${stat.mtimeNs.toString(16)}${SUFFIX[encoding]}"`;
  const lastModified = Math.floor(Number(stat.mtimeMs) / 1000);
  const lastModifiedText = new Date(lastModified * 1000).toUTCString();

  const shared: ReplyHeaders = {};
  shared['etag'] = etag;
  shared['last-modified'] = lastModifiedText;
  if (spec.cacheControl !== undefined) shared['cache-control'] = spec.cacheControl;
  if (spec.vary) shared['vary'] = 'Accept-Encoding';
  if (spec.extraHeaders !== undefined) Object.assign(shared, spec.extraHeaders);

  const headers: ReplyHeaders = { 'content-type': spec.type, 'content-length': size, ...shared };
  if (encoding === 'identity') headers['accept-ranges'] = 'bytes';
  else headers['content-encoding'] = encoding;
  Object.freeze(headers);
  Object.freeze(shared);

  const body = spec.bytes ?? { kind: 'file' as const, path: spec.path, start: 0, end: size - 1 };
  return {
    encoding,
    size,
    bytes: spec.bytes,
    path: spec.path,
    etag,
    lastModified,
    headers,
    ok: Object.freeze({ status: 200, headers, body: size === 0 ? '' : body }),
    notModified: Object.freeze({ status: 304, headers: shared, body: null }),
  };
}

/** 206 for one byte range of an identity representation, `end` inclusive (RFC 9110 §14.4, §15.3.7). */
export function partialReply(rep: Representation, start: number, end: number): Reply {
  const headers: ReplyHeaders = { ...rep.headers, 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${rep.size}` };
  const body = rep.bytes !== undefined ? rep.bytes.subarray(start, end + 1) : { kind: 'file' as const, path: rep.path, start, end };
  return { status: 206, headers, body };
}

/** 416 for a Range no byte of the representation satisfies (RFC 9110 §15.5.17). */
export function unsatisfiableReply(rep: Representation): Reply {
  return { status: 416, headers: { 'content-range': `bytes */${rep.size}`, 'content-length': 0 }, body: null };
}

/** 412 when If-Match or If-Unmodified-Since fails (RFC 9110 §13.1.1, §13.1.4). */
export function preconditionFailedReply(rep: Representation): Reply {
  return { status: 412, headers: { etag: rep.etag, 'content-length': 0 }, body: null };
}
