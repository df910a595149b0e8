import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, probe } from './probe.js';
import type { Cell, ContenderResult, Machine, Method, Round, ScenarioResult } from './result.js';
import type { Contender, Measure, Scenario, Target } from './scenario.js';
import { waitForQuiet } from './quiet.js';
import { startServer, type ServerProcess } from './server-process.js';
import { runH2load } from './h2load.js';
import { runWrk, type WrkResult, type WrkRun } from './wrk.js';

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
  let contenders: ContenderResult[] = [];
  let measures: readonly Measure[] = [];
  let failure: string | undefined;
  try {
    await scenario.setup?.(workDir);
    contenders = scenario.interleave === true ? await runInterleaved(scenario, workDir, options) : await runInRounds(scenario, workDir, options);
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
    contenders,
    goals: scenario.goals ?? [],
    measures,
    interleaved: scenario.interleave === true,
    ...(failure === undefined ? {} : { failure }),
  };
}

/** Round after round through all contenders, one at a time, so that a disturbance hits one round of each rather than all of one. */
async function runInRounds(scenario: Scenario, workDir: string, options: RunOptions): Promise<ContenderResult[]> {
  const rounds: ContenderResult[][] = scenario.contenders.map(() => []);
  for (let round = 1; round <= options.method.rounds; round++) {
    if (options.method.rounds > 1) options.say(`  round ${round} of ${options.method.rounds}`);
    for (const [i, contender] of scenario.contenders.entries()) {
      options.say(`  ${contender.name}`);
      rounds[i]!.push(await runContender(scenario, contender, workDir, options));
    }
  }
  return rounds.map((runs) => bestOf(runs));
}

/**
 * One contender's rounds as one result: on each target every round's figures in order (the report takes their
 * median) and, as `wrk`, the round with the most requests/s; any failed round fails the contender.
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
    cells[name] = combine(measured);
  }
  const rss = runs.map((r) => r.rssAfter).filter((v): v is number => v !== undefined);
  return { name: first.name, cells, ...(rss.length === 0 ? {} : { rssAfter: Math.max(...rss) }) };
}

/** A contender that started, answered every target with the expected status, and is ready to measure. */
interface Started {
  readonly contender: Contender;
  readonly base: string;
  readonly extra: Readonly<Record<string, string>>;
  readonly targets: readonly Target[];
  readonly server: ServerProcess;
  /** The scenario's load generator: wrk, or h2load with the same figures. */
  readonly load: (run: WrkRun) => Promise<WrkResult>;
}

/** Starts a contender pinned to the server core and checks it; a failure is the contender's result, with its stderr. */
async function startContender(scenario: Scenario, contender: Contender, workDir: string, { method, say }: RunOptions): Promise<Started | ContenderResult> {
  const port = await freePort();
  const h2 = scenario.h2load !== undefined;
  const base = `${scenario.tls === true || h2 ? 'https' : 'http'}://127.0.0.1:${port}`;
  const server = startServer(contender.command(port, workDir), { port, core: method.serverCore, env: contender.env ?? {}, tls: scenario.tls === true, h2 });
  const targets = scenario.targets.filter((t) => !contender.skip?.includes(t.name));
  let reason: string | undefined;
  try {
    await server.ready(targets[0]?.path ?? '/');
    const extra = (await contender.prepare?.(base)) ?? {};
    const wrong = await wrongStatuses(base, targets, extra, h2);
    if (wrong.length === 0) return { contender, base, extra, targets, server, load: loadOf(scenario) };
    reason = wrong.join('; ');
  } catch (err) {
    const tail = server.stderrTail();
    reason = `${(err as Error).message}${tail === '' ? '' : `\n${tail}`}`;
  }
  await server.stop();
  say(`    ${contender.name} FAILED: ${reason}`);
  return { name: contender.name, failure: reason, cells: {} };
}

function isStarted(value: Started | ContenderResult): value is Started {
  return 'server' in value;
}

