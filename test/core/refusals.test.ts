// How the HTTP/1.1 and HTTPS transports refuse: readable 413s (lingering close), 100-continue only for a body the
// route accepts, a trace of what Node refuses itself, and a write timeout for clients that stop reading.
import assert from 'node:assert/strict';
import { connect as netConnect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { createApp, listen, type App, type FinishedRequest, type Listening } from '../../src/index.js';
import { memoryLogger } from '../logger.js';
import { throwawayCerts, type ThrowawayCerts } from '../tls/certs.js';

const MIB = 1024 * 1024;

const BIG = Buffer.alloc(8 * MIB, 97);
const SMALL = 'x'.repeat(4096);

function uploadApp() {
  const logger = memoryLogger('debug');
  const app = createApp({ log: logger.log, bodyLimit: MIB, accessLog: false });
  app.post('/upload', async (ctx) => ctx.json({ bytes: (await ctx.body.buffer()).length }));
  app.get('/big', (ctx) => ctx.send(BIG, 'application/octet-stream'));
  app.get('/small', (ctx) => ctx.text(SMALL));
  app.get('/endless', (ctx) => ctx.stream(Readable.from(endless()), { type: 'application/octet-stream' }));
  return { app, lines: logger.lines };
}

async function* endless() {
  const chunk = Buffer.alloc(64 * 1024, 120);
  for (;;) yield chunk;
}

interface Exchange {
  text: string;
  /** The socket errored (a reset) instead of ending cleanly. */
  error: string | undefined;
}

/** Writes `head` then `body` as fast as the socket takes it, reads everything back until the server closes. */
function exchange(socket: Socket, head: string, body: Buffer): Promise<Exchange> {
  return new Promise((resolve) => {
    let text = '';
    let error: string | undefined;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => (error ??= err.code ?? err.message));
    socket.on('close', () => resolve({ text, error }));
    socket.write(head);
    socket.write(body);
    socket.end();
  });
}

function chunked(bytes: number): Buffer {
  const parts: Buffer[] = [];
  for (let left = bytes; left > 0; left -= 16 * 1024) {
    const size = Math.min(16 * 1024, left);
    parts.push(Buffer.from(`${size.toString(16)}\r\n`), Buffer.alloc(size, 97), Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

const connectTo = {
  plain: (port: number) => netConnect(port, '127.0.0.1'),
  tls: (port: number, ca: string) => tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost', ALPNProtocols: ['http/1.1'] }),
};

describe('refused uploads are readable', () => {
  let certs: ThrowawayCerts;
  let plain: Listening;
  let secure: Listening;
  let app: App;

  before(async () => {
    certs = await throwawayCerts();
    app = uploadApp().app;
    plain = await listen(app, { port: 0, host: '127.0.0.1' });
    secure = await listen(app, { port: 0, host: '127.0.0.1', tls: { certFile: certs.certFile, keyFile: certs.keyFile } });
  });
  after(async () => {
    await Promise.all([plain.close(), secure.close()]);
    await certs.cleanup();
  });

  for (const transport of ['plain', 'tls'] as const) {
    const open = () => (transport === 'plain' ? connectTo.plain(plain.listeners[0]!.port) : connectTo.tls(secure.listeners[0]!.port, certs.certPem));

    // 8 MiB: more than the kernel's socket buffers hold, so the client is still sending when the reply is done.
    test(`a chunked 8 MiB upload to a 1 MiB route gets its 413, not a reset (${transport})`, async () => {
      const body = chunked(8 * MIB);
      const res = await exchange(open(), 'POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n', body);
      assert.match(res.text, /^HTTP\/1\.1 413 /);
      assert.match(res.text, /BODY_TOO_LARGE/);
      assert.match(res.text, /connection: close/i);
      assert.equal(res.error, undefined);
    });

    test(`an 8 MiB upload with Content-Length gets its 413, not a reset (${transport})`, async () => {
      const body = Buffer.alloc(8 * MIB, 98);
      const res = await exchange(open(), `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: ${body.length}\r\n\r\n`, body);
      assert.match(res.text, /^HTTP\/1\.1 413 /);
      assert.equal(res.error, undefined);
    });
  }
});

describe('Expect: 100-continue', () => {
  let server: Listening;
  before(async () => {
    server = await listen(uploadApp().app, { port: 0, host: '127.0.0.1' });
  });
  after(() => server.close());

  /** Sends only the head, and says what came back before anything else was sent. */
  function headOnly(head: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = netConnect(server.listeners[0]!.port, '127.0.0.1');
      let text = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        text += chunk;
        if (text.includes('\r\n\r\n')) {
          socket.destroy();
          resolve(text);
        }
      });
      socket.on('error', reject);
      socket.write(head);
    });
  }

  test('refuses an announced body over the limit with 413, without inviting it', async () => {
    const text = await headOnly(`POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: ${2 * MIB}\r\nExpect: 100-continue\r\n\r\n`);
    assert.match(text, /^HTTP\/1\.1 413 /);
    assert.doesNotMatch(text, /100 Continue/);
  });

  test('invites a body the route accepts with 100 Continue, then answers it', async () => {
    const socket = netConnect(server.listeners[0]!.port, '127.0.0.1');
    const text = await new Promise<string>((resolve, reject) => {
      let seen = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        seen += chunk;
        if (seen === 'HTTP/1.1 100 Continue\r\n\r\n') socket.write('hello');
        if (seen.includes('{"bytes":5}')) resolve(seen);
      });
      socket.on('error', reject);
      socket.write('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
    });
    socket.destroy();
    assert.match(text, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK/);
  });
});

