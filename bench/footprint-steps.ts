// Run by bench/footprint.ts in a fresh process: `node dist/bench/footprint-steps.js <data dir>`. It does what
// `maru serve` does before its first answer, one phase at a time, and prints each phase's cost as JSON on stdout:
// wall time, CPU time (of every thread: V8 optimises hot functions on another thread, so that work lands in whichever
// phase runs meanwhile) and resident memory added. (V8's --single-threaded would pin that work to its phase, but any
// V8 flag makes Node compile its own modules from source instead of its code cache, which costs more than it shows.)
import { createRequire } from 'node:module';
import { connect } from 'node:net';

interface Step {
  readonly name: string;
  readonly ms: number;
  readonly cpuMs: number;
  readonly rssMb: number;
}

const dataDir = process.argv[2];
if (dataDir === undefined) throw new TypeError('usage: footprint-steps.js <data dir>');
const steps: Step[] = [];

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

async function step<T>(name: string, work: () => T | Promise<T>): Promise<T> {
  const rss = process.memoryUsage.rss();
  const cpu = cpuMs();
  const started = performance.now();
  const result = await work();
  steps.push({ name, ms: performance.now() - started, cpuMs: cpuMs() - cpu, rssMb: (process.memoryUsage.rss() - rss) / 2 ** 20 });
  return result;
}

/** One request on a raw socket (no http client to load), resolved when the server has answered and closed. */
function firstAnswer(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'));
    let head = '';
    socket.setEncoding('latin1').on('data', (chunk: string) => (head += chunk));
    socket.once('error', reject);
    socket.once('close', () => (head.startsWith('HTTP/1.1 200') ? resolve() : reject(new Error(`GET /healthz answered ${head.slice(0, 40)}`))));
  });
}

const boot = performance.now();
const http = await step('node:http (the bare server loads it too)', () => import('node:http'));
// What the bare server does before its first answer, so the maru phase below shows only what maru adds to it.
await step('a bare node:http server: listen and the first answer', async () => {
  const bare = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  await firstAnswer((bare.address() as import('node:net').AddressInfo).port);
  await new Promise((resolve) => bare.close(resolve));
});
// The CommonJS packages the toolkit and the app load at start-up, required as they require them.
const require = createRequire(import.meta.url);
await step('cookie (required)', () => require('cookie'));
await step("better-sqlite3's JavaScript (required; the native addon loads with the first connection)", () => require('better-sqlite3'));
const toolkit = await step("maru: the toolkit's modules (src/index.js and what it imports)", () => import('../src/index.js'));
const [{ loadConfig }, { buildApp }, { openStorage }, { attemptCounterBeside }] = await step("maru: the app's modules (routes, pages, storage)", () =>
  Promise.all([import('../app/config.js'), import('../app/server.js'), import('../app/storage/open.js'), import('../app/auth/throttle.js')]),
);
const config = loadConfig(['serve', '--port', '0', '--host', '127.0.0.1', '--data', dataDir], {});
const log = await step('createLogger()', () => toolkit.createLogger({ level: 'warn', pretty: false }));
const lifecycle = toolkit.createLifecycle({ log });
const storage = await step('openStorage(): maru.db (native addon, pragmas, schema check, statements) for members and sessions', () => openStorage(config, log));
const publicDir = new URL('../app/public/', import.meta.url).pathname;
const attempts = attemptCounterBeside(storage.sessionStore);
const app = await step('buildApp()', () => buildApp({ log, users: storage.users, sessionStore: storage.sessionStore, attempts, publicDir, lifecycle }));
const server = await step('listen() and the first answer', async () => {
  const listening = await toolkit.listen(app, { port: 0, host: '127.0.0.1' });
  lifecycle.ready();
  await firstAnswer(Number(new URL(listening.urls[0]!).port));
  return listening;
});
const total = performance.now() - boot;
// Not part of start-up when the level keeps start-up quiet: what the first line at an enabled level costs.
await step('pino, on the first line logged (not at start-up)', () => {
  const pino = require('pino') as typeof import('pino').default;
  pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: true })).info('first line');
});
await server.close();
await storage.close();
process.stdout.write(`${JSON.stringify({ steps, totalMs: total, bootMs: boot })}\n`);
