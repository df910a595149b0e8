import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, probe } from './probe.js';
import type { Cell, ContenderResult, Machine, Method, ScenarioResult } from './result.js';
import type { Contender, Measure, Scenario, Target } from './scenario.js';
import { waitForQuiet } from './quiet.js';
import { startServer } from './server-process.js';
import { runWrk } from './wrk.js';

export interface RunOptions {
  readonly method: Method;
  readonly machine: Machine;
  /** Progress lines. */
  readonly say: (line: string) => void;
}

/**
 * Runs one scenario: setup in a scratch directory, then each contender in turn (start pinned, check every
 * target's status, warm up and measure each target, stop), then the scenario's own measures. A contender that
 * fails is reported as failed, never as a number.
 *
 * @example
 * const result = await runScenario(core, { method, machine, say: console.log });
 */
export async function runScenario(scenario: Scenario, options: RunOptions): Promise<ScenarioResult> {
  const workDir = await mkdtemp(join(tmpdir(), `maru-bench-${scenario.id}-`));
  // Round after round through all contenders, so that a disturbance hits one round of each rather than all of one.
  const rounds: ContenderResult[][] = scenario.contenders.map(() => []);
  let measures: readonly Measure[] = [];
  let failure: string | undefined;
  try {
    await scenario.setup?.(workDir);
    for (let round = 1; round <= options.method.rounds; round++) {
      if (options.method.rounds > 1) options.say(`  round ${round} of ${options.method.rounds}`);
      for (const [i, contender] of scenario.contenders.entries()) {
        options.say(`  ${contender.name}`);
        rounds[i]!.push(await runContender(scenario, contender, workDir, options));
      }
    }
    if (scenario.measures !== undefined) {
      options.say('  other measures');
      measures = await scenario.measures(workDir);
    }
  } catch (err) {
    failure = (err as Error).message;
    options.say(`  scenario failed: ${failure}`);
  } finally {
    await Promise.resolve(scenario.teardown?.(workDir)).catch((err: unknown) => options.say(`  teardown failed: ${(err as Error).message}`));
    await rm(workDir, { recursive: true, force: true });
  }
  return {
    id: scenario.id,
    title: scenario.title,
    baseline: scenario.baseline,
    date: new Date().toISOString(),
    machine: options.machine,
    method: options.method,
    targets: scenario.targets.map((t) => ({ name: t.name, path: t.path, method: t.method ?? 'GET', throughput: t.throughput === true })),
    contenders: rounds.flatMap((runs) => (runs.length === 0 ? [] : [bestOf(runs)])),
    goals: scenario.goals ?? [],
    measures,
    ...(failure === undefined ? {} : { failure }),
  };
}

/**
 * One contender's rounds as one result: on each target the round with the most requests/s (other work on the
 * machine can only slow a run down), with every round's figure kept; any failed round fails the contender.
 */
export function bestOf(runs: readonly ContenderResult[]): ContenderResult {
  const first = runs[0]!;
  const failed = runs.find((r) => r.failure !== undefined);
  if (failed !== undefined || runs.length === 1) return failed ?? first;
  const cells: Record<string, Cell> = {};
  for (const name of Object.keys(first.cells)) {
    const measured = runs.map((r) => r.cells[name]).filter((c): c is Extract<Cell, { kind: 'measured' }> => c?.kind === 'measured');
    const failedCell = runs.map((r) => r.cells[name]).find((c) => c?.kind === 'failed');
    if (failedCell !== undefined || measured.length === 0) {
      cells[name] = failedCell ?? first.cells[name]!;
      continue;
    }
    const best = measured.reduce((a, b) => (b.wrk.requestsPerSec > a.wrk.requestsPerSec ? b : a));
    cells[name] = { ...best, samples: measured.map((c) => c.wrk.requestsPerSec) };
  }
  const rss = runs.map((r) => r.rssAfter).filter((v): v is number => v !== undefined);
  return { name: first.name, cells, ...(rss.length === 0 ? {} : { rssAfter: Math.max(...rss) }) };
}

async function runContender(scenario: Scenario, contender: Contender, workDir: string, { method, say }: RunOptions): Promise<ContenderResult> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = startServer(contender.command(port, workDir), { port, core: method.serverCore, env: contender.env ?? {} });
  const failed = (reason: string): ContenderResult => {
    say(`    FAILED: ${reason}`);
    return { name: contender.name, failure: reason, cells: {} };
  };
  try {
    const measured = scenario.targets.filter((t) => !contender.skip?.includes(t.name));
    try {
      await server.ready(measured[0]?.path ?? '/');
    } catch (err) {
      const tail = server.stderrTail();
      return failed(`${(err as Error).message}${tail === '' ? '' : `\n${tail}`}`);
    }
    const extra = (await contender.prepare?.(base)) ?? {};
    const wrong = await wrongStatuses(base, measured, extra);
    if (wrong.length > 0) return failed(wrong.join('; '));

    const cells: Record<string, Cell> = {};
    for (const target of scenario.targets) {
      if (!measured.includes(target)) {
        cells[target.name] = { kind: 'skipped' };
        continue;
      }
      const busy = await waitForQuiet({ say, timeoutMs: method.quietWaitSeconds * 1000 });
      cells[target.name] = await measure(base, target, extra, workDir, method, busy);
      const cell = cells[target.name]!;
      say(cell.kind === 'measured' ? `    ${target.name}: ${Math.round(cell.wrk.requestsPerSec)} r/s, p99 ${cell.wrk.p99Ms.toFixed(2)} ms` : `    ${target.name}: failed`);
    }
    const rssAfter = await server.rss();
    return { name: contender.name, cells, ...(rssAfter === undefined ? {} : { rssAfter }) };
  } catch (err) {
    return failed((err as Error).message);
  } finally {
    await server.stop();
  }
}

/** One line per target whose answer is not the expected status. */
async function wrongStatuses(base: string, targets: readonly Target[], extra: Readonly<Record<string, string>>): Promise<string[]> {
  const wrong: string[] = [];
  for (const target of targets) {
    const expected = target.status ?? 200;
    const answer = await probe(base + target.path, { method: target.method ?? 'GET', headers: { ...target.headers, ...extra } }).catch((err: unknown) => (err as Error).message);
    if (typeof answer === 'string') wrong.push(`${target.name}: ${answer}`);
    else if (answer.status !== expected) wrong.push(`${target.name} answered ${answer.status}, expected ${expected}`);
  }
  return wrong;
}

async function measure(base: string, target: Target, extra: Readonly<Record<string, string>>, workDir: string, method: Method, busyBefore: number | undefined): Promise<Cell> {
  const run = {
    url: base + target.path,
    connections: method.connections,
    threads: method.threads,
    core: method.wrkCore,
    headers: { ...target.headers, ...extra },
    scratchDir: workDir,
    ...(target.method === undefined ? {} : { method: target.method }),
  };
  try {
    if (method.warmupSeconds > 0) await runWrk({ ...run, seconds: method.warmupSeconds });
    const wrk = await runWrk({ ...run, seconds: method.seconds });
    // wrk counts statuses >= 400 as errors; when such a status is the expected answer they are not errors.
    const expectedError = (target.status ?? 200) >= 400;
    const result = expectedError ? { ...wrk, non2xx: 0 } : wrk;
    return { kind: 'measured', wrk: result, ...(busyBefore === undefined ? {} : { busyBefore }) };
  } catch (err) {
    return { kind: 'failed', reason: (err as Error).message };
  }
}