describe('what Node refuses itself leaves a trace', () => {
  test('answers a malformed request 400 and logs the reason and the client, at most 20 lines per 10 s', async () => {
    const { app, lines } = uploadApp();
    const server = await listen(app, { port: 0, host: '127.0.0.1' });
    try {
      const answers = await Promise.all(
        Array.from({ length: 30 }, () => exchange(netConnect(server.listeners[0]!.port, '127.0.0.1'), 'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n', Buffer.alloc(0))),
      );
      for (const answer of answers) assert.match(answer.text, /^HTTP\/1\.1 400 Bad Request\r\nConnection: close/);
      const logged = lines().filter((line) => line.msg === 'answered 400 to a request Node could not accept');
      assert.equal(logged.length, 20);
      assert.equal(logged[0]!.client, '127.0.0.1');
      assert.match(String(logged[0]!.reason), /^HPE_/);
    } finally {
      await server.close();
    }
  });

  test('answers headers that are too large with 431 and logs it', async () => {
    const { app, lines } = uploadApp();
    const server = await listen(app, { port: 0, host: '127.0.0.1' });
    try {
      const answer = await exchange(netConnect(server.listeners[0]!.port, '127.0.0.1'), `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, Buffer.alloc(0));
      assert.match(answer.text, /^HTTP\/1\.1 431 /);
      assert.equal(lines().filter((line) => line.reason === 'HPE_HEADER_OVERFLOW' && line.status === 431).length, 1);
    } finally {
      await server.close();
    }
  });
});

describe('Host (RFC 9112 §3.2)', () => {
  const cases: [name: string, head: string, reason: string][] = [
    ['two Host lines', 'POST /upload HTTP/1.1\r\nHost: x\r\nHost: evil.example\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n', 'HOST_DUPLICATE'],
    ['a Host with a path in it', 'POST /upload HTTP/1.1\r\nHost: evil.example/x\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n', 'HOST_INVALID'],
  ];
  for (const [transport, connectOf] of [['HTTP/1.1', connectTo.plain], ['HTTPS', null]] as const) {
    for (const [name, head, reason] of cases) {
      test(`answers 400 to ${name} before the app sees it, logs it, and reads the body away (${transport})`, async () => {
        const { app, lines } = uploadApp();
        const certs = connectOf === null ? await throwawayCerts() : undefined;
        const server = await listen(app, { port: 0, host: '127.0.0.1', ...(certs === undefined ? {} : { tls: { certFile: certs.certFile, keyFile: certs.keyFile } }) });
        try {
          const port = server.listeners[0]!.port;
          const socket = certs === undefined ? connectTo.plain(port) : connectTo.tls(port, certs.certPem);
          const answer = await exchange(socket, head, Buffer.from('hello'));
          assert.equal(answer.error, undefined, 'no reset');
          assert.match(answer.text, /^HTTP\/1\.1 400 Bad Request\r\n/);
          assert.match(answer.text, /\r\nConnection: close\r\n/i);
          assert.match(answer.text, /"code":"BAD_HOST"/);
          assert.doesNotMatch(answer.text, /"bytes"/, 'the route never ran');
          assert.equal(lines().filter((line) => line.reason === reason && line.status === 400).length, 1);
        } finally {
          await server.close();
          await certs?.cleanup();
        }
      });
    }
  }
});

describe('a client that stops reading', () => {
  test('is cut off after the write timeout instead of holding its connection forever', async () => {
    const { app } = uploadApp();
    const finished: FinishedRequest[] = [];
    app.observe((request) => finished.push(request));
    const server = await listen(app, { port: 0, host: '127.0.0.1', writeTimeout: 300 });
    try {
      const socket = netConnect(server.listeners[0]!.port, '127.0.0.1');
      socket.on('error', () => {});
      socket.write('GET /endless HTTP/1.1\r\nHost: x\r\n\r\n');
      socket.pause(); // never reads: the server's writes stop making progress
      // A paused client never sees the close, so the server's side is watched instead.
      for (const deadline = Date.now() + 10_000; finished.length === 0 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 20));
      socket.destroy();
      assert.equal(finished.length, 1);
      assert.match(String((finished[0]!.error as Error | undefined)?.message), /no progress writing the reply for 300 ms/);
    } finally {
      await server.close();
    }
  });

  // A reply in memory is handed to the socket whole; when the socket cannot take it (too big, or queued behind
  // another reply), the client that stops reading would hold the connection for good without the timeout.
  for (const [what, requests] of [
    ['an 8 MiB reply from memory', 'GET /big HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['5000 pipelined replies of 4 KiB', 'GET /small HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(5000)],
  ] as const) {
    test(`cuts ${what} to a client that never reads, after the write timeout`, async () => {
      const { app, lines } = uploadApp();
      const server = await listen(app, { port: 0, host: '127.0.0.1', writeTimeout: 300 });
      try {
        const socket = netConnect(server.listeners[0]!.port, '127.0.0.1');
        socket.on('error', () => {});
        socket.pause();
        socket.write(requests);
        const cut = () => lines().some((line) => line.reason === 'ERR_WRITE_TIMEOUT');
        for (const deadline = Date.now() + 10_000; !cut() && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 20));
        socket.destroy();
        assert.ok(cut(), 'the connection was ended and logged');
      } finally {
        await server.close();
      }
    });
  }
});
