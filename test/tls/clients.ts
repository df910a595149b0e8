import { request as httpsRequest, type RequestOptions } from 'node:https';
import { connect, constants, type ClientHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';

export interface H2Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request on an open HTTP/2 session; collects the whole reply (never asserts inside a callback). */
export function h2Request(
  session: ClientHttp2Session,
  path: string,
  { method = 'GET', headers = {}, body }: { method?: string; headers?: OutgoingHttpHeaders; body?: string | Buffer } = {},
): Promise<H2Response> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': method, ':path': path, ...headers }, { endStream: body === undefined });
    let status = 0;
    let responseHeaders: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on('response', (h) => {
      responseHeaders = h;
      status = Number(h[constants.HTTP2_HEADER_STATUS]);
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve({ status, headers: responseHeaders, body: Buffer.concat(chunks).toString('utf8') }));
    stream.on('error', reject);
    if (body !== undefined) stream.end(body);
  });
}

/** An HTTP/2 session that trusts `ca`; close it in `finally`. */
export function h2Connect(url: string, ca: string): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = connect(url, { ca });
    session.once('connect', () => resolve(session));
    session.once('error', reject);
  });
}

export interface HttpsResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  alpn: string | false | null;
  peerCommonName: string | undefined;
}

/** One HTTPS/1.1 request (ALPN offers only http/1.1) trusting `ca`. */
export function httpsGet(url: string, ca: string, { method = 'GET', headers = {}, body }: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<HttpsResponse> {
  return new Promise((resolve, reject) => {
    // ALPNProtocols reaches tls.connect(); @types/node leaves it out of https.RequestOptions.
    const options = { method, headers, ca, agent: false, ALPNProtocols: ['http/1.1'] } as RequestOptions;
    const req = httpsRequest(url, options, (res) => {
      const chunks: Buffer[] = [];
      const socket = res.socket as import('node:tls').TLSSocket;
      const alpn = socket.alpnProtocol;
      const peerCommonName = socket.getPeerCertificate().subject?.CN as string | undefined;
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), alpn, peerCommonName }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
