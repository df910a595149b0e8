import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** Busy and total jiffies of all CPUs together, from the first line of /proc/stat. */
async function cpuTimes(): Promise<{ busy: number; total: number } | undefined> {
  const stat = await readFile('/proc/stat', 'utf8').catch(() => undefined);
  const fields = stat?.split('\n', 1)[0]?.trim().split(/\s+/).slice(1).map(Number);
  if (fields === undefined || fields.length < 5) return undefined;
  const total = fields.reduce((sum, n) => sum + n, 0);
  // idle + iowait are the CPU doing nothing.
  return { busy: total - fields[3]! - fields[4]!, total };
}

/** Share of the machine's CPU time (0..1) spent busy over `ms`; undefined where /proc/stat is missing. */
export async function machineBusy(ms: number): Promise<number | undefined> {
  const before = await cpuTimes();
  await sleep(ms);
  const after = await cpuTimes();
  if (before === undefined || after === undefined || after.total === before.total) return undefined;
  return (after.busy - before.busy) / (after.total - before.total);
}

/**
 * Waits until the machine is quiet (busy share at most `maxBusy` over half a second), at most `timeoutMs`, so a
 * measured run does not share the cores with someone else's work. Resolves to the last busy share seen; the caller
 * records it, so a run on a busy machine is marked as such rather than silently trusted.
 *
 * @example
 * const busy = await waitForQuiet({ say: console.log });
 */
export async function waitForQuiet({ maxBusy = 0.1, timeoutMs = 60_000, say = (_line: string) => {} }: { maxBusy?: number; timeoutMs?: number; say?: (line: string) => void } = {}): Promise<number | undefined> {
  const deadline = performance.now() + timeoutMs;
  let told = false;
  for (;;) {
    const busy = await machineBusy(500);
    if (busy === undefined || busy <= maxBusy || performance.now() > deadline) return busy;
    if (!told) say(`    waiting for the machine to be quiet (${Math.round(busy * 100)}% busy)…`);
    told = true;
  }
}
