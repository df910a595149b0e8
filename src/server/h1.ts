import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { Server as NetServer } from 'node:net';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import type { App } from '../app.js';
import type { FileBody, ReplyHeaders } from '../reply.js';
import { rateLimited, type LogBudget } from '../log-budget.js';
import { answerClientErrors } from './client-errors.js';
import { hostProblem } from './host.js';
import { lingerOnClose } from './linger.js';
import { bind, urlOf, type Listener } from './listener.js';
import { respond, type ResponsePort } from './respond.js';

export interface H1Options {
  /** True for a TLS listener: `ctx.secure` is then true (and cookies get Secure). */
  readonly secure?: boolean;
  /** Asked before each response: true while the listener drains, so keep-alive clients are told to go. */
  readonly draining?: () => boolean;
  /** A `Strict-Transport-Security` value for every reply (TLS listeners with a real certificate). */
  readonly hsts?: string;
  /** A reply body that makes no progress for this long (a client that stopped reading) ends the connection, ms. */
  readonly writeTimeout?: number;
}

/**
 * The HTTP/1.1 adapter: turns a `node:http` request into a Context, runs the app and hands the one Reply to
 * `respond()`, which decides what is sent; this file only does the I/O on the ServerResponse.
 */
export function createH1Handler(app: App, { secure = false, draining = () => false, hsts, writeTimeout = 30_000 }: H1Options = {}) {
  const port = h1Port(draining, hsts, writeTimeout);
  /** `expectsContinue`: Node left `Expect: 100-continue` to us ('checkContinue'); the body reader invites the body. */
  return function onRequest(req: IncomingMessage, res: ServerResponse, expectsContinue = false): void {
    const ctx = app.context({
      method: req.method ?? 'GET',
      target: req.url ?? '/',
      headers: req.headers,
      body: req,
      remoteAddress: req.socket.remoteAddress,
      secure,
      httpVersion: req.httpVersion,
      ...(expectsContinue ? { expectContinue: () => res.writeContinue() } : {}),
    });
    const reply = app.handle(ctx);
    if (reply instanceof Promise) reply.then((r) => respond(app, ctx, r, port, res));
    else respond(app, ctx, reply, port, res);
  };
}

/** Node's HTTP/1.1 timeouts, as `listen()` resolved them. */
export interface H1Timeouts {
  readonly headersTimeout: number;
  readonly requestTimeout: number;
  readonly keepAliveTimeout: number;
  readonly writeTimeout: number;
}

/** The `node:http` server options for these timeouts, shared by the HTTP and the HTTPS listeners. */
export function h1ServerOptions({ headersTimeout, requestTimeout, keepAliveTimeout }: Omit<H1Timeouts, 'writeTimeout'>) {
  return {
    headersTimeout,
    requestTimeout,
    keepAliveTimeout,
    // How often Node checks the two timeouts above; its default (30 s) would let a slow client overstay.
    connectionsCheckingInterval: Math.min(1_000, headersTimeout),
  };
}

/** A plain HTTP/1.1 listener of the app. */
export function listenH1(app: App, port: number, host: string, timeouts: H1Timeouts): Promise<Listener> {
  return listenPlain('http', port, host, timeouts, (server, draining) =>
    handleH1(server, app, createH1Handler(app, { draining, writeTimeout: timeouts.writeTimeout })),
  );
}

/**
 * A plain (not TLS) `node:http` listener: made with the timeouts, wired by `wire` (which is told whether the
 * listener drains), bound, and drained the HTTP/1.1 way. The app's listener and the HTTPS redirect share it.
 */
export async function listenPlain(
  protocol: 'http' | 'redirect',
  port: number,
  host: string,
  timeouts: H1Timeouts,
  wire: (server: Server, draining: () => boolean) => void,
): Promise<Listener> {
  let draining = false;
  const server = createServer(h1ServerOptions(timeouts));
  wire(server, () => draining);
  await bind(server, port, host);
  return {
    protocol,
    ...urlOf(server, 'http'),
    drain() {
      draining = true;
      return drainH1(server);
    },
    destroy: () => server.closeAllConnections(),
  };
}

/**
 * Wires an HTTP/1.1 (or HTTPS) server to the adapter: requests, `Expect: 100-continue` requests (answered by the
 * body reader once the route's limit allows the body, instead of by Node before the limit is known), and the
 * requests Node refuses itself (logged, rate-limited) — to which it adds those with two Host lines or an invalid
 * Host (RFC 9112 §3.2), which Node lets through.
 */
export function handleH1(server: Server | HttpsServer, app: App, onRequest: ReturnType<typeof createH1Handler>): void {
  // One budget of warn lines per listener, for everything it refuses before the app sees a request.
  const budget = rateLimited(20, 10_000);
  const checked = (req: IncomingMessage, res: ServerResponse, expectsContinue = false): void => {
    const problem = hostProblem(req.rawHeaders, req.headers.host);
    if (problem === undefined) onRequest(req, res, expectsContinue);
    else refuseHost(req, res, problem, app.log, budget);
  };
  server.on('request', checked);
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => checked(req, res, true));
  server.on('clientError', answerClientErrors(app.log, budget));
}

const BAD_HOST = Buffer.from('{"error":{"code":"BAD_HOST","message":"the request has more than one Host or an invalid one"}}');

/**
 * The 400 of a request with two Host lines or an invalid Host (see hostProblem): answered before the app sees it,
 * like the requests Node refuses itself, and logged the same way. The connection closes after it; a body still on
 * its way is read and dropped first (lingering close), so the client reads the 400.
 */
