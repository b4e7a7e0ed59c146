import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadReport } from '../../../actions/quality-gate/load-report.js';
import { parseLcov } from '../../../actions/quality-gate/parsers/lcov.js';
import { parseNpmAuditText } from '../../../actions/quality-gate/parsers/npm-audit.js';
import { ReportError } from '../../../actions/quality-gate/report-error.js';
import { report, reportText } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'qg-malformed-'));
function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('malformed and mismatched reports fail naming the file and position', () => {
  it('truncated SARIF: line and column of the break', async () => {
    const text = reportText('sarif/trivy_config-terraform.sarif');
    const path = file('cut.sarif', text.slice(0, 5000));
    const error = await loadReport('sarif', path, 'reports/cut.sarif', dir).catch((e) => e);
    expect(error).toBeInstanceOf(ReportError);
    expect(error.message).toMatch(/^reports\/cut\.sarif:\d+:\d+: the report is not valid JSON/);
  });

  it('broken JUnit XML: the validator position', async () => {
    const path = file(
      'junit.xml',
      '<testsuites>\n  <testsuite name="a">\n    <testcase name="x">\n</testsuites>\n',
    );
    const error = await loadReport('tests', path, 'junit.xml', dir).catch((e) => e);
    expect(error.message).toMatch(/^junit\.xml:\d+(:\d+)?: the JUnit report is not well-formed XML/);
  });

  it('lcov without end_of_record is truncated, not a smaller report', async () => {
    const text = reportText('lcov/gcovr_nested-linked-gcc14_coverage.lcov');
    const path = file('cut.info', text.slice(0, text.lastIndexOf('end_of_record')));
    await expect(parseLcov(path, 'cut.info')).rejects.toThrow(
      /cut\.info:\d+: the last section .* has no end_of_record/,
    );
  });

  it('lcov with a bad count names the line', async () => {
    const path = file('bad.info', 'SF:a.ts\nDA:1,x\nend_of_record\n');
    await expect(parseLcov(path, 'bad.info')).rejects.toThrow(
      'bad.info:2: DA record has "x" where a count belongs',
    );
  });

  it('an empty file is not zero findings', async () => {
    const path = file('empty.json', '');
    await expect(loadReport('vulnerabilities', path, 'empty.json', dir)).rejects.toThrow(/empty\.json: /);
    await expect(loadReport('coverage', path, 'empty.json', dir)).rejects.toThrow(
      'empty.json: the report is empty',
    );
  });

  it('a report given to the wrong input says what it is and what was expected', async () => {
    await expect(
      loadReport('tests', report('eslint-json/eslint_unused-disable-directive.json'), 'eslint.json', dir),
    ).rejects.toThrow('eslint.json: is not XML, but the "tests" input expects JUnit XML');
    await expect(
      loadReport('secrets', report('npm-audit/audit-ci_npm7-low.json'), 'audit.json', dir),
    ).rejects.toThrow(
      'audit.json: is an npm audit report, but the "secrets" input expects gitleaks JSON or SARIF',
    );
  });

  it('npm audit error object, with npm error lines around it, is an error', () => {
    const text = [
      'npm error code ENOLOCK',
      'npm error audit This command requires an existing lockfile.',
      '{',
      '  "error": {',
      '    "code": "ENOLOCK",',
      '    "summary": "This command requires an existing lockfile.",',
      '    "detail": "Try creating one first with: npm i --package-lock-only"',
      '  }',
      '}',
      'npm error A complete log of this run can be found in: /tmp/x.log',
    ].join('\n');
    expect(() => parseNpmAuditText(text, 'npm-audit.json')).toThrow(
      'npm-audit.json: npm audit did not run: ENOLOCK: This command requires an existing lockfile.',
    );
  });

  it('an empty gitleaks report is zero secrets; an empty ESLint report is nothing linted', async () => {
    const path = file('empty-array.json', '[]');
    const secrets = await loadReport('secrets', path, 'gitleaks.json', dir);
    expect(secrets.category === 'secrets' && secrets.report.findings).toEqual([]);
    await expect(loadReport('lint', path, 'eslint.json', dir)).rejects.toThrow('nothing was linted');
  });
});

describe('lcov 2 function records', () => {
  it('counts FNL/FNA functions, aliases sharing one index', async () => {
    const path = file(
      'fnl.info',
      [
        'SF:src/a.c',
        'FNL:0,3,7',
        'FNA:0,4,main',
        'FNL:1,9,12',
        'FNA:1,0,helper',
        'FNA:1,0,helper_alias',
        'DA:3,4',
        'DA:9,0',
        'end_of_record',
      ].join('\n'),
    );
    const parsed = await parseLcov(path, 'fnl.info');
    expect(parsed.functions).toEqual({ covered: 1, total: 2 });
    expect(parsed.lines).toEqual({ covered: 1, total: 2 });
    expect(parsed.branches).toEqual({ covered: 0, total: 0 });
  });
});
