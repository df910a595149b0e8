// Runs one guide page the way a reader would, top to bottom, in a fresh data directory: background servers on
// port 0 of 127.0.0.1 (their printed URLs become the page's variables), shell blocks with bash, TypeScript blocks
// with tsx. Every process a page starts runs in its own process group and is ended with it.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { matchesOutput, runnableBlocks } from './blocks.js';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
const INDEX = join(REPO, 'src/index.ts');
/** Generous: the machine may be loaded by other test runs. */
const START_LIMIT_MS = 60_000;
const BLOCK_LIMIT_MS = 120_000;
const URL_PATTERN = /https?:\/\/[^\s'")\]]+/g;
const ANSI = /\x1b\[[0-9;]*m/g;

interface Started {
  readonly child: ChildProcess;
  readonly closed: Promise<unknown>;
  output(): string;
}

function start(command: string, args: string[], env: NodeJS.ProcessEnv): Started {
  const child = spawn(command, args, { cwd: REPO, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const append = (chunk: Buffer) => (text += chunk.toString('utf8'));
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  return { child, closed: once(child, 'close'), output: () => text.replace(ANSI, '') };
}

/** Ends the process group of a started command: SIGTERM, then SIGKILL if it is still there after 10 s. */
async function end(started: Started): Promise<void> {
  const { child } = started;
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // the group is gone already
    }
  };
  signal('SIGTERM');
  const kill = setTimeout(() => signal('SIGKILL'), 10_000);
  await started.closed;
  clearTimeout(kill);
}

async function finish(started: Started, limitMs: number): Promise<{ code: number | null; output: string; timedOut: boolean }> {
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void end(started);
  }, limitMs);
  await started.closed;
  clearTimeout(timer);
  return { code: started.child.exitCode, output: started.output(), timedOut };
}

function waitForUrls(started: Started, count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const poll = setInterval(check, 50);
    const timer = setTimeout(() => fail(`printed no ${count} URL(s) within ${START_LIMIT_MS} ms`), START_LIMIT_MS);
    started.closed.then(() => setTimeout(() => fail('exited before printing its URL(s)'), 100));
    function check() {
      const urls = started.output().match(URL_PATTERN) ?? [];
      if (urls.length < count) return;
      clearInterval(poll);
      clearTimeout(timer);
      resolve(urls.slice(0, count));
    }
    function fail(why: string) {
      check();
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`${why}; output:\n${started.output()}`));
    }
  });
}

/** Runs every runnable block of a page in order; throws naming the page, the line and what was printed. */
export async function runPage(file: string): Promise<void> {
  const where = relative(REPO, file);
  const blocks = runnableBlocks(await readFile(file, 'utf8'));
  if (blocks.length === 0) throw new Error(`${where} has no runnable block`);
  const dataDir = await mkdtemp(join(tmpdir(), 'maru-guide-'));
  const { DATABASE_URL: _db, REDIS_URL: _redis, ...inherited } = process.env;
  const env: NodeJS.ProcessEnv = { ...inherited, PORT: '0', HTTP_PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', NO_COLOR: '1' };
  const background: Started[] = [];
  try {
    for (const block of blocks) {
      const at = `${where}:${block.line}`;
      if (block.kind === 'background') {
        const started = start('bash', ['-c', block.code], env);
        background.push(started);
        const urls = await waitForUrls(started, block.names.length).catch((err: Error) => {
          throw new Error(`${at}: ${err.message}`);
        });
        block.names.forEach((name, i) => (env[name] = urls[i]));
        continue;
      }
      let started: Started;
      if (block.kind === 'sh') {
        started = start('bash', ['-c', `exec 2>&1\nset -euo pipefail\n${block.code}`], env);
      } else {
        // The block imports the toolkit as a reader's file at the repository root would: './src/index.js'.
        const source = join(dataDir, `block-${block.line}.mts`);
        await writeFile(source, block.code.replaceAll("'./src/index.js'", JSON.stringify(INDEX)));
        started = start('bash', ['-c', `exec 2>&1\nexec node --import tsx ${JSON.stringify(source)}`], env);
      }
      const { code, output, timedOut } = await finish(started, BLOCK_LIMIT_MS);
      if (timedOut) throw new Error(`${at}: still running after ${BLOCK_LIMIT_MS} ms; output:\n${output}`);
      if (code !== 0) throw new Error(`${at}: exited with ${code}; output:\n${output}`);
      if (block.expected !== undefined && !matchesOutput(block.expected, output)) {
        throw new Error(`${at}: printed\n${output}\nwhere the page says\n${block.expected}`);
      }
    }
  } finally {
    await Promise.all(background.map((started) => end(started)));
    await rm(dataDir, { recursive: true, force: true });
  }
}
