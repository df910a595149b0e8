/**
 * The `sessions()` middleware: server-side sessions behind an opaque cookie.
 *
 * What a request costs the store:
 * - no session cookie (or a malformed one): nothing at all, and no Set-Cookie unless the handler puts data in;
 * - a well-formed session cookie: one `get` before the handler runs, and a write after it only when the data changed
 *   (compared as JSON with what was read) or, with `rolling`, when more than a tenth of the idle timeout has passed
 *   since the last refresh. A cookie whose session is unknown or has ended is cleared in the reply, so a browser
 *   does not cost a store read on every request until it drops the cookie by itself.
 *
 * Stores never see the id: they key records by its SHA-256 (`sessionKey`), so a copy of the database or a Redis
 * dump cannot be replayed as cookies. (Records written before ids were hashed were keyed by the raw id: no cookie
 * matches them any more, and they expire on their own.)
 *
 * Owners: `regenerate({ owner })` ties the new session to an owner (a member id); `revokeOthers()` then ends that
 * owner's other sessions (on a password change) and `revokeAll()` all of them (on account deletion), through the
 * store's per-owner index.
 *
 * Concurrency: each request works on its own copy, read when it starts and written whole when it ends if it changed
 * anything, so of two concurrent requests that both change one session the one that finishes last wins (per request,
 * not per field); a stored record is never a mix of two requests. Destroy and regenerate win over everything:
 * writes finish with `update`, which only replaces a record that still exists, so a slow request can never bring back
 * an id that was destroyed or regenerated while it ran.
 *
 * Timeouts are enforced on the server: a record lives `idleTimeout` past its last refresh and never beyond
 * `absoluteTimeout` after it was created (OWASP Session Management Cheat Sheet), whatever the cookie says. The
 * cookie itself is a browser-session cookie (no Max-Age), HttpOnly, SameSite=Lax, Path=/, and Secure when the
 * request came over TLS.
 *
 * A store that fails (Redis down, database locked) does not fail requests that never look at the session; one that
 * does gets a 503 `SESSION_STORE_UNAVAILABLE` with Retry-After, and the next request tries the store again.
 */
import type { Middleware } from '../app.js';
import { Context, stateKey } from '../context.js';
import type { Reply } from '../reply.js';
import { serializeCookie } from '../cookies/write.js';
import { HttpError } from '../errors.js';
import { isSessionId, newSessionId, sessionKey } from './id.js';
import type { Session, SessionData, SessionStore, StoredSession } from './store.js';

type Data = Partial<SessionData> & Record<string, unknown>;

/**
 * Options of {@link sessions}: the store, the timeouts and the cookie's attributes.
 *
 * @example
 * sessions({ store, idleTimeout: 15 * 60_000, cookieName: '__Host-sid', secure: true });
 */
export interface SessionOptions {
  store: SessionStore;
  /** Name of the cookie that carries the id. */
  cookieName?: string;
  /** How long (ms) a session lives without activity: 30 minutes. */
  idleTimeout?: number;
  /** How long (ms) a session lives at most, counted from its creation (or last regenerate): 8 hours. */
  absoluteTimeout?: number;
  /** Activity refreshes the idle timeout (lazily); when false it counts from the last change of the data. */
  rolling?: boolean;
  /** `'auto'`: Secure when the request came over TLS. */
  secure?: boolean | 'auto';
  sameSite?: 'strict' | 'lax' | 'none';
  domain?: string;
  path?: string;
  /** Seconds a client is asked to wait (Retry-After) when the store is unavailable. */
  retryAfter?: number;
}

/**
 * Gives every request `ctx.session`. Call `ctx.session.regenerate({ owner })` on login, `ctx.session.destroy()` on
 * logout, `revokeOthers()` after a password change and `revokeAll()` when an account is deleted.
 *
 * @example
 * app.use(sessions({ store: new RedisStore({ url: process.env.REDIS_URL }), idleTimeout: 15 * 60_000 }));
 * app.post('/login', async (ctx) => {
 *   await ctx.session.regenerate({ owner: user.id });
 *   ctx.session.data.userId = user.id;
 *   return ctx.redirect('/', 303);
 * });
 * app.get('/me', (ctx) => ctx.json({ name: ctx.session.data.name ?? null }));
 */
