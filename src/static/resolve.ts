import { realpath } from 'node:fs/promises';
import { sep } from 'node:path';

/** A request path checked for safety, before the file system is asked anything. */
export type SafePath =
  /** Decodes to segments that stay under the root. */
  | {
      readonly kind: 'ok';
      /** The decoded path relative to the root, segments joined by `/`; `''` for the root itself. */
      readonly relative: string;
      /** The request path ended in `/` (a directory was asked for). */
      readonly directory: boolean;
      /** Some segment starts with a dot (`.env`, `.git/config`). */
      readonly dotfile: boolean;
      /** The path is in its one normal form (no `.`, `//`, needless escapes), so it may key the hot cache. */
      readonly canonical: boolean;
    }
  /** A malformed percent-encoding or a NUL byte: 400. */
  | { readonly kind: 'bad' }
  /** An attempt to leave the root (`..`, an encoded `/`, a backslash): 403. */
  | { readonly kind: 'forbidden' };

const BAD: SafePath = Object.freeze({ kind: 'bad' });
const FORBIDDEN: SafePath = Object.freeze({ kind: 'forbidden' });

/**
 * Checks a request path (still percent-encoded, as sent) and decodes it exactly once, segment by segment. It is
 * split on `/` before decoding, so `%2F` can never make a separator and `%2e%2e` is seen as the `..` it decodes
 * to; a segment that decodes to `..`, or contains `/` or `\` (a separator on Windows), is refused. A second
 * round of encoding (`%252e`) stays a literal `%2e` in a file name. Empty and `.` segments are dropped, so an
 * absolute-looking path (`//etc/passwd`) still lands under the root.
 *
 * @example
 * checkPath('/css/site.css'); // { kind: 'ok', relative: 'css/site.css', directory: false, dotfile: false, canonical: true }
 * checkPath('/%2e%2e/etc/passwd'); // { kind: 'forbidden' }
 */
export function checkPath(raw: string): SafePath {
  const segments: string[] = [];
  let canonical = true;
  let dotfile = false;
  const parts = raw.split('/');
  // A leading '/' (middleware: the whole path) or none (a route's wildcard) are both normal.
  const first = parts[0] === '' ? 1 : 0;
  for (let i = first; i < parts.length; i++) {
    const part = parts[i]!;
    let segment = part;
    if (part.includes('%')) {
      try {
        segment = decodeURIComponent(part);
      } catch {
        return BAD; // an invalid escape or invalid UTF-8 (e.g. the overlong %c0%ae)
      }
      if (encodeURIComponent(segment) !== part) canonical = false;
    }
    if (segment.includes('\0')) return BAD;
    if (segment === '..' || segment.includes('/') || segment.includes('\\')) return FORBIDDEN;
    if (segment === '' || segment === '.') {
      // Only a trailing '/' is normal; '//' and '/./' inside a path are not.
      if (i !== parts.length - 1 || segment === '.') canonical = false;
      continue;
    }
    if (segment.startsWith('.')) dotfile = true;
    segments.push(segment);
  }
  const directory = raw === '' || raw.endsWith('/');
  return { kind: 'ok', relative: segments.join('/'), directory, dotfile, canonical };
}

/**
 * The real path of `file` when it lies inside `root` (itself a real path) once every symlink is followed; undefined
 * when a link leads outside. Errors (ENOENT…) propagate.
 */
export async function realPathInside(root: string, file: string): Promise<string | undefined> {
  const real = await realpath(file);
  return real === root || real.startsWith(root.endsWith(sep) ? root : root + sep) ? real : undefined;
}
