import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { internalErrorReply, type App } from '../app.js';
import type { Context } from '../context.js';
import { isFileBody, mergeHeaders, statusHasNoBody, type FileBody, type Reply, type ReplyBody, type ReplyHeaders } from '../reply.js';

/**
 * What a transport does with a reply once `respond()` has decided how it is sent: plain I/O, no decisions. Each
 * method sends the head first and throws — having sent nothing — when the transport refuses it (an illegal header
 * name or value, a bad status, a file range it cannot open); `respond()` then sends the generic 500 instead.
 */
export interface ResponsePort<Target> {
  /** The client went away before the reply could be sent. */
  gone(target: Target): boolean;
  /** The head, and the whole body when there is one (a bodiless reply passes none). */
  send(target: Target, status: number, headers: ReplyHeaders, body?: string | Uint8Array): void;
  /** The head, then the stream's bytes; settles when the body is written or the client went away. */
  stream(target: Target, status: number, headers: ReplyHeaders, body: Readable): Promise<void>;
  /** The head, then a byte range of the open file `file.handle`, which the port closes when done. */
  file(target: Target, status: number, headers: ReplyHeaders, file: FileBody): Promise<void>;
}

/**
 * Writes one reply through a transport: the single place that decides what HTTP/1.1, HTTP/2 and `inject()` send.
 * The Context's extra headers are laid over the reply's own (Set-Cookie adds up); HEAD, 204, 304 and null bodies
 * send no body (a stream body is destroyed, a file handle closed); a file is checked and opened before the head; a reply
 * the transport refuses becomes the logged, generic 500; a client that already left gets nothing (status 499).
 * Synchronous for bodies in memory, so the common reply costs no promise; a streamed body returns the promise of
 * its end. The request then goes to `app.finish()`.
 *
 * A port is made once per listener and the per-request `target` (a ServerResponse, an HTTP/2 stream) passed to
 * it, so writing a reply allocates no closures.
 */
export function respond<Target>(app: App, ctx: Context, reply: Reply, port: ResponsePort<Target>, target: Target): Promise<void> | undefined {
  const { status, body } = reply;
  if (port.gone(target)) {
    discard(body);
    app.finish(ctx, 499, 0);
    return undefined;
  }
  const headers = mergeHeaders(reply.headers, ctx.responseHeaders);
  try {
    if (body === null || ctx.method === 'HEAD' || statusHasNoBody(status)) {
      discard(body);
      port.send(target, status, headers);
      app.finish(ctx, status, 0);
    } else if (typeof body === 'string' || body instanceof Uint8Array) {
      port.send(target, status, headers, body);
      app.finish(ctx, status, typeof body === 'string' ? lengthOf(headers) ?? Buffer.byteLength(body) : body.byteLength);
    } else if (!isFileBody(body)) {
      return finishWith(app, ctx, status, headers, port.stream(target, status, headers, body));
    } else if (checkedRange(body).handle !== undefined) {
      return finishWith(app, ctx, status, headers, port.file(target, status, headers, body));
    } else {
      // Opened here, before the head, so a file that vanished or cannot be read still gets a proper 500.
      return open(body.path).then(
        (handle) => sendOpened(app, ctx, { status, headers, body: { ...body, handle } }, port, target),
        (err: unknown) => refuse(app, ctx, port, target, body, err),
      );
    }
  } catch (err) {
    refuse(app, ctx, port, target, body, err);
  }
  return undefined;
}

function sendOpened<Target>(app: App, ctx: Context, reply: Reply & { body: FileBody }, port: ResponsePort<Target>, target: Target): Promise<void> | undefined {
  if (port.gone(target)) {
    discard(reply.body);
    app.finish(ctx, 499, 0);
    return undefined;
  }
  try {
    return finishWith(app, ctx, reply.status, reply.headers, port.file(target, reply.status, reply.headers, reply.body));
  } catch (err) {
    refuse(app, ctx, port, target, reply.body, err);
    return undefined;
  }
}

function finishWith(app: App, ctx: Context, status: number, headers: ReplyHeaders, sending: Promise<void>): Promise<void> {
  const length = lengthOf(headers);
  return sending.then(
    () => app.finish(ctx, status, length),
    (err: unknown) => app.finish(ctx, status, length, err),
  );
}

/** The transport refused the reply before its head went out: the logged, generic 500 instead. */
function refuse<Target>(app: App, ctx: Context, port: ResponsePort<Target>, target: Target, body: ReplyBody, err: unknown): void {
  ctx.log.error({ err }, 'reply was rejected');
  discard(body);
  const failed = internalErrorReply(ctx);
  try {
    port.send(target, failed.status, failed.headers, failed.body as string);
  } catch (sendErr) {
    // The connection ended meanwhile: there is no one left to answer.
    app.finish(ctx, 499, 0, sendErr);
    return;
  }
  app.finish(ctx, failed.status, lengthOf(failed.headers));
}

/** A file range no transport can open (end before start, negative, not an integer) is the handler's bug. */
function checkedRange(file: FileBody): FileBody {
  if (!Number.isSafeInteger(file.start) || !Number.isSafeInteger(file.end) || file.start < 0 || file.end < file.start) {
    throw new RangeError(`invalid file range ${file.start}-${file.end}`);
  }
  return file;
}

function lengthOf(headers: ReplyHeaders): number | undefined {
  const value = headers['content-length'];
  return value === undefined ? undefined : Number(value);
}

/** Releases what a reply holds that will never be sent: a stream is destroyed, a file handle closed. */
export function discard(body: ReplyBody): void {
  if (body instanceof Readable) body.destroy();
  else if (isFileBody(body)) body.handle?.close().catch(() => {});
}
