import { readFileSync, rmSync, unlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { type ActionRun, runAction } from '../../support/harness.js';
import { produceSampleReports, type SampleReports, toolEntries } from '../../support/sample-reports.js';

/**
 * The gate on reports the real tools write here: vitest (v8 coverage as istanbul summary, lcov
 * and Cobertura; JUnit), ESLint (JSON and SARIF) and tsc, all run on test/fixtures/sample-project.
 * Every figure the gate reports is checked against the tool's own numbers.
 */

let produced: SampleReports | undefined;
/** Runs the tools once; a tool that cannot run fails every test that needs it, with the reason. */
function sample(): SampleReports {
  produced ??= produceSampleReports();
  return produced;
}

/** A report's path relative to the workspace (the sample copy), as a glob input takes it. */
function rel(path: string): string {
  return relative(sample().dir, path);
}

interface Ratio {
  covered: number;
  total: number;
}

/** Two-decimal percentage rounded down, as the gate's outputs write it. */
function floorPct({ covered, total }: Ratio): string {
  return (Math.floor((covered / total) * 10_000) / 100).toFixed(2);
}

/** The totals istanbul's json-summary reporter wrote. */
function summaryTotals(file: string): {
  lines: Ratio;
  branches: Ratio;
  pct: { lines: number; branches: number };
} {
  const { total } = JSON.parse(readFileSync(file, 'utf8')) as {
    total: Record<'lines' | 'branches', { covered: number; total: number; pct: number }>;
  };
  return {
    lines: { covered: total.lines.covered, total: total.lines.total },
    branches: { covered: total.branches.covered, total: total.branches.total },
    pct: { lines: total.lines.pct, branches: total.branches.pct },
  };
}

/** LF/LH and BRF/BRH summed over the lcov records. */
function lcovTotals(file: string): { lines: Ratio; branches: Ratio } {
  const sums: Record<string, number> = { LF: 0, LH: 0, BRF: 0, BRH: 0 };
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^(LF|LH|BRF|BRH):(\d+)$/.exec(line.trim());
    if (match) sums[match[1]!]! += Number(match[2]);
  }
  return {
    lines: { covered: sums.LH!, total: sums.LF! },
    branches: { covered: sums.BRH!, total: sums.BRF! },
  };
}

/** The root attributes of the Cobertura report. */
function coberturaTotals(file: string): {
  lines: Ratio;
  branches: Ratio;
  rates: { line: number; branch: number };
} {
  const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(
    readFileSync(file, 'utf8'),
  ) as { coverage: Record<string, string> };
  const c = xml.coverage;
  return {
    lines: { covered: Number(c['lines-covered']), total: Number(c['lines-valid']) },
    branches: { covered: Number(c['branches-covered']), total: Number(c['branches-valid']) },
    rates: { line: Number(c['line-rate']), branch: Number(c['branch-rate']) },
  };
}

/** Test cases, failed cases, errored cases and skipped cases counted in the JUnit XML. */
function junitCounts(file: string): { tests: number; failed: number; errored: number; skipped: number } {
  const xml = new XMLParser({
    ignoreAttributes: false,
    isArray: (name) => ['testsuite', 'testcase', 'failure', 'error', 'skipped'].includes(name),
  }).parse(readFileSync(file, 'utf8')) as {
    testsuites: { testsuite: { testcase?: Record<string, unknown>[] }[] };
  };
  const cases = xml.testsuites.testsuite.flatMap((suite) => suite.testcase ?? []);
  return {
    tests: cases.length,
    failed: cases.filter((c) => 'failure' in c).length,
    errored: cases.filter((c) => 'error' in c).length,
    skipped: cases.filter((c) => 'skipped' in c).length,
  };
}

/** errorCount and warningCount summed over ESLint's JSON results. */
function eslintCounts(file: string): { errors: number; warnings: number } {
  const results = JSON.parse(readFileSync(file, 'utf8')) as { errorCount: number; warningCount: number }[];
  return {
    errors: results.reduce((n, r) => n + r.errorCount, 0),
    warnings: results.reduce((n, r) => n + r.warningCount, 0),
  };
}

/** Results by level in the SARIF log (ESLint's formatter writes the level on every result). */
function sarifCounts(file: string): { errors: number; warnings: number } {
  const log = JSON.parse(readFileSync(file, 'utf8')) as { runs: { results?: { level?: string }[] }[] };
  const results = log.runs.flatMap((run) => run.results ?? []);
  return {
    errors: results.filter((r) => r.level === 'error').length,
    warnings: results.filter((r) => r.level === 'warning').length,
  };
}

