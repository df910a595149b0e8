import { constants, type BigIntStats } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import { brotliCompress, gzip, constants as zlib } from 'node:zlib';
import { isCompressible } from './encoding.js';
import { buildRepresentation, type Representation } from './representation.js';

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** A file's identity: what passed the root check, and what a descriptor opened later must still be. */
export interface FileId {
  readonly dev: bigint;
  readonly ino: bigint;
}

/** A file ready to serve: its representations with prebuilt replies, and what is needed to see it change. */
export interface Entry {
  /**
   * The path as joined under the root, before symlinks: the cache keys entries by it, so a symlink and its target
   * are two entries, and revalidation stats it, so a re-pointed or deleted link is seen.
   */
  readonly file: string;
  /** The real path. */
  readonly real: string;
  /** The version served: revalidation compares a fresh stat against it. */
  readonly stat: BigIntStats;
  readonly identity: Representation;
  readonly br: Representation | undefined;
  readonly gzip: Representation | undefined;
  /**
   * A file too big for memory: for each path a reply streams (the file, its .br/.gz siblings), the identity that
   * passed the root check; each request opens the path and streams only a descriptor of that same file (see
   * `openVerified`). Undefined when the bytes are in memory.
   */
  readonly onDisk: ReadonlyMap<string, FileId> | undefined;
  /** Bytes held in memory (bodies) plus a fixed overhead: what the entry costs the cache budget. */
  readonly cost: number;
  /** The hot cache's epoch when the file was last seen unchanged (see cache.ts). */
  checkedEpoch: number;
}

