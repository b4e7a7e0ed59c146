import { registerSecret } from '../../../shared/secrets.js';
import type { Finding, FindingsReport } from '../model.js';
import { isObject, toNumber } from '../read-report.js';
import { ReportError } from '../report-error.js';

export function looksLikeGitleaks(data: unknown): boolean {
  return Array.isArray(data) && data.length > 0 && isObject(data[0]) && 'RuleID' in data[0];
}

/**
 * gitleaks' JSON report: one object per leak. The secret and the matched text are masked before
 * anything could print them (a report written without --redact holds them in clear) and are
 * never copied into findings.
 */
export function parseGitleaks(
  data: unknown,
  file: string,
): FindingsReport & { stats: { findings: number; byRule: Record<string, number> } } {
  if (!Array.isArray(data)) throw new ReportError(file, 'expected gitleaks JSON: an array of findings');
  const byRule: Record<string, number> = {};
  const findings: Finding[] = [];
  for (const [index, leak] of data.entries()) {
    if (!isObject(leak) || typeof leak.RuleID !== 'string') {
      throw new ReportError(file, `entry [${index}] is not a gitleaks finding (no "RuleID")`);
    }
    for (const key of ['Secret', 'Match'] as const) {
      const value = leak[key];
      if (typeof value === 'string' && !/^\**$/.test(value)) registerSecret(value);
    }
    byRule[leak.RuleID] = (byRule[leak.RuleID] ?? 0) + 1;
    const line = toNumber(leak.StartLine);
    const column = toNumber(leak.StartColumn);
    findings.push({
      severity: 'high',
      id: leak.RuleID,
      title: `${typeof leak.Description === 'string' ? leak.Description : leak.RuleID}${typeof leak.Commit === 'string' && leak.Commit ? ` (commit ${leak.Commit.slice(0, 12)})` : ''}`,
      tool: 'gitleaks',
      report: file,
      ...(typeof leak.File === 'string' ? { file: leak.File } : {}),
      ...(line ? { line } : {}),
      ...(column ? { column } : {}),
    });
  }
  return {
    format: 'gitleaks',
    file,
    tool: 'gitleaks',
    findings,
    suppressed: 0,
    stats: { findings: findings.length, byRule },
  };
}
