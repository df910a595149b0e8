import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Contender, Scenario } from '../scenario.js';

const server = fileURLToPath(new URL('../servers/maru.js', import.meta.url));
const appMain = fileURLToPath(new URL('../../app/main.js', import.meta.url));

/** The member directory as `maru serve` runs it (no access log), each with a data directory of its own. */
const app = (name: string, extra: readonly string[]): Contender => ({
  name,
  command: (port, workDir) => [process.execPath, appMain, 'serve', '--port', String(port), '--host', '127.0.0.1', '--data', join(workDir, name.replace(/\W+/g, '-')), ...extra],
  env: { LOG_LEVEL: 'warn' },
});

/**
 * What counting every request costs (issue 14: within 5 % by CPU time per request on `/hello`): the bare toolkit
 * and the whole member directory, each with metrics off and on. The CPU/request column is the figure to read;
 * requests/s moves with whatever else the machine does.
 */
export const metrics: Scenario = {
  id: 'metrics',
  title: 'Metrics: the cost of counting every request',
  baseline: 'maru',
  interleave: true,
  targets: [{ name: 'GET /hello', path: '/hello' }],
  contenders: [
    { name: 'maru', command: () => [process.execPath, server] },
    { name: 'maru (metrics on)', command: () => [process.execPath, server], env: { MARU_METRICS: '1' } },
    app('app', []),
    app('app (metrics on)', ['--metrics-port', '0']),
  ],
  goals: [
    { contender: 'maru (metrics on)', against: 'maru', atLeast: 0.95 },
    { contender: 'app (metrics on)', against: 'app', atLeast: 0.95 },
  ],
};
