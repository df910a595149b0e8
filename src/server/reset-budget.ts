/** How many streams a client may reset at once, and how fast that allowance comes back. */
export interface ResetBudgetSettings {
  /** Resets allowed in one burst. */
  readonly burst: number;
  /** Resets given back per second, up to `burst`. */
  readonly perSecond: number;
}

/**
 * A token bucket for one HTTP/2 connection's stream resets (CVE-2023-44487, "rapid reset"): a client that opens
 * streams and cancels them at once makes the server start work it never has to finish, unbounded by
 * `maxConcurrentStreams`. Each reset spends a token; `spend()` says false once the bucket is empty, and the
 * connection should then be closed. Tokens come back at `perSecond`, so a browser that cancels a few requests
 * now and then never runs out. The clock is read only when a reset happens.
 *
 * @example
 * const resets = resetBudget({ burst: 200, perSecond: 33 });
 * stream.on('close', () => { if (stream.rstCode !== 0 && !resets.spend()) session.destroy(constants.NGHTTP2_ENHANCE_YOUR_CALM); });
 */
export function resetBudget({ burst, perSecond }: ResetBudgetSettings, now: () => number = Date.now): { spend(): boolean } {
  let tokens = burst;
  let at = now();
  return {
    spend() {
      const t = now();
      tokens = Math.min(burst, tokens + ((t - at) * perSecond) / 1000);
      at = t;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