type Placed = { id: string; level: string; file: string; line: number; column: number };

const byPlace = (a: Placed, b: Placed) =>
  a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.id.localeCompare(b.id);

/** Every message in ESLint's JSON, with its path relative to the linted directory. */
function eslintMessages(file: string, root: string): Placed[] {
  const results = JSON.parse(readFileSync(file, 'utf8')) as {
    filePath: string;
    messages: { ruleId: string; severity: number; line: number; column: number }[];
  }[];
  return results
    .flatMap((r) =>
      r.messages.map((m) => ({
        id: m.ruleId,
        level: m.severity === 2 ? 'error' : 'warning',
        file: relative(root, r.filePath),
        line: m.line,
        column: m.column,
      })),
    )
    .sort(byPlace);
}

/** The lint findings in the gate's JSON report. */
function lintFindings(run: ActionRun): Placed[] {
  const report = JSON.parse(readFileSync(run.outputs.report!, 'utf8')) as {
    findings: (Placed & { category: string })[];
  };
  return report.findings
    .filter((f) => f.category === 'lint')
    .map(({ id, level, file, line, column }) => ({ id, level, file, line, column }))
    .sort(byPlace);
}

function figures(run: ActionRun) {
  return JSON.parse(run.outputs.figures!) as {
    coverage: Partial<Record<'lines' | 'branches', Ratio & { pct: number | null }>>;
    tests?: { tests: number; passed: number; failed: number; errored: number; skipped: number };
    lint?: { errors: number; warnings: number };
  };
}

async function gate(inputs: Record<string, string>): Promise<ActionRun> {
  return runAction({
    action: 'quality-gate',
    workspace: sample().dir,
    inputs: { environment: 'production', ...inputs },
  });
}

/** A `run` input: argument arrays in YAML flow style, run by the gate itself. */
function runInput(...commands: string[][]): string {
  return commands.map((command) => `- ${JSON.stringify(command)}`).join('\n');
}

