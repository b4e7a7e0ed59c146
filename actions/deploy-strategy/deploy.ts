import * as core from '@actions/core';
import {
  ociPurl,
  projectEvent,
  serviceDeployed,
  serviceRolledBack,
  serviceUpgraded,
  taskRunFinished,
  taskRunStarted,
} from '../../shared/audit/index.js';
import { openAuditFromConfig } from '../../shared/audit/open-from-config.js';
import { effectiveConfigMarkdown } from '../../shared/config/index.js';
import { errorMessage } from '../../shared/errors.js';
import { KubeClient } from '../../shared/kube/client.js';
import { requireNamespace } from '../../shared/kube/deployments.js';
import { resolveKubeconfigSource } from '../../shared/kube/kubeconfig.js';
import { leaseHolder, releaseLease } from '../../shared/kube/release-state.js';
import { rollBackRelease } from '../../shared/kube/roll-back.js';
import { readRunContext } from '../../shared/run-context.js';
import { checkApproval } from './approval.js';
import { deployBlueGreen } from './blue-green.js';
import { runCanary } from './canary.js';
import { loadDeployConfig, resolveTarget } from './config.js';
import {
  DeployFailure,
  type DeployResult,
  type FaultCounters,
  type Guard,
  type StrategyContext,
} from './context.js';
import { dryRun } from './dry-run.js';
import type { DeployInputs } from './inputs.js';
import { renderKustomization } from './kustomize.js';
import { loadManifests, parseManifests, placeInNamespace, substituteImage } from './manifests.js';
import { deploySummary, writeOutputs } from './report.js';
import { deployRolling } from './rolling.js';

export const GUARD_STATE = 'guard';

/** The audit artifact id of an image: a package URL by digest when pinned, else by name and tag. */
export function artifactIdFor(image: string | undefined): string {
  if (!image) return 'pkg:oci/unknown';
  const at = image.indexOf('@');
  if (at > 0) return ociPurl(image.slice(0, at), image.slice(at + 1));
  const slash = image.lastIndexOf('/');
  const last = image.slice(slash + 1);
  const colon = last.indexOf(':');
  const name = colon >= 0 ? last.slice(0, colon) : last;
  const tag = colon >= 0 ? last.slice(colon + 1) : 'latest';
  return `pkg:oci/${encodeURIComponent(name.toLowerCase())}?repository_url=${image.slice(0, slash + 1)}${name}&tag=${encodeURIComponent(tag)}`;
}

