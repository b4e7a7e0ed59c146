import type { EnvironmentConfig } from '../../shared/config/index.js';
import { type AllowListState, allowedBy } from './allow-list.js';
import type { CategoryReports } from './collect.js';
import { type LicensePolicy, licenseFindings } from './licenses.js';
import { ACCEPTS, type Category } from './load-report.js';
import {
  COVERAGE_METRICS,
  type CoverageFigures,
  type CoverageMetric,
  type CoverageReport,
  type Finding,
  type FindingsReport,
  type Ratio,
  SEVERITIES,
  type Severity,
  type TestReport,
} from './model.js';
import { atLeast, levelAtLeast } from './severity.js';

export type Verdict = 'pass' | 'fail' | 'skipped';

export interface GateResult {
  name: string;
  threshold: string;
  actual: string;
  verdict: Verdict;
  /** Why it failed or was skipped, when the figures alone do not say. */
  reason?: string;
}

type Configured = EnvironmentConfig['quality'];

/** The `quality` config with the gate's own defaults filled in. */
export type Thresholds = Omit<Configured, 'failOnLevel' | 'licenses'> & {
  failOnLevel: NonNullable<Configured['failOnLevel']>;
  licenses: { deny: string[]; allow?: string[] | undefined };
};

export function withDefaults(quality: Configured): Thresholds {
  return {
    ...quality,
    failOnLevel: quality.failOnLevel ?? 'error',
    licenses: quality.licenses ?? { deny: [] },
  };
}

/** A finding judged: whether it blocks, and which allow-list entries cleared it. */
export interface JudgedFinding extends Finding {
  category: Category;
  blocking: boolean;
  allowedBy?: string[];
}

export interface Figures {
  coverage: Partial<Record<CoverageMetric, { covered: number; total: number; pct: number | null }>>;
  tests?: { tests: number; passed: number; failed: number; errored: number; skipped: number; flaky: number };
  vulnerabilities?: Record<Severity, number> & { total: number; blocking: number; allowed: number };
  codeScanning?: Record<Severity, number> & { total: number; blocking: number; suppressed: number };
  lint?: { errors: number; warnings: number };
  secrets?: { total: number };
  licenses?: { packages: number; rejected: number };
}

export interface Evaluation {
  passed: boolean;
  gates: GateResult[];
  figures: Figures;
  findings: JudgedFinding[];
  testFailures: TestReport['failures'];
  /** Allow-list ids that matched at least one finding. */
  usedAllowances: string[];
}

export interface EvaluateOptions {
  thresholds: Thresholds;
  allowList: AllowListState;
  /** Repository-relative paths changed against the base ref, when coverage is judged on those only. */
  changedFiles?: readonly string[];
}

/** Percent to two decimals, rounded down, so a shown figure never exceeds the real one. */
export function formatPct(pct: number | null | undefined): string {
  if (pct === null || pct === undefined) return 'unknown';
  return `${(Math.floor(pct * 100) / 100).toFixed(2)} %`;
}

function pctOf(ratio: Ratio): number | null {
  return ratio.total > 0 ? (ratio.covered / ratio.total) * 100 : null;
}

function matchesChanged(reportPath: string, changed: readonly string[]): boolean {
  const path = reportPath.replace(/\\/g, '/');
  return changed.some((file) => path === file || path.endsWith(`/${file}`));
}

/** Coverage summed over every report; with changed files, over their per-file figures only. */
export function coverageTotals(
  reports: readonly CoverageReport[],
  changedFiles?: readonly string[],
): Partial<Record<CoverageMetric, Ratio>> {
  const totals: Partial<Record<CoverageMetric, Ratio>> = {};
  const add = (figures: CoverageFigures) => {
    for (const metric of COVERAGE_METRICS) {
      const ratio = figures[metric];
      if (!ratio) continue;
      const sum = totals[metric] ?? { covered: 0, total: 0 };
      totals[metric] = sum;
      sum.covered += ratio.covered;
      sum.total += ratio.total;
    }
  };
  for (const report of reports) {
    if (!changedFiles) add(report);
    else for (const [path, figures] of report.files) if (matchesChanged(path, changedFiles)) add(figures);
  }
  return totals;
}

