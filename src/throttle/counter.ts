/**
 * One key's count in its current window.
 *
 * @example
 * const { count, resetAt } = await counter.hit('login:kim', 15 * 60_000);
 * // count: 3 — the third attempt since the window opened; resetAt: when it closes
 */
export interface AttemptCount {
  /** Attempts counted in this window, the one just made included. */
  readonly count: number;
  /** When the window closes (ms since epoch): the count then starts again from zero. */
  readonly resetAt: number;
}

/**
 * Counts attempts per key in fixed windows, where every process of an app can see the same counts: the memory
 * counter for one process, SQLite for the processes of one machine, Redis for many machines. Every implementation
 * runs the same contract suite (test/contracts/attempt-counter.ts):
 * - a window opens with the first hit of a key and lasts `windowMs`; hits inside it count up, and the first hit
 *   after it has closed opens a new one at 1;
 * - `hit` is atomic: N concurrent hits of one key resolve to the counts 1…N, each once, whichever process made them;
 * - a counter that cannot answer (Redis down, database locked) rejects.
 *
 * A fixed window lets a client spend its limit at the end of one window and again at the start of the next: at
 * most twice the limit in a short burst, which is what a login limit can live with for one read per attempt.
 *
 * @example
 * const counter: AttemptCounter = new MemoryAttemptCounter();
 * await counter.hit('signup:203.0.113.7', 60 * 60_000); // { count: 1, resetAt: … }
 * await counter.reset('signup:203.0.113.7');
 */
export interface AttemptCounter {
  /** Counts one attempt of `key`, opening a window of `windowMs` when none is open. */
  hit(key: string, windowMs: number): Promise<AttemptCount>;
  /** Takes one attempt back (never below zero), leaving the window as it is; nothing happens for an unknown key. */
  undo(key: string): Promise<void>;
  /** Forgets the key: its next hit opens a new window at 1. */
  reset(key: string): Promise<void>;
  /** Releases timers (and connections the counter opened itself). */
  close?(): Promise<void>;
}
