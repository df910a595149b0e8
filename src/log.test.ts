import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from './log.js';

test('takes its level from LOG_LEVEL, info by default', () => {
  const saved = process.env.LOG_LEVEL;
  try {
    process.env.LOG_LEVEL = 'warn';
    assert.equal(createLogger({ pretty: false }).level, 'warn');
    delete process.env.LOG_LEVEL;
    assert.equal(createLogger({ pretty: false }).level, 'info');
    process.env.LOG_LEVEL = '';
    assert.equal(createLogger({ pretty: false }).level, 'info');
  } finally {
    if (saved === undefined) delete process.env.LOG_LEVEL;
    else process.env.LOG_LEVEL = saved;
  }
});

test('prefers an explicit level to LOG_LEVEL', () => {
  assert.equal(createLogger({ level: 'silent', pretty: false }).level, 'silent');
  assert.equal(createLogger({ level: 'debug', pretty: false }).isLevelEnabled('debug'), true);
});

test('refuses an unknown level at start-up, naming the allowed ones', () => {
  assert.throws(() => createLogger({ level: 'verbose', pretty: false }), /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got verbose/);
  assert.throws(() => createLogger({ level: 'INFO', pretty: false }), TypeError);
});
