import { createServer } from 'node:http';
import type { Logger } from 'pino';
import { bind, urlOf } from '../server/listener.js';
import type { MetricsSource } from './metrics.js';

/**
 * The options of `serveMetrics()`.
 *
 * @example
 * await serveMetrics(metrics, { port: 9464, host: '127.0.0.1', log });
 */
export interface ServeMetricsOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** Default 127.0.0.1: metrics tell a lot about a server and are never on its public port. */
  readonly host?: string;
  readonly log: Logger;
}

/**
 * The `/metrics` listener `serveMetrics()` started.
 *
 * @example
 * const listener: MetricsListener = await serveMetrics(metrics, { port: 0, log });
 * console.log(listener.url); // http://127.0.0.1:40123/metrics
 * await listener.close();
 */
export interface MetricsListener {
  /** `http://127.0.0.1:9464/metrics` */
  readonly url: string;
  /** Stops listening; resolves once the port is free. */
  close(): Promise<void>;
}

/**
 * A listener of its own for `GET /metrics` (Prometheus text), apart from the app's ports. Rejects with one line
 * when the port is taken.
 *
 * @example
 * const listener = await serveMetrics(metrics, { port: 9464, log });
 * lifecycle.onStop(() => listener.close());
 */
export async function serveMetrics(source: MetricsSource, { port, host = '127.0.0.1', log }: ServeMetricsOptions): Promise<MetricsListener> {
  const server = createServer({ headersTimeout: 5_000, requestTimeout: 10_000 }, (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: metrics are at /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
      return;
    }
    source.text().then(
      (body) => {
        res.writeHead(200, { 'content-type': source.contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (err: unknown) => {
        log.error({ err }, 'could not collect metrics');
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('could not collect metrics\n');
      },
    );
  });
  await bind(server, port, host);
  const { url } = urlOf(server, 'http');
  log.info({ url: `${url}/metrics` }, `metrics on ${url}/metrics`);
  return {
    url: `${url}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