export interface LoadOptions {
  /** Content-Type of the file. */
  readonly type: string;
  readonly cacheControl: string | undefined;
  /** Largest file read into memory (bytes); bigger ones are streamed from disk. */
  readonly maxMemoryFile: number;
  /** Compress in-memory files of compressible types (up to 256 KiB) with br and gzip, once, when they are loaded. */
  readonly compress: boolean;
  /** Serve `file.br` / `file.gz` siblings when present and not older than the file. */
  readonly precompressed: boolean;
  /** Headers added to every reply of the file (serveStatic's `headers` option). */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/**
 * Brotli quality for compression at load time. Measured on a 64 KiB stylesheet here: quality 11 takes ~240 ms
 * (the first request of every file would wait that long), 9 takes ~18 ms for output 14% larger, 5 takes ~2 ms
 * for 19% larger. 9 it is; for the last bytes, ship `.br` files made at 11 at build time (served as siblings).
 */
const BROTLI_QUALITY = 9;
/** Files smaller than this are not compressed: the framing would eat the gain. */
const MIN_COMPRESS_SIZE = 256;
/**
 * Files bigger than this are kept in memory as they are (and with their precompressed siblings), not compressed at
 * load: the first request of a file waits for its compression. Measured here for CSS-like text, brotli 9 + gzip 9:
 * 64 KiB ~26 ms, 256 KiB ~70 ms, 1 MiB ~250 ms. Big assets are best compressed at build time (`.br`, `.gz`).
 */
const MAX_COMPRESS_SIZE = 256 * 1024;
/** What a file's bookkeeping (headers, replies) costs the budget, beyond its bytes. */
export const ENTRY_OVERHEAD = 1024;

/**
 * Loads a regular file (its real path already checked to lie inside the root) into an Entry. `stat` is the file's
 * stat from before that check: every descriptor opened here or later must be of that same file (device and inode),
 * else the path changed under the check — a component swapped for a symlink that leads out of the root, or the file
 * replaced — and the load fails with ESTALE (try again from the check). Small files are read into memory
 * and, when their type is compressible, compressed with brotli and gzip once — a variant is kept only when it
 * saves at least a tenth. Precompressed siblings win over on-the-fly compression; big files keep only their
 * metadata and are streamed from disk.
 *
 * @example
 * const entry = await loadEntry('/srv/www/site.css', '/srv/www/site.css', stat, { type: 'text/css; charset=utf-8', cacheControl: 'no-cache', maxMemoryFile: 65536, compress: true, precompressed: true });
 */
export async function loadEntry(file: string, real: string, stat: BigIntStats, options: LoadOptions): Promise<Entry> {
  const compressible = isCompressible(options.type);
  let bytes: Buffer | undefined;
  if (Number(stat.size) <= options.maxMemoryFile) {
    const read = await readWhole(real, stat);
    // A file rewritten between the stat and the read: keep the version actually read.
    if (read !== undefined) ({ bytes, stat } = read);
  }
  const size = bytes?.length ?? Number(stat.size);
  const base = { type: options.type, stat, cacheControl: options.cacheControl, vary: compressible, extraHeaders: options.headers };
  const identity = buildRepresentation({ ...base, encoding: 'identity', size, bytes, path: real });

  const onDisk = bytes === undefined ? new Map([[real, idOf(stat)]]) : undefined;
  let br: Representation | undefined;
  let gz: Representation | undefined;
  if (compressible && options.precompressed) {
    br = await sibling(real, '.br', stat, onDisk, (s) => buildRepresentation({ ...base, encoding: 'br', ...s }));
    gz = await sibling(real, '.gz', stat, onDisk, (s) => buildRepresentation({ ...base, encoding: 'gzip', ...s }));
  }
  if (compressible && options.compress && bytes !== undefined && size >= MIN_COMPRESS_SIZE && size <= MAX_COMPRESS_SIZE) {
    const worth = (out: Buffer) => out.length <= size * 0.9;
    if (br === undefined) {
      const out = await brotliAsync(bytes, {
        params: { [zlib.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT, [zlib.BROTLI_PARAM_SIZE_HINT]: size },
      });
      if (worth(out)) br = buildRepresentation({ ...base, encoding: 'br', size: out.length, bytes: out, path: real });
    }
    if (gz === undefined) {
      const out = await gzipAsync(bytes, { level: zlib.Z_BEST_COMPRESSION });
      if (worth(out)) gz = buildRepresentation({ ...base, encoding: 'gzip', size: out.length, bytes: out, path: real });
    }
  }
  const cost = ENTRY_OVERHEAD + (bytes?.length ?? 0) + (br?.bytes?.length ?? 0) + (gz?.bytes?.length ?? 0);
  return { file, real, stat, identity, br, gzip: gz, onDisk, cost, checkedEpoch: -1 };
}

/**
 * Opens `path` for reading and returns the handle when it is the file `id` names; undefined (the handle closed)
 * when the path now leads to another file or to none. This is what keeps a checked path honest: O_NOFOLLOW refuses
 * a symlink at the last component, and the device and inode of the open descriptor catch one swapped in anywhere
 * above it after the root check. Errors other than "no such file" (EACCES, EIO…) propagate.
 *
 * @example
 * const handle = await openVerified(entry.real, entry.onDisk.get(entry.real));
 */
export async function openVerified(path: string, id: FileId): Promise<FileHandle | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    if (GONE.has((err as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw err;
  }
  try {
    const now = await handle.stat({ bigint: true });
    if (now.isFile() && now.dev === id.dev && now.ino === id.ino) return handle;
  } catch (err) {
    await handle.close();
    throw err;
  }
  await handle.close();
  return undefined;
}

/** What open() answers when the path no longer leads to a regular file: ELOOP is O_NOFOLLOW meeting a symlink. */
const GONE = new Set(['ENOENT', 'ENOTDIR', 'ELOOP', 'EISDIR']);

function idOf(stat: BigIntStats): FileId {
  return { dev: stat.dev, ino: stat.ino };
}

/** The error of a path that led to another file than the one checked: serve.ts tries the whole check again. */
function changed(path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${path} changed while it was being checked`), { code: 'ESTALE' });
}

/**
 * Reads a whole file, which must be the file `expected` names (see loadEntry); undefined when it changed size
 * mid-read.
 */
async function readWhole(real: string, expected: FileId): Promise<{ bytes: Buffer; stat: BigIntStats } | undefined> {
  const handle = await openVerified(real, expected);
  if (handle === undefined) throw changed(real);
  try {
    const stat = await handle.stat({ bigint: true });
    const bytes = await handle.readFile();
    return bytes.length === Number(stat.size) ? { bytes, stat } : undefined;
  } finally {
    await handle.close();
  }
}

/**
 * A precompressed sibling (`site.css.br`): used when it is a regular file (a symlink could lead out of the root)
 * not older than the original (a stale one would serve old content). Read into memory when the original is, else
 * its identity goes into `onDisk` for the requests that will stream it.
 */
async function sibling(
  real: string,
  suffix: string,
  original: BigIntStats,
  onDisk: Map<string, FileId> | undefined,
  build: (spec: { size: number; bytes: Buffer | undefined; path: string }) => Representation,
): Promise<Representation | undefined> {
  const path = real + suffix;
  const stat = await lstat(path, { bigint: true }).catch(() => undefined);
  if (stat === undefined || !stat.isFile() || stat.mtimeNs < original.mtimeNs) return undefined;
  if (onDisk !== undefined) {
    onDisk.set(path, idOf(stat));
    return build({ size: Number(stat.size), bytes: undefined, path });
  }
  const read = await readWhole(path, idOf(stat)).catch(() => undefined);
  return read === undefined ? undefined : build({ size: read.bytes.length, bytes: read.bytes, path });
}