export async function deploy(inputs: DeployInputs, signal: AbortSignal): Promise<DeployResult | undefined> {
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const loaded = await loadDeployConfig(inputs, workspace);
  const { config } = loaded;
  const target = resolveTarget(inputs, loaded);
  const strategy = inputs.strategy ?? target.strategy;
  const docs = [
    ...(inputs.kustomize
      ? parseManifests(
          await renderKustomization(inputs.kustomize, workspace, signal),
          `kustomize ${inputs.kustomize}`,
        )
      : []),
    ...loadManifests(inputs.manifests, workspace),
  ];
  placeInNamespace(docs, target.namespace);
  if (inputs.image && docs.length > 0)
    substituteImage(docs, target.container ?? target.deployment, inputs.image);
  const source = resolveKubeconfigSource(inputs.kubeconfig);

  const faults: FaultCounters = { retries: 0, conflicts: 0, watchResumes: 0, watchRelists: 0 };
  const client = await KubeClient.create({
    source,
    ...(target.context ? { context: target.context } : {}),
    signal,
    onRetry: (reason) => {
      faults.retries++;
      core.info(`retrying: ${reason}`);
    },
  });

  const audit = openAuditFromConfig({
    config,
    action: 'deploy-strategy',
    environment: inputs.environment,
    ...(inputs.auditLog ? { fileInput: inputs.auditLog } : {}),
    ...(target.healthUrl ? { environmentUrl: target.healthUrl } : {}),
  });
  audit.update({ cluster: target.context ?? client.contextName, namespace: target.namespace });
  core.setOutput('audit-log', audit.file);
  await audit.emit((scope) =>
    taskRunStarted(scope, {
      details: {
        strategy,
        operation: inputs.operation,
        dryRun: inputs.dryRun,
        deployment: target.deployment,
      },
    }),
  );

  const timeline: string[] = [];
  const note = (message: string) => {
    timeline.push(message);
    core.info(message);
  };
  const ctx: StrategyContext = {
    client,
    inputs,
    target: { ...target, strategy },
    config,
    docs,
    audit,
    signal,
    holder: leaseHolder(),
    faults,
    leases: [],
    note,
    guard: (guard: Guard) => core.saveState(GUARD_STATE, JSON.stringify(guard)),
  };
  const finish = async (outcome: 'success' | 'failure' | 'cancel', reason?: string) => {
    await audit.emit((scope) =>
      taskRunFinished(scope, { outcome, ...(reason ? { reason } : {}), details: { ...faults } }),
    );
    await audit.close();
  };

  let result: DeployResult | undefined;
  let failure: string | undefined;
  try {
    if (config.deployment.requireApproval) {
      const context = readRunContext();
      const approval = await checkApproval({
        environment: inputs.environment,
        token: inputs.githubToken,
        apiUrl: process.env.GITHUB_API_URL ?? 'https://api.github.com',
        repository: context.repository ?? '',
        ...(context.runId ? { runId: context.runId } : {}),
        signal,
      }).catch(async (error: unknown) => {
        await audit.emit((scope) =>
          projectEvent(scope, {
            thing: 'approval',
            verb: 'checked',
            subject: inputs.environment,
            outcome: 'failure',
            reason: errorMessage(error),
          }),
        );
        throw error;
      });
      if (approval.approvers.length) audit.update({ approvers: approval.approvers });
      note(approval.detail);
      await audit.emit((scope) =>
        projectEvent(scope, {
          thing: 'approval',
          verb: 'checked',
          subject: inputs.environment,
          outcome: 'success',
          details: { reviewers: approval.reviewers, approvers: approval.approvers },
        }),
      );
    }
    await requireNamespace(client, target.namespace);
    if (inputs.dryRun) {
      const diff = await dryRun(ctx);
      deploySummary({
        inputs,
        strategy,
        timeline,
        faults,
        diff,
        configMarkdown: effectiveConfigMarkdown(config, loaded.secretPaths, loaded),
        auditMarkdown: audit.summaryMarkdown(),
      }).write();
      core.setOutput('strategy', strategy);
      core.setOutput('phase', 'dry-run');
      core.setOutput('remaining-steps', '[]');
      await finish('success');
      return undefined;
    }
    result =
      strategy === 'blue-green'
        ? await deployBlueGreen(ctx)
        : strategy === 'canary'
          ? await runCanary(ctx)
          : await deployRolling(ctx, strategy === 'recreate');
    const artifactId = artifactIdFor(result.image);
    if (result.phase === 'complete' || result.phase === 'promoted') {
      await audit.emit((scope) =>
        (result!.firstDeploy ? serviceDeployed : serviceUpgraded)(scope, {
          service: target.deployment,
          artifactId,
          ...(result!.image ? { image: result!.image } : {}),
          details: {
            strategy: result!.strategy,
            revision: result!.revision,
            previousRevision: result!.previousRevision,
            activeColor: result!.activeColor,
          },
        }),
      );
    }
  } catch (error) {
    if (signal.aborted) {
      failure = `${errorMessage(error)}; the post step undoes whatever this run left unfinished`;
    } else if (error instanceof DeployFailure) {
      failure = error.message;
      result = await handleFailure(ctx, error);
    } else {
      failure = errorMessage(error);
    }
  } finally {
    // A cancelled run keeps its lease: the post step undoes the change under it, then drops it.
    for (const path of signal.aborted ? [] : ctx.leases) {
      await releaseLease(client, path, ctx.holder).catch((error: unknown) =>
        core.warning(`could not release the lease on ${path}: ${errorMessage(error)}`),
      );
    }
  }
  // A cancelled run leaves the guard unsettled: the post step restores stable traffic.
  if (!signal.aborted) {
    core.saveState(
      GUARD_STATE,
      JSON.stringify({
        strategy,
        namespace: target.namespace,
        deployment: target.deployment,
        holder: ctx.holder,
        settled: true,
      }),
    );
  }
  if (result) writeOutputs(result, strategy);
  else core.setOutput('strategy', strategy);
  await finish(failure ? (signal.aborted ? 'cancel' : 'failure') : 'success', failure);
  deploySummary({
    inputs,
    strategy,
    timeline,
    faults,
    ...(result ? { result } : {}),
    ...(failure ? { failure } : {}),
    configMarkdown: effectiveConfigMarkdown(config, loaded.secretPaths, loaded),
    auditMarkdown: audit.summaryMarkdown(),
  }).write();
  if (failure)
    core.setFailed(result?.rolledBack ? `${failure}; rolled back: ${result.rolledBack.detail}` : failure);
  return result;
}

/** After a failed rollout or health check: roll back when the config says so, and record it. */
async function handleFailure(ctx: StrategyContext, failure: DeployFailure): Promise<DeployResult> {
  const { target, config, audit } = ctx;
  const partial: DeployResult = { ...failure.partial, phase: 'failed', remainingSteps: [] };
  if (!config.deployment.rollbackOnFailure) return partial;
  if (partial.firstDeploy && ctx.target.strategy !== 'canary') {
    ctx.note('first deployment of this workload: there is no earlier release to roll back to');
    return partial;
  }
  try {
    const outcome = await rollBackRelease(ctx.client, {
      namespace: target.namespace,
      deployment: target.deployment,
      ...(target.service ? { service: target.service } : {}),
      ...(target.container ? { container: target.container } : {}),
      timeoutMs: target.timeoutMs,
      signal: ctx.signal,
      onProgress: ctx.note,
      onConflict: () => ctx.faults.conflicts++,
    });
    ctx.note(`rolled back: ${outcome.detail}`);
    await audit.emit((scope) =>
      serviceRolledBack(scope, {
        service: target.deployment,
        artifactId: artifactIdFor(outcome.image),
        ...(outcome.image ? { image: outcome.image } : {}),
        reason: failure.message,
        details: {
          strategy: outcome.strategy,
          fromRevision: outcome.fromRevision,
          toRevision: outcome.toRevision,
          automatic: true,
        },
      }),
    );
    return {
      ...partial,
      phase: 'rolled-back',
      ...(outcome.activeColor ? { activeColor: outcome.activeColor } : {}),
      ...(outcome.strategy === 'canary' ? { canaryWeight: 0 } : {}),
      rolledBack: { reason: failure.message, detail: outcome.detail },
    };
  } catch (error) {
    ctx.note(`automatic rollback failed: ${errorMessage(error)}`);
    core.error(`automatic rollback failed: ${errorMessage(error)}`);
    return partial;
  }
}
