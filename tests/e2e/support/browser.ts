// Debian's Chromium driven by playwright-core, with the flags this closed network needs
// (no background connections, no component updates); browsers are never downloaded.
import { type Browser, chromium } from 'playwright-core';

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
