// Debian's Chromium, with the flags this closed network needs (no background connections, no
// component updates); browsers are never downloaded. playwright.config.ts gives the same to the
// e2e scenarios; the benchmarks (scripts/bench) launch it through playwright-core.
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}
