import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkPath, realPathInside, type SafePath } from './resolve.js';

const ok = (relative: string, extra: Partial<{ directory: boolean; dotfile: boolean; canonical: boolean }> = {}): SafePath => ({
  kind: 'ok',
  relative,
  directory: false,
  dotfile: false,
  canonical: true,
  ...extra,
});

const cases: [claim: string, raw: string, expected: SafePath][] = [
  ['accepts a plain path', '/css/site.css', ok('css/site.css')],
  ['accepts a wildcard value without a leading slash', 'css/site.css', ok('css/site.css')],
  ['marks a trailing slash as a directory', '/docs/', ok('docs', { directory: true })],
  ['treats "/" as the root directory', '/', ok('', { directory: true })],
  ['treats an empty wildcard as the root directory', '', ok('', { directory: true })],
  ['decodes escapes once', '/my%20file.css', ok('my file.css')],
  ['decodes UTF-8', '/caf%C3%A9.txt', ok('café.txt')],
  ['keeps a double-encoded dot as a literal %2e', '/%252e%252e/x', ok('%2e%2e/x')],
  ['drops "." and empty segments, and marks the path not canonical', '/a/./b//c', ok('a/b/c', { canonical: false })],
  ['marks a needless escape as not canonical', '/%61.css', ok('a.css', { canonical: false })],
  ['marks lower-case escapes as not canonical', '/caf%c3%a9.txt', ok('café.txt', { canonical: false })],
  ['flags a dotfile', '/.env', ok('.env', { dotfile: true })],
  ['flags a file inside a dot directory', '/.git/config', ok('.git/config', { dotfile: true })],
  ['flags an encoded dotfile', '/%2eenv', ok('.env', { dotfile: true, canonical: false })],
  ['keeps a double slash under the root', '//etc/passwd', ok('etc/passwd', { canonical: false })],
  ['refuses ".."', '/../etc/passwd', { kind: 'forbidden' }],
  ['refuses ".." in the middle', '/css/../../etc/passwd', { kind: 'forbidden' }],
  ['refuses an encoded ".."', '/%2e%2e/etc/passwd', { kind: 'forbidden' }],
  ['refuses a mixed-encoding ".."', '/.%2E/etc/passwd', { kind: 'forbidden' }],
  ['refuses an encoded slash', '/a%2Fb', { kind: 'forbidden' }],
  ['refuses a raw backslash', '/..\\etc\\passwd', { kind: 'forbidden' }],
  ['refuses an encoded backslash', '/..%5Cetc%5Cpasswd', { kind: 'forbidden' }],
  ['rejects a malformed escape', '/a%zz', { kind: 'bad' }],
  ['rejects a truncated escape', '/a%2', { kind: 'bad' }],
  ['rejects an overlong UTF-8 dot', '/%c0%ae%c0%ae/etc/passwd', { kind: 'bad' }],
  ['rejects an encoded NUL', '/site.css%00.png', { kind: 'bad' }],
];

for (const [claim, raw, expected] of cases) {
  test(claim, () => assert.deepEqual(checkPath(raw), expected));
}

test('finds the real path of a file inside the root and refuses a symlink that leads out', async () => {
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'maru-resolve-')));
  try {
    const root = join(dir, 'root');
    await mkdir(root);
    await writeFile(join(root, 'in.txt'), 'in');
    await writeFile(join(dir, 'secret.txt'), 'secret');
    await symlink(join(dir, 'secret.txt'), join(root, 'out.txt'));
    await symlink(join(root, 'in.txt'), join(root, 'alias.txt'));
    await mkdir(join(dir, 'root-sibling'));
    await writeFile(join(dir, 'root-sibling', 'x.txt'), 'x');
    await symlink(join(dir, 'root-sibling'), join(root, 'sib'));
    assert.equal(await realPathInside(root, join(root, 'in.txt')), join(root, 'in.txt'));
    assert.equal(await realPathInside(root, join(root, 'alias.txt')), join(root, 'in.txt'));
    assert.equal(await realPathInside(root, join(root, 'out.txt')), undefined);
    // '/root-sibling' starts with '/root' as a string: the check must compare whole segments.
    assert.equal(await realPathInside(root, join(root, 'sib', 'x.txt')), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
