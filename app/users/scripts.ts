/**
 * Which writing systems a name mixes, after UTS #39 (Unicode Security Mechanisms) §5: a name passes when it is
 * "Highly Restrictive" (§5.2) — all of one script, or Latin with the scripts one language writes together: Han,
 * Hiragana and Katakana (Japanese), Han and Bopomofo (Chinese), Han and Hangul (Korean). So `bоb` with a Cyrillic о,
 * `pаypal`, or Greek letters among Latin ones are refused, while `김bob`, `홍길동`, `山田さくら` and `Иван` pass.
 * Digits, punctuation, emoji and combining marks (scripts Common and Inherited) go with any script.
 *
 * A character's scripts are its Script_Extensions (UAX #24), so a mark shared by several scripts counts for each;
 * JS regular expressions know them (`\p{scx=Latn}`) but cannot list them, hence the table of script codes below,
 * tested against the running Node's Unicode data (scripts.test.ts).
 */

// ISO 15924 codes of every script in Unicode 17, the version Node 20's ICU carries; a code this Node does not know
// is skipped, so its letters count as no script and mix with nothing.
const CODES = `Adlm Aghb Ahom Arab Armi Armn Avst Bali Bamu Bass Batk Beng Berf Bhks Bopo Brah Brai Bugi Buhd Cakm Cans Cari
Cham Cher Chrs Copt Cpmn Cprt Cyrl Deva Diak Dogr Dsrt Dupl Egyp Elba Elym Ethi Gara Geor Glag Gong Gonm Goth Gran Grek
Gujr Gukh Guru Hang Hani Hano Hatr Hebr Hira Hluw Hmng Hmnp Hung Ital Java Kali Kana Kawi Khar Khmr Khoj Kits Knda Krai
Kthi Lana Laoo Latn Lepc Limb Lina Linb Lisu Lyci Lydi Mahj Maka Mand Mani Marc Medf Mend Merc Mero Mlym Modi Mong Mroo
Mtei Mult Mymr Nagm Nand Narb Nbat Newa Nkoo Nshu Ogam Olck Onao Orkh Orya Osge Osma Ougr Palm Pauc Perm Phag Phli Phlp
Phnx Plrd Prti Rjng Rohg Runr Samr Sarb Saur Sgnw Shaw Shrd Sidd Sidt Sind Sinh Sogd Sogo Sora Soyo Sund Sunu Sylo Syrc
Tagb Takr Tale Talu Taml Tang Tavt Tayo Telu Tfng Tglg Thaa Thai Tibt Tirh Tnsa Todr Tols Toto Tutg Ugar Vaii Vith Wara
Wcho Xpeo Xsux Yezi Yiii Zanb`.split(/\s+/);

/** Characters of every script: Common (digits, punctuation, emoji) and Inherited (combining marks). */
const ANY_SCRIPT = /[\p{scx=Zyyy}\p{scx=Zinh}]/u;
// The fast path: Latin, Hangul and Han with Common and Inherited — every Korean name, and Latin ones — is covered
// by Latin + Han + Hangul without looking further.
const KOREAN_OR_LATIN = /^[\p{scx=Latn}\p{scx=Hang}\p{scx=Hani}\p{scx=Zyyy}\p{scx=Zinh}]*$/u;
const LATIN = /\p{scx=Latn}/u;
// UTS #39 §5.1: Han, Hiragana and Katakana also count as Jpan; Han and Bopomofo as Hanb; Han and Hangul as Kore.
const AUGMENT: Readonly<Record<string, readonly string[]>> = { Hani: ['Hanb', 'Jpan', 'Kore'], Hira: ['Jpan'], Kana: ['Jpan'], Bopo: ['Hanb'], Hang: ['Kore'] };
const COVERS = ['Jpan', 'Hanb', 'Kore'];

let table: readonly (readonly [code: string, test: RegExp])[] | undefined;
/** Built on first use: a hundred and seventy property classes are not worth parsing at start-up. */
function scriptTable(): readonly (readonly [string, RegExp])[] {
  if (table !== undefined) return table;
  const built: [string, RegExp][] = [];
  for (const code of CODES) {
    try {
      built.push([code, new RegExp(`\\p{scx=${code}}`, 'u')]);
    } catch {
      // a script newer than this Node's Unicode data
    }
  }
  return (table = built);
}

// A character's set costs a test per script (~2 µs); names repeat their letters, so sets are remembered, boundedly.
const MEMO_MAX = 4096;
const memo = new Map<string, ReadonlySet<string>>();

/** The augmented script set of one character (UTS #39 §5.1), without Common and Inherited. */
export function scriptsOf(char: string): ReadonlySet<string> {
  const known = memo.get(char);
  if (known !== undefined) return known;
  if (memo.size >= MEMO_MAX) memo.clear();
  const scripts = new Set<string>();
  for (const [code, test] of scriptTable()) {
    if (!test.test(char)) continue;
    scripts.add(code);
    for (const extra of AUGMENT[code] ?? []) scripts.add(extra);
  }
  memo.set(char, scripts);
  return scripts;
}

/**
 * True when `text` mixes scripts beyond what UTS #39's Highly Restrictive level allows (see above).
 *
 * @example
 * mixesScripts('bоb')   // true: Latin and Cyrillic
 * mixesScripts('김bob') // false: Korean writes Hangul with Latin
 */
export function mixesScripts(text: string): boolean {
  if (KOREAN_OR_LATIN.test(text)) return false;
  // The resolved script set (§5.1): what every character shares. Not empty: one script. Otherwise the characters
  // that are not Latin must share Japanese, Chinese or Korean, the three sets Latin may join (§5.2).
  let resolved: Set<string> | undefined;
  let nonLatin: Set<string> | undefined;
  for (const char of text) {
    if (ANY_SCRIPT.test(char)) continue;
    const scripts = scriptsOf(char);
    resolved = intersect(resolved, scripts);
    if (!LATIN.test(char)) nonLatin = intersect(nonLatin, scripts);
  }
  if (resolved === undefined || resolved.size > 0) return false;
  return nonLatin === undefined || !COVERS.some((cover) => nonLatin.has(cover));
}

/** The script codes this Node knows, for the table's test. */
export function knownScripts(): readonly string[] {
  return scriptTable().map(([code]) => code);
}

function intersect(current: Set<string> | undefined, next: ReadonlySet<string>): Set<string> {
  if (current === undefined) return new Set(next);
  for (const code of current) if (!next.has(code)) current.delete(code);
  return current;
}
