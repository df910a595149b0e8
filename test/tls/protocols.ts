import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import type { ClientHttp2Session } from 'node:http2';
import { h2Connect, h2Request, httpsGet } from './clients.js';

/** The ways a test reaches one app: plain HTTP/1.1, and four clients of its TLS port. */
export const VIAS = ['http/1.1', 'https/1.1', 'h2', 'curl --http2', 'curl --http1.1'] as const;
export type Via = (typeof VIAS)[number];

export interface Exchange {
  readonly method?: string;
  /** Path and query. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface Answer {
  readonly status: number;
  /** Lower-case names; `set-cookie` always a list. No HTTP/2 pseudo-header. */
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly body: string;
  /** The HTTP version that carried it: `1.1` or `2`. */
  readonly version: string;
}

export interface ProtocolClients {
  send(via: Via, exchange: Exchange): Promise<Answer>;
  close(): void;
}

/**
 * One client per protocol for an app served on `plainUrl` (HTTP/1.1) and `tlsUrl` (TLS, HTTP/2 and HTTP/1.1 by
 * ALPN), trusting `ca` (`caFile` for curl). The HTTP/2 session is opened once and shared, as a browser does.
 */
export async function protocolClients({ plainUrl, tlsUrl, ca, caFile }: { plainUrl: string; tlsUrl: string; ca: string; caFile: string }): Promise<ProtocolClients> {
  let session: ClientHttp2Session | undefined;
  const h2 = async () => (session !== undefined && !session.closed && !session.destroyed ? session : (session = await h2Connect(tlsUrl, ca)));
  return {
    async send(via, exchange) {
      const method = exchange.method ?? 'GET';
      const headers = { ...exchange.headers };
      switch (via) {
        case 'http/1.1':
          return plain(`${plainUrl}${exchange.path}`, method, headers, exchange.body);
        case 'https/1.1': {
          const res = await httpsGet(`${tlsUrl}${exchange.path}`, ca, { method, headers, ...(exchange.body === undefined ? {} : { body: exchange.body }) });
          return { status: res.status, headers: normalise(res.headers), body: res.body, version: '1.1' };
        }
        case 'h2': {
          const res = await h2Request(await h2(), exchange.path, { method, headers, ...(exchange.body === undefined ? {} : { body: exchange.body }) });
          return { status: res.status, headers: normalise(res.headers), body: res.body, version: '2' };
        }
        case 'curl --http2':
        case 'curl --http1.1':
          return curl(via.slice(5), caFile, `${tlsUrl}${exchange.path}`, method, headers, exchange.body);
      }
    },
    close() {
      session?.close();
    },
  };
}

function plain(url: string, method: string, headers: Record<string, string>, body: string | undefined): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: normalise(res.headers), body: Buffer.concat(chunks).toString('utf8'), version: res.httpVersion }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** curl with the response head on stdout (`-i`, or `-I` for HEAD) and the body after it; bounded in time. */
function curl(flag: string, caFile: string, url: string, method: string, headers: Record<string, string>, body: string | undefined): Promise<Answer> {
  const args = ['-sS', flag, '--cacert', caFile, '--max-time', '30', method === 'HEAD' ? '-I' : '-i'];
  if (method !== 'HEAD' && method !== 'GET') args.push('-X', method);
  // curl adds Accept: */* and its User-Agent unless told; the other clients send neither, so neither does curl.
  // No `Expect: 100-continue` either: curl would wait for an interim answer the other clients never ask for.
  args.push('-H', 'Accept:', '-H', 'User-Agent:', '-H', 'Expect:');
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
  if (body !== undefined) args.push('--data-binary', '@-');
  args.push(url);
  return new Promise((resolve, reject) => {
    const child = spawn('curl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`curl ${args.join(' ')} exited with ${code}: ${err}`));
      try {
        resolve(parseCurl(Buffer.concat(out).toString('utf8')));
      } catch (parseErr) {
        reject(parseErr as Error);
      }
    });
    child.stdin.end(body);
  });
}

function parseCurl(text: string): Answer {
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) throw new Error(`curl printed no head: ${text.slice(0, 200)}`);
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const match = /^HTTP\/([\d.]+) (\d{3})/.exec(statusLine);
  if (match === null) throw new Error(`curl printed no status line: ${statusLine}`);
  const headers: Record<string, string | string[]> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const current = headers[name];
    if (name === 'set-cookie') headers[name] = [...((current as string[] | undefined) ?? []), value];
    else headers[name] = current === undefined ? value : `${current as string}, ${value}`;
  }
  return { status: Number(match[2]), headers, body: text.slice(end + 4), version: match[1] === '2' ? '2' : match[1]! };
}

function normalise(headers: Readonly<Record<string, string | string[] | number | undefined>>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':') || value === undefined) continue;
    out[name] = name === 'set-cookie' ? [value].flat().map(String) : Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}
