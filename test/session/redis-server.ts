import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Whether the tests that start their own redis-server run: they need the binary, not the shared Redis. Returns
 * `false` (run them) when `redis-server --version` works; otherwise a skip reason on a developer's machine, and in
 * CI (`CI=true`) it throws, so a missing binary fails the run.
 */
export async function redisServerSkip(): Promise<string | false> {
  const works = await new Promise<boolean>((resolve) => execFile('redis-server', ['--version'], { timeout: 30_000 }, (err) => resolve(err === null)));
  if (works) return false;
  const reason = 'redis-server is not installed (apt-get install -y redis-server)';
  if (process.env.CI === 'true') throw new Error(`${reason}, and CI=true: the Redis outage tests must run in CI`);
  return `${reason}: the tests that start their own Redis cannot run`;
}

export interface ThrowawayRedis {
  /** `redis://127.0.0.1:PORT`: a port this process holds from creation to `close()`, whether Redis is up or not. */
  readonly url: string;
  /** Starts redis-server (again: it keeps nothing, so it comes back empty); resolves once it answers. */
  start(): Promise<void>;
  /** Kills redis-server: open connections drop, new ones are closed at once (a Redis that is gone). */
  stop(): Promise<void>;
  /** Drops open connections and keeps new ones open without a word (a Redis that hangs, a network that drops packets). */
  hang(): void;
  /** Stops everything and removes the temporary directory. */
  close(): Promise<void>;
}

/**
 * A redis-server of the test's own, for tests that take Redis down and bring it back. Redis listens on a Unix socket
 * in a temporary directory; clients reach it through a TCP port of 127.0.0.1 that this process took with port 0 and
 * keeps: no port is ever found free, released and hoped to be free again when Redis restarts.
 *
 * @example
 * const redis = await throwawayRedis();
 * await redis.start();
 * const store = new RedisStore({ url: redis.url });
 */
export async function throwawayRedis(): Promise<ThrowawayRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'maru-redis-'));
  const socketPath = join(dir, 'redis.sock');
  let child: ChildProcess | undefined;
  let hanging = false;
  const open = new Set<Socket>();

  const front = createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => {});
    if (hanging) return;
    const upstream = connect(socketPath);
    open.add(upstream);
    upstream.on('close', () => {
      open.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  });
  front.listen(0, '127.0.0.1');
  await once(front, 'listening');
  const { port } = front.address() as { port: number };

  const dropAll = () => {
    for (const socket of open) socket.destroy();
  };
  const stop = async () => {
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    dropAll();
  };

  return {
    url: `redis://127.0.0.1:${port}`,
    async start() {
      await stop();
      hanging = false;
      await rm(socketPath, { force: true });
      const started = spawn('redis-server', ['--port', '0', '--unixsocket', socketPath, '--unixsocketperm', '700', '--save', '', '--appendonly', 'no', '--dir', dir], {
        stdio: 'ignore',
      });
      child = started;
      const deadline = Date.now() + 30_000;
      while (!(await answers(socketPath))) {
        if (started.exitCode !== null || Date.now() > deadline) {
          started.kill('SIGKILL');
          throw new Error(`redis-server did not start on ${socketPath} (exit code ${String(started.exitCode)})`);
        }
        await sleep(20);
      }
    },
    stop,
    hang() {
      hanging = true;
      dropAll();
    },
    async close() {
      await stop();
      dropAll();
      front.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
