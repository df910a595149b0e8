import { validateHeaderName, validateHeaderValue, type IncomingHttpHeaders } from 'node:http';
import { constants, createServer, type Http2Server, type Http2Session, type OutgoingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { pipeline } from 'node:stream/promises';
import type { App } from '../app.js';
import type { ReplyHeaders } from '../reply.js';
import { resetBudget } from './reset-budget.js';
import { respond, type ResponsePort } from './respond.js';

/**
 * HTTP/2 limits, chosen on purpose (see SECURITY.md); `listen()` resolves and validates them.
 *
 * @example
 * await listen(app, { tls: { certFile, keyFile, http2: true }, http2Limits: { maxConcurrentStreams: 64, idleTimeout: 30_000 } });
 */
export interface H2Limits {
  /** Streams one connection may have open at once (nginx: 128; Node: unlimited). */
  readonly maxConcurrentStreams: number;
  /** Largest decoded header list a client may send, bytes (HTTP/1.1's head limit is 16 KiB too). */
  readonly maxHeaderListSize: number;
  /** Memory one connection may hold for its streams, MB (Node's default, 10). */
  readonly maxSessionMemory: number;
  /** A connection with no open stream is closed after this long, ms. */
  readonly idleTimeout: number;
  /**
   * A request body, or a streamed or file reply, with no progress for this long is cancelled, ms (a client that
   * stops sending or reading). An in-memory reply has no timer: the idle timeout ends its connection.
   */
  readonly streamTimeout: number;
  /** After a complete reply, an unread request body is read and dropped for at most this long before the stream is reset, ms. */
  readonly lingerTimeout: number;
}

// RFC 9113 §8.2.2: connection-specific header fields must not be sent over HTTP/2; Node refuses them outright.
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);
const { HTTP2_HEADER_STATUS, NGHTTP2_CANCEL, NGHTTP2_ENHANCE_YOUR_CALM, NGHTTP2_NO_ERROR } = constants;

/**
 * Stream resets one connection may make (see reset-budget.ts): a burst of 200, given back at 33 a second. nghttp2
 * has a budget of its own (1000, 33/s), but when it runs out it only stops reading and leaves the socket open
 * until the idle timeout; this one is smaller, so it runs out first and the connection is closed at once.
 */
const RESETS = { burst: 200, perSecond: 33 } as const;

/**
 * The HTTP/2 adapter on Node's native stream API (never the compat layer, which builds request/response objects
 * per stream): turns a stream into the same Context as HTTP/1.1 — pseudo-headers become the method, target and
 * `:authority`, never `ctx.headers` — and hands its Reply to `respond()`. Returns the `http2.Http2Server` (not
 * listening itself) that a TLS listener passes its `h2` connections to, and the set of its live sessions.
 */
