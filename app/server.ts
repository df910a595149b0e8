import {
  createApp,
  createLifecycle,
  health,
  sameOrigin,
  securityHeaders,
  sessions,
  type App,
  type AttemptCounter,
  type Lifecycle,
  type Logger,
  type Metrics,
  type SessionStore,
  type TrustProxy,
} from '../src/index.js';
import { accountThrottle, type AccountLimits } from './auth/throttle.js';
import { authRoutes } from './routes/auth.js';
import { withErrorPages } from './routes/error-pages.js';
import { languageRoutes } from './routes/language.js';
import { pageRoutes } from './routes/pages.js';
import { staticRoutes } from './routes/static.js';
import { userRoutes } from './routes/users.js';
import type { UserRepository } from './users/repo.js';

export interface AppDeps {
  readonly log: Logger;
  readonly users: UserRepository;
  readonly sessionStore: SessionStore;
  /** Where failed logins and registrations are counted: the session store's backend (`attemptCounterBeside`). */
  readonly attempts: AttemptCounter;
  /** Login and registration limits; DEFAULT_ACCOUNT_LIMITS for what is left out. */
  readonly limits?: Partial<AccountLimits>;
  /** The front end's files (app/public). */
  readonly publicDir: string;
  /** The process's lifecycle, for `/readyz`; a tests' app gets one that is ready at once. */
  readonly lifecycle?: Lifecycle;
  /** Peers whose forwarded headers are believed (`--trust-proxy`). */
  readonly trustProxy?: TrustProxy;
  /** Request metrics (`--metrics-port`): every request is counted, health checks and static files included. */
  readonly metrics?: Pick<Metrics, 'instrument'>;
}

/**
 * The member directory: pages, front end, users API, login, in Korean and English. Static files are answered before
 * the session middleware runs, so a stylesheet never costs a session lookup. Errors become pages in the reader's
 * language for browsers (JSON for everyone else): the wrapper sits around the static files rather than before them,
 * so a static cache hit stays synchronous while every error after it is still caught.
 *
 * Every reply says what a browser may do with it (securityHeaders): files have the headers built in, and the wrapper
 * around the rest adds them, with `Cache-Control: no-store` unless the route says otherwise — pages and API answers
 * depend on who is logged in, so no browser or proxy keeps them. The pages load no inline script or style, so the
 * default Content-Security-Policy (`default-src 'self'`, no framing) holds them. No referrer leaves the site: it
 * links nowhere else, and another site has no business knowing member URLs.
 */
export function buildApp({ log, users, sessionStore, attempts, limits, publicDir, lifecycle = readyLifecycle(log), trustProxy = false, metrics }: AppDeps): App {
  const app = createApp({ log, trustProxy });
  metrics?.instrument(app);
  const security = securityHeaders({ referrerPolicy: 'same-origin', cacheControl: 'no-store' });
  app.use(health(lifecycle));
  app.use(security.around(withErrorPages(staticRoutes(publicDir, security.headers))));
  app.use(sameOrigin());
  app.use(sessions({ store: sessionStore }));
  const pages = pageRoutes(app, users);
  const throttle = accountThrottle(attempts, limits);
  userRoutes(app, users, pages, throttle);
  authRoutes(app, users, pages, throttle);
  languageRoutes(app);
  return app;
}

function readyLifecycle(log: Logger): Lifecycle {
  const lifecycle = createLifecycle({ log });
  lifecycle.ready();
  return lifecycle;
}
