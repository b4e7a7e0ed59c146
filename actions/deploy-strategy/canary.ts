import { UserError } from '../../shared/errors.js';
import {
  type CanaryTarget,
  canaryNames,
  removeCanary,
  replicaSplit,
  setCanaryWeight,
  trafficModeFor,
} from '../../shared/kube/canary-traffic.js';
import { readDeployment, scaleDeployment } from '../../shared/kube/deployments.js';
import { containerImage, type Deployment, revisionOf, type Service } from '../../shared/kube/objects.js';
import { paths } from '../../shared/kube/paths.js';
import { type ReleaseState, readState, writeState } from '../../shared/kube/release-state.js';
import { applyManifests } from './apply.js';
import { nextPosition, remainingSteps } from './canary-schedule.js';
import { type CanaryTraffic, DeployFailure, type DeployResult, type StrategyContext } from './context.js';
import { takeLease } from './lease.js';
import { findDeployment } from './manifests.js';
import { describeCanaryTraffic } from './report.js';
import { deployRolling, watchRollout } from './rolling.js';
import { describeHealth, verifyHealth } from './verify-health.js';

export const CANARY_LABEL = 'deploy-actions.io/canary-of';

/**
 * The canary Deployment: the release's template under the canary's name. With routed traffic
 * (Ingress, HTTPRoute) its pods drop the labels the stable Service selects on, so the stable
 * Service never sends them traffic by accident; with replica ratio they keep them on purpose.
 */
export function canaryVariant(
  base: Deployment,
  target: CanaryTarget,
  stableSelector: Record<string, string>,
  replicas: number,
  image?: string,
  container?: string,
): Deployment {
  const spec = structuredClone(base.spec ?? {});
  const podLabels = { ...(spec.template?.metadata?.labels ?? {}) };
  if (target.mode !== 'replicas') for (const key of Object.keys(stableSelector)) delete podLabels[key];
  podLabels[CANARY_LABEL] = target.stable;
  const containers = (spec.template?.spec?.containers ?? []).map((c, i) =>
    image && (container ? c.name === container : i === 0) ? { ...c, image } : c,
  );
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: target.canary,
      namespace: target.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'deploy-actions', [CANARY_LABEL]: target.stable },
    },
    spec: {
      ...Object.fromEntries(
        Object.entries(spec).filter(([key]) => !['template', 'selector', 'replicas'].includes(key)),
      ),
      replicas,
      selector: { matchLabels: { [CANARY_LABEL]: target.stable } },
      template: {
        ...spec.template,
        metadata: { ...(spec.template?.metadata ?? {}), labels: podLabels },
        spec: { ...(spec.template?.spec ?? {}), containers },
      },
    },
  };
}

function canaryTarget(ctx: StrategyContext, state: ReleaseState | undefined, total: number): CanaryTarget {
  const { target } = ctx;
  const service = state?.service ?? target.service;
  const ingress = state?.ingress ?? target.ingress;
  const route = state?.route ?? target.route;
  const mode =
    state?.traffic ??
    trafficModeFor({
      ...(route ? { route } : {}),
      ...(ingress ? { ingress } : {}),
      ...(service ? { service } : {}),
    });
  return {
    namespace: target.namespace,
    stable: target.deployment,
    ...canaryNames(target.deployment, service, mode === 'nginx' ? ingress : undefined),
    ...(service ? { service } : {}),
    ...(mode === 'nginx' && ingress ? { ingress } : {}),
    ...(mode === 'httproute' && route ? { route } : {}),
    mode,
    totalReplicas: total,
  };
}

/** Replicas the canary runs at a weight: its share with routed traffic, the split with replica ratio. */
function canaryReplicas(t: CanaryTarget, weight: number): number {
  if (t.mode === 'replicas') return replicaSplit(t.totalReplicas, weight).canary;
  return Math.max(1, Math.ceil((t.totalReplicas * weight) / 100));
}

