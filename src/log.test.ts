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

test('writes a line to a non-terminal stdout promptly, without waiting for more lines or for exit', async () => {
  const { spawn } = await import('node:child_process');
  // The child logs one line and then stays alive until killed: the line can only arrive because it was flushed.
  const script = `import { createLogger } from ${JSON.stringify(new URL('./log.ts', import.meta.url).href)};
createLogger({ level: 'info', pretty: false }).info('started');
setInterval(() => {}, 60_000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no log line within 60 s of start')), 60_000);
      child.stdout.once('data', (chunk: Buffer) => {
        clearTimeout(timer);
        resolve(chunk.toString());
      });
      child.once('exit', (code) => reject(new Error(`the child exited (${String(code)}) before its line arrived`)));
    });
    assert.match(line, /"msg":"started"/);
    assert.equal(child.exitCode, null, 'the child is still running');
  } finally {
    child.kill();
  }
});

test('writes human-readable lines, not JSON, when asked to be pretty', async () => {
  const { spawn } = await import('node:child_process');
  const script = `import { createLogger } from ${JSON.stringify(new URL('./log.ts', import.meta.url).href)};
createLogger({ level: 'info', pretty: true }).info({ reqId: 'r-9' }, 'pretty line');`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await new Promise((resolve) => child.once('exit', resolve));
  assert.match(out, /INFO/);
  assert.match(out, /pretty line/);
  assert.match(out, /reqId.*r-9/);
  assert.doesNotMatch(out, /^\{"level"/m);
});