export function sessions(options: SessionOptions): Middleware {
  const {
    store,
    cookieName = 'sid',
    idleTimeout = 30 * 60_000,
    absoluteTimeout = 8 * 60 * 60_000,
    rolling = true,
    secure = 'auto',
    sameSite = 'lax',
    domain,
    path = '/',
    retryAfter = 5,
  } = options ?? ({} as SessionOptions);
  if (store === null || typeof store !== 'object' || typeof store.get !== 'function' || typeof store.set !== 'function' ||
    typeof store.update !== 'function' || typeof store.destroy !== 'function' || typeof store.destroyByOwner !== 'function') {
    throw new TypeError('option store must be a SessionStore (get, set, update, destroy, destroyByOwner)');
  }
  positiveInteger('idleTimeout', idleTimeout);
  positiveInteger('absoluteTimeout', absoluteTimeout);
  positiveInteger('retryAfter', retryAfter);
  if (absoluteTimeout < idleTimeout) {
    throw new TypeError(`option absoluteTimeout (${absoluteTimeout}) must not be shorter than idleTimeout (${idleTimeout})`);
  }
  if (typeof rolling !== 'boolean') throw new TypeError(`option rolling must be a boolean, got ${String(rolling)}`);
  if (secure !== true && secure !== false && secure !== 'auto') throw new TypeError(`option secure must be true, false or 'auto', got ${String(secure)}`);
  if (sameSite !== 'strict' && sameSite !== 'lax' && sameSite !== 'none') {
    throw new TypeError(`option sameSite must be 'strict', 'lax' or 'none', got ${String(sameSite)}`);
  }
  // Browsers drop a SameSite=None cookie that is not Secure (rfc6265bis storage model; Chrome and Firefox enforce it).
  if (sameSite === 'none' && secure !== true) throw new TypeError("option sameSite 'none' needs secure: true");
  // Cookie name prefixes (rfc6265bis §4.1.3): browsers refuse a __Secure- or __Host- cookie that breaks their rules.
  if (/^__(Secure|Host)-/i.test(cookieName) && secure !== true) throw new TypeError(`option cookieName ${cookieName} needs secure: true`);
  if (/^__Host-/i.test(cookieName) && (domain !== undefined || path !== '/')) {
    throw new TypeError(`option cookieName ${cookieName} needs path '/' and no domain`);
  }

  // The cookie's attributes are serialised once, here; a bad name, domain or path throws now, not per request.
  const base = { path, httpOnly: true, sameSite, ...(domain === undefined ? {} : { domain }) } as const;
  let plain: string;
  let tls: string;
  let clearPlain: string;
  let clearTls: string;
  try {
    plain = serializeCookie(cookieName, '', { ...base, secure: false }).slice(cookieName.length + 1);
    tls = serializeCookie(cookieName, '', { ...base, secure: true }).slice(cookieName.length + 1);
    const expired = { ...base, maxAge: 0, expires: new Date(0) };
    clearPlain = serializeCookie(cookieName, '', { ...expired, secure: secure === true });
    clearTls = serializeCookie(cookieName, '', { ...expired, secure: secure !== false });
  } catch (err) {
    throw new TypeError(`options cookieName, domain or path are not valid in a cookie: ${(err as Error).message}`);
  }

  const config: Config = {
    store,
    idleTimeout,
    absoluteTimeout,
    rolling,
    touchAfter: idleTimeout / 10,
    unavailable: (cause) =>
      new HttpError(503, 'SESSION_STORE_UNAVAILABLE', 'sessions are unavailable for a moment (the session store does not answer); please try again shortly', {
        expose: true,
        headers: { 'retry-after': String(retryAfter) },
        cause,
      }),
    setCookie: (ctx, id) => {
      const useTls = secure === 'auto' ? ctx.secure : secure;
      ctx.appendHeader('set-cookie', `${cookieName}=${id}${useTls ? tls : plain}`);
    },
    clearValue: (ctx) => (secure === 'auto' && !ctx.secure ? clearPlain : clearTls),
  };

  // One promise on next()'s rather than an async function's own and two awaits; and a request that has and makes
  // no session (a visitor's page, the API without a login) writes nothing and awaits nothing more.
  const run = (ctx: Context, next: () => Promise<Reply>, session: RequestSession): Promise<Reply> => {
    ctx.set(SESSION, session);
    return next().then(
      (reply) => afterCommit(session.commit(ctx), reply),
      (err: unknown) => {
        // Nothing is written for a request that failed; but a cookie that names no session is still cleared.
        throw session.dead ? withClearedCookie(err, config.clearValue(ctx)) : err;
      },
    );
  };

  return (ctx, next) => {
    const sent = ctx.headers.cookie === undefined ? undefined : ctx.cookies[cookieName];
    const session = new RequestSession(config, sent !== undefined);
    if (isSessionId(sent)) return session.load(sent).then(() => run(ctx, next, session));
    return run(ctx, next, session);
  };
}

/** The reply once the session's write (if any) is done. */
function afterCommit(writing: Promise<void> | undefined, reply: Reply): Reply | Promise<Reply> {
  return writing === undefined ? reply : writing.then(() => reply);
}

const SESSION = stateKey<Session>('session');