async function runContender(scenario: Scenario, contender: Contender, workDir: string, options: RunOptions): Promise<ContenderResult> {
  const { method, say } = options;
  const started = await startContender(scenario, contender, workDir, options);
  if (!isStarted(started)) return started;
  const { server } = started;
  try {
    const cells: Record<string, Cell> = {};
    for (const target of scenario.targets) {
      if (!started.targets.includes(target)) {
        cells[target.name] = { kind: 'skipped' };
        continue;
      }
      const busy = await waitForQuiet({ say, timeoutMs: method.quietWaitSeconds * 1000 });
      const warm = await warmUp(started, target, workDir, method);
      cells[target.name] = warm ?? (await measure(started, target, workDir, method, busy));
      say(`    ${target.name}: ${describe(cells[target.name]!)}`);
    }
    const rssAfter = await server.rss();
    return { name: contender.name, cells, ...(rssAfter === undefined ? {} : { rssAfter }) };
  } finally {
    await server.stop();
  }
}

/**
 * Every contender running side by side (each idle while another is measured), and each target measured in short
 * slices that alternate between contenders, round after round, in a rotating order: a disturbance from other work
 * on the machine then lands on one slice of each contender instead of on all of one, and round i of two contenders
 * can be compared as a pair. Every slice is kept; the report takes medians.
 */
async function runInterleaved(scenario: Scenario, workDir: string, options: RunOptions): Promise<ContenderResult[]> {
  const { method, say } = options;
  const results = new Map<string, ContenderResult>();
  const started: Started[] = [];
  try {
    for (const contender of scenario.contenders) {
      const result = await startContender(scenario, contender, workDir, options);
      if (isStarted(result)) started.push(result);
      else results.set(contender.name, result);
    }
    const cells = new Map<string, Record<string, Cell>>(started.map((s) => [s.contender.name, {}]));
    for (const target of scenario.targets) {
      say(`  ${target.name}`);
      const serving = started.filter((s) => s.targets.includes(target));
      for (const s of started) if (!serving.includes(s)) cells.get(s.contender.name)![target.name] = { kind: 'skipped' };
      const slices = new Map<string, Cell[]>(serving.map((s) => [s.contender.name, []]));
      for (const s of serving) {
        const warm = await warmUp(s, target, workDir, method);
        if (warm !== undefined) slices.get(s.contender.name)!.push(warm);
      }
      for (let round = 0; round < method.rounds; round++) {
        const order = serving.map((_, i) => serving[(i + round) % serving.length]!);
        for (const s of order) {
          if (slices.get(s.contender.name)!.some((c) => c.kind === 'failed')) continue;
          const busy = await waitForQuiet({ say, timeoutMs: method.quietWaitSeconds * 1000 });
          slices.get(s.contender.name)!.push(await measure(s, target, workDir, method, busy));
        }
      }
      for (const s of serving) {
        const cell = bestCell(slices.get(s.contender.name)!);
        cells.get(s.contender.name)![target.name] = cell;
        say(`    ${s.contender.name}: ${describe(cell)}`);
      }
    }
    for (const s of started) {
      const rssAfter = await s.server.rss();
      results.set(s.contender.name, { name: s.contender.name, cells: cells.get(s.contender.name)!, ...(rssAfter === undefined ? {} : { rssAfter }) });
    }
  } finally {
    await Promise.all(started.map((s) => s.server.stop()));
  }
  return scenario.contenders.flatMap((c) => results.get(c.name) ?? []);
}

/** Every slice's figures in round order, with the best slice as the cell's own; a failed slice wins (it must be seen). */
function bestCell(cells: readonly Cell[]): Cell {
  const failed = cells.find((c) => c.kind === 'failed');
  const measured = cells.filter((c): c is Extract<Cell, { kind: 'measured' }> => c.kind === 'measured');
  if (failed !== undefined || measured.length === 0) return failed ?? { kind: 'failed', reason: 'not measured' };
  return combine(measured);
}

type Measured = Extract<Cell, { kind: 'measured' }>;

