import { createRequire } from 'node:module';
import type { Redis, RedisOptions } from 'ioredis';
import { redisScript } from '../redis-script.js';
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
 * The sessions of one owner are also listed in a set, `<prefix>owner:<owner>`, written in the same script as the
 * session itself. The set lives as long as its longest-lived session (its TTL is only ever raised to a member's), a
 * session that expires or is destroyed leaves its id behind until the next `destroyByOwner` or until the set holds
 * more than 32 ids (then ids whose session is gone are removed), and `destroyByOwner` deletes a listed session only
 * when its record still names that owner. Those scripts touch session keys they read from the set, so they suit one
 * Redis (or a primary with replicas), not Redis Cluster.
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

  /** The prefix of every key of this store, e.g. to keep an app's other keys beside its sessions. */
  get prefix(): string {
    return this.#prefix;
  }

  get(id: string): Promise<StoredSession | undefined> {
    if (this.#starting !== undefined) return this.#starting.then(() => this.get(id));
    return this.#client.get(this.#prefix + id).then(parse);
  }

  async set(id: string, session: StoredSession, ttlMs: number): Promise<void> {
    await this.#starting;
    const key = this.#prefix + id;
    if (ttlMs <= 0) await this.#client.del(key);
    else if (typeof session.owner === 'string') await this.#writeOwned(id, session, ttlMs, 'set');
    else await this.#client.set(key, JSON.stringify(session), 'PX', Math.ceil(ttlMs));
  }

  async update(id: string, session: StoredSession, ttlMs: number): Promise<boolean> {
    await this.#starting;
    const key = this.#prefix + id;
    if (ttlMs <= 0) return (await this.#client.del(key)) > 0;
    if (typeof session.owner === 'string') return (await this.#writeOwned(id, session, ttlMs, 'update')) === 1;
    // XX: only when the key still exists, so a destroyed or regenerated session stays gone.
    return (await this.#client.set(key, JSON.stringify(session), 'PX', Math.ceil(ttlMs), 'XX')) === 'OK';
  }

  async destroy(id: string): Promise<void> {
    await this.#starting;
    await this.#client.del(this.#prefix + id);
  }

  async destroyByOwner(owner: string, exceptId?: string): Promise<number> {
    await this.#starting;
    const args = exceptId === undefined ? [this.#prefix, owner] : [this.#prefix, owner, exceptId];
    return Number(await destroyByOwnerScript(this.#client, [this.#ownerKey(owner)], args));
  }

  #writeOwned(id: string, session: StoredSession, ttlMs: number, mode: 'set' | 'update'): Promise<unknown> {
    const keys = [this.#prefix + id, this.#ownerKey(session.owner!)];
    return writeOwnedScript(this.#client, keys, [JSON.stringify(session), Math.ceil(ttlMs), id, this.#prefix, mode]);
  }

  #ownerKey(owner: string): string {
    // Session keys are the prefix and 43 base64url characters, which never hold a colon: no clash with these.
    return `${this.#prefix}owner:${owner}`;
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

/** How many ids an owner's set may hold before a write sweeps out the ids whose session is gone. */
const OWNER_SET_SWEEP = 32;

// KEYS: session key, owner set. ARGV: record JSON, ttl ms, session id, prefix, 'set' | 'update'.
// Writes the session (XX on update: only while it exists) and lists it under its owner, in one atomic step.
const writeOwnedScript = redisScript(`
if ARGV[5] == 'update' then
  if not redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'XX') then return 0 end
else
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
redis.call('SADD', KEYS[2], ARGV[3])
local ttl = tonumber(ARGV[2])
if redis.call('PTTL', KEYS[2]) < ttl then redis.call('PEXPIRE', KEYS[2], ttl) end
if redis.call('SCARD', KEYS[2]) > ${OWNER_SET_SWEEP} then
  for _, id in ipairs(redis.call('SMEMBERS', KEYS[2])) do
    if redis.call('EXISTS', ARGV[4] .. id) == 0 then redis.call('SREM', KEYS[2], id) end
  end
end
return 1
`);

// KEYS: owner set. ARGV: prefix, owner, [id to keep]. Deletes the owner's sessions, counting those still there.
const destroyByOwnerScript = redisScript(`
local ended = 0
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if id ~= ARGV[3] then
    local value = redis.call('GET', ARGV[1] .. id)
    if value then
      local ok, record = pcall(cjson.decode, value)
      if ok and type(record) == 'table' and record.owner == ARGV[2] then
        redis.call('DEL', ARGV[1] .. id)
        ended = ended + 1
      end
    end
    redis.call('SREM', KEYS[1], id)
  end
end
if redis.call('SCARD', KEYS[1]) == 0 then redis.call('DEL', KEYS[1]) end
return ended
`);
