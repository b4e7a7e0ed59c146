import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyAuditFile } from '../../../shared/audit/index.js';
import { type ActionRun, repoRoot, runAction } from '../../support/harness.js';

const REPORTS = join(repoRoot, 'test/fixtures/reports');

/** A workspace holding the named real-world reports at the same relative paths. */
function workspace(reports: string[], extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'quality-gate-ws-'));
  for (const name of reports) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    cpSync(join(REPORTS, name), join(dir, name));
  }
  for (const [name, content] of Object.entries(extra)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

function auditTypes(run: ActionRun): string[] {
  return readFileSync(run.outputs['audit-log']!, 'utf8')
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { type: string }).type);
}

describe('quality-gate (dist bundle, as the runner runs it)', () => {
  it('passes on good reports: outputs, per-gate summary, JSON report and a verified audit trail', async () => {
    const ws = workspace(
      [
        'coverage-summary/ngx-bdir_coverage-summary.json',
        'lcov/grandlinex-core_istanbul_lcov.info',
        'npm-audit/audit-ci_npm7-low.json',
        'sarif/eslint_iframe-resizer.sarif',
      ],
      { 'gitleaks/report.json': '[]\n' },
    );
    const run = await runAction({
      action: 'quality-gate',
      workspace: ws,
      inputs: {
        environment: 'production',
        coverage: 'coverage-summary/*.json\nlcov/*.info',
        vulnerabilities: 'npm-audit/*.json',
        sarif: 'sarif/*.sarif',
        secrets: 'gitleaks/*.json',
      },
    });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs.passed).toBe('true');
    // (48 + 1277) / (48 + 1477) lines, summed over both reports.
    expect(run.outputs.coverage).toBe('86.88');
    expect(JSON.parse(run.outputs['failed-gates']!)).toEqual([]);
    expect(JSON.parse(run.outputs.vulnerabilities!)).toMatchObject({ low: 1, total: 1, blocking: 0 });
    expect(JSON.parse(run.outputs.gates!)).toEqual({
      coverage: 'pass',
      vulnerabilities: 'pass',
      'code-scanning': 'pass',
      secrets: 'pass',
    });
    expect(run.summary).toContain('Quality gate passed');
    expect(run.summary).toMatch(/\| coverage \| ≥ 70 % \| 86\.88 % \(1325\/1525\) \| ✅ pass \|/);
    expect(run.summary).toContain('12 suppressed');

    const report = JSON.parse(readFileSync(run.outputs.report!, 'utf8'));
    expect(report.passed).toBe(true);
    expect(report.reports).toHaveLength(5);

    expect(auditTypes(run)).toEqual([
      'dev.cdevents.taskrun.started.0.3.0',
      'dev.deploy-actions.quality-gate.evaluated.v1',
      'dev.cdevents.taskrun.finished.0.3.0',
    ]);
    const evaluated = JSON.parse(readFileSync(run.outputs['audit-log']!, 'utf8').trim().split('\n')[1]!);
    expect(evaluated.data.outcome).toBe('success');
    expect(evaluated.data.details.figures.coverage.lines).toMatchObject({ covered: 1325, total: 1525 });
    expect((await verifyAuditFile(run.outputs['audit-log']!)).ok).toBe(true);
  });

  it('fails on real findings, annotating the worst within GitHub limits', async () => {
    const ws = workspace([
      'junit/jest-junit_jest-test-results.xml',
      'sarif/codeql-2.9.2_juice-shop_javascript.sarif',
      'npm-audit/fabric_npm-audit_high-low.json',
      'trivy-json/trivy_fs_prometheus-mcp-server.json',
      'eslint-json/eslint_tmx.json',
      'gitleaks/gitleaks_baseline_redacted.json',
      'cobertura/labrea_coveragepy-7.8.0_coverage.xml',
    ]);
    const run = await runAction({
      action: 'quality-gate',
      workspace: ws,
      inputs: {
        environment: 'staging',
        coverage: 'cobertura/*.xml',
        'min-branch-coverage': '50',
        tests: 'junit/*.xml',
        vulnerabilities: 'npm-audit/*.json\ntrivy-json/*.json',
        sarif: 'sarif/*.sarif',
        lint: 'eslint-json/*.json',
        secrets: 'gitleaks/*.json',
      },
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.passed).toBe('false');
    expect(run.outputs.coverage).toBe('94.69');
    // Cobertura from coverage.py without branch data: unknown, so the branch gate fails.
    expect(run.outputs['branch-coverage']).toBe('');
    expect(JSON.parse(run.outputs['failed-gates']!)).toEqual([
      'branch-coverage',
      'tests',
      'vulnerabilities',
      'code-scanning',
      'lint',
      'secrets',
    ]);
    expect(JSON.parse(run.outputs.vulnerabilities!)).toMatchObject({
      critical: 1,
      high: 4,
      low: 1,
      blocking: 5,
    });
    const figures = JSON.parse(run.outputs.figures!);
    expect(figures.tests).toMatchObject({ tests: 4239, failed: 2, skipped: 30 });
    expect(figures.lint).toEqual({ errors: 415, warnings: 11 });
    expect(figures.codeScanning).toMatchObject({ critical: 19, total: 422 });

    const byLevel = (level: string) => run.annotations.filter((a) => a.level === level);
    expect(byLevel('error').length).toBeLessThanOrEqual(10);
    expect(byLevel('warning').length).toBeLessThanOrEqual(10);
    // The worst come first: secrets are critical, then critical CodeQL results with a file and line.
    expect(byLevel('error')[0]!.properties.title).toContain('gitleaks');
    const codeql = byLevel('error').filter((a) => a.properties.title?.startsWith('CodeQL'));
    expect(codeql.length).toBeGreaterThan(0);
    expect(
      codeql.every(
        (a) => a.properties.title!.includes('(critical)') && a.properties.file && a.properties.line,
      ),
    ).toBe(true);
    // The step's own failure message is one of the errors and names the failed gates.
    expect(byLevel('error').at(-1)!.message).toMatch(/^quality gate failed: branch-coverage/);
    expect(run.stdout).toMatch(/more error annotation\(s\) not shown/);
    expect(run.summary).toContain('Worst findings');
    expect(run.summary).toContain('Quality gate failed');
    expect(auditTypes(run).at(-1)).toBe('dev.cdevents.taskrun.finished.0.3.0');
  });

  it('no data is never a pass: an empty glob and a malformed report fail, naming the file', async () => {
    const sarif = readFileSync(join(REPORTS, 'sarif/trivy_config-terraform.sarif'), 'utf8');
    const ws = workspace([], { 'scans/trivy.sarif': sarif.slice(0, 4000) });
    const run = await runAction({
      action: 'quality-gate',
      workspace: ws,
      inputs: { environment: 'production', tests: 'reports/junit-*.xml', sarif: 'scans/*.sarif' },
    });
    expect(run.exitCode).toBe(1);
    expect(JSON.parse(run.outputs['failed-gates']!)).toEqual(['tests', 'code-scanning']);
    const failure = run.annotations.find((a) => a.message.startsWith('quality gate failed'))!.message;
    expect(failure).toContain('no file matches reports/junit-*.xml');
    expect(failure).toMatch(/scans\/trivy\.sarif:\d+:\d+: the report is not valid JSON/);
  });

  it('takes thresholds and an allow-list from the environment config; inputs override', async () => {
    const config = [
      'environment:',
      '  name: production',
      'quality:',
      '  coverage:',
      '    lines: 90',
      '  failOnSeverity: critical',
      '  allowAdvisories:',
      '    - id: GHSA-vqfr-h8mv-ghfj',
      '      reason: h11 only parses trusted upstream traffic',
      '      expires: "2999-12-31"',
      '    - id: CVE-2020-0001',
      '      reason: old exception',
      '      expires: "2020-01-31"',
      '',
    ].join('\n');
    const ws = workspace(
      ['lcov/grandlinex-core_istanbul_lcov.info', 'trivy-json/trivy_fs_prometheus-mcp-server.json'],
      { 'deploy/environments/production.yml': config },
    );
    const base = { environment: 'production', coverage: 'lcov/*.info', vulnerabilities: 'trivy-json/*.json' };
    const strict = await runAction({ action: 'quality-gate', workspace: ws, inputs: base });
    expect(JSON.parse(strict.outputs['failed-gates']!)).toEqual(['coverage']);
    expect(strict.summary).toContain('≥ 90 %');
    expect(JSON.parse(strict.outputs.vulnerabilities!)).toMatchObject({
      critical: 1,
      high: 1,
      allowed: 1,
      blocking: 0,
    });
    expect(strict.annotations.some((a) => a.level === 'warning' && a.message.includes('CVE-2020-0001'))).toBe(
      true,
    );

    const relaxed = await runAction({
      action: 'quality-gate',
      workspace: ws,
      inputs: { ...base, 'min-coverage': '80' },
    });
    expect(relaxed.exitCode).toBe(0);
    expect(relaxed.outputs.passed).toBe('true');

    const bad = await runAction({
      action: 'quality-gate',
      workspace: ws,
      inputs: { ...base, 'fail-on-severity': 'severe' },
    });
    expect(bad.exitCode).toBe(1);
    expect(bad.annotations[0]!.message).toContain(
      'input "fail-on-severity": expected one of critical, high, medium, low',
    );
  });

  it('runs the given commands first, as argument arrays, and reads what they wrote', async () => {
    const ws = workspace([]);
    const junit = '<testsuite name="s" tests="1"><testcase name="ok"/></testsuite>';
    const run = await runAction({
      action: 'quality-gate',
      workspace: ws,
      inputs: {
        environment: 'production',
        tests: 'out/junit.xml',
        run: [
          `- [node, -e, "require('fs').mkdirSync('out');require('fs').writeFileSync('out/junit.xml', process.argv[1])", '${junit}']`,
          '- [node, -e, "process.exit(3)"]',
        ].join('\n'),
      },
    });
    expect(run.stdout).toContain('::group::$ node -e');
    expect(existsSync(join(ws, 'out/junit.xml'))).toBe(true);
    expect(JSON.parse(run.outputs.gates!)).toEqual({ commands: 'fail', tests: 'pass' });
    expect(run.summary).toContain('1 of 2 succeeded');
    expect(run.exitCode).toBe(1);
  });

  it('changed-files-only judges coverage on the files changed since the base ref', async () => {
    const ws = workspace([]);
    const git = (...args: string[]) =>
      execFileSync('git', args, {
        cwd: ws,
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 't',
          GIT_AUTHOR_EMAIL: 't@x',
          GIT_COMMITTER_NAME: 't',
          GIT_COMMITTER_EMAIL: 't@x',
        },
      });
    mkdirSync(join(ws, 'src'));
    writeFileSync(join(ws, 'src/old.ts'), 'old\n');
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-qm', 'base');
    writeFileSync(join(ws, 'src/new.ts'), 'new\n');
    git('add', '.');
    git('commit', '-qm', 'change');
    writeFileSync(
      join(ws, 'lcov.info'),
      `SF:${ws}/src/old.ts\nLF:100\nLH:10\nend_of_record\nSF:${ws}/src/new.ts\nLF:10\nLH:9\nend_of_record\n`,
    );
    const inputs = { environment: 'production', coverage: 'lcov.info', 'base-ref': 'HEAD~1' };
    const all = await runAction({ action: 'quality-gate', workspace: ws, inputs });
    expect(all.outputs.coverage).toBe('17.27');
    const changed = await runAction({
      action: 'quality-gate',
      workspace: ws,
      inputs: { ...inputs, 'changed-files-only': 'true' },
    });
    expect(changed.exitCode).toBe(0);
    expect(changed.outputs.coverage).toBe('90');
    expect(changed.summary).toContain('1 file(s) changed since `HEAD~1`');

    const unknownBase = await runAction({
      action: 'quality-gate',
      workspace: ws,
      inputs: { ...inputs, 'changed-files-only': 'true', 'base-ref': 'origin/nope' },
    });
    expect(unknownBase.exitCode).toBe(1);
    expect(unknownBase.annotations[0]!.message).toContain(
      'changed-files-only: cannot diff against "origin/nope"',
    );
  });
});
