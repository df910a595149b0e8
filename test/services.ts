import { connect } from 'node:net';

/** The real services the suites use; override with TEST_DATABASE_URL / TEST_REDIS_URL. */
export const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const URLS = { postgres: DATABASE_URL, redis: REDIS_URL } as const;
const DEFAULT_PORTS = { postgres: 5432, redis: 6379 } as const;

/**
 * Decides whether a suite that needs a service runs. Returns `false` (run it) when the service answers; otherwise
 * a skip reason on a developer's machine, and in CI (`CI=true`) it throws, so an unreachable service fails the run.
 *
 * @example
 * const skip = await serviceSkip('redis');
 * describe('RedisStore', { skip }, () => { … });
 */
export async function serviceSkip(service: keyof typeof URLS): Promise<string | false> {
  const url = new URL(URLS[service]);
  const port = Number(url.port || DEFAULT_PORTS[service]);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (await reachable(host, port)) return false;
  const reason = `${service} is not reachable at ${host}:${port}`;
  if (process.env.CI === 'true') throw new Error(`${reason}, and CI=true: the ${service} suites must run in CI`);
  return `${reason} (start it to run this suite)`;
}

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}
