import { createApp, type App, type AppOptions } from '../src/index.js';
import { pageRoutes } from './routes/pages.js';

/** The member directory's app: every route and middleware, ready to listen or to inject into. */
export function buildApp(options: AppOptions = {}): App {
  const app = createApp(options);
  pageRoutes(app);
  return app;
}
