import type { App } from '../app.js';
import { listenH1, type H1Timeouts } from './h1.js';
import type { H2Limits } from './h2.js';
import type { Listener, ListenerInfo } from './listener.js';
import type { TlsListener } from './tls-listener.js';
import type { TlsFiles } from './tls.js';

export { describeListenError } from './listener.js';

/**
 * TLS for {@link listen}: the certificate files, HTTP/2 beside HTTP/1.1, and HSTS.
 *
 * @example
 * await listen(app, { port: 8443, tls: { certFile: 'cert.pem', keyFile: 'key.pem', http2: true, hsts: 15_552_000 } });
 */
export interface TlsOptions extends TlsFiles {
  /** HTTP/2 beside HTTP/1.1 on the same ports, chosen per connection by ALPN. Default false. */
  http2?: boolean;
  /**
   * `Strict-Transport-Security: max-age=…` on every reply, seconds; 0 (the default) sends none. Only with a real
   * certificate: HSTS pins the host to HTTPS in the browser.
   */
  hsts?: number;
}

/**
 * Options of {@link listen}: ports, address, TLS and the timeouts of the connections.
 *
 * @example
 * await listen(app, { port: [8080, 8081], host: '127.0.0.1', shutdownTimeout: 5_000 });
 */
export interface ListenOptions {
  /** One port or several (one listener each); 0 picks a free port. Default 8080. TLS ports when `tls` is given. */
  port?: number | readonly number[];
  /** Default: all interfaces (`::`, which also takes IPv4 where the OS allows). */
  host?: string;
  /** Serve `port` over TLS with these certificate files (re-read by `reloadTls()`). */
  tls?: TlsOptions;
  /** Plain-HTTP ports that answer every request with 308 to the same URL on the (first) TLS port. Needs `tls`. */
  redirectHttp?: number | readonly number[];
  /** Time allowed for a client to send the request head, and for a TLS handshake (ms). Default 10 s (Node: 60 s). */
  headersTimeout?: number;
  /** Time allowed for the whole request, body included (ms). Default 30 s (Node: 300 s). */
  requestTimeout?: number;
  /** How long an idle keep-alive connection stays open (ms). Default 5 s. */
  keepAliveTimeout?: number;
  /** Grace period of `close()` before open connections are cut (ms). Default 10 s. */
  shutdownTimeout?: number;
  /** A reply body that makes no progress for this long — a client that stopped reading — ends its connection (ms). Default 30 s. */
  writeTimeout?: number;
  /** HTTP/2 limits; the defaults are documented in SECURITY.md. */
  http2Limits?: Partial<H2Limits>;
}

/**
 * A running server, as {@link listen} resolves it: where it listens, and how to stop or reload it.
 *
 * @example
 * const server = await listen(app, { port: 0 });
 * console.log(server.urls[0]);
 * await server.close();
 */
export interface Listening {
  /** Each listener's protocol, URL and port: the app's ports in the order given, then redirect listeners. */
  readonly listeners: readonly ListenerInfo[];
  /** The URL of each listener, in the same order. */
  readonly urls: readonly string[];
  /**
   * Graceful stop: every listener stops accepting and drains its own way (HTTP/1.1: `Connection: close`, idle
   * sockets closed; HTTP/2: GOAWAY, open streams finish), and whatever is still open after the grace period is
   * cut. Resolves when every listener is closed; calling it again returns the same promise.
   */
  close(graceMs?: number): Promise<void>;
  /**
   * Re-reads the TLS files and uses them for new connections; open ones keep theirs. Rejects with one line (and
   * keeps the old certificate) when a file is missing or invalid. Resolves at once without TLS.
   */
  reloadTls(): Promise<void>;
}

/**
 * Defaults of the HTTP/2 limits; each is explained where `H2Limits` declares it.
 *
 * @example
 * await listen(app, { tls: { certFile, keyFile, http2: true }, http2Limits: { maxConcurrentStreams: DEFAULT_H2_LIMITS.maxConcurrentStreams * 2 } });
 */
export const DEFAULT_H2_LIMITS: H2Limits = {
  maxConcurrentStreams: 128,
  maxHeaderListSize: 16 * 1024,
  maxSessionMemory: 10,
  idleTimeout: 60_000,
  streamTimeout: 30_000,
  lingerTimeout: 5_000,
};

/**
 * Defaults of the connection timeouts of {@link listen} (ms); each is explained where `ListenOptions` declares it,
 * and beside Node's and nginx's in SECURITY.md.
 *
 * @example
 * await listen(app, { port: 8080, requestTimeout: LISTEN_DEFAULTS.requestTimeout * 2 });
 */
export const LISTEN_DEFAULTS = Object.freeze({
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  keepAliveTimeout: 5_000,
  shutdownTimeout: 10_000,
  writeTimeout: 30_000,
});

interface Settings extends H1Timeouts {
  readonly ports: readonly number[];
  readonly redirectPorts: readonly number[];
  readonly host: string;
  readonly shutdownTimeout: number;
  readonly tls: TlsOptions | undefined;
  readonly http2: H2Limits | undefined;
  readonly hsts: string | undefined;
}

