// Every runnable block of the Korean guide, run as written (see run-page.ts).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO, runPage } from './run-page.js';

const dir = join(REPO, 'docs/guide/ko');
for (const page of (await readdir(dir)).filter((f) => f.endsWith('.md') && f !== 'README.md').sort()) {
  test(`docs/guide/ko/${page} runs as written`, () => runPage(join(dir, page)));
}
