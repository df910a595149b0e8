// HTTP/2 abuse against the real `maru serve --http2`, in its own process so that its memory and CPU time can be
// read from /proc. Raw frames (test/tls/h2-frames.ts) do what node:http2's well-behaved client never would. For
// each attack: what the server must refuse, that its memory and CPU stay bounded, and that another client is
// served meanwhile. The limits are DEFAULT_H2_LIMITS (src/server/listen.ts) and the reset budget of src/server/h2.ts.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { ClientHttp2Session } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_H2_LIMITS } from '../../src/index.js';
import { startMaru, type MaruProcess } from '../app-process.js';
import { h2Connect, h2Request } from '../tls/clients.js';
import {
  bombBlock,
  ERROR,
  errorCodeOf,
  FRAME,
  frame,
  headerFrames,
  rawH2,
  requestBlock,
  rstStreamFrame,
  SETTING,
  windowUpdateFrame,
  type RawH2,
} from '../tls/h2-frames.js';

const MB = 1024 * 1024;

let dataDir: string;
let maru: MaruProcess;
let host: string;
let port: number;
let ca: string;
const attackers: RawH2[] = [];

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'maru-h2-abuse-'));
  maru = await startMaru({ env: { DATA_DIR: dataDir }, args: ['--http2'] });
  ({ hostname: host } = new URL(maru.url));
  port = Number(new URL(maru.url).port);
  ca = await readFile(join(dataDir, 'dev-cert.pem'), 'utf8');
});
after(async () => {
  for (const attacker of attackers) attacker.destroy();
  await maru?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

async function attacker(settings: Readonly<Record<number, number>> = {}): Promise<RawH2> {
  const raw = await rawH2(host, port, settings);
  attackers.push(raw);
  return raw;
}

async function procStatus(field: 'VmRSS'): Promise<number> {
  const status = await readFile(`/proc/${maru.child.pid}/status`, 'utf8');
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1]) * 1024;
}

