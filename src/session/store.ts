/**
 * What a session holds. Applications describe their own fields by augmenting this interface:
 *
 * @example
 * // in the app (the module path is the one the app imports the toolkit from):
 * declare module 'maru' { interface SessionData { userId: string; name: string } }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SessionData {}

/**
 * A session record as a store keeps it: the data plus the server-side clock that bounds its life.
 *
 * @example
 * await store.set(id, { data: { name: 'zero' }, createdAt: Date.now(), touchedAt: Date.now() }, 30 * 60_000);
 */
export interface StoredSession {
  data: Partial<SessionData> & Record<string, unknown>;
  /** When the session was first created (ms since epoch): the absolute timeout counts from here. */
  createdAt: number;
  /** When the idle timeout was last refreshed (ms since epoch). */
  touchedAt: number;
}

/**
 * Where sessions live. Every implementation runs the same contract suite (test/contracts/session-store.ts):
 * - `ttlMs` is how long the record may live from now; the store forgets it after that on its own, and never returns
 *   an expired record even before its clean-up has run;
 * - records are copies: changing the object passed to `set` or returned by `get` changes nothing stored;
 * - `update` replaces a record only while it still exists, so a request that finishes after the session was
 *   destroyed or regenerated cannot bring the old id back;
 * - a store that cannot answer (Redis down, database locked) rejects; the middleware turns that into a 503.
 *
 * @example
 * class NoStore implements SessionStore {
 *   async get() { return undefined; }
 *   async set() {}
 *   async update() { return false; }
 *   async destroy() {}
 * }
 */
export interface SessionStore {
  /** The record, or undefined when there is none or it has expired. */
  get(id: string): Promise<StoredSession | undefined>;
  /** Creates the record, or replaces it. */
  set(id: string, session: StoredSession, ttlMs: number): Promise<void>;
  /** Replaces the record only when it exists (and has not expired); resolves whether it did. */
  update(id: string, session: StoredSession, ttlMs: number): Promise<boolean>;
  /** Deletes the record; resolves whether or not there was one. */
  destroy(id: string): Promise<void>;
  /** Releases connections and timers. */
  close?(): Promise<void>;
}

/**
 * The session of one request, as `ctx.session`.
 *
 * @example
 * await ctx.session.regenerate();
 * ctx.session.data.name = 'zero';
 */
export interface Session {
  /** The session id, or undefined while the visitor has none (nothing stored, no cookie sent). */
  readonly id: string | undefined;
  /** The data; changing it marks the session for saving at the end of the request. */
  readonly data: Partial<SessionData> & Record<string, unknown>;
  /** True when nothing was stored for this visitor before this request. */
  readonly isNew: boolean;
  /** New id, same data: call it on login (no session fixation). The old id stops working at once. */
  regenerate(): Promise<void>;
  /** Ends the session: the record is deleted at once and the cookie cleared. */
  destroy(): Promise<void>;
}
