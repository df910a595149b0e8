import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const RUNNER = fileURLToPath(new URL('../../scripts/example.mjs', import.meta.url));
const START_LIMIT_MS = 30_000;

export interface RunningExample {
  /** The URLs the example printed, in order. */
  readonly urls: string[];
  readonly child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves once the output matches, or rejects after `ms` (a generous bound: the machine may be loaded). */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code once the process has ended by itself. */
  exited(): Promise<number | null>;
  /** SIGTERM (SIGKILL after 10 s); resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `npm run example -- NAME` as the reader would (through scripts/example.mjs, without npm), on port 0 of
 * 127.0.0.1, and resolves once it has printed `urlCount` URLs (`NAME: http…`); with `urlCount: 0`, at once (for a
 * run that is meant to fail).
 */
export async function startExample(name: string, { env = {}, urlCount = 1 }: { env?: Record<string, string>; urlCount?: number } = {}): Promise<RunningExample> {
  const child = spawn(process.execPath, ['--import', 'tsx', RUNNER, name], {
    env: { ...process.env, PORT: '0', HTTP_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const waiters = new Set<() => void>();
  const append = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const wake of waiters) wake();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  // 'close', not 'exit': by then every byte the process wrote has been read.
  const exit = once(child, 'close').then(([code]) => code as number | null);

  const waitFor = (pattern: RegExp, ms = START_LIMIT_MS) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = text.match(pattern);
        if (match === null) return;
        done();
        resolve(match);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${name}: no ${pattern} within ${ms} ms; output:\n${text}`));
      }, ms);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      exit.then(() => setImmediate(() => {
        if (!waiters.has(check)) return;
        done();
        reject(new Error(`${name} exited before printing ${pattern}; output:\n${text}`));
      }));
      check();
    });

  const line = new RegExp(`^${name.replace(/[/-]/g, '\\$&')}[^:]*: (https?://\\S+)`, 'gm');
  if (urlCount > 0) await waitFor(new RegExp(`(?:^${name.replace(/[/-]/g, '\\$&')}[^:]*: https?://\\S+[^]*?){${urlCount}}`, 'm'));
  const urls = [...text.matchAll(line)].map((m) => m[1]!);
  return {
    urls,
    child,
    output: () => text,
    waitFor,
    exited: () => exit,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exit;
      clearTimeout(kill);
      return code;
    },
  };
}
