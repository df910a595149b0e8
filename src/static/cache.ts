import { stat } from 'node:fs/promises';
import type { Entry } from './entry.js';

/** How many missing request paths are remembered at most (each costs a stat when not remembered). */
const MAX_MISSING = 1024;

export interface HotCacheOptions {
  /** Total budget in bytes (bodies in memory plus a fixed overhead per file). */
  readonly maxBytes: number;
  /** How long a file is trusted unchanged before the next hit stats it again (ms). */
  readonly revalidateMs: number;
}

/**
 * The hot cache: request path → Entry, so a hit is one Map lookup and one integer comparison.
 *
 * Revalidation is a stat with a short TTL, not fs.watch. The TTL is kept without reading a clock per hit: a timer
 * (unref'd) advances an epoch every `revalidateMs`, and an entry is fresh while it was checked in the current
 * epoch — measured here, `performance.now()` costs 60–130 ns a call on this VM, as much as the rest of the hit
 * together, while the epoch compare is ~5 ns. The stat itself is one per file per `revalidateMs` (1 s by default),
 * off the hot path of every other request. fs.watch would save that stat but is not reliable where static files
 * live: it misses changes on network and some container file systems, an editor's save-by-rename leaves the watch
 * on the old inode, and each watched file takes an inotify watch (a per-user limit). A stat sees every change
 * within `revalidateMs`, on every file system. `revalidateMs: 0` stats on every request.
 *
 * Eviction is first-in first-out when the budget is full: a hit never reorders anything (no bookkeeping on the
 * hot path), and a file that is evicted and requested again simply comes back.
 *
 * @example
 * const cache = createHotCache({ maxBytes: 32 << 20, revalidateMs: 1000 });
 * cache.add('/site.css', entry);
 * cache.fresh('/site.css'); // entry, until the file's next revalidation is due
 */
export interface HotCache {
  /** The entry for a request path when it was checked within the TTL; else undefined (see `stale`). */
  fresh(key: string): Entry | undefined;
  /** The entry for a request path, even when its TTL has passed. */
  stale(key: string): Entry | undefined;
  /**
   * The entry for a file path under the root (before symlinks), whatever request path found it: `/` and
   * `/index.html` share one entry, a symlink and its target never do.
   */
  byFile(file: string): Entry | undefined;
  /** Stats the entry's file: the entry when unchanged (its TTL restarts), else undefined (and it is dropped). */
  revalidate(entry: Entry): Promise<Entry | undefined>;
  /** Files the entry under its file path and, when given, a request path; false when the budget cannot take it. */
  add(key: string | undefined, entry: Entry): boolean;
  delete(entry: Entry): void;
  /** True when the request path was found missing in the current epoch (no stat needed to fall through again). */
  knownMissing(key: string): boolean;
  /** Remembers, until the epoch moves, that a request path has no file (bounded: cleared when full). */
  noteMissing(key: string): void;
  readonly size: number;
  readonly bytes: number;
}

export function createHotCache({ maxBytes, revalidateMs }: HotCacheOptions): HotCache {
  const byKey = new Map<string, Entry>();
  // Keyed by the path before symlinks, never by the real path: a link and its target shared one entry once, so a
  // re-pointed or deleted link went on serving the old target (revalidation stats the entry's own path), and the
  // Content-Type was that of whichever name was asked for first.
  const byFile = new Map<string, Entry>();
  const keysOf = new Map<Entry, string[]>();
  const checking = new Map<Entry, Promise<Entry | undefined>>();
  // Request paths with no file behind them (an app's /api/… behind the middleware) → the epoch they were seen in.
  const missing = new Map<string, number>();
  let bytes = 0;
  // Entries checked in the current epoch are fresh; the epoch moves every revalidateMs.
  let epoch = 0;
  if (revalidateMs > 0) {
    setInterval(() => {
      epoch++;
      missing.clear();
    }, revalidateMs).unref();
  }
  else epoch = Number.NaN; // never equal to anything: every hit revalidates

  function remove(entry: Entry): void {
    const keys = keysOf.get(entry);
    if (keys === undefined) return;
    for (const key of keys) if (byKey.get(key) === entry) byKey.delete(key);
    if (byFile.get(entry.file) === entry) byFile.delete(entry.file);
    keysOf.delete(entry);
    bytes -= entry.cost;
  }

  async function check(entry: Entry): Promise<Entry | undefined> {
    const now = await stat(entry.file, { bigint: true }).catch(() => undefined);
    const was = entry.stat;
    if (now !== undefined && now.ino === was.ino && now.dev === was.dev && now.size === was.size && now.mtimeNs === was.mtimeNs && now.ctimeNs === was.ctimeNs) {
      entry.checkedEpoch = epoch;
      return entry;
    }
    remove(entry);
    return undefined;
  }

  return {
    fresh(key) {
      const entry = byKey.get(key);
      return entry !== undefined && entry.checkedEpoch === epoch ? entry : undefined;
    },
    stale: (key) => byKey.get(key),
    byFile: (file) => byFile.get(file),
    revalidate(entry) {
      // Concurrent hits on one expired entry share one stat.
      let pending = checking.get(entry);
      if (pending === undefined) {
        pending = check(entry).finally(() => checking.delete(entry));
        checking.set(entry, pending);
      }
      return pending;
    },
    add(key, entry) {
      const current = byFile.get(entry.file);
      if (current !== undefined && current !== entry) remove(current);
      if (!keysOf.has(entry)) {
        if (entry.cost > maxBytes) return false;
        // First in, first out: the oldest entries make room.
        for (const old of keysOf.keys()) {
          if (bytes + entry.cost <= maxBytes) break;
          remove(old);
        }
        keysOf.set(entry, []);
        byFile.set(entry.file, entry);
        entry.checkedEpoch = epoch;
        bytes += entry.cost;
      }
      if (key !== undefined) {
        const previous = byKey.get(key);
        if (previous === entry) return true;
        if (previous !== undefined) {
          const list = keysOf.get(previous);
          if (list !== undefined) list.splice(list.indexOf(key), 1);
        }
        byKey.set(key, entry);
        keysOf.get(entry)!.push(key);
      }
      return true;
    },
    delete: remove,
    knownMissing: (key) => missing.get(key) === epoch,
    noteMissing(key) {
      if (missing.size >= MAX_MISSING) missing.clear();
      missing.set(key, epoch);
    },
    get size() {
      return keysOf.size;
    },
    get bytes() {
      return bytes;
    },
  };
}