export async function runCanary(ctx: StrategyContext): Promise<DeployResult> {
  const { client, target, inputs } = ctx;
  const ns = target.namespace;
  const stablePath = paths.deployment(ns, target.deployment);
  const stable = await readDeployment(client, ns, target.deployment);
  const state = readState(stable);
  const steps = ctx.config.canary.steps;

  if (inputs.operation === 'deploy' && !stable) {
    ctx.note(`no stable ${target.deployment} yet: the first release goes out as a rolling deployment`);
    return deployRolling(ctx);
  }
  if (!stable) throw new UserError(`deployment "${target.deployment}" does not exist in namespace "${ns}"`);
  const inCanary = state?.strategy === 'canary' && state.phase === 'canary';
  if (inputs.operation !== 'deploy' && !inCanary) {
    throw new UserError(
      `action "${inputs.operation}": no canary in progress on ${target.deployment} (phase ${state?.phase ?? 'none'}); run action "deploy" first`,
    );
  }
  await takeLease(ctx, stablePath);
  ctx.guard({
    strategy: 'canary',
    namespace: ns,
    deployment: target.deployment,
    ...(target.service ? { service: target.service } : {}),
    holder: ctx.holder,
    settled: false,
  });

  const total = inCanary
    ? (state.stableReplicas ?? stable.spec?.replicas ?? 1)
    : (stable.spec?.replicas ?? 1);
  const t = canaryTarget(ctx, inCanary ? state : undefined, total);
  if (inputs.operation === 'promote') return promote(ctx, t, stable, state!);

  const stableRevision = revisionOf(stable);
  const previousImage = state?.previousImage ?? containerImage(stable.spec?.template, target.container);
  const current =
    inCanary && state.weight !== undefined
      ? { ...(state.step !== undefined ? { step: state.step } : {}), weight: state.weight }
      : undefined;
  const position = nextPosition(
    inputs.operation,
    steps,
    inputs.operation === 'deploy' ? undefined : current,
    {
      ...(inputs.step !== undefined ? { step: inputs.step } : {}),
      ...(inputs.weight !== undefined ? { weight: inputs.weight } : {}),
    },
  );
  const partial = {
    strategy: 'canary' as const,
    ...(stableRevision !== undefined ? { previousRevision: String(stableRevision) } : {}),
    ...(previousImage ? { previousImage } : {}),
    firstDeploy: false,
  };

  if (inputs.operation === 'deploy') {
    const manifest = findDeployment(ctx.docs, target.deployment);
    const base = (manifest?.object as unknown as Deployment | undefined) ?? stable;
    const servicePath = t.service ? paths.service(ns, t.service) : undefined;
    const stableService = servicePath ? await client.get<Service>(servicePath) : undefined;
    const selector = stableService?.spec?.selector ?? {};
    const canary = canaryVariant(
      base,
      t,
      selector,
      canaryReplicas(t, position.weight),
      inputs.image,
      target.container,
    );
    const others = ctx.docs.filter(
      (doc) =>
        doc !== manifest &&
        !(doc.object.kind === 'Deployment' && doc.object.metadata.name === target.deployment),
    );
    const objects = [...others];
    if (t.canaryService && stableService?.spec) {
      objects.push({
        file: 'generated',
        index: 0,
        object: {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: {
            name: t.canaryService,
            namespace: ns,
            labels: { 'app.kubernetes.io/managed-by': 'deploy-actions' },
          },
          spec: { selector: { [CANARY_LABEL]: t.stable }, ports: stableService.spec.ports ?? [] },
        },
      });
    }
    objects.push({
      file: manifest?.file ?? 'generated',
      index: manifest?.index ?? 0,
      object: canary as never,
    });
    for (const object of await applyManifests(client, objects))
      ctx.note(`applied ${object.kind}/${object.name} from ${object.source}`);
  } else {
    await scaleDeployment(client, ns, t.canary, canaryReplicas(t, position.weight));
  }
  const canaryDeployment = await readDeployment(client, ns, t.canary);
  const canaryImage = containerImage(canaryDeployment?.spec?.template, target.container);
  const progressing: ReleaseState = {
    strategy: 'canary',
    phase: 'canary',
    steps: [...steps],
    ...(position.step !== undefined ? { step: position.step } : {}),
    weight: current?.weight ?? 0,
    traffic: t.mode,
    ...(canaryImage ? { canaryImage, image: canaryImage } : {}),
    ...(previousImage ? { previousImage } : {}),
    ...(stableRevision !== undefined ? { stableRevision, previousRevision: stableRevision } : {}),
    stableReplicas: total,
    ...(t.service ? { service: t.service } : {}),
    ...(t.ingress ? { ingress: t.ingress } : {}),
    ...(t.route ? { route: t.route } : {}),
    runId: ctx.holder,
  };
  await writeState(client, stablePath, progressing);

  const rollout = await watchRollout(ctx, t.canary);
  if (rollout.outcome === 'cancelled') throw ctx.signal.reason ?? new Error('cancelled');
  const withImage = { ...partial, ...(canaryImage ? { image: canaryImage } : {}) };
  if (rollout.outcome !== 'done')
    throw new DeployFailure(`canary ${t.canary} did not become ready: ${rollout.message}`, withImage);

  const achieved = await setCanaryWeight(client, t, position.weight, () => ctx.faults.conflicts++);
  const split = t.mode === 'replicas' ? replicaSplit(t.totalReplicas, position.weight) : undefined;
  const traffic: CanaryTraffic = {
    mode: t.mode,
    requested: position.weight,
    achieved,
    ...(t.mode === 'nginx' && t.canaryIngress ? { via: t.canaryIngress } : {}),
    ...(t.mode === 'httproute' && t.route ? { via: t.route } : {}),
    ...(split ? { canaryReplicas: split.canary, stableReplicas: split.stable } : {}),
  };
  ctx.note(`traffic to the canary: ${describeCanaryTraffic(traffic)}`);
  const shifted: ReleaseState = { ...progressing, weight: achieved };
  await writeState(client, stablePath, shifted);
  await ctx.audit.emit((scope) =>
    trafficEvent(scope, t, current?.weight ?? 0, achieved, position.step, position.weight),
  );

  const health = await verifyHealth(ctx.config, target.healthUrl, ctx.signal);
  if (health) ctx.note(`health: ${describeHealth(health)}`);
  if (health && !health.ok) {
    throw new DeployFailure(
      `health checks failed at ${achieved}% canary traffic: ${describeHealth(health)}`,
      { ...withImage, canaryWeight: achieved },
    );
  }
  return {
    ...withImage,
    phase: 'canary',
    canaryWeight: achieved,
    canaryTraffic: traffic,
    ...(canaryDeployment ? { revision: String(revisionOf(rollout.object) ?? '') } : {}),
    remainingSteps: remainingSteps(steps, {
      ...(position.step !== undefined ? { step: position.step } : {}),
      weight: achieved,
    }),
    ...(target.healthUrl ? { url: target.healthUrl } : {}),
    state: shifted,
  };
}

