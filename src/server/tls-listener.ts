import { createServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { App } from '../app.js';
import { createH1Handler, drainH1, h1ServerOptions, handleH1, type H1Timeouts } from './h1.js';
import { createH2Server, type H2Limits } from './h2.js';
import { bind, urlOf, type Listener } from './listener.js';
import type { TlsMaterial } from './tls.js';

export interface TlsListenerSettings {
  readonly timeouts: H1Timeouts;
  readonly material: TlsMaterial;
  /** HTTP/2 beside HTTP/1.1 on this port (by ALPN), with these limits; undefined for HTTPS/1.1 only. */
  readonly http2: H2Limits | undefined;
  /** `Strict-Transport-Security` value for every reply, or undefined for none. */
  readonly hsts: string | undefined;
}

/** A TLS listener whose certificate can be replaced while it runs. */
export interface TlsListener extends Listener {
  setSecureContext(material: TlsMaterial): void;
}

/**
 * HTTPS on one port, and with `http2` HTTP/2 on the same port: one `node:https` server terminates TLS, offers
 * `h2` and `http/1.1` by ALPN, serves HTTP/1.1 connections itself and passes `h2` connections to a plain HTTP/2
 * server that runs the native stream API. (A `'request'` listener on an `Http2SecureServer` with `allowHTTP1`
 * would make Node build compat objects for every HTTP/2 stream — measured a third slower, ARCHITECTURE.md.)
 */
export async function listenTls(app: App, port: number, host: string, settings: TlsListenerSettings): Promise<TlsListener> {
  let draining = false;
  const { material, timeouts, http2, hsts } = settings;
  const server = createServer({
    ...material,
    ALPNProtocols: http2 === undefined ? ['http/1.1'] : ['h2', 'http/1.1'],
    // A client that never finishes its handshake gets as long as one that never finishes its head (Node: 120 s).
    handshakeTimeout: timeouts.headersTimeout,
    ...h1ServerOptions(timeouts),
  });
  handleH1(server, app, createH1Handler(app, { secure: true, draining: () => draining, writeTimeout: timeouts.writeTimeout, ...(hsts === undefined ? {} : { hsts }) }));
  const h2 = http2 === undefined ? undefined : createH2Server(app, http2, hsts);
  if (h2 !== undefined) {
    // node:https handles every secure connection as HTTP/1.1; h2 connections go to the HTTP/2 server instead.
    const [h1Connection] = server.listeners('secureConnection') as ((socket: TLSSocket) => void)[];
    server.removeAllListeners('secureConnection');
    server.on('secureConnection', (socket: TLSSocket) => {
      if (socket.alpnProtocol === 'h2') h2.server.emit('connection', socket);
      else h1Connection!.call(server, socket);
    });
  }
  await bind(server, port, host);
  return {
    protocol: h2 === undefined ? 'https' : 'h2',
    ...urlOf(server, 'https'),
    drain() {
      draining = true;
      // GOAWAY: no new streams; the open ones finish, then each session closes its socket.
      for (const session of h2?.sessions ?? []) session.close();
      return drainH1(server);
    },
    destroy() {
      for (const session of h2?.sessions ?? []) session.destroy();
      server.closeAllConnections();
    },
    setSecureContext: (next) => server.setSecureContext(next),
  };
}
