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

/**
 * Runs `body` in a fresh node process, with `log` = createLogger(options) and `report(value)` (JSON to stderr) in
 * scope, and `pinoLoaded()`, true once pino's module is in the CommonJS cache. Resolves to the log lines written
 * to stdout (parsed) and what was reported.
 */
async function inChild(options: string, body: string): Promise<{ lines: Record<string, unknown>[]; reported: unknown[] }> {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const logModule = new URL('./log.ts', import.meta.url).href;
  const script = `import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { createLogger } from ${JSON.stringify(logModule)};
const require = createRequire(${JSON.stringify(logModule)});
const pinoDir = dirname(require.resolve('pino'));
const pinoLoaded = () => Object.keys(require.cache).some((path) => path.startsWith(pinoDir));
const report = (value) => process.stderr.write(JSON.stringify(value) + '\\n');
const log = createLogger(${options});
${body}`;
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
  const parse = (text: string) => text.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
  return { lines: parse(stdout), reported: parse(stderr) };
}

test('loads pino with the first line at an enabled level, not before', async () => {
  const { lines, reported } = await inChild(
    `{ level: 'warn', pretty: false }`,
    `log.info('quiet'); log.debug('quiet');
await Promise.resolve(log);
await new Promise((resolve) => log.flush(resolve));
report({ loaded: pinoLoaded(), level: log.level, info: log.isLevelEnabled('info'), warn: log.isLevelEnabled('warn') });
log.warn('loud');
report({ loaded: pinoLoaded() });`,
  );
  assert.deepEqual(reported, [{ loaded: false, level: 'warn', info: false, warn: true }, { loaded: true }]);
  assert.deepEqual(lines.map((line) => [line.level, line.msg]), [[40, 'loud']]);
});

test('a level set before pino is loaded is the level pino writes at', async () => {
  const { lines, reported } = await inChild(
    `{ level: 'warn', pretty: false }`,
    `log.level = 'debug';
report({ loaded: pinoLoaded(), debug: log.isLevelEnabled('debug') });
log.trace('not written'); log.debug('written');
log.level = 'error';
log.warn('not written either'); log.error('written too');
report({ level: log.level });`,
  );
  assert.deepEqual(reported, [{ loaded: false, debug: true }, { level: 'error' }]);
  assert.deepEqual(lines.map((line) => line.msg), ['written', 'written too']);
});

test('a child made before pino is loaded writes with its bindings', async () => {
  const { lines } = await inChild(`{ level: 'info', pretty: false }`, `log.child({ reqId: 'r-1' }).info('from the child');`);
  assert.equal(lines.length, 1);
  assert.equal(lines[0]!.reqId, 'r-1');
  assert.equal(lines[0]!.msg, 'from the child');
});

test('refuses an unknown level set later, and keeps the one it had', () => {
  const log = createLogger({ level: 'warn', pretty: false });
  assert.throws(() => {
    log.level = 'loud';
  }, /LOG_LEVEL must be one of/);
  assert.equal(log.level, 'warn');
});
