import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface NginxProcess {
  readonly port: number;
  readonly pid: number;
  readonly child: ChildProcess;
  /** SIGQUIT (graceful: requests in flight finish), SIGTERM after `graceMs`; resolves once nginx has exited. */
  stop(graceMs?: number): Promise<void>;
  /** What nginx wrote to stderr (its error log), for a failure's message. */
  stderr(): string;
}

export interface StartNginxOptions {
  /** The temp dir the config names for its pid file, logs and temp paths. */
  readonly dir: string;
  /** The config for a given port (nginx-config.ts). */
  readonly config: (port: number) => string;
  /**
   * The port to listen on; 0 picks one at random from 20000–29999 (below Linux's ephemeral range), and another
   * when it is taken. nginx cannot listen on port 0 itself, and a port found free by a test and then handed to
   * nginx could be taken in between: here nginx binds it directly, and a bind that fails is simply retried.
   */
  readonly port: number;
  /** Spawn in its own process group (a demo's Ctrl-C then reaches only the demo, which stops nginx in order). */
  readonly detached?: boolean;
  readonly startTimeoutMs?: number;
}

const ATTEMPTS = 20;

/** What nginxBinary() found, once looked for (null: not yet). */
let found: string | undefined | null = null;

/**
 * The nginx binary: NGINX_PATH, else `nginx` on the PATH, else Debian's /usr/sbin/nginx (an ordinary user's PATH
 * has no /usr/sbin); undefined when none of them runs.
 *
 * @example
 * const nginx = nginxBinary() ?? fail('apt-get install -y nginx');
 */
export function nginxBinary(): string | undefined {
  if (found === null) {
    const candidates = process.env.NGINX_PATH ? [process.env.NGINX_PATH] : ['nginx', '/usr/sbin/nginx'];
    found = candidates.find((command) => spawnSync(command, ['-v']).error === undefined);
  }
  return found;
}

/**
 * Starts nginx (the system's binary) in the foreground as a child process — `daemon off`, its own prefix (`-p`)
 * and config in `dir` — and resolves once it has bound its port (its pid file is written after the listeners).
 *
 * @example
 * const nginx = await startNginx({ dir, port: 0, config: (port) => renderLocalNginx({ ...options, listen: { host: '127.0.0.1', port } }) });
 */
export async function startNginx({ dir, config, port, detached = false, startTimeoutMs = 20_000 }: StartNginxOptions): Promise<NginxProcess> {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`option port must be 0 to 65535, got ${port}`);
  await mkdir(dir, { recursive: true });
  for (let attempt = 1; ; attempt++) {
    const chosen = port === 0 ? 20_000 + Math.floor(Math.random() * 10_000) : port;
    const started = await tryStart(dir, config(chosen), chosen, detached, startTimeoutMs);
    if (started.ok) return started.nginx;
    if (port !== 0 || !started.addressInUse || attempt === ATTEMPTS) throw new Error(`nginx did not start on port ${chosen}: ${started.reason}`);
  }
}

type Attempt = { ok: true; nginx: NginxProcess } | { ok: false; addressInUse: boolean; reason: string };

async function tryStart(dir: string, config: string, port: number, detached: boolean, timeoutMs: number): Promise<Attempt> {
  const confFile = join(dir, 'nginx.conf');
  const pidFile = join(dir, 'nginx.pid');
  await writeFile(confFile, config);
  // -e: errors before the config's error_log is read (nginx ≥ 1.19.5) also go to stderr, not /var/log/nginx.
  const child = spawn(nginxBinary() ?? 'nginx', ['-p', dir, '-c', confFile, '-e', 'stderr'], { stdio: ['ignore', 'ignore', 'pipe'], detached });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-8000)));
  let exited = false;
  const exit = once(child, 'exit').then(() => void (exited = true));
  child.once('error', (err) => {
    stderr += `\n${err.message}`;
    exited = true;
  });

  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (exited) return { ok: false, addressInUse: /Address already in use/.test(stderr), reason: stderr.trim() || 'it exited' };
    const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
    if (pid === child.pid) break;
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      await exit;
      return { ok: false, addressInUse: false, reason: `no pid file within ${timeoutMs} ms; ${stderr.trim()}` };
    }
    await sleep(20);
  }

  return {
    ok: true,
    nginx: {
      port,
      pid: child.pid!,
      child,
      stderr: () => stderr,
      async stop(graceMs = 10_000) {
        if (exited) return;
        child.kill('SIGQUIT');
        // Late: SIGTERM, nginx's fast shutdown, which still takes the workers down; SIGKILL of the master alone
        // would leave them running.
        const late = setTimeout(() => child.kill('SIGTERM'), graceMs);
        const later = setTimeout(() => child.kill('SIGKILL'), graceMs + 5000);
        await exit;
        clearTimeout(late);
        clearTimeout(later);
      },
    },
  };
}
