// Loaded with `node --import` into a maru process: on SIGUSR2 it writes one JSON line to stderr saying whether
// prom-client is loaded, so a test can check what a start-up pays for.
import { createRequire } from 'node:module';

process.on('SIGUSR2', () => {
  const cache = Object.keys(createRequire(import.meta.url).cache);
  const loaded = { promClient: cache.some((path) => path.includes('/node_modules/prom-client/')) };
  process.stderr.write(`${JSON.stringify({ loaded })}\n`);
});
