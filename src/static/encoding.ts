/** Content codings the static server can send. */
export type Encoding = 'br' | 'gzip' | 'identity';

/** Bits of the codings a file has: `BR | GZIP` when both exist. */
export const BR = 1;
export const GZIP = 2;

/**
 * Picks the coding to send from an Accept-Encoding header (RFC 9110 §12.5.3), among the codings the file has
 * (`available`, a mask of BR and GZIP): the highest q-value wins, `br` on a tie (smaller), and `identity` when
 * neither is acceptable. `*` stands for any coding not named. `identity` is returned even when the client refuses
 * it, as §12.5.3 allows when nothing else fits.
 *
 * @example
 * negotiateEncoding('gzip, deflate, br'); // 'br'
 * negotiateEncoding('gzip;q=1, br;q=0.5'); // 'gzip'
 * negotiateEncoding('br', GZIP); // 'identity'
 */
export function negotiateEncoding(header: string | undefined, available = BR | GZIP): Encoding {
  if (header === undefined || header === '') return 'identity';
  let br: number | undefined;
  let gzip: number | undefined;
  let star: number | undefined;
  for (const item of header.split(',')) {
    const semi = item.indexOf(';');
    const name = (semi === -1 ? item : item.slice(0, semi)).trim().toLowerCase();
    const q = semi === -1 ? 1 : qValue(item.slice(semi + 1));
    if (name === 'br') br = q;
    else if (name === 'gzip' || name === 'x-gzip') gzip = q; // §8.4.1.3: x-gzip is gzip
    else if (name === '*') star = q;
  }
  const qBr = available & BR ? (br ?? star ?? 0) : 0;
  const qGzip = available & GZIP ? (gzip ?? star ?? 0) : 0;
  if (qBr === 0 && qGzip === 0) return 'identity';
  return qBr >= qGzip ? 'br' : 'gzip';
}

// §12.4.2: weight = OWS ";" OWS "q=" qvalue; anything unreadable counts as q=0 (refused), the safe reading.
function qValue(params: string): number {
  const m = /(?:^|;)\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*(?:;|$)/i.exec(params);
  if (m === null) return /(?:^|;)\s*q\s*=/i.test(params) ? 0 : 1;
  const q = Number(m[1]);
  return q > 1 ? 0 : q;
}

/**
 * Remembers the answer for each Accept-Encoding value seen (browsers send a handful of distinct ones), so a
 * cached hit does not parse the header; bounded, cleared when full so that odd headers cannot grow it.
 */
export function createEncodingMemo(limit = 256): (header: string | undefined, available: number) => Encoding {
  // One map per mask of available codings (br, gzip, both).
  const memos = [new Map<string, Encoding>(), new Map<string, Encoding>(), new Map<string, Encoding>(), new Map<string, Encoding>()];
  return (header, available) => {
    if (header === undefined) return 'identity';
    const memo = memos[available & 3]!;
    let encoding = memo.get(header);
    if (encoding === undefined) {
      encoding = negotiateEncoding(header, available);
      if (memo.size >= limit) memo.clear();
      memo.set(header, encoding);
    }
    return encoding;
  };
}

/**
 * True for media types worth compressing: text, JSON, XML, JavaScript, SVG and friends. Images, audio, video,
 * fonts in WOFF/WOFF2 and archives are compressed already; compressing them again wastes CPU and can grow them.
 */
export function isCompressible(type: string): boolean {
  const mediaType = (type.split(';', 1)[0] ?? '').trim().toLowerCase();
  if (mediaType.startsWith('text/')) return true;
  if (mediaType.endsWith('+json') || mediaType.endsWith('+xml')) return true;
  return COMPRESSIBLE.has(mediaType);
}

const COMPRESSIBLE = new Set([
  'application/json',
  'application/javascript',
  'application/xml',
  'application/wasm',
  'application/x-javascript',
  'application/rtf',
  'application/x-sh',
  'application/x-tar',
  'application/postscript',
  'application/vnd.ms-fontobject',
  'font/ttf',
  'font/otf',
  'image/bmp',
  'image/x-icon',
  'image/vnd.microsoft.icon',
]);
