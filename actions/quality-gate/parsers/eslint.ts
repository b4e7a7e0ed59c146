import type { Finding, FindingsReport } from '../model.js';
import { isObject, toNumber } from '../read-report.js';
import { ReportError } from '../report-error.js';

export interface EslintStats {
  files: number;
  filesWithMessages: number;
  errorCount: number;
  warningCount: number;
  fatalErrorCount: number;
  fixableErrorCount: number;
  fixableWarningCount: number;
  messages: number;
  suppressedMessages: number;
}

export function looksLikeEslint(data: unknown): boolean {
  return (
    Array.isArray(data) &&
    data.length > 0 &&
    isObject(data[0]) &&
    'filePath' in data[0] &&
    'messages' in data[0]
  );
}

/** ESLint's `--format json`: one entry per linted file with its messages and counts. */
export function parseEslint(
  data: unknown,
  file: string,
  options: { workspace?: string } = {},
): FindingsReport & { stats: EslintStats } {
  if (!Array.isArray(data))
    throw new ReportError(file, 'expected ESLint JSON: an array of { filePath, messages }');
  const stats: EslintStats = {
    files: 0,
    filesWithMessages: 0,
    errorCount: 0,
    warningCount: 0,
    fatalErrorCount: 0,
    fixableErrorCount: 0,
    fixableWarningCount: 0,
    messages: 0,
    suppressedMessages: 0,
  };
  const findings: Finding[] = [];
  for (const [index, entry] of data.entries()) {
    if (!isObject(entry) || typeof entry.filePath !== 'string' || !Array.isArray(entry.messages)) {
      throw new ReportError(file, `entry [${index}] is not an ESLint result ({ filePath, messages })`);
    }
    stats.files++;
    const messages = entry.messages.filter(isObject);
    if (messages.length) stats.filesWithMessages++;
    stats.messages += messages.length;
    stats.errorCount += toNumber(entry.errorCount) ?? messages.filter((m) => m.severity === 2).length;
    stats.warningCount += toNumber(entry.warningCount) ?? messages.filter((m) => m.severity === 1).length;
    stats.fatalErrorCount += toNumber(entry.fatalErrorCount) ?? 0;
    stats.fixableErrorCount += toNumber(entry.fixableErrorCount) ?? 0;
    stats.fixableWarningCount += toNumber(entry.fixableWarningCount) ?? 0;
    stats.suppressedMessages += Array.isArray(entry.suppressedMessages) ? entry.suppressedMessages.length : 0;
    const path =
      options.workspace && entry.filePath.startsWith(`${options.workspace}/`)
        ? entry.filePath.slice(options.workspace.length + 1)
        : entry.filePath;
    for (const message of messages) {
      const error = message.severity === 2;
      const line = toNumber(message.line);
      const column = toNumber(message.column);
      findings.push({
        severity: message.fatal === true ? 'high' : error ? 'medium' : 'low',
        level: error ? 'error' : 'warning',
        // A null ruleId is ESLint itself speaking: a parse error or an unused disable directive.
        id:
          typeof message.ruleId === 'string'
            ? message.ruleId
            : message.fatal === true
              ? 'parse-error'
              : 'eslint',
        title: typeof message.message === 'string' ? message.message : 'ESLint message',
        tool: 'ESLint',
        report: file,
        file: path,
        ...(line ? { line } : {}),
        ...(column ? { column } : {}),
      });
    }
  }
  return { format: 'eslint', file, tool: 'ESLint', findings, suppressed: stats.suppressedMessages, stats };
}