declare module '../context.js' {
  interface Context {
    /** The session of this request; needs the `sessions()` middleware, and throws a clear error without it. */
    readonly session: Session;
    /** True when the `sessions()` middleware gave this request a session. */
    readonly hasSession: boolean;
  }
}

// `ctx.session` is the session middleware's own state under its key, read through the Context's prototype: the
// core does not know sessions, and this module, which does, gives the key its name.
Object.defineProperties(Context.prototype, {
  session: {
    get(this: Context): Session {
      const session = this.get(SESSION);
      if (session === undefined) throw new Error('ctx.session needs the sessions() middleware: app.use(sessions({ store }))');
      return session;
    },
  },
  hasSession: {
    get(this: Context): boolean {
      return this.get(SESSION) !== undefined;
    },
  },
});

/**
 * The error with the Set-Cookie that clears the session cookie: the error's reply is built later and drops every
 * header set meanwhile (errorReply), so the header rides on the error itself. Only for a 4xx HttpError (a 401 on
 * `/me`, a 404): a fault is left as it was thrown, with its own stack, and its cookie is cleared by the next request.
 */
function withClearedCookie(err: unknown, clear: string): unknown {
  if (!(err instanceof HttpError) || err.status >= 500) return err;
  return new HttpError(err.status, err.code, err.message, {
    headers: { ...err.headers, 'set-cookie': clear },
    expose: err.expose,
    ...(err.cause === undefined ? {} : { cause: err.cause }),
  });
}

interface Config {
  readonly store: SessionStore;
  readonly idleTimeout: number;
  readonly absoluteTimeout: number;
  readonly rolling: boolean;
  readonly touchAfter: number;
  unavailable(cause: unknown): HttpError;
  setCookie(ctx: Context, id: string): void;
  /** The Set-Cookie value that clears the session cookie for this request. */
  clearValue(ctx: Context): string;
}

class RequestSession implements Session {
  readonly #config: Config;
  /** The request sent a cookie of this name (well-formed or not): destroy() must clear it. */
  readonly #hadCookie: boolean;
  /** The id of the stored record this request works on; undefined for a visitor without one. */
  #id: string | undefined;
  /** The store's key of `#id` (its SHA-256). */
  #key: string | undefined;
  /** The id regenerate() chose, created when the request ends. */
  #nextId: string | undefined;
  #owner: string | undefined;
  #data: Data = {};
  #snapshot = '{}';
  #createdAt = 0;
  #touchedAt = 0;
  #loaded = false;
  #destroyed = false;
  /** The cookie named a session the store does not have (unknown, expired, ended): the reply clears it. */
  #stale = false;
  /** Set when the store failed to answer the read: every use of the session then answers 503. */
  #failure: HttpError | undefined;

  constructor(config: Config, hadCookie: boolean) {
    this.#config = config;
    this.#hadCookie = hadCookie;
  }

  get id(): string | undefined {
    this.#assertAvailable();
    return this.#id ?? this.#nextId;
  }

  get data(): Data {
    this.#assertAvailable();
    return this.#data;
  }

  get isNew(): boolean {
    this.#assertAvailable();
    return !this.#loaded;
  }

  get owner(): string | undefined {
    this.#assertAvailable();
    return this.#owner;
  }

  /** The request's session cookie names no live session (unknown, expired, destroyed) and no new one replaces it. */
  get dead(): boolean {
    return this.#hadCookie && (this.#destroyed || this.#stale) && this.#key === undefined && this.#nextId === undefined && this.#failure === undefined;
  }

  async load(id: string): Promise<void> {
    const { store, absoluteTimeout, idleTimeout } = this.#config;
    const key = sessionKey(id);
    let record: StoredSession | undefined;
    try {
      record = await store.get(key);
    } catch (err) {
      this.#failure = this.#config.unavailable(err);
      return;
    }
    if (record === undefined || record.data === null || typeof record.data !== 'object') {
      this.#stale = true;
      return;
    }
    const now = Date.now();
    if (now - record.createdAt >= absoluteTimeout || now - record.touchedAt >= idleTimeout) {
      // Past its time on our clock even if the store still had it: gone for good.
      this.#stale = true;
      store.destroy(key).catch(() => {});
      return;
    }
    this.#id = id;
    this.#key = key;
    this.#data = record.data;
    this.#snapshot = JSON.stringify(record.data);
    this.#createdAt = record.createdAt;
    this.#touchedAt = record.touchedAt;
    this.#owner = typeof record.owner === 'string' ? record.owner : undefined;
    this.#loaded = true;
  }

