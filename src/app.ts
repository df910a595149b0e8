import type { Logger } from 'pino';
import { DEFAULT_BODY_LIMIT } from './body/read.js';
import { Context, type ContextShared, type RequestInfo } from './context.js';
import { HttpError } from './errors.js';
import { createLogger } from './log.js';
import { rateLimited } from './log-budget.js';
import { accessLog, requestFinishChannel, type RequestObserver } from './observe.js';
import { compileTrust, type TrustProxy } from './proxy/trust.js';
import type { Reply } from './reply.js';
import type { Router } from './router/router.js';
import { createTrieRouter } from './router/trie.js';

/**
 * A route handler: returns (or resolves to) the one reply of the request, or throws.
 *
 * @example
 * const hello: Handler = (ctx) => ctx.text('Hello Node!');
 * app.get('/hello', hello);
 */
export type Handler = (ctx: Context) => Reply | Promise<Reply>;
/**
 * Runs around everything after it; `next()` resolves to the reply the rest of the chain produced.
 *
 * @example
 * const poweredBy: Middleware = async (ctx, next) => {
 *   ctx.header('x-powered-by', 'maru');
 *   return next();
 * };
 * app.use(poweredBy);
 */
export type Middleware = (ctx: Context, next: () => Promise<Reply>) => Reply | Promise<Reply>;

/**
 * Per-route settings, given before the handler: `app.post('/upload', { bodyLimit: 10 * 1024 * 1024 }, handler)`.
 *
 * @example
 * app.post('/upload', { bodyLimit: 10 * 1024 * 1024 }, upload);
 */
export interface RouteOptions {
  /** Largest request body this route reads, in bytes; the app's `bodyLimit` by default. */
  bodyLimit?: number;
}

/**
 * Options of {@link createApp}.
 *
 * @example
 * createApp({ bodyLimit: 64 * 1024, trustProxy: 'loopback', accessLog: false });
 */
export interface AppOptions {
  /** A pino logger; one from `createLogger()` (LOG_LEVEL, pretty on a terminal) by default. */
  log?: Logger;
  /** Default request body limit in bytes (1 MiB). */
  bodyLimit?: number;
  /**
   * Peers whose `X-Forwarded-*` / `Forwarded` headers are believed (`ctx.ip`, `ctx.secure`, `ctx.host`): a list
   * of addresses, CIDR ranges and `loopback` / `linklocal` / `uniquelocal`. Nobody's by default.
   */
  trustProxy?: TrustProxy;
  /** One info line per request (an observer); on when the logger's level lets info through. */
  accessLog?: boolean;
}

type RouteArgs = [handler: Handler] | [options: RouteOptions, handler: Handler];
type RouteMethod = (pattern: string, ...args: RouteArgs) => App;

/**
 * The methods of one path, chained: what `app.route(pattern)` returns.
 *
 * @example
 * app.route('/users/:id').get(show).put(rename).delete(remove);
 */
export interface RouteChain {
  /** Adds the GET route (HEAD follows it). */
  get(...args: RouteArgs): RouteChain;
  /** Adds the POST route. */
  post(...args: RouteArgs): RouteChain;
  /** Adds the PUT route. */
  put(...args: RouteArgs): RouteChain;
  /** Adds the PATCH route. */
  patch(...args: RouteArgs): RouteChain;
  /** Adds the DELETE route. */
  delete(...args: RouteArgs): RouteChain;
  /** Adds an OPTIONS route (otherwise OPTIONS answers 204 with `Allow`). */
  options(...args: RouteArgs): RouteChain;
}

/**
 * An app: middleware and routes, and the one handler a transport calls. Made by {@link createApp}.
 *
 * @example
 * const app: App = createApp();
 * app.get('/', (ctx) => ctx.text('Hello Node!'));
 */
export interface App {
  readonly log: Logger;
  /** Adds a middleware; they run in the order added, around the routes. */
  use(middleware: Middleware): App;
  get: RouteMethod;
  post: RouteMethod;
  put: RouteMethod;
  patch: RouteMethod;
  delete: RouteMethod;
  options: RouteMethod;
  /** Any method, e.g. `app.on('PROPFIND', '/dav/*', handler)`. */
  on(method: string, pattern: string, ...args: RouteArgs): App;
  /** Several methods of one path: `app.route('/users').get(list).post(create)`. */
  route(pattern: string): RouteChain;
  /** Builds a Context for a transport adapter (or `inject`). */
  context(request: RequestInfo): Context;
  /** Runs middleware and routes; never throws: errors become their reply. Sync when every step is. */
  handle(ctx: Context): Reply | Promise<Reply>;
  /**
   * Watches every finished request (status, route pattern, duration, bytes, error): the access log and metrics
   * are observers. Returns a function that stops watching.
   */
  observe(observer: RequestObserver): () => void;
  /** Called by the transport once the reply is written (or failed): hands the request to the observers. */
  finish(ctx: Context, status: number, bytes: number | undefined, error?: unknown): void;
  /** Requests handed to `handle()` and not yet finished (every transport finishes each request it handles). */
  readonly inFlight: number;
}

