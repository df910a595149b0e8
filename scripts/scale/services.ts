import { Redis } from 'ioredis';
import pg from 'pg';

/**
 * Checks that PostgreSQL and Redis answer at these URLs (a query and a PING, 3 s each); resolves with a list of
 * one-line problems, empty when both are fine. Done before any instance starts, so a service that is down is
 * one clear sentence instead of two instances failing to start.
 *
 * @example
 * const problems = await checkServices('postgres://postgres@127.0.0.1:5432/test', 'redis://127.0.0.1:6379');
 */
export async function checkServices(databaseUrl: string, redisUrl: string): Promise<string[]> {
  const results = await Promise.all([checkPostgres(databaseUrl), checkRedis(redisUrl)]);
  return results.filter((problem): problem is string => problem !== undefined);
}

async function checkPostgres(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000, query_timeout: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return `PostgreSQL is not reachable at ${redact(url)}: ${(err as Error).message || String(err)}`;
  } finally {
    await client.end().catch(() => {});
  }
}

async function checkRedis(url: string): Promise<string | undefined> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 3000, commandTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // The socket's own error (ECONNREFUSED …) says more than the "Connection is closed" connect() rejects with.
  let cause: Error | undefined;
  redis.on('error', (err: Error) => (cause ??= err));
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (err) {
    return `Redis is not reachable at ${redact(url)}: ${(cause ?? (err as Error)).message || String(err)}`;
  } finally {
    redis.disconnect();
  }
}

/** The URL without its password, for a message. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.href;
  } catch {
    return '(a malformed URL)';
  }
}
