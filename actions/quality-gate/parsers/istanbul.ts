import type { CoverageFigures, CoverageReport, Ratio } from '../model.js';
import { isObject, toNumber } from '../read-report.js';
import { ReportError } from '../report-error.js';

const SUMMARY_METRICS = ['lines', 'branches', 'functions', 'statements'] as const;

/** One metric of a summary entry: `{total, covered, pct}`; "Unknown" pct with total 0 is kept as 0/0. */
function summaryRatio(entry: unknown): Ratio | undefined {
  if (!isObject(entry)) return undefined;
  const total = toNumber(entry.total);
  const covered = toNumber(entry.covered);
  if (total === undefined || covered === undefined) return undefined;
  return { covered, total };
}

function summaryFigures(entry: Record<string, unknown>): CoverageFigures {
  const figures: CoverageFigures = {};
  for (const metric of SUMMARY_METRICS) {
    const ratio = summaryRatio(entry[metric]);
    if (ratio) figures[metric] = ratio;
  }
  return figures;
}

export function looksLikeIstanbulSummary(data: unknown): boolean {
  return isObject(data) && isObject(data.total) && isObject(data.total.lines);
}

/** istanbul's `json-summary` reporter: a `total` entry plus one entry per file. */
export function parseIstanbulSummary(data: unknown, file: string): CoverageReport {
  if (!looksLikeIstanbulSummary(data)) {
    throw new ReportError(file, 'expected an istanbul coverage-summary.json with a "total" entry');
  }
  const root = data as Record<string, Record<string, unknown>>;
  const total = summaryFigures(root.total!);
  if (!total.lines) throw new ReportError(file, 'the "total.lines" entry has no covered/total counts');
  const files = new Map<string, CoverageFigures>();
  for (const [key, entry] of Object.entries(root)) {
    if (key !== 'total' && isObject(entry)) files.set(key, summaryFigures(entry));
  }
  return { format: 'istanbul-summary', file, ...total, files };
}

export function looksLikeIstanbulFinal(data: unknown): boolean {
  if (!isObject(data)) return false;
  const first = Object.values(data)[0];
  return isObject(first) && isObject(first.statementMap) && isObject(first.s);
}

function counts(map: unknown): number[] {
  return isObject(map) ? Object.values(map).map((n) => toNumber(n) ?? 0) : [];
}

function ratioOf(values: readonly number[]): Ratio {
  return { covered: values.filter((n) => n > 0).length, total: values.length };
}

/**
 * istanbul's `json` reporter (coverage-final.json): raw hit counts per statement, function and
 * branch. Line coverage is derived as istanbul does: a line's count is the highest count of the
 * statements starting on it.
 */
export function parseIstanbulFinal(data: unknown, file: string): CoverageReport {
  if (!isObject(data)) throw new ReportError(file, 'expected an istanbul coverage-final.json object');
  const files = new Map<string, CoverageFigures>();
  const sum: Required<CoverageFigures> = {
    lines: { covered: 0, total: 0 },
    branches: { covered: 0, total: 0 },
    functions: { covered: 0, total: 0 },
    statements: { covered: 0, total: 0 },
  };
  for (const [key, entry] of Object.entries(data)) {
    if (!isObject(entry) || !isObject(entry.statementMap) || !isObject(entry.s)) {
      throw new ReportError(file, `entry ${JSON.stringify(key)} has no statementMap and s counts`);
    }
    const hits = entry.s as Record<string, unknown>;
    const lineHits = new Map<number, number>();
    for (const [id, location] of Object.entries(entry.statementMap)) {
      const line = isObject(location) && isObject(location.start) ? toNumber(location.start.line) : undefined;
      if (line === undefined) continue;
      const count = toNumber(hits[id]) ?? 0;
      lineHits.set(line, Math.max(lineHits.get(line) ?? 0, count));
    }
    const branchCounts = isObject(entry.b)
      ? Object.values(entry.b).flatMap((arms) =>
          Array.isArray(arms) ? arms.map((n) => toNumber(n) ?? 0) : [],
        )
      : [];
    const figures: Required<CoverageFigures> = {
      lines: ratioOf([...lineHits.values()]),
      branches: ratioOf(branchCounts),
      functions: ratioOf(counts(entry.f)),
      statements: ratioOf(counts(entry.s)),
    };
    files.set(typeof entry.path === 'string' ? entry.path : key, figures);
    for (const metric of SUMMARY_METRICS) {
      sum[metric].covered += figures[metric].covered;
      sum[metric].total += figures[metric].total;
    }
  }
  return { format: 'istanbul-final', file, ...sum, files };
}
