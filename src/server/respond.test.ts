import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { memoryLogger } from '../../test/logger.js';
import { createApp } from '../app.js';
import type { ReplyHeaders } from '../reply.js';
import { respond, type ResponsePort } from './respond.js';

interface Sent {
  gone: boolean;
  heads: { status: number; headers: ReplyHeaders; body?: string | Uint8Array }[];
  refuse?: (status: number) => boolean;
}

/** A transport that records what it was asked to send, and refuses heads when told to. */
const recorder: ResponsePort<Sent> = {
  gone: (sent) => sent.gone,
  send(sent, status, headers, body) {
    if (sent.refuse?.(status)) throw new TypeError('refused');
    sent.heads.push(body === undefined ? { status, headers } : { status, headers, body });
  },
  async stream(sent, status, headers, body) {
    this.send(sent, status, headers);
    for await (const _ of body);
  },
  async file(sent, status, headers) {
    this.send(sent, status, headers);
  },
};

function setup() {
  const logger = memoryLogger();
  const app = createApp({ log: logger.log, accessLog: false });
  const finished: number[] = [];
  app.observe(({ status }) => finished.push(status));
  const ctx = (method = 'GET') => app.context({ method, target: '/', headers: {}, body: Readable.from([]), remoteAddress: '127.0.0.1', secure: false, httpVersion: '1.1' });
  return { app, ctx, finished, lines: logger.lines };
}

test('sends no body for HEAD, 204 and 304, destroying a stream body unread', () => {
  const { app, ctx, finished } = setup();
  for (const [method, status] of [['HEAD', 200], ['GET', 204], ['GET', 304]] as const) {
    const stream = Readable.from(['never read']);
    const sent: Sent = { gone: false, heads: [] };
    respond(app, ctx(method), { status, headers: { 'content-type': 'text/plain' }, body: stream }, recorder, sent);
    assert.deepEqual(sent.heads, [{ status, headers: { 'content-type': 'text/plain' } }]);
    assert.ok(stream.destroyed, `${method} ${status}`);
  }
  assert.deepEqual(finished, [200, 204, 304]);
});

test('lays the Context\'s headers over the reply\'s own', () => {
  const { app, ctx } = setup();
  const c = ctx();
  c.header('cache-control', 'no-store').setCookie('a', '1');
  const sent: Sent = { gone: false, heads: [] };
  respond(app, c, { status: 200, headers: { 'cache-control': 'public', 'set-cookie': 'b=2' }, body: 'x' }, recorder, sent);
  assert.deepEqual(sent.heads[0]!.headers, { 'cache-control': 'no-store', 'set-cookie': ['b=2', 'a=1'] });
});

test('a head the transport refuses becomes the logged, generic 500', () => {
  const { app, ctx, finished, lines } = setup();
  const sent: Sent = { gone: false, heads: [], refuse: (status) => status === 200 };
  respond(app, ctx(), { status: 200, headers: {}, body: 'secret detail' }, recorder, sent);
  assert.equal(sent.heads.length, 1);
  assert.equal(sent.heads[0]!.status, 500);
  assert.doesNotMatch(String(sent.heads[0]!.body), /secret/);
  assert.deepEqual(finished, [500]);
  assert.equal(lines().filter((line) => line.msg === 'reply was rejected').length, 1);
});

test('a file range that no transport can open becomes the generic 500 before any head', () => {
  const { app, ctx } = setup();
  for (const [start, end] of [[5, 1], [-1, 3], [0.5, 2]]) {
    const sent: Sent = { gone: false, heads: [] };
    respond(app, ctx(), { status: 206, headers: {}, body: { kind: 'file', path: '/dev/null', start: start!, end: end! } }, recorder, sent);
    assert.deepEqual(sent.heads.map((head) => head.status), [500], `${start}-${end}`);
  }
});

test('sends nothing to a client that already left, releases the body and finishes as 499', () => {
  const { app, ctx, finished } = setup();
  const stream = Readable.from(['x']);
  const sent: Sent = { gone: true, heads: [] };
  respond(app, ctx(), { status: 200, headers: {}, body: stream }, recorder, sent);
  assert.deepEqual(sent.heads, []);
  assert.ok(stream.destroyed);
  assert.deepEqual(finished, [499]);
});

test('opens a file before its head, so a file that vanished still gets the generic 500', async () => {
  const { app, ctx, finished } = setup();
  const sent: Sent = { gone: false, heads: [] };
  await respond(app, ctx(), { status: 200, headers: { 'content-length': 3 }, body: { kind: 'file', path: '/nonexistent/maru-file', start: 0, end: 2 } }, recorder, sent);
  assert.deepEqual(sent.heads.map((head) => head.status), [500]);
  assert.deepEqual(finished, [500]);
});