/** Measured rounds as one cell: the best (most requests/s) as its own figures, and every round kept, in order. */
function combine(measured: readonly Measured[]): Measured {
  const best = measured.reduce((a, b) => (b.wrk.requestsPerSec > a.wrk.requestsPerSec ? b : a));
  if (measured.length === 1) return best;
  const rounds: Round[] = measured.map((c) => ({
    requestsPerSec: c.wrk.requestsPerSec,
    ...(c.cpuPerRequestUs === undefined ? {} : { cpuPerRequestUs: c.cpuPerRequestUs }),
    ...(c.busyBefore === undefined ? {} : { busyBefore: c.busyBefore }),
    errors: c.wrk.non2xx + c.wrk.socketErrors,
  }));
  return { ...best, rounds };
}

function describe(cell: Cell): string {
  if (cell.kind === 'measured') return `${Math.round(cell.wrk.requestsPerSec)} r/s, p99 ${cell.wrk.p99Ms.toFixed(2)} ms`;
  return cell.kind === 'failed' ? `FAILED: ${cell.reason}` : 'skipped';
}

/** One line per target whose answer is not the expected status. */
async function wrongStatuses(base: string, targets: readonly Target[], extra: Readonly<Record<string, string>>, h2 = false): Promise<string[]> {
  const wrong: string[] = [];
  for (const target of targets) {
    const expected = target.status ?? 200;
    const answer = await probe(base + target.path, { method: target.method ?? 'GET', headers: { ...target.headers, ...extra }, h2 }).catch((err: unknown) => (err as Error).message);
    if (typeof answer === 'string') wrong.push(`${target.name}: ${answer}`);
    else if (answer.status !== expected) wrong.push(`${target.name} answered ${answer.status}, expected ${expected}`);
  }
  return wrong;
}

function wrkRun(s: Started, target: Target, workDir: string, method: Method) {
  return {
    url: s.base + target.path,
    connections: method.connections,
    threads: method.threads,
    core: method.wrkCore,
    headers: { ...target.headers, ...s.extra },
    scratchDir: workDir,
    ...(target.method === undefined ? {} : { method: target.method }),
  };
}

/** The warm-up run (its figures are thrown away); a failed cell when wrk itself fails. */
async function warmUp(s: Started, target: Target, workDir: string, method: Method): Promise<Cell | undefined> {
  if (method.warmupSeconds === 0) return undefined;
  try {
    await s.load({ ...wrkRun(s, target, workDir, method), seconds: method.warmupSeconds });
    return undefined;
  } catch (err) {
    return { kind: 'failed', reason: (err as Error).message };
  }
}

/** One measured run, with the server's CPU time per request over it. */
async function measure(s: Started, target: Target, workDir: string, method: Method, busyBefore: number | undefined): Promise<Cell> {
  try {
    const cpuBefore = await s.server.cpuSeconds();
    const wrk = await s.load({ ...wrkRun(s, target, workDir, method), seconds: method.seconds });
    const cpuAfter = await s.server.cpuSeconds();
    const cpuPerRequestUs = cpuBefore === undefined || cpuAfter === undefined || wrk.requests === 0 ? undefined : ((cpuAfter - cpuBefore) / wrk.requests) * 1e6;
    // wrk counts statuses >= 400 as errors; when such a status is the expected answer they are not errors.
    const result = (target.status ?? 200) >= 400 ? { ...wrk, non2xx: 0 } : wrk;
    return { kind: 'measured', wrk: result, ...(busyBefore === undefined ? {} : { busyBefore }), ...(cpuPerRequestUs === undefined ? {} : { cpuPerRequestUs }) };
  } catch (err) {
    return { kind: 'failed', reason: (err as Error).message };
  }
}

/** wrk, or for an HTTP/2 scenario h2load with its clients and streams in place of wrk's connections. */
function loadOf(scenario: Scenario): (run: WrkRun) => Promise<WrkResult> {
  const h2 = scenario.h2load;
  if (h2 === undefined) return runWrk;
  return ({ url, seconds, core, headers, scratchDir }) => runH2load({ url, seconds, core, scratchDir, clients: h2.clients, streams: h2.streams, ...(headers === undefined ? {} : { headers }) });
}
