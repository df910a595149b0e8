/**
 * How a benchmark scenario describes itself to the runner (bench/run.ts). A scenario starts each contender in
 * turn, pinned to the server core, measures every target with wrk pinned to the other core (warm-up first), and
 * reports requests/s and the ratio of each contender to the scenario's baseline, all from one run.
 */
export interface Scenario {
  /** Short id, used in file names and `npm run bench -- <id>`: e.g. `core`, `static`, `sessions`. */
  readonly id: string;
  readonly title: string;
  /** Name of the contender the ratios are computed against (e.g. `node:http`, `nginx`). */
  readonly baseline: string;
  readonly targets: readonly Target[];
  readonly contenders: readonly Contender[];
  /**
   * The contenders may run side by side (they share no state): the runner then starts them all and alternates
   * short measured slices between them, which keeps other work on the machine from skewing one contender.
   */
  readonly interleave?: boolean;
  /** The contenders speak HTTPS (certificates are not checked): probes and wrk go over TLS. */
  readonly tls?: boolean;
  /** Load with h2load instead of wrk: HTTP/2 over TLS, `clients` connections with `streams` requests in flight on each. */
  readonly h2load?: { readonly clients: number; readonly streams: number };
  /** Ratio goals checked after the run, e.g. `{ contender: 'maru', against: 'node:http', atLeast: 0.98 }`. */
  readonly goals?: readonly RatioGoal[];
  /** Measurements other than wrk's (start-up time, idle memory…), run after the contenders with the same scratch directory. */
  measures?(workDir: string): Promise<readonly Measure[]>;
  /** Runs once before the first contender starts (create files, seed Redis…), with a scratch directory. */
  setup?(workDir: string): Promise<void>;
  teardown?(workDir: string): Promise<void>;
}

export interface Target {
  /** Row label, e.g. `GET /hello`. */
  readonly name: string;
  readonly path: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Expected status of a correct answer; the runner checks one request before measuring (default 200). */
  readonly status?: number;
  /** Report MB/s beside requests/s (large bodies). */
  readonly throughput?: boolean;
}

export interface Contender {
  readonly name: string;
  /** The server process: argv, run with `taskset -c <server core>`. It must listen on env PORT (127.0.0.1). */
  command(port: number, workDir: string): readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Targets this contender cannot serve (skipped, shown as "—"). */
  readonly skip?: readonly string[];
  /** Called with the port once the server answers, before measuring (e.g. to log in and get a cookie). */
  prepare?(baseUrl: string): Promise<Readonly<Record<string, string>> | void>;
}

/** "On every target (or the listed ones), `contender` serves at least `atLeast` times the requests/s of `against`." */
export interface RatioGoal {
  readonly contender: string;
  readonly against: string;
  readonly atLeast: number;
  /** Target names the goal applies to; all targets by default. */
  readonly targets?: readonly string[];
}

/** One figure that is not a wrk run, e.g. `{ name: 'start to first answer', value: 0.09, unit: 's', atMost: 0.15 }`. */
export interface Measure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The goal, when there is one: the value must not exceed it. */
  readonly atMost?: number;
  /** How it was measured, one line. */
  readonly method?: string;
}
