import { parse as parseYaml } from 'yaml';
import { UserError } from '../../shared/errors.js';
import { getBoolean, getEnum, getInteger, getList, getNumber, getString } from '../../shared/inputs.js';
import { CATEGORIES, type Category } from './load-report.js';
import { FAIL_ON_SEVERITIES, type FailOnSeverity, SARIF_LEVELS, type SarifLevel } from './model.js';

/** An accepted advisory: why and until when. */
export interface AllowedAdvisory {
  id: string;
  reason: string;
  /** YYYY-MM-DD; the entry stops applying after this day. */
  expires: string;
  /** Where it was written, for messages. */
  source: string;
}

/** Everything the action was given, read and checked once. */
export interface QualityGateInputs {
  environment: string;
  configPath?: string;
  /** Glob patterns per report input; a category absent here is not gated. */
  patterns: Partial<Record<Category, string[]>>;
  /** Categories whose reports may be missing without failing. */
  optional: Category[];
  minCoverage?: number;
  minBranchCoverage?: number;
  changedFilesOnly?: boolean;
  baseRef?: string;
  failOnSeverity?: FailOnSeverity;
  failOnLevel?: SarifLevel;
  allowAdvisories: AllowedAdvisory[];
  maxLintErrors?: number;
  maxLintWarnings?: number;
  maxTestFailures?: number;
  maxSecrets?: number;
  licensesDeny: string[];
  licensesAllow: string[];
  run: string[][];
  reportPath?: string;
  softFail: boolean;
  auditLog?: string;
}

/** Glob patterns, one per line (commas belong to patterns, so lines are not split on them). */
function patternsOf(name: string): string[] | undefined {
  const raw = getString(name);
  if (raw === undefined) return undefined;
  const patterns = raw
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  return patterns.length ? patterns : undefined;
}

/** `YYYY-MM-DD` that is a real calendar day. */
export function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

/** One advisory per line: `<id> <YYYY-MM-DD> <reason…>`. */
export function parseAllowAdvisories(raw: string | undefined): AllowedAdvisory[] {
  if (raw === undefined) return [];
  const entries: AllowedAdvisory[] = [];
  for (const [index, line] of raw.split(/\r?\n/).entries()) {
    const text = line.trim();
    if (!text || text.startsWith('#')) continue;
    const match = /^(\S+)\s+(\S+)\s+(.*\S)\s*$/.exec(text);
    const where = `input "allow-advisories" line ${index + 1}`;
    if (!match) {
      throw new UserError(
        `${where}: expected "<advisory id> <expiry YYYY-MM-DD> <reason>", got ${JSON.stringify(text)}: an exception needs an expiry date and a reason`,
      );
    }
    const [, id, expires, reason] = match as unknown as [string, string, string, string];
    if (!isCalendarDate(expires)) {
      throw new UserError(
        `${where}: the expiry ${JSON.stringify(expires)} of ${id} is not a date written YYYY-MM-DD`,
      );
    }
    entries.push({ id, expires, reason, source: where });
  }
  return entries;
}

/** `run`: a YAML list of argument arrays, e.g. `- [npm, test]`. No shell is involved. */
export function parseRunCommands(raw: string | undefined): string[][] {
  if (raw === undefined) return [];
  let parsed: unknown;
  try {
    parsed = parseYaml(raw);
  } catch (error) {
    throw new UserError(`input "run": expected a YAML list of argument arrays (${(error as Error).message})`);
  }
  if (parsed === null || parsed === undefined) return [];
  if (!Array.isArray(parsed)) {
    throw new UserError('input "run": expected a list of argument arrays such as "- [npm, test]"');
  }
  return parsed.map((command, index) => {
    if (
      !Array.isArray(command) ||
      command.length === 0 ||
      !command.every((arg) => typeof arg === 'string' || typeof arg === 'number')
    ) {
      throw new UserError(
        `input "run" item ${index + 1}: expected an argument array such as [npm, test], got ${JSON.stringify(command)}`,
      );
    }
    return command.map(String);
  });
}

function optionalBoolean(name: string): boolean | undefined {
  return getString(name) === undefined ? undefined : getBoolean(name, false);
}

export function readInputs(): QualityGateInputs {
  const patterns: Partial<Record<Category, string[]>> = {};
  for (const category of CATEGORIES) {
    const given = patternsOf(category);
    if (given) patterns[category] = given;
  }
  const optional = getList('optional').map((name) => {
    if (!(CATEGORIES as readonly string[]).includes(name)) {
      throw new UserError(
        `input "optional": "${name}" is not a report input; expected some of ${CATEGORIES.join(', ')}`,
      );
    }
    return name as Category;
  });
  return {
    environment: getString('environment', { required: true }),
    configPath: getString('config'),
    patterns,
    optional,
    minCoverage: getNumber('min-coverage', { min: 0, max: 100 }),
    minBranchCoverage: getNumber('min-branch-coverage', { min: 0, max: 100 }),
    changedFilesOnly: optionalBoolean('changed-files-only'),
    baseRef: getString('base-ref'),
    failOnSeverity: getEnum('fail-on-severity', FAIL_ON_SEVERITIES),
    failOnLevel: getEnum('fail-on-level', SARIF_LEVELS),
    allowAdvisories: parseAllowAdvisories(getString('allow-advisories')),
    maxLintErrors: getInteger('max-lint-errors', { min: 0 }),
    maxLintWarnings: getInteger('max-lint-warnings', { min: 0 }),
    maxTestFailures: getInteger('max-test-failures', { min: 0 }),
    maxSecrets: getInteger('max-secrets', { min: 0 }),
    licensesDeny: getList('licenses-deny'),
    licensesAllow: getList('licenses-allow'),
    run: parseRunCommands(getString('run')),
    reportPath: getString('report-path'),
    softFail: getBoolean('soft-fail', false),
    auditLog: getString('audit-log'),
  };
}
