import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startMaru, type MaruProcess } from '../app-process.js';
import { browserSkip, launchBrowser } from './chromium.js';

describe('the member directory in a real browser', { skip: browserSkip(), timeout: 120_000 }, () => {
  let dataDir: string;
  let maru: MaruProcess;
  let browser: Browser;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'maru-e2e-'));
    maru = await startMaru({ env: { DATA_DIR: dataDir } });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await maru?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function register(page: Page, name: string, password: string) {
    await page.goto(`${maru.url}/`);
    await page.locator('#register input[name=name]').fill(name);
    await page.locator('#register input[name=password]').fill(password);
    await Promise.all([page.waitForURL(/registered=1/), page.locator('#register button[type=submit]').click()]);
  }

  async function login(page: Page, name: string, password: string) {
    await page.locator('#login input[name=name]').fill(name);
    await page.locator('#login input[name=password]').fill(password);
    await page.locator('#login button[type=submit]').click();
    // The next page greets the member; waiting for it (not for a load event the old page already had) is race-free.
    await page.locator('#greeting').waitFor();
  }

  /** Opens your own row's rename box, submits `name` and waits for the error line the client script fills. */
  async function renameFails(page: Page, name: string): Promise<string | null> {
    const own = page.locator('#members li.own');
    await own.locator('button.edit').click();
    await own.locator('input[name=name]').fill(name);
    await own.locator('button.save').click();
    const message = page.locator('#message');
    await message.waitFor({ state: 'visible' });
    return message.textContent();
  }

  test('registers, logs in, renames, cannot touch another member, logs out and in, deletes the account', async () => {
    const context = await browser.newContext({ locale: 'ko-KR' });
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.type());
      void dialog.accept();
    });

    await register(page, '민지', 'minji-password');
    await register(page, '철수', 'chulsoo-password');
    await expectVisible(page, '#login');
    assert.equal(await page.getAttribute('html', 'lang'), 'ko');

    await login(page, '민지', 'minji-password');
    assert.equal(await page.locator('#greeting').textContent(), '민지님 안녕하세요');
    assert.equal(await page.locator('#members li').count(), 2);

    // An empty name: the API answers NAME_REQUIRED, and the client script says so in Korean, not in the API's English.
    assert.equal(await renameFails(page, '   '), '이름을 반드시 입력하셔야 합니다.');
    await page.locator('#members li.own button.cancel').click();

    // Rename yourself in place.
    const own = page.locator('#members li.own');
    await own.locator('button.edit').click();
    await own.locator('input[name=name]').fill('민지2');
    await own.locator('button.save').click();
    await page.locator('#greeting', { hasText: '민지2' }).waitFor();
    assert.equal(await page.locator('#greeting').textContent(), '민지2님 안녕하세요');

    // Another member's row has no controls, and the API refuses a forged request from this page.
    const other = page.locator('#members li', { hasText: '철수' });
    assert.equal(await other.locator('button').count(), 0);
    const otherId = await other.getAttribute('data-id');
    const forged = await page.evaluate(async (id) => {
      const res = await fetch(`/users/${id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'hacked' }) });
      return res.status;
    }, otherId);
    assert.equal(forged, 403);

    // Log out (a plain form), then in again with the new name.
    await page.locator('#logout button').click();
    await page.locator('#login').waitFor();
    assert.equal(await page.locator('#greeting').count(), 0);
    await login(page, '민지2', 'minji-password');
    assert.equal(await page.locator('#greeting').textContent(), '민지2님 안녕하세요');

    // Delete the account: confirm, back home logged out, the name gone from the list.
    await page.locator('#members li.own button.remove').click();
    await page.locator('#login').waitFor();
    assert.deepEqual(dialogs, ['confirm']);
    const names = await page.locator('#members li .name').allTextContents();
    assert.deepEqual(names, ['철수']);
    await context.close();
  });

  test('greets in English, and says an API error in English, when the browser prefers English', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await register(page, 'Jane', 'jane-password');
    await login(page, 'Jane', 'jane-password');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal(await page.locator('#greeting').textContent(), 'Hello, Jane');
    assert.equal(await renameFails(page, ''), 'Please enter a name.');
    await context.close();
  });

  test('the language switch works without JavaScript and holds across pages, the 404 page included', async () => {
    const context = await browser.newContext({ locale: 'ko-KR', javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${maru.url}/about`);
    assert.equal(await page.getAttribute('html', 'lang'), 'ko');
    assert.equal(await page.locator('h1').textContent(), '소개');

    // Switch on the About page: back on the About page, in English.
    await page.locator('#language').click();
    await page.locator('html[lang="en"]').waitFor();
    assert.equal(new URL(page.url()).pathname, '/about');
    assert.equal(await page.locator('h1').textContent(), 'About');
    const cookie = (await context.cookies()).find((c) => c.name === 'lang');
    assert.equal(cookie?.value, 'en');
    assert.equal(cookie?.sameSite, 'Lax');

    // Every other page follows, though the browser still asks for Korean: home, register and log in (plain forms).
    await register(page, 'Mina', 'mina-password');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal(await page.locator('p.message[role=status]').textContent(), 'You are registered. Log in now.');
    await login(page, 'Mina', 'mina-password');
    assert.equal(await page.locator('#greeting').textContent(), 'Hello, Mina');

    // An unknown address: a 404 page in English, with the switch back to Korean on it.
    const missing = await page.goto(`${maru.url}/no/such/page`);
    assert.equal(missing?.status(), 404);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal(await page.locator('h1').textContent(), 'Page not found');
    await page.locator('#language').click();
    await page.locator('html[lang="ko"]').waitFor();
    assert.equal(new URL(page.url()).pathname, '/no/such/page');
    assert.equal(await page.locator('h1').textContent(), '페이지를 찾을 수 없습니다');

    await page.goto(`${maru.url}/`);
    assert.equal(await page.locator('#greeting').textContent(), 'Mina님 안녕하세요');
    await context.close();
  });

  test('shows a member named like markup as text, never as HTML', async () => {
    const context = await browser.newContext({ locale: 'ko-KR' });
    const page = await context.newPage();
    let alerted = false;
    page.on('dialog', (dialog) => {
      alerted = true;
      void dialog.dismiss();
    });
    const name = '<img src=x onerror=alert(1)>';
    await register(page, name, 'markup-password');
    await login(page, name, 'markup-password');
    assert.equal(await page.locator('#greeting').textContent(), `${name}님 안녕하세요`);
    assert.equal(await page.locator('main img').count(), 0);
    assert.ok((await page.locator('#members li .name').allTextContents()).includes(name));
    assert.equal(alerted, false);
    await context.close();
  });
});

async function expectVisible(page: Page, selector: string) {
  assert.equal(await page.locator(selector).isVisible(), true, `${selector} should be visible`);
}
