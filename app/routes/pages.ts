import type { App } from '../../src/index.js';

const HOME = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>maru</title>
<h1>maru</h1>
<ul>
  <li><a href="/hello">/hello</a></li>
  <li><a href="/healthz">/healthz</a></li>
</ul>
`;

/** The skeleton's pages: a home page with links, the book's hello, and a health check. */
export function pageRoutes(app: App): void {
  app.get('/', (ctx) => ctx.html(HOME));
  app.get('/hello', (ctx) => ctx.text('Hello Node!'));
  app.get('/healthz', (ctx) => ctx.json({ status: 'ok' }));
}
