// End-to-end scenarios (tests/e2e/*.spec.ts): the built PWA served by the real server on loopback,
// in Debian's Chromium. vitest never reads tests/e2e (vitest.config.ts) and Playwright reads only
// the spec files there.
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './tests/e2e/support/browser';

export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: '*.spec.ts',
  outputDir: 'tests/e2e/results',
  globalSetup: './tests/e2e/support/global-setup.ts',
  // One scenario at a time: each drives up to five Chromium contexts and its own servers, and the
  // machine running them has two cores.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: true,
  // A scenario's budget, not a wait: a whole day on up to five devices, or axe on every screen,
  // takes one to two minutes on an idle machine and ten on two cores shared with other work.
  timeout: 900_000,
  expect: { timeout: 20_000 },
  reporter: [['list'], ['./tests/e2e/support/summary-reporter.ts']],
  use: {
    browserName: 'chromium',
    // axe-core is injected into each page as a script: the app's Content-Security-Policy (no
    // inline script) would refuse it. The app itself is still served and run under its CSP.
    bypassCSP: true,
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
    actionTimeout: 30_000,
    navigationTimeout: 30_000,
    // Actions, DOM snapshots, network and console of every device; no screencast: its frames of
    // four or five pages at once cost more CPU than the scenarios themselves on a busy machine.
    trace: { mode: 'retain-on-failure', screenshots: false },
    screenshot: { mode: 'only-on-failure', fullPage: true },
  },
});
