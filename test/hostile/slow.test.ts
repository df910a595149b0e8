// Slow clients against the member directory in this process, its timeouts lowered through listen() — the
// defaults (headers 10 s, request 30 s, keep-alive 5 s, write 30 s, HTTP/2 stream 30 s, idle 60 s) would keep the
// suite waiting for minutes; test/core/timeouts.test.ts checks the defaults themselves on a bare server. Slowloris
// heads, slow and stopped bodies, idle and silent connections, handshakes never finished, and readers that never
// read, over HTTP/1.1, HTTPS and HTTP/2. Each case: the exact status or close, within bounds far from the
// expected time (a loaded machine answers late, never early), the next request served at once meanwhile.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertCleanLogs, assertIntact, PROMPT_MS, signUp, snapshot, type Member } from './checks.js';
import { FLAG, frame, FRAME, requestBlock, SETTING } from '../tls/h2-frames.js';
import { attacker, ERROR } from './h2-attacker.js';
import { startApp, type Target } from './target.js';
import { h2, h2Session, http, open, statusOf } from './wire.js';

const HEADERS_MS = 2_000;
const REQUEST_MS = 3_000;
const KEEP_ALIVE_MS = 1_000;
const WRITE_MS = 1_000;
const STREAM_MS = 1_000;
const IDLE_MS = 1_500;
/** Far above every lowered timeout: a cut later than this is no cut. */
const LATE_MS = 20_000;

const timeouts = { headersTimeout: HEADERS_MS, requestTimeout: REQUEST_MS, keepAliveTimeout: KEEP_ALIVE_MS, writeTimeout: WRITE_MS };

/** A connection that reads everything the server sends; `closed` resolves with ms from `started` to the close. */
function watch(socket: Socket): { text: () => string; closed: Promise<number> } {
  const started = Date.now();
  let text = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => (text += chunk));
  socket.on('error', () => {});
  const closed = Promise.race([once(socket, 'close').then(() => Date.now() - started), sleep(LATE_MS, undefined, { ref: false }).then(() => Infinity)]);
  return { text: () => text, closed };
}

/** Writes `parts` one every `everyMs` until the socket closes or they run out. */
async function trickle(socket: Socket, parts: readonly string[], everyMs: number): Promise<void> {
  for (const part of parts) {
    if (socket.destroyed || !socket.writable) return;
    socket.write(part);
    await sleep(everyMs);
  }
}

function assertBetween(ms: number, low: number, what: string): void {
  assert.ok(ms >= low && ms < LATE_MS, `${what} after ${ms} ms, expected ${low}–${LATE_MS} ms`);
}

/** An ordinary request is served at once while the attack goes on. */
async function assertServedMeanwhile(target: Target): Promise<void> {
  const started = Date.now();
  const res = await http(target, '/hello');
  assert.equal(res.body, 'Hello Node!');
  assert.ok(Date.now() - started < PROMPT_MS, `took ${Date.now() - started} ms`);
}

