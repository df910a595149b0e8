// maru as the benchmark runs it. Env MARU_ACCESS_LOG=1: one pino access line per request at info (to stdout,
// which the runner sends to /dev/null). Env MARU_METRICS=1: every request counted (createMetrics), with /metrics
// on a port of its own, as `maru serve --metrics-port` does. Env MARU_EXTRA_ROUTES=N: N more routes (static, with a parameter, and
// under /users/:id), registered before the measured ones, so a router that scanned its list would pay for them.
import { createApp, createLogger, createMetrics, HttpError, listen, serveMetrics } from '../../src/index.js';
import { portFromEnv, userList, users } from './users.js';

const accessLog = process.env.MARU_ACCESS_LOG === '1';
const extraRoutes = Number(process.env.MARU_EXTRA_ROUTES ?? 0);
if (!Number.isInteger(extraRoutes) || extraRoutes < 0) throw new TypeError(`MARU_EXTRA_ROUTES must be a whole number, got ${process.env.MARU_EXTRA_ROUTES}`);

const app = createApp({ log: createLogger({ level: accessLog ? 'info' : 'silent', pretty: false }) });
if (process.env.MARU_METRICS === '1') {
  const metrics = await createMetrics();
  metrics.instrument(app);
  await serveMetrics(metrics, { port: 0, log: app.log });
}
for (let i = 0; i < extraRoutes; i++) {
  const n = Math.floor(i / 3);
  if (i % 3 === 0) app.get(`/api/v1/resource${n}`, (ctx) => ctx.text(`resource ${n}`));
  else if (i % 3 === 1) app.get(`/api/v1/resource${n}/:id/detail`, (ctx) => ctx.json({ n, id: ctx.params.id }));
  else app.get(`/users/:id/field${n}`, (ctx) => ctx.json({ n, id: ctx.params.id }));
}
app.get('/hello', (ctx) => ctx.text('Hello Node!'));
app.get('/users', (ctx) => ctx.json(userList));
app.get('/users/:id', (ctx) => {
  const user = users.get(Number(ctx.params.id));
  if (user === undefined) throw new HttpError(404, 'NOT_FOUND', 'no such user');
  return ctx.json(user);
});
await listen(app, { port: portFromEnv(), host: '127.0.0.1' });
