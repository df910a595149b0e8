import { weightOf } from '../qvalue.js';

/**
 * True when an Accept header ranks HTML above JSON: a browser navigating to a page (`text/html,…,*\/*;q=0.8`),
 * not `fetch()` or curl (`*\/*`, which likes both the same) and not an API client (`application/json`). Each type
 * takes the weight of the most specific range that matches it (RFC 9110 §12.5.1); on a tie JSON, the API's own
 * format, wins.
 *
 * @example
 * prefersHtml('text/html,application/xhtml+xml,*\/*;q=0.8') // true
 * prefersHtml('*\/*')                                        // false
 */
export function prefersHtml(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  const html = { q: 0, specificity: 0 };
  const json = { q: 0, specificity: 0 };
  // A browser sends about ten ranges; a header of thousands is not a browser and need not cost thousands of steps.
  for (const part of accept.split(',', 32)) {
    const [range = '', ...params] = part.split(';');
    const q = weightOf(params);
    if (q === undefined) continue;
    const [type = '', subtype = ''] = range.trim().toLowerCase().split('/');
    if (type === '*' && subtype === '*') {
      offer(html, 1, q);
      offer(json, 1, q);
    } else if (type === 'text' && (subtype === 'html' || subtype === '*')) {
      offer(html, subtype === '*' ? 2 : 3, q);
    } else if (type === 'application' && (subtype === 'json' || subtype === '*')) {
      offer(json, subtype === '*' ? 2 : 3, q);
    }
  }
  return html.q > json.q;
}

/** Keeps the weight of the most specific range; of two equally specific ones (a client repeating itself), the higher. */
function offer(weight: { q: number; specificity: number }, specificity: number, q: number): void {
  if (specificity < weight.specificity) return;
  weight.q = specificity > weight.specificity ? q : Math.max(weight.q, q);
  weight.specificity = specificity;
}
