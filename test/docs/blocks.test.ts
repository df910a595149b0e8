import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchesOutput, runnableBlocks } from './blocks.js';

const page = [
  'Text.',
  '```sh runnable background=URL,OTHER',
  'npm run example -- server1',
  '```',
  '```sh',
  'not run',
  '```',
  '```sh runnable',
  'curl -s "$URL"',
  '```',
  '```output',
  '<h1>...</h1>',
  '```',
  '```ts runnable',
  "console.log('hi');",
  '```',
].join('\n');

test('finds runnable blocks, their background names and the output block after them, and skips the rest', () => {
  assert.deepEqual(runnableBlocks(page), [
    { kind: 'background', code: 'npm run example -- server1', line: 2, names: ['URL', 'OTHER'] },
    { kind: 'sh', code: 'curl -s "$URL"', line: 8, expected: '<h1>...</h1>' },
    { kind: 'ts', code: "console.log('hi');", line: 14, expected: undefined },
  ]);
});

test('refuses a runnable block in a language it cannot run, and an unclosed fence', () => {
  assert.throws(() => runnableBlocks('```python runnable\nprint(1)\n```'), /only sh and ts/);
  assert.throws(() => runnableBlocks('```sh runnable\nls'), /never closes/);
});

const outputs: [string, string, string, boolean][] = [
  ['the same lines', 'a\nb', 'a\nb\n', true],
  ['a changed line', 'a\nb', 'a\nc', false],
  ['a missing line', 'a\nb', 'a', false],
  ['... inside a line', 'port ... is in use', 'port 8080 is in use', true],
  ['... inside a line that does not fit', 'port ... is in use', 'port 8080 is free', false],
  ['... for several lines', 'a\n...\nz', 'a\nb\nc\nz', true],
  ['... for no line', 'a\n...\nz', 'a\nz', true],
  ['regex characters taken literally', 'a.b (c)', 'axb (c)', false],
];
for (const [what, expected, actual, ok] of outputs) {
  test(`output matching: ${what} ${ok ? 'matches' : 'does not match'}`, () => {
    assert.equal(matchesOutput(expected, actual), ok);
  });
}
