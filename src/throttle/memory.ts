import type { AttemptCount, AttemptCounter } from './counter.js';

/**
 * The options of `MemoryAttemptCounter`.
 *
 * @example
 * new MemoryAttemptCounter({ maxKeys: 100_000, pruneInterval: 60_000 });
 */
export interface MemoryAttemptCounterOptions {
  /** Most keys kept; past it the key whose window opened first is dropped. */
  maxKeys?: number;
  /** How often (ms) keys whose window has closed are swept out. */
  pruneInterval?: number;
}

interface Window {
  count: number;
  readonly resetAt: number;
}

/**
 * Attempt counts in this process's memory: for one process (tests, a single small server); the workers of a
 * cluster each count on their own, so use SqliteAttemptCounter or RedisAttemptCounter there. Bounded by `maxKeys`,
 * swept by an unref'd timer.
 *
 * @example
 * const counter = new MemoryAttemptCounter();
 * await counter.hit('login:kim', 15 * 60_000); // { count: 1, resetAt: … }
 */
export class MemoryAttemptCounter implements AttemptCounter {
  // In the order windows opened (a new window deletes and re-inserts its key): the first key is the oldest.
  readonly #windows = new Map<string, Window>();
  readonly #maxKeys: number;
  readonly #timer: NodeJS.Timeout;

  constructor({ maxKeys = 100_000, pruneInterval = 60_000 }: MemoryAttemptCounterOptions = {}) {
    if (!Number.isSafeInteger(maxKeys) || maxKeys <= 0) throw new TypeError(`option maxKeys must be a positive integer, got ${maxKeys}`);
    if (!Number.isSafeInteger(pruneInterval) || pruneInterval <= 0) {
      throw new TypeError(`option pruneInterval must be a positive integer, got ${pruneInterval}`);
    }
    this.#maxKeys = maxKeys;
    this.#timer = setInterval(() => this.prune(), pruneInterval).unref();
  }

  /** Keys held, closed windows included until the next prune. */
  get size(): number {
    return this.#windows.size;
  }

  async hit(key: string, windowMs: number): Promise<AttemptCount> {
    const now = Date.now();
    const open = this.#windows.get(key);
    if (open !== undefined && open.resetAt > now) {
      open.count++;
      return { count: open.count, resetAt: open.resetAt };
    }
    this.#windows.delete(key);
    while (this.#windows.size >= this.#maxKeys) this.#windows.delete(this.#windows.keys().next().value!);
    const fresh = { count: 1, resetAt: now + windowMs };
    this.#windows.set(key, fresh);
    return { count: 1, resetAt: fresh.resetAt };
  }

  async undo(key: string): Promise<void> {
    const open = this.#windows.get(key);
    if (open !== undefined && open.count > 0) open.count--;
  }

  async reset(key: string): Promise<void> {
    this.#windows.delete(key);
  }

  /** Drops every key whose window has closed (the timer calls it). */
  prune(now = Date.now()): void {
    for (const [key, window] of this.#windows) if (window.resetAt <= now) this.#windows.delete(key);
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#windows.clear();
  }
}
