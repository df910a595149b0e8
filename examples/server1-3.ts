// The book's server1-3.js on maru: HTTPS. The book reads certificate files it assumes you have; here TLS_CERT and
// TLS_KEY name yours, and without them devCertificate() makes a self-signed one for localhost in DATA_DIR once
// (browsers warn about it: it is for development). A plain-HTTP port answers 308 to the HTTPS URL, and SIGHUP
// re-reads the files, so a renewed certificate needs no restart.
// Run: npm run example -- server1-3      (PORT=8443, HTTP_PORT=8080, DATA_DIR=data)
import { createApp, devCertificate, listen } from '../src/index.js';

const { PORT = '8443', HTTP_PORT = '8080', HOST = '127.0.0.1', DATA_DIR = 'data', TLS_CERT, TLS_KEY } = process.env;

const app = createApp();
app.get('/', (ctx) => ctx.html('<h1>Hello Node!</h1><p>Hello Server!</p>'));

try {
  const { certFile, keyFile } = TLS_CERT && TLS_KEY ? { certFile: TLS_CERT, keyFile: TLS_KEY } : await devCertificate(DATA_DIR);
  const server = await listen(app, { port: Number(PORT), host: HOST, tls: { certFile, keyFile }, redirectHttp: Number(HTTP_PORT) });
  process.on('SIGHUP', () => server.reloadTls().catch((err: Error) => app.log.error(err.message)));
  console.log(`server1-3: ${server.urls[0]} (certificate ${certFile})`);
  console.log(`server1-3: ${server.urls[1]} redirects there`);
} catch (err) {
  console.error(`server1-3: ${(err as Error).message}`); // e.g. "TLS file cert.pem does not exist"
  process.exitCode = 1;
}