describe('slow clients over HTTP/1.1, HTTPS and HTTP/2 (timeouts lowered)', () => {
  let plain: Target;
  let secure: Target;
  let resident: Member;
  let secureResident: Member;

  before(async () => {
    [plain, secure] = await Promise.all([startApp({ listen: timeouts }), startApp({ tls: true, listen: { ...timeouts, http2Limits: { streamTimeout: STREAM_MS, idleTimeout: IDLE_MS } } })]);
    [resident, secureResident] = await Promise.all([signUp(plain, 'resident'), signUp(secure, 'resident')]);
  });
  after(() => Promise.all([plain.close(), secure.close()]));

  // Each case waits for a timeout of its own: side by side, the file takes seconds instead of a minute.
  describe('each attack', { concurrency: true }, () => {

    for (const transport of ['HTTP/1.1', 'HTTPS'] as const) {
      const targetOf = () => (transport === 'HTTP/1.1' ? { target: plain, member: resident } : { target: secure, member: secureResident });

      test(`answers 408 to a head trickled in and never finished (slowloris), after the headers timeout (${transport})`, async () => {
        const { target, member } = targetOf();
        const before = await snapshot(target, member);
        const socket = open(target);
        const client = watch(socket);
        void trickle(socket, ['GET /hello HTTP/1.1\r\n', 'Host: localhost\r\n', ...Array.from({ length: 200 }, (_, i) => `X-Slow-${i}: a\r\n`)], 200);
        await assertServedMeanwhile(target);
        assertBetween(await client.closed, HEADERS_MS * 0.9, 'cut');
        assert.equal(statusOf(client.text()), 408);
        await assertIntact(target, member, before);
      });

      test(`answers 408 to a body that stops halfway, after the request timeout (${transport})`, async () => {
        const { target, member } = targetOf();
        const before = await snapshot(target, member);
        const socket = open(target);
        const client = watch(socket);
        socket.write('POST /users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name":"slow",');
        assertBetween(await client.closed, REQUEST_MS * 0.9, 'cut');
        assert.equal(statusOf(client.text()), 408);
        await assertIntact(target, member, before);
      });
    }

    test('answers 408 to fifty slowloris connections at once, and serves others meanwhile', async () => {
      const before = await snapshot(plain, resident);
      const clients = Array.from({ length: 50 }, () => {
        const socket = open(plain);
        const client = watch(socket);
        void trickle(socket, ['GET / HTTP/1.1\r\n', ...Array.from({ length: 200 }, (_, i) => `X-${i}: b\r\n`)], 250);
        return client;
      });
      await assertServedMeanwhile(plain);
      for (const client of clients) {
        assertBetween(await client.closed, HEADERS_MS * 0.9, 'cut');
        assert.equal(statusOf(client.text()), 408);
      }
      await assertIntact(plain, resident, before);
    });

    test('answers 408 to a body trickled one byte at a time, at the request timeout though it never stops', async () => {
      const before = await snapshot(plain, resident);
      const socket = open(plain);
      const client = watch(socket);
      socket.write('POST /users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n');
      void trickle(socket, Array.from({ length: 1000 }, () => ' '), 100);
      assertBetween(await client.closed, REQUEST_MS * 0.9, 'cut');
      assert.equal(statusOf(client.text()), 408);
      await assertIntact(plain, resident, before);
    });

    test('answers 408 to a connection that never sends a byte', async () => {
      const before = await snapshot(plain, resident);
      const client = watch(open(plain));
      assertBetween(await client.closed, HEADERS_MS * 0.9, 'cut');
      assert.equal(statusOf(client.text()), 408);
      await assertIntact(plain, resident, before);
    });

    test('closes an idle keep-alive connection after the keep-alive timeout', async () => {
      const before = await snapshot(plain, resident);
      const socket = open(plain);
      const client = watch(socket);
      socket.write('GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n');
      assertBetween(await client.closed, KEEP_ALIVE_MS * 0.9, 'closed');
      assert.equal(statusOf(client.text()), 200);
      assert.match(client.text(), /\r\nKeep-Alive: timeout=1\r\n/);
      await assertIntact(plain, resident, before);
    });

    test('ends a connection whose client sends 5000 pipelined requests and never reads, after the write timeout', async () => {
      // A target of its own: the cut is seen in its log, whose budget (20 lines per 10 s) the other cases would spend.
      const own = await startApp({ listen: timeouts });
      try {
        const member = await signUp(own, 'resident');
        const before = await snapshot(own, member);
        const socket = netConnect(own.port, '127.0.0.1');
        socket.on('error', () => {});
        socket.pause();
        socket.write('GET /static/style.css HTTP/1.1\r\nHost: localhost\r\n\r\n'.repeat(5000));
        const started = Date.now();
        const cut = () => own.logs().some((line) => line.reason === 'ERR_WRITE_TIMEOUT');
        while (!cut() && Date.now() - started < LATE_MS) await sleep(25);
        socket.destroy();
        assert.ok(cut(), 'the connection was ended (and logged)');
        assertBetween(Date.now() - started, WRITE_MS * 0.9, 'cut');
        await assertIntact(own, member, before);
      } finally {
        await own.close();
      }
    });

    test('closes a TCP connection to the HTTPS port that never starts its TLS handshake', async () => {
      const before = await snapshot(secure, secureResident);
      const client = watch(netConnect(secure.port, '127.0.0.1'));
      assertBetween(await client.closed, HEADERS_MS * 0.9, 'closed');
      assert.equal(client.text(), '');
      await assertIntact(secure, secureResident, before);
    });

    test('closes a TLS handshake that stops after a few bytes of its ClientHello', async () => {
      const before = await snapshot(secure, secureResident);
      const socket = netConnect(secure.port, '127.0.0.1');
      const client = watch(socket);
      socket.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]));
      assertBetween(await client.closed, HEADERS_MS * 0.9, 'closed');
      await assertIntact(secure, secureResident, before);
    });

    test('closes an HTTP/2 connection whose client never sends the connection preface, after the idle timeout, with GOAWAY', async () => {
      const before = await snapshot(secure, secureResident);
      const socket = tlsConnect({ host: '127.0.0.1', port: secure.port, ca: secure.ca!, servername: 'localhost', ALPNProtocols: ['h2'] });
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', () => {});
      const started = Date.now();
      const ms = await Promise.race([once(socket, 'close').then(() => Date.now() - started), sleep(LATE_MS, undefined, { ref: false }).then(() => Infinity)]);
      socket.destroy();
      assertBetween(ms, IDLE_MS * 0.9, 'closed');
      assert.ok(Buffer.concat(chunks).includes(Buffer.from([0x00, 0x00, 0x08, 0x07])), 'a GOAWAY frame came before the close');
      await assertIntact(secure, secureResident, before);
    });

    test('sends GOAWAY (NO_ERROR) to an idle HTTP/2 session and closes it, after the idle timeout', async () => {
      const before = await snapshot(secure, secureResident);
      const session = await h2Session(secure);
      assert.equal((await h2(session, { ':path': '/hello' })).status, 200);
      const started = Date.now();
      const goaway = once(session, 'goaway').then(([code]) => code as number);
      const ms = await Promise.race([once(session, 'close').then(() => Date.now() - started), sleep(LATE_MS, undefined, { ref: false }).then(() => Infinity)]);
      session.destroy();
      assertBetween(ms, IDLE_MS * 0.9, 'closed');
      assert.equal(await goaway, ERROR.NO_ERROR);
      await assertIntact(secure, secureResident, before);
    });

    test('cancels an HTTP/2 stream whose body stops halfway, after the stream timeout; the session goes on', async () => {
      const before = await snapshot(secure, secureResident);
      const raw = await attacker(secure);
      try {
        const started = Date.now();
        raw.raw.write(frame(FRAME.HEADERS, FLAG.END_HEADERS, 1, requestBlock('POST', '/users', 'localhost', [['content-type', 'application/json']])));
        raw.raw.write(frame(FRAME.DATA, 0, 1, Buffer.from('{"name":"slow",')));
        const seen = await raw.until((s) => s.resets.has(1), LATE_MS);
        assertBetween(Date.now() - started, STREAM_MS * 0.9, 'cancelled');
        assert.equal(seen.resets.get(1), ERROR.CANCEL);
        assert.equal(seen.answered.has(1), false, 'no reply on it');
        raw.raw.write(frame(FRAME.HEADERS, FLAG.END_HEADERS | FLAG.END_STREAM, 3, requestBlock('GET', '/hello', 'localhost')));
        assert.ok((await raw.until((s) => s.ended.has(3), LATE_MS)).ended.has(3), 'the next stream is answered');
      } finally {
        raw.raw.destroy();
      }
      await assertIntact(secure, secureResident, before);
    });

    // An in-memory reply has no timer of its own (src/server/h2.ts): the connection idles out, GOAWAY, and is cut
    // streamTimeout later.
    test('closes the connection of a client that lets no byte through (window 0): GOAWAY at the idle timeout, cut the stream timeout later', async () => {
      const before = await snapshot(secure, secureResident);
      const raw = await attacker(secure, { [SETTING.INITIAL_WINDOW_SIZE]: 0 });
      try {
        const started = Date.now();
        const streams = Array.from({ length: 50 }, (_, i) => 1 + 2 * i);
        raw.raw.write(...streams.map((id) => frame(FRAME.HEADERS, FLAG.END_HEADERS | FLAG.END_STREAM, id, requestBlock('GET', '/static/style.css', 'localhost'))));
        await assertServedMeanwhile(secure);
        assert.equal(await raw.closedWithin(LATE_MS), true, 'the connection is closed');
        assertBetween(Date.now() - started, (IDLE_MS + STREAM_MS) * 0.9, 'closed');
        assert.deepEqual(raw.seen().goaways, [ERROR.NO_ERROR]);
        assert.equal(raw.seen().data.size, 0, 'not a byte of a reply was sent');
      } finally {
        raw.raw.destroy();
      }
      await assertIntact(secure, secureResident, before);
    });

    test('closes the connection of a client that never reads 100 replies (no WINDOW_UPDATE): no more than its window is sent', async () => {
      const before = await snapshot(secure, secureResident);
      const raw = await attacker(secure);
      try {
        raw.raw.write(...Array.from({ length: 100 }, (_, i) => frame(FRAME.HEADERS, FLAG.END_HEADERS | FLAG.END_STREAM, 1 + 2 * i, requestBlock('GET', '/static/style.css', 'localhost'))));
        assert.equal(await raw.closedWithin(LATE_MS), true, 'the connection is closed');
        const seen = raw.seen();
        assert.ok(seen.ended.size > 0 && seen.ended.size < 100, `${seen.ended.size} replies finished within the window`);
        assert.ok([...seen.data.values()].reduce((a, b) => a + b, 0) <= 65_535, 'never more than the window');
        assert.deepEqual(seen.goaways, [ERROR.NO_ERROR]);
      } finally {
        raw.raw.destroy();
      }
      await assertIntact(secure, secureResident, before);
    });
  });

  test('logged no error and answered no request with a 5xx', () => {
    assertCleanLogs(plain.logs());
    assertCleanLogs(secure.logs());
  });
});
