import type { Finding } from './model.js';
import type { SbomReport } from './parsers/sbom.js';

export interface LicensePolicy {
  deny: readonly string[];
  allow?: readonly string[];
}

/**
 * Whether an SPDX expression is acceptable: `A OR B` needs one acceptable alternative, `A AND B`
 * needs both; an exception (`WITH …`) does not change the licence it modifies. Parentheses are
 * flattened, which is exact for the expressions SBOM tools write (one operator per level).
 */
export function licenseAcceptable(expression: string, policy: LicensePolicy): boolean {
  const lower = (ids: readonly string[]) => new Set(ids.map((id) => id.toLowerCase()));
  const deny = lower(policy.deny);
  const allow = policy.allow ? lower(policy.allow) : undefined;
  const flat = expression.replace(/[()]/g, ' ');
  return flat.split(/\s+OR\s+/i).some((alternative) =>
    alternative
      .split(/\s+AND\s+/i)
      .map((term) =>
        term
          .replace(/\s+WITH\s+.*$/i, '')
          .trim()
          .toLowerCase(),
      )
      .filter(Boolean)
      .every((id) => !deny.has(id) && (!allow || allow.has(id))),
  );
}

/** The packages whose licence the policy rejects; with an allow-list, an unknown licence is rejected too. */
export function licenseFindings(sbom: SbomReport, policy: LicensePolicy): Finding[] {
  const findings: Finding[] = [];
  for (const pkg of sbom.packages) {
    const name = `${pkg.name}${pkg.version ? `@${pkg.version}` : ''}`;
    if (!pkg.license) {
      if (policy.allow) {
        findings.push({
          severity: 'medium',
          id: 'NOASSERTION',
          title: `${name}: no licence declared`,
          tool: 'SBOM',
          report: sbom.file,
          package: pkg.name,
        });
      }
      continue;
    }
    if (!licenseAcceptable(pkg.license, policy)) {
      findings.push({
        severity: 'high',
        id: pkg.license,
        title: `${name}: licence ${pkg.license} is not allowed`,
        tool: 'SBOM',
        report: sbom.file,
        package: pkg.name,
      });
    }
  }
  return findings;
}