function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const finding of findings) counts[finding.severity]++;
  return counts;
}

function describeCounts(counts: Record<Severity, number>): string {
  const parts = SEVERITIES.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`);
  return parts.length ? parts.join(', ') : 'none';
}

const COVERAGE_GATE: Record<CoverageMetric, string> = {
  lines: 'coverage',
  branches: 'branch-coverage',
  functions: 'function-coverage',
  statements: 'statement-coverage',
};

const GATE_OF: Record<Category, string> = {
  coverage: 'coverage',
  tests: 'tests',
  vulnerabilities: 'vulnerabilities',
  sarif: 'code-scanning',
  lint: 'lint',
  secrets: 'secrets',
  sbom: 'licenses',
};

/**
 * Why a category cannot be judged: no file matched, or a file could not be read. Either fails
 * the gate — no data is never a pass — unless the input is optional and simply had no file.
 */
function unusable(entry: CategoryReports): GateResult | undefined {
  const name = GATE_OF[entry.category];
  if (entry.errors.length) {
    return {
      name,
      threshold: '',
      actual: 'unreadable report',
      verdict: 'fail',
      reason: entry.errors.join('; '),
    };
  }
  if (entry.missing) {
    const patterns = entry.patterns.join(', ');
    if (entry.optional) {
      return {
        name,
        threshold: '',
        actual: 'no report',
        verdict: 'skipped',
        reason: `optional: no file matches ${patterns}`,
      };
    }
    return {
      name,
      threshold: '',
      actual: 'no report',
      verdict: 'fail',
      reason: `no file matches ${patterns} (expected ${ACCEPTS[entry.category]}); mark the input optional if it may be absent`,
    };
  }
  return undefined;
}

export function evaluate(categories: readonly CategoryReports[], options: EvaluateOptions): Evaluation {
  const { thresholds, allowList } = options;
  const gates: GateResult[] = [];
  const figures: Figures = { coverage: {} };
  const findings: JudgedFinding[] = [];
  const testFailures: TestReport['failures'] = [];
  const used = new Set<string>();

  const judge = (category: Category, finding: Finding, blocking: boolean): JudgedFinding => {
    // The allow-list names advisories and scanner rules; lint, secrets and licences have none.
    const allowed =
      category === 'vulnerabilities' || category === 'sarif' ? allowedBy(finding, allowList) : undefined;
    if (allowed) for (const entry of allowed) used.add(entry.id);
    const judged: JudgedFinding = {
      ...finding,
      category,
      blocking: blocking && !allowed,
      ...(allowed ? { allowedBy: allowed.map((entry) => entry.id) } : {}),
    };
    findings.push(judged);
    return judged;
  };

  for (const entry of categories) {
    const problem = unusable(entry);
    const findingsReports = entry.reports.flatMap((r) =>
      r.category !== 'coverage' && r.category !== 'tests' && r.category !== 'sbom'
        ? [r.report as FindingsReport]
        : [],
    );
    switch (entry.category) {
      case 'coverage': {
        const reports = entry.reports.flatMap((r) => (r.category === 'coverage' ? [r.report] : []));
        const totals = coverageTotals(reports, options.changedFiles);
        for (const metric of COVERAGE_METRICS) {
          const ratio = totals[metric];
          if (ratio) figures.coverage[metric] = { ...ratio, pct: pctOf(ratio) };
        }
        const scope = options.changedFiles ? ' (changed files)' : '';
        for (const metric of COVERAGE_METRICS) {
          const min = thresholds.coverage[metric];
          if (min === undefined) continue;
          const name = COVERAGE_GATE[metric];
          if (problem) {
            gates.push({ ...problem, name, threshold: `≥ ${min} %` });
            continue;
          }
          const pct = figures.coverage[metric]?.pct ?? null;
          const ratio = totals[metric];
          if (pct === null) {
            gates.push({
              name,
              threshold: `≥ ${min} %`,
              actual: 'unknown',
              verdict: 'fail',
              reason: options.changedFiles
                ? `no ${metric} data for the changed files in the coverage reports`
                : `the coverage reports have no ${metric} data (0 of 0): unknown coverage is a failure`,
            });
            continue;
          }
          gates.push({
            name,
            threshold: `≥ ${min} %${scope}`,
            actual: `${formatPct(pct)} (${ratio!.covered}/${ratio!.total})`,
            verdict: pct >= min ? 'pass' : 'fail',
          });
        }
        break;
      }
      case 'tests': {
        const reports = entry.reports.flatMap((r) => (r.category === 'tests' ? [r.report] : []));
        const sum = { tests: 0, passed: 0, failed: 0, errored: 0, skipped: 0, flaky: 0 };
        for (const report of reports) {
          for (const key of Object.keys(sum) as (keyof typeof sum)[]) sum[key] += report[key];
          testFailures.push(...report.failures);
        }
        const threshold = `≤ ${thresholds.maxTestFailures} failed`;
        if (problem) {
          gates.push({ ...problem, threshold });
          break;
        }
        figures.tests = sum;
        const broken = sum.failed + sum.errored;
        gates.push({
          name: 'tests',
          threshold,
          actual: `${broken} failed of ${sum.tests} (${sum.passed} passed, ${sum.skipped} skipped${sum.flaky ? `, ${sum.flaky} flaky` : ''})`,
          verdict: sum.tests === 0 || broken > thresholds.maxTestFailures ? 'fail' : 'pass',
          ...(sum.tests === 0 ? { reason: 'the reports hold no test cases' } : {}),
        });
        break;
      }
      case 'vulnerabilities': {
        const threshold = `none ≥ ${thresholds.failOnSeverity}`;
        const judged = findingsReports.flatMap((report) =>
          report.findings.map((f) =>
            judge('vulnerabilities', f, atLeast(f.severity, thresholds.failOnSeverity)),
          ),
        );
        if (problem) {
          gates.push({ ...problem, threshold });
          break;
        }
        const counts = countBySeverity(judged);
        const blocking = judged.filter((f) => f.blocking).length;
        const allowed = judged.filter((f) => f.allowedBy).length;
        figures.vulnerabilities = { ...counts, total: judged.length, blocking, allowed };
        gates.push({
          name: 'vulnerabilities',
          threshold,
          actual: `${blocking} blocking (found: ${describeCounts(counts)}${allowed ? `; ${allowed} allowed` : ''})`,
          verdict: blocking > 0 ? 'fail' : 'pass',
        });
        break;
      }
      case 'sarif': {
        const threshold = `none ≥ ${thresholds.failOnSeverity} (security), none at level ≥ ${thresholds.failOnLevel}`;
        const judged = findingsReports.flatMap((report) =>
          report.findings.map((f) =>
            judge(
              'sarif',
              f,
              f.securitySeverity !== undefined && f.securitySeverity > 0
                ? atLeast(f.severity, thresholds.failOnSeverity)
                : levelAtLeast(f.level ?? 'warning', thresholds.failOnLevel),
            ),
          ),
        );
        if (problem) {
          gates.push({ ...problem, name: 'code-scanning', threshold });
          break;
        }
        const counts = countBySeverity(judged);
        const blocking = judged.filter((f) => f.blocking).length;
        const suppressed = findingsReports.reduce((n, r) => n + r.suppressed, 0);
        figures.codeScanning = { ...counts, total: judged.length, blocking, suppressed };
        gates.push({
          name: 'code-scanning',
          threshold,
          actual: `${blocking} blocking of ${judged.length} (${describeCounts(counts)}${suppressed ? `; ${suppressed} suppressed` : ''})`,
          verdict: blocking > 0 ? 'fail' : 'pass',
        });
        break;
      }
      case 'lint': {
        const all = findingsReports.flatMap((report) => report.findings);
        const errors = all.filter((f) => f.level === 'error').length;
        const warnings = all.filter((f) => f.level === 'warning').length;
        const maxWarnings = thresholds.maxLintWarnings;
        const threshold = `≤ ${thresholds.maxLintErrors} errors${maxWarnings !== undefined ? `, ≤ ${maxWarnings} warnings` : ''}`;
        const tooManyErrors = errors > thresholds.maxLintErrors;
        const tooManyWarnings = maxWarnings !== undefined && warnings > maxWarnings;
        for (const f of all) {
          judge(
            'lint',
            f,
            (f.level === 'error' && tooManyErrors) || (f.level === 'warning' && tooManyWarnings),
          );
        }
        if (problem) {
          gates.push({ ...problem, threshold });
          break;
        }
        figures.lint = { errors, warnings };
        gates.push({
          name: 'lint',
          threshold,
          actual: `${errors} errors, ${warnings} warnings`,
          verdict: tooManyErrors || tooManyWarnings ? 'fail' : 'pass',
        });
        break;
      }
      case 'secrets': {
        const all = findingsReports.flatMap((report) => report.findings);
        const over = all.length > thresholds.maxSecrets;
        // A leaked credential outranks any scanner score: it is usable as found.
        for (const f of all) judge('secrets', { ...f, severity: 'critical', securitySeverity: 10 }, over);
        const threshold = `≤ ${thresholds.maxSecrets}`;
        if (problem) {
          gates.push({ ...problem, threshold });
          break;
        }
        figures.secrets = { total: all.length };
        gates.push({
          name: 'secrets',
          threshold,
          actual: `${all.length} found`,
          verdict: over ? 'fail' : 'pass',
        });
        break;
      }
      case 'sbom': {
        const policy: LicensePolicy = {
          deny: thresholds.licenses.deny,
          ...(thresholds.licenses.allow ? { allow: thresholds.licenses.allow } : {}),
        };
        const sboms = entry.reports.flatMap((r) => (r.category === 'sbom' ? [r.report] : []));
        const rejected = sboms.flatMap((sbom) => licenseFindings(sbom, policy));
        for (const f of rejected) judge('sbom', f, true);
        const threshold = [
          policy.deny.length ? `deny ${policy.deny.join(', ')}` : '',
          policy.allow ? `allow only ${policy.allow.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('; ');
        if (problem) {
          gates.push({ ...problem, threshold });
          break;
        }
        const packages = sboms.reduce((n, s) => n + s.packages.length, 0);
        figures.licenses = { packages, rejected: rejected.length };
        if (!policy.deny.length && !policy.allow) {
          gates.push({
            name: 'licenses',
            threshold: 'no policy',
            actual: `${packages} packages`,
            verdict: 'fail',
            reason:
              'an SBOM was given but no licence policy: set quality.licenses.deny/allow or the licenses-deny/licenses-allow inputs',
          });
          break;
        }
        gates.push({
          name: 'licenses',
          threshold,
          actual: `${rejected.length} rejected of ${packages} packages`,
          verdict: packages === 0 || rejected.length > 0 ? 'fail' : 'pass',
          ...(packages === 0 ? { reason: 'the SBOM lists no packages' } : {}),
        });
        break;
      }
    }
  }
  return {
    // Skipped gates alone judged nothing, and nothing judged is not a pass.
    passed: gates.some((g) => g.verdict === 'pass') && gates.every((g) => g.verdict !== 'fail'),
    gates,
    figures,
    findings,
    testFailures,
    usedAllowances: [...used],
  };
}
