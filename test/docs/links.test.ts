// The guide and the READMEs link only to files that exist, and the guide has the same pages in both languages.
import assert from 'node:assert/strict';
import { access, readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { REPO } from './run-page.js';

const guide = (lang: string) => join(REPO, 'docs/guide', lang);
const pages = async (lang: string) => (await readdir(guide(lang))).filter((f) => f.endsWith('.md')).sort();

test('the Korean and the English guide have the same pages', async () => {
  assert.deepEqual(await pages('ko'), await pages('en'));
});

test('every relative link of the guide and the READMEs leads to a file that exists', async () => {
  const files = [
    join(REPO, 'README.md'),
    join(REPO, 'README.ko.md'),
    join(REPO, 'SECURITY.md'),
    join(REPO, 'examples/README.md'),
    join(REPO, 'examples/book/README.md'),
    ...(await pages('ko')).map((p) => join(guide('ko'), p)),
    ...(await pages('en')).map((p) => join(guide('en'), p)),
  ];
  const broken: string[] = [];
  let checked = 0;
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target!) || target!.startsWith('#')) continue;
      checked += 1;
      const path = join(dirname(file), decodeURI(target!.split('#')[0]!));
      await access(path).catch(() => broken.push(`${relative(REPO, file)}: ${target}`));
    }
  }
  assert.ok(checked > 50, `only ${checked} links found: the pattern no longer matches`);
  assert.deepEqual(broken, []);
});