import type { AuditScope } from '../../shared/audit/event.js';
import { projectEvent } from '../../shared/audit/index.js';

function trafficEvent(
  scope: AuditScope,
  t: CanaryTarget,
  from: number,
  to: number,
  step: number | undefined,
  requested = to,
) {
  return projectEvent(scope, {
    thing: 'traffic',
    verb: 'shifted',
    subject: t.stable,
    outcome: 'success',
    details: {
      from,
      to,
      ...(requested !== to ? { requested } : {}),
      ...(step !== undefined ? { step } : {}),
      via: t.mode,
      canary: t.canary,
    },
  });
}

/** Stable takes the canary's template, is watched to completion, then gets all traffic back and the canary goes. */
async function promote(
  ctx: StrategyContext,
  t: CanaryTarget,
  stable: Deployment,
  state: ReleaseState,
): Promise<DeployResult> {
  const { client, target } = ctx;
  const ns = target.namespace;
  const canary = await readDeployment(client, ns, t.canary);
  if (!canary?.spec?.template?.spec)
    throw new UserError(`promote: canary deployment "${t.canary}" does not exist`);
  const previousImage = containerImage(stable.spec?.template, target.container);
  const previousRevision = revisionOf(stable);
  // Recorded before stable's template changes, so whoever finds the promotion unfinished (the
  // post step of a cancelled job, the automatic rollback, the rollback action) knows this run
  // started it and which revision to restore.
  const promoting: ReleaseState = {
    ...state,
    phase: 'promoting',
    ...(previousRevision !== undefined ? { stableRevision: previousRevision } : {}),
    runId: ctx.holder,
  };
  await writeState(client, paths.deployment(ns, t.stable), promoting);
  await client.jsonPatch(paths.deployment(ns, t.stable), [
    { op: 'replace', path: '/spec/template/spec', value: canary.spec.template.spec },
    { op: 'replace', path: '/spec/replicas', value: t.totalReplicas },
  ]);
  ctx.note(`promoting: ${t.stable} takes the canary's template (was revision ${previousRevision ?? '?'})`);
  const rollout = await watchRollout(ctx, t.stable);
  if (rollout.outcome === 'cancelled') throw ctx.signal.reason ?? new Error('cancelled');
  const image = containerImage(canary.spec.template, target.container);
  if (rollout.outcome !== 'done') {
    throw new DeployFailure(`promotion of ${t.stable} did not complete: ${rollout.message}`, {
      strategy: 'canary',
      firstDeploy: false,
      ...(image ? { image } : {}),
      ...(previousImage ? { previousImage } : {}),
      ...(previousRevision !== undefined ? { previousRevision: String(previousRevision) } : {}),
    });
  }
  await removeCanary(client, t, () => ctx.faults.conflicts++);
  ctx.note(`promoted: ${t.stable} runs ${image}; canary removed, all traffic on stable`);
  await ctx.audit.emit((scope) => trafficEvent(scope, t, state.weight ?? 0, 0, undefined));
  const revision = revisionOf(rollout.object);
  const done: ReleaseState = {
    ...promoting,
    phase: 'promoted',
    weight: 0,
    ...(image ? { image } : {}),
    ...(previousImage ? { previousImage } : {}),
    ...(revision !== undefined ? { revision } : {}),
    ...(previousRevision !== undefined ? { previousRevision } : {}),
  };
  await writeState(client, paths.deployment(ns, t.stable), done);
  const health = await verifyHealth(ctx.config, target.healthUrl, ctx.signal);
  if (health && !health.ok) {
    throw new DeployFailure(`health checks failed after promotion: ${describeHealth(health)}`, {
      strategy: 'canary',
      firstDeploy: false,
      ...(image ? { image } : {}),
    });
  }
  return {
    strategy: 'canary',
    phase: 'promoted',
    ...(revision !== undefined ? { revision: String(revision) } : {}),
    ...(previousRevision !== undefined ? { previousRevision: String(previousRevision) } : {}),
    ...(image ? { image } : {}),
    ...(previousImage ? { previousImage } : {}),
    canaryWeight: 0,
    remainingSteps: [],
    firstDeploy: false,
    ...(target.healthUrl ? { url: target.healthUrl } : {}),
    state: done,
  };
}
