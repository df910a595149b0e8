import type { Measure, RatioGoal } from './scenario.js';
import type { WrkResult } from './wrk.js';

/** How the figures were taken; written beside them so a reader can judge them. */
export interface Method {
  readonly serverCore: number;
  readonly wrkCore: number;
  readonly threads: number;
  readonly connections: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
  /** Each contender is measured this many times, interleaved; figures are the median of the rounds. */
  readonly rounds: number;
  /** How long to wait for a quiet machine before each target, seconds. */
  readonly quietWaitSeconds: number;
}

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
  readonly wrk: string;
  readonly kernel: string;
}

/** One contender on one target: measured, skipped (the contender cannot serve it) or failed. */
export type Cell =
  | {
      readonly kind: 'measured';
      readonly wrk: WrkResult;
      /** Share of the machine's CPU busy just before the run (0..1): high means other work shared the cores. */
      readonly busyBefore?: number;
      /** Server CPU time (user + system) per request over the measured run, µs: unlike requests/s, barely moved by other work on the machine. */
      readonly cpuPerRequestUs?: number;
      /** Every round when there were several, in round order; `wrk` is the best of them, `cpuPerRequestUs` its own. */
      readonly rounds?: readonly Round[];
    }
  | { readonly kind: 'skipped' }
  | { readonly kind: 'failed'; readonly reason: string };

/** One measured round (slice) of a contender on a target. */
export interface Round {
  readonly requestsPerSec: number;
  readonly cpuPerRequestUs?: number;
  /** Share of the machine's CPU busy just before the round (0..1). */
  readonly busyBefore?: number;
  /** Unexpected statuses (≥ 400) and socket errors in the round. */
  readonly errors?: number;
}

export interface ContenderResult {
  readonly name: string;
  /** Set when the contender could not be measured at all (did not start, wrong status…). */
  readonly failure?: string;
  /** Target name → cell. */
  readonly cells: Readonly<Record<string, Cell>>;
  /** Resident memory after the last measured run, bytes. */
  readonly rssAfter?: number;
}

/** Everything one scenario's run produced: stored as bench/results/<id>.json, rendered to latest.md/svg. */
export interface ScenarioResult {
  readonly id: string;
  readonly title: string;
  readonly baseline: string;
  readonly date: string;
  readonly machine: Machine;
  readonly method: Method;
  readonly targets: readonly { readonly name: string; readonly path: string; readonly method: string; readonly throughput: boolean }[];
  readonly contenders: readonly ContenderResult[];
  readonly goals: readonly RatioGoal[];
  readonly measures: readonly Measure[];
  /** True when the contenders ran side by side and the measured slices alternated between them. */
  readonly interleaved?: boolean;
  /** Set when the scenario itself failed (setup threw…). */
  readonly failure?: string;
}

function cellOf(result: ScenarioResult, contender: string, target: string): Extract<Cell, { kind: 'measured' }> | undefined {
  const cell = result.contenders.find((c) => c.name === contender)?.cells[target];
  return cell?.kind === 'measured' ? cell : undefined;
}

/** The rounds of a measured cell (one, made of the cell itself, when it was measured once). */
export function roundsOf(cell: Extract<Cell, { kind: 'measured' }>): readonly Round[] {
  if (cell.rounds !== undefined && cell.rounds.length > 0) return cell.rounds;
  return [
    {
      requestsPerSec: cell.wrk.requestsPerSec,
      ...(cell.cpuPerRequestUs === undefined ? {} : { cpuPerRequestUs: cell.cpuPerRequestUs }),
      ...(cell.busyBefore === undefined ? {} : { busyBefore: cell.busyBefore }),
      errors: cell.wrk.non2xx + cell.wrk.socketErrors,
    },
  ];
}

/** The median of the values (the mean of the middle two when their number is even); undefined when there are none. */
export function median(values: readonly number[]): number | undefined {
  return quantile(values, 0.5);
}

/** Linear-interpolated quantile `q` (0..1) of the values; undefined when there are none. */
export function quantile(values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}

/** Median requests/s of a contender on a target over its rounds, when it was measured. */
export function rpsOf(result: ScenarioResult, contender: string, target: string): number | undefined {
  const cell = cellOf(result, contender, target);
  return cell === undefined ? undefined : median(roundsOf(cell).map((r) => r.requestsPerSec));
}

