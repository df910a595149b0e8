// `npm run bench [-- <scenario id>…]`: runs the scenarios in bench/scenarios/, prints a table per scenario and
// rewrites bench/results/latest.md and latest.svg from every stored scenario result. `npm run bench -- footprint`
// measures start-up time and idle memory alone, in about half a minute.
import { cpus } from 'node:os';
import { readdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { benchLock } from './lock.js';
import { describeMachine, missingTools } from './machine.js';
import { renderReport, renderScenario } from './report-md.js';
import { renderChart } from './report-svg.js';
import type { Method, ScenarioResult } from './result.js';
import { loadResults, saveResult } from './results-store.js';
import { runScenario } from './run-scenario.js';
import type { Scenario } from './scenario.js';
import { killServers } from './server-process.js';

const RESULTS_DIR = fileURLToPath(new URL('../../bench/results/', import.meta.url));
const SCENARIOS_DIR = new URL('./scenarios/', import.meta.url);

/** A whole number from the environment (BENCH_DURATION=5), or the default. */
function seconds(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new TypeError(`${name} must be a whole number, got ${raw}`);
  return value;
}

/** Every Scenario a compiled scenario module exports (its default export or named ones). */
async function loadScenarios(): Promise<Scenario[]> {
  const files = (await readdir(SCENARIOS_DIR)).filter((f) => f.endsWith('.js')).sort();
  const scenarios: Scenario[] = [];
  for (const file of files) {
    const module = (await import(new URL(file, SCENARIOS_DIR).href)) as Record<string, unknown>;
    for (const value of Object.values(module)) {
      if (isScenario(value) && !scenarios.includes(value)) scenarios.push(value);
    }
  }
  return scenarios;
}

function isScenario(value: unknown): value is Scenario {
  const s = value as Partial<Scenario> | null;
  return typeof s === 'object' && s !== null && typeof s.id === 'string' && Array.isArray(s.contenders) && Array.isArray(s.targets);
}

async function main(): Promise<number> {
  const missing = missingTools();
  if (missing.length > 0) {
    for (const line of missing) console.error(`bench: ${line}`);
    return 2;
  }
  const method: Method = {
    serverCore: 0,
    // One core: both on it, and the figures say so. Two or more: server and load generator never share one.
    wrkCore: cpus().length > 1 ? 1 : 0,
    threads: 1,
    connections: seconds('BENCH_CONNECTIONS', 64),
    warmupSeconds: seconds('BENCH_WARMUP', 2),
    // Many short rounds rather than a few long ones: their median and their spread say more on a shared machine.
    seconds: seconds('BENCH_DURATION', 2),
    rounds: seconds('BENCH_ROUNDS', 8),
    quietWaitSeconds: seconds('BENCH_QUIET_WAIT', 5),
  };
  if (method.seconds === 0 || method.connections === 0 || method.rounds === 0) throw new TypeError('BENCH_DURATION, BENCH_CONNECTIONS and BENCH_ROUNDS must be at least 1');
  if (method.wrkCore === method.serverCore) console.warn('bench: only one CPU core: the server and wrk share it, the figures are not comparable with other runs');

  const all = await loadScenarios();
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((id) => !all.some((s) => s.id === id));
  if (unknown.length > 0) {
    console.error(`bench: no scenario ${unknown.join(', ')} (there are: ${all.map((s) => s.id).join(', ')})`);
    return 2;
  }
  const chosen = wanted.length === 0 ? all : all.filter((s) => wanted.includes(s.id));
  const runs = method.rounds * chosen.reduce((n, s) => n + s.contenders.length * s.targets.length, 0);
  const machine = describeMachine();
  console.log(`maru bench: ${chosen.map((s) => s.id).join(', ')} — ${runs} runs of ${method.warmupSeconds}+${method.seconds} s, about ${Math.ceil((runs * (method.warmupSeconds + method.seconds + 1)) / 60)} min`);
  console.log(`${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, wrk ${machine.wrk}; server on core ${method.serverCore}, wrk -t${method.threads} -c${method.connections} on core ${method.wrkCore}`);

  const fresh: ScenarioResult[] = [];
  const release = await benchLock((line) => console.log(line));
  try {
    for (const scenario of chosen) {
      console.log(`\n${scenario.title} (${scenario.id})`);
      const result = await runScenario(scenario, { method, machine, say: (line) => console.log(line) });
      await saveResult(RESULTS_DIR, result);
      fresh.push(result);
    }
  } finally {
    await release();
  }

  const results = await loadResults(RESULTS_DIR, (line) => console.warn(`bench: ${line}`));
  await writeFile(`${RESULTS_DIR}latest.md`, renderReport(results));
  // The chart shows requests/s; a scenario with no wrk targets (footprint) has none to draw.
  await writeFile(`${RESULTS_DIR}latest.svg`, renderChart(results.filter((r) => r.targets.length > 0)));
  for (const result of fresh) console.log(`\n${renderScenario(result).join('\n')}`);
  console.log(`\nwrote ${RESULTS_DIR}latest.md and latest.svg (${results.map((r) => r.id).join(', ')})`);
  const failed = fresh.some((r) => r.failure !== undefined || r.contenders.some((c) => c.failure !== undefined));
  return failed ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killServers();
    process.exit(130);
  });
}

process.exitCode = await main().catch((err: unknown) => {
  console.error(`bench: ${(err as Error).message}`);
  return 2;
});
