// HTTP/2 frames that break the protocol, against `maru serve --https --http2` as a process with its default
// limits: floods of frames h2.test.ts does not send (SETTINGS, PING, empty DATA, empty CONTINUATION), too many
// header fields, frames on the wrong streams, a window overflow, malformed requests and methods no route takes;
// by hand-written frames where Node's own client would refuse to send them (test/tls/h2-frames.ts). Each case:
// the exact RST_STREAM or GOAWAY (or close), the member list unchanged, another connection served at once.
// (h2.test.ts measures what rapid reset, HPACK bombs, CONTINUATION floods, too many streams and unread replies
// cost the process.)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ERROR, FLAG, frame, FRAME, requestBlock, rstStreamFrame, settingsFrame, windowUpdateFrame } from '../tls/h2-frames.js';
import { assertCleanLogs, assertIntact, signUp, snapshot, type Member } from './checks.js';
import { attacker, type Attacker } from './h2-attacker.js';
import { startApp, startProcess, type Target } from './target.js';
import { codeOf, h2, h2Session } from './wire.js';

/** How long a flood may take to be cut: far above the milliseconds it takes. */
const CUT_MS = 15_000;
const COMPRESSION_ERROR = 0x9;
const END = FLAG.END_HEADERS | FLAG.END_STREAM;

/** A header field, literal without indexing, new name (RFC 7541 §6.2.2); names and values under 127 bytes. */
function literal(name: string, value: string): Buffer {
  return Buffer.concat([Buffer.from([0x00, name.length]), Buffer.from(name, 'latin1'), Buffer.from([value.length]), Buffer.from(value, 'latin1')]);
}

const get = (path = '/hello') => requestBlock('GET', path, 'localhost');

/** Runs an attack on a raw connection; then the state is unchanged and a new session is served at once. */
async function underAttack(target: Target, resident: Member, run: (raw: Attacker) => Promise<void>): Promise<void> {
  const before = await snapshot(target, resident);
  const raw = await attacker(target);
  try {
    await run(raw);
  } finally {
    raw.raw.destroy();
  }
  const session = await h2Session(target);
  try {
    assert.equal((await h2(session, { ':path': '/hello' })).body, 'Hello Node!');
  } finally {
    session.close();
  }
  await assertIntact(target, resident, before);
}

