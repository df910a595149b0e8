import { firstInvisible } from './invisible.js';
import { mixesScripts } from './scripts.js';

/**
 * Validation of what a client sends to register or change a member: pure functions, no I/O. Each returns the clean
 * value or an error whose `code` and `message` go straight into a 400 `{ error: { code, message } }`.
 *
 * The rules, and why:
 * - A name is trimmed (String.prototype.trim: Unicode White_Space, so U+3000 IDEOGRAPHIC SPACE too) and put in
 *   Unicode NFC, so "한" typed as one precomposed syllable or as three conjoining jamo is the same name (UAX #15).
 *   Its length is then 1–32 code points, not UTF-16 units: a Korean name and an emoji count as what they look like
 *   (one syllable = one code point; an emoji outside the BMP is one code point, not two).
 * - A name may not hold control characters (general category Cc: NUL, tab, newline, DEL, C1), line or paragraph
 *   separators (Zl, Zp), or format characters (Cf: the bidi overrides and isolates U+202A–U+202E, U+2066–U+2069 that
 *   can make "evil" render as "live" (CVE-2021-42574, "Trojan Source"), zero-width spaces, U+FEFF, soft hyphens) —
 *   they make one name look like another. ZWNJ U+200C and ZWJ U+200D are left to the next rule.
 * - A name may not hold unassigned or private-use code points (Cn, Co): they draw as nothing or as a box, and an
 *   unassigned one may become anything in a later Unicode version.
 * - A name may not hold an invisible character (invisible.ts: every Default_Ignorable_Code_Point — joiners,
 *   variation selectors, U+034F, the Hangul fillers U+115F, U+1160, U+3164, U+FFA0 — and blanks such as U+2800)
 *   except where it does a visible job: ZWJ inside an emoji sequence (👩‍💻), VS16 after an emoji (❤️), ZWJ/ZWNJ after
 *   a virama or ZWNJ between Arabic-script letters. `bob` and `bob` + U+200D would otherwise be two members that
 *   both display as `bob`. Code NAME_INVISIBLE_CHARACTER.
 * - A name may not mix scripts beyond UTS #39's Highly Restrictive level (scripts.ts): `bоb` with a Cyrillic о is
 *   refused, `김bob` and `山田さくら` are not. Code NAME_MIXED_SCRIPTS. A name wholly in another script that reads as
 *   a Latin one (Cyrillic `рор`) is caught by the uniqueness key instead (name-key.ts): a 409, not a 400.
 * - Strings with unpaired surrogates are refused (names and passwords): UTF-8 cannot encode them, so two different
 *   strings would reach the database or the hash as the same bytes (U+FFFD).
 * - A password is 8–128 code points and kept exactly as sent (never trimmed); hashing normalises it (NFKC, see
 *   app/auth/password.ts). Any character is allowed, as NIST SP 800-63B §5.1.1.2 asks.
 * - Anything that is not a string (numbers, arrays, objects, null) is refused, never coerced.
 * - A name that is missing, or empty once trimmed, has its own code, NAME_REQUIRED: it is the one mistake a form
 *   makes easily, and the pages tell the reader so in their own language ("이름을 반드시 입력하셔야 합니다").
 */

export const NAME_MAX = 32;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

export interface ValidationError {
  readonly code:
    | 'INVALID_BODY'
    | 'NAME_REQUIRED'
    | 'INVALID_NAME'
    | 'NAME_INVISIBLE_CHARACTER'
    | 'NAME_MIXED_SCRIPTS'
    | 'INVALID_PASSWORD'
    | 'NOTHING_TO_CHANGE';
  readonly message: string;
}

export type Validated<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ValidationError };

// Cc, Zl, Zp and Cf except ZWNJ/ZWJ (see above).
const FORBIDDEN_IN_NAME = /[\p{Cc}\p{Zl}\p{Zp}\p{Cf}]/u;
const JOINERS = /[\u200C\u200D]/gu;
const UNASSIGNED = /[\p{Cn}\p{Co}]/u;

/**
 * Checks a name a member is to take (registration, rename) and returns it trimmed and in NFC.
 *
 * @example
 * validateName('  홍길동 ') // { ok: true, value: '홍길동' }
 * validateName('a\u202Eb')   // { ok: false, error: { code: 'INVALID_NAME', message: 'name must not contain control or formatting characters' } }
 * validateName('   ')        // { ok: false, error: { code: 'NAME_REQUIRED', message: 'name must not be empty' } }
 * validateName('bob\u3164')  // { ok: false, error: { code: 'NAME_INVISIBLE_CHARACTER', message: 'name must not contain invisible characters such as U+3164' } }
 */
export function validateName(input: unknown): Validated<string> {
  const shaped = shapeName(input);
  if (!shaped.ok) return shaped;
  const name = shaped.value;
  if (FORBIDDEN_IN_NAME.test(name.replace(JOINERS, ''))) {
    return invalid('INVALID_NAME', 'name must not contain control or formatting characters');
  }
  if (UNASSIGNED.test(name)) return invalid('INVALID_NAME', 'name must not contain unassigned or private-use characters');
  const hidden = firstInvisible(name);
  if (hidden !== undefined) {
    return invalid('NAME_INVISIBLE_CHARACTER', `name must not contain invisible characters such as ${codePointLabel(hidden)}`);
  }
  if (mixesScripts(name)) {
    return invalid('NAME_MIXED_SCRIPTS', 'name must not mix alphabets, such as Latin letters with Cyrillic or Greek ones (Hangul, kana or Han with Latin are fine)');
  }
  return { ok: true, value: name };
}

