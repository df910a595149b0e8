import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenPlain, type H1Timeouts } from './h1.js';
import { hostProblem } from './host.js';
import type { Listener } from './listener.js';

// A Host header worth redirecting to: a name or an address, with an optional port (RFC 9110 §7.2).
const HOST = /^(?<name>[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/**
 * A plain-HTTP listener that answers every request with 308 to the same path and query on the HTTPS origin (308
 * keeps the method and body, unlike 301). The target host is the request's own, without its port; a request with
 * no usable Host or a target that is not a path gets a 400 instead of a redirect to somewhere else.
 */
export function listenRedirect(port: number, host: string, httpsPort: number, timeouts: H1Timeouts): Promise<Listener> {
  return listenPlain('redirect', port, host, timeouts, (server, draining) => {
    server.on('request', (req: IncomingMessage, res: ServerResponse) => redirect(req, res, httpsPort, draining()));
  });
}

/** The HTTPS URL for a plain request, or undefined when the request names no host to send it to. */
export function httpsLocation(hostHeader: string | undefined, target: string, httpsPort: number): string | undefined {
  const name = hostHeader === undefined ? undefined : HOST.exec(hostHeader)?.groups?.name;
  if (name === undefined || !target.startsWith('/')) return undefined;
  return `https://${name}${httpsPort === 443 ? '' : `:${httpsPort}`}${target}`;
}

function redirect(req: IncomingMessage, res: ServerResponse, httpsPort: number, draining: boolean): void {
  // Two Host lines: Node keeps the first, a proxy in front may have used the last; no redirect for either.
  const location = hostProblem(req.rawHeaders, req.headers.host) === 'duplicate' ? undefined : httpsLocation(req.headers.host, req.url ?? '', httpsPort);
  if (draining) res.setHeader('connection', 'close');
  if (location === undefined) {
    const body = '{"error":{"code":"BAD_HOST","message":"a Host header and a path are needed to redirect to HTTPS"}}';
    res.writeHead(400, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  res.writeHead(308, { location, 'content-length': 0 });
  res.end();
  // The request body, if any, is for the HTTPS origin: not read here.
  req.resume();
}
