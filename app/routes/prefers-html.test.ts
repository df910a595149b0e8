import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prefersHtml } from './prefers-html.js';

const CHROME = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7';
const FIREFOX = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

const cases: [claim: string, accept: string | undefined, expected: boolean][] = [
  ['Chrome navigating to a page wants HTML', CHROME, true],
  ['Firefox navigating to a page wants HTML', FIREFOX, true],
  ['no Accept header gets JSON', undefined, false],
  ['fetch() and curl (*/*) get JSON', '*/*', false],
  ['an API client asking for JSON gets JSON', 'application/json', false],
  ['JSON above HTML gets JSON', 'application/json, text/html;q=0.5', false],
  ['HTML and JSON equally wanted gets JSON', 'text/html, application/json', false],
  ['text/* prefers HTML over an unmentioned JSON', 'text/*', true],
  ['text/html;q=0 is a refusal of HTML', 'text/html;q=0, */*', false],
  ['the most specific range decides: application/json;q=0 beats */*', 'application/json;q=0, */*;q=0.1', true],
  ['a malformed q-value voids its range', 'text/html;q=x, application/json;q=0.5', false],
  ['case does not matter', 'TEXT/HTML', true],
];

for (const [claim, accept, expected] of cases) {
  test(`prefersHtml: ${claim}`, () => {
    assert.equal(prefersHtml(accept), expected);
  });
}
