// A cluster built on the toolkit alone, as a toolkit user would write it: the primary runs runCluster(), each
// worker a small app that joins it. TINY_CLUSTER (JSON) sets the workers, a MemoryStore, the memory guard.
import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import { createApp, createLifecycle, createLogger, EXIT, handleProcessEvents, joinCluster, listen, MemoryStore, runCluster, sessions } from '../../src/index.js';

interface TinyOptions {
  workers?: number;
  memoryStore?: boolean;
  /** A worker refuses to start while this file exists (a broken deploy). */
  brokenIf?: string;
  maxWorkerRss?: number;
  memoryCheckInterval?: number;
}

const options = JSON.parse(process.env.TINY_CLUSTER ?? '{}') as TinyOptions;
const log = createLogger();
const lifecycle = createLifecycle({ log, ...(cluster.isPrimary ? { stopTimeout: 30_000 } : {}) });
handleProcessEvents(lifecycle, { log });
let failure: string | undefined;
lifecycle.onChange((state, reason) => {
  if (state === 'draining' && reason?.cause === 'start-failed') failure = reason.detail;
});

try {
  if (cluster.isPrimary) {
    await runCluster(lifecycle, {
      log,
      workers: options.workers ?? 2,
      ...(options.maxWorkerRss === undefined ? {} : { maxWorkerRss: options.maxWorkerRss }),
      ...(options.memoryCheckInterval === undefined ? {} : { memoryCheckInterval: options.memoryCheckInterval }),
    });
  } else {
    const app = createApp({ log });
    if (options.memoryStore === true) app.use(sessions({ store: new MemoryStore() }));
    app.get('/hello', (ctx) => ctx.text('Hello from a tiny cluster'));
    // Joined first, so the primary hears why this worker stops if anything below fails.
    await joinCluster(lifecycle, { log });
    if (options.brokenIf !== undefined && existsSync(options.brokenIf)) throw new Error('this build is broken');
    const server = await listen(app, { port: 0, host: '127.0.0.1' });
    lifecycle.onStop(() => server.close());
    lifecycle.ready();
    log.info({ urls: server.urls }, 'listening');
  }
} catch (err) {
  await lifecycle.stop({ cause: 'start-failed', exitCode: EXIT.failed, detail: (err as Error).message });
}
const code = await lifecycle.done;
if (failure !== undefined && cluster.isPrimary) process.stderr.write(`tiny-cluster: ${failure}\n`);
await new Promise<void>((resolve) => log.flush(() => resolve()));
process.exit(code);
