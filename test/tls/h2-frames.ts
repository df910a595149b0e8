import { connect as tlsConnect, type TLSSocket } from 'node:tls';

// RFC 9113 §3.4, §4.1, §6: just enough of HTTP/2's framing to send what a well-behaved client never would
// (node:http2's client obeys the server's limits, so it cannot test them).
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export const FRAME = { DATA: 0, HEADERS: 1, RST_STREAM: 3, SETTINGS: 4, PING: 6, GOAWAY: 7, WINDOW_UPDATE: 8, CONTINUATION: 9 } as const;
export const FLAG = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4 } as const;
export const SETTING = { HEADER_TABLE_SIZE: 1, ENABLE_PUSH: 2, MAX_CONCURRENT_STREAMS: 3, INITIAL_WINDOW_SIZE: 4 } as const;
export const ERROR = { NO_ERROR: 0, PROTOCOL_ERROR: 1, INTERNAL_ERROR: 2, REFUSED_STREAM: 7, CANCEL: 8, ENHANCE_YOUR_CALM: 11 } as const;

/** One frame's bytes. */
export function frame(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head.writeUInt8(type, 3);
  head.writeUInt8(flags, 4);
  head.writeUInt32BE(streamId & 0x7fffffff, 5);
  return Buffer.concat([head, payload]);
}

export function settingsFrame(settings: Readonly<Record<number, number>> = {}): Buffer {
  const entries = Object.entries(settings);
  const payload = Buffer.alloc(entries.length * 6);
  entries.forEach(([id, value], i) => {
    payload.writeUInt16BE(Number(id), i * 6);
    payload.writeUInt32BE(value, i * 6 + 2);
  });
  return frame(FRAME.SETTINGS, 0, 0, payload);
}

export function rstStreamFrame(streamId: number, code: number = ERROR.CANCEL): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(code);
  return frame(FRAME.RST_STREAM, 0, streamId, payload);
}

export function windowUpdateFrame(streamId: number, increment: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(increment);
  return frame(FRAME.WINDOW_UPDATE, 0, streamId, payload);
}

