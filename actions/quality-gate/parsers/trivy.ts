import type { Finding, FindingsReport, Severity } from '../model.js';
import { isObject, toNumber } from '../read-report.js';
import { ReportError } from '../report-error.js';
import { normalizeSeverity } from '../severity.js';

export interface TrivyStats {
  schemaVersion: number | undefined;
  artifactName?: string;
  artifactType?: string;
  trivyVersion?: string;
  results: number;
  targets: [string, string, string][];
  vulnerabilities: number;
  /** Vulnerabilities per Trivy severity, as Trivy spells it (CRITICAL, HIGH…). */
  bySeverity: Record<string, number>;
  misconfigurations: number;
  secrets: number;
  packages: number;
}

type Obj = Record<string, unknown>;
const objects = (value: unknown): Obj[] => (Array.isArray(value) ? value.filter(isObject) : []);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export function looksLikeTrivy(data: unknown): boolean {
  return isObject(data) && data.SchemaVersion !== undefined && ('Results' in data || 'ArtifactName' in data);
}

/**
 * Trivy JSON (`--format json`, SchemaVersion 2): vulnerabilities, failed misconfigurations and
 * secrets of every result target. A target without a `Vulnerabilities` key simply has none.
 */
export function parseTrivy(data: unknown, file: string): FindingsReport & { stats: TrivyStats } {
  if (!looksLikeTrivy(data))
    throw new ReportError(file, 'expected Trivy JSON with "SchemaVersion" and "Results"');
  const root = data as Obj;
  if (root.SchemaVersion !== 2) {
    throw new ReportError(
      file,
      `Trivy SchemaVersion ${JSON.stringify(root.SchemaVersion)} is not supported; expected 2`,
    );
  }
  const trivy = isObject(root.Trivy) ? root.Trivy : undefined;
  const stats: TrivyStats = {
    schemaVersion: toNumber(root.SchemaVersion),
    ...(str(root.ArtifactName) ? { artifactName: str(root.ArtifactName) } : {}),
    ...(str(root.ArtifactType) ? { artifactType: str(root.ArtifactType) } : {}),
    ...(str(trivy?.Version) ? { trivyVersion: str(trivy?.Version) } : {}),
    results: 0,
    targets: [],
    vulnerabilities: 0,
    bySeverity: {},
    misconfigurations: 0,
    secrets: 0,
    packages: 0,
  };
  const findings: Finding[] = [];
  const push = (severity: Severity, finding: Omit<Finding, 'severity' | 'tool' | 'report'>) =>
    findings.push({ severity, tool: 'Trivy', report: file, ...finding });

  for (const result of objects(root.Results)) {
    stats.results++;
    const target = str(result.Target) ?? '';
    stats.targets.push([target, str(result.Class) ?? '', str(result.Type) ?? '']);
    stats.packages += objects(result.Packages).length;
    for (const vuln of objects(result.Vulnerabilities)) {
      stats.vulnerabilities++;
      const raw = str(vuln.Severity) ?? 'UNKNOWN';
      stats.bySeverity[raw] = (stats.bySeverity[raw] ?? 0) + 1;
      const id = str(vuln.VulnerabilityID) ?? 'vulnerability';
      const ghsa = [str(vuln.PrimaryURL), ...(Array.isArray(vuln.References) ? vuln.References : [])]
        .map((ref) => (typeof ref === 'string' ? /GHSA(-[0-9a-z]{4}){3}/i.exec(ref)?.[0] : undefined))
        .filter((ref): ref is string => Boolean(ref));
      const pkg = str(vuln.PkgName);
      const fixed = str(vuln.FixedVersion);
      push(normalizeSeverity(raw), {
        id,
        aliases: [...new Set(ghsa)],
        title: `${pkg ?? '?'} ${str(vuln.InstalledVersion) ?? ''}: ${str(vuln.Title) ?? id}${fixed ? ` (fixed in ${fixed})` : ''}`,
        file: target,
        ...(pkg ? { package: pkg } : {}),
      });
    }
    for (const misconfig of objects(result.Misconfigurations)) {
      if (misconfig.Status !== undefined && misconfig.Status !== 'FAIL') continue;
      stats.misconfigurations++;
      const cause = isObject(misconfig.CauseMetadata) ? misconfig.CauseMetadata : undefined;
      const line = toNumber(cause?.StartLine);
      push(normalizeSeverity(misconfig.Severity), {
        id: str(misconfig.AVDID) ?? str(misconfig.ID) ?? 'misconfiguration',
        title: str(misconfig.Title) ?? str(misconfig.Message) ?? 'misconfiguration',
        file: target,
        ...(line ? { line } : {}),
      });
    }
    for (const secret of objects(result.Secrets)) {
      stats.secrets++;
      const line = toNumber(secret.StartLine);
      // The matched text is never copied: only the rule and the place.
      push(normalizeSeverity(secret.Severity), {
        id: str(secret.RuleID) ?? 'secret',
        title: str(secret.Title) ?? 'secret',
        file: target,
        ...(line ? { line } : {}),
      });
    }
  }
  return { format: 'trivy', file, tool: 'Trivy', findings, suppressed: 0, stats };
}
