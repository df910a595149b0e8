// Runs every test file (unit tests beside their modules, socket and e2e tests under test/) with Node's own runner.
// Before that it says plainly which external services are reachable: suites that need an unreachable one skip on
// a developer's machine and fail in CI (CI=true).
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';

const roots = ['src', 'app', 'test'];
const only = process.argv.slice(2);

async function findTests(dir) {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const found = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules' && entry.name !== 'public') found.push(...(await findTests(path)));
    else if (entry.isFile() && entry.name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

function reachable(url, defaultPort) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port || defaultPort) });
    socket.setTimeout(1000);
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
    socket.once('error', () => resolve(false));
  });
}

const services = [
  ['PostgreSQL', process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', 5432],
  ['Redis', process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', 6379],
];
for (const [name, url, port] of services) {
  if (await reachable(url, port)) continue;
  const where = new URL(url).host;
  if (process.env.CI === 'true') console.log(`${name} is not reachable at ${where}: its suites will FAIL (CI=true).`);
  else console.log(`${name} is not reachable at ${where}: its suites are SKIPPED on this machine (start it to run them).`);
}

const files = only.length > 0 ? only : (await Promise.all(roots.map((r) => findTests(r)))).flat().sort();
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=120000', ...files],
  { stdio: 'inherit' },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
