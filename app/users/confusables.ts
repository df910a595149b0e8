/**
 * Letters of other scripts that are drawn like Latin letters, after the prototypes of UTS #39's confusables data
 * (https://www.unicode.org/Public/security/latest/confusables.txt) for the scripts whose whole alphabets overlap
 * Latin's: Cyrillic, Greek, Armenian and Cherokee, and a few Latin letters of IPA. Mixed-script names are refused
 * outright (scripts.ts); this catches the rest — a name written wholly in another script that reads as a Latin one:
 * Cyrillic `рор` as `pop`, Greek `ΤΟΡ` and Cyrillic `ТОР` as `TOP`.
 *
 * The uniqueness key folds case first, so a letter stands for both its cases: it is listed in the case that looks
 * Latin, and by its capital when both do but disagree (Greek Ν/ν → n, like N, although ν looks like v): names are
 * mostly capitalised, and an all-capital twin is the classic look-alike. A Latin letter's look-alikes within Latin (rn/m, l/I, 0/O) are left
 * alone: both sides of each pair are typed every day, and folding them would refuse real names.
 */
const PROTOTYPES: Readonly<Record<string, string>> = {
  a: 'аΑɑᎪ', // Cyrillic а, Greek Alpha, Latin alpha, Cherokee go
  b: 'ВΒᏴ', // Cyrillic Ve, Greek Beta, Cherokee yv
  c: 'сϲᴄᏟ', // Cyrillic es, Greek lunate sigma, small capital c, Cherokee tli
  d: 'ԁᎠ', // Cyrillic komi de, Cherokee a
  e: 'еΕҽᎬ', // Cyrillic ie, Greek Epsilon, Cyrillic abkhasian che, Cherokee gv
  f: 'Ϝ', // Greek Digamma
  g: 'ɡցԌᏀ', // Latin script g, Armenian co, Cyrillic Sje, Cherokee nah
  h: 'һНΗհᎻ', // Cyrillic shha, Cyrillic En, Greek Eta, Armenian ho, Cherokee mi
  i: 'іΙӀɩᎥ', // Cyrillic i, Greek Iota, palochka, Latin iota, Cherokee v
  j: 'јϳᎫ', // Cyrillic je, Greek yot, Cherokee gu
  k: 'КΚĸᏦ', // Cyrillic Ka, Greek Kappa, kra, Cherokee tso
  l: 'ǀᏞ', // dental click, Cherokee tle
  m: 'МΜᎷ', // Cyrillic Em, Greek Mu, Cherokee lu
  n: 'Νո', // Greek Nu, Armenian vo
  o: 'оοօᴏ', // Cyrillic o, Greek omicron, Armenian oh, small capital o
  p: 'рΡᏢ', // Cyrillic er, Greek Rho, Cherokee tlv
  q: 'ԛզ', // Cyrillic qa, Armenian za
  r: 'ᎡᏒ', // Cherokee e, Cherokee sv
  s: 'ѕᏚ', // Cyrillic dze, Cherokee du
  t: 'ТΤᎢ', // Cyrillic Te, Greek Tau, Cherokee i
  u: 'ս', // Armenian seh
  v: 'ѴᏙ', // Cyrillic Izhitsa, Cherokee do
  w: 'ԝωᎳᏔ', // Cyrillic we, Greek omega, Cherokee la, Cherokee ta
  x: 'хΧ', // Cyrillic ha, Greek Chi
  y: 'УҮΥγᎩ', // Cyrillic U, Cyrillic straight U, Greek Upsilon, Greek gamma, Cherokee gi
  z: 'ΖᏃ', // Greek Zeta, Cherokee no
};

// Keyed by the case-folded letter, folded the way the uniqueness key folds (name-key.ts), so a capital listed
// above also stands for its small letter.
const LATIN_OF = new Map<string, string>();
for (const [latin, lookalikes] of Object.entries(PROTOTYPES)) {
  for (const char of lookalikes) {
    const folded = char.toUpperCase().toLowerCase();
    if (!LATIN_OF.has(folded)) LATIN_OF.set(folded, latin);
  }
}

/**
 * Replaces each look-alike letter of `text` (already case-folded and in NFD, so accents are separate marks) by the
 * Latin letter it is drawn like.
 *
 * @example
 * latinSkeleton('рор') // 'pop'
 */
export function latinSkeleton(text: string): string {
  let out = '';
  for (const char of text) out += LATIN_OF.get(char) ?? char;
  return out;
}

/** The table, for its test. */
export const LOOKALIKES: ReadonlyMap<string, string> = LATIN_OF;
