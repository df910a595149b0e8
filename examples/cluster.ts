// The book's cluster.js on maru: the primary forks WORKERS workers that share one port (round-robin), serves no
// request itself, and replaces a worker that leaves — after a delay that doubles with each failure in a row
// (100 ms, 200 ms, …). Workers that keep failing at start-up make it stop with their error instead of forking
// forever (the book's fork storm). SIGTERM or Ctrl-C drains every worker, then exits 0.
// Run: npm run example -- cluster      (PORT=8080, HOST=127.0.0.1, WORKERS=2; the book forks one per core)
//   curl -X POST $URL/crash      the worker that answers crashes a second later (in the book, every worker does)
//   CRASH_ON_START=1             every worker throws before it listens: a bad deploy
import cluster from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { createApp, createLifecycle, createLogger, EXIT, handleProcessEvents, joinCluster, listen, runCluster } from '../src/index.js';

const { PORT = '8080', HOST = '127.0.0.1', WORKERS = '2', CRASH_ON_START } = process.env;

const log = createLogger();
// The primary's stop waits for its workers' (20 s at most) before its own deadline.
const life = createLifecycle({ log, ...(cluster.isPrimary ? { stopTimeout: 30_000 } : {}) });
handleProcessEvents(life, { log });

if (cluster.isPrimary) {
  let failure: string | undefined;
  life.onChange((state, reason) => {
    if (state === 'draining' && reason?.cause === 'start-failed') failure = reason.detail;
  });
  // node:cluster tells the primary where its workers listen (with PORT=0, the port the first one was given).
  let url: string | undefined;
  cluster.once('listening', (_worker, address) => (url = `http://${HOST.includes(':') ? `[${HOST}]` : HOST}:${address.port}`));
  life.onChange((state) => {
    if (state === 'ready') console.log(`cluster: ${url}`);
  });
  try {
    // The workers run this file, however the primary was started (`npm run example` imports it from a runner).
    await runCluster(life, { log, workers: Number(WORKERS), exec: fileURLToPath(import.meta.url), args: [] });
  } catch (err) {
    await life.stop({ cause: 'start-failed', exitCode: EXIT.usage, detail: (err as Error).message }); // e.g. WORKERS=0
  }
  await life.done;
  // One line, from the primary, once: e.g. "workers keep failing to start (5 times within 60 s): cannot start …"
  if (failure !== undefined) console.error(`cluster: ${failure}`);
} else {
  // Joined first, so that the primary hears why this worker stops if anything below fails.
  const worker = (await joinCluster(life, { log }))!;
  const name = `worker ${worker.id} (pid ${process.pid})`;
  const app = createApp({ log });
  app.get('/', (ctx) => ctx.text(`Hello from ${name}\n`));
  // The book's workers end themselves a second after answering; this one does when asked, by an error nothing
  // catches: the safety net (handleProcessEvents) lets it finish its requests and exit 70, and the primary forks
  // another. (A bare process.exit() can leave unanswered a connection the primary has just handed it.)
  app.post('/crash', (ctx) => {
    setTimeout(() => {
      throw new Error('crashed on request (POST /crash)');
    }, 1000);
    return ctx.text(`${name} crashes in a second\n`);
  });
  try {
    if (CRASH_ON_START) throw new Error('cannot start (a bad deploy)');
    const server = await listen(app, { port: Number(PORT), host: HOST });
    life.onStop(() => server.close());
    life.ready();
  } catch (err) {
    await life.stop({ cause: 'start-failed', exitCode: EXIT.failed, detail: (err as Error).message });
  }
}
// An explicit exit: a worker's channel to the primary would keep it alive.
const code = await life.done;
await new Promise<void>((resolve) => log.flush(() => resolve()));
process.exit(code);
