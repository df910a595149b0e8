import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

export interface ClientResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The local port of the socket that carried the request (tells keep-alive reuse apart). */
  localPort: number | undefined;
}

/** One HTTP/1.1 request with node:http; the body is written whole. */
export function request(
  url: string,
  {
    method = 'GET',
    headers = {},
    body,
    agent,
    signal,
  }: { method?: string; headers?: Record<string, string>; body?: string | Buffer; agent?: Agent; signal?: AbortSignal } = {},
): Promise<ClientResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, agent: agent ?? false, ...(signal === undefined ? {} : { signal }) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), localPort: req.socket?.localPort }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

export interface RawResult {
  /** Everything the server sent before it closed (or before `waitMs`). */
  text: string;
  /** True when the server closed the connection. */
  closed: boolean;
  /** Milliseconds from the first write to the close (or to giving up). */
  ms: number;
}

/**
 * Writes raw bytes on a fresh TCP connection and collects what comes back until the server closes it or `waitMs`
 * passes. For requests node:http would refuse to send. Send `Connection: close` (or bytes the server must refuse)
 * so the close ends the wait; `waitMs` is the limit for a server that never closes, generous because a loaded
 * machine answers late.
 */
export function raw(port: number, data: string | Buffer, waitMs = 30_000): Promise<RawResult> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const started = Date.now();
    let text = '';
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, closed, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    socket.write(data);
  });
}

/** The status code of the first response in a raw reply, or 0. */
export function statusOf(text: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
}