/** HPACK integer (RFC 7541 §5.1) with an `n`-bit prefix under the `first` bits. */
function hpackInteger(value: number, n: number, first: number): Buffer {
  const max = (1 << n) - 1;
  if (value < max) return Buffer.from([first | value]);
  const bytes = [first | max];
  let rest = value - max;
  while (rest >= 128) {
    bytes.push((rest % 128) + 128);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

function hpackString(text: string): Buffer {
  const bytes = Buffer.from(text, 'latin1');
  return Buffer.concat([hpackInteger(bytes.length, 7, 0), bytes]);
}

/**
 * A request's header block in HPACK without Huffman coding or indexing (RFC 7541 §6.2.2): `:method`, `:scheme`,
 * `:path`, `:authority` by their static-table names, then `headers` as literal names.
 */
export function requestBlock(method: string, path: string, authority: string, headers: readonly (readonly [string, string])[] = []): Buffer {
  // Static table (RFC 7541 Appendix A): 1 :authority, 2 :method, 4 :path, 7 :scheme https.
  const parts = [hpackInteger(2, 4, 0), hpackString(method), Buffer.from([0x87]), hpackInteger(4, 4, 0), hpackString(path), hpackInteger(1, 4, 0), hpackString(authority)];
  for (const [name, value] of headers) parts.push(Buffer.from([0]), hpackString(name), hpackString(value));
  return Buffer.concat(parts);
}

/**
 * A header block that decodes to far more than it weighs (an "HPACK bomb", RFC 7541 §7.3): one `size`-byte header
 * put into the dynamic table, then `repeat` one-byte references to it.
 */
export function bombBlock(path: string, size: number, repeat: number): Buffer {
  const base = requestBlock('GET', path, 'localhost');
  // Literal with incremental indexing, new name (§6.2.1): it becomes dynamic-table entry 62.
  const insert = Buffer.concat([Buffer.from([0x40]), hpackString('x-bomb'), hpackString('b'.repeat(size))]);
  return Buffer.concat([base, insert, Buffer.alloc(repeat, 0x80 | 62)]);
}

/** A header block split into a HEADERS frame and as many CONTINUATION frames as the 16 KiB frame size needs. */
export function headerFrames(streamId: number, block: Buffer, { endStream = true } = {}): Buffer[] {
  const size = 16_384;
  const frames: Buffer[] = [];
  for (let offset = 0; offset < block.length || offset === 0; offset += size) {
    const last = offset + size >= block.length;
    const flags = (last ? FLAG.END_HEADERS : 0) | (offset === 0 && endStream ? FLAG.END_STREAM : 0);
    frames.push(frame(offset === 0 ? FRAME.HEADERS : FRAME.CONTINUATION, flags, streamId, block.subarray(offset, offset + size)));
  }
  return frames;
}

export function headersFrame(streamId: number, block: Buffer, { endStream = true, endHeaders = true } = {}): Buffer {
  return frame(FRAME.HEADERS, (endStream ? FLAG.END_STREAM : 0) | (endHeaders ? FLAG.END_HEADERS : 0), streamId, block);
}

export interface RawFrame {
  readonly type: number;
  readonly flags: number;
  readonly streamId: number;
  readonly payload: Buffer;
}

/** A raw HTTP/2 connection over TLS (ALPN h2): write frames, and read the server's as they come (when asked to). */
export interface RawH2 {
  readonly socket: TLSSocket;
  write(...frames: Buffer[]): boolean;
  /** Every frame the server sent so far (only while reading). */
  readonly frames: RawFrame[];
  /** Stop reading: the server's replies pile up in the kernel's buffers and then in the server. */
  stopReading(): void;
  /** Resolves once this client has acknowledged the server's SETTINGS (the server's limits then apply in full). */
  readonly acked: Promise<void>;
  /** Resolves when the server closed the connection. */
  readonly closed: Promise<void>;
  destroy(): void;
}

/** Opens a TLS connection, sends the preface and `settings`, and ACKs the server's SETTINGS while reading. */
export function rawH2(host: string, port: number, settings: Readonly<Record<number, number>> = {}): Promise<RawH2> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host, port, servername: 'localhost', rejectUnauthorized: false, ALPNProtocols: ['h2'] });
    const frames: RawFrame[] = [];
    let pending: Buffer = Buffer.alloc(0);
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    let onAck!: () => void;
    const acked = new Promise<void>((done) => (onAck = done));
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 9) {
        const length = pending.readUIntBE(0, 3);
        if (pending.length < 9 + length) break;
        const parsed = { type: pending[3]!, flags: pending[4]!, streamId: pending.readUInt32BE(5) & 0x7fffffff, payload: pending.subarray(9, 9 + length) };
        pending = pending.subarray(9 + length);
        frames.push(parsed);
        if (parsed.type === FRAME.SETTINGS && (parsed.flags & FLAG.ACK) === 0 && !socket.destroyed) socket.write(frame(FRAME.SETTINGS, FLAG.ACK, 0), () => onAck());
      }
    });
    socket.once('secureConnect', () => {
      if (socket.alpnProtocol !== 'h2') return reject(new Error(`ALPN chose ${String(socket.alpnProtocol)}, not h2`));
      socket.write(Buffer.concat([PREFACE, settingsFrame(settings)]));
      resolve({
        socket,
        frames,
        write: (...parts) => !socket.destroyed && socket.write(parts.length === 1 ? parts[0]! : Buffer.concat(parts)),
        stopReading() {
          socket.pause();
          socket.removeAllListeners('data');
        },
        acked,
        closed,
        destroy: () => socket.destroy(),
      });
    });
    socket.once('error', reject);
  });
}

/** The error code of a GOAWAY or RST_STREAM frame. */
export function errorCodeOf(raw: RawFrame): number {
  return raw.type === FRAME.GOAWAY ? raw.payload.readUInt32BE(4) : raw.payload.readUInt32BE(0);
}
