import { errorReply, type Middleware } from '../app.js';
import type { Reply } from '../reply.js';

/**
 * A directive's value: one string, several sources (joined with spaces), or `false` to drop a default.
 *
 * @example
 * securityHeaders({ contentSecurityPolicy: { 'img-src': ["'self'", 'https://img.example.com'], 'object-src': false } });
 */
export type CspValue = string | readonly string[] | false;

/**
 * Referrer-Policy tokens (W3C Referrer Policy §3).
 *
 * @example
 * securityHeaders({ referrerPolicy: 'strict-origin-when-cross-origin' });
 */
export type ReferrerPolicy =
  | 'no-referrer'
  | 'no-referrer-when-downgrade'
  | 'same-origin'
  | 'origin'
  | 'strict-origin'
  | 'origin-when-cross-origin'
  | 'strict-origin-when-cross-origin'
  | 'unsafe-url';

/**
 * Options of {@link securityHeaders}: each header can be changed or turned off.
 *
 * @example
 * securityHeaders({ frameAncestors: 'self', cacheControl: 'no-store' });
 */
export interface SecurityHeadersOptions {
  /**
   * Content-Security-Policy directives laid over the defaults — `default-src 'self'` (so no inline script or style,
   * no eval, nothing from other origins), `base-uri 'self'`, `form-action 'self'`, `object-src 'none'` — e.g.
   * `{ 'img-src': ["'self'", 'https://cdn.example'] }`; a directive set to `false` is dropped. `false` sends no CSP.
   * Frame ancestors have their own option.
   */
  contentSecurityPolicy?: Readonly<Record<string, CspValue>> | false;
  /**
   * Who may show the pages in a frame (clickjacking): `'none'` (the default), `'self'`, or a list of origins
   * (`'self'` may be one of them). Sets CSP `frame-ancestors`, and `X-Frame-Options` (DENY, SAMEORIGIN) for browsers
   * without CSP 2; a list of other origins has no X-Frame-Options form, so that header is then left out.
   */
  frameAncestors?: 'none' | 'self' | readonly string[];
  /** Referrer-Policy (`'strict-origin-when-cross-origin'`); `false` sends none. */
  referrerPolicy?: ReferrerPolicy | false;
  /** `X-Content-Type-Options: nosniff`, so a browser never runs or renders a file as another type than sent (true). */
  noSniff?: boolean;
  /**
   * Cache-Control of the replies that set none (`false`: leave them alone). `'no-store'` keeps pages that show who
   * is logged in out of the browser's and any proxy's cache.
   */
  cacheControl?: string | false;
}

/**
 * The middleware, with what it adds for the two cases where a middleware in front is not the right fit.
 *
 * @example
 * const security = securityHeaders();
 * app.use(security.around(serveStatic({ root: 'public', headers: security.headers })));
 */
export type SecurityHeadersMiddleware = Middleware & {
  /** The headers, for replies built ahead of time: `serveStatic({ headers })` builds them into its cached files. */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * `inner` with the headers added to every reply it gives, its synchronous ones (a static cache hit) staying
   * synchronous; errors pass through untouched, for a wrapper inside it to answer (an error-page middleware). A reply
   * that already carries this Content-Security-Policy, as a file built with `headers` does, is passed on as it is.
   */
  around(inner: Middleware): Middleware;
};

const DEFAULT_CSP: Readonly<Record<string, CspValue>> = {
  'default-src': "'self'",
  'base-uri': "'self'",
  'form-action': "'self'",
  'object-src': "'none'",
};
const REFERRER_POLICIES: ReadonlySet<string> = new Set([
  'no-referrer',
  'no-referrer-when-downgrade',
  'same-origin',
  'origin',
  'strict-origin',
  'origin-when-cross-origin',
  'strict-origin-when-cross-origin',
  'unsafe-url',
]);
const DIRECTIVE_NAME = /^[a-z][a-z0-9-]*$/;
// CSP §2.2: ';' separates directives and ',' policies; a value must not hold either (nor break the header line).
const BAD_IN_VALUE = /[;,\r\n\0]/;

/**
 * Adds the headers that tell a browser what a page may do: a Content-Security-Policy, `X-Frame-Options`,
 * `X-Content-Type-Options: nosniff`, `Referrer-Policy`, and optionally a default `Cache-Control`. The header values
 * are checked and built once, here; per request the middleware lays them under the reply's own headers (a route
 * that sets its own policy keeps it), error replies included. Mount it first — or right after a static-files
 * handler that answers on its own, passing it `headers` so that files carry the same headers at no cost per request;
 * or wrap the first middleware with `around()`, which keeps its synchronous answers synchronous.
 *
 * @example
 * const security = securityHeaders({ cacheControl: 'no-store' });
 * app.use(serveStatic({ root: 'public', headers: security.headers }));
 * app.use(security);
 * // or, keeping an error-page wrapper's work: app.use(security.around(withErrorPages(files)));
 */
