import type { Middleware } from '../app.js';
import type { Reply } from '../reply.js';
import type { Lifecycle } from './lifecycle.js';

export interface HealthOptions {
  /** Path of the liveness check: 200 while the process runs. Default `/healthz`. */
  livePath?: string;
  /** Path of the readiness check: 200 only while ready and every check passes, else 503. Default `/readyz`. */
  readyPath?: string;
  /** Named readiness checks (storage open, a pool that answers); a check that throws or returns false fails. */
  checks?: Readonly<Record<string, () => boolean | Promise<boolean>>>;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const NO_STORE = 'no-store';

/**
 * `/healthz` and `/readyz` for a load balancer or an orchestrator, answered first in the middleware chain (no
 * session, no static lookup). Liveness is 200 while the process runs at all; readiness is 200 only while the
 * lifecycle is `ready` and the checks pass, and 503 while starting or draining, so a balancer stops sending new
 * requests to a process before it closes its listeners.
 *
 * @example
 * app.use(health(lifecycle, { checks: { database: () => db.open } }));
 */
export function health(lifecycle: Lifecycle, { livePath = '/healthz', readyPath = '/readyz', checks = {} }: HealthOptions = {}): Middleware {
  for (const [name, path] of Object.entries({ livePath, readyPath })) {
    if (typeof path !== 'string' || !path.startsWith('/')) throw new TypeError(`option ${name} must be a path starting with /, got ${String(path)}`);
  }
  const named = Object.entries(checks);
  for (const [name, check] of named) if (typeof check !== 'function') throw new TypeError(`health check ${name} must be a function`);
  const live = reply(200, { status: 'ok' });

  async function readiness(): Promise<Reply> {
    if (lifecycle.state !== 'ready') return reply(503, { status: lifecycle.state });
    const failed: string[] = [];
    await Promise.all(
      named.map(async ([name, check]) => {
        const ok = await Promise.resolve()
          .then(check)
          .catch(() => false);
        if (ok !== true) failed.push(name);
      }),
    );
    return failed.length === 0 ? reply(200, { status: 'ready' }) : reply(503, { status: 'unavailable', failed: failed.sort() });
  }

  return (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (ctx.path === livePath) return live;
    if (ctx.path === readyPath) return readiness();
    return next();
  };
}

function reply(status: number, data: unknown): Reply {
  const body = JSON.stringify(data);
  const headers = { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body), 'cache-control': NO_STORE };
  return status === 503 ? { status, headers: { ...headers, 'retry-after': '1' }, body } : { status, headers, body };
}
