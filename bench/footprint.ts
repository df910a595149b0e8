import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { waitForQuiet } from './quiet.js';
import type { Measure } from './scenario.js';
import { measureStartup, median, type StartupFigures } from './startup.js';

const MAIN = fileURLToPath(new URL('../app/main.js', import.meta.url));
const BARE = fileURLToPath(new URL('./servers/node-http.js', import.meta.url));
const STEPS = fileURLToPath(new URL('./footprint-steps.js', import.meta.url));

/** The goals of issue 12, against a bare node:http server measured in the same run. */
export const FOOTPRINT_GOALS = { startRatio: 1.3, rssOverBareMb: 6 } as const;

export interface FootprintOptions {
  /** Scratch directory: the app's data directory (maru.db is created by a first, uncounted start). */
  readonly workDir: string;
  /** Rounds; each starts every contender once, in a rotating order. */
  readonly rounds: number;
  /** Rounds of the in-process breakdown. */
  readonly breakdownRounds: number;
  readonly core: number;
  readonly say?: (line: string) => void;
}

interface Contender {
  readonly name: string;
  readonly argv: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly readyPath: string;
  readonly warmPaths: readonly string[];
}

export interface StepCost {
  readonly name: string;
  /** Medians over the breakdown's rounds. */
  readonly ms: number;
  readonly cpuMs: number;
  readonly rssMb: number;
}

export interface FootprintFigures {
  /** Contender name → its starts. */
  readonly starts: ReadonlyMap<string, StartupFigures>;
  /** Rounds that began on a machine more than 25 % busy with other work. */
  readonly busyRounds: number;
  readonly steps: readonly StepCost[];
  /** Median time from the process's start to the first answer, inside the breakdown's process. */
  readonly stepsTotalMs: number;
  /** Median time Node took before the breakdown's first line ran. */
  readonly bootMs: number;
}

const serve = (level: string): Contender => ({
  name: `maru serve (LOG_LEVEL=${level})`,
  argv: [process.execPath, MAIN, 'serve', '--port', '{port}', '--host', '127.0.0.1'],
  env: { LOG_LEVEL: level },
  readyPath: '/healthz',
  warmPaths: ['/', '/hello', '/healthz'],
});
const CONTENDERS: readonly Contender[] = [
  { name: 'node:http', argv: [process.execPath, BARE], readyPath: '/hello', warmPaths: ['/hello'] },
  serve('warn'),
  serve('info'),
];
const BASELINE = CONTENDERS[0]!.name;
const APP = CONTENDERS[1]!.name;
const APP_INFO = CONTENDERS[2]!.name;

/**
 * Start-up time and idle memory of `maru serve` (default storage: SQLite members and sessions in one file) against
 * a bare node:http server, in the same run: round after round, each process started once per round in a rotating
 * order, so a busy moment on the machine lands on one start of each rather than on all of one. Then the
 * breakdown: what each phase before the first answer costs, measured inside a process that does what main does.
 *
 * @example
 * const figures = await measureFootprint({ workDir, rounds: 9, breakdownRounds: 5, core: 0 });
 */
export async function measureFootprint({ workDir, rounds, breakdownRounds, core, say = () => {} }: FootprintOptions): Promise<FootprintFigures> {
  const env = (c: Contender) => ({ ...c.env, DATA_DIR: workDir });
  // Creates maru.db and its schema: the measured starts open an existing file, as every start but the first does.
  const app = CONTENDERS[1]!;
  await measureStartup({ argv: app.argv, env: env(app), readyPath: app.readyPath, warmPaths: [], runs: 1, core, idleMs: 0 });
  const starts = new Map<string, { startSeconds: number[]; startCpuSeconds: number[]; idleRss: number[]; idleRssAnon: number[] }>(
    CONTENDERS.map((c) => [c.name, { startSeconds: [], startCpuSeconds: [], idleRss: [], idleRssAnon: [] }]),
  );
  let busyRounds = 0;
  for (let round = 0; round < rounds; round++) {
    const busy = await waitForQuiet({ timeoutMs: 3000 });
    if (busy !== undefined && busy > 0.25) busyRounds++;
    say(`  starts, round ${round + 1} of ${rounds}${busy === undefined ? '' : ` (machine ${Math.round(busy * 100)}% busy before)`}`);
    for (let i = 0; i < CONTENDERS.length; i++) {
      const c = CONTENDERS[(i + round) % CONTENDERS.length]!;
      const figures = await measureStartup({ argv: c.argv, env: env(c), readyPath: c.readyPath, warmPaths: c.warmPaths, runs: 1, core });
      const into = starts.get(c.name)!;
      into.startSeconds.push(...figures.startSeconds);
      into.startCpuSeconds.push(...figures.startCpuSeconds);
      into.idleRss.push(...figures.idleRss);
      into.idleRssAnon.push(...figures.idleRssAnon);
    }
  }
  say('  breakdown');
  const runs: { steps: StepCost[]; totalMs: number; bootMs: number }[] = [];
  for (let round = 0; round < breakdownRounds; round++) {
    const { stdout } = await promisify(execFile)('taskset', ['-c', String(core), process.execPath, STEPS, workDir]);
    runs.push(JSON.parse(stdout) as { steps: StepCost[]; totalMs: number; bootMs: number });
  }
  const steps = (runs[0]?.steps ?? []).map((first, i) => ({
    name: first.name,
    ms: median(runs.map((r) => r.steps[i]!.ms)),
    cpuMs: median(runs.map((r) => r.steps[i]!.cpuMs)),
    rssMb: median(runs.map((r) => r.steps[i]!.rssMb)),
  }));
  return { starts, busyRounds, steps, stepsTotalMs: median(runs.map((r) => r.totalMs)), bootMs: median(runs.map((r) => r.bootMs)) };
}

