// HTTP/2 streams and connections that stop moving are ended, each by the timer meant for it (listen()'s
// http2Limits, made short here): a request body that stops coming, a reply the client never reads, an idle
// connection. Raw frames, because node:http2's client always reads.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApp, listen, type Listening } from '../../src/index.js';
import { memoryLogger } from '../logger.js';
import { throwawayCerts, type ThrowawayCerts } from '../tls/certs.js';
import { ERROR, errorCodeOf, FRAME, headerFrames, rawH2, requestBlock, SETTING, type RawH2 } from '../tls/h2-frames.js';

const LIMITS = { idleTimeout: 400, streamTimeout: 400 };

describe('HTTP/2 timeouts', () => {
  let certs: ThrowawayCerts;
  let server: Listening;
  let port: number;
  const clients: RawH2[] = [];

  before(async () => {
    certs = await throwawayCerts();
    const app = createApp({ log: memoryLogger('error').log });
    app.get('/big', (ctx) => ctx.text('x'.repeat(100_000)));
    app.post('/echo', async (ctx) => ctx.text(await ctx.body.text()));
    server = await listen(app, { port: 0, host: '127.0.0.1', tls: { certFile: certs.certFile, keyFile: certs.keyFile, http2: true }, http2Limits: LIMITS });
    port = server.listeners[0]!.port;
  });
  after(async () => {
    for (const client of clients) client.destroy();
    await server.close();
    await certs.cleanup();
  });

  async function client(settings: Readonly<Record<number, number>> = {}): Promise<RawH2> {
    const raw = await rawH2('127.0.0.1', port, settings);
    clients.push(raw);
    return raw;
  }

  /** Milliseconds until the server closed the connection, or undefined after `ms`. */
  async function closedAfter(raw: RawH2, ms: number): Promise<number | undefined> {
    const started = performance.now();
    return Promise.race([raw.closed.then(() => performance.now() - started), sleep(ms).then(() => undefined)]);
  }

  test('a request body that stops coming is cancelled after streamTimeout', async () => {
    const raw = await client();
    raw.write(...headerFrames(1, requestBlock('POST', '/echo', 'localhost', [['content-type', 'text/plain']]), { endStream: false }));
    for (let waited = 0; !raw.frames.some((f) => f.type === FRAME.RST_STREAM) && waited < 20_000; waited += 25) await sleep(25);
    const reset = raw.frames.find((f) => f.type === FRAME.RST_STREAM);
    assert.equal(reset?.streamId, 1);
    assert.equal(errorCodeOf(reset!), ERROR.CANCEL);
  });

  test('a connection whose reply is never read is closed after idleTimeout and streamTimeout more', async () => {
    // A window of 0: the server may send the reply's head but not one byte of its body.
    const raw = await client({ [SETTING.INITIAL_WINDOW_SIZE]: 0 });
    await raw.acked;
    raw.write(...headerFrames(1, requestBlock('GET', '/big', 'localhost')));
    const ms = await closedAfter(raw, 20_000);
    assert.notEqual(ms, undefined, 'the server closed the connection');
    assert.ok(raw.frames.some((f) => f.type === FRAME.HEADERS && f.streamId === 1), 'the head was sent');
    assert.equal(raw.frames.some((f) => f.type === FRAME.DATA), false);
    assert.ok(raw.frames.some((f) => f.type === FRAME.GOAWAY), 'GOAWAY first');
  });

  test('an idle connection is closed with GOAWAY after idleTimeout', async () => {
    const raw = await client();
    await raw.acked;
    assert.notEqual(await closedAfter(raw, 20_000), undefined);
    assert.deepEqual(raw.frames.filter((f) => f.type === FRAME.GOAWAY).map(errorCodeOf), [ERROR.NO_ERROR]);
  });
});
