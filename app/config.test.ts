import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig, USAGE } from './config.js';

test('defaults to serve on port 8080 of every interface', () => {
  const config = loadConfig([], {});
  assert.deepEqual(config.ports, [8080]);
  assert.equal(config.host, '::');
  assert.equal(config.help, false);
  assert.deepEqual(loadConfig(['serve'], {}).ports, [8080]);
});

test('takes several --port flags, one listener each', () => {
  assert.deepEqual(loadConfig(['serve', '--port', '8080', '--port=8081'], {}).ports, [8080, 8081]);
});

test('reads PORT (comma-separated) and HOST from the environment, flags winning', () => {
  assert.deepEqual(loadConfig([], { PORT: '3000,3001', HOST: '127.0.0.1' }).ports, [3000, 3001]);
  assert.equal(loadConfig([], { HOST: '127.0.0.1' }).host, '127.0.0.1');
  const both = loadConfig(['--port', '9000', '--host', '::1'], { PORT: '3000', HOST: '127.0.0.1' });
  assert.deepEqual([both.ports, both.host], [[9000], '::1']);
});

test('treats an empty PORT or HOST as unset', () => {
  const config = loadConfig([], { PORT: '', HOST: '' });
  assert.deepEqual(config.ports, [8080]);
  assert.equal(config.host, '::');
  assert.equal(loadConfig([], { HOST: '  ' }).host, '::');
});

test('refuses a port that is not a number from 0 to 65535, naming it', () => {
  for (const bad of ['abc', '65536', '1e3', '80.5', '']) {
    assert.throws(() => loadConfig(['--port', bad], {}), (err: Error) => err instanceof TypeError && err.message.includes(`"${bad}"`), bad);
  }
  assert.throws(() => loadConfig(['--port=-1'], {}), /"-1"/);
  assert.throws(() => loadConfig([], { PORT: '80,x' }), /"x"/);
});

test('refuses a port given twice', () => {
  assert.throws(() => loadConfig(['--port', '8080', '--port', '8080'], {}), /port 8080 is given twice/);
  assert.deepEqual(loadConfig(['--port', '0', '--port', '0'], {}).ports, [0, 0], 'port 0 means any free port, so it may repeat');
});

test('refuses an empty --host', () => {
  assert.throws(() => loadConfig(['--host', ''], {}), /--host must not be empty/);
});

test('refuses unknown commands and flags', () => {
  assert.throws(() => loadConfig(['start'], {}), /unknown command: start/);
  assert.throws(() => loadConfig(['serve', 'extra'], {}), /unknown command/);
  assert.throws(() => loadConfig(['--nope'], {}), TypeError);
});

test('asks for help with --help or -h, and the usage names every flag and variable', () => {
  assert.equal(loadConfig(['--help'], {}).help, true);
  assert.equal(loadConfig(['serve', '-h'], {}).help, true);
  for (const word of ['--port', '--host', '--help', 'PORT', 'HOST', 'LOG_LEVEL']) assert.ok(USAGE.includes(word), word);
});
