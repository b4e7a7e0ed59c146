import type { AllowedAdvisory } from './inputs.js';
import type { Finding } from './model.js';

export interface AllowListState {
  /** Entries in force today, by lower-cased id. */
  active: Map<string, AllowedAdvisory>;
  /** Entries whose date has passed: they allow nothing and are reported. */
  expired: AllowedAdvisory[];
}

/** Splits the entries into those in force on `today` (YYYY-MM-DD, UTC) and the expired ones. */
export function allowListState(entries: readonly AllowedAdvisory[], today: string): AllowListState {
  const active = new Map<string, AllowedAdvisory>();
  const expired: AllowedAdvisory[] = [];
  for (const entry of entries) {
    if (entry.expires < today) expired.push(entry);
    else active.set(entry.id.toLowerCase(), entry);
  }
  return { active, expired };
}

/** The advisory names of a finding, grouped per advisory. */
function advisoryGroups(finding: Finding): string[][] {
  return finding.advisories?.length ? finding.advisories : [[finding.id, ...(finding.aliases ?? [])]];
}

/**
 * The entries that allow a finding, or undefined when it is not (wholly) allowed: every advisory
 * behind the finding must be accepted under one of its names.
 */
export function allowedBy(finding: Finding, state: AllowListState): AllowedAdvisory[] | undefined {
  const used: AllowedAdvisory[] = [];
  for (const names of advisoryGroups(finding)) {
    const entry = names.map((name) => state.active.get(name.toLowerCase())).find(Boolean);
    if (!entry) return undefined;
    used.push(entry);
  }
  return used.length ? used : undefined;
}
