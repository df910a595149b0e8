// A node:test reporter that prints, once the run is over, every test or suite that was skipped and why, grouped by
// reason with the file each came from, so a skip is never lost among the passing lines. scripts/test.mjs runs it
// beside the usual reporter.
import { relative } from 'node:path';

export default async function* skippedReport(source) {
  /** reason → "file: test name" */
  const byReason = new Map();
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { skip, name, file } = event.data;
    if (skip === undefined || skip === false) continue;
    const reason = typeof skip === 'string' ? skip : '(no reason given)';
    // A --test-name-pattern run skips everything else on purpose: nothing to report.
    if (reason === 'test name does not match pattern') continue;
    const where = file === undefined ? name : `${relative(process.cwd(), file)}: ${name}`;
    byReason.set(reason, [...(byReason.get(reason) ?? []), where]);
  }
  if (byReason.size === 0) {
    yield '\nSkipped: nothing.\n';
    return;
  }
  const count = [...byReason.values()].reduce((sum, list) => sum + list.length, 0);
  let text = `\nSkipped: ${count} test(s) or suite(s), for ${byReason.size} reason(s):\n`;
  for (const [reason, list] of byReason) {
    text += `\n  because ${reason}:\n`;
    for (const where of list) text += `    - ${where}\n`;
  }
  yield text;
}
