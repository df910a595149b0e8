import { isUtf8 } from 'node:buffer';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { HttpError } from '../errors.js';
import { parseForm } from './form.js';
import { parseJson } from './json.js';
import { charsetOf, isJsonType, mediaType } from './media-type.js';
import { readBody } from './read.js';

/**
 * The request body of a Context: read at most once, then parsed on demand.
 *
 * @example
 * const { name } = await ctx.body.json<{ name?: unknown }>();
 * const fields = await ctx.body.form(); // for a urlencoded form instead
 */
export interface BodyReader {
  /** Raw bytes, at most the route's body limit. */
  buffer(): Promise<Buffer>;
  /** UTF-8 text; 400 when the bytes are not UTF-8 (never replaced with U+FFFD). */
  text(): Promise<string>;
  /** JSON data; 415 unless the Content-Type is JSON, 400 when the text is not JSON. */
  json<T = unknown>(): Promise<T>;
  /** A urlencoded form; 415 unless the Content-Type is `application/x-www-form-urlencoded`. */
  form(): Promise<Record<string, string>>;
}

export function createBodyReader(stream: Readable, headers: IncomingHttpHeaders, limit: () => number, expectContinue?: () => void): BodyReader {
  let bytes: Promise<Buffer> | undefined;
  const buffer = () =>
    (bytes ??= readBody(stream, { limit: limit(), contentLength: headers['content-length'], ...(expectContinue === undefined ? {} : { beforeReading: expectContinue }) }));
  const text = async () => {
    const charset = charsetOf(headers['content-type']);
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8' && charset !== 'us-ascii') {
      throw new HttpError(415, 'UNSUPPORTED_CHARSET', `charset ${charset} is not supported; send UTF-8`);
    }
    const bytes = await buffer();
    // RFC 3629 §3, RFC 8259 §8.1: bytes that are not UTF-8 are refused, not decoded to U+FFFD, which would make
    // different input the same text (two names, two passwords) and store what the client never meant to send.
    if (!isUtf8(bytes)) throw new HttpError(400, 'INVALID_UTF8', 'request body is not valid UTF-8');
    return bytes.toString('utf8');
  };
  return {
    buffer,
    text,
    async json<T>() {
      const type = mediaType(headers['content-type']);
      if (!isJsonType(type)) {
        throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'expected Content-Type: application/json');
      }
      return parseJson(await text()) as T;
    },
    async form() {
      if (mediaType(headers['content-type']) !== 'application/x-www-form-urlencoded') {
        throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'expected Content-Type: application/x-www-form-urlencoded');
      }
      return parseForm(await text());
    },
  };
}
