import { serveStatic, type Middleware } from '../../src/index.js';

const PREFIX = '/static/';

/**
 * The front end's files: `/static/*` from app/public. It runs as the first middleware and answers these paths
 * itself, so static requests never reach the session store. Names are not content-hashed, so browsers revalidate
 * (`no-cache`) and mostly get a 304 from the hot cache. `headers` (the security headers) are built into every file
 * reply.
 */
export function staticRoutes(publicDir: string, headers: Readonly<Record<string, string>>): Middleware {
  const files = serveStatic({ root: publicDir, cacheControl: 'no-cache', headers });
  return (ctx, next) => {
    if (ctx.path.startsWith(PREFIX)) {
      ctx.params = { '*': ctx.path.slice(PREFIX.length) };
      return files(ctx);
    }
    return next();
  };
}
