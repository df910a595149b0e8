import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ScenarioResult } from './result.js';

/** Scenarios shown first, in this order; any other follows by id. */
const ORDER = ['core', 'static', 'sessions'];

/** Keeps one scenario's latest result as `<dir>/<id>.json` (git-ignored; latest.md/svg are made from these). */
export async function saveResult(dir: string, result: ScenarioResult): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${result.id}.json`), `${JSON.stringify(result, null, 2)}\n`);
}

/** Every stored scenario result, core first; a file that does not parse is skipped with a warning. */
export async function loadResults(dir: string, warn: (line: string) => void = () => {}): Promise<ScenarioResult[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((name) => name.endsWith('.json')).sort();
  const results: ScenarioResult[] = [];
  for (const name of names) {
    try {
      const parsed = JSON.parse(await readFile(join(dir, name), 'utf8')) as ScenarioResult;
      if (typeof parsed.id === 'string' && Array.isArray(parsed.contenders)) results.push(parsed);
      else warn(`${name} is not a scenario result; left out`);
    } catch (err) {
      warn(`${name} could not be read (${(err as Error).message}); left out`);
    }
  }
  const rank = (id: string) => (ORDER.includes(id) ? ORDER.indexOf(id) : ORDER.length);
  return results.sort((a, b) => rank(a.id) - rank(b.id) || a.id.localeCompare(b.id));
}
