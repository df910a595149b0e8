import { realpathSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Context } from '../context.js';
import { HttpError } from '../errors.js';
import { isFileBody, type Reply } from '../reply.js';
import { answer } from './answer.js';
import { createHotCache } from './cache.js';
import { createEncodingMemo } from './encoding.js';
import { loadEntry, openVerified, type Entry } from './entry.js';
import { checkPath, realPathInside } from './resolve.js';

/**
 * The in-memory cache of {@link serveStatic}: how big a file and how much memory, and how often to look at the disk.
 *
 * @example
 * serveStatic({ root: 'public', hotCache: { maxFileSize: 256 * 1024, maxBytes: 64 * 1024 * 1024 } });
 */
export interface HotCacheSettings {
  /**
   * Largest file kept in memory, bytes (1 MiB: a thirty-second of the default budget). Bigger files are streamed from
   * disk; only their headers are cached.
   */
  maxFileSize?: number;
  /** Memory budget of the cache, bytes (32 MiB), compressed variants included. */
  maxBytes?: number;
  /** A cached file is stat'ed again at most this often, ms (1000): a change on disk shows within this time. */
  revalidateMs?: number;
}

/**
 * Options of {@link serveStatic}.
 *
 * @example
 * serveStatic({ root: 'public', index: false, dotfiles: 'ignore', cacheControl: (path) => (path.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache') });
 */
export interface ServeStaticOptions {
  /** The directory to serve; must exist. Its real path is resolved once, at start-up. */
  root: string;
  /** File served for a directory (`index.html`); `false` for none. */
  index?: string | false;
  /**
   * Paths with a segment starting with `.` (`.env`, `.git/config`): `'deny'` answers 404 (the default), `'ignore'`
   * treats them as missing (middleware falls through), `'allow'` serves them.
   */
  dotfiles?: 'deny' | 'ignore' | 'allow';
  /**
   * Cache-Control of every file (`'no-cache'`: browsers revalidate, and get a cheap 304), or a function of the
   * path relative to the root, called once per file, e.g. a year and `immutable` for hashed names.
   */
  cacheControl?: string | ((path: string) => string | undefined);
  /** The in-memory cache of small files; `false` turns it off (every request then stats the disk). */
  hotCache?: HotCacheSettings | false;
  /** Compress cached files of compressible types, up to 256 KiB, with br and gzip when they are loaded (true). */
  compress?: boolean;
  /** Serve a `file.br` / `file.gz` sibling to clients that accept it (true). */
  precompressed?: boolean;
  /**
   * Headers every file reply carries (200, 206, 304), e.g. `securityHeaders().headers`: built into the cached
   * replies, so they cost nothing per request. Lower-case names; the ones serveStatic sets itself are refused.
   */
  headers?: Readonly<Record<string, string>>;
}

/**
 * Usable as middleware (falls through to `next` when no file matches) and as a route handler (404 then).
 *
 * @example
 * const files: StaticHandler = serveStatic({ root: 'downloads' });
 * app.get('/downloads/*', files);
 */
export type StaticHandler = (ctx: Context, next?: () => Promise<Reply>) => Reply | Promise<Reply>;

const ALLOW = 'GET, HEAD';
const OCTET_STREAM = 'application/octet-stream';
// mime-types parses the whole mime-db when it loads (~20 ms here): load it with the first file, not at start-up.
let mimeTypes: Promise<typeof import('mime-types')> | undefined;

async function contentTypeOf(name: string): Promise<string> {
  const mime = await (mimeTypes ??= import('mime-types').then((module) => module.default));
  return mime.contentType(name) || OCTET_STREAM;
}

/** Errors that mean "no such file here" rather than a fault. */
const MISSING_PATH: Found = Object.freeze({ kind: 'missing', canonical: true });
const MISSING = new Set(['ENOENT', 'ENOTDIR', 'ENAMETOOLONG', 'ELOOP', 'EISDIR']);

type Found = { kind: 'entry'; entry: Entry } | { kind: 'missing'; canonical: boolean } | { kind: 'redirect'; location: string } | { kind: 'deny' };