  async regenerate(options: { owner?: string } = {}): Promise<void> {
    this.#assertAvailable();
    const { owner } = options;
    if (owner !== undefined && (typeof owner !== 'string' || owner === '')) {
      throw new TypeError(`regenerate: owner must be a non-empty string, got ${String(owner)}`);
    }
    const old = this.#key;
    this.#id = undefined;
    this.#key = undefined;
    this.#nextId = newSessionId();
    if (owner !== undefined) this.#owner = owner;
    if (old !== undefined) await this.#call(() => this.#config.store.destroy(old));
  }

  async destroy(): Promise<void> {
    this.#assertAvailable();
    const old = this.#key;
    this.#id = undefined;
    this.#key = undefined;
    this.#nextId = undefined;
    this.#owner = undefined;
    this.#destroyed = true;
    // Emptied in place, so a reference the handler kept sees the same (empty) data.
    for (const key of Object.keys(this.#data)) delete this.#data[key];
    this.#snapshot = '{}';
    if (old !== undefined) await this.#call(() => this.#config.store.destroy(old));
  }

  async revokeOthers(): Promise<number> {
    this.#assertAvailable();
    const owner = this.#owner;
    if (owner === undefined) return 0;
    // After regenerate() this session is not stored yet (#key is undefined): every stored one is an "other".
    const keep = this.#key;
    return this.#call(() => this.#config.store.destroyByOwner(owner, ...(keep === undefined ? [] : [keep])));
  }

  async revokeAll(): Promise<number> {
    this.#assertAvailable();
    const owner = this.#owner;
    await this.destroy();
    if (owner === undefined) return 0;
    // This session was deleted just above: whatever of the owner's is still stored is another one.
    return this.#call(() => this.#config.store.destroyByOwner(owner));
  }

  /**
   * Writes what the request changed, once, after the handler has answered; undefined when there is nothing to
   * write (no promise for the requests that never had or made a session).
   */
  commit(ctx: Context): Promise<void> | undefined {
    if (this.#failure !== undefined) return undefined;
    const now = Date.now();
    if (this.#key === undefined) {
      if (this.#nextId === undefined && isEmpty(this.#data)) {
        // A stale cookie is cleared too. The one case where that is wrong: a request sent with an id that another
        // request of the same browser replaced meanwhile (a login racing a fetch); its clearing can arrive after
        // the new cookie and log that browser out. express-session and others never clear, and pay a store read
        // on every request of such a browser instead; a second login is the cheaper price.
        if (this.dead) ctx.appendHeader('set-cookie', this.#config.clearValue(ctx));
        return undefined;
      }
      return this.#create(ctx, now);
    }
    const ttl = Math.min(this.#config.idleTimeout, this.#createdAt + this.#config.absoluteTimeout - now);
    const changed = JSON.stringify(this.#data) !== this.#snapshot;
    if (ttl > 0 && !changed && !(this.#config.rolling && now - this.#touchedAt > this.#config.touchAfter)) return undefined;
    return this.#write(ctx, this.#key, ttl, changed, now);
  }

  async #create(ctx: Context, now: number): Promise<void> {
    const config = this.#config;
    // A fresh id, never the client's: the client cannot choose the id of a session (no fixation).
    const id = this.#nextId ?? newSessionId();
    const record: StoredSession = { data: this.#data, createdAt: now, touchedAt: now };
    if (this.#owner !== undefined) record.owner = this.#owner;
    await this.#call(() => config.store.set(sessionKey(id), record, Math.min(config.idleTimeout, config.absoluteTimeout)));
    config.setCookie(ctx, id);
  }

  async #write(ctx: Context, key: string, ttl: number, changed: boolean, now: number): Promise<void> {
    const store = this.#config.store;
    if (ttl <= 0) {
      // The absolute timeout ran out while the request ran.
      await this.#call(() => store.destroy(key));
      return;
    }
    const record: StoredSession = { data: this.#data, createdAt: this.#createdAt, touchedAt: now };
    if (this.#owner !== undefined) record.owner = this.#owner;
    if (changed) {
      // false when the session was destroyed or regenerated meanwhile: that wins, the change is dropped.
      await this.#call(() => store.update(key, record, ttl));
      return;
    }
    // Only the idle clock moves; a failure here loses nothing the client sent, so it does not fail the request.
    await store.update(key, record, ttl).catch((err: unknown) => {
      ctx.log.warn({ err }, 'session refresh failed');
    });
  }

  #assertAvailable(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }

  async #call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (err) {
      throw this.#config.unavailable(err);
    }
  }
}

function positiveInteger(name: string, value: unknown): void {
  if (!Number.isSafeInteger(value) || (value as number) <= 0) throw new TypeError(`option ${name} must be a positive integer, got ${String(value)}`);
}

/** True when the data would be stored as `{}` (no key, or only keys whose value JSON leaves out). */
function isEmpty(data: Data): boolean {
  for (const _ in data) return JSON.stringify(data) === '{}';
  return true;
}
