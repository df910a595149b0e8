import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/** How long the rest of a refused body is read and dropped after the reply, in all (nginx `lingering_time`). */
export const LINGER_TIME_MS = 30_000;
/** How long to wait for the next piece of it (nginx `lingering_timeout`). */
export const LINGER_IDLE_MS = 5_000;
/** How much of it is read at most before the connection is closed anyway. */
export const LINGER_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Lingering close (nginx's name for it): when a reply ends the connection while the client is still sending the
 * request body — a 413, or a 401 before the body was read — closing at once would make the kernel answer the
 * unread bytes with a reset, and the client would see ECONNRESET/EPIPE instead of the reply. Instead, once Node
 * has written the reply it sends FIN (no more from us), then reads and drops what the client still sends, and
 * closes when the client is done, falls quiet for `LINGER_IDLE_MS`, or after `LINGER_TIME_MS` or
 * `LINGER_MAX_BYTES`, whichever comes first.
 *
 * Node ends a `Connection: close` reply's socket with `socket.destroySoon()`; this replaces that method on this
 * one socket, for this one reply.
 */
export function lingerOnClose(req: IncomingMessage): void {
  const socket = req.socket as Socket & { destroySoon?: () => void };
  if (socket.destroyed) return;
  socket.destroySoon = () => {
    socket.end();
    let received = 0;
    const done = () => {
      clearTimeout(idle);
      clearTimeout(total);
      socket.destroy();
    };
    const idle = setTimeout(done, LINGER_IDLE_MS);
    const total = setTimeout(done, LINGER_TIME_MS);
    idle.unref();
    total.unref();
    // The body goes on through the HTTP parser into the request, which is read here and dropped.
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > LINGER_MAX_BYTES) done();
      else idle.refresh();
    });
    req.once('end', done);
    socket.once('end', done);
    socket.once('close', done);
    req.resume();
  };
}
