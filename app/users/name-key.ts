/**
 * The key that makes names unique: two names with the same key cannot both exist. The name itself is stored as the
 * member typed it (trimmed, NFC — see validate.ts); the key folds what only looks different:
 * - NFKC (UAX #15) folds compatibility forms: full-width "ａｌｉｃｅ" and the ligature "ﬁ" are "alice" and "fi";
 * - toLowerCase() folds case, so "Alice" and "alice" are one member (Hangul has no case and is unchanged).
 * The key is computed here, in one place, for both databases, so SQLite and PostgreSQL agree on what collides
 * whatever their collations say.
 *
 * @example
 * nameKey(' Ａlice ') // 'alice'
 */
export function nameKey(name: string): string {
  return name.trim().normalize('NFKC').toLowerCase();
}