/**
 * A name as typed at login, ready to look up: trimmed and in NFC, or undefined when no member can have it (not a
 * string, not valid Unicode, empty, too long). It does not apply validateName's newer rules, so a member whose name
 * predates them (see name-key.ts, legacyNameKey) can still log in with it.
 *
 * @example
 * nameToLookUp(' 홍길동 ') // '홍길동'
 * nameToLookUp(42)        // undefined
 */
export function nameToLookUp(input: unknown): string | undefined {
  const shaped = shapeName(input);
  return shaped.ok ? shaped.value : undefined;
}

/** Type, well-formedness, trimming, NFC and length: what every name is, old or new. */
function shapeName(input: unknown): Validated<string> {
  if (input === undefined) return invalid('NAME_REQUIRED', 'name is required');
  if (typeof input !== 'string') return invalid('INVALID_NAME', 'name must be a string');
  if (!input.isWellFormed()) return invalid('INVALID_NAME', 'name must be valid Unicode text');
  const name = input.trim().normalize('NFC');
  const length = codePointLength(name, NAME_MAX + 1);
  if (length === 0) return invalid('NAME_REQUIRED', 'name must not be empty');
  if (length > NAME_MAX) return invalid('INVALID_NAME', `name must be at most ${NAME_MAX} characters`);
  return { ok: true, value: name };
}

/** `U+200D`: how a message names a character that cannot be seen. */
function codePointLabel(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Checks a password's type and length; the value is returned unchanged.
 *
 * @example
 * validatePassword('correct horse') // { ok: true, value: 'correct horse' }
 * validatePassword('short')         // { ok: false, error: { code: 'INVALID_PASSWORD', … } }
 */
export function validatePassword(input: unknown): Validated<string> {
  if (typeof input !== 'string') return invalid('INVALID_PASSWORD', 'password must be a string');
  if (!input.isWellFormed()) return invalid('INVALID_PASSWORD', 'password must be valid Unicode text');
  const length = codePointLength(input, PASSWORD_MAX + 1);
  if (length < PASSWORD_MIN || length > PASSWORD_MAX) {
    return invalid('INVALID_PASSWORD', `password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`);
  }
  return { ok: true, value: input };
}

/**
 * Checks a registration or login body (parsed JSON or form): `{ name, password }`. Other fields are ignored; only
 * the body's own properties are read, so nothing comes from a prototype.
 *
 * @example
 * validateCredentials({ name: '김', password: 'hunter2hunter2' }) // { ok: true, value: { name: '김', password: 'hunter2hunter2' } }
 */
export function validateCredentials(body: unknown): Validated<{ name: string; password: string }> {
  if (!isRecord(body)) return invalid('INVALID_BODY', 'body must be an object with name and password');
  const name = validateName(own(body, 'name'));
  if (!name.ok) return name;
  const password = validatePassword(own(body, 'password'));
  if (!password.ok) return password;
  return { ok: true, value: { name: name.value, password: password.value } };
}

/**
 * Checks the body of a change to a member. `password: false` (PUT) reads only `name`, which is then required;
 * `password: true` (PATCH) reads `name` and `password`, each optional, at least one present.
 *
 * @example
 * validateChanges({ name: '새 이름' }, { password: false }) // { ok: true, value: { name: '새 이름' } }
 * validateChanges({}, { password: true })                  // { ok: false, error: { code: 'NOTHING_TO_CHANGE', … } }
 */
export function validateChanges(
  body: unknown,
  options: { readonly password: boolean },
): Validated<{ name?: string; password?: string }> {
  if (!isRecord(body)) return invalid('INVALID_BODY', 'body must be an object');
  const rawName = own(body, 'name');
  const rawPassword = options.password ? own(body, 'password') : undefined;
  if (!options.password && rawName === undefined) return invalid('NAME_REQUIRED', 'name is required');
  if (rawName === undefined && rawPassword === undefined) {
    return invalid('NOTHING_TO_CHANGE', 'send a name or a password to change');
  }
  const changes: { name?: string; password?: string } = {};
  if (rawName !== undefined) {
    const name = validateName(rawName);
    if (!name.ok) return name;
    changes.name = name.value;
  }
  if (rawPassword !== undefined) {
    const password = validatePassword(rawPassword);
    if (!password.ok) return password;
    changes.password = password.value;
  }
  return { ok: true, value: changes };
}

function invalid(code: ValidationError['code'], message: string): { ok: false; error: ValidationError } {
  return { ok: false, error: { code, message } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function own(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Counts code points, stopping at `stop` so a megabyte-long string costs no more than a short one. */
function codePointLength(text: string, stop: number): number {
  let count = 0;
  for (const _ of text) {
    count += 1;
    if (count >= stop) break;
  }
  return count;
}
