import { HttpError } from '../errors.js';

/**
 * The options of `concurrencyLimit()`.
 *
 * @example
 * concurrencyLimit({ concurrency: 1, queue: 16, retryAfter: 1 });
 */
export interface ConcurrencyLimitOptions {
  /** Tasks that may run at once. */
  concurrency: number;
  /** Tasks that may wait for a slot, in arrival order; the next one is refused at once. */
  queue: number;
  /** Seconds a refused client is asked to wait (the 503's Retry-After). */
  retryAfter?: number;
}

/**
 * Runs a task when a slot is free; rejects with a 503 HttpError when every slot is taken and the queue is full.
 *
 * @example
 * const hashing: ConcurrencyLimit = concurrencyLimit({ concurrency: 1, queue: 16 });
 * const key = await hashing(() => scryptAsync(password, salt, 32)); // or a 503 with Retry-After
 */
export type ConcurrencyLimit = <T>(task: () => Promise<T>) => Promise<T>;

/**
 * Bounds how much of some costly work runs at once, with a short queue in front: past it, callers get a 503 with
 * Retry-After at once instead of waiting without end. For work on libuv's thread pool (scrypt, zlib), which the
 * file system shares: bounded below the pool's size (4 threads unless UV_THREADPOOL_SIZE says otherwise), a flood
 * of such work can never take every thread, and static files keep being served.
 *
 * @example
 * const hashing = concurrencyLimit({ concurrency: 2, queue: 32 });
 * const key = await hashing(() => scryptAsync(password, salt, 32));
 */
export function concurrencyLimit(options: ConcurrencyLimitOptions): ConcurrencyLimit {
  const { concurrency, queue, retryAfter = 1 } = options ?? ({} as ConcurrencyLimitOptions);
  if (!Number.isSafeInteger(concurrency) || concurrency <= 0) throw new TypeError(`option concurrency must be a positive integer, got ${concurrency}`);
  if (!Number.isSafeInteger(queue) || queue < 0) throw new TypeError(`option queue must be a non-negative integer, got ${queue}`);
  if (!Number.isSafeInteger(retryAfter) || retryAfter <= 0) throw new TypeError(`option retryAfter must be a positive integer, got ${retryAfter}`);
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    // The slot passes straight to the next waiter: `running` stays as it is.
    if (next === undefined) running--;
    else next();
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running < concurrency) running++;
    else if (waiting.length < queue) await new Promise<void>((resolve) => waiting.push(resolve));
    else {
      throw new HttpError(503, 'BUSY', 'the server is busy; please try again shortly', { expose: true, headers: { 'retry-after': String(retryAfter) } });
    }
    try {
      return await task();
    } finally {
      release();
    }
  };
}
