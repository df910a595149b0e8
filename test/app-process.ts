import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../app/main.ts', import.meta.url));

export interface MaruProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Every JSON log line seen so far. */
  readonly logs: Record<string, unknown>[];
  /** SIGTERM, then resolves with the exit code (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<number | null>;
}

/**
 * Starts the real `maru serve` (from source, via tsx) on a free port of 127.0.0.1 and resolves once it listens.
 * `env` is added to this process's environment minus DATABASE_URL / REDIS_URL unless given.
 */
export async function startMaru({ env = {}, args = [] }: { env?: Record<string, string>; args?: string[] } = {}): Promise<MaruProcess> {
  const { DATABASE_URL: _db, REDIS_URL: _redis, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--host', '127.0.0.1', '--port', '0', ...args], {
    env: { ...inherited, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`maru did not start within 60 s; stderr: ${stderr}`)), 60_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        const urls = entry.urls as string[] | undefined;
        if (urls?.[0]) {
          clearTimeout(timer);
          resolve(urls[0]);
        }
      } catch {
        // not a log line
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`maru exited with ${code} before listening; stderr: ${stderr}`));
    });
  });
  return {
    url,
    child,
    logs,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const [code] = (await exited) as [number | null];
      clearTimeout(kill);
      return code;
    },
  };
}
