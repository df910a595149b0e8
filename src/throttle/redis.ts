import type { Redis } from 'ioredis';
import { redisScript } from '../redis-script.js';
import type { AttemptCount, AttemptCounter } from './counter.js';

/**
 * The options of `RedisAttemptCounter`.
 *
 * @example
 * new RedisAttemptCounter({ client: store.client, prefix: 'maru:attempts:', connectWait: 1_000 });
 */
export interface RedisAttemptCounterOptions {
  /** An ioredis client, e.g. the session store's (`redisStore.client`); left open on close. */
  client: Redis;
  /** Prepended to every key. */
  prefix?: string;
  /** How long (ms) a command waits for a client that is still connecting before it is sent anyway (and fails fast). */
  connectWait?: number;
}

// INCR and the window's expiry in one atomic step: a key can never be left counting without an expiry.
const hitScript = redisScript(`
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`);

// DECR keeps the key's expiry; a missing or zero count is left alone.
const undoScript = redisScript(`
local count = tonumber(redis.call('GET', KEYS[1]))
if count and count > 0 then redis.call('DECR', KEYS[1]) end
return 0
`);

/**
 * Attempt counts in Redis, one key per counted thing with a native expiry (the window): every process of every
 * machine sees the same counts, and Redis forgets closed windows on its own. A hit is one script (INCR, then
 * PEXPIRE when the key has none yet), so concurrent hits never lose a count and a key never outlives its window.
 *
 * @example
 * const store = new RedisStore({ url: process.env.REDIS_URL });
 * const counter = new RedisAttemptCounter({ client: store.client, prefix: 'maru:attempts:' });
 */
export class RedisAttemptCounter implements AttemptCounter {
  readonly #client: Redis;
  readonly #prefix: string;
  readonly #connectWait: number;

  constructor({ client, prefix = 'attempts:', connectWait = 1000 }: RedisAttemptCounterOptions) {
    if (client === null || typeof client !== 'object' || typeof client.evalsha !== 'function') throw new TypeError('option client must be an ioredis client');
    if (typeof prefix !== 'string') throw new TypeError(`option prefix must be a string, got ${String(prefix)}`);
    if (!Number.isSafeInteger(connectWait) || connectWait < 0) throw new TypeError(`option connectWait must be a non-negative integer, got ${connectWait}`);
    this.#client = client;
    this.#prefix = prefix;
    this.#connectWait = connectWait;
  }

  async hit(key: string, windowMs: number): Promise<AttemptCount> {
    await this.#connected();
    const now = Date.now();
    const [count, ttl] = (await hitScript(this.#client, [this.#prefix + key], [Math.ceil(windowMs)])) as [number, number];
    return { count, resetAt: now + ttl };
  }

  async undo(key: string): Promise<void> {
    await this.#connected();
    await undoScript(this.#client, [this.#prefix + key], []);
  }

  async reset(key: string): Promise<void> {
    await this.#connected();
    await this.#client.del(this.#prefix + key);
  }

  /**
   * A client made to fail fast (no offline queue, as RedisStore makes it) refuses commands until its first
   * connection is up: a login in the first moments after start-up waits for it, up to `connectWait`.
   */
  #connected(): Promise<void> | undefined {
    const client = this.#client;
    if (client.status === 'ready' || (client.status !== 'connecting' && client.status !== 'connect' && client.status !== 'wait')) return undefined;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        client.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, this.#connectWait);
      client.once('ready', done);
    });
  }
}
