import { isAbsolute, join, resolve } from 'node:path';
import * as core from '@actions/core';
import { incidentDetected, projectEvent, taskRunFinished, taskRunStarted } from '../../shared/audit/index.js';
import { openAuditFromConfig } from '../../shared/audit/open-from-config.js';
import { effectiveConfigMarkdown } from '../../shared/config/index.js';
import { loadOptionalEnvironmentConfig } from '../../shared/config/load-optional.js';
import type { CanaryInputs } from './inputs.js';
import { loadPrometheusTls, mergeTlsConfig } from './prometheus-tls.js';
import { analysisSummary, buildReport, metricsOutput, writeReport } from './report.js';
import { resolveSettings } from './settings.js';
import { type AnalysisRun, runAnalysis } from './watch.js';

function reportFile(inputs: CanaryInputs): string {
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  if (inputs.reportPath)
    return isAbsolute(inputs.reportPath) ? inputs.reportPath : resolve(workspace, inputs.reportPath);
  return join(process.env.RUNNER_TEMP ?? workspace, 'canary-analysis.json');
}

export async function canaryAnalyze(inputs: CanaryInputs, signal: AbortSignal): Promise<AnalysisRun> {
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const loaded = await loadOptionalEnvironmentConfig(inputs.environment, inputs.configPath, workspace);
  const tls = loadPrometheusTls(
    mergeTlsConfig(
      inputs.prometheusTls,
      loaded.config.monitoring.prometheus?.tls,
      loaded.files.at(-1) ?? 'the environment config',
    ),
    workspace,
  );
  const settings = resolveSettings(inputs, loaded.config, loaded.files.at(-1), tls);
  if (tls?.insecureSkipVerify) {
    core.warning(
      `prometheus-insecure-skip-verify: the TLS certificate of ${settings.prometheus.url} is not verified, so anyone on the network path can read the credentials and answer in Prometheus' place; give prometheus-ca-file instead`,
    );
  }

  // Everything above only reads and checks; from here on the step records what it does.
  const audit = openAuditFromConfig({
    config: loaded.config,
    action: 'canary-analyze',
    environment: inputs.environment,
    fileInput: inputs.auditLog,
  });
  core.setOutput('audit-log', audit.file);
  const subject = `${settings.namespace}/${settings.canary}`;
  await audit.emit((scope) =>
    taskRunStarted(scope, {
      namespace: settings.namespace,
      details: {
        canary: settings.canary,
        baseline: settings.baseline,
        provider: settings.provider,
        mode: settings.mode,
        gate: settings.gate,
        durationMs: settings.durationMs,
        intervalMs: settings.intervalMs,
        customMetrics: settings.customMetrics.map((m) => m.name),
      },
    }),
  );

  core.info(
    `Analysing ${settings.canary} against ${settings.baseline} in ${settings.namespace} (${settings.mode})`,
  );
  const run = await runAnalysis(settings, signal);
  const { decision, metrics } = run.last;

  const path = reportFile(inputs);
  writeReport(path, buildReport(settings, run));

  // Figures only: metric names, verdicts and numbers; no query text (it can carry label values
  // a team considers sensitive) and never a credential.
  const figures = metrics.map((m) => ({
    metric: m.name,
    verdict: m.verdict,
    ...(m.canary !== undefined && Number.isFinite(m.canary) ? { canary: m.canary } : {}),
    ...(m.baseline !== undefined && Number.isFinite(m.baseline) ? { baseline: m.baseline } : {}),
    ...(m.threshold !== undefined ? { threshold: m.threshold } : {}),
    samples: m.samples,
  }));
  await audit.emit((scope) =>
    projectEvent(scope, {
      thing: 'canary-analysis',
      verb: 'decided',
      subject,
      namespace: settings.namespace,
      outcome:
        decision.decision === 'rollback'
          ? 'failure'
          : decision.decision === 'promote'
            ? 'success'
            : 'skipped',
      reason: decision.reason,
      details: {
        decision: decision.decision,
        score: decision.score,
        failedMetrics: decision.failed,
        inconclusiveMetrics: decision.inconclusive,
        window: { start: run.last.window.start.toISOString(), end: run.last.window.end.toISOString() },
        looks: run.looks,
        metrics: figures,
      },
    }),
  );
  if (decision.decision === 'rollback') {
    await audit.emit((scope) =>
      incidentDetected(scope, {
        incidentId: `canary-analysis/${scope.run.runId ?? 'local'}/${settings.canary}`,
        description: `canary regression: ${decision.reason}`.slice(0, 1000),
        service: settings.canary,
        namespace: settings.namespace,
        reason: `failed: ${decision.failed.join(', ')}`,
      }),
    );
  }
  const stepFails = inputs.failOn.includes(decision.decision);
  await audit.emit((scope) =>
    taskRunFinished(scope, {
      outcome: signal.aborted ? 'cancel' : stepFails ? 'failure' : 'success',
      reason: `decision ${decision.decision}`,
    }),
  );
  await audit.close();

  core.setOutput('decision', decision.decision);
  core.setOutput('reason', decision.reason);
  core.setOutput('score', String(decision.score));
  core.setOutput('failed-metrics', JSON.stringify(decision.failed));
  core.setOutput('inconclusive-metrics', JSON.stringify(decision.inconclusive));
  core.setOutput('metrics', JSON.stringify(metricsOutput(metrics)));
  core.setOutput('report', path);

  analysisSummary({
    settings,
    run,
    reportPath: path,
    configMarkdown: effectiveConfigMarkdown(loaded.config, loaded.secretPaths, loaded),
    auditMarkdown: audit.summaryMarkdown(),
  }).write();

  core.info(`Decision: ${decision.decision} — ${decision.reason}`);
  for (const metric of metrics) {
    if (metric.verdict === 'fail') core.error(`canary-analyze: ${metric.name} failed: ${metric.reason}`);
    else if (metric.verdict === 'error') core.warning(`canary-analyze: ${metric.name}: ${metric.reason}`);
  }
  if (stepFails) core.setFailed(`canary analysis decided ${decision.decision}: ${decision.reason}`);
  return run;
}
