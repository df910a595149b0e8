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
  /** Each contender is measured this many times, interleaved; the best round counts. */
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
      /** Requests/s of every round when there were several; `wrk` is the best of them. */
      readonly samples?: readonly number[];
    }
  | { readonly kind: 'skipped' }
  | { readonly kind: 'failed'; readonly reason: string };

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

/** Requests/s of a contender on a target, when it was measured. */
export function rpsOf(result: ScenarioResult, contender: string, target: string): number | undefined {
  const cell = result.contenders.find((c) => c.name === contender)?.cells[target];
  return cell?.kind === 'measured' ? cell.wrk.requestsPerSec : undefined;
}

/** A contender's requests/s over the baseline's on one target, when both were measured. */
export function ratioOf(result: ScenarioResult, contender: string, target: string, against = result.baseline): number | undefined {
  const mine = rpsOf(result, contender, target);
  const theirs = rpsOf(result, against, target);
  return mine === undefined || theirs === undefined || theirs === 0 ? undefined : mine / theirs;
}

/**
 * The baseline's CPU time per request over the contender's on one target: like the requests/s ratio (above 1 is
 * better), but from CPU time, which other work on the machine barely moves.
 */
export function cpuRatioOf(result: ScenarioResult, contender: string, target: string, against = result.baseline): number | undefined {
  const cpu = (name: string) => {
    const cell = result.contenders.find((c) => c.name === name)?.cells[target];
    return cell?.kind === 'measured' ? cell.cpuPerRequestUs : undefined;
  };
  const mine = cpu(contender);
  const theirs = cpu(against);
  return mine === undefined || theirs === undefined || mine === 0 ? undefined : theirs / mine;
}

export interface GoalVerdict {
  readonly goal: RatioGoal;
  readonly target: string;
  /** undefined when either side was not measured: a goal that cannot be checked is not met. */
  readonly ratio: number | undefined;
  readonly met: boolean;
  /** The same comparison by CPU time per request (see cpuRatioOf). */
  readonly cpuRatio: number | undefined;
}

/** Each goal on each target it applies to. */
export function judgeGoals(result: ScenarioResult): GoalVerdict[] {
  const verdicts: GoalVerdict[] = [];
  for (const goal of result.goals) {
    for (const target of result.targets) {
      if (goal.targets !== undefined && !goal.targets.includes(target.name)) continue;
      const ratio = ratioOf(result, goal.contender, target.name, goal.against);
      const cpuRatio = cpuRatioOf(result, goal.contender, target.name, goal.against);
      verdicts.push({ goal, target: target.name, ratio, met: ratio !== undefined && ratio >= goal.atLeast, cpuRatio });
    }
  }
  return verdicts;
}

/** Whether a measure meets its bound (true when it has none). */
export function measureMet(measure: Measure): boolean {
  return measure.atMost === undefined || measure.value <= measure.atMost;
}
