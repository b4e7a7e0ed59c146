import { describe, expect, it } from 'vitest';
import { parseCobertura } from '../../../actions/quality-gate/parsers/cobertura.js';
import { parseEslint } from '../../../actions/quality-gate/parsers/eslint.js';
import { parseGitleaks } from '../../../actions/quality-gate/parsers/gitleaks.js';
import { parseIstanbulSummary } from '../../../actions/quality-gate/parsers/istanbul.js';
import { parseJunit } from '../../../actions/quality-gate/parsers/junit.js';
import { parseLcov } from '../../../actions/quality-gate/parsers/lcov.js';
import { parseNpmAudit } from '../../../actions/quality-gate/parsers/npm-audit.js';
import { parseSarif, parseSarifFile } from '../../../actions/quality-gate/parsers/sarif.js';
import { parseTrivy } from '../../../actions/quality-gate/parsers/trivy.js';
import { facts, filesIn, report, reportJson, reportText } from './fixtures.js';

const SEVERITY = { moderate: 'medium' } as Record<string, string>;
const BAND: Record<string, string> = {
  'critical(>=9)': 'critical',
  'high(7-8.9)': 'high',
  'medium(4-6.9)': 'medium',
  'low(<4)': 'low',
};

describe('npm audit v2', () => {
  it.each(filesIn('npm-audit'))('%s', (name) => {
    const expected = facts[name];
    const parsed = parseNpmAudit(reportJson(name), name);
    expect(parsed.stats.metadata).toEqual(expected['metadata.vulnerabilities']);
    expect(parsed.stats.packages).toBe(expected.vulnerabilities_map_entries);
    expect(parsed.stats.direct).toBe(expected.direct);
    expect(parsed.stats.advisories).toBe(expected.advisory_objects_in_via);
    const bySeverity = Object.fromEntries(
      Object.entries(expected.by_severity_from_map).map(([k, v]) => [SEVERITY[k] ?? k, v]),
    );
    expect(parsed.stats.bySeverity).toEqual(bySeverity);
    expect(parsed.findings).toHaveLength(expected.vulnerabilities_map_entries);
  });

  it('names every advisory a transitive package is vulnerable through', () => {
    const parsed = parseNpmAudit(reportJson('npm-audit/fabric_npm-audit_high-low.json'), 'audit.json');
    const flatCache = parsed.findings.find((f) => f.package === 'flat-cache')!;
    expect(flatCache.severity).toBe('high');
    expect(flatCache.advisories?.flat()).toEqual(
      expect.arrayContaining(['GHSA-25h7-pfq9-p65f', '1114526', 'GHSA-rf6f-7fwh-wjgh']),
    );
  });
});

describe('istanbul coverage-summary.json', () => {
  it.each(filesIn('coverage-summary'))('%s', (name) => {
    const expected = facts[name];
    const parsed = parseIstanbulSummary(reportJson(name), name);
    expect([parsed.lines!.covered, parsed.lines!.total]).toEqual(expected.lines);
    expect([parsed.branches!.covered, parsed.branches!.total]).toEqual(expected.branches);
    expect(parsed.files.size).toBe(expected.files);
    expect(Number(((parsed.lines!.covered / parsed.lines!.total) * 100).toFixed(2))).toBe(
      expected.total.lines,
    );
  });
});

describe('lcov', () => {
  it.each(filesIn('lcov'))('%s', async (name) => {
    const expected = facts[name];
    const parsed = await parseLcov(report(name), name, { keepFiles: true });
    expect(parsed.lines).toEqual({ covered: expected.LH, total: expected.LF });
    expect(parsed.functions).toEqual({ covered: expected.FNH, total: expected.FNF });
    expect(parsed.branches).toEqual({ covered: expected.BRH, total: expected.BRF });
    expect(parsed.stats.sections).toBe(expected.SF);
    expect(parsed.files.size).toBe(expected.distinct_SF);
    for (const record of ['DA', 'BRDA', 'FN', 'FNDA', 'FNL', 'FNA', 'VER', 'TN']) {
      expect(parsed.stats.records[record] ?? 0, record).toBe(expected[record]);
    }
  });
});

describe('Cobertura', () => {
  it.each(filesIn('cobertura'))('%s', (name) => {
    const expected = facts[name];
    const parsed = parseCobertura(reportText(name), name);
    expect(parsed.lines).toEqual({
      covered: Number(expected.attrs['lines-covered']),
      total: Number(expected.attrs['lines-valid']),
    });
    expect(parsed.branches).toEqual({
      covered: Number(expected.attrs['branches-covered']),
      total: Number(expected.attrs['branches-valid']),
    });
    expect(parsed.stats).toEqual({
      packages: expected.packages,
      classes: expected.classes,
      lineElements: expected.line_elements_in_classes,
      lineElementsHit: expected.line_elements_hit,
    });
  });
});

