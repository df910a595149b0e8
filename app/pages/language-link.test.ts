import assert from 'node:assert/strict';
import { test } from 'node:test';
import { returnPath, switchLanguageHref } from './language-link.js';

const kept = ['/', '/about', '/?cursor=abc&registered=1', '/users/%E2%80%AE', '/a/b/c?x=%2F%2Fevil'];
for (const path of kept) {
  test(`returnPath keeps the local path ${path}`, () => {
    assert.equal(returnPath(path), path);
  });
}

const refused: [claim: string, next: string | null | undefined][] = [
  ['a missing next', null],
  ['undefined', undefined],
  ['an empty string', ''],
  ['an absolute URL', 'https://evil.example/'],
  ['a protocol-relative URL', '//evil.example/'],
  ['a backslash that browsers read as a slash', '/\\evil.example/'],
  ['a tab that browsers drop, making //', '/\t/evil.example/'],
  ['a newline', '/about\r\nSet-Cookie: x=1'],
  ['a relative path', 'about'],
  ['a javascript: URL', 'javascript:alert(1)'],
  ['a path over 2 KiB', `/${'a'.repeat(3000)}`],
];
for (const [claim, next] of refused) {
  test(`returnPath sends ${claim} home`, () => {
    assert.equal(returnPath(next), '/');
  });
}

test('switchLanguageHref encodes where to come back to', () => {
  assert.equal(switchLanguageHref('en', '/?cursor=a&b=c'), '/lang/en?next=%2F%3Fcursor%3Da%26b%3Dc');
  assert.equal(switchLanguageHref('ko', '//evil.example'), '/lang/ko?next=%2F');
});