export function createH2Server(app: App, limits: H2Limits, hsts?: string): { server: Http2Server; sessions: Set<Http2Session> } {
  const server = createServer({
    settings: { maxConcurrentStreams: limits.maxConcurrentStreams, maxHeaderListSize: limits.maxHeaderListSize, enablePush: false },
    maxSessionMemory: limits.maxSessionMemory,
    maxHeaderListPairs: 128,
  });
  const sessions = new Set<Http2Session>();
  const port = h2Port(limits, hsts);
  server.setTimeout(limits.idleTimeout);
  // Node emits the idle session itself; GOAWAY lets a client that just started a stream finish it. A stream that
  // cannot finish (a reply the client never reads, which has no timer of its own) gets streamTimeout more.
  (server as NodeJS.EventEmitter).on('timeout', (session: Http2Session) => {
    session.close();
    const deadline = setTimeout(() => session.destroy(), limits.streamTimeout);
    deadline.unref();
    session.once('close', () => clearTimeout(deadline));
  });
  server.on('session', (session: Http2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    // A protocol error of one client (a bad frame, a flood nghttp2 refuses) ends that session only.
    session.on('error', () => session.destroy());
    // Read once: session.socket is a Proxy, and the address never changes.
    const remoteAddress = session.socket?.remoteAddress;
    const resets = resetBudget(RESETS);
    // Per session, so a stream's close is counted without a closure per stream.
    function onStreamClose(this: ServerHttp2Stream): void {
      if (this.rstCode === NGHTTP2_NO_ERROR || resets.spend() || session.destroyed) return;
      app.log.warn({ remoteAddress }, 'HTTP/2 client reset too many streams (rapid reset): connection closed');
      session.destroy(new Error('too many stream resets'), NGHTTP2_ENHANCE_YOUR_CALM);
    }
    session.on('stream', (stream: ServerHttp2Stream, raw: IncomingHttpHeaders) => {
      stream.on('close', onStreamClose);
      onStream(stream, raw, session, remoteAddress);
    });
  });

  function onStream(stream: ServerHttp2Stream, raw: IncomingHttpHeaders, session: Http2Session, remoteAddress: string | undefined): void {
    stream.on('error', ignore); // a reset by the client; pipeline and respond() see it through the stream's state
    // Node applies SETTINGS_MAX_HEADER_LIST_SIZE only once the client has acknowledged it; until then (the first
    // requests of every connection) the limit is checked here, and refused the same way (RFC 9113 §6.5.2).
    if (session.pendingSettingsAck && headerListSize(raw) > limits.maxHeaderListSize) {
      stream.close(NGHTTP2_ENHANCE_YOUR_CALM);
      return;
    }
    // A request body that trickles in is cut after streamTimeout of silence; a request without one (every GET)
    // needs no timer until its reply turns out to be long (a stream or a file, see h2Port).
    if (!stream.endAfterHeaders) stream.setTimeout(limits.streamTimeout, cancelStream);
    const method = (raw[':method'] as string | undefined) ?? 'GET';
    const target = (raw[':path'] as string | undefined) ?? '';
    const authority = raw[':authority'] as string | undefined;
    // The pseudo-headers never reach ctx.headers. Node hands this object to the 'stream' listeners and makes no
    // use of it after, so they are deleted in place rather than the rest copied into a new object per request: it
    // is a null-prototype object, in dictionary mode already, where a delete is cheap. RFC 9113 §8.3 defines no
    // other request pseudo-header, and nghttp2 refuses a request with an unknown one (:protocol only with
    // SETTINGS_ENABLE_CONNECT_PROTOCOL, which is off).
    delete raw[':method'];
    delete raw[':path'];
    delete raw[':scheme'];
    delete raw[':authority'];
    // RFC 9113 §8.1 keeps 100-continue: an interim HEADERS frame invites the body once its length is allowed.
    const expectContinue = raw.expect === '100-continue' ? () => stream.additionalHeaders({ [HTTP2_HEADER_STATUS]: 100 }) : undefined;
    const ctx = app.context({ method, target, headers: raw, body: stream, remoteAddress, secure: true, httpVersion: '2.0', authority, expectContinue });
    const reply = app.handle(ctx);
    if (reply instanceof Promise) reply.then((r) => respond(app, ctx, r, port, stream));
    else respond(app, ctx, reply, port, stream);
  }

  return { server, sessions };
}

/** RFC 9113 §6.5.2: the size of a header list is the sum of each field's name and value octets, plus 32 each. */
function headerListSize(raw: IncomingHttpHeaders): number {
  let size = 0;
  for (const name in raw) {
    const value = raw[name];
    if (Array.isArray(value)) for (const item of value) size += name.length + Buffer.byteLength(item) + 32;
    else if (value !== undefined) size += name.length + Buffer.byteLength(value) + 32;
  }
  return size;
}

function ignore(): void {}

const END_STREAM = { endStream: true } as const;

/** A stream silent for streamTimeout either way: a client that stopped sending its body, or reading the reply. */
function cancelStream(this: ServerHttp2Stream): void {
  this.close(NGHTTP2_CANCEL);
}

/**
 * An in-memory reply is handed to nghttp2 whole: a client that never reads it holds at most maxConcurrentStreams
 * of them per connection until the connection idles out, so it needs no timer of its own. A streamed or file
 * reply can hold a source (a file descriptor) for long: it is cancelled after streamTimeout without progress.
 */
