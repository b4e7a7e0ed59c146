import * as core from '@actions/core';
import {
  incidentDetected,
  ociPurl,
  serviceRolledBack,
  taskRunFinished,
  taskRunStarted,
} from '../../shared/audit/index.js';
import { openAuditFromConfig } from '../../shared/audit/open-from-config.js';
import { effectiveConfigMarkdown, loadEnvironmentConfig } from '../../shared/config/index.js';
import { errorMessage, UserError } from '../../shared/errors.js';
import { checkHealth } from '../../shared/health-check.js';
import { KubeClient } from '../../shared/kube/client.js';
import { resolveKubeconfigSource } from '../../shared/kube/kubeconfig.js';
import { type RollbackOutcome, rollBackRelease } from '../../shared/kube/roll-back.js';
import { details, StepSummary, table } from '../../shared/summary.js';
import type { RollbackInputs } from './inputs.js';
import { evaluateTriggers, type TriggerResult } from './triggers.js';

function artifactIdFor(image: string | undefined): string {
  if (!image) return 'pkg:oci/unknown';
  const at = image.indexOf('@');
  return at > 0
    ? ociPurl(image.slice(0, at), image.slice(at + 1))
    : `pkg:oci/${encodeURIComponent(image.split('/').pop() ?? image)}`;
}

