import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { details, StepSummary, table } from '../../shared/summary.js';
import type { AllowListState } from './allow-list.js';
import { findingRank } from './annotate.js';
import type { CategoryReports } from './collect.js';
import type { Evaluation, GateResult } from './gates.js';
import type { CommandResult } from './run-commands.js';

const VERDICT: Record<GateResult['verdict'], string> = {
  pass: '✅ pass',
  fail: '❌ fail',
  skipped: '⏭️ skipped',
};

/** Findings kept in the JSON report; the summary shows fewer. */
const REPORT_FINDINGS = 5000;
const SUMMARY_FINDINGS = 50;

export interface ReportParts {
  environment: string;
  evaluation: Evaluation;
  categories: readonly CategoryReports[];
  allowList: AllowListState;
  commands: readonly CommandResult[];
  changedFiles?: readonly string[];
  baseRef?: string;
}

function ranked(evaluation: Evaluation) {
  return evaluation.findings
    .map((finding, index) => ({ finding, index }))
    .sort(
      (a, b) =>
        Number(b.finding.blocking) - Number(a.finding.blocking) ||
        findingRank(b.finding) - findingRank(a.finding) ||
        a.index - b.index,
    )
    .map(({ finding }) => finding);
}

function reportsRead(categories: readonly CategoryReports[]) {
  return categories.flatMap((c) =>
    c.reports.map((r) => ({ input: c.category, file: r.report.file, format: r.report.format })),
  );
}

/** The JSON report: verdicts, figures, every report read and the worst findings. */
export function jsonReport(parts: ReportParts): Record<string, unknown> {
  const { evaluation } = parts;
  const findings = ranked(evaluation);
  return {
    passed: evaluation.passed,
    environment: parts.environment,
    gates: evaluation.gates,
    failedGates: evaluation.gates.filter((g) => g.verdict === 'fail').map((g) => g.name),
    figures: evaluation.figures,
    reports: reportsRead(parts.categories),
    ...(parts.changedFiles
      ? { changedFiles: { baseRef: parts.baseRef, count: parts.changedFiles.length } }
      : {}),
    commands: parts.commands,
    allowList: {
      applied: evaluation.usedAllowances,
      expired: parts.allowList.expired.map(({ id, expires, reason }) => ({ id, expires, reason })),
    },
    findings: findings.slice(0, REPORT_FINDINGS),
    findingsOmitted: Math.max(0, findings.length - REPORT_FINDINGS),
    testFailures: evaluation.testFailures.slice(0, REPORT_FINDINGS),
  };
}

export function writeJsonReport(path: string, report: Record<string, unknown>): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}

export function qualitySummary(
  parts: ReportParts & { configMarkdown: string; auditMarkdown: string },
): StepSummary {
  const { evaluation } = parts;
  const summary = new StepSummary();
  summary.heading(`Quality gate ${evaluation.passed ? 'passed ✅' : 'failed ❌'} — ${parts.environment}`);
  summary.add(
    table(
      ['Gate', 'Threshold', 'Actual', 'Verdict', 'Why'],
      evaluation.gates.map((g) => [g.name, g.threshold, g.actual, VERDICT[g.verdict], g.reason ?? '']),
    ),
  );
  if (parts.changedFiles) {
    summary.paragraph(
      `Coverage judged on ${parts.changedFiles.length} file(s) changed since \`${parts.baseRef}\`.`,
    );
  }
  const findings = ranked(evaluation);
  if (findings.length) {
    summary.heading('Worst findings', 3);
    summary.add(
      table(
        ['Severity', 'Blocks', 'Tool', 'Rule / advisory', 'Where', 'What'],
        findings
          .slice(0, SUMMARY_FINDINGS)
          .map((f) => [
            f.severity,
            f.blocking ? 'yes' : f.allowedBy ? `allowed (${f.allowedBy.join(', ')})` : 'no',
            f.tool,
            f.id,
            f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : '',
            f.title,
          ]),
      ),
    );
    if (findings.length > SUMMARY_FINDINGS) {
      summary.paragraph(`_${findings.length - SUMMARY_FINDINGS} more finding(s) in the JSON report._`);
    }
  }
  if (evaluation.testFailures.length) {
    summary.add(
      details(
        `Failed tests (${evaluation.testFailures.length})`,
        table(
          ['Test', 'Kind', 'Message'],
          evaluation.testFailures.map((f) => [
            [f.classname, f.name].filter(Boolean).join(' › '),
            f.kind,
            f.message ?? '',
          ]),
          100,
        ),
      ),
    );
  }
  if (parts.allowList.expired.length) {
    summary.paragraph(
      `Expired allow-list entries (no longer applied): ${parts.allowList.expired.map((e) => `\`${e.id}\` (expired ${e.expires})`).join(', ')}`,
    );
  }
  if (parts.commands.length) {
    summary.add(
      details(
        'Commands run',
        table(
          ['Command', 'Exit', 'Seconds'],
          parts.commands.map((c) => [
            c.command.join(' '),
            c.error ?? c.exitCode,
            (c.durationMs / 1000).toFixed(1),
          ]),
        ),
      ),
    );
  }
  summary.add(
    details(
      'Reports read',
      table(
        ['Input', 'File', 'Format'],
        reportsRead(parts.categories).map((r) => [r.input, r.file, r.format]),
      ),
    ),
  );
  summary.add(details('Effective configuration', parts.configMarkdown));
  summary.add(parts.auditMarkdown);
  return summary;
}
