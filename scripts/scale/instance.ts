import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** `maru serve` from source, as `npm run dev` runs it (no build needed). */
export const MARU_FROM_SOURCE: readonly string[] = [process.execPath, '--import', 'tsx', fileURLToPath(new URL('../../app/main.ts', import.meta.url))];

export interface InstanceOptions {
  /** Its name (`--instance`): on its log lines and its metrics. */
  readonly name: string;
  /** The command that runs maru, without `serve` (MARU_FROM_SOURCE, or node + dist/app/main.js). */
  readonly command?: readonly string[];
  readonly host?: string;
  /** 0 for any free port; an instance restarted after a stop or a crash asks for the port it had. */
  readonly port?: number;
  /** `--trust-proxy`: the address nginx connects from. */
  readonly trustProxy?: string;
  /** Added to this process's environment (DATABASE_URL, REDIS_URL, DATABASE_SCHEMA, REDIS_PREFIX, DATA_DIR…). */
  readonly env?: Readonly<Record<string, string>>;
  /** Spawn in its own process group, so a terminal's Ctrl-C reaches only the parent, which stops it in order. */
  readonly detached?: boolean;
  /** Its JSON log lines as they come, besides keeping them (the demo prints some). */
  readonly onLog?: (line: Record<string, unknown>) => void;
  /**
   * Keep reading its log after start-up (default true). A benchmark turns it off: parsing every access-log line
   * would cost the measuring process CPU; the lines are then read and dropped.
   */
  readonly keepLogs?: boolean;
  readonly startTimeoutMs?: number;
}

export interface Instance {
  readonly name: string;
  readonly port: number;
  /** `http://host:port` */
  readonly url: string;
  readonly child: ChildProcess;
  /** Every JSON log line so far. */
  readonly logs: readonly Record<string, unknown>[];
  /** Resolves with the exit code (null when killed by a signal) once the process has exited. */
  readonly exited: Promise<number | null>;
  /** SIGTERM (drain, then exit 0), SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
  /** SIGKILL: a crash, as far as anything outside can tell. */
  kill(): Promise<void>;
}

/**
 * Starts one `maru serve` and resolves once it listens and is ready (its "listening" log line comes after the
 * lifecycle turned ready), with the port it got. Rejects with its stderr when it exits first or is slow.
 *
 * @example
 * const a = await startInstance({ name: 'a', env: { DATABASE_URL, REDIS_URL }, trustProxy: '127.0.0.2' });
 */
export async function startInstance(options: InstanceOptions): Promise<Instance> {
  const { name, command = MARU_FROM_SOURCE, host = '127.0.0.1', port = 0, trustProxy, env = {}, detached = false, onLog, keepLogs = true, startTimeoutMs = 60_000 } = options;
  const [program, ...args] = command;
  if (program === undefined) throw new TypeError('option command must not be empty');
  // The port is known from the "listening" line, which is logged at info.
  if (env.LOG_LEVEL !== undefined && !['info', 'debug', 'trace'].includes(env.LOG_LEVEL)) {
    throw new TypeError(`option env: LOG_LEVEL must let info lines through (the listening line names the port), got ${env.LOG_LEVEL}`);
  }
  const argv = [...args, 'serve', '--host', host, '--port', String(port), '--instance', name, ...(trustProxy === undefined ? [] : ['--trust-proxy', trustProxy])];
  const child = spawn(program, argv, { env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-8000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.once('error', (err) => (stderr += `\n${err.message}`));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`instance ${name} did not start within ${startTimeoutMs} ms; stderr: ${stderr}`));
    }, startTimeoutMs);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (text) => {
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return; // not a log line
      }
      logs.push(line);
      onLog?.(line);
      const urls = line.urls as string[] | undefined;
      if (urls?.[0] !== undefined) {
        clearTimeout(timer);
        resolve(urls[0]);
        if (!keepLogs) {
          lines.close();
          child.stdout!.resume();
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`instance ${name} exited with ${code} before listening; stderr: ${stderr.trim()}`));
    });
  });

  return {
    name,
    port: Number(new URL(url).port),
    url,
    child,
    logs,
    exited,
    async stop(graceMs = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