export async function rollback(inputs: RollbackInputs, signal: AbortSignal): Promise<void> {
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const o = (input: string, value: unknown) => ({ input, value });
  const loaded = await loadEnvironmentConfig({
    environment: inputs.environment,
    path: inputs.configPath,
    workspace,
    overrides: {
      'kubernetes.namespace': o('namespace', inputs.namespace),
      'kubernetes.deployment': o('deployment', inputs.deployment),
      'kubernetes.service': o('service', inputs.service),
      'kubernetes.container': o('container', inputs.container),
      'kubernetes.context': o('context', inputs.context),
      'health.baseUrl': o('health-url', inputs.healthUrl),
    },
  });
  const { config } = loaded;
  const kube = config.kubernetes;
  if (!kube)
    throw new UserError(
      'config has no "kubernetes" section; set kubernetes.namespace and kubernetes.deployment (or the inputs)',
    );
  const timeoutMs = inputs.timeoutMs ?? config.deployment.timeout ?? 600_000;
  const healthUrl = config.health.baseUrl;

  const audit = openAuditFromConfig({
    config,
    action: 'rollback',
    environment: inputs.environment,
    ...(inputs.auditLog ? { fileInput: inputs.auditLog } : {}),
  });
  core.setOutput('audit-log', audit.file);
  audit.update({ namespace: kube.namespace });
  await audit.emit((scope) =>
    taskRunStarted(scope, { details: { when: inputs.when, deployment: kube.deployment } }),
  );
  // Said before the Kubernetes client (a large, lazily loaded chunk) is loaded, so the log shows
  // at once what this step is about to do.
  core.info(
    `Rollback of ${kube.namespace}/${kube.deployment} in ${inputs.environment} (when: ${inputs.when})`,
  );
  const summary = new StepSummary();
  let triggers: TriggerResult[] = [];
  let outcome: RollbackOutcome | undefined;
  let reason = inputs.reason ?? 'manual rollback';
  let trigger = inputs.when === 'always' ? 'always' : '';
  let failure: string | undefined;
  let verified: string | undefined;
  try {
    if (inputs.when === 'triggered') {
      triggers = await evaluateTriggers({
        config,
        ...(healthUrl ? { healthUrl } : {}),
        ...(inputs.prometheusUrl ? { prometheusUrl: inputs.prometheusUrl } : {}),
        ...(inputs.prometheusToken ? { prometheusToken: inputs.prometheusToken } : {}),
        namespace: kube.namespace,
        deployment: kube.deployment,
        signal,
      });
      for (const t of triggers)
        core.info(
          `trigger ${t.name}: ${t.held ? 'HOLDS' : t.evaluated ? 'ok' : 'not evaluated'} — ${t.detail}`,
        );
      const held = triggers.filter((t) => t.held);
      if (held.length === 0) {
        trigger = '';
        reason = triggers.some((t) => t.evaluated)
          ? 'no rollback trigger holds'
          : 'no rollback trigger could be evaluated';
      } else {
        trigger = held.map((t) => t.name).join(',');
        reason = `${inputs.reason ? `${inputs.reason}: ` : ''}${held.map((t) => `${t.name} ${t.detail}`).join('; ')}`;
        await audit.emit((scope) =>
          incidentDetected(scope, {
            incidentId: `${kube.deployment}/${Date.now()}`,
            description: reason,
            service: kube.deployment,
          }),
        );
      }
    }
    if (inputs.when === 'always' || trigger) {
      const client = await KubeClient.create({
        source: resolveKubeconfigSource(inputs.kubeconfig),
        ...(kube.context ? { context: kube.context } : {}),
        signal,
        onRetry: (why) => core.info(`retrying: ${why}`),
      });
      audit.update({ cluster: kube.context ?? client.contextName });
      const started = Date.now();
      outcome = await rollBackRelease(client, {
        namespace: kube.namespace,
        deployment: kube.deployment,
        ...(kube.service ? { service: kube.service } : {}),
        ...(kube.container ? { container: kube.container } : {}),
        ...(inputs.toRevision !== undefined ? { toRevision: inputs.toRevision } : {}),
        timeoutMs,
        signal,
        onProgress: (message) => core.info(message),
      });
      core.info(`${outcome.detail} (${Date.now() - started} ms)`);
      if (outcome.rolledBack) {
        if (healthUrl && config.deployment.healthChecks !== 'disabled') {
          const health = await checkHealth({
            baseUrl: healthUrl,
            paths: config.health.paths,
            timeoutMs: config.health.timeout,
            retries: config.health.retries,
            intervalMs: config.health.interval,
            signal,
          });
          verified = health.results
            .map((r) => `${r.endpoint} ${r.ok ? 'ok' : `failed (${r.detail ?? ''})`}`)
            .join('; ');
          if (!health.ok) failure = `rolled back, but the health checks still fail: ${verified}`;
        }
        await audit.emit((scope) =>
          serviceRolledBack(scope, {
            service: kube.deployment,
            artifactId: artifactIdFor(outcome!.image),
            ...(outcome!.image ? { image: outcome!.image } : {}),
            reason,
            details: {
              strategy: outcome!.strategy,
              fromRevision: outcome!.fromRevision,
              toRevision: outcome!.toRevision,
              trigger: trigger || 'always',
              verified,
            },
          }),
        );
      }
    }
  } catch (error) {
    failure = errorMessage(error);
  }
  const rolledBack = outcome?.rolledBack ?? false;
  core.setOutput('rolled-back', String(rolledBack));
  core.setOutput('from-revision', outcome?.fromRevision ?? '');
  core.setOutput('to-revision', outcome?.toRevision ?? '');
  core.setOutput('image', outcome?.image ?? '');
  core.setOutput('reason', outcome && !outcome.rolledBack ? outcome.detail : reason);
  core.setOutput('trigger', trigger);
  await audit.emit((scope) =>
    taskRunFinished(scope, {
      outcome: failure ? 'failure' : 'success',
      ...(failure ? { reason: failure } : {}),
    }),
  );
  await audit.close();

  summary.heading(
    `Rollback of ${kube.deployment} in ${inputs.environment}: ${failure ? 'failed' : rolledBack ? 'rolled back' : 'not rolled back'}`,
  );
  summary.paragraph(`**Reason:** ${outcome && !outcome.rolledBack ? outcome.detail : reason}`);
  if (failure) summary.paragraph(`**Problem:** ${failure}`);
  if (triggers.length) {
    summary.add(
      table(
        ['Trigger', 'Result', 'Detail'],
        triggers.map((t) => [
          t.name,
          t.held ? '❌ holds' : t.evaluated ? '✅ ok' : '➖ not evaluated',
          t.detail,
        ]),
      ),
    );
  }
  if (outcome) {
    summary.add(
      table(
        ['Fact', 'Value'],
        [
          ['Strategy', outcome.strategy],
          ['What was done', outcome.detail],
          ['From', outcome.fromRevision ?? ''],
          ['To', outcome.toRevision ?? ''],
          ['Image now', outcome.image ?? ''],
          ['Health afterwards', verified ?? 'not checked'],
        ],
      ),
    );
  }
  summary.add(
    details('Effective configuration', effectiveConfigMarkdown(config, loaded.secretPaths, loaded)),
  );
  summary.add(audit.summaryMarkdown());
  summary.write();
  if (failure) core.setFailed(failure);
}