/**
 * Starts the app's listeners: plain HTTP, or HTTPS (with HTTP/2 by ALPN) when `tls` is given, plus redirect
 * listeners. Resolves once all are listening; rejects with a one-line message (and closes the others) when a
 * port is taken or not allowed, or a certificate file is missing or invalid.
 *
 * @example
 * const server = await listen(app, { port: 8443, tls: { certFile: 'cert.pem', keyFile: 'key.pem', http2: true }, redirectHttp: 8080 });
 * process.once('SIGTERM', () => server.close());
 * process.on('SIGHUP', () => server.reloadTls().catch((err) => app.log.error(err.message)));
 */
export async function listen(app: App, options: ListenOptions = {}): Promise<Listening> {
  const settings = resolveOptions(options);
  const { tls, host } = settings;
  // node:https, node:http2 and the certificate checks load only for a TLS server: a plain one starts without them.
  const secureModules = tls === undefined ? undefined : await loadSecureModules();
  const material = tls === undefined ? undefined : await secureModules!.readTlsFiles(tls);
  const starting: Promise<Listener>[] = settings.ports.map((port) =>
    material === undefined
      ? listenH1(app, port, host, settings)
      : secureModules!.listenTls(app, port, host, { timeouts: settings, material, http2: settings.http2, hsts: settings.hsts }),
  );
  const started = await Promise.allSettled(starting);
  const secure = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const redirects = secure.length === started.length && secure.length > 0
    ? await Promise.allSettled(settings.redirectPorts.map((port) => secureModules!.listenRedirect(port, host, secure[0]!.port, settings)))
    : [];
  const listeners = [...secure, ...redirects.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))];
  const failure = [...started, ...redirects].find((result) => result.status === 'rejected');
  if (failure !== undefined) {
    await Promise.all(listeners.map((listener) => listener.drain()));
    throw failure.reason;
  }

  let closing: Promise<void> | undefined;
  const close = (graceMs = settings.shutdownTimeout) => (closing ??= drainAll(listeners, graceMs));
  const reloadTls = async () => {
    if (tls === undefined) return;
    const next = await secureModules!.readTlsFiles(tls);
    for (const listener of secure) (listener as TlsListener).setSecureContext(next);
  };
  return {
    listeners: listeners.map(({ protocol, url, port }) => ({ protocol, url, port })),
    urls: listeners.map((listener) => listener.url),
    close,
    reloadTls,
  };
}

async function loadSecureModules() {
  const [{ listenTls }, { listenRedirect }, { readTlsFiles }] = await Promise.all([import('./tls-listener.js'), import('./redirect.js'), import('./tls.js')]);
  return { listenTls, listenRedirect, readTlsFiles };
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
    tls,
    redirectHttp = [],
    headersTimeout = LISTEN_DEFAULTS.headersTimeout,
    requestTimeout = LISTEN_DEFAULTS.requestTimeout,
    keepAliveTimeout = LISTEN_DEFAULTS.keepAliveTimeout,
    shutdownTimeout = LISTEN_DEFAULTS.shutdownTimeout,
    writeTimeout = LISTEN_DEFAULTS.writeTimeout,
    http2Limits = {},
  } = options;
  const ports = portList('port', port);
  if (ports.length === 0) throw new TypeError('option port needs at least one port');
  const redirectPorts = portList('redirectHttp', redirectHttp);
  if (redirectPorts.length > 0 && tls === undefined) throw new TypeError('option redirectHttp needs tls: it redirects to the HTTPS listener');
  for (const [name, value] of Object.entries({ headersTimeout, requestTimeout, keepAliveTimeout, shutdownTimeout, writeTimeout })) {
    if (!Number.isInteger(value) || value <= 0) throw new TypeError(`option ${name} must be a positive integer (ms), got ${value}`);
  }
  if (headersTimeout > requestTimeout) throw new TypeError('option headersTimeout must not exceed requestTimeout');
  let hsts: string | undefined;
  let http2: H2Limits | undefined;
  if (tls !== undefined) {
    if (tls === null || typeof tls !== 'object' || typeof tls.certFile !== 'string' || typeof tls.keyFile !== 'string') {
      throw new TypeError('option tls needs certFile and keyFile (paths of PEM files)');
    }
    const { hsts: maxAge = 0, http2: withHttp2 = false } = tls;
    if (!Number.isSafeInteger(maxAge) || maxAge < 0) throw new TypeError(`option tls.hsts must be a whole number of seconds, got ${String(maxAge)}`);
    if (typeof withHttp2 !== 'boolean') throw new TypeError(`option tls.http2 must be a boolean, got ${String(withHttp2)}`);
    if (maxAge > 0) hsts = `max-age=${maxAge}`;
    if (withHttp2) http2 = resolveH2Limits(http2Limits);
  }
  return { ports, redirectPorts, host, tls, http2, hsts, headersTimeout, requestTimeout, keepAliveTimeout, shutdownTimeout, writeTimeout };
}

function portList(name: string, value: number | readonly number[]): number[] {
  const ports = typeof value === 'number' ? [value] : [...value];
  for (const p of ports) {
    if (!Number.isInteger(p) || p < 0 || p > 65535) throw new TypeError(`option ${name} must be an integer from 0 to 65535, got ${p}`);
  }
  return ports;
}

function resolveH2Limits(given: Partial<H2Limits>): H2Limits {
  const limits = { ...DEFAULT_H2_LIMITS, ...given };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) throw new TypeError(`option http2Limits.${name} must be a positive integer, got ${String(value)}`);
  }
  return limits;
}
