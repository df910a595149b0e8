import type { Readable } from 'node:stream';
import { HttpError } from '../errors.js';

/**
 * The default limit of a request body: 1 MiB. A route or the app sets its own with `bodyLimit`.
 *
 * @example
 * const app = createApp({ bodyLimit: DEFAULT_BODY_LIMIT / 4 }); // 256 KiB for every route
 */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/**
 * Reads a whole request body into one Buffer, never more than `limit` bytes. The limit is checked first against
 * Content-Length (so an honest oversized upload is refused before a byte is read) and then on the bytes as they
 * stream in (so a lying or chunked one is cut as soon as it passes the limit). An oversized body answers 413 with
 * `Connection: close` (over HTTP/1.1 the rest is read and dropped for a short while, so the client sees the 413).
 * `beforeReading` runs once the announced length fits, just before the first byte is read: where a request
 * with `Expect: 100-continue` is told to send its body, so an oversized one is refused before it is sent.
 *
 * @example
 * const bytes = await readBody(req, { limit: 64 * 1024, contentLength: req.headers['content-length'] });
 */
export function readBody(
  stream: Readable,
  { limit, contentLength, beforeReading }: { limit: number; contentLength: string | undefined; beforeReading?: () => void },
): Promise<Buffer> {
  if (contentLength !== undefined) {
    // RFC 9110 §8.6: Content-Length is 1*DIGIT; Node has already refused duplicates that disagree.
    if (!/^\d{1,15}$/.test(contentLength)) {
      return Promise.reject(new HttpError(400, 'BAD_CONTENT_LENGTH', 'invalid Content-Length'));
    }
    if (Number(contentLength) > limit) return Promise.reject(tooLarge(limit));
    if (contentLength === '0') return Promise.resolve(Buffer.alloc(0));
  }
  if (stream.readableEnded) return Promise.resolve(Buffer.alloc(0));
  // `Expect: 100-continue` (RFC 9110 §10.1.1): the client waits for this before it sends the body.
  beforeReading?.();

  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('aborted', onAborted);
      stream.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        cleanup();
        stream.pause();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new HttpError(400, 'BODY_READ_FAILED', 'the request body could not be read', { cause: err }));
    };
    const onAborted = () => {
      cleanup();
      reject(new HttpError(400, 'BODY_ABORTED', 'the request body ended early'));
    };
    const onClose = () => {
      if (!stream.readableEnded) onAborted();
    };
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
    stream.once('aborted', onAborted);
    stream.once('close', onClose);
  });
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'BODY_TOO_LARGE', `request body is over ${formatBytes(limit)}`, {
    headers: { connection: 'close' },
  });
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}
