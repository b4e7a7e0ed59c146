import * as core from '@actions/core';
import { projectEvent, serviceRolledBack } from '../../shared/audit/index.js';
import { openAuditFromConfig } from '../../shared/audit/open-from-config.js';
import { errorMessage } from '../../shared/errors.js';
import { KubeClient } from '../../shared/kube/client.js';
import { resolveKubeconfigSource } from '../../shared/kube/kubeconfig.js';
import { paths } from '../../shared/kube/paths.js';
import { releaseLease } from '../../shared/kube/release-state.js';
import { StepSummary, table } from '../../shared/summary.js';
import { type CancelRecovery, recoverFromCancel } from './cancel-recovery.js';
import { loadDeployConfig, resolveTarget } from './config.js';
import type { Guard } from './context.js';
import { artifactIdFor, GUARD_STATE } from './deploy.js';
import { readInputs } from './inputs.js';

/**
 * Runs after the main step. When the main step did not reach a safe end (the job was
 * cancelled mid-canary, mid-promotion or mid-switch), it brings the cluster back to one
 * release, records what it found and did in the audit trail, and drops this run's lease.
 * Otherwise it does nothing.
 */
async function post(): Promise<void> {
  const raw = core.getState(GUARD_STATE);
  if (!raw) return;
  const guard = JSON.parse(raw) as Guard;
  if (guard.settled) return;
  core.warning(`The deployment of ${guard.deployment} did not finish; restoring stable traffic.`);
  const inputs = readInputs();
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const loaded = await loadDeployConfig(inputs, workspace);
  const target = resolveTarget(inputs, loaded);
  const client = await KubeClient.create({
    source: resolveKubeconfigSource(inputs.kubeconfig),
    ...(target.context ? { context: target.context } : {}),
  });
  const recovery = await recoverFromCancel(client, guard, {
    ...(target.container ? { container: target.container } : {}),
    timeoutMs: target.timeoutMs,
    onProgress: (message) => core.info(message),
  });

  const audit = openAuditFromConfig({
    config: loaded.config,
    action: 'deploy-strategy',
    environment: inputs.environment,
    ...(inputs.auditLog ? { fileInput: inputs.auditLog } : {}),
  });
  audit.update({ cluster: client.contextName, namespace: guard.namespace });
  const facts = {
    cancelled: true,
    ...(recovery.interrupted ? { interrupted: recovery.interrupted } : {}),
    ...(recovery.phase ? { phase: recovery.phase } : {}),
    ...(recovery.live ? { liveColor: recovery.live.colour, liveReady: recovery.live.ready } : {}),
  };
  const outcome = recovery.rollback;
  if (outcome) {
    await audit.emit((scope) =>
      serviceRolledBack(scope, {
        service: guard.deployment,
        artifactId: artifactIdFor(outcome.image),
        ...(outcome.image ? { image: outcome.image } : {}),
        reason: `job cancelled during the ${recovery.interrupted}`,
        details: {
          ...facts,
          strategy: outcome.strategy,
          fromRevision: outcome.fromRevision,
          toRevision: outcome.toRevision,
          ...(outcome.activeColor ? { activeColor: outcome.activeColor } : {}),
          detail: outcome.detail,
        },
      }),
    );
  } else {
    await audit.emit((scope) =>
      projectEvent(scope, {
        thing: 'deployment',
        verb: 'cancelled',
        subject: guard.deployment,
        outcome: recovery.error ? 'failure' : 'success',
        ...(recovery.error ? { reason: recovery.error } : {}),
        details: { ...facts, strategy: guard.strategy, detail: recovery.detail },
      }),
    );
  }
  await audit.close();

  for (const path of [
    paths.deployment(guard.namespace, guard.deployment),
    paths.service(guard.namespace, guard.service ?? guard.deployment),
  ]) {
    await releaseLease(client, path, guard.holder).catch(() => undefined);
  }
  core.info(`post: ${recovery.detail}`);
  if (recovery.live) core.info(`post: the live Service selects ${recovery.live.detail}`);
  if (recovery.live && !recovery.live.ready) core.warning(`the live Service selects ${recovery.live.detail}`);
  cancelSummary(guard, recovery, audit.summaryMarkdown()).write();
  if (recovery.error) core.setFailed(`${recovery.detail}: ${recovery.error}`);
}

function cancelSummary(guard: Guard, recovery: CancelRecovery, auditMarkdown: string): StepSummary {
  const summary = new StepSummary();
  summary.heading(`Deploy (${guard.strategy}) of ${guard.deployment} cancelled`);
  summary.add(
    table(
      ['Fact', 'Value'],
      [
        ['Interrupted', recovery.interrupted ?? 'nothing on the cluster yet'],
        ['Done', recovery.detail],
        ['Error', recovery.error ?? ''],
        ['Live Service selects', recovery.live?.detail ?? ''],
      ].filter(([, value]) => value !== ''),
    ),
  );
  summary.add(auditMarkdown);
  return summary;
}

try {
  await post();
} catch (error) {
  core.setFailed(`could not restore stable traffic: ${errorMessage(error)}`);
}
