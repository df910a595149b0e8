// Debian's Chromium for the browser tests: where it is, how it is started, and when a test may go without it.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// SERVICES.md: these flags keep Chromium from reaching for the network this machine does not have.
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The reason to skip a browser suite (no Chromium on this machine), or false; in CI a missing Chromium throws. */
export function browserSkip(): string | false {
  if (existsSync(CHROMIUM)) return false;
  const reason = `Chromium is not installed at ${CHROMIUM} (apt-get install -y chromium)`;
  if (process.env.CI === 'true') throw new Error(`${reason}, and CI=true: the browser test must run in CI`);
  return reason;
}

/** A headless Chromium with the flags above. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
}
