import type { AddressInfo, Server } from 'node:net';

/**
 * The protocols a listener speaks: `h2` is TLS with HTTP/2 and HTTP/1.1 chosen per connection by ALPN.
 *
 * @example
 * const http2Urls = server.listeners.filter((l) => l.protocol === 'h2').map((l) => l.url);
 */
export type ListenerProtocol = 'http' | 'https' | 'h2' | 'redirect';

/**
 * One bound socket of a running server, as `listen()` reports it.
 *
 * @example
 * for (const { protocol, url } of server.listeners) console.log(protocol, url);
 */
export interface ListenerInfo {
  readonly protocol: ListenerProtocol;
  /** `http://localhost:8080`, `https://[::1]:8443`: where a client reaches it. */
  readonly url: string;
  readonly port: number;
}

/** A listener as `listen()` drives it: each transport knows how to drain its own connections. */
export interface Listener extends ListenerInfo {
  /**
   * Graceful stop: accept no new connection and tell the open ones to go — HTTP/1.1 answers with
   * `Connection: close` and closes idle sockets, HTTP/2 sends GOAWAY and lets open streams finish. Resolves when
   * every connection is gone.
   */
  drain(): Promise<void>;
  /** Cuts every connection now (the deadline of a drain). */
  destroy(): void;
}

/** Binds a server; rejects with the one-line description of why it could not. */
export function bind(server: Server, port: number, host: string): Promise<void> {
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

/** The URL a client uses for a bound server: a wildcard address shows as `localhost`. */
export function urlOf(server: Server, scheme: 'http' | 'https'): { url: string; port: number } {
  const address = server.address() as AddressInfo;
  const shown = address.address === '::' || address.address === '0.0.0.0' ? 'localhost' : address.address;
  return { url: `${scheme}://${shown.includes(':') ? `[${shown}]` : shown}:${address.port}`, port: address.port };
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