function refuseHost(req: IncomingMessage, res: ServerResponse, problem: 'duplicate' | 'invalid', log: Logger, budget: LogBudget): void {
  res.writeHead(400, { 'content-type': 'application/json; charset=utf-8', 'content-length': BAD_HOST.length, connection: 'close' });
  if (!req.complete) lingerOnClose(req);
  res.end(BAD_HOST);
  const { allowed, dropped } = budget();
  if (!allowed) return;
  log.warn(
    { reason: problem === 'duplicate' ? 'HOST_DUPLICATE' : 'HOST_INVALID', status: 400, client: req.socket.remoteAddress, ...(dropped > 0 ? { dropped } : {}) },
    'answered 400 to a request with more than one Host or an invalid one',
  );
}

/**
 * How long a keep-alive connection idle when the drain starts stays open. A client that sends its next request as
 * soon as a reply arrives (a load balancer, a busy API client) has one on the wire at almost any moment; closing
 * its "idle" socket then loses that request. Within the grace the request arrives and its reply says
 * `Connection: close`; a connection still idle after it is closed like any idle one.
 */
const IDLE_GRACE_MS = 250;

/**
 * Stops a `node:http` (or `node:https`) server gracefully: no new connections; busy ones close after their reply,
 * which says `Connection: close` while the listener drains; idle keep-alive sockets are closed after a short
 * grace (`IDLE_GRACE_MS`). In a cluster worker, the primary stops handing it connections at once.
 */
export function drainH1(server: Server): Promise<void> {
  return new Promise((resolve) => {
    let closed = false;
    // net.Server's close, not http.Server's: since Node 19 that one also closes every idle connection at once.
    NetServer.prototype.close.call(server, () => {
      closed = true;
      resolve();
    });
    // Then http.Server's close sweeps the connections still idle and stops its timeout checks (when none is left,
    // there is nothing to sweep, and a second close would only emit 'close' again).
    setTimeout(() => closed || server.close(), IDLE_GRACE_MS).unref();
  });
}

function h1Port(draining: () => boolean, hsts: string | undefined, writeTimeout: number): ResponsePort<ServerResponse> {
  const head = (res: ServerResponse, status: number, headers: ReplyHeaders) => {
    try {
      if (draining()) res.setHeader('connection', 'close');
      if (hsts !== undefined) res.setHeader('strict-transport-security', hsts);
      res.writeHead(status, headers as OutgoingHttpHeaders);
    } catch (err) {
      // Nothing was sent: clear what was set, so the fallback reply starts clean.
      for (const name of res.getHeaderNames()) res.removeHeader(name);
      throw err;
    }
    // A reply that ends the connection while the request body is still coming (a 413, a 401 before reading):
    // close it the way nginx does, so the client reads the reply instead of a reset. Node decides in writeHead
    // whether this reply is the connection's last (`_last`: Connection: close, HTTP/1.0, a draining server).
    if (!res.req.complete && (res as ServerResponse & { _last?: boolean })._last === true) lingerOnClose(res.req);
  };
  // A body the client does not read stops making progress: past the write timeout the connection is ended. The
  // socket's inactivity timer is reset on every write; once the reply is done Node sets the keep-alive one again.
  const watchWrites = (res: ServerResponse) => {
    res.setTimeout(writeTimeout, () => res.destroy(Object.assign(new Error(`no progress writing the reply for ${writeTimeout} ms`), { code: 'ERR_WRITE_TIMEOUT' })));
  };
  return {
    gone: (res) => res.destroyed,
    send(res, status, headers, body) {
      head(res, status, headers);
      res.end(body);
      // Only a reply the socket did not take at once can stall: one waiting behind another (a pipelined request;
      // Node attaches it to the socket later) or one bigger than the socket's buffers. A reply that went out whole
      // costs no timer. (res.writableNeedDrain cannot tell: it is false once end() has been called.)
      const socket = res.socket;
      if (socket === null || socket.writableLength > 0) watchWrites(res);
    },
    stream(res, status, headers, body) {
      head(res, status, headers);
      watchWrites(res);
      return sendStream(body, res);
    },
    file(res, status, headers, file) {
      // Made before the head is sent: a range Node refuses throws here, while a 500 can still be written.
      const source = openFileBody(file);
      try {
        head(res, status, headers);
      } catch (err) {
        source.destroy();
        throw err;
      }
      watchWrites(res);
      return sendStream(source, res);
    },
  };
}

// pipeline() destroys the source (closing its file descriptor) when the client goes away mid-body; the socket
// is destroyed too, since a half-written body cannot be finished.
function sendStream(source: Readable, res: ServerResponse): Promise<void> {
  return pipeline(source, res).catch((err: unknown) => {
    // Destroyed on purpose (the write timeout): that reason, not pipeline's "premature close", is what happened.
    const reason = res.errored ?? err;
    res.destroy();
    throw reason;
  });
}

// Chunks up to 256 KiB (Node's default is 64 KiB). 1 MiB file, wrk -c64, one run, server pinned to one core:
// 64 KiB 366 MB/s (RSS 110 MB), 256 KiB 640 MB/s (113 MB), 1 MiB 694 MB/s (142 MB): a quarter of the reads and
// writes for almost no memory; bigger chunks buy little more and cost a chunk per open response.
const MAX_CHUNK = 256 * 1024;
const MIN_CHUNK = 64 * 1024;

/** A read stream over the file's range, from its open handle, which it closes at the end. */
function openFileBody(body: FileBody): Readable {
  const length = body.end - body.start + 1;
  const highWaterMark = Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, length));
  return createReadStream('', { fd: body.handle!, start: body.start, end: body.end, highWaterMark, autoClose: true });
}
