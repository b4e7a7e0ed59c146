import type { CoverageFigures, CoverageReport, Ratio } from '../model.js';
import { isObject, parseXmlReport, toNumber } from '../read-report.js';
import { ReportError } from '../report-error.js';

export interface CoberturaStats {
  packages: number;
  classes: number;
  lineElements: number;
  lineElementsHit: number;
}

function asArray(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

/** `condition-coverage="50% (1/2)"` → 1 of 2. */
function conditions(text: unknown): Ratio | undefined {
  const match = typeof text === 'string' ? /\((\d+)\/(\d+)\)/.exec(text) : null;
  return match ? { covered: Number(match[1]), total: Number(match[2]) } : undefined;
}

/**
 * Cobertura XML (coverage.py, istanbul's cobertura reporter, gcovr, JaCoCo converters). Totals
 * come from the root's lines-/branches-covered/-valid counts when present (a rate alone cannot
 * tell 0 of 0 from 0 of 100), else from the `<line>` elements.
 */
export function parseCobertura(text: string, file: string): CoverageReport & { stats: CoberturaStats } {
  const doc = parseXmlReport(text, file, 'Cobertura report', [
    'package',
    'class',
    'line',
    'method',
    'source',
  ]);
  const root = doc.coverage;
  if (!isObject(root))
    throw new ReportError(file, 'expected a Cobertura report with a <coverage> root element');
  const stats: CoberturaStats = { packages: 0, classes: 0, lineElements: 0, lineElementsHit: 0 };
  const files = new Map<string, CoverageFigures>();
  const counted = { lines: { covered: 0, total: 0 }, branches: { covered: 0, total: 0 } };

  const packages = isObject(root.packages) ? asArray(root.packages.package) : [];
  for (const pkg of packages) {
    stats.packages++;
    for (const cls of isObject(pkg.classes) ? asArray(pkg.classes.class) : []) {
      stats.classes++;
      const name = String(cls['@_filename'] ?? cls['@_name'] ?? '');
      const figures = files.get(name) ?? {
        lines: { covered: 0, total: 0 },
        branches: { covered: 0, total: 0 },
      };
      for (const line of isObject(cls.lines) ? asArray(cls.lines.line) : []) {
        stats.lineElements++;
        const hit = (toNumber(line['@_hits']) ?? 0) > 0;
        if (hit) stats.lineElementsHit++;
        figures.lines!.total++;
        if (hit) figures.lines!.covered++;
        if (line['@_branch'] === 'true') {
          const branch = conditions(line['@_condition-coverage']);
          if (branch) {
            figures.branches!.total += branch.total;
            figures.branches!.covered += branch.covered;
          }
        }
      }
      files.set(name, figures);
    }
  }
  for (const figures of files.values()) {
    counted.lines.total += figures.lines!.total;
    counted.lines.covered += figures.lines!.covered;
    counted.branches.total += figures.branches!.total;
    counted.branches.covered += figures.branches!.covered;
  }

  const attribute = (name: string) => toNumber(root[`@_${name}`]);
  const linesValid = attribute('lines-valid');
  const linesCovered = attribute('lines-covered');
  const branchesValid = attribute('branches-valid');
  const branchesCovered = attribute('branches-covered');
  const lines =
    linesValid !== undefined && linesCovered !== undefined
      ? { covered: linesCovered, total: linesValid }
      : counted.lines;
  const branches =
    branchesValid !== undefined && branchesCovered !== undefined
      ? { covered: branchesCovered, total: branchesValid }
      : counted.branches;
  if (lines.total === 0 && stats.lineElements === 0 && attribute('line-rate') === undefined) {
    throw new ReportError(file, 'the Cobertura report has neither line counts nor <line> elements');
  }
  return { format: 'cobertura', file, lines, branches, files, stats };
}