/**
 * Serves the files under `root` the way a CDN edge would: safe paths, validators and 304s, single ranges,
 * br/gzip (precompressed siblings first), and a hot cache in which a hit is a Map lookup returning a prebuilt
 * reply. As middleware it serves GET/HEAD when a file exists and calls `next()` otherwise; mounted on a
 * wildcard route it serves `ctx.params['*']` and answers 404 (405 for other methods) itself.
 *
 * @example
 * app.use(serveStatic({ root: 'public' }));
 * app.get('/assets/*', serveStatic({ root: 'dist/assets', cacheControl: 'public, max-age=31536000, immutable' }));
 */
export function serveStatic(options: ServeStaticOptions): StaticHandler {
  const settings = resolveOptions(options);
  const { root, index, dotfiles, cacheControl, precompressed, compress, headers } = settings;
  const cache = createHotCache({ maxBytes: settings.maxBytes, revalidateMs: settings.revalidateMs });
  const pickEncoding = createEncodingMemo();
  // Concurrent misses for one file share one load (one read, one compression). Keyed like the cache, by the path
  // before symlinks.
  const loading = new Map<string, Promise<Entry>>();

  function serve(ctx: Context, next?: () => Promise<Reply>): Reply | Promise<Reply> {
    const method = ctx.method;
    if (method !== 'GET' && method !== 'HEAD') {
      if (next !== undefined) return next();
      throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed here`, { headers: { allow: ALLOW } });
    }
    const key = next === undefined ? (ctx.params['*'] ?? ctx.path) : ctx.path;
    // The hot path: one Map lookup, one integer compare, and a prebuilt reply unless the request is conditional.
    const entry = cache.fresh(key);
    if (entry !== undefined) return entry.onDisk === undefined ? answer(ctx.headers, entry, pickEncoding) : streamed(ctx, key, entry, next, true);
    // A path found missing moments ago falls through without asking the disk again.
    if (cache.knownMissing(key)) return missingReply(next);
    return slow(ctx, key, next);
  }

  async function slow(ctx: Context, key: string, next: (() => Promise<Reply>) | undefined, retry = true): Promise<Reply> {
    const stale = cache.stale(key);
    if (stale !== undefined && (await cache.revalidate(stale)) !== undefined) return respond(ctx, key, stale, next, retry);
    const found = await find(key, ctx.path, true);
    switch (found.kind) {
      case 'entry':
        return respond(ctx, key, found.entry, next, retry);
      case 'redirect':
        return { status: 301, headers: { location: found.location, 'content-length': 0 }, body: null };
      case 'deny':
        throw new HttpError(404, 'NOT_FOUND', 'no such file');
      case 'missing':
        if (settings.cached && found.canonical) cache.noteMissing(key);
        return missingReply(next);
    }
  }

  function respond(ctx: Context, key: string, entry: Entry, next: (() => Promise<Reply>) | undefined, retry: boolean): Reply | Promise<Reply> {
    return entry.onDisk === undefined ? answer(ctx.headers, entry, pickEncoding) : streamed(ctx, key, entry, next, retry);
  }

  /**
   * The reply of a file too big for memory. Its path passed the root check when the entry was loaded, but the
   * file is opened now, maybe much later: the reply carries a descriptor opened here and checked to be the same
   * file (openVerified), so a symlink swapped in meanwhile is never followed out of the root. When the path leads
   * elsewhere, the entry is dropped and the whole check runs once more (a file replaced by a deploy is served).
   */
  async function streamed(ctx: Context, key: string, entry: Entry, next: (() => Promise<Reply>) | undefined, retry: boolean): Promise<Reply> {
    const reply = answer(ctx.headers, entry, pickEncoding);
    const body = reply.body;
    if (ctx.method === 'HEAD' || !isFileBody(body)) return reply;
    const id = entry.onDisk?.get(body.path);
    const handle = id === undefined ? undefined : await openVerified(body.path, id).catch(missingOr(undefined));
    if (handle !== undefined) return { ...reply, body: { ...body, handle } };
    cache.delete(entry);
    return retry ? slow(ctx, key, next, false) : missingReply(next);
  }

  async function find(key: string, requestPath: string, retry: boolean): Promise<Found> {
    const path = checkPath(key);
    if (path.kind === 'bad') throw new HttpError(400, 'BAD_PATH', 'the path has an invalid percent-encoding or a NUL byte');
    if (path.kind === 'forbidden') throw new HttpError(403, 'FORBIDDEN_PATH', 'the path leaves the served directory');
    if (path.dotfile && dotfiles !== 'allow') return dotfiles === 'deny' ? { kind: 'deny' } : MISSING_PATH;
    const missing: Found = path.canonical ? MISSING_PATH : { kind: 'missing', canonical: false };

    let file = path.relative === '' ? root : `${root}/${path.relative}`;
    let stats = await statOrMissing(file);
    if (stats === undefined) return missing;
    if (stats.isDirectory()) {
      if (index === false) return missing;
      file = `${file}/${index}`;
      stats = await statOrMissing(file);
      if (stats === undefined || !stats.isFile()) return missing;
      // Relative links in the index page resolve against the directory only when its URL ends in '/'.
      // Leading slashes collapse to one: '//host/dir' must not become a protocol-relative Location.
      if (!path.directory) return { kind: 'redirect', location: `${requestPath.replace(/^\/+/, '/')}/` };
    } else if (!stats.isFile() || path.directory) {
      return missing; // devices, sockets, FIFOs; and 'file.css/'
    }

    const real = await realPathInside(root, file).catch(missingOr(undefined));
    if (real === undefined) return missing; // a symlink out of the root is, for the client, nothing
    const known = cache.byFile(file);
    if (known !== undefined && known.stat.mtimeNs === stats.mtimeNs && known.stat.size === stats.size && known.stat.ino === stats.ino) {
      if (path.canonical) cache.add(key, known);
      return { kind: 'entry', entry: known };
    }

    let pending = loading.get(file);
    if (pending === undefined) {
      // The function sees the file's path under the root: 'docs/index.html' for a request of '/docs/'.
      const control = typeof cacheControl === 'function' ? cacheControl(file.slice(root.length + 1)) : cacheControl;
      pending = contentTypeOf(basename(file)).then((type) =>
        loadEntry(file, real, stats, { type, cacheControl: control, maxMemoryFile: settings.maxFileSize, compress, precompressed, headers }),
      );
      pending.finally(() => loading.delete(file)).catch(() => {});
      loading.set(file, pending);
    }
    const entry = await pending.catch((err: NodeJS.ErrnoException) => {
      // The path led to another file than the one stat'ed and checked (see loadEntry): check it all again, once.
      if (err.code === 'ESTALE') return 'changed' as const;
      return missingOr(undefined)(err);
    });
    if (entry === 'changed') return retry ? find(key, requestPath, false) : { kind: 'missing', canonical: false };
    if (entry === undefined) return missing;
    // Only canonical paths become keys, so '/./a.css', '//a.css', '/%61.css' cannot multiply the keys of one file.
    if (settings.cached) cache.add(path.canonical ? key : undefined, entry);
    return { kind: 'entry', entry };
  }

  return serve;
}

function missingReply(next: (() => Promise<Reply>) | undefined): Promise<Reply> {
  if (next !== undefined) return next();
  throw new HttpError(404, 'NOT_FOUND', 'no such file');
}

async function statOrMissing(file: string) {
  return stat(file, { bigint: true }).catch(missingOr(undefined));
}

/** A catch handler: "missing" errors become `value`; anything else (EACCES, EIO…) is rethrown as a 403 or a fault. */
function missingOr<T>(value: T): (err: NodeJS.ErrnoException) => T {
  return (err) => {
    if (err.code !== undefined && MISSING.has(err.code)) return value;
    if (err.code === 'EACCES' || err.code === 'EPERM') throw new HttpError(403, 'FORBIDDEN', 'the file cannot be read');
    throw err;
  };
}

interface ResolvedOptions {
  readonly root: string;
  readonly index: string | false;
  readonly dotfiles: 'deny' | 'ignore' | 'allow';
  readonly cacheControl: string | ((path: string) => string | undefined) | undefined;
  readonly compress: boolean;
  readonly precompressed: boolean;
  readonly cached: boolean;
  readonly maxFileSize: number;
  readonly maxBytes: number;
  readonly revalidateMs: number;
  readonly headers: Readonly<Record<string, string>> | undefined;
}

// What serveStatic sets itself: the `headers` option may not override them.
const OWN_HEADERS = new Set(['content-type', 'content-length', 'content-encoding', 'content-range', 'accept-ranges', 'etag', 'last-modified', 'cache-control', 'vary']);
const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/; // RFC 9110 §5.6.2, lower case

function checkHeaders(headers: unknown): Readonly<Record<string, string>> | undefined {
  if (headers === undefined) return undefined;
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) throw new TypeError(`option headers must be an object, got ${String(headers)}`);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!TOKEN.test(name) || OWN_HEADERS.has(name)) throw new TypeError(`option headers may not set ${JSON.stringify(name)} (lower-case names, none of serveStatic's own)`);
    if (typeof value !== 'string' || /[\r\n\0]/.test(value)) throw new TypeError(`option headers.${name} must be a string without CR, LF or NUL`);
    out[name] = value;
  }
  return Object.keys(out).length === 0 ? undefined : Object.freeze(out);
}

function resolveOptions(options: ServeStaticOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') throw new TypeError('serveStatic() needs an options object with a root');
  const { root, index = 'index.html', dotfiles = 'deny', cacheControl = 'no-cache', hotCache = {}, compress = true, precompressed = true, headers } = options;
  if (typeof root !== 'string' || root === '') throw new TypeError(`option root must be a directory path, got ${String(root)}`);
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch (err) {
    throw new TypeError(`option root must be an existing directory, got ${root} (${(err as Error).message})`);
  }
  if (!statSync(realRoot).isDirectory()) throw new TypeError(`option root must be a directory, got ${root}`);
  if (index !== false && (typeof index !== 'string' || index === '' || /[/\\\0]/.test(index) || index === '.' || index === '..')) {
    throw new TypeError(`option index must be a file name or false, got ${String(index)}`);
  }
  if (dotfiles !== 'deny' && dotfiles !== 'ignore' && dotfiles !== 'allow') {
    throw new TypeError(`option dotfiles must be 'deny', 'ignore' or 'allow', got ${String(dotfiles)}`);
  }
  if (typeof cacheControl !== 'string' && typeof cacheControl !== 'function') {
    throw new TypeError(`option cacheControl must be a string or a function, got ${String(cacheControl)}`);
  }
  if (typeof cacheControl === 'string' && /[\r\n\0]/.test(cacheControl)) throw new TypeError('option cacheControl must not contain CR, LF or NUL');
  if (typeof compress !== 'boolean') throw new TypeError(`option compress must be a boolean, got ${String(compress)}`);
  if (typeof precompressed !== 'boolean') throw new TypeError(`option precompressed must be a boolean, got ${String(precompressed)}`);
  if (hotCache !== false && (hotCache === null || typeof hotCache !== 'object')) throw new TypeError(`option hotCache must be an object or false, got ${String(hotCache)}`);
  // A file served from memory costs a quarter of the CPU time of one read from disk per request (1 MiB, measured
  // against node:http writing the same Buffer: 1.1x from memory; streamed in 256 KiB chunks 0.23x, read whole 0.4x).
  const { maxFileSize = 1024 * 1024, maxBytes = 32 * 1024 * 1024, revalidateMs = 1000 } = hotCache === false ? {} : hotCache;
  for (const [name, value] of Object.entries({ maxFileSize, maxBytes, revalidateMs })) {
    if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`option hotCache.${name} must be a non-negative integer, got ${String(value)}`);
  }
  return {
    root: realRoot,
    index,
    dotfiles,
    cacheControl: cacheControl === '' ? undefined : cacheControl,
    compress,
    precompressed,
    cached: hotCache !== false,
    maxFileSize: hotCache === false ? 0 : maxFileSize,
    maxBytes,
    revalidateMs,
    headers: checkHeaders(headers),
  };
}
