import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startMaru, type MaruProcess } from '../app-process.js';
import { browserSkip, launchBrowser } from './chromium.js';

describe('the member directory in a real browser over HTTPS and HTTP/2', { skip: browserSkip(), timeout: 120_000 }, () => {
  let dataDir: string;
  let maru: MaruProcess;
  let browser: Browser;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'maru-e2e-https-'));
    maru = await startMaru({ env: { DATA_DIR: dataDir }, args: ['--https', '--http2'] });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await maru?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('registers, logs in and out with the development certificate; the session cookie is Secure', async () => {
    assert.match(maru.url, /^https:/);
    // The development certificate is self-signed: accepted for this test, as a developer clicks through the warning.
    const context = await browser.newContext({ locale: 'en-US', ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(`${maru.url}/`);
    // Evaluated in the page, whose DOM types this project does not compile against.
    assert.equal(await page.evaluate("performance.getEntriesByType('navigation')[0].nextHopProtocol"), 'h2');

    await page.locator('#register input[name=name]').fill('Secure Sam');
    await page.locator('#register input[name=password]').fill('sam-password');
    await Promise.all([page.waitForURL(/registered=1/), page.locator('#register button[type=submit]').click()]);

    // A plain form post from an https page: the browser sends Origin: https://…, which the guard must accept.
    await page.locator('#login input[name=name]').fill('Secure Sam');
    await page.locator('#login input[name=password]').fill('sam-password');
    await page.locator('#login button[type=submit]').click();
    await page.locator('#greeting').waitFor();
    assert.equal(await page.locator('#greeting').textContent(), 'Hello, Secure Sam');

    const sid = (await context.cookies()).find((cookie) => cookie.name === 'sid');
    assert.ok(sid !== undefined, 'a session cookie');
    assert.equal(sid.secure, true);
    assert.equal(sid.httpOnly, true);
    assert.equal(sid.sameSite, 'Lax');

    // The client script's fetch() goes over the same HTTP/2 connection with the cookie.
    const me = await page.evaluate(async () => (await fetch('/me')).json() as Promise<{ name: string }>);
    assert.equal(me.name, 'Secure Sam');

    await page.locator('#logout button').click();
    await page.locator('#login').waitFor();
    assert.equal(await page.locator('#greeting').count(), 0);
    assert.equal((await context.cookies()).some((cookie) => cookie.name === 'sid'), false, 'the cookie is gone');
    await context.close();
  });
});
