import { readFileSync } from 'node:fs';
import * as core from '@actions/core';
import {
  type AuditOutcome,
  projectEvent,
  taskRunFinished,
  taskRunStarted,
} from '../../shared/audit/index.js';
import { openAuditFromConfig } from '../../shared/audit/open-from-config.js';
import { effectiveConfigMarkdown } from '../../shared/config/index.js';
import { loadOptionalEnvironmentConfig } from '../../shared/config/load-optional.js';
import { readRunContext } from '../../shared/run-context.js';
import { deliverAll } from './deliver.js';
import type { NotifyInputs } from './inputs.js';
import { buildMessage, type DeploymentMessage, facts, headline } from './message.js';
import { plannedTargetNames, planTargets } from './plan.js';
import { notifySummary, resultsOutput } from './report.js';
import type { TargetResult } from './targets/result.js';

/** Audit verbs for the status being announced. */
const STATUS_VERB: Record<DeploymentMessage['status'], string> = {
  started: 'started',
  success: 'succeeded',
  failure: 'failed',
  cancelled: 'cancelled',
  'rolled-back': 'rolled-back',
  'approval-needed': 'awaiting-approval',
};

const STATUS_OUTCOME: Record<DeploymentMessage['status'], AuditOutcome> = {
  started: 'started',
  success: 'success',
  failure: 'failure',
  cancelled: 'cancel',
  'rolled-back': 'failure',
  'approval-needed': 'started',
};

function headCommitMessage(): string | undefined {
  const path = process.env.GITHUB_EVENT_PATH;
  if (!path) return undefined;
  try {
    const payload = JSON.parse(readFileSync(path, 'utf8')) as { head_commit?: { message?: string } };
    return payload.head_commit?.message;
  } catch {
    return undefined;
  }
}

export async function notify(inputs: NotifyInputs, signal: AbortSignal): Promise<TargetResult[]> {
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const context = readRunContext();
  const loaded = await loadOptionalEnvironmentConfig(inputs.environment, inputs.configPath, workspace);
  const { config } = loaded;
  const plan = planTargets(inputs, config, {
    repository: context.repository ?? '',
    ref: context.sha ?? context.ref ?? '',
    ...(loaded.files.length ? { configFile: loaded.files.at(-1)! } : {}),
  });

  const message = buildMessage({
    status: inputs.status,
    environment: inputs.environment,
    context,
    service: inputs.service ?? config.kubernetes?.deployment,
    version: inputs.version,
    image: inputs.image,
    digest: inputs.digest,
    environmentUrl: inputs.environmentUrl,
    startedAt: inputs.startedAt,
    reason: inputs.reason,
    rollbackStatus: inputs.rollbackStatus,
    note: inputs.message,
    commitMessage: inputs.includeCommitMessage ? headCommitMessage() : undefined,
  });

  // Everything above only reads and checks; from here on the step records what it does.
  const audit = openAuditFromConfig({
    config,
    action: 'notify',
    environment: inputs.environment,
    fileInput: inputs.auditLog,
    environmentUrl: inputs.environmentUrl,
  });
  core.setOutput('audit-log', audit.file);
  const targetNames = plannedTargetNames(plan);
  await audit.emit((scope) =>
    taskRunStarted(scope, {
      details: { status: inputs.status, targets: targetNames, dryRun: inputs.dryRun },
    }),
  );
  const announced = await audit.emit((scope) =>
    projectEvent(scope, {
      thing: 'deployment',
      verb: STATUS_VERB[inputs.status],
      subject: message.service ?? message.repository,
      outcome: STATUS_OUTCOME[inputs.status],
      ...(message.version ? { version: message.version } : {}),
      ...(message.image ? { image: message.image } : {}),
      ...(message.digest ? { digest: message.digest } : {}),
      ...(message.reason ? { reason: message.reason } : {}),
      details: {
        status: message.status,
        headline: headline(message),
        facts: Object.fromEntries(facts(message)),
        ...(message.durationMs !== undefined ? { durationMs: message.durationMs } : {}),
      },
    }),
  );

  core.info(`${inputs.dryRun ? 'Rendering' : 'Sending'} "${headline(message)}" to ${targetNames.join(', ')}`);
  const results = await deliverAll(plan, message, announced, {
    dryRun: inputs.dryRun,
    retry: { deadlineMs: inputs.timeoutMs, timeoutMs: Math.min(10_000, inputs.timeoutMs), signal },
  });

  for (const result of results) {
    const verb = result.skipped ? 'skipped' : result.ok ? 'delivered' : 'failed';
    await audit.emit((scope) =>
      projectEvent(scope, {
        thing: 'notification',
        verb,
        subject: result.target,
        outcome: result.skipped ? 'skipped' : result.ok ? 'success' : 'failure',
        ...(result.error ? { reason: result.error } : {}),
        details: {
          attempts: result.attempts,
          ...(result.httpStatus ? { httpStatus: result.httpStatus } : {}),
          ...(result.truncated?.length ? { truncated: result.truncated } : {}),
          ...Object.fromEntries(Object.entries(result.detail ?? {}).filter(([key]) => key !== 'payload')),
        },
      }),
    );
  }
  const failed = results.filter((r) => !r.ok);
  await audit.emit((scope) =>
    taskRunFinished(scope, {
      outcome: signal.aborted ? 'cancel' : failed.length ? 'failure' : 'success',
      ...(failed.length ? { reason: `failed: ${failed.map((r) => r.target).join(', ')}` } : {}),
    }),
  );
  await audit.close();

  core.setOutput('results', resultsOutput(results));
  core.setOutput('failed-targets', failed.map((r) => r.target).join(','));
  const slackTs = results.find((r) => r.detail?.ts)?.detail?.ts;
  if (slackTs) core.setOutput('slack-ts', slackTs);
  const deploymentId = results.find((r) => r.detail?.deployment_id)?.detail?.deployment_id;
  if (deploymentId) core.setOutput('deployment-id', deploymentId);
  const dedup = results.find((r) => r.detail?.dedup_key)?.detail?.dedup_key;
  if (dedup) core.setOutput('pagerduty-dedup-key', dedup);

  notifySummary({
    message,
    results,
    dryRun: inputs.dryRun,
    configMarkdown: effectiveConfigMarkdown(loaded.config, loaded.secretPaths, loaded),
    auditMarkdown: audit.summaryMarkdown(),
  }).write();

  for (const result of failed) {
    const text = `notify: ${result.target} failed: ${result.error ?? 'unknown error'}`;
    if (inputs.failOnError) core.error(text);
    else core.warning(text);
  }
  if (failed.length && inputs.failOnError) {
    core.setFailed(
      `${failed.length} of ${results.length} notification target(s) failed: ${failed.map((r) => r.target).join(', ')}`,
    );
  }
  return results;
}
