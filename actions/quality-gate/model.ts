/** Severities from worst to least; every scanner's scale is mapped onto this one. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The thresholds a user may choose from (`info` never blocks). */
export const FAIL_ON_SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type FailOnSeverity = (typeof FAIL_ON_SEVERITIES)[number];

/** SARIF result levels, worst first. */
export const SARIF_LEVELS = ['error', 'warning', 'note', 'none'] as const;
export type SarifLevel = (typeof SARIF_LEVELS)[number];

/** Covered out of total; a total of zero means the figure is unknown, never 100 %. */
export interface Ratio {
  covered: number;
  total: number;
}

export interface CoverageFigures {
  lines?: Ratio;
  branches?: Ratio;
  functions?: Ratio;
  statements?: Ratio;
}

export type CoverageMetric = keyof CoverageFigures;
export const COVERAGE_METRICS: readonly CoverageMetric[] = ['lines', 'branches', 'functions', 'statements'];

export interface CoverageReport extends CoverageFigures {
  format: 'istanbul-summary' | 'istanbul-final' | 'lcov' | 'cobertura';
  file: string;
  /** Per source file, keyed by the path as the report writes it. */
  files: Map<string, CoverageFigures>;
}

export interface TestCaseFailure {
  name: string;
  classname?: string;
  kind: 'failure' | 'error';
  message?: string;
  file?: string;
  line?: number;
}

export interface TestReport {
  format: 'junit';
  file: string;
  suites: number;
  tests: number;
  passed: number;
  failed: number;
  errored: number;
  skipped: number;
  /** Passed only on a rerun (surefire flakyFailure/flakyError). */
  flaky: number;
  failures: TestCaseFailure[];
}

/** One problem a gate judges: a vulnerability, a lint message, a scanner result, a secret. */
export interface Finding {
  severity: Severity;
  /** Rule or advisory id. */
  id: string;
  /** Further ids the same problem is known by (CVE, GHSA), for the allow-list. */
  aliases?: string[];
  /**
   * For a package vulnerable through several advisories: the names of each one. The finding is
   * allowed only when every advisory is.
   */
  advisories?: string[][];
  title: string;
  /** The tool that reported it. */
  tool: string;
  /** The report it came from. */
  report: string;
  file?: string;
  line?: number;
  column?: number;
  /** SARIF level, when the finding came from SARIF or a lint report. */
  level?: SarifLevel;
  /** SARIF `security-severity`, when the rule has one. */
  securitySeverity?: number;
  /** The package a dependency finding is about. */
  package?: string;
}

export interface FindingsReport {
  format: 'npm-audit' | 'sarif' | 'trivy' | 'eslint' | 'gitleaks';
  file: string;
  tool: string;
  findings: Finding[];
  /** Results marked suppressed in the report (not counted). */
  suppressed: number;
}