describe('JUnit', () => {
  it.each(filesIn('junit'))('%s', (name) => {
    const expected = facts[name];
    const parsed = parseJunit(reportText(name), name);
    expect(parsed.tests).toBe(expected.testcase_elements);
    expect(parsed.failed).toBe(expected.failed);
    expect(parsed.errored).toBe(expected.errored);
    expect(parsed.skipped).toBe(expected.skipped);
    expect(parsed.passed).toBe(expected.passed);
    expect(parsed.suites).toBe(expected.testsuites);
    expect(parsed.declared).toEqual(expected.sum_of_testsuite_attrs);
    expect(parsed.failures).toHaveLength(expected.failed + expected.errored);
  });
});

describe('SARIF', () => {
  it.each(filesIn('sarif'))('%s', (name) => {
    const expected = facts[name];
    const parsed = parseSarif(reportJson(name), name);
    expect(parsed.stats.runs).toBe(expected.runs);
    expect(parsed.stats.tools).toEqual(expected.tools);
    expect(parsed.stats.results).toBe(expected.results);
    expect(parsed.stats.byLevel).toEqual(expected.effective_level_after_rule_defaults);
    const bands = Object.fromEntries(
      Object.entries(expected['results_by_security-severity_band']).map(([k, v]) => [BAND[k], v]),
    );
    expect(parsed.stats.bySecuritySeverity).toEqual(bands);
    expect(parsed.stats.suppressed).toBe(expected.results_with_suppressions);
    expect(parsed.stats.notifications).toBe(expected.toolExecutionNotifications);
    expect(parsed.findings).toHaveLength(expected.results - expected.results_with_suppressions);
  });

  it.each(filesIn('sarif'))('%s read as a stream gives the same figures and findings', async (name) => {
    const whole = parseSarif(reportJson(name), name);
    const streamed = await parseSarifFile(report(name), name);
    expect(streamed.stats).toEqual(whole.stats);
    expect(streamed.findings).toEqual(whole.findings);
  });

  it('finds CodeQL rules in tool extensions and takes their security-severity', () => {
    const parsed = parseSarif(reportJson('sarif/codeql-2.9.2_juice-shop_javascript.sarif'), 'codeql.sarif');
    const critical = parsed.findings.filter((f) => f.severity === 'critical');
    expect(critical).toHaveLength(19);
    expect(critical.every((f) => (f.securitySeverity ?? 0) >= 9 && f.file && f.line)).toBe(true);
  });
});

describe('Trivy JSON', () => {
  it.each(filesIn('trivy-json'))('%s', (name) => {
    const expected = facts[name];
    const parsed = parseTrivy(reportJson(name), name);
    expect(parsed.stats.results).toBe(expected.Results);
    expect(parsed.stats.targets).toEqual(expected.targets);
    expect(parsed.stats.vulnerabilities).toBe(expected.vulnerabilities);
    expect(parsed.stats.bySeverity).toEqual(expected.by_severity);
    expect(parsed.stats.packages).toBe(expected.packages);
    expect(parsed.stats.misconfigurations).toBe(expected.misconfigurations);
    expect(parsed.stats.secrets).toBe(expected.secrets);
    expect(parsed.stats.trivyVersion ?? null).toBe(expected.trivy_version);
    expect(parsed.stats.artifactName).toBe(expected.ArtifactName);
  });
});

describe('ESLint JSON', () => {
  it.each(filesIn('eslint-json'))('%s', (name) => {
    const expected = facts[name];
    const parsed = parseEslint(reportJson(name), name);
    expect(parsed.stats).toEqual({
      files: expected.file_entries,
      filesWithMessages: expected.files_with_messages,
      errorCount: expected.errorCount,
      warningCount: expected.warningCount,
      fatalErrorCount: expected.fatalErrorCount,
      fixableErrorCount: expected.fixableErrorCount,
      fixableWarningCount: expected.fixableWarningCount,
      messages: expected.messages,
      suppressedMessages: expected.suppressedMessages,
    });
    expect(parsed.findings.filter((f) => f.level === 'error')).toHaveLength(
      expected.messages_by_severity['2'] ?? 0,
    );
  });
});

describe('gitleaks JSON', () => {
  it.each(filesIn('gitleaks'))('%s', (name) => {
    const expected = facts[name];
    const parsed = parseGitleaks(reportJson(name), name);
    expect(parsed.stats.findings).toBe(expected.findings);
    expect(parsed.stats.byRule).toEqual(expected.by_rule);
    expect(parsed.findings[0]).toMatchObject({ file: 'detect/detect_test.go', line: 32 });
    expect(JSON.stringify(parsed.findings)).not.toContain('****');
  });
});
