// Request paths against `maru serve --https --http2` as a process: a traversal corpus (dot segments, every
// encoding of them, backslashes, NUL, overlong UTF-8, double encoding, dotfiles), over HTTPS/1.1 raw sockets,
// HTTP/2 and curl. Each case: the exact status and code, no file's contents outside the static root in the reply,
// nothing changed, the next request served at once.
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertCleanLogs, assertIntact, assertNoLeak, sessionIdOf, signUp, snapshot, type Member } from './checks.js';
import { startProcess, type Target } from './target.js';
import { bodyOf, codeOf, curl, exchange, h2, h2Session, hasCurl, statusOf } from './wire.js';

const STYLE = /^:root \{/;

/** [request-target as sent, status, error code or a pattern the body matches]. */
const cases: [target: string, status: number, expected: string | RegExp][] = [
  ['/static/../package.json', 403, 'FORBIDDEN_PATH'],
  ['/static/../../../../../../etc/passwd', 403, 'FORBIDDEN_PATH'],
  ['/static/%2e%2e/package.json', 403, 'FORBIDDEN_PATH'],
  ['/static/%2E%2E/%2E%2E/etc/passwd', 403, 'FORBIDDEN_PATH'],
  ['/static/.%2e/package.json', 403, 'FORBIDDEN_PATH'],
  ['/static/%2e%2e%2fpackage.json', 403, 'FORBIDDEN_PATH'],
  ['/static/..%2f..%2fpackage.json', 403, 'FORBIDDEN_PATH'],
  ['/static/..%5c..%5cpackage.json', 403, 'FORBIDDEN_PATH'],
  ['/static/..\\..\\package.json', 403, 'FORBIDDEN_PATH'],
  ['/static/%5c..%5cpackage.json', 403, 'FORBIDDEN_PATH'],
  ['/static/..', 403, 'FORBIDDEN_PATH'],
  ['/static/%252e%252e/package.json', 404, 'NOT_FOUND'],
  ['/static/%c0%ae%c0%ae/package.json', 400, 'BAD_PATH'],
  ['/static/%e0%80%ae%e0%80%ae/package.json', 400, 'BAD_PATH'],
  ['/static/%C0%AF', 400, 'BAD_PATH'],
  ['/static/%u002e%u002e/package.json', 400, 'BAD_PATH'],
  ['/static/style.css%00.js', 400, 'BAD_PATH'],
  ['/static/%00', 400, 'BAD_PATH'],
  ['/static/%2e%2e%00/package.json', 400, 'BAD_PATH'],
  ['/static/%ef%bc%8e%ef%bc%8e/package.json', 404, 'NOT_FOUND'],
  ['/static/....//....//package.json', 404, 'NOT_FOUND'],
  ['/static/..;/package.json', 404, 'NOT_FOUND'],
  ['/static/.env', 404, 'NOT_FOUND'],
  ['/static/.git/config', 404, 'NOT_FOUND'],
  ['/static/STYLE.CSS', 404, 'NOT_FOUND'],
  ['/static/style.css/', 404, 'NOT_FOUND'],
  ['/static/style.css;.js', 404, 'NOT_FOUND'],
  ['/static/', 404, 'NOT_FOUND'],
  [`/static/${'a/'.repeat(2000)}style.css`, 404, 'NOT_FOUND'],
  ['/static/./style.css', 200, STYLE],
  ['/static//style.css', 200, STYLE],
  ['/static/style.css?../../package.json', 200, STYLE],
  ['//etc/passwd', 404, 'NOT_FOUND'],
  ['/%2e%2e/%2e%2e/etc/passwd', 404, 'NOT_FOUND'],
  ['/.git/config', 404, 'NOT_FOUND'],
  ['/app/server.ts', 404, 'NOT_FOUND'],
  ['/package.json', 404, 'NOT_FOUND'],
  ['/users/..%2f..%2fetc%2fpasswd', 404, 'USER_NOT_FOUND'],
  ['/users/%00', 404, 'USER_NOT_FOUND'],
  ['/users/%E0%A4%A', 400, 'BAD_PATH_ENCODING'],
  ['/lang/en?next=//evil.example/', 303, /^$/],
  [`/hello/${'%2e%2e/'.repeat(1000)}`, 404, 'NOT_FOUND'],
];

describe('hostile paths against maru serve over HTTPS and HTTP/2', () => {
  let target: Target;
  let resident: Member;

  before(async () => {
    target = await startProcess({ https: true });
    resident = await signUp(target, 'resident');
  });
  after(() => target.close());

  for (const [path, status, expected] of cases) {
    test(`answers ${path.length > 60 ? `${path.slice(0, 60)}…` : path} with ${status}${typeof expected === 'string' ? ` ${expected}` : ''}`, async () => {
      const before = await snapshot(target, resident);
      const res = await exchange(target, `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
      assert.equal(statusOf(res.text), status, res.text.slice(0, 300));
      const body = bodyOf(res.text);
      if (typeof expected === 'string') assert.equal(codeOf(body), expected, body.slice(0, 200));
      else assert.match(body, expected);
      assertNoLeak(res.text, [sessionIdOf(resident)]);
      await assertIntact(target, resident, before);
    });
  }

  test('sends a language switch that names another site back home, never there', async () => {
    const res = await exchange(target, 'GET /lang/en?next=//evil.example/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    assert.match(res.text, /\r\nlocation: \/\r\n/i);
  });

  test('answers a path that is far too long with 431', async () => {
    const before = await snapshot(target, resident);
    const res = await exchange(target, `GET /static/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    assert.equal(statusOf(res.text), 431);
    await assertIntact(target, resident, before);
  });

  for (const [path, status, code] of [
    ['/static/../package.json', 403, 'FORBIDDEN_PATH'],
    ['/static/%2e%2e/%2e%2e/etc/passwd', 403, 'FORBIDDEN_PATH'],
    ['/static/..%5cpackage.json', 403, 'FORBIDDEN_PATH'],
    ['/static/style.css%00', 400, 'BAD_PATH'],
    ['/static/%c0%ae%c0%ae/package.json', 400, 'BAD_PATH'],
  ] as const) {
    test(`answers ${path} over HTTP/2 with ${status} ${code}`, async () => {
      const before = await snapshot(target, resident);
      const session = await h2Session(target);
      try {
        const res = await h2(session, { ':path': path });
        assert.equal(res.status, status);
        assert.equal(codeOf(res.body), code);
        assertNoLeak(res.body);
      } finally {
        session.close();
      }
      await assertIntact(target, resident, before);
    });
  }

  test('answers curl --path-as-is traversal with 403 and sends no file from outside the root', async (t) => {
    if (!(await hasCurl())) {
      if (process.env.CI === 'true') assert.fail('curl is needed in CI');
      t.skip('curl is not installed');
      return;
    }
    const before = await snapshot(target, resident);
    const caFile = join(target.dataDir, 'ca-for-curl.pem');
    await writeFile(caFile, target.ca!);
    try {
      for (const flag of ['--http1.1', '--http2']) {
        const res = await curl([flag, '--path-as-is', '--cacert', caFile, '-o', '-', '-w', '\n%{http_code}', `${target.url}/static/../../../../etc/passwd`]);
        assert.equal(res.code, 0, res.stderr);
        assert.match(res.stdout, /\n403$/, flag);
        assertNoLeak(res.stdout);
      }
    } finally {
      await rm(caFile, { force: true });
    }
    await assertIntact(target, resident, before);
  });

  test('logged no error and answered no request with a 5xx', () => {
    assertCleanLogs(target.logs());
  });
});
