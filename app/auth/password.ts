import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { concurrencyLimit, isHttpError } from '../../src/index.js';

/**
 * Password hashing with scrypt (RFC 7914) through Node's async API, which runs on libuv's thread pool and never
 * blocks the event loop. A stored hash carries its own parameters and salt:
 *
 *   scrypt$N=32768,r=8,p=1$<16-byte salt, base64>$<32-byte key, base64>
 *
 * so the cost can be raised later without breaking old hashes (see needsRehash).
 *
 * Cost: N=2^15, r=8, p=1 takes 32 MiB and about 110 ms per hash on the project's machines (Node 20, measured with
 * 8 runs: 109–117 ms; N=2^14 took 44–59 ms). That is the top of the range RFC 7914 §2 and OWASP's password storage
 * cheat sheet treat as interactive-login cost, and it bounds registration/login throughput on purpose: an attacker
 * who steals the database pays the same per guess.
 *
 * Passwords are normalised to NFKC before hashing (NIST SP 800-63B §5.1.1.2), so the same password typed on
 * systems that compose characters differently still matches.
 *
 * At most SCRYPT_CONCURRENCY derivations run at once, SCRYPT_QUEUE more wait, and the next caller gets a 503 BUSY
 * with Retry-After at once: a flood of logins can then neither take every thread of libuv's pool (which static
 * files need for stat and read) nor every core, nor 32 MiB of memory per request in flight.
 */

const N = 2 ** 15;
const R = 8;
const P = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
const PREFIX = 'scrypt';

// libuv's pool has UV_THREADPOOL_SIZE threads (4 unless set): leave at least two to the file system, and one core
// to the event loop. One at a time on the project's 2-core machines, where each takes ~110 ms of a core.
const POOL_THREADS = Number(process.env.UV_THREADPOOL_SIZE) || 4;
const SCRYPT_CONCURRENCY = Math.max(1, Math.min(POOL_THREADS - 2, availableParallelism() - 1));
// About two seconds of waiting at most (16 × 110 ms per slot), well inside a browser's patience and the 30 s
// request timeout; a flood past it is refused at once instead of queueing without end.
const SCRYPT_QUEUE = 16 * SCRYPT_CONCURRENCY;
const scryptSlot = concurrencyLimit({ concurrency: SCRYPT_CONCURRENCY, queue: SCRYPT_QUEUE, retryAfter: 1 });
/** How many scrypt derivations run at once and how many may wait (for tests and the start-up log). */
export const SCRYPT_LIMITS: { readonly concurrency: number; readonly queue: number } = { concurrency: SCRYPT_CONCURRENCY, queue: SCRYPT_QUEUE };

// What verifyPassword accepts in a stored string. The bounds keep a corrupted or hostile row from asking for
// gigabytes of memory or minutes of CPU.
const MAX_MEMORY = 256 * 1024 * 1024;
const MAX_P = 4;
const STORED = /^scrypt\$N=(\d{1,8}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{11,88}={0,2})\$([A-Za-z0-9+/]{22,172}={0,2})$/;

interface Params {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/**
 * Hashes a password with a fresh random salt.
 *
 * @example
 * const stored = await hashPassword('correct horse battery'); // 'scrypt$N=32768,r=8,p=1$…$…'
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, { N, r: R, p: P });
  return `${PREFIX}$N=${N},r=${R},p=${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/**
 * True when `password` matches `stored`. Compares in constant time (crypto.timingSafeEqual); a malformed, truncated
 * or out-of-bounds stored string is false, never an exception. Like every function here that runs scrypt, it
 * rejects with a 503 BUSY HttpError when too many derivations are already waiting.
 *
 * @example
 * await verifyPassword('correct horse battery', stored) // true
 * await verifyPassword('wrong', 'garbage')              // false
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseStored(stored);
  if (parsed === undefined) return false;
  // scrypt refusing the stored parameters is a false; too many derivations in flight is the 503, not a false.
  const key = await derive(password, parsed.salt, parsed.key.length, parsed.params).catch((err: unknown) => {
    if (isHttpError(err)) throw err;
    return undefined;
  });
  return key !== undefined && timingSafeEqual(key, parsed.key);
}

/**
 * Spends the time of one verifyPassword and answers false. Call it at login when no member has the given name, so
 * "no such name" and "wrong password" take the same time and the answer does not reveal which names exist. It
 * runs the very derivation a verification runs (today's parameters, a fresh salt) and compares in constant time
 * against a random key, so there is nothing to precompute at start-up (a precomputed hash would cost every
 * process 32 MiB of scrypt memory and a thread-pool slot while it starts).
 *
 * @example
 * const ok = user ? await verifyPassword(password, user.passwordHash) : await verifyAgainstDummy(password);
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  const key = await derive(password, randomBytes(SALT_BYTES), KEY_BYTES, { N, r: R, p: P });
  timingSafeEqual(key, randomBytes(KEY_BYTES));
  return false;
}

/**
 * True when `stored` was made with other parameters than today's (or cannot be read): after a successful login,
 * hash the password again and store the new hash.
 *
 * @example
 * if (needsRehash(user.passwordHash)) await users.update(user.id, { passwordHash: await hashPassword(password) });
 */
export function needsRehash(stored: string): boolean {
  const parsed = parseStored(stored);
  return parsed === undefined || parsed.params.N !== N || parsed.params.r !== R || parsed.params.p !== P;
}

function parseStored(stored: string): { params: Params; salt: Buffer; key: Buffer } | undefined {
  if (typeof stored !== 'string') return undefined;
  const match = STORED.exec(stored);
  if (match === null) return undefined;
  const params = { N: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
  const log2N = Math.log2(params.N);
  if (!Number.isInteger(log2N) || log2N < 1 || params.r < 1 || params.p < 1 || params.p > MAX_P) return undefined;
  if (128 * params.N * params.r > MAX_MEMORY) return undefined;
  const salt = Buffer.from(match[4]!, 'base64');
  const key = Buffer.from(match[5]!, 'base64');
  if (salt.length < 8 || key.length < 16) return undefined;
  return { params, salt, key };
}

function derive(password: string, salt: Buffer, length: number, params: Params): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; maxmem leaves room for the p lanes, whose default (32 MiB) N=2^15 would exceed.
  const options: ScryptOptions = { ...params, maxmem: 128 * params.N * params.r * 2 + 1024 * 1024 };
  return scryptSlot(
    () =>
      new Promise<Buffer>((resolve, reject) => {
        scrypt(password.normalize('NFKC'), salt, length, options, (err, key) => (err ? reject(err) : resolve(key)));
      }),
  );
}
