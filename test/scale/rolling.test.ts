import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { cookiePair, scaleSkip, startScale, type Scale } from './harness.js';
import { answeredBy, nginxErrors, startTraffic, summary } from './traffic.js';

const skip = await scaleSkip();
const JSON_TYPE = { 'content-type': 'application/json' };

describe('a rolling deploy behind nginx', { skip, timeout: 120_000 }, () => {
  let scale: Scale;
  before(async () => {
    scale = await startScale();
  });
  after(() => scale?.close());

  test('restarting a, then b, each with SIGTERM and a drain, fails no request of a steady client', async (t) => {
    const name = `rolling-${randomBytes(3).toString('hex')}`;
    const body = JSON.stringify({ name, password: 'rolling-password' });
    const created = await scale.request('/users', { method: 'POST', headers: JSON_TYPE, body });
    assert.equal(created.status, 201);
    const { id } = JSON.parse(created.body) as { id: string };
    const cookie = cookiePair((await scale.request('/login', { method: 'POST', headers: { ...JSON_TYPE }, body })).headers['set-cookie']);
    // Reads, and a write that is idempotent (PUT: renaming to the name one has), which nginx may resend.
    const rename = JSON.stringify({ name });
    const traffic = startTraffic(scale, 4, (i) =>
      i % 3 === 2
        ? { path: `/users/${id}`, method: 'PUT', headers: { ...JSON_TYPE, cookie }, body: rename }
        : { path: i % 3 === 0 ? '/me' : `/users/${id}`, headers: { cookie } },
    );
    const exitCodes: (number | null)[] = [];
    try {
      await traffic.until((sent) => answeredBy(sent, scale.address(0)) >= 20 && answeredBy(sent, scale.address(1)) >= 20, 'both instances to answer');
      for (const index of [0, 1]) {
        exitCodes.push(await scale.instances[index]!.stop());
        await scale.restart(index);
        const back = traffic.sent.length;
        // The next instance is stopped only once nginx sends this one traffic again (README: a rolling deploy waits
        // for that), or both would be out of the upstream at once.
        await traffic.until((sent) => answeredBy(sent, scale.address(index), back) >= 20, `instance ${index} to take traffic again`);
        t.diagnostic(`instance ${index} restarted; back in the upstream after request ${back}`);
      }
    } finally {
      await traffic.stop();
    }
    t.diagnostic(summary(traffic.sent));
    t.diagnostic(`nginx's error log: ${nginxErrors(scale.nginx.stderr())}`);
    assert.deepEqual(exitCodes, [0, 0], 'each instance drained and exited 0');
    assert.deepEqual(traffic.sent.filter((request) => request.status !== 200), []);
  });
});
