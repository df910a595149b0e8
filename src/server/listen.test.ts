import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createApp } from '../app.js';
import { memoryLogger } from '../../test/logger.js';
import { describeListenError, listen } from './listen.js';

const errno = (code: string) => Object.assign(new Error(`listen ${code}`), { code });

test('says a port is in use in one line, naming it and suggesting the next one', () => {
  const line = describeListenError(errno('EADDRINUSE'), 8080, '::');
  assert.equal(line, 'port 8080 is already in use ([::]:8080): stop the other server or choose another port, e.g. --port 8081');
  assert.doesNotMatch(line, /\n/);
  assert.match(describeListenError(errno('EADDRINUSE'), 65535, '127.0.0.1'), /--port 65534/);
});

test('says a privileged port needs privileges, naming it and suggesting one above 1023', () => {
  const line = describeListenError(errno('EACCES'), 80, '0.0.0.0');
  assert.equal(line, 'no permission to listen on port 80 (0.0.0.0:80): ports below 1024 need privileges; choose one above 1023, e.g. --port 8080');
});

test('does not blame the privileged-port rule for a refused port above 1023', () => {
  const line = describeListenError(errno('EACCES'), 8080, '::');
  assert.equal(line, 'no permission to listen on port 8080 ([::]:8080): a security policy refuses it; choose another port, e.g. --port 8081');
});

test('says an address that is not on this machine needs another --host', () => {
  assert.match(describeListenError(errno('EADDRNOTAVAIL'), 8080, '10.9.9.9'), /address 10\.9\.9\.9 is not available.*--host/);
  assert.match(describeListenError(errno('EOTHER'), 8080, 'h'), /^cannot listen on h:8080: listen EOTHER$/);
});

test('refuses bad options before listening', async () => {
  const app = createApp({ log: memoryLogger().log });
  await assert.rejects(listen(app, { port: [] }), /option port needs at least one port/);
  await assert.rejects(listen(app, { port: 70000 }), /option port must be an integer from 0 to 65535, got 70000/);
  await assert.rejects(listen(app, { port: 0, requestTimeout: 0 }), /option requestTimeout must be a positive integer/);
  await assert.rejects(listen(app, { port: 0, headersTimeout: 5000, requestTimeout: 1000 }), /headersTimeout must not exceed requestTimeout/);
});
