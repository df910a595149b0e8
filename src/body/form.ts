import { FORBIDDEN_KEYS } from './forbidden-keys.js';

/**
 * Parses an `application/x-www-form-urlencoded` body into a null-prototype record. Of repeated names the first
 * wins; `__proto__`, `constructor` and `prototype` are dropped like in JSON bodies. Bad percent-encoding never
 * throws (WHATWG URL parsing keeps the raw bytes).
 *
 * @example
 * parseForm('name=%EA%B9%80&password=x') // { name: '김', password: 'x' }
 */
export function parseForm(text: string): Record<string, string> {
  const form: Record<string, string> = Object.create(null);
  for (const [name, value] of new URLSearchParams(text)) {
    if (FORBIDDEN_KEYS.has(name) || name in form) continue;
    form[name] = value;
  }
  return form;
}
