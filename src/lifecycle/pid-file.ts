import { readFile, rename, unlink, writeFile } from 'node:fs/promises';

/**
 * Writes this process's pid to `path` (atomically: a reader never sees half a number) so that a command such as
 * `maru reload` can find it, and resolves to a function that removes the file — only if it still names this
 * process, so a newer server's file is left alone. Resolves to the pid the file named before, when that process
 * is still alive (the caller may warn: two servers share a directory).
 *
 * @example
 * const { remove } = await writePidFile('data/maru.pid');
 * lifecycle.onStop(remove);
 */
export async function writePidFile(path: string): Promise<{
  /** Deletes the file, only if it still names this process. */
  remove(): Promise<void>;
  /** The process id the file named before, when that process was still running. */
  previous: number | undefined;
}> {
  const before = await readPid(path);
  const previous = before !== undefined && before !== process.pid && isAlive(before) ? before : undefined;
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${process.pid}\n`);
  await rename(temporary, path);
  return {
    previous,
    async remove() {
      if ((await readPid(path)) === process.pid) await unlink(path).catch(() => {});
    },
  };
}

/**
 * Sends `signal` to the process a pid file names and resolves to its pid; rejects with a one-line message when
 * the file is missing or names no running process.
 *
 * @example
 * await signalPidFile('data/maru.pid', 'SIGHUP');
 */
export async function signalPidFile(path: string, signal: NodeJS.Signals): Promise<number> {
  const pid = await readPid(path);
  if (pid === undefined) throw new Error(`no pid file at ${path}: is a server running with this data directory?`);
  try {
    process.kill(pid, signal);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') throw new Error(`${path} names process ${pid}, which is not running (a stale file: the server did not stop cleanly)`);
    if (code === 'EPERM') throw new Error(`no permission to signal process ${pid} (named by ${path}): run as the server's user`);
    throw err;
  }
  return pid;
}

async function readPid(path: string): Promise<number | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  const pid = Number(text?.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
