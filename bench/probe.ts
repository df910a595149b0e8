import { request } from 'node:http';
import { createServer } from 'node:net';

export interface ProbeAnswer {
  readonly status: number;
  readonly bytes: number;
}

/**
 * One request on a fresh connection (no agent, so nothing keeps the server busy afterwards). Rejects on a
 * connection error or when no answer comes within `timeoutMs`.
 *
 * @example
 * const { status } = await probe('http://127.0.0.1:8080/hello');
 */
export function probe(url: string, { method = 'GET', headers = {}, timeoutMs = 2000 }: { method?: string; headers?: Readonly<Record<string, string>>; timeoutMs?: number } = {}): Promise<ProbeAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { ...headers, connection: 'close' }, agent: false, timeout: timeoutMs }, (res) => {
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
