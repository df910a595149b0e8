import { open, readFile, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const LOCK = join(tmpdir(), 'maru-bench.lock');

/**
 * One benchmark at a time on this machine: two runs sharing the cores would both measure nonsense. Waits while
 * another live run holds the lock (a stale lock of a dead process is taken over) and resolves to its release.
 *
 * @example
 * const release = await benchLock(console.log);
 * try { … } finally { await release(); }
 */
export async function benchLock(say: (line: string) => void, timeoutMs = 15 * 60_000): Promise<() => Promise<void>> {
  const deadline = performance.now() + timeoutMs;
  let told = false;
  for (;;) {
    try {
      const file = await open(LOCK, 'wx');
      await file.writeFile(String(process.pid));
      await file.close();
      return () => unlink(LOCK).catch(() => {});
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number(await readFile(LOCK, 'utf8').catch(() => ''));
    if (!isAlive(holder)) {
      await unlink(LOCK).catch(() => {});
      continue;
    }
    if (performance.now() > deadline) throw new Error(`another benchmark (pid ${holder}) still holds ${LOCK}`);
    if (!told) say(`waiting for another benchmark run (pid ${holder}) to finish…`);
    told = true;
    await sleep(1000);
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