function h2Port({ lingerTimeout, streamTimeout }: H2Limits, hsts: string | undefined): ResponsePort<ServerHttp2Stream> {
  const watch = (stream: ServerHttp2Stream) => {
    if (stream.endAfterHeaders) stream.setTimeout(streamTimeout, cancelStream);
  };
  const h2Headers = (status: number, headers: ReplyHeaders, validate = false): OutgoingHttpHeaders => {
    const out = toH2Headers(status, headers, validate);
    if (hsts !== undefined && out['strict-transport-security'] === undefined) out['strict-transport-security'] = hsts;
    return out;
  };
  const respondWith = (stream: ServerHttp2Stream, status: number, headers: ReplyHeaders, options: typeof END_STREAM | undefined) => {
    // stream.respond() copies the head it is given and makes :status 200 when there is none: a 200 without HSTS
    // goes as it is, without a copy of ours first. Node refuses connection-specific fields before it sends
    // anything, so the rare head that has one (a 413's Connection: close) is sent again without them.
    if (status === 200 && hsts === undefined) {
      try {
        stream.respond(headers as OutgoingHttpHeaders, options);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ERR_HTTP2_INVALID_CONNECTION_HEADERS') throw err;
      }
    }
    stream.respond(h2Headers(status, headers), options);
  };
  return {
    gone: (stream) => stream.destroyed || stream.closed,
    send(stream, status, headers, body) {
      respondWith(stream, status, headers, body === undefined ? END_STREAM : undefined);
      if (body !== undefined) stream.end(body);
      dropUnreadBody(stream, lingerTimeout);
    },
    async stream(stream, status, headers, body) {
      respondWith(stream, status, headers, undefined);
      watch(stream);
      try {
        await pipeline(body, stream);
      } finally {
        dropUnreadBody(stream, lingerTimeout);
      }
    },
    file(stream, status, headers, file) {
      const handle = file.handle!;
      const closed = new Promise<void>((resolve, reject) => {
        stream.once('close', () => {
          handle.close().catch(() => {});
          if (stream.rstCode === NGHTTP2_NO_ERROR || stream.writableFinished) resolve();
          else reject(new Error(`stream reset with code ${stream.rstCode}`));
        });
      });
      // respondWithFD checks the head only after it has committed to it (a bad header destroys the stream), so
      // the head is checked here first, while the generic 500 can still be sent instead.
      const checked = h2Headers(status, headers, true);
      stream.respondWithFD(handle, checked, { offset: file.start, length: file.end - file.start + 1 });
      watch(stream);
      dropUnreadBody(stream, lingerTimeout);
      return closed;
    },
  };
}

/** The reply's head for `stream.respond()`: `:status` first, connection-specific fields left out. */
function toH2Headers(status: number, headers: ReplyHeaders, validate: boolean): OutgoingHttpHeaders {
  if (!Number.isInteger(status) || status < 100 || status > 999) throw new RangeError(`invalid status code ${status}`);
  const out: OutgoingHttpHeaders = { [HTTP2_HEADER_STATUS]: status };
  for (const name in headers) {
    if (CONNECTION_SPECIFIC.has(name)) continue;
    const value = headers[name]!;
    if (validate) {
      validateHeaderName(name);
      for (const item of Array.isArray(value) ? (value as readonly string[]) : [value]) validateHeaderValue(name, item as string);
    }
    out[name] = value as string | number | string[];
  }
  return out;
}

/**
 * RFC 9113 §8.1: a server may answer before the request body is complete (a 413, a 401). The rest of the body is
 * then read and dropped for a short while, so the client sees the whole reply rather than a reset in mid-upload;
 * after that the stream is reset with NO_ERROR, which asks the client to stop sending.
 */
function dropUnreadBody(stream: ServerHttp2Stream, lingerTimeout: number): void {
  // endAfterHeaders: the request had no body at all (END_STREAM on its HEADERS, as every GET), so there is nothing
  // to drop — and its 'end' is never emitted unless someone reads, so readableEnded alone would say false.
  if (stream.endAfterHeaders || stream.readableEnded || stream.destroyed) return;
  stream.resume();
  const timer = setTimeout(() => stream.close(NGHTTP2_NO_ERROR), lingerTimeout);
  timer.unref();
  stream.once('close', () => clearTimeout(timer));
}
