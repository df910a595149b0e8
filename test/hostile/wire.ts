import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect as h2Connect, type ClientHttp2Session, type OutgoingHttpHeaders } from 'node:http2';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Target } from './target.js';

/** What came back on one connection. */
export interface Exchange {
  /** Everything the server sent, as latin1. */
  readonly text: string;
  /** The server closed the connection (or reset it) before `waitMs`. */
  readonly closed: boolean;
  /** A reset or another socket error, when there was one. */
  readonly error: string | undefined;
  /** Milliseconds from the first write to the close (or to giving up). */
  readonly ms: number;
}

/** A fresh connection to the target: TCP, or TLS offering only HTTP/1.1 when the target speaks TLS. */
export function open(target: Target): Socket {
  return target.ca === undefined
    ? netConnect(target.port, '127.0.0.1')
    : tlsConnect({ host: '127.0.0.1', port: target.port, ca: target.ca, servername: 'localhost', ALPNProtocols: ['http/1.1'] });
}

/**
 * Writes raw bytes on a fresh connection (each part as soon as the socket takes it; `end` half-closes after them)
 * and collects what comes back until the server closes or `waitMs` passes — generous, since a loaded machine
 * answers late. For requests node:http would refuse to send.
 */
export function exchange(target: Target, parts: string | Buffer | readonly (string | Buffer)[], { waitMs = 30_000, end = false } = {}): Promise<Exchange> {
  return collect(open(target), parts, { waitMs, end });
}

function collect(socket: Socket, parts: string | Buffer | readonly (string | Buffer)[], { waitMs, end }: { waitMs: number; end: boolean }): Promise<Exchange> {
  return new Promise((resolve) => {
    const started = Date.now();
    let text = '';
    let error: string | undefined;
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, closed, error, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      error ??= err.code ?? err.message;
      finish(true);
    });
    socket.on('close', () => finish(true));
    for (const part of typeof parts === 'string' || Buffer.isBuffer(parts) ? [parts] : parts) socket.write(typeof part === 'string' ? Buffer.from(part, 'latin1') : part);
    if (end) socket.end();
  });
}

/** The status of the first response in a raw reply, or 0 when there was none. */
export function statusOf(text: string): number {
  return Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
}

/** The body of the first response in a raw reply (everything after its head). */
export function bodyOf(text: string): string {
  const end = text.indexOf('\r\n\r\n');
  return end === -1 ? '' : text.slice(end + 4);
}

/** The error code of a JSON error body (`{ error: { code } }`), or undefined. */
export function codeOf(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

export interface Response {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** One HTTP/1.1 request with node:http (node:https trusting the target's certificate); never asserts in a callback. */
export function http(
  target: Target,
  path: string,
  { method = 'GET', headers = {}, body }: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const url = `${target.url}${path}`;
    const onResponse = (res: import('node:http').IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    };
    const req =
      target.ca === undefined
        ? httpRequest(url, { method, headers, agent: false }, onResponse)
        : httpsRequest(url, { method, headers, agent: false, ca: target.ca, ALPNProtocols: ['http/1.1'] } as RequestOptions, onResponse);
    req.on('error', reject);
    req.end(body);
  });
}

/** An HTTP/2 session to a TLS target, once the server's SETTINGS have arrived (its limits are then in force). */
export async function h2Session(target: Target): Promise<ClientHttp2Session> {
  const session = h2Connect(target.url, { ca: target.ca! });
  session.on('error', () => {});
  await once(session, 'remoteSettings');
  return session;
}

export interface H2Result {
  readonly status: number | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** RST_STREAM code the stream ended with (0: none). */
  readonly rstCode: number | undefined;
  readonly error: string | undefined;
}

/** One request on a session; resolves when the stream closes, however it ends. */
export function h2(session: ClientHttp2Session, headers: OutgoingHttpHeaders, body?: string | Buffer): Promise<H2Result> {
  return new Promise((resolve) => {
    let stream: import('node:http2').ClientHttp2Stream;
    try {
      stream = session.request(headers, { endStream: body === undefined });
    } catch (err) {
      resolve({ status: undefined, headers: {}, body: '', rstCode: undefined, error: (err as NodeJS.ErrnoException).code });
      return;
    }
    let status: number | undefined;
    let responseHeaders: IncomingHttpHeaders = {};
    let error: string | undefined;
    const chunks: Buffer[] = [];
    stream.on('response', (h) => {
      responseHeaders = h;
      status = Number(h[':status']);
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', (err: NodeJS.ErrnoException) => (error ??= err.code));
    stream.on('close', () => resolve({ status, headers: responseHeaders, body: Buffer.concat(chunks).toString('utf8'), rstCode: stream.rstCode, error }));
    if (body !== undefined) stream.end(body);
  });
}

/** Runs curl; resolves with its output whatever its exit code. */
export function curl(args: readonly string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '--max-time', '30', ...args], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ stdout, stderr, code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1 }),
    );
  });
}

/** True when curl is installed; CI must have it. */
export async function hasCurl(): Promise<boolean> {
  return (await curl(['--version'])).code === 0;
}
