import type { App } from '../app.js';
import { listenH1, type H1Timeouts } from './h1.js';
import type { Listener, ListenerInfo } from './listener.js';

export { describeListenError } from './listener.js';

export interface ListenOptions {
  /** One port or several (one listener each); 0 picks a free port. Default 8080. */
  port?: number | readonly number[];
  /** Default: all interfaces (`::`, which also takes IPv4 where the OS allows). */
  host?: string;
  /** Time allowed for a client to send the request head (ms). Default 10 s (Node: 60 s). */
  headersTimeout?: number;
  /** Time allowed for the whole request, body included (ms). Default 30 s (Node: 300 s). */
  requestTimeout?: number;
  /** How long an idle keep-alive connection stays open (ms). Default 5 s. */
  keepAliveTimeout?: number;
  /** Grace period of `close()` before open connections are cut (ms). Default 10 s. */
  shutdownTimeout?: number;
}

export interface Listening {
  /** Each listener's protocol, URL and port, in the order they were asked for. */
  readonly listeners: readonly ListenerInfo[];
  /** `http://host:port` of each listener, in the order of `port`. */
  readonly urls: readonly string[];
  /**
   * Graceful stop: every listener stops accepting and drains its own way (HTTP/1.1: `Connection: close`, idle
   * sockets closed), in-flight requests finish, and whatever is still open after the grace period is cut.
   * Resolves when every listener is closed; calling it again returns the same promise.
   */
  close(graceMs?: number): Promise<void>;
}

interface Settings extends H1Timeouts {
  readonly ports: readonly number[];
  readonly host: string;
  readonly shutdownTimeout: number;
}

/**
 * Starts the app's listeners. Resolves once all are listening; rejects with a one-line message (and closes the
 * others) when a port is taken or not allowed.
 *
 * @example
 * const server = await listen(app, { port: [8080, 8081] });
 * process.once('SIGTERM', () => server.close());
 */
export async function listen(app: App, options: ListenOptions = {}): Promise<Listening> {
  const settings = resolveOptions(options);
  const started = await Promise.allSettled(settings.ports.map((port) => listenH1(app, port, settings.host, settings)));
  const listeners = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failure = started.find((result) => result.status === 'rejected');
  if (failure !== undefined) {
    await Promise.all(listeners.map((listener) => listener.drain()));
    throw failure.reason;
  }

  let closing: Promise<void> | undefined;
  const close = (graceMs = settings.shutdownTimeout) => (closing ??= drainAll(listeners, graceMs));
  return {
    listeners: listeners.map(({ protocol, url, port }) => ({ protocol, url, port })),
    urls: listeners.map((listener) => listener.url),
    close,
  };
}

/** Drains every listener at once; at the deadline, cuts what is left. */
async function drainAll(listeners: readonly Listener[], graceMs: number): Promise<void> {
  const deadline = setTimeout(() => {
    for (const listener of listeners) listener.destroy();
  }, graceMs);
  deadline.unref();
  try {
    await Promise.all(listeners.map((listener) => listener.drain()));
  } finally {
    clearTimeout(deadline);
  }
}

function resolveOptions(options: ListenOptions): Settings {
  const {
    port = 8080,
    host = '::',
    headersTimeout = 10_000,
    requestTimeout = 30_000,
    keepAliveTimeout = 5_000,
    shutdownTimeout = 10_000,
  } = options;
  const ports = typeof port === 'number' ? [port] : [...port];
  if (ports.length === 0) throw new TypeError('option port needs at least one port');
  for (const p of ports) {
    if (!Number.isInteger(p) || p < 0 || p > 65535) throw new TypeError(`option port must be an integer from 0 to 65535, got ${p}`);
  }
  for (const [name, value] of Object.entries({ headersTimeout, requestTimeout, keepAliveTimeout, shutdownTimeout })) {
    if (!Number.isInteger(value) || value <= 0) throw new TypeError(`option ${name} must be a positive integer (ms), got ${value}`);
  }
  if (headersTimeout > requestTimeout) throw new TypeError('option headersTimeout must not exceed requestTimeout');
  return { ports, host, headersTimeout, requestTimeout, keepAliveTimeout, shutdownTimeout };
}
