import { fileURLToPath } from 'node:url';
import type { Finding, FindingsReport, SarifLevel } from '../model.js';
import { isObject, parseJsonReport, readReportText, toNumber } from '../read-report.js';
import { ReportError } from '../report-error.js';
import { securitySeverityBand, severityFromLevel } from '../severity.js';
import { streamJsonArrays } from './json-array-stream.js';

export interface SarifStats {
  runs: number;
  tools: [string, string | null][];
  results: number;
  /** Effective levels and security-severity bands of every result, suppressed ones included. */
  byLevel: Partial<Record<SarifLevel, number>>;
  bySecuritySeverity: Partial<Record<'critical' | 'high' | 'medium' | 'low', number>>;
  suppressed: number;
  notifications: number;
}

type Obj = Record<string, unknown>;

function objects(value: unknown): Obj[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

const LEVELS = new Set(['error', 'warning', 'note', 'none']);

export function looksLikeSarif(data: unknown): boolean {
  return (
    isObject(data) && Array.isArray(data.runs) && (typeof data.version === 'string' || '$schema' in data)
  );
}

/** A result is suppressed unless every suppression on it is rejected or still under review. */
function isSuppressed(result: Obj): boolean {
  return objects(result.suppressions).some((s) => s.status === undefined || s.status === 'accepted');
}

/** Repository-relative where possible: file:// URIs under the workspace lose the prefix. */
function displayPath(uri: string, workspace: string | undefined): string {
  let path = uri;
  if (uri.startsWith('file:')) {
    try {
      path = fileURLToPath(uri);
    } catch {
      return uri;
    }
  } else {
    try {
      path = decodeURIComponent(uri);
    } catch {
      path = uri;
    }
  }
  if (workspace && path.startsWith(`${workspace}/`)) return path.slice(workspace.length + 1);
  return path.replace(/^\.\//, '');
}

/** What a result contributes, kept small so a large log's results need not stay in memory. */
export interface CompactResult {
  ruleId?: string;
  ruleIndex?: number;
  /** `rule.index` and `rule.toolComponent.index`: the rule in an extension. */
  refIndex?: number;
  componentIndex?: number;
  level?: unknown;
  suppressed: boolean;
  uri?: string;
  artifactIndex?: number;
  line?: number;
  column?: number;
  message: string;
  /** A `security-severity` on the result itself, used when the rule has none. */
  score?: number;
}

export function compactResult(result: Obj): CompactResult {
  const ruleRef = isObject(result.rule) ? result.rule : undefined;
  const ruleId =
    typeof result.ruleId === 'string'
      ? result.ruleId
      : typeof ruleRef?.id === 'string'
        ? ruleRef.id
        : undefined;
  const componentRef = isObject(ruleRef?.toolComponent) ? ruleRef.toolComponent : undefined;
  const location = objects(result.locations)[0];
  const physical = isObject(location?.physicalLocation) ? location.physicalLocation : undefined;
  const artifact = isObject(physical?.artifactLocation) ? physical.artifactLocation : undefined;
  const region = isObject(physical?.region) ? physical.region : undefined;
  const message =
    isObject(result.message) && typeof result.message.text === 'string' ? result.message.text : '';
  const compact: CompactResult = {
    suppressed: isSuppressed(result),
    message: message.split('\n')[0]!.slice(0, 500),
  };
  if (ruleId !== undefined) compact.ruleId = ruleId;
  const ruleIndex = toNumber(result.ruleIndex);
  if (ruleIndex !== undefined) compact.ruleIndex = ruleIndex;
  const refIndex = toNumber(ruleRef?.index);
  if (refIndex !== undefined) compact.refIndex = refIndex;
  const componentIndex = toNumber(componentRef?.index);
  if (componentIndex !== undefined) compact.componentIndex = componentIndex;
  if (result.level !== undefined) compact.level = result.level;
  if (typeof artifact?.uri === 'string') compact.uri = artifact.uri;
  const artifactIndex = toNumber(artifact?.index);
  if (artifactIndex !== undefined) compact.artifactIndex = artifactIndex;
  const line = toNumber(region?.startLine);
  if (line) compact.line = line;
  const column = toNumber(region?.startColumn);
  if (column) compact.column = column;
  const score = isObject(result.properties) ? toNumber(result.properties['security-severity']) : undefined;
  if (score !== undefined) compact.score = score;
  return compact;
}

/** A SARIF log already parsed. */
export function parseSarif(
  data: unknown,
  file: string,
  options: { workspace?: string } = {},
): FindingsReport & { stats: SarifStats } {
  return judgeSarif(data, file, options, (_, run) => objects(run.results).map(compactResult));
}

/**
 * A SARIF file read as a stream: each result is reduced as it is read, and only the rest of the
 * log (tools, rules, artifacts) is parsed whole. A malformed file is read again whole so the
 * error can name the line and column.
 */
export async function parseSarifFile(
  path: string,
  file: string,
  options: { workspace?: string } = {},
): Promise<FindingsReport & { stats: SarifStats }> {
  const perRun: CompactResult[][] = [];
  let data: unknown;
  try {
    const { skeleton } = await streamJsonArrays(
      path,
      (keys) => keys.length === 3 && keys[0] === 'runs' && keys[2] === 'results',
      (json, keys) => {
        const runIndex = keys[1] as number;
        const results = perRun[runIndex] ?? [];
        perRun[runIndex] = results;
        const parsed: unknown = JSON.parse(json);
        if (!isObject(parsed)) throw new SyntaxError('a result is not an object');
        results.push(compactResult(parsed));
      },
    );
    data = JSON.parse(skeleton.charCodeAt(0) === 0xfeff ? skeleton.slice(1) : skeleton);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code) throw new ReportError(file, `cannot read the report (${code})`);
    parseJsonReport(await readReportText(path, file), file, 'report');
    throw new ReportError(file, `the report is not valid JSON (${(error as Error).message})`);
  }
  return judgeSarif(data, file, options, (runIndex) => perRun[runIndex] ?? []);
}

/**
 * SARIF 2.1.0 from any tool. The rule of a result is found the way the spec orders it:
 * `rule.index` into the tool component `rule.toolComponent.index` names (CodeQL puts its rules
 * in extensions), else `ruleIndex` into the driver, else by id. The level is the result's,
 * else the rule's `defaultConfiguration.level`, else "warning" (§3.27.10); the severity is the
 * band of the rule's `security-severity` when it has one, else derived from the level.
 * Suppressed results are counted apart and never gate.
 */
function judgeSarif(
  data: unknown,
  file: string,
  options: { workspace?: string },
  resultsOf: (runIndex: number, run: Obj) => CompactResult[],
): FindingsReport & { stats: SarifStats } {
  if (!isObject(data) || !Array.isArray(data.runs)) {
    throw new ReportError(file, 'expected a SARIF log with a "runs" array');
  }
  if (data.version !== undefined && data.version !== '2.1.0') {
    throw new ReportError(
      file,
      `SARIF version ${JSON.stringify(data.version)} is not supported; expected 2.1.0`,
    );
  }
  const stats: SarifStats = {
    runs: 0,
    tools: [],
    results: 0,
    byLevel: {},
    bySecuritySeverity: {},
    suppressed: 0,
    notifications: 0,
  };
  const findings: Finding[] = [];
  for (const [runIndex, run] of data.runs.entries()) {
    if (!isObject(run) || !isObject(run.tool) || !isObject(run.tool.driver)) {
      throw new ReportError(file, `runs[${runIndex}] has no tool.driver`);
    }
    stats.runs++;
    const driver = run.tool.driver as Obj;
    const extensions = objects(run.tool.extensions);
    const toolName = typeof driver.name === 'string' ? driver.name : 'SARIF';
    const version =
      typeof driver.version === 'string'
        ? driver.version
        : typeof driver.semanticVersion === 'string'
          ? driver.semanticVersion
          : null;
    stats.tools.push([toolName, version]);
    const rulesById = new Map<string, Obj>();
    for (const component of [driver, ...extensions]) {
      for (const rule of objects(component.rules)) {
        if (typeof rule.id === 'string' && !rulesById.has(rule.id)) rulesById.set(rule.id, rule);
      }
    }
    for (const invocation of objects(run.invocations)) {
      stats.notifications += objects(invocation.toolExecutionNotifications).length;
    }
    const artifacts = objects(run.artifacts);

    for (const result of resultsOf(runIndex, run)) {
      stats.results++;
      let rule: Obj | undefined;
      if (result.refIndex !== undefined) {
        const component = result.componentIndex !== undefined ? extensions[result.componentIndex] : driver;
        rule = objects(component?.rules)[result.refIndex];
      }
      if (!rule && result.ruleIndex !== undefined) rule = objects(driver.rules)[result.ruleIndex];
      if (!rule && result.ruleId)
        rule = rulesById.get(result.ruleId) ?? rulesById.get(result.ruleId.split('/')[0]!);

      const defaultLevel = isObject(rule?.defaultConfiguration) ? rule.defaultConfiguration.level : undefined;
      const rawLevel = result.level ?? defaultLevel ?? 'warning';
      const level = (LEVELS.has(String(rawLevel)) ? rawLevel : 'warning') as SarifLevel;
      const score =
        toNumber(isObject(rule?.properties) ? rule.properties['security-severity'] : undefined) ??
        result.score;
      const band = score !== undefined ? securitySeverityBand(score) : undefined;

      stats.byLevel[level] = (stats.byLevel[level] ?? 0) + 1;
      if (band && band !== 'info') stats.bySecuritySeverity[band] = (stats.bySecuritySeverity[band] ?? 0) + 1;
      if (result.suppressed) {
        stats.suppressed++;
        continue;
      }
      let uri = result.uri;
      if (!uri && result.artifactIndex !== undefined) {
        const located = artifacts[result.artifactIndex]?.location;
        if (isObject(located) && typeof located.uri === 'string') uri = located.uri;
      }
      const shortDescription =
        isObject(rule?.shortDescription) && typeof rule.shortDescription.text === 'string'
          ? rule.shortDescription.text
          : undefined;
      findings.push({
        severity: band ?? severityFromLevel(level),
        level,
        ...(score !== undefined ? { securitySeverity: score } : {}),
        id: result.ruleId ?? (typeof rule?.id === 'string' ? rule.id : 'result'),
        title: (result.message || shortDescription || result.ruleId || 'SARIF result').slice(0, 500),
        tool: toolName,
        report: file,
        ...(uri ? { file: displayPath(uri, options.workspace) } : {}),
        ...(result.line ? { line: result.line } : {}),
        ...(result.column ? { column: result.column } : {}),
      });
    }
  }
  return {
    format: 'sarif',
    file,
    tool: stats.tools.map(([name]) => name).join(', '),
    findings,
    suppressed: stats.suppressed,
    stats,
  };
}
