import { validateHeaderName, validateHeaderValue, type IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import type { App } from '../app.js';
import type { FileBody, ReplyHeaders } from '../reply.js';
import { respond, type ResponsePort } from '../server/respond.js';

/**
 * A request for {@link inject}: what a client would send.
 *
 * @example
 * await inject(app, { method: 'POST', url: '/login', body: { name: 'zero', password: 'correct horse' } });
 */
export interface InjectRequest {
  method?: string;
  /** Path and query, as a client would send them. */
  url?: string;
  headers?: Record<string, string>;
  /** A string or bytes as is; any other value is sent as JSON (with its Content-Type unless one is given). */
  body?: string | Uint8Array | Record<string, unknown> | unknown[];
  remoteAddress?: string;
  /** Pretend the request came over TLS. */
  secure?: boolean;
}

/**
 * What {@link inject} resolves to: the response as a client would read it.
 *
 * @example
 * const res = await inject(app, { url: '/me', headers: { cookie } });
 * assert.equal(res.json<{ name: string }>().name, 'zero');
 */
export interface InjectResponse {
  status: number;
  /** Lower-case names; `set-cookie` is always a list when present. */
  headers: Record<string, string | string[]>;
  body: string;
  rawBody: Buffer;
  /** The body parsed as JSON (throws when it is not). */
  json<T = unknown>(): T;
}

/**
 * Runs one request through the app in-process: no socket, same Context, same middleware, same reply as over
 * HTTP/1.1. For fast tests.
 *
 * @example
 * const res = await inject(app, { method: 'POST', url: '/users', body: { name: 'kim', password: 'secret123' } });
 * assert.equal(res.status, 201);
 */
export async function inject(app: App, request: InjectRequest = {}): Promise<InjectResponse> {
  const { method = 'GET', url = '/', remoteAddress = '127.0.0.1', secure = false } = request;
  const headers: IncomingHttpHeaders = { host: 'localhost' };
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;

  let payload: Buffer | undefined;
  if (request.body !== undefined) {
    if (typeof request.body === 'string' || request.body instanceof Uint8Array) payload = Buffer.from(request.body);
    else {
      payload = Buffer.from(JSON.stringify(request.body));
      headers['content-type'] ??= 'application/json';
    }
    headers['content-length'] ??= String(payload.length);
  }

  const ctx = app.context({
    method: method.toUpperCase(),
    target: url,
    headers,
    body: Readable.from(payload === undefined ? [] : [payload]),
    remoteAddress,
    secure,
    httpVersion: '1.1',
  });
  const captured: Captured = { status: 0, headers: {}, body: Promise.resolve(Buffer.alloc(0)) };
  await respond(app, ctx, await app.handle(ctx), injectPort, captured);
  const rawBody = await captured.body;
  return {
    status: captured.status,
    headers: toResponseHeaders(captured.headers),
    body: rawBody.toString('utf8'),
    rawBody,
    json: <T>() => JSON.parse(rawBody.toString('utf8')) as T,
  };
}

interface Captured {
  status: number;
  headers: ReplyHeaders;
  body: Promise<Buffer>;
}

/** The in-process transport: refuses what Node's ServerResponse would refuse, and collects the body. */
const injectPort: ResponsePort<Captured> = {
  gone: () => false,
  send(captured, status, headers, body) {
    head(captured, status, headers);
    captured.body = Promise.resolve(body === undefined ? Buffer.alloc(0) : Buffer.from(body));
  },
  stream(captured, status, headers, body) {
    head(captured, status, headers);
    return settle(captured, collect(body));
  },
  file(captured, status, headers, file) {
    head(captured, status, headers);
    return settle(captured, readRange(file));
  },
};

/** Throws where `writeHead()` would throw for this head over HTTP/1.1. */
function head(captured: Captured, status: number, headers: ReplyHeaders): void {
  if (!Number.isInteger(status) || status < 100 || status > 999) throw new RangeError(`invalid status code ${status}`);
  for (const name in headers) {
    validateHeaderName(name);
    const value = headers[name]!;
    for (const item of Array.isArray(value) ? (value as readonly string[]) : [value]) validateHeaderValue(name, item as string);
  }
  captured.status = status;
  captured.headers = headers;
}

function settle(captured: Captured, body: Promise<Buffer>): Promise<void> {
  captured.body = body;
  return body.then(() => undefined);
}

async function collect(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

async function readRange(body: FileBody): Promise<Buffer> {
  const file = body.handle!;
  try {
    const buffer = Buffer.alloc(body.end - body.start + 1);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, body.start);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

function toResponseHeaders(headers: ReplyHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name]!;
    out[name] = Array.isArray(value) ? [...(value as readonly string[])] : name === 'set-cookie' ? [String(value)] : String(value);
  }
  return out;
}