/**
 * The figures as the report's measures: the two goals (start-up ratio, idle RSS over bare), the absolute figures
 * behind them, the access-log-on variant, and one line per phase of the breakdown.
 */
export function footprintMeasures(figures: FootprintFigures): Measure[] {
  const of = (name: string) => figures.starts.get(name)!;
  const bare = of(BASELINE);
  const app = of(APP);
  const info = of(APP_INFO);
  const n = app.startSeconds.length;
  const mb = (bytes: number) => bytes / 2 ** 20;
  // Each round's ratio (its two starts were moments apart); the middle half of them shows how far noise reaches.
  const perRound = app.startSeconds.map((s, i) => s / bare.startSeconds[i]!).sort((a, b) => a - b);
  const [low, high] = [quantile(perRound, 0.25), quantile(perRound, 0.75)];
  const noisy = low <= FOOTPRINT_GOALS.startRatio && FOOTPRINT_GOALS.startRatio <= high ? ': the verdict is within the noise' : '';
  const spread = `the middle half of the per-round ratios spans ${low.toFixed(2)}–${high.toFixed(2)}${noisy}`;
  const busy = figures.busyRounds === 0 ? '' : `; ${figures.busyRounds} of ${n} rounds began with the machine over 25 % busy`;
  const startRatio = median(app.startSeconds) / median(bare.startSeconds);
  const how = `${startRatio.toFixed(2)}: median of ${n} starts each, interleaved with the bare server's, pinned to one core, polled every 2 ms on fresh connections; ${spread}${busy}`;
  const rssOver = mb(median(app.idleRss) - median(bare.idleRss));
  const rssHow = `${rssOver.toFixed(2)} MB: VmRSS after start-up, ${10 * 3} requests and 0.5 s idle, median of ${n}`;
  const measures: Measure[] = [
    { name: `start-up, ${APP} over ${BASELINE} (spawn to first answer)`, value: startRatio, unit: '×', atMost: FOOTPRINT_GOALS.startRatio, method: how },
    { name: `start-up CPU time, ${APP} over ${BASELINE}`, value: median(app.startCpuSeconds) / median(bare.startCpuSeconds), unit: '×', method: 'CPU time of all threads until the first answer: barely moved by other work on the machine' },
    { name: `idle RSS, ${APP} minus ${BASELINE}`, value: rssOver, unit: 'MB', atMost: FOOTPRINT_GOALS.rssOverBareMb, method: rssHow },
    {
      name: `idle private memory (RssAnon), ${APP} minus ${BASELINE}`,
      value: mb(median(app.idleRssAnon) - median(bare.idleRssAnon)),
      unit: 'MB',
      method: "the part of the RSS difference that is the process's own; the rest is file pages (node's code, SQLite's addon) shared with other processes",
    },
  ];
  for (const [name, f] of [[APP, app], [APP_INFO, info], [BASELINE, bare]] as const) {
    measures.push(
      { name: `${name}: spawn to first answer`, value: median(f.startSeconds), unit: 's', method: `best ${Math.min(...f.startSeconds).toFixed(3)} s` },
      { name: `${name}: CPU time to first answer`, value: median(f.startCpuSeconds), unit: 's', method: 'all threads, from /proc/<pid>/task/*/schedstat' },
      { name: `${name}: idle RSS`, value: mb(median(f.idleRss)), unit: 'MB', method: `of which private (RssAnon) ${mb(median(f.idleRssAnon)).toFixed(1)} MB` },
    );
  }
  measures.push({ name: 'breakdown: Node itself, before the first line of a script', value: figures.bootMs, unit: 'ms', method: 'wall time' });
  for (const step of figures.steps) {
    measures.push({ name: `breakdown: ${step.name}`, value: step.cpuMs, unit: 'ms CPU', method: `wall ${step.ms.toFixed(1)} ms, RSS +${step.rssMb.toFixed(1)} MB` });
  }
  measures.push({ name: 'breakdown: process start to first answer, in process', value: figures.stepsTotalMs + figures.bootMs, unit: 'ms', method: `wall time; each phase is the median of the breakdown's rounds` });
  return measures;
}

/** The value below which a share `q` of the sorted values lie (linear between neighbours). */
function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const below = sorted[Math.floor(at)]!;
  const above = sorted[Math.ceil(at)]!;
  return below + (above - below) * (at - Math.floor(at));
}
