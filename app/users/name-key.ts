import { latinSkeleton } from './confusables.js';
import { INVISIBLE_ALL } from './invisible.js';

/**
 * The key that makes names unique: two names with the same key cannot both exist, because they would look alike
 * on a page. The name itself is stored as the member typed it (trimmed, NFC — see validate.ts); the key folds
 * everything that only looks different, in this order:
 * 1. NFKC (UAX #15): full-width "ａｌｉｃｅ", the ligature "ﬁ", mathematical and circled letters become plain ones;
 * 2. invisible characters are dropped (invisible.ts): "bob" followed by ZWJ, U+034F or a Hangul filler is "bob";
 * 3. case is folded, with Unicode's full folding approximated by upper-casing then lower-casing (JS has no
 *    toCaseFold): "Alice", "ALICE", "straße"/"STRASSE", final and medial sigma all meet; Hangul has no case;
 * 4. look-alike letters of other scripts become the Latin letter they are drawn like (confusables.ts, in NFD so
 *    accents stay apart): Cyrillic "рор" is "pop";
 * 5. NFC again, and runs of spaces are one space, as a page shows them.
 * The key is computed here, in one place, for both databases, so SQLite and PostgreSQL agree on what collides
 * whatever their collations say. Changing it is a migration (migrations/steps.ts re-keys every stored member).
 *
 * @example
 * nameKey(' Ａlice ')   // 'alice'
 * nameKey('ВОВ')       // 'bob' (Cyrillic)
 * nameKey('bob\u200D') // 'bob'
 */
export function nameKey(name: string): string {
  const visible = name.normalize('NFKC').replace(INVISIBLE_ALL, '');
  const folded = visible.toUpperCase().toLowerCase();
  return latinSkeleton(folded.normalize('NFD')).normalize('NFC').replace(/\s+/gu, ' ').trim();
}

/**
 * The key of names before version 2 of the users schema (NFKC and lower case only), marked with U+2060 WORD
 * JOINER, which no `nameKey()` ever contains (it drops invisible characters). The migration to version 2 gives it
 * to a member whose new key another, earlier member already holds (`bob` and `bob` + ZWJ, both registered before
 * invisible characters were refused), so both keep working; `findByName` looks it up beside the new key, so such a
 * member still logs in with the name they registered.
 *
 * @example
 * legacyNameKey('Bob\u200D') // '\u2060bob\u200D'
 */
export function legacyNameKey(name: string): string {
  return `\u2060${name.trim().normalize('NFKC').toLowerCase()}`;
}

/** A stored member as the re-keying migration reads it. */
export interface StoredName {
  readonly id: string;
  readonly name: string;
  readonly key: string;
}

/**
 * The new keys of stored members (given in creation order) under `nameKey()`: only the keys that change, by id.
 * When several members' names meet on one key, the earliest keeps it and each later one gets its legacyNameKey —
 * unique, since the old keys were — so no member is lost or merged, and an operator finds them with
 * `WHERE name_key LIKE '\u2060%'` to ask them to rename.
 *
 * @example
 * rekeyNames([{ id: 'a', name: 'bob', key: 'bob' }, { id: 'b', name: 'bob\u200D', key: 'bob\u200D' }])
 * // Map { 'b' => '\u2060bob\u200D' }
 */
export function rekeyNames(members: Iterable<StoredName>): Map<string, string> {
  const given = new Set<string>();
  const changed = new Map<string, string>();
  for (const member of members) {
    let key = nameKey(member.name);
    if (given.has(key)) key = legacyNameKey(member.name);
    given.add(key);
    if (key !== member.key) changed.set(member.id, key);
  }
  return changed;
}
