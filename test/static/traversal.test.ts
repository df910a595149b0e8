// A corpus of ways out of the root, sent as raw request lines (no client normalises them first). Whatever the
// answer, not one byte of a file outside the root may be in it.
import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createApp, serveStatic } from '../../src/index.js';
import { memoryLogger } from '../logger.js';
import { serve, type TestServer } from '../server.js';
import { makeTree, rawRequest } from './fixture.js';

const SECRET = 'TOP-SECRET-7f3a9c';
const NEIGHBOUR = 'NEIGHBOUR-SECRET-51be';

// {p} is the mount prefix: '' for the middleware, '/files' for the wildcard route.
const CORPUS = [
  '{p}/../secret.txt',
  '{p}/../../secret.txt',
  '{p}/..%2fsecret.txt',
  '{p}/..%2Fsecret.txt',
  '{p}/%2e%2e/secret.txt',
  '{p}/%2E%2E/secret.txt',
  '{p}/.%2e/secret.txt',
  '{p}/%2e./secret.txt',
  '{p}/%2e%2e%2fsecret.txt',
  '{p}/..%5csecret.txt',
  '{p}/..%5Csecret.txt',
  '{p}/..\\secret.txt',
  '{p}/%252e%252e/secret.txt',
  '{p}/%252e%252e%252fsecret.txt',
  '{p}/sub/../../secret.txt',
  '{p}/sub/%2e%2e/%2e%2e/secret.txt',
  '{p}//..//secret.txt',
  '{p}/./../secret.txt',
  '{p}/%c0%ae%c0%ae/secret.txt',
  '{p}/..%c0%afsecret.txt',
  '{p}/%e0%80%ae%e0%80%ae/secret.txt',
  '{p}/%uff0e%uff0e/secret.txt',
  '{p}/%ef%bc%8e%ef%bc%8e/secret.txt',
  '{p}/....//secret.txt',
  '{p}/..;/secret.txt',
  '{p}/secret.txt%00.css',
  '{p}/%00/../secret.txt',
  '{p}/link-out.txt',
  '{p}/dir-link/secret.txt',
  '{p}/dir-link/root-evil/secret.txt',
  '{p}/../root-evil/secret.txt',
  '{p}/..%2froot-evil%2fsecret.txt',
  '{p}/%2fetc%2fpasswd',
  '{p}//etc/passwd',
  '{p}/%2f%2fetc/passwd',
  '{p}/../../../../../../../../etc/passwd',
  '{p}/..%252f..%252f..%252fetc/passwd',
  'http://localhost{p}/../secret.txt',
  '{p}/sub/..%2f..%2fsecret.txt',
  '{p}/%2e%2e%5c%2e%2e%5csecret.txt',
];

describe('a traversal corpus', () => {
  let server: TestServer;
  let tree: Awaited<ReturnType<typeof makeTree>>;

  before(async () => {
    // dir/secret.txt and dir/root-evil/secret.txt are outside; dir/root is served.
    tree = await makeTree({ 'secret.txt': SECRET, 'root-evil/secret.txt': NEIGHBOUR, 'root/public.txt': 'public', 'root/sub/inner.txt': 'inner' });
    const root = join(tree.root, 'root');
    await symlink(join(tree.root, 'secret.txt'), join(root, 'link-out.txt'));
    await symlink(tree.root, join(root, 'dir-link'));
    await mkdir(join(root, 'empty'));
    await writeFile(join(root, 'empty', 'note.txt'), 'n');
    const app = createApp({ log: memoryLogger().log });
    app.get('/files/*', serveStatic({ root }));
    app.use(serveStatic({ root }));
    server = await serve(app);
  });
  after(async () => {
    await server.close();
    await tree.cleanup();
  });

  test('serves the files inside the root (the corpus would prove nothing otherwise)', async () => {
    for (const prefix of ['', '/files']) {
      const res = await rawRequest(server.port, `${prefix}/sub/inner.txt`);
      assert.equal(res.status, 200);
      assert.match(res.text, /\r\n\r\ninner$/);
    }
  });

  for (const prefix of ['', '/files']) {
    for (const pattern of CORPUS) {
      const target = pattern.replaceAll('{p}', prefix);
      test(`never serves a byte from outside the root for ${JSON.stringify(target)}`, async () => {
        const res = await rawRequest(server.port, target);
        assert.ok(!res.text.includes(SECRET), `the secret leaked: ${res.text.slice(0, 200)}`);
        assert.ok(!res.text.includes(NEIGHBOUR), `the neighbour's secret leaked: ${res.text.slice(0, 200)}`);
        assert.ok(!/root:.*:0:0:/.test(res.text), '/etc/passwd leaked');
        assert.ok([400, 403, 404].includes(res.status), `status ${res.status}`);
      });
    }
  }
});
