import type { Context } from '../src/index.js';
import { weightOf } from './qvalue.js';

export type Lang = 'ko' | 'en';

/** The languages the member directory speaks; the first is the default. */
export const LANGS: readonly Lang[] = ['ko', 'en'];

/** The cookie the language switch sets; it wins over Accept-Language. */
export const LANG_COOKIE = 'lang';

export function isLang(value: unknown): value is Lang {
  return value === 'ko' || value === 'en';
}

/**
 * Korean unless the client prefers English: the highest-q language range of Accept-Language that we speak wins
 * (RFC 9110 §12.5.4), matched on its primary subtag (`ko-KR` is Korean, RFC 4647 §3.3.1); ties keep the client's
 * order. `q=0` means "not this one" (RFC 9110 §12.4.2), and a range with a malformed weight is ignored.
 *
 * @example
 * pickLanguage('en-US,en;q=0.9,ko;q=0.8') // 'en'
 */
export function pickLanguage(acceptLanguage: string | undefined): Lang {
  if (!acceptLanguage) return 'ko';
  let best: Lang = 'ko';
  let bestQ = 0;
  // A browser sends a handful of ranges; a header of thousands is not a browser and need not cost thousands of steps.
  for (const part of acceptLanguage.split(',', 20)) {
    const [range = '', ...params] = part.split(';');
    const primary = range.trim().toLowerCase().split('-', 1)[0];
    if (!isLang(primary)) continue;
    const q = weightOf(params) ?? 0;
    if (q > bestQ) {
      best = primary;
      bestQ = q;
    }
  }
  return best;
}

/**
 * The language of a page: the language switch's cookie when it names one we speak, else Accept-Language.
 *
 * @example
 * chooseLanguage('en', 'ko-KR,ko;q=0.9') // 'en': the reader chose English on the switch
 */
export function chooseLanguage(cookie: string | undefined, acceptLanguage: string | undefined): Lang {
  return isLang(cookie) ? cookie : pickLanguage(acceptLanguage);
}

/** The language of this request's page (cookie, then Accept-Language). Reads headers only. */
export function languageOf(ctx: Context): Lang {
  const cookie = ctx.headers.cookie === undefined ? undefined : ctx.cookies[LANG_COOKIE];
  return chooseLanguage(cookie, ctx.headers['accept-language']);
}

/**
 * Marks this request's reply as one of several languages: `Content-Language`, and `Vary` on the two headers the
 * choice reads, so a cache never hands a Korean page to an English reader (RFC 9110 §12.5.5).
 */
export function markLanguage(ctx: Context, lang: Lang): void {
  ctx.header('content-language', lang);
  ctx.appendHeader('vary', 'Accept-Language, Cookie');
}