export function securityHeaders(options: SecurityHeadersOptions = {}): SecurityHeadersMiddleware {
  if (options === null || typeof options !== 'object') throw new TypeError(`securityHeaders() options must be an object, got ${String(options)}`);
  const { contentSecurityPolicy = {}, frameAncestors = 'none', referrerPolicy = 'strict-origin-when-cross-origin', noSniff = true, cacheControl = false } = options;
  const ancestors = frameAncestorSources(frameAncestors);
  const headers: Record<string, string> = {};
  if (contentSecurityPolicy !== false) headers['content-security-policy'] = buildPolicy(contentSecurityPolicy, ancestors);
  const frameOptions = ancestors === "'none'" ? 'DENY' : ancestors === "'self'" ? 'SAMEORIGIN' : undefined;
  if (frameOptions !== undefined) headers['x-frame-options'] = frameOptions;
  if (typeof noSniff !== 'boolean') throw new TypeError(`option noSniff must be a boolean, got ${String(noSniff)}`);
  if (noSniff) headers['x-content-type-options'] = 'nosniff';
  if (referrerPolicy !== false) {
    if (!REFERRER_POLICIES.has(referrerPolicy)) throw new TypeError(`option referrerPolicy must be a Referrer-Policy token or false, got ${String(referrerPolicy)}`);
    headers['referrer-policy'] = referrerPolicy;
  }
  Object.freeze(headers);

  let defaults: Readonly<Record<string, string>> = headers;
  if (cacheControl !== false) {
    if (typeof cacheControl !== 'string' || cacheControl.trim() === '' || /[\r\n\0]/.test(cacheControl)) {
      throw new TypeError(`option cacheControl must be a header value or false, got ${JSON.stringify(cacheControl)}`);
    }
    defaults = Object.freeze({ ...headers, 'cache-control': cacheControl });
  }

  // Something that is not a reply (a handler's bug) is passed on untouched, for the app to answer with its 500.
  const withDefaults = (reply: Reply): Reply =>
    reply !== null && typeof reply === 'object' && typeof reply.status === 'number' ? { ...reply, headers: { ...defaults, ...reply.headers } } : reply;
  // A thrown error becomes its reply here (the same errorReply the app would use), so error pages carry the headers.
  const middleware: Middleware = (ctx, next) => next().then(withDefaults, (err: unknown) => withDefaults(errorReply(ctx, err)));
  const policy = headers['content-security-policy'];
  const complete = (reply: Reply): Reply => (policy !== undefined && reply.headers?.['content-security-policy'] === policy ? reply : withDefaults(reply));
  const around = (inner: Middleware): Middleware => {
    if (typeof inner !== 'function') throw new TypeError('securityHeaders().around() needs a middleware function');
    return (ctx, next) => {
      const result = inner(ctx, next);
      return result instanceof Promise ? result.then(complete) : complete(result);
    };
  };
  return Object.assign(middleware, { headers, around });
}

/** The CSP header value: defaults, then the caller's directives in order, then frame-ancestors. */
function buildPolicy(overrides: Readonly<Record<string, CspValue>>, ancestors: string): string {
  if (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides)) {
    throw new TypeError(`option contentSecurityPolicy must be an object of directives or false, got ${String(overrides)}`);
  }
  const directives = { ...DEFAULT_CSP };
  for (const [name, value] of Object.entries(overrides)) {
    if (!DIRECTIVE_NAME.test(name)) throw new TypeError(`option contentSecurityPolicy has an invalid directive name ${JSON.stringify(name)}`);
    if (name === 'frame-ancestors') throw new TypeError('option contentSecurityPolicy must not set frame-ancestors: use option frameAncestors');
    directives[name] = value;
  }
  const parts: string[] = [];
  for (const [name, value] of Object.entries(directives)) {
    if (value === false) continue;
    const sources = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(sources) || sources.some((source) => typeof source !== 'string' || BAD_IN_VALUE.test(source))) {
      throw new TypeError(`option contentSecurityPolicy.${name} must be a string or strings without ; , CR or LF, got ${JSON.stringify(value)}`);
    }
    parts.push(sources.length === 0 ? name : `${name} ${sources.join(' ')}`);
  }
  parts.push(`frame-ancestors ${ancestors}`);
  return parts.join('; ');
}

/** The frame-ancestors source list: 'none', 'self', or origins (each checked to be a real, non-opaque origin). */
function frameAncestorSources(value: 'none' | 'self' | readonly string[]): string {
  if (value === 'none') return "'none'";
  if (value === 'self') return "'self'";
  if (!Array.isArray(value) || value.length === 0) {
    throw new TypeError(`option frameAncestors must be 'none', 'self' or a non-empty list of origins, got ${JSON.stringify(value)}`);
  }
  return value
    .map((entry: unknown) => {
      if (entry === 'self') return "'self'";
      let origin = 'null';
      try {
        origin = new URL(String(entry)).origin;
      } catch {
        // reported below
      }
      if (origin === 'null') throw new TypeError(`option frameAncestors must hold 'self' or origins such as https://example.com, got ${String(entry)}`);
      return origin;
    })
    .join(' ');
}
