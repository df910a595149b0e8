import { footprintMeasures, measureFootprint } from '../footprint.js';
import type { Scenario } from '../scenario.js';

/** A whole number from the environment, or the default. */
function count(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`${name} must be a whole number of at least 1, got ${raw}`);
  return value;
}

/**
 * Start-up time and idle memory of `maru serve` against a bare node:http server, with the import costs behind
 * them: no load generator, done in seconds (`npm run bench -- footprint`). BENCH_FOOTPRINT_ROUNDS sets the rounds (9).
 */
export const footprint: Scenario = {
  id: 'footprint',
  title: 'Footprint: start-up time and idle memory',
  baseline: 'node:http',
  targets: [],
  contenders: [],
  async measures(workDir) {
    const rounds = count('BENCH_FOOTPRINT_ROUNDS', 9);
    const figures = await measureFootprint({ workDir, rounds, breakdownRounds: Math.max(3, Math.ceil(rounds / 2)), core: 0, say: (line) => console.log(line) });
    return footprintMeasures(figures);
  },
};
