import { ERROR, FLAG, FRAME, rawH2, type RawH2 } from '../tls/h2-frames.js';
import type { Target } from './target.js';

/** What one raw HTTP/2 connection has seen from the server so far, read from its frames. */
export interface Seen {
  /** Streams the server answered with HEADERS. */
  readonly answered: ReadonlySet<number>;
  /** Streams whose reply the server finished (END_STREAM). */
  readonly ended: ReadonlySet<number>;
  /** DATA bytes received, by stream. */
  readonly data: ReadonlyMap<number, number>;
  /** RST_STREAM codes by stream. */
  readonly resets: ReadonlyMap<number, number>;
  /** The code of every GOAWAY, in order. */
  readonly goaways: readonly number[];
  readonly pingAcks: number;
}

export function seenBy(raw: RawH2): Seen {
  const answered = new Set<number>();
  const ended = new Set<number>();
  const data = new Map<number, number>();
  const resets = new Map<number, number>();
  const goaways: number[] = [];
  let pingAcks = 0;
  for (const { type, flags, streamId, payload } of raw.frames) {
    if (type === FRAME.HEADERS) answered.add(streamId);
    if (type === FRAME.DATA) data.set(streamId, (data.get(streamId) ?? 0) + payload.length);
    if ((type === FRAME.HEADERS || type === FRAME.DATA) && (flags & FLAG.END_STREAM) !== 0) ended.add(streamId);
    if (type === FRAME.RST_STREAM) resets.set(streamId, payload.readUInt32BE(0));
    if (type === FRAME.GOAWAY) goaways.push(payload.readUInt32BE(4));
    if (type === FRAME.PING && (flags & FLAG.ACK) !== 0) pingAcks++;
  }
  return { answered, ended, data, resets, goaways, pingAcks };
}

export interface Attacker {
  readonly raw: RawH2;
  seen(): Seen;
  /** True once the server has closed the connection. */
  closed(): boolean;
  /** Resolves whether the server closed the connection within `ms`. */
  closedWithin(ms: number): Promise<boolean>;
  /** Polls `done` until it holds, the connection closes, or `ms` pass. */
  until(done: (seen: Seen) => boolean, ms: number): Promise<Seen>;
}

/**
 * A raw HTTP/2 connection to the target (test/tls/h2-frames.ts), once it has acknowledged the server's SETTINGS:
 * the server's limits are then in force. `settings` are this client's own (e.g. an initial window of 0).
 */
export async function attacker(target: Target, settings: Readonly<Record<number, number>> = {}): Promise<Attacker> {
  const raw = await rawH2('127.0.0.1', target.port, settings);
  let isClosed = false;
  void raw.closed.then(() => (isClosed = true));
  await Promise.race([raw.acked, raw.closed]);
  const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
  return {
    raw,
    seen: () => seenBy(raw),
    closed: () => isClosed,
    async closedWithin(ms) {
      await Promise.race([raw.closed, wait(ms)]);
      return isClosed;
    },
    async until(done, ms) {
      for (const deadline = Date.now() + ms; !done(seenBy(raw)) && !isClosed && Date.now() < deadline; ) await wait(25);
      return seenBy(raw);
    },
  };
}

export { ERROR };
