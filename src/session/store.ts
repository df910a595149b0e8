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
  /**
   * Whom the session belongs to (e.g. a member id), given by `ctx.session.regenerate({ owner })`; absent for an
   * anonymous session. Stores index it, so `destroyByOwner` can end every session of one owner at once.
   */
  owner?: string;
}

/**
 * Where sessions live. Every implementation runs the same contract suite (test/contracts/session-store.ts):
 * - the `id` a store sees is a key, not the cookie's session id: the `sessions()` middleware hands stores the
 *   SHA-256 of the id (base64url, 43 characters), so whoever reads the database or a Redis dump holds no id a
 *   browser could present;
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
  /**
   * Deletes every live record whose `owner` is `owner`, except the one stored under `exceptId`; resolves to how
   * many it deleted. The owner of a record is the one its last `set` or `update` gave it. Used when a member changes
   * their password (end every other session) or deletes their account (end them all).
   */
  destroyByOwner(owner: string, exceptId?: string): Promise<number>;
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
  /** Whom the session belongs to (see `regenerate`), or undefined for an anonymous one. */
  readonly owner: string | undefined;
  /**
   * New id, same data: call it on login (no session fixation). The old id stops working at once. With `owner`
   * (e.g. the member's id) the new session belongs to that owner, which `revokeOthers` and `revokeAll` use; an
   * owner is only ever given with a fresh id, so a stored id never changes hands.
   *
   * @example
   * await ctx.session.regenerate({ owner: user.id });
   */
  regenerate(options?: { owner?: string }): Promise<void>;
  /** Ends the session: the record is deleted at once and the cookie cleared. */
  destroy(): Promise<void>;
  /**
   * Ends every other session of this session's owner at once (other browsers, a stolen cookie); this one goes on.
   * Resolves to how many it ended; 0 for an anonymous session. On a password change, call `regenerate()` first so
   * this session gets a new id too.
   *
   * @example
   * await ctx.session.regenerate({ owner: me.id });
   * await ctx.session.revokeOthers();
   */
  revokeOthers(): Promise<number>;
  /**
   * Ends every session of this session's owner, this one included (the cookie is cleared): on account deletion.
   * Resolves to how many it ended besides this one. An anonymous session is simply destroyed.
   *
   * @example
   * await users.delete(me.id);
   * await ctx.session.revokeAll();
   */
  revokeAll(): Promise<number>;
}
