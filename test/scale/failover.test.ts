import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { cookiePair, scaleSkip, startScale, type Scale } from './harness.js';
import { answeredBy, nginxErrors, startTraffic, summary } from './traffic.js';

const skip = await scaleSkip();
const JSON_TYPE = { 'content-type': 'application/json' };

describe('an instance killed behind nginx', { skip, timeout: 120_000 }, () => {
  let scale: Scale;
  before(async () => {
    scale = await startScale();
  });
  after(() => scale?.close());

  test('costs no GET: nginx sends them to the other instance, and the instance restarted takes traffic again', async (t) => {
    const body = JSON.stringify({ name: `failover-${randomBytes(3).toString('hex')}`, password: 'failover-password' });
    const created = await scale.request('/users', { method: 'POST', headers: JSON_TYPE, body });
    assert.equal(created.status, 201);
    const { id } = JSON.parse(created.body) as { id: string };
    const cookie = cookiePair((await scale.request('/login', { method: 'POST', headers: JSON_TYPE, body })).headers['set-cookie']);
    // Mostly reads with the session; every fifth a POST, which nginx must not resend once an instance had it.
    const traffic = startTraffic(scale, 4, (i) =>
      i % 5 === 4 ? { path: '/logout', method: 'POST' } : { path: i % 2 === 0 ? '/me' : `/users/${id}`, headers: { cookie } },
    );
    const [a, b] = [scale.address(0), scale.address(1)];
    try {
      await traffic.until((sent) => answeredBy(sent, a) >= 20 && answeredBy(sent, b) >= 20, 'both instances to answer');
      await scale.instances[0]!.kill();
      const killedAt = traffic.sent.length;
      await traffic.until((sent) => answeredBy(sent, b, killedAt) >= 200, 'b to answer 200 requests alone');
      const restarted = await scale.restart(0);
      const restartedAt = traffic.sent.length;
      // nginx tries a failed instance again after fail_timeout (5 s in deploy/nginx.conf).
      await traffic.until((sent) => answeredBy(sent, a, restartedAt) >= 20, 'the restarted a to take traffic again');
      t.diagnostic(`killed at request ${killedAt}, a back (pid ${restarted.child.pid}) at ${restartedAt}`);
    } finally {
      await traffic.stop();
    }
    const sent = traffic.sent;
    t.diagnostic(summary(sent));
    t.diagnostic(`nginx's error log: ${nginxErrors(scale.nginx.stderr())}`);
    const failedReads = sent.filter((request) => request.method === 'GET' && request.status !== 200);
    assert.deepEqual(failedReads, [], 'no GET failed');
    const posts = sent.filter((request) => request.method === 'POST');
    const failedPosts = posts.filter((request) => request.status !== 303);
    t.diagnostic(`POST /logout: ${posts.length} sent, ${failedPosts.length} failed`);
    // A POST that reached the killed instance is lost, not run twice: nginx answers 502 rather than resend it.
    assert.deepEqual(failedPosts.filter((request) => request.status !== 502), []);
  });
});
