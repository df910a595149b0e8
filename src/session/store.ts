/**
 * What a session holds. Applications describe their own fields by augmenting this interface:
 *
 * @example
 * declare module 'maru' { interface SessionData { userId: string; name: string } }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SessionData {}

/** A session record as a store keeps it: the data plus the server-side clock that bounds its life. */
export interface StoredSession {
  data: Partial<SessionData> & Record<string, unknown>;
  /** When the session was first created (ms since epoch): the absolute timeout counts from here. */
  createdAt: number;
  /** When the idle timeout was last refreshed (ms since epoch). */
  touchedAt: number;
}

/**
 * Where sessions live. Every implementation runs the same contract suite (test/contracts/session-store.ts).
 * `ttlMs` is the time the record may live from now; a store drops it after that on its own.
 */
export interface SessionStore {
  get(id: string): Promise<StoredSession | undefined>;
  set(id: string, session: StoredSession, ttlMs: number): Promise<void>;
  destroy(id: string): Promise<void>;
  touch?(id: string, session: StoredSession, ttlMs: number): Promise<void>;
  /** Releases connections and timers. */
  close?(): Promise<void>;
}

/** The session of one request, as `ctx.session`. */
export interface Session {
  /** The session id, or undefined while the visitor has none (nothing stored, no cookie sent). */
  readonly id: string | undefined;
  /** The data; changing it marks the session for saving at the end of the request. */
  readonly data: Partial<SessionData> & Record<string, unknown>;
  /** True when nothing was stored for this visitor before this request. */
  readonly isNew: boolean;
  /** New id, same data: call it on login (no session fixation). The old id stops working. */
  regenerate(): Promise<void>;
  /** Ends the session: the record is deleted and the cookie cleared. */
  destroy(): Promise<void>;
}