describe('HTTP/2 protocol abuse against maru serve', () => {
  let target: Target;
  let resident: Member;

  before(async () => {
    target = await startProcess({ https: true });
    resident = await signUp(target, 'resident');
  });
  after(() => target.close());

  const attack = (run: (raw: Attacker) => Promise<void>) => underAttack(target, resident, run);

  // Floods nghttp2 or Node cut: GOAWAY INTERNAL_ERROR (Node's code for any error nghttp2 reports), then the close.
  const floods: [name: string, frames: () => Buffer[]][] = [
    ['100000 empty CONTINUATION frames', () => [frame(FRAME.HEADERS, 0, 1, get()), ...Array.from({ length: 100_000 }, () => frame(FRAME.CONTINUATION, 0, 1))]],
    ['100000 SETTINGS frames', () => Array.from({ length: 100_000 }, () => settingsFrame())],
    ['100000 empty DATA frames', () => [frame(FRAME.HEADERS, FLAG.END_HEADERS, 1, requestBlock('POST', '/users', 'localhost', [['content-type', 'application/json']])), ...Array.from({ length: 100_000 }, () => frame(FRAME.DATA, 0, 1))]],
  ];
  for (const [name, frames] of floods) {
    test(`answers a flood of ${name} with GOAWAY INTERNAL_ERROR and closes the connection`, async () => {
      await attack(async (raw) => {
        raw.raw.write(...frames());
        assert.equal(await raw.closedWithin(CUT_MS), true, 'the connection is closed');
        assert.deepEqual(raw.seen().goaways, [ERROR.INTERNAL_ERROR]);
        assert.ok(raw.seen().answered.size <= 1, 'at most the first stream was answered');
      });
    });
  }

  test('closes the connection under a flood of 100000 PINGs (their acknowledgements are capped)', async () => {
    await attack(async (raw) => {
      raw.raw.write(...Array.from({ length: 100_000 }, () => frame(FRAME.PING, 0, 0, Buffer.alloc(8))));
      assert.equal(await raw.closedWithin(CUT_MS), true);
      assert.ok(raw.seen().pingAcks < 100_000, `${raw.seen().pingAcks} acknowledged`);
    });
  });

  // By hand: Node's own client may refuse such a request itself (INTERNAL_ERROR on its side) once it has read the
  // server's SETTINGS, so whether the server's reset was seen depended on timing.
  test('resets a stream with 200 header fields (ENHANCE_YOUR_CALM); the session goes on', async () => {
    await attack(async (raw) => {
      const fields = Array.from({ length: 200 }, (_, i) => literal(`x-h${i}`, 'v'));
      raw.raw.write(frame(FRAME.HEADERS, END, 1, Buffer.concat([get(), ...fields])), frame(FRAME.HEADERS, END, 3, get()));
      const seen = await raw.until((s) => s.resets.has(1) && s.ended.has(3), CUT_MS);
      assert.equal(seen.resets.get(1), ERROR.ENHANCE_YOUR_CALM);
      assert.equal(seen.answered.has(1), false);
      assert.ok(seen.ended.has(3), 'the next stream is answered');
    });
  });

  const connectionErrors: [name: string, frames: () => Buffer[]][] = [
    ['HEADERS on stream 0', () => [frame(FRAME.HEADERS, END, 0, get())]],
    ['a stream id the server should have opened (even)', () => [frame(FRAME.HEADERS, END, 2, get())]],
    ['a WINDOW_UPDATE past 2^31-1', () => [windowUpdateFrame(0, 0x7fffffff)]],
    ['RST_STREAM on a stream never opened', () => [rstStreamFrame(99)]],
  ];
  for (const [name, frames] of connectionErrors) {
    test(`answers ${name} with GOAWAY INTERNAL_ERROR and closes the connection`, async () => {
      await attack(async (raw) => {
        raw.raw.write(...frames());
        assert.equal(await raw.closedWithin(CUT_MS), true);
        assert.deepEqual(raw.seen().goaways, [ERROR.INTERNAL_ERROR]);
      });
    });
  }

  test('drops a HEADERS frame on a stream id lower than one already used; the connection goes on', async () => {
    await attack(async (raw) => {
      raw.raw.write(frame(FRAME.HEADERS, END, 5, get()), frame(FRAME.HEADERS, END, 3, get()), frame(FRAME.HEADERS, END, 7, get()));
      const seen = await raw.until((s) => s.ended.has(7), CUT_MS);
      assert.deepEqual([...seen.ended].sort(), [5, 7]);
      assert.equal(seen.answered.has(3), false);
    });
  });

  for (const [name, block] of [
    ['an upper-case header name', () => Buffer.concat([get(), literal('X-Upper', 'a')])],
    ['a connection-specific header (Connection)', () => Buffer.concat([get(), literal('connection', 'keep-alive')])],
    ['TE other than trailers', () => Buffer.concat([get(), literal('te', 'gzip')])],
    ['a pseudo-header after a regular one', () => Buffer.concat([literal('x-a', '1'), get()])],
    ['no :path', () => Buffer.concat([Buffer.from([0x82, 0x87, 0x01, 9]), Buffer.from('localhost')])],
    ['a :path with a space', () => get('/hel lo')],
    ['an :authority with a space', () => requestBlock('GET', '/hello', 'local host')],
    ['a :path that is not absolute', () => get('hello')],
  ] as const) {
    test(`resets a stream with ${name} (PROTOCOL_ERROR); the session goes on`, async () => {
      await attack(async (raw) => {
        raw.raw.write(frame(FRAME.HEADERS, END, 1, block()), frame(FRAME.HEADERS, END, 3, get()));
        const seen = await raw.until((s) => s.resets.has(1) && s.ended.has(3), CUT_MS);
        assert.equal(seen.resets.get(1), ERROR.PROTOCOL_ERROR);
        assert.equal(seen.answered.has(1), false);
        assert.ok(seen.ended.has(3), 'the next stream is answered');
      });
    });
  }

  test('resets a stream whose body is shorter than its content-length (PROTOCOL_ERROR); the session goes on', async () => {
    const before = await snapshot(target, resident);
    const session = await h2Session(target);
    try {
      const res = await h2(session, { ':method': 'POST', ':path': '/users', 'content-type': 'application/json', 'content-length': '100' }, '{"name":"mallory"}');
      assert.equal(res.status, undefined, 'no answer on that stream');
      assert.equal(res.rstCode, ERROR.PROTOCOL_ERROR);
      assert.equal((await h2(session, { ':path': '/hello' })).body, 'Hello Node!');
    } finally {
      session.close();
    }
    await assertIntact(target, resident, before);
  });

  for (const [method, path, status, code] of [
    ['TRACE', '/', 405, 'METHOD_NOT_ALLOWED'],
    ['get', '/hello', 405, 'METHOD_NOT_ALLOWED'],
    ['PROPFIND', '/users', 405, 'METHOD_NOT_ALLOWED'],
  ] as const) {
    test(`answers ${method} ${path} over HTTP/2 with ${status}`, async () => {
      const before = await snapshot(target, resident);
      const session = await h2Session(target);
      try {
        const res = await h2(session, { ':method': method, ':path': path });
        assert.equal(res.status, status);
        assert.equal(codeOf(res.body), code);
      } finally {
        session.close();
      }
      await assertIntact(target, resident, before);
    });
  }

  test('logged no error and answered no request with a 5xx', () => {
    assertCleanLogs(target.logs());
  });
});

/**
 * When nghttp2 itself ends a session for a header block that is not HPACK, it sends GOAWAY COMPRESSION_ERROR but
 * Node leaves the TCP connection to the client: the session's idle timeout closes it (60 s by default, lowered here
 * through listen() so the suite need not wait a minute).
 */
describe('an HTTP/2 session nghttp2 ends itself (idle timeout lowered to 2 s)', () => {
  const IDLE_MS = 2_000;
  let target: Target;
  let resident: Member;

  before(async () => {
    target = await startApp({ tls: true, listen: { http2Limits: { idleTimeout: IDLE_MS } } });
    resident = await signUp(target, 'resident');
  });
  after(() => target.close());

  test('answers a header block that is not HPACK with GOAWAY COMPRESSION_ERROR, and the idle timeout closes the connection', async () => {
    await underAttack(target, resident, async (raw) => {
      const started = Date.now();
      raw.raw.write(frame(FRAME.HEADERS, END, 1, Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])));
      assert.equal(await raw.closedWithin(CUT_MS + IDLE_MS), true);
      assert.ok(Date.now() - started >= IDLE_MS * 0.9, 'closed at the idle timeout');
      assert.equal(raw.seen().goaways[0], COMPRESSION_ERROR);
      assert.equal(raw.seen().answered.size, 0);
    });
  });

  test('logged no error and answered no request with a 5xx', () => {
    assertCleanLogs(target.logs());
  });
});
