import { isAbsolute, join, resolve } from 'node:path';
import * as core from '@actions/core';
import { projectEvent, taskRunFinished, taskRunStarted } from '../../shared/audit/index.js';
import { openAuditFromConfig } from '../../shared/audit/open-from-config.js';
import { effectiveConfigMarkdown } from '../../shared/config/index.js';
import { UserError } from '../../shared/errors.js';
import { readRunContext } from '../../shared/run-context.js';
import { allowListState } from './allow-list.js';
import { emitFindingAnnotations } from './annotate.js';
import { changedFiles, resolveBaseRef } from './changed-files.js';
import { collectReports } from './collect.js';
import { loadQualityConfig } from './config.js';
import { type Evaluation, evaluate, formatPct, withDefaults } from './gates.js';
import type { AllowedAdvisory, QualityGateInputs } from './inputs.js';
import { CATEGORIES } from './load-report.js';
import { jsonReport, qualitySummary, writeJsonReport } from './report.js';
import { runCommands } from './run-commands.js';

function pctOutput(pct: number | null | undefined): string {
  return pct === null || pct === undefined ? '' : String(Math.floor(pct * 100) / 100);
}

export async function qualityGate(inputs: QualityGateInputs, signal: AbortSignal): Promise<Evaluation> {
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  if (Object.keys(inputs.patterns).length === 0) {
    throw new UserError(
      `no reports to gate: give at least one of the inputs ${CATEGORIES.join(', ')} (glob patterns, one per line)`,
    );
  }
  const loaded = await loadQualityConfig(inputs, workspace);
  const thresholds = withDefaults(loaded.config.quality);
  const configured: AllowedAdvisory[] = (thresholds.allowAdvisories ?? []).map((entry, index) => ({
    ...entry,
    source: `quality.allowAdvisories[${index}]`,
  }));
  const allowList = allowListState(
    [...configured, ...inputs.allowAdvisories],
    new Date().toISOString().slice(0, 10),
  );
  for (const entry of allowList.expired) {
    core.warning(
      `allow-list entry ${entry.id} (${entry.source}) expired on ${entry.expires} and no longer applies`,
    );
  }
  const baseRef = thresholds.changedFilesOnly ? resolveBaseRef(inputs.baseRef) : undefined;
  const reportPath = inputs.reportPath
    ? isAbsolute(inputs.reportPath)
      ? inputs.reportPath
      : resolve(workspace, inputs.reportPath)
    : join(process.env.RUNNER_TEMP ?? workspace, 'quality-gate-report.json');

  const audit = openAuditFromConfig({
    config: loaded.config,
    action: 'quality-gate',
    environment: inputs.environment,
    fileInput: inputs.auditLog,
  });
  core.setOutput('audit-log', audit.file);
  const context = readRunContext();
  await audit.emit((scope) =>
    taskRunStarted(scope, {
      details: {
        inputs: Object.keys(inputs.patterns),
        commands: inputs.run.length,
        changedFilesOnly: Boolean(baseRef),
      },
    }),
  );

  let evaluation: Evaluation;
  try {
    const commands = inputs.run.length ? await runCommands(inputs.run, workspace, signal) : [];
    const changed = baseRef ? await changedFiles(baseRef, workspace) : undefined;
    const categories = await collectReports(inputs.patterns, inputs.optional, workspace, {
      keepFiles: Boolean(changed),
    });
    evaluation = evaluate(categories, {
      thresholds,
      allowList,
      ...(changed ? { changedFiles: changed } : {}),
    });
    const failedCommands = commands.filter((c) => c.exitCode !== 0);
    if (commands.length) {
      evaluation.gates.unshift({
        name: 'commands',
        threshold: 'all exit 0',
        actual: `${commands.length - failedCommands.length} of ${commands.length} succeeded`,
        verdict: failedCommands.length ? 'fail' : 'pass',
        ...(failedCommands.length
          ? {
              reason: failedCommands
                .map((c) => `${c.command.join(' ')} → ${c.error ?? `exit ${c.exitCode}`}`)
                .join('; '),
            }
          : {}),
      });
      if (failedCommands.length) evaluation.passed = false;
    }
    const parts = {
      environment: inputs.environment,
      evaluation,
      categories,
      allowList,
      commands,
      ...(changed ? { changedFiles: changed, baseRef } : {}),
    };
    writeJsonReport(reportPath, jsonReport(parts));

    const failed = evaluation.gates.filter((g) => g.verdict === 'fail').map((g) => g.name);
    await audit.emit((scope) =>
      projectEvent(scope, {
        thing: 'quality-gate',
        verb: 'evaluated',
        subject: context.sha ?? inputs.environment,
        outcome: evaluation.passed ? 'success' : 'failure',
        ...(failed.length ? { reason: `failed gates: ${failed.join(', ')}` } : {}),
        details: {
          passed: evaluation.passed,
          gates: evaluation.gates.map(({ name, threshold, actual, verdict }) => ({
            name,
            threshold,
            actual,
            verdict,
          })),
          figures: evaluation.figures,
          allowedAdvisories: evaluation.usedAllowances,
          reports: categories.reduce((n, c) => n + c.reports.length, 0),
        },
      }),
    );
    await audit.emit((scope) =>
      taskRunFinished(scope, {
        outcome: signal.aborted ? 'cancel' : evaluation.passed ? 'success' : 'failure',
        ...(failed.length ? { reason: `failed gates: ${failed.join(', ')}` } : {}),
      }),
    );
    await audit.close();

    core.setOutput('passed', String(evaluation.passed));
    core.setOutput('coverage', pctOutput(evaluation.figures.coverage.lines?.pct));
    core.setOutput('branch-coverage', pctOutput(evaluation.figures.coverage.branches?.pct));
    core.setOutput('failed-gates', JSON.stringify(failed));
    core.setOutput(
      'gates',
      JSON.stringify(Object.fromEntries(evaluation.gates.map((g) => [g.name, g.verdict]))),
    );
    core.setOutput('vulnerabilities', JSON.stringify(evaluation.figures.vulnerabilities ?? {}));
    core.setOutput('figures', JSON.stringify(evaluation.figures));
    core.setOutput('report', reportPath);

    emitFindingAnnotations(evaluation);
    qualitySummary({
      ...parts,
      configMarkdown: effectiveConfigMarkdown(loaded.config, loaded.secretPaths, loaded),
      auditMarkdown: audit.summaryMarkdown(),
    }).write();

    for (const gate of evaluation.gates) {
      core.info(
        `${gate.verdict.toUpperCase().padEnd(7)} ${gate.name}: ${gate.actual}${gate.threshold ? ` (threshold ${gate.threshold})` : ''}${gate.reason ? ` — ${gate.reason}` : ''}`,
      );
    }
    if (!evaluation.passed) {
      const message = `quality gate failed: ${evaluation.gates
        .filter((g) => g.verdict === 'fail')
        .map((g) => `${g.name} (${g.reason ?? g.actual})`)
        .join('; ')}`;
      if (inputs.softFail) core.warning(`${message} — not failing the step: soft-fail is on`);
      else core.setFailed(message);
    } else {
      core.info(`quality gate passed (coverage ${formatPct(evaluation.figures.coverage.lines?.pct)})`);
    }
  } catch (error) {
    // The trail records a gate that could not be judged as a failure, then the error fails the step.
    await audit.emit((scope) =>
      taskRunFinished(scope, {
        outcome: signal.aborted ? 'cancel' : 'failure',
        reason: error instanceof Error ? error.message : String(error),
      }),
    );
    await audit.close();
    throw error;
  }
  return evaluation;
}
