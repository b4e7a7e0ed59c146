import { UserError } from '../../shared/errors.js';
import {
  readDeployment,
  scaleDeployment,
  setContainerImage,
  waitForRollout,
} from '../../shared/kube/deployments.js';
import { containerImage, type Deployment, revisionOf } from '../../shared/kube/objects.js';
import { paths } from '../../shared/kube/paths.js';
import { type ReleaseState, writeState } from '../../shared/kube/release-state.js';
import { waitFor } from '../../shared/kube/wait-for.js';
import { applyManifests } from './apply.js';
import { DeployFailure, type DeployResult, type StrategyContext } from './context.js';
import { takeLease } from './lease.js';
import { describeHealth, verifyHealth } from './verify-health.js';

/** Waits for the rollout and counts the watch faults it survived. */
export async function watchRollout(ctx: StrategyContext, name: string) {
  const result = await waitForRollout(ctx.client, ctx.target.namespace, name, {
    timeoutMs: ctx.target.timeoutMs,
    signal: ctx.signal,
    onProgress: (message) => ctx.note(message),
  });
  ctx.faults.watchResumes += result.resumes;
  ctx.faults.watchRelists += result.relists;
  return result;
}

/** Applies the manifests, or sets the image on the existing Deployment when none are given. */
export async function applyRelease(ctx: StrategyContext, before: Deployment | undefined): Promise<void> {
  const { target, inputs } = ctx;
  if (ctx.docs.length > 0) {
    const applied = await applyManifests(ctx.client, ctx.docs);
    for (const object of applied)
      ctx.note(
        `applied ${object.kind}/${object.name} from ${object.source}${object.changed ? '' : ' (unchanged)'}`,
      );
    return;
  }
  if (!inputs.image)
    throw new UserError('nothing to deploy: give "manifests" or "kustomize", "image", or both');
  if (!before) {
    throw new UserError(
      `deployment "${target.deployment}" does not exist in namespace "${target.namespace}"; give "manifests" or "kustomize" to create it`,
    );
  }
  await setContainerImage(
    ctx.client,
    target.namespace,
    target.deployment,
    target.container,
    inputs.image,
    () => ctx.faults.conflicts++,
  );
  ctx.note(`set image of ${target.deployment}/${target.container ?? 'first container'} to ${inputs.image}`);
}

/** Rolling update (and recreate, which scales to zero first). */
export async function deployRolling(ctx: StrategyContext, recreate = false): Promise<DeployResult> {
  const { client, target } = ctx;
  const strategy = recreate ? 'recreate' : 'rolling';
  const path = paths.deployment(target.namespace, target.deployment);
  const before = await readDeployment(client, target.namespace, target.deployment);
  const previousRevision = revisionOf(before);
  const previousImage = containerImage(before?.spec?.template, target.container);
  if (before) await takeLease(ctx, path);
  ctx.guard({
    strategy,
    namespace: target.namespace,
    deployment: target.deployment,
    holder: ctx.holder,
    settled: false,
  });

  if (recreate && before && (before.spec?.replicas ?? 0) > 0) {
    // Maintenance window: no old and new pods side by side.
    await scaleDeployment(client, target.namespace, target.deployment, 0);
    ctx.note(`scaled ${target.deployment} to 0 for the recreate`);
    const drained = await waitFor<Deployment>(client, {
      collection: paths.deployments(target.namespace),
      name: target.deployment,
      timeoutMs: target.timeoutMs,
      signal: ctx.signal,
      judge: (d) => ({
        done:
          !!d &&
          (d.status?.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) &&
          (d.status?.replicas ?? 0) === 0,
        message: `waiting for ${d?.status?.replicas ?? 0} pod(s) of ${target.deployment} to stop`,
      }),
    });
    if (drained.outcome !== 'done') throw new Error(`recreate: old pods did not stop: ${drained.message}`);
    if (ctx.docs.length === 0) {
      await scaleDeployment(client, target.namespace, target.deployment, before.spec?.replicas ?? 1);
    }
  }

  await applyRelease(ctx, before);
  if (!before) await takeLease(ctx, path);
  const image =
    ctx.inputs.image ??
    containerImage(
      (await readDeployment(client, target.namespace, target.deployment))?.spec?.template,
      target.container,
    );
  const state: ReleaseState = {
    strategy,
    phase: 'progressing',
    ...(image ? { image } : {}),
    ...(previousImage ? { previousImage } : {}),
    ...(previousRevision !== undefined ? { previousRevision } : {}),
    runId: ctx.holder,
  };
  await writeState(client, path, state);

  const partial = {
    strategy,
    ...(previousRevision !== undefined ? { previousRevision: String(previousRevision) } : {}),
    ...(previousImage ? { previousImage } : {}),
    ...(image ? { image } : {}),
    firstDeploy: !before,
  } as const;
  const rollout = await watchRollout(ctx, target.deployment);
  if (rollout.outcome === 'cancelled') throw ctx.signal.reason ?? new Error('cancelled');
  if (rollout.outcome !== 'done')
    throw new DeployFailure(`rollout of ${target.deployment} did not complete: ${rollout.message}`, partial);
  const revision = revisionOf(rollout.object);

  const health = await verifyHealth(ctx.config, target.healthUrl, ctx.signal);
  if (health) ctx.note(`health: ${describeHealth(health)}`);
  if (health && !health.ok) {
    throw new DeployFailure(`health checks failed after the rollout: ${describeHealth(health)}`, {
      ...partial,
      ...(revision !== undefined ? { revision: String(revision) } : {}),
    });
  }
  const done: ReleaseState = { ...state, phase: 'complete', ...(revision !== undefined ? { revision } : {}) };
  await writeState(client, path, done);
  return {
    ...partial,
    phase: 'complete',
    ...(revision !== undefined ? { revision: String(revision) } : {}),
    remainingSteps: [],
    ...(target.healthUrl ? { url: target.healthUrl } : {}),
    state: done,
  };
}
