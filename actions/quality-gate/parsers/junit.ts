import type { TestCaseFailure, TestReport } from '../model.js';
import { isObject, parseXmlReport, toNumber } from '../read-report.js';
import { ReportError } from '../report-error.js';

/** What the `<testsuite>` attributes claim, kept beside the counts from the test cases. */
export interface JunitDeclared {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

const ARRAYS = [
  'testsuite',
  'testcase',
  'failure',
  'error',
  'skipped',
  'flakyFailure',
  'flakyError',
  'rerunFailure',
  'rerunError',
];

function list(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.map((item) => (isObject(item) ? item : {})) : [];
}

function firstMessage(items: Record<string, unknown>[]): string | undefined {
  const item = items[0];
  if (!item) return undefined;
  const message = item['@_message'] ?? item['#text'];
  return typeof message === 'string' ? message.trim().split('\n')[0]?.slice(0, 300) : undefined;
}

/**
 * JUnit XML from any producer (surefire, jest-junit, pytest, vitest, Go's go-junit-report).
 * Counts come from the `<testcase>` elements, not the suites' attributes: producers disagree
 * on those (jest-junit leaves `skipped` off the root, pytest's rerun plugin undercounts).
 * A case that passed only on a rerun (surefire `flakyFailure`) counts as passed and flaky.
 */
export function parseJunit(text: string, file: string): TestReport & { declared: JunitDeclared } {
  const doc = parseXmlReport(text, file, 'JUnit report', ARRAYS);
  const roots = isObject(doc.testsuites) ? list(doc.testsuites.testsuite) : list(doc.testsuite);
  if (!('testsuites' in doc) && !('testsuite' in doc)) {
    throw new ReportError(file, 'expected a JUnit report with a <testsuites> or <testsuite> root element');
  }
  const report: TestReport & { declared: JunitDeclared } = {
    format: 'junit',
    file,
    suites: 0,
    tests: 0,
    passed: 0,
    failed: 0,
    errored: 0,
    skipped: 0,
    flaky: 0,
    failures: [],
    declared: { tests: 0, failures: 0, errors: 0, skipped: 0 },
  };
  const visit = (suite: Record<string, unknown>, suiteFile: string | undefined) => {
    report.suites++;
    report.declared.tests += toNumber(suite['@_tests']) ?? 0;
    report.declared.failures += toNumber(suite['@_failures']) ?? 0;
    report.declared.errors += toNumber(suite['@_errors']) ?? 0;
    report.declared.skipped += toNumber(suite['@_skipped'] ?? suite['@_disabled']) ?? 0;
    const fileOfSuite = typeof suite['@_file'] === 'string' ? suite['@_file'] : suiteFile;
    for (const testcase of list(suite.testcase)) {
      report.tests++;
      const failures = [...list(testcase.failure), ...list(testcase.rerunFailure)];
      const errors = [...list(testcase.error), ...list(testcase.rerunError)];
      if (failures.length || errors.length) {
        const kind = failures.length ? 'failure' : 'error';
        if (kind === 'failure') report.failed++;
        else report.errored++;
        const caseFile = typeof testcase['@_file'] === 'string' ? testcase['@_file'] : fileOfSuite;
        const line = toNumber(testcase['@_line']);
        const message = firstMessage(failures.length ? failures : errors);
        report.failures.push({
          name: String(testcase['@_name'] ?? ''),
          kind,
          ...(testcase['@_classname'] ? { classname: String(testcase['@_classname']) } : {}),
          ...(message ? { message } : {}),
          ...(caseFile ? { file: caseFile } : {}),
          ...(line ? { line } : {}),
        } satisfies TestCaseFailure);
      } else if (testcase.skipped !== undefined) {
        report.skipped++;
      } else {
        report.passed++;
        if (testcase.flakyFailure !== undefined || testcase.flakyError !== undefined) report.flaky++;
      }
    }
    for (const nested of list(suite.testsuite)) visit(nested, fileOfSuite);
  };
  for (const suite of roots) visit(suite, undefined);
  return report;
}
