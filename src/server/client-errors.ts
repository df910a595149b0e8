import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { rateLimited, type LogBudget } from '../log-budget.js';
import { LINGER_IDLE_MS } from './linger.js';

// Node's own answers to a request it could not parse or that came too slowly (lib/_http_server.js); written
// here the same way, now that a 'clientError' listener takes the job over from Node's default.
const ANSWERS: Readonly<Record<string, { status: number; bytes: Buffer }>> = {
  HPE_HEADER_OVERFLOW: answer(431, 'Request Header Fields Too Large'),
  HPE_CHUNK_EXTENSIONS_OVERFLOW: answer(413, 'Payload Too Large'),
  ERR_HTTP_REQUEST_TIMEOUT: answer(408, 'Request Timeout'),
};
const BAD_REQUEST = answer(400, 'Bad Request');
/** A peer that went away: nothing to answer and nothing worth a warning. */
const GONE = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ERR_STREAM_DESTROYED']);

function answer(status: number, text: string): { status: number; bytes: Buffer } {
  return { status, bytes: Buffer.from(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\n\r\n`, 'latin1') };
}

/** Connections answered and closing: the parser reports an error again for every later piece of data. */
const answered = new WeakSet<Socket>();

/**
 * Sends the answer and FIN, and closes once the client has closed its side too (or after `LINGER_IDLE_MS`):
 * destroyed at once, a socket with the rest of the request still unread answers it with a reset, and the client
 * may lose the answer to it. What still arrives meanwhile goes to the parser, which drops it.
 */
function endLingering(socket: Socket, bytes: Buffer): void {
  socket.end(bytes);
  const timer = setTimeout(() => socket.destroy(), LINGER_IDLE_MS);
  timer.unref();
  const done = () => {
    clearTimeout(timer);
    socket.destroy();
  };
  socket.once('end', done);
  socket.once('close', done);
}

/**
 * A `'clientError'` listener for HTTP/1.1 servers: answers as Node would (400, 408 for a head or body that came
 * too slowly, 431 for headers too large) and leaves a trace — one warn line with the reason and the client's
 * address, at most 20 per 10 s per listener so a flood of junk cannot flood the log (`budget`: the listener's, shared
 * with its other refusals). Resets and broken pipes are only debug lines.
 */
export function answerClientErrors(log: Logger, allow: LogBudget = rateLimited(20, 10_000)) {
  return (err: NodeJS.ErrnoException, socket: Socket): void => {
    if (answered.has(socket)) return; // the parser's next error on a connection already answered
    const code = err.code ?? 'UNKNOWN';
    const client = socket.remoteAddress; // gone once the socket is destroyed
    const gone = GONE.has(code);
    const pending = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    const reply = gone || !socket.writable || pending?.headersSent === true ? undefined : (ANSWERS[code] ?? BAD_REQUEST);
    if (reply === undefined) socket.destroy();
    else {
      answered.add(socket);
      endLingering(socket, reply.bytes);
    }
    if (gone) {
      log.debug({ reason: code, client }, 'client connection error');
      return;
    }
    const { allowed, dropped } = allow();
    if (!allowed) return;
    log.warn(
      { reason: code, status: reply?.status, client, ...(dropped > 0 ? { dropped } : {}) },
      reply === undefined ? 'client error' : `answered ${reply.status} to a request Node could not accept`,
    );
  };
}
