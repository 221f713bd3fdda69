// The run's last line, alone, as `.ci/run` and people read it: « N passed, N failed ». A test
// that did not pass (failed, timed out, interrupted, or never ran because the setup failed)
// counts as failed.
import type { FullResult, Reporter, Suite } from '@playwright/test/reporter';

export default class SummaryReporter implements Reporter {
  private suite: Suite | null = null;
  private started = false;

  onBegin(_config: unknown, suite: Suite): void {
    this.suite = suite;
  }

  onTestBegin(): void {
    this.started = true;
  }

  onEnd(result: FullResult): void {
    // `playwright test --list` runs nothing and has nothing to count.
    if (!this.started && result.status === 'passed') return;
    const tests = this.suite?.allTests() ?? [];
    const passed = tests.filter((t) => t.outcome() === 'expected').length;
    console.log(`${passed} passed, ${tests.length - passed} failed`);
  }

  printsToStdio(): boolean {
    return true;
  }
}
