// `npm run docs`: the toolkit's API reference, from the TSDoc comments of src/index.ts's exports, into
// docs/api/out/. TypeDoc needs a TypeScript it supports (≤ 6.0) and the project compiles with TypeScript 7, so the
// docs tools live apart, in docs/api/ with their own lockfile, installed here on first use (the project's own
// `npm ci` never pays for them). Any warning — an export without a summary or an @example, a broken {@link} —
// fails the build.
import { spawnSync } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../docs/api/', import.meta.url));
const mtime = (file) => stat(dir + file).then((s) => s.mtimeMs, () => undefined);

const installed = await mtime('node_modules/.package-lock.json');
const locked = await mtime('package-lock.json');
if (installed === undefined || locked === undefined || installed < locked) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const install = spawnSync(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'inherit' });
  if (install.status !== 0) process.exit(install.status ?? 1);
}
const build = spawnSync(process.execPath, ['node_modules/typedoc/bin/typedoc', '--options', 'typedoc.json', ...process.argv.slice(2)], { cwd: dir, stdio: 'inherit' });
process.exit(build.status ?? 1);
