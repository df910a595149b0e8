import type { Lang } from '../i18n.js';

/** The path of the language switch; `/lang/en?next=/about` sets English and goes back to the About page. */
export const LANG_PATH = '/lang/';

// A local path, and only that: one leading '/', not '//' or '/\' (both mean another host to a browser, WHATWG URL
// §4.4), no backslash or control character anywhere (browsers drop tabs and newlines, so '/\t/evil' is '//evil').
const LOCAL_PATH = /^\/(?![/\\])[^\\\x00-\x1f\x7f]*$/;
const MAX_PATH = 2048;

/**
 * The link that switches the pages to `lang` and comes back to `here`. A plain link, so the switch works without
 * JavaScript.
 *
 * @example
 * switchLanguageHref('en', '/about') // '/lang/en?next=%2Fabout'
 */
export function switchLanguageHref(lang: Lang, here: string): string {
  return `${LANG_PATH}${lang}?next=${encodeURIComponent(returnPath(here))}`;
}

/**
 * Where the switch may send the reader back to: `next` when it is a path on this site, else the home page. An open
 * redirect (`next=//evil.example`) is exactly what a switch like this must not become.
 *
 * @example
 * returnPath('/about')            // '/about'
 * returnPath('//evil.example/x')  // '/'
 */
export function returnPath(next: string | null | undefined): string {
  if (typeof next !== 'string' || next.length > MAX_PATH || !LOCAL_PATH.test(next)) return '/';
  return next;
}
