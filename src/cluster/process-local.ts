// State a cluster's workers would have to share but that lives in one process's memory (a memory session store)
// cannot run in a cluster: each worker would keep its own copy, and a user would be logged out whenever a request
// reached another worker. The component that keeps such state says so here; joining a cluster checks, in either
// order, so a toolkit user meets the same refusal as the app.

export interface ProcessLocalGuard {
  /**
   * Declares state that lives in this process only. Throws a TypeError with `reason` once the process is a
   * cluster worker (after telling the primary, which then stops rather than retry a worker that cannot work).
   */
  claim(reason: string): void;
  /** Marks the process as a cluster worker; throws a TypeError (after `onRefused`) when it already made a claim. */
  enter(onRefused: (reason: string) => void): void;
}

/**
 * A guard of its own: the process has one (below), a test makes its own.
 *
 * @example
 * const guard = processLocalGuard();
 * guard.claim('sessions live in this process only');
 * guard.enter(() => {}); // throws a TypeError with that reason
 */
export function processLocalGuard(): ProcessLocalGuard {
  const claims: string[] = [];
  let refuse: ((reason: string) => void) | undefined;
  return {
    claim(reason) {
      if (refuse !== undefined) {
        refuse(reason);
        throw new TypeError(reason);
      }
      claims.push(reason);
    },
    enter(onRefused) {
      const first = claims[0];
      if (first !== undefined) {
        onRefused(first);
        throw new TypeError(first);
      }
      refuse = onRefused;
    },
  };
}

const guard = processLocalGuard();

/**
 * This process's guard: `MemoryStore` claims, `joinCluster()` enters.
 *
 * @example
 * claimProcessLocalState('MemoryStore keeps sessions in this process only: use SqliteStore or RedisStore in a cluster');
 */
export const claimProcessLocalState = guard.claim;

/** This process's side of `ProcessLocalGuard.enter`, called by `joinCluster()`. */
export const enterCluster = guard.enter;
