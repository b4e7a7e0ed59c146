import type { Finding, FindingsReport, Severity } from '../model.js';
import { isObject, parseJsonReport, toNumber } from '../read-report.js';
import { ReportError } from '../report-error.js';
import { normalizeSeverity } from '../severity.js';

export interface NpmAuditStats {
  /** `metadata.vulnerabilities` as npm wrote it (moderate kept as npm spells it). */
  metadata: Record<string, number>;
  /** Vulnerable packages per severity, from the `vulnerabilities` map. */
  bySeverity: Partial<Record<Severity, number>>;
  packages: number;
  direct: number;
  advisories: number;
}

interface Advisory {
  source?: number;
  url?: string;
  title?: string;
  severity?: string;
  name?: string;
}

/** GHSA-xxxx-xxxx-xxxx from an advisory URL. */
function ghsaOf(url: string | undefined): string | undefined {
  return url ? /GHSA(-[0-9a-z]{4}){3}/i.exec(url)?.[0] : undefined;
}

/**
 * npm prints error output around its JSON when it fails (ENOLOCK and the like); the object is
 * the part from the first line that opens a brace to the last that closes one.
 */
function extractJson(text: string): string | undefined {
  const start = text.search(/^\{/m);
  const endMatch = [...text.matchAll(/^\}\s*$/gm)].at(-1);
  if (start === -1 || !endMatch || endMatch.index === undefined || endMatch.index < start) return undefined;
  return text.slice(start, endMatch.index + 1);
}

export function looksLikeNpmAudit(data: unknown): boolean {
  return isObject(data) && (data.auditReportVersion !== undefined || isObject(data.error));
}

/** Parses `npm audit --json` text, coping with npm's error lines printed around the JSON. */
export function parseNpmAuditText(text: string, file: string): FindingsReport & { stats: NpmAuditStats } {
  let data: unknown;
  try {
    data = parseJsonReport(text, file, 'npm audit report');
  } catch (error) {
    const inner = extractJson(text);
    if (!inner) throw error;
    data = parseJsonReport(inner, file, 'npm audit report');
  }
  return parseNpmAudit(data, file);
}

/**
 * npm audit v2 JSON (npm 7+). An `error` object means the audit did not run (no lockfile, no
 * registry): that is a failure, never zero findings. Each vulnerable package is a finding; its
 * advisory ids are the ones reached through `via`, so allowing an advisory also clears the
 * packages that are vulnerable only through it.
 */
export function parseNpmAudit(data: unknown, file: string): FindingsReport & { stats: NpmAuditStats } {
  if (isObject(data) && isObject(data.error)) {
    const { code, summary } = data.error as { code?: unknown; summary?: unknown };
    throw new ReportError(
      file,
      `npm audit did not run: ${[code, summary].filter((part) => typeof part === 'string' && part).join(': ') || 'error object in the report'}`,
    );
  }
  if (!isObject(data) || data.auditReportVersion === undefined) {
    throw new ReportError(file, 'expected npm audit JSON (npm 7 or later, "auditReportVersion": 2)');
  }
  if (data.auditReportVersion !== 2) {
    throw new ReportError(
      file,
      `auditReportVersion ${JSON.stringify(data.auditReportVersion)} is not supported; run npm 7 or later (version 2)`,
    );
  }
  if (!isObject(data.vulnerabilities)) throw new ReportError(file, 'the report has no "vulnerabilities" map');
  const entries = data.vulnerabilities as Record<string, Record<string, unknown>>;

  const stats: NpmAuditStats = { metadata: {}, bySeverity: {}, packages: 0, direct: 0, advisories: 0 };
  const metadata =
    isObject(data.metadata) && isObject(data.metadata.vulnerabilities) ? data.metadata.vulnerabilities : {};
  for (const [key, value] of Object.entries(metadata)) stats.metadata[key] = toNumber(value) ?? 0;

  const advisoriesOf = (name: string, seen = new Set<string>()): Advisory[] => {
    if (seen.has(name)) return [];
    seen.add(name);
    const via = entries[name]?.via;
    if (!Array.isArray(via)) return [];
    return via.flatMap((item) =>
      typeof item === 'string' ? advisoriesOf(item, seen) : isObject(item) ? [item as Advisory] : [],
    );
  };

  const findings: Finding[] = [];
  for (const [name, entry] of Object.entries(entries)) {
    if (!isObject(entry)) continue;
    const severity = normalizeSeverity(entry.severity);
    stats.packages++;
    stats.bySeverity[severity] = (stats.bySeverity[severity] ?? 0) + 1;
    if (entry.isDirect === true) stats.direct++;
    const own = Array.isArray(entry.via) ? entry.via.filter(isObject) : [];
    stats.advisories += own.length;
    const advisories = advisoriesOf(name);
    const groups = advisories
      .map((a) => [ghsaOf(a.url), a.source !== undefined ? String(a.source) : undefined])
      .map((names) => names.filter((n): n is string => Boolean(n)))
      .filter((names) => names.length > 0);
    const unique = [...new Map(groups.map((names) => [names.join(' '), names])).values()];
    const titled = (own[0] ?? advisories[0]) as Advisory | undefined;
    findings.push({
      severity,
      id: unique[0]?.[0] ?? name,
      advisories: unique,
      title: `${name}${typeof entry.range === 'string' ? ` ${entry.range}` : ''}: ${titled?.title ?? `vulnerable through ${(entry.via as unknown[] | undefined)?.filter((v) => typeof v === 'string').join(', ') || 'a dependency'}`}`,
      tool: 'npm audit',
      report: file,
      package: name,
    });
  }
  return { format: 'npm-audit', file, tool: 'npm audit', findings, suppressed: 0, stats };
}
