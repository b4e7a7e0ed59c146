import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { cell, details } from '../../shared/summary.js';
import type { LintFinding } from './analyze.js';
import type { PlannedMigration, ValidationProblem } from './engine.js';
import type { Command } from './inputs.js';

export interface PlanReport {
  command: Command;
  dryRun: boolean;
  current?: string | undefined;
  pending: PlannedMigration[];
  repeatable: PlannedMigration[];
  findings: LintFinding[];
  problems: ValidationProblem[];
  lint: 'error' | 'warn' | 'off';
}

/** The plan as JSON: what would run, how, and what lint says, for reviewers and later steps. */
export function planJson(report: PlanReport) {
  const entry = (p: PlannedMigration) => ({
    version: p.file.version ?? null,
    script: p.file.script,
    file: p.file.file,
    checksum: p.file.checksum,
    transaction: p.analysis.transactional ? 'per-file' : 'none',
    nonTransactionalReasons: p.analysis.nonTransactionalReasons,
    statements: p.analysis.statements.length,
    resumeFrom: p.resumeFrom,
    hasUndo: Boolean(p.file.undo),
    findings: p.analysis.findings.map((f) => ({
      rule: f.rule,
      line: f.line,
      column: f.column,
      lockLevel: f.lockLevel,
      severity: f.severity,
      message: f.message,
      why: f.why,
      instead: f.instead,
      ...(f.waiver ? { waiver: f.waiver } : {}),
    })),
  });
  return {
    command: report.command,
    dryRun: report.dryRun,
    currentVersion: report.current ?? null,
    lint: report.lint,
    pending: report.pending.map(entry),
    repeatable: report.repeatable.map(entry),
    validation: report.problems.map((p) => ({ kind: p.kind, file: p.file ?? null, message: p.message })),
  };
}

export function writePlan(path: string, report: PlanReport): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(planJson(report), null, 2)}\n`);
}

export function planMarkdown(report: PlanReport, settings: { historyName: string }): string {
  const out: string[] = [];
  const all = [...report.pending, ...report.repeatable];
  out.push(
    `## migrate-db ${report.command}${report.dryRun ? ' (dry run)' : ''}`,
    '',
    `Current version: **${report.current ?? '(none)'}** · pending: **${report.pending.length}**${report.repeatable.length ? ` + ${report.repeatable.length} repeatable` : ''} · history: \`${settings.historyName}\` · lint: ${report.lint}`,
    '',
  );
  if (report.problems.length) {
    out.push('### Validation failed', '', ...report.problems.map((p) => `- ${cell(p.message)}`), '');
  }
  if (all.length) {
    out.push('| Version | File | Transaction | Statements | Lint |', '| --- | --- | --- | --- | --- |');
    for (const p of all) {
      const lint = p.analysis.findings.length
        ? p.analysis.findings
            .map(
              (f) =>
                `${f.severity === 'waived' ? '~~' : ''}${f.rule}${f.severity === 'waived' ? '~~ (waived)' : ` (${f.severity})`}`,
            )
            .join(', ')
        : '—';
      out.push(
        `| ${cell(p.file.version ?? 'R')} | \`${cell(p.file.file)}\` | ${p.analysis.transactional ? 'one transaction' : `none: ${cell(p.analysis.nonTransactionalReasons.join('; '))}`}${p.resumeFrom ? ` (resumes at statement ${p.resumeFrom + 1})` : ''} | ${p.analysis.statements.length} | ${cell(lint)} |`,
      );
    }
    out.push('');
  }
  if (report.findings.length) {
    const rows = report.findings.map(
      (f) =>
        `| ${f.severity} | \`${f.rule}\` | \`${cell(f.file)}:${f.line}\` | ${f.lockLevel} | ${cell(f.why)} | ${cell(f.instead)}${f.waiver ? ` — waived: ${cell(f.waiver)}` : ''} |`,
    );
    out.push(
      details(
        `Lint findings (${report.findings.length})`,
        [
          '| Severity | Rule | Where | Lock | Why it breaks a side-by-side deploy | Instead |',
          '| --- | --- | --- | --- | --- | --- |',
          ...rows,
        ].join('\n'),
      ),
    );
  }
  return `${out.join('\n')}\n`;
}
