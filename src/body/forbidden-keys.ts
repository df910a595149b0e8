/**
 * Keys a parsed request body never keeps, in JSON and in forms alike: merged into another object (Object.assign,
 * a deep merge), `__proto__` would replace its prototype and `constructor.prototype` reach a shared one.
 */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
