import type { Middleware } from '../app.js';
import { HttpError } from '../errors.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface SameOriginOptions {
  /** Other origins allowed to send state-changing requests, e.g. `https://admin.example.com`. */
  allow?: readonly string[];
}

/**
 * Refuses cross-site state-changing requests (CSRF) with 403: for every method but GET, HEAD and OPTIONS, the
 * request must not be marked `Sec-Fetch-Site: cross-site`, and its `Origin` (or, failing that, `Referer`) must be
 * this server's own origin or an allowed one. A request with neither header did not come from a browser page
 * (browsers send Origin on every cross-origin and same-origin POST), so it carries no ambient-cookie risk and passes.
 * Pair it with SameSite=Lax session cookies.
 *
 * @example
 * app.use(sameOrigin());
 */
export function sameOrigin({ allow = [] }: SameOriginOptions = {}): Middleware {
  const allowed = new Set(
    allow.map((origin) => {
      try {
        return new URL(origin).origin;
      } catch {
        throw new TypeError(`option allow must hold absolute origins such as https://example.com, got ${origin}`);
      }
    }),
  );
  return (ctx, next) => {
    if (SAFE_METHODS.has(ctx.method)) return next();
    // Fetch Metadata (W3C): the browser's own word on where the request came from.
    const site = ctx.headers['sec-fetch-site'];
    if (site === 'cross-site') throw forbidden();
    const origin = ctx.headers.origin ?? refererOrigin(ctx.headers.referer);
    if (origin === undefined) return next();
    if (origin === ctx.origin || allowed.has(origin)) return next();
    throw forbidden();
  };
}

function refererOrigin(referer: string | undefined): string | undefined {
  if (referer === undefined) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return 'null';
  }
}

function forbidden(): HttpError {
  return new HttpError(403, 'CROSS_SITE_REQUEST', 'cross-site requests may not change anything here');
}
