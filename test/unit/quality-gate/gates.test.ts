import { describe, expect, it } from 'vitest';
import { allowListState } from '../../../actions/quality-gate/allow-list.js';
import type { CategoryReports } from '../../../actions/quality-gate/collect.js';
import { evaluate, withDefaults } from '../../../actions/quality-gate/gates.js';
import { parseAllowAdvisories, parseRunCommands } from '../../../actions/quality-gate/inputs.js';
import { licenseAcceptable } from '../../../actions/quality-gate/licenses.js';
import type { LoadedReport } from '../../../actions/quality-gate/load-report.js';
import { parseIstanbulSummary } from '../../../actions/quality-gate/parsers/istanbul.js';
import { parseNpmAudit } from '../../../actions/quality-gate/parsers/npm-audit.js';
import { parseSarif } from '../../../actions/quality-gate/parsers/sarif.js';
import { securitySeverityBand } from '../../../actions/quality-gate/severity.js';
import { environmentConfigSchema } from '../../../shared/config/index.js';
import { reportJson } from './fixtures.js';

const defaults = () =>
  withDefaults(environmentConfigSchema.parse({ environment: { name: 'production' } }).quality);
const none = allowListState([], '2026-01-01');

function entry(
  category: CategoryReports['category'],
  reports: LoadedReport[],
  extra: Partial<CategoryReports> = {},
): CategoryReports {
  return { category, patterns: ['x'], reports, errors: [], missing: false, optional: false, ...extra };
}

describe('security-severity bands as GitHub draws them', () => {
  it.each([
    [9.8, 'critical'],
    [9.0, 'critical'],
    [8.9, 'high'],
    [7.0, 'high'],
    [6.9, 'medium'],
    [4.0, 'medium'],
    [3.9, 'low'],
    [0.1, 'low'],
    [0, undefined],
  ])('%s → %s', (score, band) => expect(securitySeverityBand(score)).toBe(band));
});

describe('coverage gate', () => {
  it('seed threshold 70 %: 50.71 % fails, 100 % passes', () => {
    const low = parseIstanbulSummary(
      reportJson('coverage-summary/react-admin-import-csv_coverage-summary.json'),
      'a',
    );
    const high = parseIstanbulSummary(reportJson('coverage-summary/ngx-bdir_coverage-summary.json'), 'b');
    const fail = evaluate([entry('coverage', [{ category: 'coverage', report: low }])], {
      thresholds: defaults(),
      allowList: none,
    });
    expect(fail.gates[0]).toMatchObject({ name: 'coverage', verdict: 'fail', actual: '50.71 % (71/140)' });
    const pass = evaluate([entry('coverage', [{ category: 'coverage', report: high }])], {
      thresholds: defaults(),
      allowList: none,
    });
    expect(pass.passed).toBe(true);
  });

  it('unknown coverage (0 of 0) is a failure, not 100 %', () => {
    const report = parseIstanbulSummary(
      { total: { lines: { total: 0, covered: 0, pct: 'Unknown' } } },
      'coverage-summary.json',
    );
    const result = evaluate([entry('coverage', [{ category: 'coverage', report }])], {
      thresholds: defaults(),
      allowList: none,
    });
    expect(result.gates[0]).toMatchObject({ verdict: 'fail', actual: 'unknown' });
    expect(result.passed).toBe(false);
  });

  it('changed files only: judged on the matching per-file figures', () => {
    const report = parseIstanbulSummary(
      reportJson('coverage-summary/react-admin-import-csv_coverage-summary.json'),
      'a',
    );
    const [firstFile] = [...report.files.keys()];
    const relative = firstFile!.split('/').slice(-2).join('/');
    const result = evaluate([entry('coverage', [{ category: 'coverage', report }])], {
      thresholds: defaults(),
      allowList: none,
      changedFiles: [relative],
    });
    const lines = report.files.get(firstFile!)!.lines!;
    expect(result.figures.coverage.lines).toMatchObject(lines);
    const nothing = evaluate([entry('coverage', [{ category: 'coverage', report }])], {
      thresholds: defaults(),
      allowList: none,
      changedFiles: ['README.md'],
    });
    expect(nothing.gates[0]).toMatchObject({ verdict: 'fail', actual: 'unknown' });
  });
});

describe('missing reports', () => {
  it('an empty glob fails unless the input is optional', () => {
    const missing = evaluate([entry('tests', [], { missing: true, patterns: ['junit/*.xml'] })], {
      thresholds: defaults(),
      allowList: none,
    });
    expect(missing.gates[0]).toMatchObject({ name: 'tests', verdict: 'fail' });
    expect(missing.gates[0]!.reason).toContain('no file matches junit/*.xml');
    const optional = evaluate([entry('tests', [], { missing: true, optional: true })], {
      thresholds: defaults(),
      allowList: none,
    });
    expect(optional.gates[0]!.verdict).toBe('skipped');
    // Nothing judged is not a pass.
    expect(optional.passed).toBe(false);
  });
});

