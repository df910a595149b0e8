import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { signalPidFile, writePidFile } from './pid-file.js';

const dir = await mkdtemp(join(tmpdir(), 'maru-pid-'));
after(() => rm(dir, { recursive: true, force: true }));

test('writes this process id and removes the file only while it still names this process', async () => {
  const path = join(dir, 'own.pid');
  const { remove } = await writePidFile(path);
  assert.equal(await readFile(path, 'utf8'), `${process.pid}\n`);
  await remove();
  await assert.rejects(readFile(path), { code: 'ENOENT' });

  const second = await writePidFile(path);
  await writeFile(path, '999999\n');
  await second.remove();
  assert.equal(await readFile(path, 'utf8'), '999999\n', "another server's file is left alone");
});

test('reports the live process a pid file named before it was overwritten', async () => {
  const path = join(dir, 'previous.pid');
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
  try {
    await writeFile(path, `${child.pid}\n`);
    assert.equal((await writePidFile(path)).previous, child.pid);
  } finally {
    child.kill('SIGKILL');
  }
});

test('signals the process a pid file names', async () => {
  const path = join(dir, 'signal.pid');
  const script = 'process.on("SIGHUP", () => process.exit(7)); process.stdout.write("ready"); setTimeout(() => {}, 30000)';
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  const exited = once(child, 'exit');
  await writeFile(path, `${child.pid}\n`);
  // Until its handler is installed SIGHUP would simply kill the child: wait for it to say so.
  await once(child.stdout!, 'data');
  assert.equal(await signalPidFile(path, 'SIGHUP'), child.pid);
  const [code, signal] = await exited;
  assert.deepEqual([code, signal], [7, null]);
});

test('refuses with one line when the pid file is missing or names no running process', async () => {
  await assert.rejects(signalPidFile(join(dir, 'missing.pid'), 'SIGHUP'), /no pid file at .*missing\.pid: is a server running/);
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  const stale = join(dir, 'stale.pid');
  await writeFile(stale, `${child.pid}\n`);
  await assert.rejects(signalPidFile(stale, 'SIGHUP'), new RegExp(`names process ${child.pid}, which is not running`));
});
