// The book's server1-4.js on maru: HTTP/2. One TLS port speaks HTTP/2 to clients that offer it (ALPN) and
// HTTP/1.1 to the rest, on Node's stream API; the handler is the same as over HTTP/1.1. Browsers use HTTP/2 only
// over TLS, so the certificate works as in server1-3.
// Run: npm run example -- server1-4      (PORT=8443, DATA_DIR=data)
import { createApp, devCertificate, listen } from '../src/index.js';

const { PORT = '8443', HOST = '127.0.0.1', DATA_DIR = 'data', TLS_CERT, TLS_KEY } = process.env;

const app = createApp();
app.get('/', (ctx) => ctx.html(`<h1>Hello Node!</h1><p>Hello Server! (HTTP/${ctx.httpVersion})</p>`));

try {
  const { certFile, keyFile } = TLS_CERT && TLS_KEY ? { certFile: TLS_CERT, keyFile: TLS_KEY } : await devCertificate(DATA_DIR);
  const server = await listen(app, { port: Number(PORT), host: HOST, tls: { certFile, keyFile, http2: true } });
  console.log(`server1-4: ${server.urls[0]} (certificate ${certFile})`);
} catch (err) {
  console.error(`server1-4: ${(err as Error).message}`); // e.g. "TLS file cert.pem does not exist"
  process.exitCode = 1;
}
