// A file the server process may not read is a 403, not a 404 and not a 500 (README). Root reads every file, so the
// server runs in a child without privileges (test/unprivileged.ts): as an ordinary user it runs as it is, as root
// it runs without capabilities and obeys file modes like anyone else.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { unprivileged, withoutPrivileges } from '../unprivileged.js';
import { makeTree, request } from './fixture.js';

const TOOLKIT = pathToFileURL(new URL('../../src/index.ts', import.meta.url).pathname).href;

test('answers 403 for a file, or a directory on its path, that the server process may not read', async (t) => {
  const how = await unprivileged();
  if (how.skip !== false) {
    t.skip(how.skip);
    return;
  }
  const tree = await makeTree({ 'open.txt': 'anyone may read this', 'secret.txt': 'no one may read this', 'locked/inner.txt': 'behind a locked door' });
  await chmod(`${tree.root}/secret.txt`, 0o000);
  await chmod(`${tree.root}/locked`, 0o000);
  const script = `
    const { createApp, createLogger, listen, serveStatic } = await import(${JSON.stringify(TOOLKIT)});
    const app = createApp({ log: createLogger({ level: 'silent', pretty: false }) });
    app.use(serveStatic({ root: ${JSON.stringify(tree.root)} }));
    const server = await listen(app, { port: 0, host: '127.0.0.1' });
    console.log(server.urls[0]);`;
  const [command, args] = withoutPrivileges(how.prefix, ['--import', 'tsx', '--input-type=module', '-e', script]);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit');
  try {
    const url = await Promise.race([
      once(createInterface({ input: child.stdout }), 'line').then(([line]) => String(line)),
      exited.then(([code]) => Promise.reject(new Error(`the server exited with ${String(code)}: ${stderr}`))),
    ]);
    const open = await request(`${url}/open.txt`);
    const secret = await request(`${url}/secret.txt`);
    const inner = await request(`${url}/locked/inner.txt`);
    assert.equal(open.status, 200, 'the server reads what it may');
    assert.equal(secret.status, 403);
    assert.equal(JSON.parse(secret.body.toString()).error.code, 'FORBIDDEN');
    assert.equal(inner.status, 403);
    assert.doesNotMatch(secret.body.toString() + inner.body.toString(), /no one may|locked door/);
  } finally {
    child.kill('SIGKILL');
    await exited;
    await chmod(`${tree.root}/locked`, 0o700);
    await tree.cleanup();
  }
});