describe('vulnerability gate and allow-list', () => {
  const fabric = () => parseNpmAudit(reportJson('npm-audit/fabric_npm-audit_high-low.json'), 'audit.json');

  it('fails on high at the seed threshold; passes on low-only at high', () => {
    const result = evaluate([entry('vulnerabilities', [{ category: 'vulnerabilities', report: fabric() }])], {
      thresholds: defaults(),
      allowList: none,
    });
    expect(result.figures.vulnerabilities).toMatchObject({ high: 3, low: 1, blocking: 3 });
    const low = parseNpmAudit(reportJson('npm-audit/audit-ci_npm7-low.json'), 'low.json');
    const pass = evaluate([entry('vulnerabilities', [{ category: 'vulnerabilities', report: low }])], {
      thresholds: defaults(),
      allowList: none,
    });
    expect(pass.passed).toBe(true);
  });

  it('allowing the root advisories clears the packages vulnerable through them; an expired entry does not', () => {
    const report = fabric();
    const ids = report.findings.flatMap((f) => f.advisories?.map((names) => names[0]!) ?? []);
    const entries = [...new Set(ids)].map((id) => ({
      id,
      reason: 'no fix upstream',
      expires: '2026-06-30',
      source: 't',
    }));
    const active = evaluate([entry('vulnerabilities', [{ category: 'vulnerabilities', report }])], {
      thresholds: defaults(),
      allowList: allowListState(entries, '2026-01-01'),
    });
    expect(active.passed).toBe(true);
    expect(active.figures.vulnerabilities?.allowed).toBe(4);
    const expired = evaluate([entry('vulnerabilities', [{ category: 'vulnerabilities', report }])], {
      thresholds: defaults(),
      allowList: allowListState(entries, '2026-07-01'),
    });
    expect(expired.passed).toBe(false);
  });
});

describe('code-scanning gate', () => {
  it('security results by severity, other results by level; suppressed ones never count', () => {
    const trivy = parseSarif(reportJson('sarif/trivy_config-terraform.sarif'), 'trivy.sarif');
    const result = evaluate([entry('sarif', [{ category: 'sarif', report: trivy }])], {
      thresholds: defaults(),
      allowList: none,
    });
    expect(result.figures.codeScanning).toMatchObject({ high: 5, medium: 1, low: 2, blocking: 5 });
    const eslint = parseSarif(reportJson('sarif/eslint_iframe-resizer.sarif'), 'eslint.sarif');
    const clean = evaluate([entry('sarif', [{ category: 'sarif', report: eslint }])], {
      thresholds: defaults(),
      allowList: none,
    });
    expect(clean.figures.codeScanning).toMatchObject({ total: 0, suppressed: 12, blocking: 0 });
    expect(clean.passed).toBe(true);
  });
});

describe('inputs', () => {
  it('allow-advisories needs an id, an expiry date and a reason', () => {
    expect(
      parseAllowAdvisories('GHSA-25h7-pfq9-p65f 2026-06-30 DoS needs a crafted payload we never parse'),
    ).toEqual([
      {
        id: 'GHSA-25h7-pfq9-p65f',
        expires: '2026-06-30',
        reason: 'DoS needs a crafted payload we never parse',
        source: 'input "allow-advisories" line 1',
      },
    ]);
    expect(() => parseAllowAdvisories('GHSA-25h7-pfq9-p65f')).toThrow(
      /line 1: expected "<advisory id> <expiry YYYY-MM-DD> <reason>"/,
    );
    expect(() => parseAllowAdvisories('CVE-1 2026-02-30 reason')).toThrow(
      'line 1: the expiry "2026-02-30" of CVE-1 is not a date',
    );
  });

  it('run is a list of argument arrays, never a shell string', () => {
    expect(parseRunCommands('- [npm, test]\n- [npx, eslint, -f, json]')).toEqual([
      ['npm', 'test'],
      ['npx', 'eslint', '-f', 'json'],
    ]);
    expect(() => parseRunCommands('- npm test && rm -rf /')).toThrow(
      'input "run" item 1: expected an argument array',
    );
  });
});

describe('licences', () => {
  it('OR needs one acceptable alternative, AND needs all', () => {
    const policy = { deny: ['GPL-3.0-only'] };
    expect(licenseAcceptable('MIT OR GPL-3.0-only', policy)).toBe(true);
    expect(licenseAcceptable('MIT AND GPL-3.0-only', policy)).toBe(false);
    expect(licenseAcceptable('Apache-2.0 WITH LLVM-exception', { deny: [], allow: ['Apache-2.0'] })).toBe(
      true,
    );
    expect(licenseAcceptable('BSD-3-Clause', { deny: [], allow: ['MIT'] })).toBe(false);
  });
});

describe('config schema: quality section', () => {
  it('reads the allow-list, licence lists and new-code options', () => {
    const quality = environmentConfigSchema.parse({
      environment: { name: 'production' },
      quality: {
        allowAdvisories: [{ id: 'GHSA-25h7-pfq9-p65f', reason: 'not reachable', expires: '2026-06-30' }],
        licenses: { deny: ['GPL-3.0-only'], allow: ['MIT'] },
        changedFilesOnly: true,
        failOnLevel: 'warning',
      },
    }).quality;
    expect(quality.allowAdvisories).toEqual([
      { id: 'GHSA-25h7-pfq9-p65f', reason: 'not reachable', expires: '2026-06-30' },
    ]);
    expect(quality.licenses).toEqual({ deny: ['GPL-3.0-only'], allow: ['MIT'] });
    expect(quality.changedFilesOnly).toBe(true);
    expect(defaults()).toMatchObject({ failOnLevel: 'error', licenses: { deny: [] } });
  });

  it('refuses an exception without a reason or with a bad date', () => {
    const bad = environmentConfigSchema.safeParse({
      environment: { name: 'production' },
      quality: { allowAdvisories: [{ id: 'CVE-2025-1', expires: '30/06/2026' }] },
    });
    expect(bad.success).toBe(false);
    const messages = bad.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
    expect(messages).toContain('quality.allowAdvisories.0.reason');
    expect(messages).toContain('quality.allowAdvisories.0.expires: expected a date written YYYY-MM-DD');
  });
});
