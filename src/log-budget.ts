/**
 * Whether one more line may be logged now, and how many were left out since the last one that was.
 *
 * @example
 * const budget: LogBudget = rateLimited(20, 10_000);
 * const { allowed, dropped } = budget();
 */
export type LogBudget = () => { allowed: boolean; dropped: number };

/**
 * At most `limit` lines per `windowMs`; the next line after a quiet spell says how many were dropped. For lines a
 * client can cause at will (a malformed request, a deliberate 503 under a flood): one client must not be able to
 * flood the log, nor bury everything else in it.
 *
 * @example
 * const budget = rateLimited(20, 10_000);
 * const { allowed, dropped } = budget();
 * if (allowed) log.warn({ ...(dropped > 0 ? { dropped } : {}) }, 'client error');
 */
export function rateLimited(limit: number, windowMs: number): LogBudget {
  let windowStart = 0;
  let used = 0;
  let dropped = 0;
  return () => {
    const now = Date.now();
    if (now - windowStart >= windowMs) {
      windowStart = now;
      used = 0;
    }
    if (used >= limit) {
      dropped++;
      return { allowed: false, dropped };
    }
    used++;
    const reported = dropped;
    dropped = 0;
    return { allowed: true, dropped: reported };
  };
}
