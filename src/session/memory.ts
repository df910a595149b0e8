import type { SessionStore, StoredSession } from './store.js';

/**
 * Options of {@link MemoryStore}.
 *
 * @example
 * new MemoryStore({ maxEntries: 10_000, pruneInterval: 60_000 });
 */
export interface MemoryStoreOptions {
  /** Most sessions kept; past it the least recently written one is dropped. */
  maxEntries?: number;
  /** How often (ms) expired entries are swept out. */
  pruneInterval?: number;
}

interface Entry {
  /** The record as JSON: a copy by construction, so the caller's objects never alias what is stored. */
  readonly json: string;
  readonly expiresAt: number;
}

/**
 * Sessions in this process's memory: for one process (tests, a single small server). Bounded — past `maxEntries`
 * the least recently written session is dropped — and expired entries are never returned and are swept out by an
 * unref'd timer, so the store never keeps a process alive. Sessions are lost on restart and not shared between
 * cluster workers: use SqliteStore or RedisStore there.
 *
 * @example
 * app.use(sessions({ store: new MemoryStore({ maxEntries: 10_000 }) }));
 */
export class MemoryStore implements SessionStore {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  readonly #timer: NodeJS.Timeout;

  constructor({ maxEntries = 10_000, pruneInterval = 60_000 }: MemoryStoreOptions = {}) {
    if (!Number.isSafeInteger(maxEntries) || maxEntries <= 0) throw new TypeError(`option maxEntries must be a positive integer, got ${maxEntries}`);
    if (!Number.isSafeInteger(pruneInterval) || pruneInterval <= 0) {
      throw new TypeError(`option pruneInterval must be a positive integer, got ${pruneInterval}`);
    }
    this.#maxEntries = maxEntries;
    this.#timer = setInterval(() => this.prune(), pruneInterval).unref();
  }

  /** Number of entries held, expired ones included until the next prune. */
  get size(): number {
    return this.#entries.size;
  }

  async get(id: string): Promise<StoredSession | undefined> {
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.#entries.delete(id);
      return undefined;
    }
    return JSON.parse(entry.json) as StoredSession;
  }

  async set(id: string, session: StoredSession, ttlMs: number): Promise<void> {
    this.#write(id, session, ttlMs);
  }

  async update(id: string, session: StoredSession, ttlMs: number): Promise<boolean> {
    const entry = this.#entries.get(id);
    if (entry === undefined || entry.expiresAt <= Date.now()) return false;
    this.#write(id, session, ttlMs);
    return true;
  }

  async destroy(id: string): Promise<void> {
    this.#entries.delete(id);
  }

  /** Drops every expired entry now (the timer calls it). */
  prune(now = Date.now()): void {
    for (const [id, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(id);
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#entries.clear();
  }

  #write(id: string, session: StoredSession, ttlMs: number): void {
    const json = JSON.stringify(session);
    // Deleted first so the write moves the id to the end of the Map's order: the first key is the oldest write.
    this.#entries.delete(id);
    if (ttlMs <= 0) return;
    while (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    this.#entries.set(id, { json, expiresAt: Date.now() + ttlMs });
  }
}
