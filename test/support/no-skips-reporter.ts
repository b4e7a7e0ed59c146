import type { Reporter, TestModule } from 'vitest/node';

/**
 * In CI a skipped test is a test that did not run: fail the run and name each one, so a suite
 * that quietly skips (a missing server, a leftover `.skip`) cannot pass.
 */
export default class NoSkipsReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    if (process.env.CI !== 'true') return;
    const skipped: string[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'skipped' || state === 'pending') skipped.push(`${module.moduleId} > ${test.fullName}`);
      }
    }
    if (skipped.length) {
      console.error(`\n${skipped.length} test(s) skipped; CI runs every test:\n  ${skipped.join('\n  ')}`);
      process.exitCode = 1;
    }
  }
}