describe('quality-gate on reports written by real tools', () => {
  afterAll(() => {
    if (!produced) return;
    // Drop the link to the repository's node_modules first, so removing the copy cannot reach through it.
    unlinkSync(join(produced.dir, 'node_modules'));
    rmSync(produced.dir, { recursive: true, force: true });
  });

  it('the tools ran on the sample project and wrote what it was built to yield', () => {
    const reports = sample();
    // The sample is built to have uncovered branches, one failing and one skipped test, lint errors and warnings.
    expect(junitCounts(reports.junit)).toEqual({ tests: 8, failed: 1, errored: 0, skipped: 1 });
    expect(eslintCounts(reports.eslintJson)).toEqual({ errors: 2, warnings: 3 });
    expect(sarifCounts(reports.eslintSarif)).toEqual(eslintCounts(reports.eslintJson));
    const summary = summaryTotals(reports.coverageSummary);
    expect(summary.lines.covered).toBeLessThan(summary.lines.total);
    expect(summary.branches.covered).toBeLessThan(summary.branches.total);
    // The three coverage formats come from one run, so their counts agree exactly.
    expect(lcovTotals(reports.lcov)).toEqual({ lines: summary.lines, branches: summary.branches });
    const cobertura = coberturaTotals(reports.cobertura);
    expect({ lines: cobertura.lines, branches: cobertura.branches }).toEqual({
      lines: summary.lines,
      branches: summary.branches,
    });
  });

  it.each([
    ['istanbul json-summary', 'coverageSummary'],
    ['lcov', 'lcov'],
    ['Cobertura', 'cobertura'],
  ] as const)('reads the %s coverage as the tool counted it', async (_, key) => {
    const reports = sample();
    const summary = summaryTotals(reports.coverageSummary);
    const run = await gate({ coverage: rel(reports[key]), 'min-coverage': '0', 'min-branch-coverage': '0' });
    expect(run.exitCode, run.stdout).toBe(0);
    const coverage = figures(run).coverage;
    expect(coverage.lines).toMatchObject(summary.lines);
    expect(coverage.branches).toMatchObject(summary.branches);
    expect(run.outputs.coverage).toBe(floorPct(summary.lines));
    expect(run.outputs['branch-coverage']).toBe(floorPct(summary.branches));
    // Within rounding of the percentages each tool printed itself (istanbul: 2 decimals, Cobertura: 4-digit rate).
    const cobertura = coberturaTotals(reports.cobertura);
    expect(Number(run.outputs.coverage)).toBeCloseTo(summary.pct.lines, 1);
    expect(Number(run.outputs['branch-coverage'])).toBeCloseTo(summary.pct.branches, 1);
    expect(Number(run.outputs.coverage)).toBeCloseTo(cobertura.rates.line * 100, 1);
    expect(Number(run.outputs['branch-coverage'])).toBeCloseTo(cobertura.rates.branch * 100, 1);
  });

  it('counts JUnit tests and ESLint JSON and SARIF findings as the tools did', async () => {
    const reports = sample();
    const junit = junitCounts(reports.junit);
    const eslint = eslintCounts(reports.eslintJson);
    const run = await gate({
      tests: rel(reports.junit),
      lint: rel(reports.eslintJson),
      'max-test-failures': '10',
      'max-lint-errors': '10',
    });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(figures(run).tests).toEqual({
      tests: junit.tests,
      passed: junit.tests - junit.failed - junit.errored - junit.skipped,
      failed: junit.failed,
      errored: junit.errored,
      skipped: junit.skipped,
      flaky: 0,
    });
    expect(figures(run).lint).toEqual(eslint);

    const sarif = await gate({ lint: rel(reports.eslintSarif), 'max-lint-errors': '10' });
    expect(sarif.exitCode, sarif.stdout).toBe(0);
    expect(figures(sarif).lint).toEqual(sarifCounts(reports.eslintSarif));
    expect(figures(sarif).lint).toEqual(eslint);

    // Both formats place every ESLint message on the same rule, level, file, line and column.
    const expected = eslintMessages(reports.eslintJson, reports.dir);
    expect(lintFindings(run)).toEqual(expected);
    expect(lintFindings(sarif)).toEqual(expected);
  });

  it('fails on the failing test, the lint errors, the branch coverage and a failing tsc', async () => {
    const reports = sample();
    const summary = summaryTotals(reports.coverageSummary);
    const run = await gate({
      coverage: rel(reports.coverageSummary),
      tests: rel(reports.junit),
      lint: rel(reports.eslintJson),
      'min-branch-coverage': '75',
      // tsc on the sample's JavaScript; --noUnusedLocals finds the unused variable in src/format.js.
      run: runInput([process.execPath, toolEntries.tsc, '-p', 'tsconfig.json', '--noUnusedLocals']),
    });
    expect(run.exitCode, run.stdout).toBe(1);
    expect(run.outputs.passed).toBe('false');
    expect(JSON.parse(run.outputs['failed-gates']!).sort()).toEqual(
      ['branch-coverage', 'commands', 'lint', 'tests'].sort(),
    );
    expect(JSON.parse(run.outputs.gates!)).toMatchObject({
      coverage: 'pass',
      'branch-coverage': 'fail',
      tests: 'fail',
      lint: 'fail',
      commands: 'fail',
    });
    expect(run.stdout).toContain("error TS6133: 'unused' is declared but its value is never read.");
    expect(run.outputs.coverage).toBe(floorPct(summary.lines));
    expect(run.summary).toContain('gives silver customers 15 %');
    expect(run.summary).toContain('Quality gate failed');
    const failure = run.annotations.find((a) => a.message.startsWith('quality gate failed'));
    expect(failure?.message).toMatch(/branch-coverage/);
    // ESLint errors are annotated on their files and lines.
    const lintErrors = run.annotations.filter((a) => a.level === 'error' && a.properties.file);
    expect(lintErrors.map((a) => a.properties.file)).toEqual(
      expect.arrayContaining([expect.stringMatching(/src\/format\.js$/)]),
    );
  });

  it('passes when the thresholds and failure limits are relaxed through inputs', async () => {
    const reports = sample();
    const junit = junitCounts(reports.junit);
    const eslint = eslintCounts(reports.eslintJson);
    const run = await gate({
      coverage: rel(reports.coverageSummary),
      tests: rel(reports.junit),
      lint: rel(reports.eslintSarif),
      'min-coverage': '80',
      'min-branch-coverage': '50',
      'max-test-failures': String(junit.failed),
      'max-lint-errors': String(eslint.errors),
      'max-lint-warnings': String(eslint.warnings),
      run: runInput([process.execPath, toolEntries.tsc, '-p', 'tsconfig.json']),
    });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs.passed).toBe('true');
    expect(JSON.parse(run.outputs['failed-gates']!)).toEqual([]);
    expect(JSON.parse(run.outputs.gates!)).toEqual({
      coverage: 'pass',
      'branch-coverage': 'pass',
      tests: 'pass',
      lint: 'pass',
      commands: 'pass',
    });
    expect(run.summary).toContain('Quality gate passed');
  });
});
