import { createRequire } from 'node:module';
import type { Redis, RedisOptions } from 'ioredis';
import type { SessionStore, StoredSession } from './store.js';

/**
 * Options of {@link RedisStore}.
 *
 * @example
 * new RedisStore({ url: process.env.REDIS_URL, prefix: 'myapp:sess:', onError: (err) => log.warn(err.message) });
 */
export interface RedisStoreOptions {
  /** `redis://host:port/db`; the store then makes (and owns) a client tuned to fail fast. */
  url?: string;
  /** Or a client of your own (ioredis). Give it `enableOfflineQueue: false` if requests must fail fast when Redis is down. */
  client?: Redis;
  /** Prepended to every key, so several apps (or test runs) can share one Redis. */
  prefix?: string;
  /** How long (ms) to wait for Redis, both to connect and for one command to answer. */
  timeout?: number;
  /** Called with connection errors (they repeat on every reconnection attempt while Redis is down). */
  onError?: (err: Error) => void;
}

/**
 * Sessions in Redis (ioredis), each one key with a native TTL (`SET … PX`): Redis forgets expired sessions on its
 * own, and a read is one `GET`.
 *
 * When Redis is down the store fails fast instead of queueing: the client it makes has no offline queue, one retry
 * per command and a command timeout, so the middleware can answer 503 at once; it keeps reconnecting in the
 * background (every second at most) and the next request after Redis is back simply works. Its `'error'` events are
 * handled, so an outage never crashes the process.
 *
 * @example
 * const store = new RedisStore({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix: 'maru:sess:' });
 * app.use(sessions({ store }));
 */
export class RedisStore implements SessionStore {
  readonly #client: Redis;
  readonly #owned: boolean;
  readonly #prefix: string;
  /** Until the first connection is ready, commands wait for it (up to `timeout`) instead of failing at start-up. */
  #starting: Promise<void> | undefined;

  constructor({ url, client, prefix = 'sess:', timeout = 1000, onError = () => {} }: RedisStoreOptions = {}) {
    if (typeof prefix !== 'string') throw new TypeError(`option prefix must be a string, got ${String(prefix)}`);
    if (!Number.isSafeInteger(timeout) || timeout <= 0) throw new TypeError(`option timeout must be a positive integer, got ${timeout}`);
    if (typeof onError !== 'function') throw new TypeError('option onError must be a function');
    if ((url === undefined) === (client === undefined)) throw new TypeError('RedisStore needs exactly one of the options url and client');
    if (client !== undefined) {
      if (typeof client.get !== 'function') throw new TypeError('option client must be an ioredis client');
      this.#client = client;
      this.#owned = false;
    } else {
      if (typeof url !== 'string' || !/^rediss?:\/\//.test(url)) throw new TypeError(`option url must be a redis:// or rediss:// URL, got ${String(url)}`);
      this.#client = new (loadIoredis())(url, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: timeout,
        commandTimeout: timeout,
        retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
        // Commands issued in one tick go out in one write: many concurrent requests cost Redis one round trip.
        enableAutoPipelining: true,
      });
      this.#owned = true;
    }
    this.#prefix = prefix;
    this.#client.on('error', onError);
    if (this.#client.status !== 'ready') {
      const ready = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeout);
        this.#client.once('ready', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      this.#starting = ready.then(() => {
        this.#starting = undefined;
      });
    }
  }

  /** The ioredis client, e.g. to share it with other parts of the app. */
  get client(): Redis {
    return this.#client;
  }

  get(id: string): Promise<StoredSession | undefined> {
    if (this.#starting !== undefined) return this.#starting.then(() => this.get(id));
    return this.#client.get(this.#prefix + id).then(parse);
  }

  async set(id: string, session: StoredSession, ttlMs: number): Promise<void> {
    await this.#starting;
    const key = this.#prefix + id;
    if (ttlMs <= 0) await this.#client.del(key);
    else await this.#client.set(key, JSON.stringify(session), 'PX', Math.ceil(ttlMs));
  }

  async update(id: string, session: StoredSession, ttlMs: number): Promise<boolean> {
    await this.#starting;
    const key = this.#prefix + id;
    if (ttlMs <= 0) return (await this.#client.del(key)) > 0;
    // XX: only when the key still exists, so a destroyed or regenerated session stays gone.
    return (await this.#client.set(key, JSON.stringify(session), 'PX', Math.ceil(ttlMs), 'XX')) === 'OK';
  }

  async destroy(id: string): Promise<void> {
    await this.#starting;
    await this.#client.del(this.#prefix + id);
  }

  /** Closes the connection when the store made it; a client passed in is left to its owner. */
  async close(): Promise<void> {
    if (!this.#owned) return;
    if (this.#client.status === 'ready') await this.#client.quit().catch(() => this.#client.disconnect());
    else this.#client.disconnect();
  }
}

/**
 * ioredis, loaded when the first store that makes its own client is constructed (start-up), never at import:
 * importing the toolkit must not cost an app that keeps its sessions elsewhere ioredis' load time (~140 ms on
 * one core here) and memory.
 */
function loadIoredis(): new (url: string, options: RedisOptions) => Redis {
  return (createRequire(import.meta.url)('ioredis') as { Redis: new (url: string, options: RedisOptions) => Redis }).Redis;
}

/** A value that is not a record (written by something else under our prefix) reads as no session, not as an outage. */
function parse(json: string | null): StoredSession | undefined {
  if (json === null) return undefined;
  try {
    return JSON.parse(json) as StoredSession;
  } catch {
    return undefined;
  }
}
