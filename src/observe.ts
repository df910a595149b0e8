import { channel } from 'node:diagnostics_channel';
import type { Logger } from 'pino';
import type { Context } from './context.js';

/**
 * One finished request, as every observer (the access log, metrics, your own) sees it.
 *
 * @example
 * app.observe(({ status, route, durationMs }) => latency.observe({ status, route: route ?? 'none' }, durationMs));
 */
export interface FinishedRequest {
  readonly ctx: Context;
  /** The status sent; 499 when the client went away before the reply could be sent. */
  readonly status: number;
  /** The matched route's pattern (`/users/:id`), never the raw path; undefined when no route matched. */
  readonly route: string | undefined;
  /** Milliseconds from the request's arrival to the end of its reply. */
  readonly durationMs: number;
  /** Body bytes of the reply, when known (Content-Length or a body in memory). */
  readonly bytes: number | undefined;
  /** Why the reply did not complete (the client left mid-body, a stream failed). */
  readonly error: unknown;
}

/**
 * Called once per request after its reply is written or failed; it must not throw and should be quick.
 *
 * @example
 * const slow: RequestObserver = ({ ctx, durationMs }) => {
 *   if (durationMs > 1000) ctx.log.warn({ durationMs }, 'slow request');
 * };
 * app.observe(slow);
 */
export type RequestObserver = (finished: FinishedRequest) => void;

/**
 * Node's own way to watch requests from outside the app (APM agents, a metrics module): every finished request is
 * also published here, at the cost of one check when nobody subscribes.
 *
 * @example
 * import { subscribe } from 'node:diagnostics_channel';
 * subscribe('maru:request:finish', (message) => console.log((message as FinishedRequest).status));
 */
export const requestFinishChannel = channel('maru:request:finish');

/**
 * The access log as an observer: one info line per request with its id, method, path (without the query),
 * status, client address (through trusted proxies), duration and bytes.
 *
 * @example
 * app.observe(accessLog(app.log));
 */
export function accessLog(log: Logger): RequestObserver {
  return ({ ctx, status, durationMs, bytes }) => {
    const ms = Math.round(durationMs * 100) / 100;
    log.info({ reqId: ctx.id, method: ctx.method, path: ctx.path, status, ip: ctx.ip, ms, bytes }, 'request');
  };
}
