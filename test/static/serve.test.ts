// serveStatic over real HTTP/1.1 sockets: headers, validators, ranges, codings, index files, methods.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { createApp, serveStatic } from '../../src/index.js';
import { memoryLogger } from '../logger.js';
import { serve, type TestServer } from '../server.js';
import { makeTree, rawRequest, request } from './fixture.js';

const CSS = 'body { color: #333; margin: 0 auto; }\n'.repeat(200); // 7.6 KB, compressible
const BIG_JS = 'console.log("a fairly long line of javascript");\n'.repeat(24000); // ~1.2 MB: over the cache's 1 MiB per file, streamed
const PNG = Buffer.alloc(4096, 7);

describe('serveStatic as middleware', () => {
  let server: TestServer;
  let tree: Awaited<ReturnType<typeof makeTree>>;
  const url = (path: string) => server.url + path;

  before(async () => {
    tree = await makeTree({
      'site.css': CSS,
      'big.js': BIG_JS,
      'big.js.gz': gzipSync(BIG_JS),
      'pre.txt': 'plain text that has a precompressed sibling '.repeat(20),
      'pre.txt.br': brotliCompressSync('THE BROTLI SIBLING'),
      'logo.png': PNG,
      'empty.txt': '',
      'docs/index.html': '<h1>docs</h1>',
      'index.html': '<h1>home</h1>',
      'hashed.0123abcd.js': 'export {}',
      '.env': 'SECRET=1',
      'tiny.txt': 'hi',
    });
    const app = createApp({ log: memoryLogger().log });
    app.use(
      serveStatic({
        root: tree.root,
        cacheControl: (path) => (/\.[0-9a-f]{8}\.js$/.test(path) ? 'public, max-age=31536000, immutable' : path === 'docs/index.html' ? 'max-age=60' : 'no-cache'),
      }),
    );
    app.get('/api/hello', (ctx) => ctx.text('from the router'));
    app.post('/site.css', (ctx) => ctx.text('posted'));
    server = await serve(app);
  });
  after(async () => {
    await server.close();
    await tree.cleanup();
  });

  test('serves a file with its type, length, validators and cache headers', async () => {
    const res = await request(url('/site.css'));
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), CSS);
    assert.equal(res.headers['content-type'], 'text/css; charset=utf-8');
    assert.equal(res.headers['content-length'], String(Buffer.byteLength(CSS)));
    assert.match(String(res.headers.etag), /^"[0-9a-f]+-[0-9a-f]+"$/);
    assert.ok(!Number.isNaN(Date.parse(String(res.headers['last-modified']))));
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.equal(res.headers.vary, 'Accept-Encoding');
    assert.equal(res.headers['accept-ranges'], 'bytes');
  });

  test('gives hashed asset names the Cache-Control the function chose', async () => {
    const res = await request(url('/hashed.0123abcd.js'));
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(res.headers['content-type'], 'text/javascript; charset=utf-8');
  });

  test('falls through to the router when no file matches', async () => {
    const res = await request(url('/api/hello'));
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'from the router');
  });

  test('answers 404 through the app when nothing matches at all', async () => {
    const res = await request(url('/nope.css'));
    assert.equal(res.status, 404);
  });

  test('lets methods other than GET and HEAD fall through', async () => {
    const res = await request(url('/site.css'), { method: 'POST' });
    assert.equal(res.body.toString(), 'posted');
  });

  test('answers HEAD with the headers of GET and no body', async () => {
    const res = await request(url('/site.css'), { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-length'], String(Buffer.byteLength(CSS)));
    assert.equal(res.body.length, 0);
  });

  test('answers 304 with no body when If-None-Match names the current tag', async () => {
    const { headers } = await request(url('/site.css'));
    const res = await request(url('/site.css'), { headers: { 'if-none-match': String(headers.etag) } });
    assert.equal(res.status, 304);
    assert.equal(res.body.length, 0);
    assert.equal(res.headers.etag, headers.etag);
    assert.equal(res.headers['cache-control'], 'no-cache');
  });

  test('answers 304 for If-Modified-Since at Last-Modified, but If-None-Match wins when it does not match', async () => {
    const { headers } = await request(url('/site.css'));
    const since = String(headers['last-modified']);
    assert.equal((await request(url('/site.css'), { headers: { 'if-modified-since': since } })).status, 304);
    const both = await request(url('/site.css'), { headers: { 'if-modified-since': since, 'if-none-match': '"stale"' } });
    assert.equal(both.status, 200);
    assert.equal(both.body.toString(), CSS);
  });

  test('answers 412 when If-Match or If-Unmodified-Since fails', async () => {
    assert.equal((await request(url('/site.css'), { headers: { 'if-match': '"other"' } })).status, 412);
    const res = await request(url('/site.css'), { headers: { 'if-unmodified-since': 'Thu, 01 Jan 1970 00:00:00 GMT' } });
    assert.equal(res.status, 412);
  });

  test('serves a single range with 206 and Content-Range', async () => {
    const res = await request(url('/site.css'), { headers: { range: 'bytes=5-14', 'accept-encoding': 'br' } });
    assert.equal(res.status, 206);
    assert.equal(res.headers['content-range'], `bytes 5-14/${Buffer.byteLength(CSS)}`);
    assert.equal(res.headers['content-encoding'], undefined, 'a range is never compressed');
    assert.equal(res.body.toString(), CSS.slice(5, 15));
  });

  test('serves a range of a file streamed from disk', async () => {
    const res = await request(url('/big.js'), { headers: { range: 'bytes=-10' } });
    assert.equal(res.status, 206);
    assert.equal(res.body.toString(), BIG_JS.slice(-10));
  });

  test('responds 416 with bytes */size when the range starts past the end', async () => {
    const res = await request(url('/site.css'), { headers: { range: 'bytes=999999-' } });
    assert.equal(res.status, 416);
    assert.equal(res.headers['content-range'], `bytes */${Buffer.byteLength(CSS)}`);
  });

  test('coalesces overlapping ranges and serves disjoint ones as the whole file', async () => {
    const merged = await request(url('/site.css'), { headers: { range: 'bytes=0-9,5-19,0-19' } });
    assert.equal(merged.status, 206);
    assert.equal(merged.body.toString(), CSS.slice(0, 20));
    const disjoint = await request(url('/site.css'), { headers: { range: 'bytes=0-1,100-101' } });
    assert.equal(disjoint.status, 200);
    assert.equal(disjoint.body.length, Buffer.byteLength(CSS));
  });

  test('serves the whole file when If-Range does not match', async () => {
    const res = await request(url('/site.css'), { headers: { range: 'bytes=0-9', 'if-range': '"old"' } });
    assert.equal(res.status, 200);
    assert.equal(res.body.length, Buffer.byteLength(CSS));
    const { headers } = await request(url('/site.css'));
    const current = await request(url('/site.css'), { headers: { range: 'bytes=0-9', 'if-range': String(headers.etag) } });
    assert.equal(current.status, 206);
  });

  test('compresses with br or gzip as Accept-Encoding asks, with a tag per coding', async () => {
    const plain = await request(url('/site.css'));
    const br = await request(url('/site.css'), { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(brotliDecompressSync(br.body).toString(), CSS);
    assert.equal(br.headers['content-length'], String(br.body.length));
    assert.notEqual(br.headers.etag, plain.headers.etag);
    const gz = await request(url('/site.css'), { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gz.body).toString(), CSS);
    assert.equal(gz.headers.vary, 'Accept-Encoding');
  });

  test('answers 304 to a revalidation of the compressed representation', async () => {
    const br = await request(url('/site.css'), { headers: { 'accept-encoding': 'br' } });
    const again = await request(url('/site.css'), { headers: { 'accept-encoding': 'br', 'if-none-match': String(br.headers.etag) } });
    assert.equal(again.status, 304);
  });

  test('serves a precompressed sibling instead of compressing', async () => {
    const res = await request(url('/pre.txt'), { headers: { 'accept-encoding': 'br' } });
    assert.equal(res.headers['content-encoding'], 'br');
    assert.equal(brotliDecompressSync(res.body).toString(), 'THE BROTLI SIBLING');
    const gz = await request(url('/big.js'), { headers: { 'accept-encoding': 'gzip, br' } });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gz.body).toString(), BIG_JS);
  });

  test('never compresses a type that is compressed already', async () => {
    const res = await request(url('/logo.png'), { headers: { 'accept-encoding': 'gzip, br' } });
    assert.equal(res.headers['content-type'], 'image/png');
    assert.equal(res.headers['content-encoding'], undefined);
    assert.equal(res.headers.vary, undefined);
    assert.deepEqual(res.body, PNG);
  });

  test('serves an empty file', async () => {
    const res = await request(url('/empty.txt'), { headers: { range: 'bytes=0-' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-length'], '0');
    assert.equal(res.body.length, 0);
  });

  test('serves index.html for a directory and redirects the directory without its slash', async () => {
    const home = await request(url('/'));
    assert.equal(home.body.toString(), '<h1>home</h1>');
    assert.equal(home.headers['content-type'], 'text/html; charset=utf-8');
    const docs = await request(url('/docs/'));
    assert.equal(docs.body.toString(), '<h1>docs</h1>');
    assert.equal(docs.headers['cache-control'], 'max-age=60', 'the Cache-Control function saw docs/index.html');
    const redirect = await request(url('/docs'));
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.location, '/docs/');
  });

  test('never redirects to another host for a path starting with //', async () => {
    const res = await request(url('//docs'));
    assert.equal(res.status, 301);
    assert.equal(res.headers.location, '/docs/');
  });

  test('answers 404 for a dotfile by default', async () => {
    const res = await request(url('/.env'));
    assert.equal(res.status, 404);
    assert.doesNotMatch(res.body.toString(), /SECRET/);
  });

  test('answers 404 for a file asked for as a directory', async () => {
    assert.equal((await request(url('/site.css/'))).status, 404);
  });

  test('answers 400 for a malformed escape and 403 for a way out', async () => {
    assert.equal((await request(url('/a%zz.css'))).status, 400);
    // A raw request line: a URL parser would resolve %2e%2e before sending.
    assert.equal((await rawRequest(server.port, '/%2e%2e/%2e%2e/etc/passwd')).status, 403);
  });

  test('serves names that need escapes', async () => {
    await writeFile(join(tree.root, 'my file é.txt'), 'spaced');
    const res = await request(url('/my%20file%20%C3%A9.txt'));
    assert.equal(res.body.toString(), 'spaced');
  });
});

describe('serveStatic on a wildcard route', () => {
  let server: TestServer;
  let tree: Awaited<ReturnType<typeof makeTree>>;

  before(async () => {
    tree = await makeTree({ 'app.js': 'export const x = 1;', 'a b/c%20d.txt': 'literal percent', '.well-known/x.txt': 'known' });
    const app = createApp({ log: memoryLogger().log });
    const assets = serveStatic({ root: tree.root, hotCache: false });
    app.get('/assets/*', assets);
    app.on('POST', '/assets/*', assets);
    app.get('/dots/*', serveStatic({ root: tree.root, dotfiles: 'allow' }));
    server = await serve(app);
  });
  after(async () => {
    await server.close();
    await tree.cleanup();
  });

  test('serves ctx.params["*"] under the root', async () => {
    const res = await request(`${server.url}/assets/app.js`);
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'export const x = 1;');
  });

  test('decodes the wildcard exactly once', async () => {
    const res = await request(`${server.url}/assets/a%20b/c%2520d.txt`);
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'literal percent');
  });

  test('answers 404 itself when the file is missing', async () => {
    const res = await request(`${server.url}/assets/missing.js`);
    assert.equal(res.status, 404);
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
  });

  test('answers 405 with Allow for other methods', async () => {
    const res = await request(`${server.url}/assets/app.js`, { method: 'POST' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.allow, 'GET, HEAD');
  });

  test('serves dotfiles when told to allow them', async () => {
    assert.equal((await request(`${server.url}/dots/.well-known/x.txt`)).body.toString(), 'known');
    assert.equal((await request(`${server.url}/assets/.well-known/x.txt`)).status, 404);
  });
});

describe('serveStatic options', () => {
  test('throws a TypeError naming the option for bad values', async () => {
    const { root, cleanup } = await makeTree({ 'a.txt': 'a' });
    try {
      const cases: [Record<string, unknown>, RegExp][] = [
        [{}, /option root/],
        [{ root: join(root, 'missing') }, /option root must be an existing directory/],
        [{ root: join(root, 'a.txt') }, /option root must be a directory/],
        [{ root, index: '../x' }, /option index/],
        [{ root, dotfiles: 'maybe' }, /option dotfiles/],
        [{ root, cacheControl: 5 }, /option cacheControl/],
        [{ root, cacheControl: 'max-age=1\r\nx: y' }, /option cacheControl/],
        [{ root, hotCache: { maxBytes: -1 } }, /option hotCache.maxBytes/],
        [{ root, hotCache: { revalidateMs: 1.5 } }, /option hotCache.revalidateMs/],
        [{ root, compress: 'yes' }, /option compress/],
      ];
      for (const [options, message] of cases) {
        assert.throws(() => serveStatic(options as never), (err: unknown) => err instanceof TypeError && message.test(err.message), JSON.stringify(options));
      }
    } finally {
      await cleanup();
    }
  });
});