/** Median CPU time per request (µs) of a contender on a target over its rounds, when it was measured. */
export function cpuOf(result: ScenarioResult, contender: string, target: string): number | undefined {
  const cell = cellOf(result, contender, target);
  if (cell === undefined) return undefined;
  return median(roundsOf(cell).flatMap((r) => (r.cpuPerRequestUs === undefined ? [] : [r.cpuPerRequestUs])));
}

/**
 * A contender's figure over the baseline's, round by round: round i of one against round i of the other, which ran
 * moments apart (the slices alternate), so a disturbance that slowed both cancels out of their ratio. Above 1 is
 * better for both kinds: requests/s are contender over baseline, CPU time per request baseline over contender.
 */
export function pairedRatios(result: ScenarioResult, contender: string, target: string, against: string, by: 'rps' | 'cpu'): number[] {
  const mine = cellOf(result, contender, target);
  const theirs = cellOf(result, against, target);
  if (mine === undefined || theirs === undefined) return [];
  const a = roundsOf(mine);
  const b = roundsOf(theirs);
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const ratio = by === 'rps' ? a[i]!.requestsPerSec / b[i]!.requestsPerSec : b[i]!.cpuPerRequestUs! / a[i]!.cpuPerRequestUs!;
    if (Number.isFinite(ratio) && ratio > 0) ratios.push(ratio);
  }
  return ratios;
}

/** A contender's median requests/s over the baseline's median on one target, when both were measured. */
export function ratioOf(result: ScenarioResult, contender: string, target: string, against = result.baseline): number | undefined {
  const mine = rpsOf(result, contender, target);
  const theirs = rpsOf(result, against, target);
  return mine === undefined || theirs === undefined || theirs === 0 ? undefined : mine / theirs;
}

/** How one comparison came out over the paired rounds. */
export interface RatioSpread {
  readonly median: number;
  /** The middle half of the paired rounds (first and third quartiles). */
  readonly low: number;
  readonly high: number;
  /** Every paired round's ratio, lowest and highest. */
  readonly min: number;
  readonly max: number;
  readonly rounds: number;
}

function spreadOf(ratios: readonly number[]): RatioSpread | undefined {
  if (ratios.length === 0) return undefined;
  return {
    median: median(ratios)!,
    low: quantile(ratios, 0.25)!,
    high: quantile(ratios, 0.75)!,
    min: Math.min(...ratios),
    max: Math.max(...ratios),
    rounds: ratios.length,
  };
}

export interface GoalVerdict {
  readonly goal: RatioGoal;
  readonly target: string;
  /** By CPU time per request (the steadiest figure here), else by requests/s when CPU time was not measured. */
  readonly by: 'cpu' | 'rps' | undefined;
  /** The paired-round ratios the verdict is judged on; undefined when either side was not measured. */
  readonly judged: RatioSpread | undefined;
  /** The median of the judged ratios reaches the goal: a goal that cannot be checked is not met. */
  readonly met: boolean;
  /** The middle half of the paired rounds lies on both sides of the goal: the verdict could go either way. */
  readonly withinNoise: boolean;
  readonly cpu: RatioSpread | undefined;
  readonly rps: RatioSpread | undefined;
}

/**
 * Each goal on each target it applies to, judged on the median of the paired rounds' CPU time per request (or
 * requests/s when there is no CPU figure), and marked within the noise when the middle half of those rounds
 * straddles the goal.
 */
export function judgeGoals(result: ScenarioResult): GoalVerdict[] {
  const verdicts: GoalVerdict[] = [];
  for (const goal of result.goals) {
    for (const target of result.targets) {
      if (goal.targets !== undefined && !goal.targets.includes(target.name)) continue;
      const cpu = spreadOf(pairedRatios(result, goal.contender, target.name, goal.against, 'cpu'));
      const rps = spreadOf(pairedRatios(result, goal.contender, target.name, goal.against, 'rps'));
      const judged = cpu ?? rps;
      const by = cpu !== undefined ? 'cpu' : rps !== undefined ? 'rps' : undefined;
      const met = judged !== undefined && judged.median >= goal.atLeast;
      const withinNoise = judged !== undefined && judged.rounds > 1 && judged.low < goal.atLeast && judged.high >= goal.atLeast;
      verdicts.push({ goal, target: target.name, by, judged, met, withinNoise, cpu, rps });
    }
  }
  return verdicts;
}

/** Whether a measure meets its bound (true when it has none). */
export function measureMet(measure: Measure): boolean {
  return measure.atMost === undefined || measure.value <= measure.atMost;
}
