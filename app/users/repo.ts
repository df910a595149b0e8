/** A member as the API shows it: never the password or its hash. */
export interface User {
  readonly id: string;
  readonly name: string;
  /** ISO 8601, UTC. */
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A member with the stored password hash, for login and password checks only. */
export interface UserRecord extends User {
  readonly passwordHash: string;
}

export interface UserPage {
  readonly users: readonly User[];
  /** Opaque; pass it back as `cursor` for the next page. Undefined on the last page. */
  readonly nextCursor: string | undefined;
}

/** A page of members as the API shows it, serialised by the database (see `UserRepository.listJson`). */
export interface UserPageJson {
  /** A JSON array of the page's members, each exactly `{ id, name, createdAt, updatedAt }` (a User). */
  readonly json: string;
  /** As in UserPage. */
  readonly nextCursor: string | undefined;
}

/** Why a write did not happen. */
export type WriteConflict = { readonly ok: false; readonly reason: 'name-taken' };

/**
 * Where members live. Implementations: SQLite (the default, `./data/maru.db`) and PostgreSQL (`DATABASE_URL`), both
 * run against one contract suite (test/contracts/user-repository.ts). Names are unique; ids are UUIDs generated
 * by the repository (never from the clock). List order is stable: by creation time, then id.
 *
 * Names are stored as given (validate them first: app/users/validate.ts trims and NFC-normalises), but uniqueness
 * and findByName compare a folded key — NFKC, invisible characters dropped, case folded, look-alike letters of
 * other scripts folded to Latin (app/users/name-key.ts) — so "Alice", "alice", full-width "ａｌｉｃｅ" and "alice" +
 * ZWJ are one member, and "BOB" spelt in Cyrillic letters is "bob". findByName also finds a member kept under a legacy key by the migration
 * to schema version 2 (legacyNameKey), by the exact name they registered. Ids that are not lower-case UUIDs are
 * simply not found.
 *
 * @example
 * const users = await openUserRepository({ dataDir: './data' });
 * const result = await users.create({ name: '홍길동', passwordHash: await hashPassword(password) });
 * if (!result.ok) throw new HttpError(409, 'NAME_TAKEN', 'that name is taken');
 */
export interface UserRepository {
  create(input: { name: string; passwordHash: string }): Promise<{ readonly ok: true; readonly user: User } | WriteConflict>;
  findById(id: string): Promise<UserRecord | undefined>;
  findByName(name: string): Promise<UserRecord | undefined>;
  /**
   * `limit` is an integer from 1 to 100; anything else, or a malformed cursor, throws a RangeError (the API answers
   * 400). Keyset pagination: members added after a cursor was issued appear on later pages, none repeat.
   */
  list(options: { limit: number; cursor?: string }): Promise<UserPage>;
  /**
   * The same page as `list`, as JSON text made by the database: an API answer costs no row objects, no Dates and no
   * JSON.stringify in JavaScript. Same limits and errors as `list`.
   */
  listJson(options: { limit: number; cursor?: string }): Promise<UserPageJson>;
  /**
   * Undefined when there is no such user. Either change may be left out; with neither, the member is returned as is.
   * `updatedAt` moves on every write, a password change included.
   */
  update(
    id: string,
    changes: { name?: string; passwordHash?: string },
  ): Promise<{ readonly ok: true; readonly user: User } | WriteConflict | undefined>;
  /** False when there was no such user. */
  delete(id: string): Promise<boolean>;
  close(): Promise<void>;
}
