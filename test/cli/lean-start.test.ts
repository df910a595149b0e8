import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../app/main.ts', import.meta.url));
const REPORT = fileURLToPath(new URL('../cluster/report-modules.ts', import.meta.url));
const dataDir = await mkdtemp(join(tmpdir(), 'maru-lean-'));
after(() => rm(dataDir, { recursive: true, force: true }));

/** Starts `maru serve` with `args`, waits until it listens, and resolves to what it had loaded by then. */
async function loadedBy(args: string[]): Promise<{ promClient: boolean }> {
  const { DATABASE_URL: _db, REDIS_URL: _redis, ...env } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', REPORT, MAIN, 'serve', '--host', '127.0.0.1', '--port', '0', ...args], {
    env: { ...env, LOG_LEVEL: 'info', DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const listening = new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => line.includes('"urls"') && resolve());
      child.once('exit', (code) => reject(new Error(`maru exited with ${code}`)));
    });
    await listening;
    const report = new Promise<{ promClient: boolean }>((resolve) => {
      createInterface({ input: child.stderr! }).on('line', (line) => {
        if (line.startsWith('{"loaded"')) resolve((JSON.parse(line) as { loaded: { promClient: boolean } }).loaded);
      });
    });
    child.kill('SIGUSR2');
    return await report;
  } finally {
    child.kill('SIGKILL');
    await once(child, 'exit').catch(() => {});
  }
}

// prom-client takes about a quarter of a second to load: a server pays for it only when it serves metrics. (Node
// itself loads node:cluster in every process that listens, so there is nothing to save there.)
test('a single process without --metrics-port does not load prom-client', { timeout: 60_000 }, async () => {
  assert.deepEqual(await loadedBy([]), { promClient: false });
});

test('a single process with --metrics-port loads prom-client', { timeout: 60_000 }, async () => {
  assert.deepEqual(await loadedBy(['--metrics-port', '0']), { promClient: true });
});
