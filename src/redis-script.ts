import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Runs the script on a client: `keys` are its KEYS, `args` its ARGV. */
export type RedisScript = (client: Redis, keys: readonly string[], args: readonly (string | number)[]) => Promise<unknown>;

/**
 * A Lua script that Redis runs atomically (EVAL, https://redis.io/docs/latest/develop/interactive/programmability/eval-intro/):
 * sent by its SHA-1 (EVALSHA), and in full only when this Redis has not seen it yet (NOSCRIPT, e.g. after a restart).
 * Works with any ioredis client as given (no `defineCommand` on a client the caller owns).
 *
 * @example
 * const incr = redisScript("return redis.call('INCR', KEYS[1])");
 * await incr(client, ['counter'], []); // 1
 */
export function redisScript(lua: string): RedisScript {
  const sha = createHash('sha1').update(lua).digest('hex');
  return async (client, keys, args) => {
    try {
      return await client.evalsha(sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return client.eval(lua, keys.length, ...keys, ...args);
    }
  };
}
