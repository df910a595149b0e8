import { open } from 'node:fs/promises';
import { validateHeaderName, validateHeaderValue, type IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { internalErrorReply, type App } from '../app.js';
import { isFileBody, mergeHeaders, statusHasNoBody, type Reply, type ReplyHeaders } from '../reply.js';

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

export interface InjectResponse {
  status: number;
  /** Lower-case names; `set-cookie` is always a list when present. */
  headers: Record<string, string | string[]>;
  body: string;
  rawBody: Buffer;
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
  let reply = await app.handle(ctx);
  let replyHeaders = mergeHeaders(reply.headers, ctx.responseHeaders);
  try {
    assertWritable(reply, replyHeaders, ctx.method === 'HEAD' || statusHasNoBody(reply.status));
  } catch (err) {
    // What Node's ServerResponse refuses over a socket must fail here too, with the adapter's 500.
    ctx.log.error({ err }, 'reply was rejected');
    await discard(reply);
    reply = internalErrorReply(ctx);
    replyHeaders = reply.headers;
  }
  const rawBody = ctx.method === 'HEAD' || statusHasNoBody(reply.status) ? await discard(reply) : await collect(reply);
  app.done(ctx, reply.status);
  const out = toResponseHeaders(replyHeaders);
  return {
    status: reply.status,
    headers: out,
    body: rawBody.toString('utf8'),
    rawBody,
    json: <T>() => JSON.parse(rawBody.toString('utf8')) as T,
  };
}

/** Throws where `writeHead()` or `createReadStream()` would throw for this reply over HTTP/1.1. */
function assertWritable(reply: Reply, headers: ReplyHeaders, bodiless: boolean): void {
  if (!Number.isInteger(reply.status) || reply.status < 100 || reply.status > 999) throw new RangeError(`invalid status code ${reply.status}`);
  for (const name in headers) {
    validateHeaderName(name);
    const value = headers[name]!;
    for (const item of Array.isArray(value) ? (value as readonly string[]) : [value]) validateHeaderValue(name, item as string);
  }
  const { body } = reply;
  // Like the adapter, which never opens the file of a reply that carries no body.
  if (!bodiless && isFileBody(body) && !(Number.isInteger(body.start) && body.start >= 0 && body.end >= body.start)) {
    throw new RangeError(`invalid file range ${body.start}-${body.end}`);
  }
}

async function collect(reply: Reply): Promise<Buffer> {
  const { body } = reply;
  if (body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (isFileBody(body)) {
    const file = await open(body.path);
    try {
      const length = body.end - body.start + 1;
      const buffer = Buffer.alloc(Math.max(0, length));
      const { bytesRead } = await file.read(buffer, 0, buffer.length, body.start);
      return buffer.subarray(0, bytesRead);
    } finally {
      await file.close();
    }
  }
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

async function discard(reply: Reply): Promise<Buffer> {
  if (reply.body instanceof Readable) reply.body.destroy();
  return Buffer.alloc(0);
}

function toResponseHeaders(headers: ReplyHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name]!;
    out[name] = Array.isArray(value) ? [...(value as readonly string[])] : name === 'set-cookie' ? [String(value)] : String(value);
  }
  return out;
}
