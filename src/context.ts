import { validateHeaderName, validateHeaderValue, type IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { createBodyReader, type BodyReader } from './body/reader.js';
import type { LogBudget } from './log-budget.js';
import { requestFinishChannel } from './observe.js';
import { resolveClient, type ClientFacts } from './proxy/forwarded.js';
import type { TrustCheck } from './proxy/trust.js';
import { parseCookieHeader } from './cookies/read.js';
import { serializeCookie, type CookieOptions } from './cookies/write.js';
import type { Reply, ReplyHeaders } from './reply.js';
import { acceptRequestId, nextRequestId } from './request-id.js';

/**
 * What a transport adapter knows of a request; everything above the adapter sees only the Context built from it.
 *
 * @example
 * const ctx = app.context({ method: 'GET', target: '/hello', headers: {}, body: Readable.from([]), remoteAddress: '127.0.0.1', secure: false, httpVersion: '1.1' });
 * const reply = await app.handle(ctx);
 */
export interface RequestInfo {
  readonly method: string;
  /** The request-target as sent: path and query, still percent-encoded. */
  readonly target: string;
  readonly headers: IncomingHttpHeaders;
  /** The request body as a stream (an IncomingMessage, an HTTP/2 stream, or a test's Readable). */
  readonly body: Readable;
  /** The address of the peer the connection came from (a proxy, when there is one). */
  readonly remoteAddress: string | undefined;
  /** True when the connection is TLS. */
  readonly secure: boolean;
  readonly httpVersion: string;
  /** HTTP/2's `:authority`; `headers` never carry pseudo-headers. */
  readonly authority?: string | undefined;
  /**
   * For a request that sent `Expect: 100-continue`: invites the body. The body reader calls it only once the
   * route's limit allows the announced length, so an oversized upload is refused before it is sent.
   */
  readonly expectContinue?: (() => void) | undefined;
}

/** What every Context of one app shares: resolved once when the app is built. */
export interface ContextShared {
  readonly log: Logger;
  readonly bodyLimit: number;
  /** Whether requests are timed (only observers need it; a clock read per request is not free). */
  readonly timed: boolean;
  /** Peers whose forwarded headers are believed; undefined: nobody's. */
  readonly trust?: TrustCheck | undefined;
  /** The app's budget of lines about deliberate 5xx replies (see `errorReply`); none: every line is written. */
  readonly refusalLog?: LogBudget | undefined;
}

declare const STATE_TYPE: unique symbol;

/**
 * A typed key for per-request state a middleware keeps on the Context: the core knows no feature's state, and a
 * feature's own module gives it a name (`ctx.session` reads the key of `sessions()`).
 *
 * @example
 * const USER = stateKey<{ id: string }>('user');
 * app.use((ctx, next) => (ctx.set(USER, { id: '7' }), next()));
 * app.get('/me', (ctx) => ctx.json(ctx.get(USER) ?? null));
 */
export interface StateKey<T> {
  readonly description: string;
  /** Carries the value's type; never set. */
  readonly [STATE_TYPE]?: T;
}

/**
 * Makes a key for `ctx.get()` / `ctx.set()`; each call a new one, compared by identity.
 *
 * @example
 * export const USER = stateKey<{ id: string; name: string }>('user');
 * // in a middleware: ctx.set(USER, user); in a handler: ctx.get(USER)?.name
 */
export function stateKey<T>(description: string): StateKey<T> {
  return Object.freeze({ description }) as StateKey<T>;
}

const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze(Object.create(null));
const ALWAYS = Object.freeze({ allowed: true, dropped: 0 });
const TEXT = 'text/plain; charset=utf-8';
const HTML = 'text/html; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * One request and the means to answer it, the same whatever the transport. Handlers read from it and return one
 * of its replies; the app writes that reply once.
 *
 * @example
 * app.get('/users/:id', (ctx) => ctx.json({ id: ctx.params.id }));
 */
export class Context {
  readonly method: string;
  /** The path, still percent-encoded, without the query. */
  readonly path: string;
  /** Request headers, lower-case names; never HTTP/2 pseudo-headers. */
  readonly headers: IncomingHttpHeaders;
  /** The address of the peer the connection came from; `ctx.ip` is the client's, through trusted proxies. */
  readonly remoteAddress: string | undefined;
  readonly httpVersion: string;
  /** Route parameters, percent-decoded. */
  params: Readonly<Record<string, string>> = NO_PARAMS;
  /** The pattern of the matched route (`/users/:id`), for logs and metrics; undefined when no route matched. */
  route: string | undefined = undefined;
  /** The body limit of the matched route (bytes). */
  bodyLimit: number;
  /** `performance.now()` when the request arrived, while someone observes requests; else 0. */
  readonly startTime: number;
  /** Headers to add to whatever reply is written, e.g. Set-Cookie or Vary. Lower-case names. */
  responseHeaders: Record<string, string | string[]> | undefined;

  readonly #raw: Readable;
  readonly #shared: ContextShared;
  readonly #connectionSecure: boolean;
  readonly #authority: string | undefined;
  readonly #expectContinue: (() => void) | undefined;
  #client: ClientFacts | undefined;
  readonly #rawQuery: string;
  #query: URLSearchParams | undefined;
  #id: string | undefined;
  #log: Logger | undefined;
  #cookies: Record<string, string> | undefined;
  #body: BodyReader | undefined;
  #state: Map<StateKey<unknown>, unknown> | undefined;

  constructor(request: RequestInfo, shared: ContextShared) {
    const { target } = request;
    const q = target.indexOf('?');
    this.method = request.method;
    this.path = q === -1 ? target : target.slice(0, q);
    this.#rawQuery = q === -1 ? '' : target.slice(q + 1);
    this.headers = request.headers;
    this.remoteAddress = request.remoteAddress;
    this.httpVersion = request.httpVersion;
    this.#connectionSecure = request.secure;
    this.#authority = request.authority;
    this.#expectContinue = request.expectContinue;
    this.#raw = request.body;
    this.#shared = shared;
    this.bodyLimit = shared.bodyLimit;
    this.startTime = shared.timed || requestFinishChannel.hasSubscribers ? performance.now() : 0;
  }

  /** The query string, parsed on first use. */
  get query(): URLSearchParams {
    return (this.#query ??= new URLSearchParams(this.#rawQuery));
  }

  /** The request id: the client's `X-Request-Id` when it is plain, else a fresh one. */
  get id(): string {
    return (this.#id ??= acceptRequestId(this.headers['x-request-id']) ?? nextRequestId());
  }

  /** A logger that tags every line with the request id. */
  get log(): Logger {
    return (this.#log ??= this.#shared.log.child({ reqId: this.id }));
  }

  /**
   * Asks the app's budget whether a line about a deliberate 5xx (an exposed HttpError: 503 BUSY, a store that is
   * down) may be logged now, at most 20 per 10 s per app; `dropped` counts the lines left out before this one.
   */
  refusalLogBudget(): { allowed: boolean; dropped: number } {
    return this.#shared.refusalLog?.() ?? ALWAYS;
  }

  /** The request's cookies, parsed on first use; of duplicate names the first wins. */
  get cookies(): Readonly<Record<string, string>> {
    return (this.#cookies ??= parseCookieHeader(this.headers.cookie));
  }

  /** The request body: `await ctx.body.json()`, `.form()`, `.text()`, `.buffer()`. */
  get body(): BodyReader {
    return (this.#body ??= createBodyReader(this.#raw, this.headers, () => this.bodyLimit, this.#expectContinue));
  }

  /** The raw body stream, for handlers that stream uploads themselves. */
  get rawBody(): Readable {
    return this.#raw;
  }

  /** The client's facts, resolved once on first use: only a peer in `trustProxy` is believed about them. */
  get #facts(): ClientFacts {
    return (this.#client ??= resolveClient(
      { remoteAddress: this.remoteAddress, secure: this.#connectionSecure, authority: this.#authority, headers: this.headers },
      this.#shared.trust,
    ));
  }

  /** The client's address: the peer's, or — behind a trusted proxy — the one the proxy forwarded. */
  get ip(): string | undefined {
    return this.#facts.ip;
  }

  /** True when the client's connection is TLS: ours, or a trusted proxy's (`X-Forwarded-Proto: https`). */
  get secure(): boolean {
    return this.#facts.secure;
  }

  /** `'https'` or `'http'`, as the client reached the site. */
  get protocol(): 'https' | 'http' {
    return this.#facts.secure ? 'https' : 'http';
  }

  /** The host the client asked for: `:authority` over HTTP/2, else `Host`; a trusted proxy's forwarded host wins. */
  get host(): string | undefined {
    return this.#facts.host;
  }

  /** `https://host` or `http://host`, as the client addressed this site (through trusted proxies). */
  get origin(): string | undefined {
    const { host, secure } = this.#facts;
    return host === undefined ? undefined : `${secure ? 'https' : 'http'}://${host}`;
  }

  /** State a middleware keeps for the rest of this request under its key, or undefined. */
  get<T>(key: StateKey<T>): T | undefined {
    return this.#state?.get(key) as T | undefined;
  }

  /** Keeps state for the rest of this request under a middleware's key (`ctx.session` is one). */
  set<T>(key: StateKey<T>, value: T): this {
    (this.#state ??= new Map()).set(key, value);
    return this;
  }

  /** Sets a header on whatever reply this request gets. A name or value that is not legal throws here, at once. */
  header(name: string, value: string): this {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    (this.responseHeaders ??= {})[name.toLowerCase()] = value;
    return this;
  }

  /** Adds a value to a list header (Vary, Set-Cookie, Link…) of whatever reply this request gets. */
  appendHeader(name: string, value: string): this {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    const headers = (this.responseHeaders ??= {});
    const key = name.toLowerCase();
    const current = headers[key];
    if (current === undefined) headers[key] = key === 'set-cookie' ? [value] : value;
    else if (Array.isArray(current)) current.push(value);
    else headers[key] = key === 'set-cookie' ? [current, value] : `${current}, ${value}`;
    return this;
  }

  /** Sets a cookie on the reply; several calls give several Set-Cookie headers. Throws at once on a bad name. */
  setCookie(name: string, value: string, options?: CookieOptions): this {
    return this.appendHeader('set-cookie', serializeCookie(name, value, options));
  }

  /** Expires a cookie (same name, path and domain as it was set with). */
  clearCookie(name: string, options: Pick<CookieOptions, 'path' | 'domain' | 'secure' | 'sameSite' | 'partitioned'> = {}): this {
    return this.setCookie(name, '', { ...options, maxAge: 0, expires: new Date(0) });
  }

  /** A `text/plain; charset=utf-8` reply. */
  text(body: string, status = 200): Reply {
    return { status, headers: { 'content-type': TEXT, 'content-length': Buffer.byteLength(body) }, body };
  }

  /** A `text/html; charset=utf-8` reply; escaping what goes into it is the caller's job. */
  html(body: string, status = 200): Reply {
    return { status, headers: { 'content-type': HTML, 'content-length': Buffer.byteLength(body) }, body };
  }

  /** JSON reply. `JSON.stringify` errors (cycles, BigInt) are the handler's bug and end as a 500. */
  json(data: unknown, status = 200): Reply {
    const body = JSON.stringify(data) ?? 'null';
    return { status, headers: { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body) }, body };
  }

  /** Bytes or text with a Content-Type of your choice. */
  send(body: string | Uint8Array, type: string, status = 200): Reply {
    const length = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
    return { status, headers: { 'content-type': type, 'content-length': length }, body };
  }

  /** A streamed body; piped with `pipeline()`, destroyed if the client goes away. */
  stream(body: Readable, { type = 'application/octet-stream', length, status = 200 }: { type?: string; length?: number; status?: number } = {}): Reply {
    const headers: ReplyHeaders = { 'content-type': type };
    if (length !== undefined) headers['content-length'] = length;
    return { status, headers, body };
  }

  /**
   * A redirect. The location is percent-encoded where it must be (spaces, non-ASCII, control characters), so a
   * user-supplied value can never split the header.
   */
  redirect(location: string, status: 301 | 302 | 303 | 307 | 308 = 302): Reply {
    return { status, headers: { location: encodeLocation(location), 'content-length': 0 }, body: null };
  }

  /** A reply with no body, 204 unless told. */
  empty(status = 204): Reply {
    return { status, headers: status === 204 || status === 304 ? {} : { 'content-length': 0 }, body: null };
  }
}

// Like encodeURI, but leaves existing %XX escapes alone (the `encodeurl` package's rule).
const UNSAFE_IN_LOCATION = /(?:[^\x21\x23-\x3B\x3D\x3F-\x5F\x61-\x7A\x7C\x7E]|%(?![0-9A-Fa-f]{2}))+/g;

function encodeLocation(location: string): string {
  // Lone surrogates would make encodeURI throw; they become U+FFFD like in any WHATWG URL.
  return location.replace(UNSAFE_IN_LOCATION, (chars) => encodeURI(chars.toWellFormed()));
}
