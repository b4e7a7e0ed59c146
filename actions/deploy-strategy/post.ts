import * as core from '@actions/core';
import { serviceRolledBack } from '../../shared/audit/index.js';
import { openAuditFromConfig } from '../../shared/audit/open-from-config.js';
import { errorMessage } from '../../shared/errors.js';
import { KubeClient } from '../../shared/kube/client.js';
import { resolveKubeconfigSource } from '../../shared/kube/kubeconfig.js';
import { paths } from '../../shared/kube/paths.js';
import { releaseLease } from '../../shared/kube/release-state.js';
import { findRelease, rollBackRelease } from '../../shared/kube/roll-back.js';
import { loadDeployConfig, resolveTarget } from './config.js';
import type { Guard } from './context.js';
import { artifactIdFor, GUARD_STATE } from './deploy.js';
import { readInputs } from './inputs.js';

/**
 * Runs after the main step. When the main step did not reach a safe end (the job was
 * cancelled mid-canary or mid-switch), it puts all traffic back on the stable release and
 * drops this run's lease. Otherwise it does nothing.
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
  const found = await findRelease(client, guard.namespace, guard.deployment, guard.service);
  const state = found.state;
  let detail = 'nothing to restore';
  const unfinished =
    state &&
    state.runId === guard.holder &&
    (state.phase === 'canary' ||
      state.phase === 'switched' ||
      (state.phase === 'progressing' && state.strategy !== 'blue-green'));
  if (unfinished) {
    const outcome = await rollBackRelease(client, {
      namespace: guard.namespace,
      deployment: guard.deployment,
      ...(guard.service ? { service: guard.service } : {}),
      ...(target.container ? { container: target.container } : {}),
      timeoutMs: target.timeoutMs,
    });
    detail = outcome.detail;
    const audit = openAuditFromConfig({
      config: loaded.config,
      action: 'deploy-strategy',
      environment: inputs.environment,
      ...(inputs.auditLog ? { fileInput: inputs.auditLog } : {}),
    });
    audit.update({ cluster: client.contextName, namespace: guard.namespace });
    await audit.emit((scope) =>
      serviceRolledBack(scope, {
        service: guard.deployment,
        artifactId: artifactIdFor(outcome.image),
        ...(outcome.image ? { image: outcome.image } : {}),
        reason: 'job cancelled before the deployment finished',
        details: {
          strategy: outcome.strategy,
          fromRevision: outcome.fromRevision,
          toRevision: outcome.toRevision,
          cancelled: true,
        },
      }),
    );
    await audit.close();
  }
  for (const path of [
    paths.deployment(guard.namespace, guard.deployment),
    paths.service(guard.namespace, guard.service ?? guard.deployment),
  ]) {
    await releaseLease(client, path, guard.holder).catch(() => undefined);
  }
  core.info(`post: ${detail}`);
}

try {
  await post();
} catch (error) {
  core.setFailed(`could not restore stable traffic: ${errorMessage(error)}`);
}
