// SECURITY.md states every limit and timeout with its value: the key ones are checked here against the code, so
// the page cannot drift from what the server does.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_BODY_LIMIT, DEFAULT_H2_LIMITS, LISTEN_DEFAULTS } from '../../src/index.js';
import { LINGER_IDLE_MS, LINGER_MAX_BYTES, LINGER_TIME_MS } from '../../src/server/linger.js';
import { hashPassword, SCRYPT_LIMITS } from '../../app/auth/password.js';
import { DEFAULT_ACCOUNT_LIMITS } from '../../app/auth/throttle.js';
import { ACCOUNT_BODY } from '../../app/routes/input.js';
import { REPO } from './run-page.js';

const page = await readFile(join(REPO, 'SECURITY.md'), 'utf8');

/** The value cell (the second) of the table row that names `setting` in its first cell. */
function valueOf(setting: string): string {
  const row = page.split('\n').find((line) => line.startsWith(`| ${setting} |`));
  assert.ok(row, `SECURITY.md has a row for ${setting}`);
  return row.split(' | ')[1]!.trim();
}

function time(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0 && ms >= 60_000 * 5) return `${ms / 60_000} min`;
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function bytes(n: number): string {
  if (n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  return n % 1024 === 0 ? `${n / 1024} KiB` : `${n} B`;
}

test('states the timeouts of listen() as the code sets them', () => {
  for (const [name, ms] of Object.entries(LISTEN_DEFAULTS)) assert.equal(valueOf(`\`${name}\``), time(ms), name);
});

test('states the HTTP/2 limits as DEFAULT_H2_LIMITS sets them', () => {
  const { maxConcurrentStreams, maxHeaderListSize, maxSessionMemory, idleTimeout, streamTimeout, lingerTimeout } = DEFAULT_H2_LIMITS;
  assert.equal(valueOf('`maxConcurrentStreams`'), String(maxConcurrentStreams));
  assert.equal(valueOf('`maxHeaderListSize`'), bytes(maxHeaderListSize));
  assert.equal(valueOf('`maxSessionMemory`'), `${maxSessionMemory} MB`);
  assert.equal(valueOf('`idleTimeout`'), time(idleTimeout));
  assert.equal(valueOf('`streamTimeout`'), time(streamTimeout));
  assert.equal(valueOf('`lingerTimeout`'), time(lingerTimeout));
});

test('states the body limits and the lingering close as the code sets them', () => {
  assert.equal(valueOf('`DEFAULT_BODY_LIMIT`'), bytes(DEFAULT_BODY_LIMIT));
  assert.equal(valueOf('account routes (`/users`, `/user`, `/login`)'), bytes(ACCOUNT_BODY.bodyLimit));
  assert.equal(valueOf('lingering close: `LINGER_TIME_MS`'), time(LINGER_TIME_MS));
  assert.equal(valueOf('lingering close: `LINGER_IDLE_MS`'), time(LINGER_IDLE_MS));
  assert.equal(valueOf('lingering close: `LINGER_MAX_BYTES`'), bytes(LINGER_MAX_BYTES));
});

test('states the login and registration limits as DEFAULT_ACCOUNT_LIMITS sets them', () => {
  const { loginFailuresPerName, loginFailuresPerAddress, loginWindowMs, registrationsPerAddress, registrationWindowMs } = DEFAULT_ACCOUNT_LIMITS;
  assert.match(valueOf('failed logins per name (`loginFailuresPerName`)'), new RegExp(`^${loginFailuresPerName} per ${time(loginWindowMs)}`));
  assert.match(valueOf('failed logins per address (`loginFailuresPerAddress`)'), new RegExp(`^${loginFailuresPerAddress} per ${time(loginWindowMs)}`));
  assert.equal(registrationWindowMs, 3_600_000);
  assert.match(valueOf('registrations per address (`registrationsPerAddress`)'), new RegExp(`^${registrationsPerAddress} per hour`));
});

test('states the scrypt parameters and its queue as the code uses them', async () => {
  const [, params] = (await hashPassword('a password to read the parameters of')).split('$');
  const [n, r, p] = params!.split(',').map((kv) => Number(kv.split('=')[1]));
  assert.match(valueOf('scrypt'), new RegExp(`^N=2\\^${Math.log2(n!)}, r=${r}, p=${p} `));
  assert.match(valueOf('scrypt concurrency'), new RegExp(`, ${SCRYPT_LIMITS.queue / SCRYPT_LIMITS.concurrency} × that waiting`));
});

test('lists every file of the hostile suite', async () => {
  const files = (await readdir(join(REPO, 'test/hostile'))).filter((file) => file.endsWith('.test.ts'));
  assert.ok(files.length >= 10);
  for (const file of files) assert.match(page, new RegExp(`\\| \`${file.replace('.', '\\.')}\` \\| \\d+ \\|`), file);
});
