import { SARIF_LEVELS, type SarifLevel, SEVERITIES, type Severity } from './model.js';

/** Higher is worse: critical 5 … info 1. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(severity);
}

export function atLeast(severity: Severity, threshold: Severity): boolean {
  return severityRank(severity) >= severityRank(threshold);
}

export function levelAtLeast(level: SarifLevel, threshold: SarifLevel): boolean {
  if (threshold === 'none') return false;
  return SARIF_LEVELS.indexOf(level) <= SARIF_LEVELS.indexOf(threshold);
}

/**
 * GitHub code scanning's bands for a rule's `security-severity` score: over 9.0 critical,
 * 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low. A score of 0 or less carries no severity.
 */
export function securitySeverityBand(score: number): Severity | undefined {
  if (!Number.isFinite(score) || score <= 0) return undefined;
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  return 'low';
}

/** A SARIF result without a security-severity is ranked by its level alone. */
export function severityFromLevel(level: SarifLevel): Severity {
  return level === 'error' ? 'high' : level === 'warning' ? 'medium' : level === 'note' ? 'low' : 'info';
}

/** npm's `moderate`, Trivy's upper case and `UNKNOWN`, and similar spellings. */
export function normalizeSeverity(raw: unknown): Severity {
  const text = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  if (text === 'moderate') return 'medium';
  if (text === 'critical' || text === 'high' || text === 'medium' || text === 'low') return text;
  // Trivy's UNKNOWN and npm's info: reported, never blocking.
  return 'info';
}
