import { request } from 'node:http';
import { connect as h2Connect } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';

export interface ProbeAnswer {
  readonly status: number;
  readonly bytes: number;
}

export interface ProbeOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  /** Over HTTP/2 (an https URL); else HTTP/1.1, over TLS for an https URL. Certificates are not checked. */
  readonly h2?: boolean;
}

/**
 * One request on a fresh connection (no agent, so nothing keeps the server busy afterwards). Rejects on a
 * connection error or when no answer comes within `timeoutMs`.
 *
 * @example
 * const { status } = await probe('http://127.0.0.1:8080/hello');
 */
export function probe(url: string, { method = 'GET', headers = {}, timeoutMs = 2000, h2 = false }: ProbeOptions = {}): Promise<ProbeAnswer> {
  if (h2) return probeH2(url, { method, headers, timeoutMs });
  const send = url.startsWith('https:') ? httpsRequest : request;
  return new Promise((resolve, reject) => {
    const req = send(url, { method, headers: { ...headers, connection: 'close' }, agent: false, timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      res.once('error', reject);
    });
    req.once('timeout', () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    req.once('error', reject);
    req.end();
  });
}

function probeH2(url: string, { method, headers, timeoutMs }: { method: string; headers: Readonly<Record<string, string>>; timeoutMs: number }): Promise<ProbeAnswer> {
  return new Promise((resolve, reject) => {
    const { origin, pathname, search } = new URL(url);
    const session = h2Connect(origin, { rejectUnauthorized: false });
    const timer = setTimeout(() => session.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)), timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      session.destroy();
      reject(err);
    };
    session.once('error', fail);
    const stream = session.request({ ':method': method, ':path': `${pathname}${search}`, ...headers });
    let status = 0;
    let bytes = 0;
    stream.once('response', (head) => (status = Number(head[':status'])));
    stream.on('data', (chunk: Buffer) => (bytes += chunk.length));
    stream.once('error', fail);
    stream.once('end', () => {
      clearTimeout(timer);
      session.close();
      resolve({ status, bytes });
    });
    stream.end();
  });
}

/** A port that was free a moment ago on 127.0.0.1 (the server started next takes it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
