import type { CoverageReport, FindingsReport, TestReport } from './model.js';
import { parseCobertura } from './parsers/cobertura.js';
import { looksLikeEslint, parseEslint } from './parsers/eslint.js';
import { looksLikeGitleaks, parseGitleaks } from './parsers/gitleaks.js';
import {
  looksLikeIstanbulFinal,
  looksLikeIstanbulSummary,
  parseIstanbulFinal,
  parseIstanbulSummary,
} from './parsers/istanbul.js';
import { parseJunit } from './parsers/junit.js';
import { parseLcov } from './parsers/lcov.js';
import { looksLikeNpmAudit, parseNpmAudit, parseNpmAuditText } from './parsers/npm-audit.js';
import { looksLikeSarif, parseSarif, parseSarifFile } from './parsers/sarif.js';
import { looksLikeSbom, parseSbom, type SbomReport } from './parsers/sbom.js';
import { looksLikeTrivy, parseTrivy } from './parsers/trivy.js';
import { isObject, parseJsonReport, readHead, readReportText } from './read-report.js';
import { ReportError } from './report-error.js';

export const CATEGORIES = [
  'coverage',
  'tests',
  'vulnerabilities',
  'sarif',
  'lint',
  'secrets',
  'sbom',
] as const;
export type Category = (typeof CATEGORIES)[number];

const SARIF_INPUTS = new Set<Category>(['vulnerabilities', 'sarif', 'lint', 'secrets']);

/** The report formats each input accepts, for messages. */
export const ACCEPTS: Record<Category, string> = {
  coverage: 'istanbul coverage-summary.json or coverage-final.json, lcov, or Cobertura XML',
  tests: 'JUnit XML',
  vulnerabilities: 'npm audit JSON (v2), Trivy JSON or SARIF',
  sarif: 'SARIF 2.1.0',
  lint: 'ESLint JSON or SARIF',
  secrets: 'gitleaks JSON or SARIF',
  sbom: 'CycloneDX or SPDX JSON',
};

export type LoadedReport =
  | { category: 'coverage'; report: CoverageReport }
  | { category: 'tests'; report: TestReport }
  | { category: 'vulnerabilities' | 'sarif' | 'lint' | 'secrets'; report: FindingsReport }
  | { category: 'sbom'; report: SbomReport };

function formatOf(data: unknown): string {
  if (looksLikeSarif(data)) return 'sarif';
  if (looksLikeNpmAudit(data)) return 'npm-audit';
  if (looksLikeTrivy(data)) return 'trivy';
  if (looksLikeEslint(data)) return 'eslint';
  if (looksLikeGitleaks(data)) return 'gitleaks';
  if (looksLikeIstanbulSummary(data)) return 'istanbul-summary';
  if (looksLikeIstanbulFinal(data)) return 'istanbul-final';
  if (looksLikeSbom(data)) return 'sbom';
  if (Array.isArray(data) && data.length === 0) return 'empty-array';
  return 'unknown';
}

const FORMAT_NAMES: Record<string, string> = {
  sarif: 'a SARIF log',
  'npm-audit': 'an npm audit report',
  trivy: 'a Trivy report',
  eslint: 'an ESLint report',
  gitleaks: 'a gitleaks report',
  'istanbul-summary': 'an istanbul coverage summary',
  'istanbul-final': 'an istanbul coverage-final.json',
  sbom: 'an SBOM',
  'empty-array': 'an empty JSON array',
  unknown: 'JSON of no known report format',
};

function wrongFormat(category: Category, display: string, found: string): ReportError {
  return new ReportError(display, `is ${found}, but the "${category}" input expects ${ACCEPTS[category]}`);
}

/**
 * Reads one report given through a category's input and parses it by its content, not its
 * name. lcov is streamed; JSON and XML reports are read whole.
 */
export async function loadReport(
  category: Category,
  path: string,
  display: string,
  workspace: string,
  options: { keepFiles?: boolean } = {},
): Promise<LoadedReport> {
  const head = (await readHead(path, display)).replace(/^\uFEFF/, '').trimStart();
  if (category === 'coverage' && !head.startsWith('{') && !head.startsWith('<')) {
    if (head === '') throw new ReportError(display, 'the report is empty');
    return { category, report: await parseLcov(path, display, options) };
  }
  // SARIF is streamed: scanners write logs of tens of megabytes.
  if (SARIF_INPUTS.has(category) && head.startsWith('{') && /sarif|"runs"\s*:/i.test(head)) {
    return { category, report: await parseSarifFile(path, display, { workspace }) } as LoadedReport;
  }
  const text = await readReportText(path, display);
  if (head.startsWith('<')) {
    if (category === 'coverage') return { category, report: parseCobertura(text, display) };
    if (category === 'tests') return { category, report: parseJunit(text, display) };
    throw wrongFormat(category, display, 'an XML document');
  }
  if (category === 'tests') throw wrongFormat(category, display, head === '' ? 'empty' : 'not XML');
  if (category === 'vulnerabilities' && !head.startsWith('{') && !head.startsWith('[')) {
    // npm audit prints its error lines around the JSON when it fails.
    return { category, report: parseNpmAuditText(text, display) };
  }
  const data = parseJsonReport(text, display, 'report');
  const format = formatOf(data);
  const where = { workspace };
  switch (category) {
    case 'coverage':
      if (format === 'istanbul-summary') return { category, report: parseIstanbulSummary(data, display) };
      if (format === 'istanbul-final') return { category, report: parseIstanbulFinal(data, display) };
      break;
    case 'vulnerabilities':
      if (format === 'npm-audit') return { category, report: parseNpmAudit(data, display) };
      if (format === 'trivy') return { category, report: parseTrivy(data, display) };
      if (format === 'sarif') return { category, report: parseSarif(data, display, where) };
      break;
    case 'sarif':
      if (format === 'sarif') return { category, report: parseSarif(data, display, where) };
      break;
    case 'lint':
      if (format === 'eslint') return { category, report: parseEslint(data, display, where) };
      if (format === 'sarif') return { category, report: parseSarif(data, display, where) };
      if (format === 'empty-array')
        throw new ReportError(display, 'the ESLint report lists no files: nothing was linted');
      break;
    case 'secrets':
      if (format === 'gitleaks' || format === 'empty-array')
        return { category, report: parseGitleaks(data, display) };
      if (format === 'sarif') return { category, report: parseSarif(data, display, where) };
      break;
    case 'sbom':
      if (format === 'sbom') return { category, report: parseSbom(data, display) };
      break;
  }
  if (isObject(data) && isObject(data.error) && category === 'vulnerabilities') {
    return { category, report: parseNpmAudit(data, display) };
  }
  throw wrongFormat(category, display, FORMAT_NAMES[format] ?? format);
}
