/**
 * Characters that draw nothing, so that `bob` followed by one of them looks exactly like `bob`: every
 * Default_Ignorable_Code_Point (Unicode §5.21: joiners, variation selectors, U+034F COMBINING GRAPHEME JOINER, the
 * Hangul fillers U+115F, U+1160, U+3164 and U+FFA0, tags, …), plus blanks that are not in that set and not spaces:
 * U+2800 BRAILLE PATTERN BLANK and U+1D159 MUSICAL SYMBOL NULL NOTEHEAD. Spaces (White_Space) are not here: they
 * are trimmed at the ends, and the uniqueness key makes a run of them one space.
 */
export const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\u2800\u{1D159}]/u;
export const INVISIBLE_ALL = new RegExp(INVISIBLE.source, 'gu');

// Viramas (canonical combining class 9) of the scripts that write conjuncts: after one, ZWJ and ZWNJ choose how
// the conjunct is drawn (RFC 5892 Appendix A.1, A.2). Checked to be viramas by invisible.test.ts.
const VIRAMA =
  '\u094D\u09CD\u0A4D\u0ACD\u0B4D\u0BCD\u0C4D\u0CCD\u0D3B\u0D3C\u0D4D\u0DCA\u0E3A\u0F84\u1039\u103A\u1714\u1734\u17D2' +
  '\u1B44\u1BAA\uA806\uA8C4\uA9C0\uAAF6\u{11046}\u{110B9}\u{111C0}\u{1134D}\u{11442}\u{114C2}\u{115BF}\u{1163F}\u{116B6}';
// Scripts whose letters join, where ZWNJ between two letters keeps them apart (Persian "می‌خواهم").
const JOINING = '\\p{scx=Arab}\\p{scx=Syrc}\\p{scx=Nkoo}\\p{scx=Mand}\\p{scx=Mong}\\p{scx=Adlm}\\p{scx=Rohg}';

/**
 * The invisible characters that do a visible job where they stand, removed before the INVISIBLE test:
 * - ZWJ inside an emoji sequence (👩‍💻: after a pictograph, a skin tone or VS16, before a pictograph) — UTS #51 §2.3;
 * - VS15/VS16 after a character with an emoji form (❤️, the keycap 1️⃣) — UTS #51 §1.4.3;
 * - ZWJ or ZWNJ after a virama, and ZWNJ between two letters of a joining script (RFC 5892 Appendix A);
 * - an ideographic variation selector after a Han character (a family name's registered glyph, UTS #37).
 * Anywhere else they only hide a difference, and are refused.
 */
const PURPOSEFUL = new RegExp(
  [
    '(?<=[\\p{Extended_Pictographic}\\p{Emoji_Modifier}\\uFE0F])\\u200D(?=\\p{Extended_Pictographic})',
    '(?<=\\p{Emoji})[\\uFE0E\\uFE0F]',
    `(?<=[${VIRAMA}])[\\u200C\\u200D]`,
    `(?<=[${JOINING}]\\p{Mn}*)\\u200C(?=\\p{Mn}*[${JOINING}])`,
    '(?<=\\p{scx=Hani})[\\u{E0100}-\\u{E01EF}]',
  ].join('|'),
  'gu',
);

/**
 * The first invisible character of `text` that does no visible job there (see above), or undefined.
 *
 * @example
 * firstInvisible('bob\u200D')  // '\u200D'
 * firstInvisible('👩\u200D💻') // undefined
 */
export function firstInvisible(text: string): string | undefined {
  if (!INVISIBLE.test(text)) return undefined;
  return INVISIBLE.exec(text.replace(PURPOSEFUL, ''))?.[0];
}

/** The virama list, for its test. */
export const VIRAMAS: readonly string[] = [...VIRAMA];
