import type { Middleware } from '../app.js';
import { HttpError } from '../errors.js';
import type { Reply } from '../reply.js';
import type { Lifecycle } from './lifecycle.js';

/**
 * Options of {@link health}: the two paths and the readiness checks.
 *
 * @example
 * app.use(health(life, { readyPath: '/ready', checks: { database: () => db.open } }));
 */
export interface HealthOptions {
  /** Path of the liveness check: 200 while the process runs. Default `/healthz`. */
  livePath?: string;
  /** Path of the readiness check: 200 only while ready and every check passes, else 503. Default `/readyz`. */
  readyPath?: string;
  /** Named readiness checks (storage open, a pool that answers); a check that throws or returns false fails. */
  checks?: Readonly<Record<string, () => boolean | Promise<boolean>>>;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const ALLOW = 'GET, HEAD, OPTIONS';
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
    const path = ctx.path;
    if (path !== livePath && path !== readyPath) return next();
    const method = ctx.method;
    if (method === 'GET' || method === 'HEAD') return path === livePath ? live : readiness();
    // Answered like any route of the router: OPTIONS lists the methods, others get 405 with the same list.
    if (method === 'OPTIONS') return { status: 204, headers: { allow: ALLOW }, body: null };
    throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed here`, { headers: { allow: ALLOW } });
  };
}

function reply(status: number, data: unknown): Reply {
  const body = JSON.stringify(data);
  const headers = { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body), 'cache-control': NO_STORE };
  return status === 503 ? { status, headers: { ...headers, 'retry-after': '1' }, body } : { status, headers, body };
}