/** User + system CPU time of the server so far, seconds. */
async function cpuSeconds(): Promise<number> {
  const stat = await readFile(`/proc/${maru.child.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Requests the server has answered (its access log), so far. */
const handled = () => maru.logs.filter((entry) => entry.msg === 'request' && !String(entry.reqId).startsWith('marker-')).length;

let markers = 0;
/**
 * Waits until the log has caught up: one more request, and its access log line. The server's log reaches the
 * test through a pipe, after the replies; lines of requests finished before this one come before its line.
 */
async function logCaughtUp(): Promise<void> {
  const reqId = `marker-${++markers}`;
  const session = await h2Connect(maru.url, ca);
  try {
    await h2Request(session, '/hello', { headers: { 'x-request-id': reqId } });
  } finally {
    session.close();
  }
  for (let waited = 0; !maru.logs.some((entry) => entry.reqId === reqId); waited += 25) {
    if (waited > 20_000) throw new Error(`no log line for ${reqId} within 20 s`);
    await sleep(25);
  }
}

/**
 * An honest client asking for /hello over its own connection, one request after another, until stopped: every
 * answer must come, and the slowest one says whether the server kept serving others during the attack.
 */
function honestClient() {
  let running = true;
  let slowest = 0;
  let answered = 0;
  let session: ClientHttp2Session | undefined;
  const done = (async () => {
    session = await h2Connect(maru.url, ca);
    while (running) {
      const started = performance.now();
      const res = await h2Request(session, '/hello');
      assert.equal(res.body, 'Hello Node!');
      slowest = Math.max(slowest, performance.now() - started);
      answered++;
      await sleep(20);
    }
  })();
  return {
    async stop() {
      running = false;
      await done.finally(() => session?.close());
      return { slowest, answered };
    },
  };
}

/** What an attack cost the server: RSS growth, CPU time and the attack's requests handled, with the honest client's experience. */
async function underAttack(attack: () => Promise<void>) {
  await logCaughtUp();
  const honest = honestClient();
  const [rssBefore, cpuBefore, handledBefore] = [await procStatus('VmRSS'), await cpuSeconds(), handled()];
  let peak = rssBefore;
  const sampling = setInterval(() => void procStatus('VmRSS').then((rss) => (peak = Math.max(peak, rss)), () => {}), 50);
  let served: { slowest: number; answered: number };
  try {
    await attack();
    peak = Math.max(peak, await procStatus('VmRSS'));
  } finally {
    clearInterval(sampling);
    served = await honest.stop();
  }
  await logCaughtUp();
  // The attack's own requests: the honest client's are in the access log too.
  return { rssGrowth: peak - rssBefore, cpu: (await cpuSeconds()) - cpuBefore, handled: handled() - handledBefore - served.answered, ...served };
}

/** Writes frames in batches while the connection is open and `more()` says so; resolves with how many batches went. */
async function flood(raw: RawH2, batch: (i: number) => Buffer[], { batches, pauseMs = 0 }: { batches: number; pauseMs?: number }): Promise<number> {
  let sent = 0;
  for (; sent < batches && !raw.socket.destroyed; sent++) {
    if (!raw.write(...batch(sent))) await Promise.race([new Promise((resolve) => raw.socket.once('drain', resolve)), raw.closed, sleep(2000)]);
    if (pauseMs > 0) await sleep(pauseMs);
  }
  return sent;
}

async function closedWithin(raw: RawH2, ms: number): Promise<boolean> {
  return Promise.race([raw.closed.then(() => true), sleep(ms).then(() => false)]);
}

const goawayCodes = (raw: RawH2) => raw.frames.filter((f) => f.type === FRAME.GOAWAY).map(errorCodeOf);
const resetCodes = (raw: RawH2) => raw.frames.filter((f) => f.type === FRAME.RST_STREAM).map(errorCodeOf);

describe('HTTP/2 abuse stays bounded', { timeout: 120_000 }, () => {
  test('rapid reset (CVE-2023-44487): the connection is closed with ENHANCE_YOUR_CALM after a bounded number of handler runs', async () => {
    const raw = await attacker();
    await raw.acked;
    const block = requestBlock('GET', '/users?limit=100', 'localhost');
    let sentStreams = 0;
    const cost = await underAttack(async () => {
      await flood(
        raw,
        (i) => {
          const frames: Buffer[] = [];
          for (let k = 0; k < 100; k++) {
            const id = 1 + 2 * (i * 100 + k);
            frames.push(headerFrames(id, block)[0]!, rstStreamFrame(id, ERROR.CANCEL));
          }
          sentStreams += 100;
          return frames;
        },
        { batches: 200, pauseMs: 5 },
      );
      assert.equal(await closedWithin(raw, 20_000), true, 'the server closed the connection');
    });
    assert.deepEqual(goawayCodes(raw), [ERROR.ENHANCE_YOUR_CALM]);
    // One warning for the operator, naming the client.
    const warned = maru.logs.filter((entry) => /rapid reset/.test(String(entry.msg)));
    assert.equal(warned.length, 1);
    assert.match(String(warned[0]!.remoteAddress), /127\.0\.0\.1/);
    // The budget is a burst of 200 resets, refilled at 33 a second: a few hundred handler runs, not thousands.
    assert.ok(cost.handled < 600, `${cost.handled} requests handled for ${sentStreams} opened and reset`);
    assert.ok(cost.cpu < 3, `${cost.cpu.toFixed(2)} s of CPU`);
    assert.ok(cost.rssGrowth < 64 * MB, `RSS grew ${(cost.rssGrowth / MB).toFixed(1)} MB`);
    assert.ok(cost.answered > 0 && cost.slowest < 10_000, `honest client: ${cost.answered} answers, slowest ${cost.slowest.toFixed(0)} ms`);
  });

  test('clients that open many streams and never read the replies leave memory bounded while others are served', async () => {
    const connections = 8;
    const perConnection = 1000;
    const cost = await underAttack(async () => {
      for (let c = 0; c < connections; c++) {
        // The widest window it may give, so nothing but its own reading stops the server from sending.
        const raw = await attacker({ [SETTING.INITIAL_WINDOW_SIZE]: 2 ** 31 - 1 });
        raw.stopReading();
        const frames = [windowUpdateFrame(0, 2 ** 31 - 1 - 65_535)];
        for (let i = 0; i < perConnection; i++) frames.push(...headerFrames(1 + 2 * i, requestBlock('GET', i % 2 === 0 ? '/static/app.js' : '/about', 'localhost')));
        raw.write(...frames);
      }
      await sleep(2000);
    });
    assert.ok(cost.rssGrowth < 96 * MB, `RSS grew ${(cost.rssGrowth / MB).toFixed(1)} MB for ${connections * perConnection} unread requests`);
    assert.ok(cost.answered > 0 && cost.slowest < 10_000, `honest client: ${cost.answered} answers, slowest ${cost.slowest.toFixed(0)} ms`);
    for (const raw of attackers.splice(0)) raw.destroy();
  });

  test('a header list over maxHeaderListSize is refused before the handler runs, before and after SETTINGS are acknowledged', async () => {
    const headers = Array.from({ length: 100 }, (_, i) => [`x-big-${i}`, 'v'.repeat(200)] as const);
    const block = requestBlock('GET', '/hello', 'localhost', headers);
    assert.ok(block.length > DEFAULT_H2_LIMITS.maxHeaderListSize);
    const early = await attacker();
    await logCaughtUp();
    const before = handled();
    // Sent at once, before this client acknowledged the server's SETTINGS (as browsers send their first request).
    early.write(...headerFrames(1, block));
    const late = await attacker();
    await late.acked;
    late.write(...headerFrames(1, block));
    for (let waited = 0; resetCodes(early).length + resetCodes(late).length < 2 && waited < 20_000; waited += 25) await sleep(25);
    assert.deepEqual(resetCodes(early), [ERROR.ENHANCE_YOUR_CALM], 'refused before the ACK');
    assert.deepEqual(resetCodes(late), [ERROR.ENHANCE_YOUR_CALM], 'refused after the ACK');
    assert.equal(early.frames.some((f) => f.type === FRAME.HEADERS), false);
    await logCaughtUp();
    assert.equal(handled(), before, 'no handler ran');
    // A list just under the limit is served.
    const fits = requestBlock('GET', '/hello', 'localhost', headers.slice(0, 60));
    late.write(...headerFrames(3, fits));
    for (let waited = 0; !late.frames.some((f) => f.type === FRAME.HEADERS) && waited < 20_000; waited += 25) await sleep(25);
    assert.ok(late.frames.some((f) => f.type === FRAME.HEADERS && f.streamId === 3));
  });

  test('HPACK bombs and CONTINUATION floods stay bounded in memory, and the server keeps serving', async () => {
    let bombed: RawH2 | undefined;
    const cost = await underAttack(async () => {
      // 128 streams whose 4 KiB header is referenced 4000 times each: 16 MB decoded per stream if nothing stopped it.
      const bomb = await attacker();
      const frames: Buffer[] = [];
      for (let i = 0; i < 128; i++) frames.push(...headerFrames(1 + 2 * i, bombBlock('/hello', 4000, 4000)));
      bomb.write(...frames);
      for (let waited = 0; resetCodes(bomb).length < 128 && !bomb.socket.destroyed && waited < 20_000; waited += 25) await sleep(25);
      bombed = bomb;
      // A header block that never ends: CONTINUATION after CONTINUATION.
      const endless = await attacker();
      endless.write(headerFrames(1, requestBlock('GET', '/hello', 'localhost'), { endStream: true })[0]!.fill(0x1, 4, 5));
      await flood(endless, () => Array.from({ length: 50 }, () => frame(FRAME.CONTINUATION, 0, 1, Buffer.concat([Buffer.from([0x00, 0x03]), Buffer.from('x-c'), Buffer.from([0x7f, 0x81, 0x07]), Buffer.alloc(1024, 0x61)]))), { batches: 100 });
      assert.equal(await closedWithin(endless, 20_000), true, 'the CONTINUATION flood ends its connection');
      await sleep(500);
    });
    // Every bomb was refused (nghttp2 and Node cap the pairs and bytes of a header list) before a handler ran.
    assert.equal(resetCodes(bombed!).length, 128);
    assert.equal(bombed!.frames.some((f) => f.type === FRAME.HEADERS), false);
    assert.equal(cost.handled, 0, 'only the honest requests were handled');
    assert.ok(cost.rssGrowth < 64 * MB, `RSS grew ${(cost.rssGrowth / MB).toFixed(1)} MB`);
    assert.ok(cost.answered > 0 && cost.slowest < 10_000, `honest client: ${cost.answered} answers, slowest ${cost.slowest.toFixed(0)} ms`);
    for (const raw of attackers.splice(0)) raw.destroy();
  });

  test('more streams than maxConcurrentStreams: the extra ones are refused, or the connection closed; never more handlers at once', async () => {
    const { maxConcurrentStreams } = DEFAULT_H2_LIMITS;
    const open = (raw: RawH2) => {
      // Requests whose body never comes: each keeps its handler waiting, so nothing frees a slot.
      const frames: Buffer[] = [];
      for (let i = 0; i < 1000; i++) frames.push(...headerFrames(1 + 2 * i, requestBlock('POST', '/login', 'localhost', [['content-type', 'application/json']]), { endStream: false }));
      raw.write(...frames);
    };
    const early = await attacker();
    open(early);
    for (let waited = 0; resetCodes(early).length < 1000 - maxConcurrentStreams && waited < 20_000; waited += 25) await sleep(25);
    // Before this client acknowledged the limit, nghttp2 refuses each extra stream (RFC 9113 §5.1.2: REFUSED_STREAM).
    assert.equal(resetCodes(early).filter((code) => code === ERROR.REFUSED_STREAM).length, 1000 - maxConcurrentStreams);
    assert.equal(early.socket.destroyed, false);

    const late = await attacker();
    await late.acked;
    const cost = await underAttack(async () => {
      open(late);
      // After it, opening more than it agreed to is a connection error: GOAWAY, and the connection is closed.
      assert.equal(await closedWithin(late, 20_000), true, 'the server closed the connection');
    });
    // Only the streams the late client had open were answered (499: it left), never more than the limit.
    assert.ok(cost.handled <= maxConcurrentStreams, `${cost.handled} handled`);
    assert.ok(cost.answered > 0 && cost.slowest < 10_000, `honest client: ${cost.answered} answers, slowest ${cost.slowest.toFixed(0)} ms`);
    for (const raw of attackers.splice(0)) raw.destroy();
  });
});
