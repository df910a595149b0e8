import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App } from '../app.js';
import { createH1Handler } from './h1.js';

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
  readonly servers: readonly Server[];
  /** `http://host:port` of each listener, in the order of `port`. */
  readonly urls: readonly string[];
  /**
   * Graceful stop: accept nothing new, tell keep-alive clients to close, let in-flight requests finish, and cut
   * whatever is still open after the grace period. Resolves when every listener is closed.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * Starts HTTP listeners for the app. Resolves once all are listening; rejects with a one-line message (and
 * closes the others) when a port is taken or not allowed.
 *
 * @example
 * const server = await listen(app, { port: [8080, 8081] });
 * process.once('SIGTERM', () => server.close());
 */
export async function listen(app: App, options: ListenOptions = {}): Promise<Listening> {
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

  let draining = false;
  const handler = createH1Handler(app, { draining: () => draining });
  const servers = ports.map(() =>
    createServer(
      {
        headersTimeout,
        requestTimeout,
        keepAliveTimeout,
        // How often Node checks the two timeouts above; its default (30 s) would let a slow client overstay.
        connectionsCheckingInterval: Math.min(1_000, headersTimeout),
      },
      handler,
    ),
  );

  const started = await Promise.allSettled(servers.map((server, i) => start(server, ports[i]!, host)));
  const failure = started.find((result) => result.status === 'rejected');
  if (failure !== undefined) {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    throw failure.reason;
  }

  const urls = servers.map((server) => {
    const address = server.address() as AddressInfo;
    const shown = address.address === '::' || address.address === '0.0.0.0' ? 'localhost' : address.address;
    return `http://${shown.includes(':') ? `[${shown}]` : shown}:${address.port}`;
  });

  let closing: Promise<void> | undefined;
  const close = (graceMs = shutdownTimeout) =>
    (closing ??= (async () => {
      draining = true;
      const force = setTimeout(() => {
        for (const server of servers) server.closeAllConnections();
      }, graceMs);
      force.unref();
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeIdleConnections();
            }),
        ),
      );
      clearTimeout(force);
    })());

  return { servers, urls, close };
}

function start(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(new Error(describeListenError(err, port, host), { cause: err }));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** One line that says what went wrong and what to do about it. */
export function describeListenError(err: NodeJS.ErrnoException, port: number, host: string): string {
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return `port ${port} is already in use (${where}): stop the other server or choose another port, e.g. --port ${port === 65535 ? port - 1 : port + 1}`;
    case 'EACCES':
      // Below 1024 it is the privileged-port rule; above, a security policy (SELinux, a sandbox) said no.
      return port < 1024
        ? `no permission to listen on port ${port} (${where}): ports below 1024 need privileges; choose one above 1023, e.g. --port 8080`
        : `no permission to listen on port ${port} (${where}): a security policy refuses it; choose another port, e.g. --port ${port === 65535 ? port - 1 : port + 1}`;
    case 'EADDRNOTAVAIL':
      return `address ${host} is not available on this machine: choose another --host (e.g. 127.0.0.1 or ::)`;
    default:
      return `cannot listen on ${where}: ${err.message}`;
  }
}
