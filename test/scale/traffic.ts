import type { EdgeRequest, Scale } from './harness.js';

export interface Sent {
  readonly method: string;
  readonly path: string;
  /** The status, or 0 when the request failed without one (a reset, a timeout). */
  readonly status: number;
  /** `X-Upstream`: the instance that answered, several (comma-separated) when nginx retried. */
  readonly upstream: string;
  readonly error?: string;
}

export interface Traffic {
  /** Every request finished so far, in order of completion. */
  readonly sent: readonly Sent[];
  /** Resolves once `predicate` holds for the requests finished so far; rejects after `timeoutMs`. */
  until(predicate: (sent: readonly Sent[]) => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** Stops sending, waits for the requests in flight, resolves with everything sent. */
  stop(): Promise<readonly Sent[]>;
}

/**
 * A steady client through nginx: `concurrency` loops, each sending the next request of `next(i)` as soon as the
 * previous one is answered, until stopped. Failures are recorded, never thrown, so a test reads them all at the
 * end instead of stopping at the first.
 *
 * @example
 * const traffic = startTraffic(scale, 4, () => ({ path: '/hello' }));
 * await traffic.until((sent) => sent.length >= 100, '100 requests');
 * const sent = await traffic.stop();
 */
export function startTraffic(scale: Scale, concurrency: number, next: (i: number) => EdgeRequest & { path: string }): Traffic {
  const sent: Sent[] = [];
  let stopped = false;
  let counter = 0;
  const loop = async () => {
    while (!stopped) {
      const { path, ...request } = next(counter++);
      const method = request.method ?? 'GET';
      try {
        const res = await scale.request(path, request);
        sent.push({ method, path, status: res.status, upstream: res.upstream });
      } catch (err) {
        sent.push({ method, path, status: 0, upstream: '', error: (err as Error).message });
      }
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  return {
    sent,
    async until(predicate, what, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(sent)) {
        if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}; ${sent.length} requests so far`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async stop() {
      stopped = true;
      await Promise.all(loops);
      return sent;
    },
  };
}

/** How many of `sent[from…]` the instance at `address` answered (on the first try or after a retry). */
export function answeredBy(sent: readonly Sent[], address: string, from = 0): number {
  let count = 0;
  for (let i = from; i < sent.length; i++) if (sent[i]!.status !== 0 && lastUpstream(sent[i]!) === address) count++;
  return count;
}

/** The instance that gave the final answer: the last of X-Upstream's list. */
export function lastUpstream(request: Sent): string {
  return request.upstream.slice(request.upstream.lastIndexOf(',') + 1).trim();
}

/** A one-line summary for the test's diagnostics: totals per instance, retries, failures. */
export function summary(sent: readonly Sent[]): string {
  const per = new Map<string, number>();
  for (const request of sent) per.set(lastUpstream(request) || '(none)', (per.get(lastUpstream(request) || '(none)') ?? 0) + 1);
  const retried = sent.filter((request) => request.upstream.includes(',')).length;
  const failed = sent.filter((request) => request.status === 0 || request.status >= 500).length;
  return `${sent.length} requests; ${[...per].map(([address, n]) => `${address}: ${n}`).join(', ')}; retried by nginx: ${retried}; failed: ${failed}`;
}

/**
 * nginx's error log in counts by kind — "connect() failed (111: Connection refused)": 4 — to tell failovers
 * that cost nothing (the request never reached an instance) from those where an instance had the request.
 */
export function nginxErrors(stderr: string): string {
  const kinds = new Map<string, number>();
  for (const line of stderr.split('\n')) {
    // 2026/01/01 00:00:00 [error] 123#123: *45 connect() failed (111: …) while connecting to upstream, client: …
    const kind = /^\S+ \S+ \[\w+\] \d+#\d+: (?:\*\d+ )?(.*?)(?:, client: .*)?$/.exec(line)?.[1];
    if (kind !== undefined) kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return kinds.size === 0 ? 'empty' : [...kinds].map(([kind, n]) => `${n}× ${kind}`).join('; ');
}
