import { claimProcessLocalState } from '../cluster/process-local.js';
import type { SessionStore, StoredSession } from './store.js';

/**
 * Options of {@link MemoryStore}.
 *
 * @example
 * new MemoryStore({ maxEntries: 10_000, pruneInterval: 60_000 });
 */
export interface MemoryStoreOptions {
  /** Most sessions kept in all; past it one is dropped (see MemoryStore for which). */
  maxEntries?: number;
  /** Most sessions one owner keeps; past it that owner's least recently written one is dropped. */
  maxPerOwner?: number;
  /** How often (ms) expired entries are swept out. */
  pruneInterval?: number;
}

const CLUSTER_REFUSAL =
  'MemoryStore keeps sessions in one process only: in a cluster each worker would have its own, and a user would be logged out whenever a request reached another worker; use SqliteStore or RedisStore with a cluster';

interface Entry {
  /** The record as JSON: a copy by construction, so the caller's objects never alias what is stored. */
  readonly json: string;
  readonly expiresAt: number;
  readonly owner: string | undefined;
}

/**
 * Sessions in this process's memory: for one process (tests, a single small server). Expired entries are never
 * returned and are swept out by an unref'd timer, so the store never keeps a process alive. Sessions are lost on
 * restart and cannot be shared between cluster workers, so a cluster worker refuses this store (it throws, and
 * `runCluster` stops with the message): use SqliteStore or RedisStore there.
 *
 * Bounded, and the bound protects established sessions from someone creating sessions in a loop. When a write
 * needs room, what goes is, in this order:
 * 1. the writing owner's own least recently written session, once that owner holds `maxPerOwner` (one account
 *    logging in over and over only ever churns its own sessions);
 * 2. the least recently written anonymous session (anonymous sessions cost nothing to make, so a flood of them
 *    only ever pushes out other anonymous ones, never a logged-in member);
 * 3. the least recently written owned session, once there is no anonymous one left: pushing out members then
 *    takes `maxEntries / maxPerOwner` accounts, each logged in over and over.
 * "Written" includes the lazy idle refresh of a session in use, so an active session is never the oldest for long.
 *
 * @example
 * app.use(sessions({ store: new MemoryStore({ maxEntries: 10_000 }) }));
 */
export class MemoryStore implements SessionStore {
  // Two maps, each in write order (a write deletes then re-inserts): the first key of each is its oldest write.
  readonly #anonymous = new Map<string, Entry>();
  readonly #owned = new Map<string, Entry>();
  /** Owner → ids, also in write order. */
  readonly #byOwner = new Map<string, Set<string>>();
  readonly #maxEntries: number;
  readonly #maxPerOwner: number;
  readonly #timer: NodeJS.Timeout;

  constructor({ maxEntries = 10_000, maxPerOwner = 32, pruneInterval = 60_000 }: MemoryStoreOptions = {}) {
    for (const [name, value] of [['maxEntries', maxEntries], ['maxPerOwner', maxPerOwner], ['pruneInterval', pruneInterval]] as const) {
      if (!Number.isSafeInteger(value) || value <= 0) throw new TypeError(`option ${name} must be a positive integer, got ${value}`);
    }
    claimProcessLocalState(CLUSTER_REFUSAL);
    this.#maxEntries = maxEntries;
    this.#maxPerOwner = maxPerOwner;
    this.#timer = setInterval(() => this.prune(), pruneInterval).unref();
  }

  /** Number of entries held, expired ones included until the next prune. */
  get size(): number {
    return this.#anonymous.size + this.#owned.size;
  }

  async get(id: string): Promise<StoredSession | undefined> {
    const entry = this.#owned.get(id) ?? this.#anonymous.get(id);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.#remove(id);
      return undefined;
    }
    return JSON.parse(entry.json) as StoredSession;
  }

  async set(id: string, session: StoredSession, ttlMs: number): Promise<void> {
    this.#write(id, session, ttlMs);
  }

  async update(id: string, session: StoredSession, ttlMs: number): Promise<boolean> {
    const entry = this.#owned.get(id) ?? this.#anonymous.get(id);
    if (entry === undefined || entry.expiresAt <= Date.now()) return false;
    this.#write(id, session, ttlMs);
    return true;
  }

  async destroy(id: string): Promise<void> {
    this.#remove(id);
  }

  async destroyByOwner(owner: string, exceptId?: string): Promise<number> {
    const ids = this.#byOwner.get(owner);
    if (ids === undefined) return 0;
    const now = Date.now();
    let ended = 0;
    for (const id of [...ids]) {
      if (id === exceptId) continue;
      if (this.#owned.get(id)!.expiresAt > now) ended++;
      this.#remove(id);
    }
    return ended;
  }

  /** Drops every expired entry now (the timer calls it). */
  prune(now = Date.now()): void {
    for (const map of [this.#anonymous, this.#owned]) {
      for (const [id, entry] of map) if (entry.expiresAt <= now) this.#remove(id);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#anonymous.clear();
    this.#owned.clear();
    this.#byOwner.clear();
  }

  #write(id: string, session: StoredSession, ttlMs: number): void {
    const json = JSON.stringify(session);
    this.#remove(id);
    if (ttlMs <= 0) return;
    const owner = typeof session.owner === 'string' ? session.owner : undefined;
    if (owner !== undefined) {
      const mine = this.#byOwner.get(owner);
      while (mine !== undefined && mine.size >= this.#maxPerOwner) this.#remove(mine.values().next().value!);
    }
    while (this.size >= this.#maxEntries) {
      const oldest = this.#anonymous.keys().next().value ?? this.#owned.keys().next().value;
      if (oldest === undefined) break;
      this.#remove(oldest);
    }
    const entry: Entry = { json, expiresAt: Date.now() + ttlMs, owner };
    if (owner === undefined) {
      this.#anonymous.set(id, entry);
      return;
    }
    this.#owned.set(id, entry);
    let ids = this.#byOwner.get(owner);
    if (ids === undefined) this.#byOwner.set(owner, (ids = new Set()));
    ids.add(id);
  }

  #remove(id: string): void {
    if (this.#anonymous.delete(id)) return;
    const entry = this.#owned.get(id);
    if (entry === undefined) return;
    this.#owned.delete(id);
    const ids = this.#byOwner.get(entry.owner!);
    ids?.delete(id);
    if (ids?.size === 0) this.#byOwner.delete(entry.owner!);
  }
}
