import { HttpError } from '../errors.js';
import { FORBIDDEN_KEYS } from './forbidden-keys.js';

// A key can only be forbidden if one of these words, or a \u escape that could spell one, is in the text.
const SUSPECT = /__proto__|constructor|prototype|\\u/;

/**
 * Parses JSON request text into plain data. Keys `__proto__`, `constructor` and `prototype` are dropped at every
 * depth, so the result can be merged into other objects (`Object.assign`, spread, deep merge) without changing
 * any prototype. Malformed JSON throws a 400 with a short message; the parser's own message (which may quote the
 * input) never reaches the client.
 *
 * @example
 * parseJson('{"name":"a","__proto__":{"admin":true}}') // { name: 'a' }
 */
export function parseJson(text: string): unknown {
  if (text.trim() === '') throw new HttpError(400, 'EMPTY_BODY', 'request body is empty; expected JSON');
  try {
    return SUSPECT.test(text) ? JSON.parse(text, dropForbiddenKeys) : JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, 'MALFORMED_JSON', 'request body is not valid JSON', { cause: err });
  }
}

function dropForbiddenKeys(key: string, value: unknown): unknown {
  return FORBIDDEN_KEYS.has(key) ? undefined : value;
}
