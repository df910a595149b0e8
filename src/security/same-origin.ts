import type { Middleware } from '../app.js';
import { HttpError } from '../errors.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Options of {@link sameOrigin}.
 *
 * @example
 * app.use(sameOrigin({ allow: ['https://admin.example.com'], strict: true }));
 */
export interface SameOriginOptions {
  /**
   * Other origins allowed to send state-changing requests, e.g. `https://admin.example.com`. A request from one
   * of them passes even when the browser marks it `Sec-Fetch-Site: cross-site`, as it will for another site.
   */
  allow?: readonly string[];
  /**
   * Refuse a state-changing request that carries neither `Origin` nor `Referer` (false). Every browser in use
   * sends Origin on a POST, PUT, PATCH or DELETE, so this costs a browser nothing; it turns away clients that are
   * not browsers (curl, scripts) unless they send an Origin.
   */
  strict?: boolean;
}

/**
 * Refuses cross-site state-changing requests (CSRF) with 403: for every method but GET, HEAD and OPTIONS, the
 * request's `Origin` (or, failing that, `Referer`) must be this server's own origin or an allowed one, and a
 * request from this server's own origin must not be marked `Sec-Fetch-Site: cross-site`. A request with neither
 * header did not come from a browser page (browsers send Origin on every cross-origin and same-origin POST), so it
 * carries no ambient-cookie risk and passes, unless `strict` is set. Pair it with SameSite=Lax session cookies.
 *
 * @example
 * app.use(sameOrigin({ allow: ['https://admin.example.com'] }));
 */
export function sameOrigin({ allow = [], strict = false }: SameOriginOptions = {}): Middleware {
  if (!Array.isArray(allow)) throw new TypeError(`option allow must be an array of origins, got ${String(allow)}`);
  if (typeof strict !== 'boolean') throw new TypeError(`option strict must be a boolean, got ${String(strict)}`);
  const allowed = new Set(
    allow.map((entry: unknown) => {
      let origin: string;
      try {
        origin = new URL(String(entry)).origin;
      } catch {
        origin = 'null';
      }
      // An opaque origin (file:, data:) serialises as "null", which is also what a sandboxed frame on any site sends.
      if (origin === 'null') throw new TypeError(`option allow must hold absolute origins such as https://example.com, got ${String(entry)}`);
      return origin;
    }),
  );
  return (ctx, next) => {
    if (SAFE_METHODS.has(ctx.method)) return next();
    const origin = ctx.headers.origin ?? refererOrigin(ctx.headers.referer);
    // The allow list is what the operator vouches for: another site is exactly what the browser calls cross-site.
    if (origin !== undefined && allowed.has(origin)) return next();
    // Fetch Metadata (W3C): the browser's own word on where the request came from, which wins over a matching or
    // missing Origin (one rewritten by a proxy, or a redirect chain that went through another site).
    if (ctx.headers['sec-fetch-site'] === 'cross-site') throw forbidden();
    if (origin === undefined) {
      if (strict) throw new HttpError(403, 'ORIGIN_REQUIRED', 'a request that changes something must send Origin or Referer');
      return next();
    }
    if (origin === ctx.origin) return next();
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