// Lines about deliberate 5xx replies, per app: as many as the client-error log allows per listener.
const REFUSAL_LINES = 20;
const REFUSAL_WINDOW_MS = 10_000;

interface RouteEntry {
  readonly pattern: string;
  readonly handler: Handler;
  readonly bodyLimit: number | undefined;
}

/**
 * Creates an app: middleware and routes compiled into one handler the first time a request arrives (or
 * `listen()` starts); after that, adding routes is an error.
 *
 * @example
 * const app = createApp();
 * app.get('/hello', (ctx) => ctx.text('Hello Node!'));
 * await listen(app, { port: 8080 });
 */
export function createApp(options: AppOptions = {}): App {
  const { log = createLogger(), bodyLimit = DEFAULT_BODY_LIMIT, trustProxy = false } = options;
  if (!Number.isInteger(bodyLimit) || bodyLimit < 0) throw new TypeError(`option bodyLimit must be a non-negative integer, got ${bodyLimit}`);
  const router: Router<RouteEntry> = createTrieRouter();
  const middleware: Middleware[] = [];
  const observers: RequestObserver[] = [];
  // Requests are timed only while someone observes them: a clock read per request is not free.
  const shared: { -readonly [K in keyof ContextShared]: ContextShared[K] } = {
    log,
    bodyLimit,
    timed: false,
    trust: compileTrust(trustProxy),
    refusalLog: rateLimited(REFUSAL_LINES, REFUSAL_WINDOW_MS),
  };
  let chain: ((ctx: Context) => Reply | Promise<Reply>) | undefined;
  // Kept always: two additions a request, where a middleware counting the same would cost a promise each.
  let inFlight = 0;

  function assertOpen(): void {
    if (chain !== undefined) throw new Error('routes and middleware must be added before the app handles its first request');
  }

  function on(method: string, pattern: string, ...args: RouteArgs): App {
    assertOpen();
    const [options, handler] = args.length === 1 ? [{}, args[0]] : args;
    if (typeof handler !== 'function') throw new TypeError(`route ${method} ${pattern} needs a handler function`);
    const limit = options.bodyLimit;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
      throw new TypeError(`option bodyLimit of route ${method} ${pattern} must be a non-negative integer, got ${limit}`);
    }
    router.add(method, pattern, { pattern, handler, bodyLimit: limit });
    return app;
  }

  function dispatch(ctx: Context): Reply | Promise<Reply> {
    const match = router.find(ctx.method, ctx.path);
    switch (match.kind) {
      case 'found':
        ctx.params = match.params;
        ctx.route = match.value.pattern;
        if (match.value.bodyLimit !== undefined) ctx.bodyLimit = match.value.bodyLimit;
        return match.value.handler(ctx);
      case 'options':
        return { status: 204, headers: { allow: match.allow }, body: null };
      case 'method-not-allowed':
        throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${ctx.method} is not allowed here`, { headers: { allow: match.allow } });
      case 'not-found':
        throw new HttpError(404, 'NOT_FOUND', 'no such resource');
    }
  }

  function build(): (ctx: Context) => Reply | Promise<Reply> {
    if (middleware.length === 0) return dispatch;
    const stack = [...middleware];
    return (ctx) => {
      let last = -1;
      // Synchronous as long as every step is: a middleware that answers at once (a static-file cache hit) costs
      // no promise. next() is always a promise, as its type says; a sync throw below it becomes its rejection.
      const step = (i: number): Reply | Promise<Reply> => {
        if (i <= last) return nextCalledTwice(ctx);
        last = i;
        const mw = stack[i];
        return mw === undefined ? dispatch(ctx) : mw(ctx, () => settle(() => step(i + 1)));
      };
      return step(0);
    };
  }

  function handle(ctx: Context): Reply | Promise<Reply> {
    inFlight++;
    chain ??= build();
    try {
      const result = chain(ctx);
      if (result instanceof Promise) return result.then((reply) => checked(ctx, reply), (err: unknown) => errorReply(ctx, err));
      return checked(ctx, result);
    } catch (err) {
      return errorReply(ctx, err);
    }
  }

  function observe(observer: RequestObserver): () => void {
    if (typeof observer !== 'function') throw new TypeError('app.observe() needs a function');
    observers.push(observer);
    shared.timed = true;
    return () => {
      const i = observers.indexOf(observer);
      if (i !== -1) observers.splice(i, 1);
      shared.timed = observers.length > 0;
    };
  }

  function finish(ctx: Context, status: number, bytes: number | undefined, error?: unknown): void {
    inFlight--;
    if (error !== undefined) ctx.log.warn({ err: error }, 'response not completed');
    const published = requestFinishChannel.hasSubscribers;
    if (observers.length === 0 && !published) return;
    const durationMs = ctx.startTime === 0 ? 0 : performance.now() - ctx.startTime;
    const finished = { ctx, status, route: ctx.route, durationMs, bytes, error };
    for (const observer of observers) {
      try {
        observer(finished);
      } catch (err) {
        log.error({ err }, 'a request observer threw');
      }
    }
    if (published) requestFinishChannel.publish(finished);
  }

  const method = (name: string): RouteMethod => (pattern, ...args) => on(name, pattern, ...args);

  const app: App = {
    log,
    use(mw) {
      assertOpen();
      if (typeof mw !== 'function') throw new TypeError('app.use() needs a middleware function');
      middleware.push(mw);
      return app;
    },
    get: method('GET'),
    post: method('POST'),
    put: method('PUT'),
    patch: method('PATCH'),
    delete: method('DELETE'),
    options: method('OPTIONS'),
    on,
    route(pattern) {
      const chainOf = (name: string) => (...args: RouteArgs): RouteChain => (on(name, pattern, ...args), routeChain);
      const routeChain: RouteChain = {
        get: chainOf('GET'),
        post: chainOf('POST'),
        put: chainOf('PUT'),
        patch: chainOf('PATCH'),
        delete: chainOf('DELETE'),
        options: chainOf('OPTIONS'),
      };
      return routeChain;
    },
    context: (request) => new Context(request, shared),
    handle,
    observe,
    finish,
    get inFlight() {
      return inFlight;
    },
  };
  if (options.accessLog ?? log.isLevelEnabled('info')) observe(accessLog(log));
  return app;
}

/** A step's reply as next()'s promise: a sync reply resolved, a sync throw rejected. */
function settle(run: () => Reply | Promise<Reply>): Promise<Reply> {
  try {
    return Promise.resolve(run());
  } catch (err) {
    return Promise.reject(err);
  }
}

// A middleware's bug, answered without running the rest of the chain again. The rejection is marked handled:
// a middleware that drops this promise (`void next()`) must not crash the process with an unhandledRejection.
function nextCalledTwice(ctx: Context): Promise<Reply> {
  const err = new Error('next() called more than once by one middleware');
  ctx.log.error({ err }, err.message);
  const rejected = Promise.reject(err);
  rejected.catch(() => {});
  return rejected;
}

function checked(ctx: Context, reply: Reply): Reply {
  if (reply !== null && typeof reply === 'object' && typeof reply.status === 'number') return reply;
  return errorReply(ctx, new TypeError(`handler for ${ctx.method} ${ctx.path} returned no reply (return ctx.json(…), ctx.text(…), …)`));
}

/**
 * The reply for a thrown error: its own status when it is an HttpError, else a logged, generic 500. For middleware
 * that catches an error to add to it and still answer the way the app would.
 *
 * A 5xx HttpError is logged two ways. One its thrower exposed (`expose: true`: a 503 BUSY with Retry-After, a
 * session store that is down) is a deliberate refusal that a flood of requests can cause at will: one warn line
 * with its code and the cause's message, no stack, at most 20 per 10 s per app (the next line says how many were
 * dropped). Any other is a fault: an error line with the stack, every time.
 *
 * @example
 * app.use(async (ctx, next) => { try { return await next(); } catch (err) { ctx.header('x-failed', '1'); return errorReply(ctx, err); } });
 */
export function errorReply(ctx: Context, err: unknown): Reply {
  ctx.responseHeaders = undefined;
  if (err instanceof HttpError) {
    if (err.status >= 500) logServerError(ctx, err);
    const message = err.expose ? err.message : 'Internal Server Error';
    const reply = ctx.json({ error: { code: err.code, message } }, err.status);
    return err.headers === undefined ? reply : { ...reply, headers: { ...reply.headers, ...err.headers } };
  }
  ctx.log.error({ err }, 'unhandled error');
  return internalErrorReply(ctx);
}

function logServerError(ctx: Context, err: HttpError): void {
  if (!err.expose) {
    ctx.log.error({ err }, err.message);
    return;
  }
  const { allowed, dropped } = ctx.refusalLogBudget();
  if (!allowed) return;
  const cause = err.cause instanceof Error ? err.cause.message : err.cause === undefined ? undefined : String(err.cause);
  ctx.log.warn(
    { status: err.status, code: err.code, ...(cause === undefined ? {} : { cause }), ...(dropped > 0 ? { dropped } : {}) },
    err.message,
  );
}

/**
 * The generic 500: no message, no stack, only the request id to find the logged error by. Callers log first; the
 * transport adapters use it too when Node refuses a reply.
 */
export function internalErrorReply(ctx: Context): Reply {
  return ctx.json({ error: { code: 'INTERNAL', message: 'Internal Server Error', requestId: ctx.id } }, 500);
}
