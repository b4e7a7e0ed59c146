import { UserError } from '../../shared/errors.js';
import { checkHealth } from '../../shared/health-check.js';
import {
  COLOUR_LABEL,
  colourDeployment,
  liveColour,
  otherColour,
  switchServiceTo,
} from '../../shared/kube/blue-green.js';
import { readDeployment, scaleDeployment } from '../../shared/kube/deployments.js';
import { containerImage, type Deployment, revisionOf, type Service } from '../../shared/kube/objects.js';
import { paths } from '../../shared/kube/paths.js';
import { type Colour, type ReleaseState, readState, writeState } from '../../shared/kube/release-state.js';
import { applyManifests } from './apply.js';
import { DeployFailure, type DeployResult, type StrategyContext } from './context.js';
import { takeLease } from './lease.js';
import { findDeployment, type ManifestDoc } from './manifests.js';
import { watchRollout } from './rolling.js';
import { describeHealth, verifyHealth } from './verify-health.js';

/** The Deployment for one colour: the release's template, named and labelled for the colour. */
export function colourVariant(
  base: Record<string, unknown>,
  name: string,
  colour: Colour,
  image?: string,
  container?: string,
): Deployment {
  const source = structuredClone(base) as unknown as Deployment;
  const spec = source.spec ?? {};
  const labels = { ...(spec.template?.metadata?.labels ?? {}), [COLOUR_LABEL]: colour };
  const containers = (spec.template?.spec?.containers ?? []).map((c, i) =>
    image && (container ? c.name === container : i === 0) ? { ...c, image } : c,
  );
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: source.metadata.namespace,
      labels: { ...(source.metadata.labels ?? {}), [COLOUR_LABEL]: colour },
      ...(source.metadata.annotations ? { annotations: stripManaged(source.metadata.annotations) } : {}),
    },
    spec: {
      ...Object.fromEntries(Object.entries(spec).filter(([key]) => !['template', 'selector'].includes(key))),
      selector: { matchLabels: { ...(spec.selector?.matchLabels ?? {}), [COLOUR_LABEL]: colour } },
      template: {
        ...spec.template,
        metadata: { ...(spec.template?.metadata ?? {}), labels },
        spec: { ...(spec.template?.spec ?? {}), containers },
      },
    },
  };
}

function stripManaged(annotations: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(annotations).filter(
      ([key]) =>
        !key.startsWith('deploy-actions.io/') &&
        key !== 'deployment.kubernetes.io/revision' &&
        key !== 'kubectl.kubernetes.io/last-applied-configuration',
    ),
  );
}

/**
 * Blue-green: the idle colour gets the release, is watched until ready and smoke-checked
 * through its preview Service, then the live Service selector is switched in one patch that
 * also records the new state. The previous colour stays up for the scale-down delay.
 */
export async function deployBlueGreen(ctx: StrategyContext): Promise<DeployResult> {
  const { client, target, inputs } = ctx;
  const ns = target.namespace;
  const serviceName = target.service ?? target.deployment;
  const servicePath = paths.service(ns, serviceName);
  const live = await client.get<Service>(servicePath);
  const active = liveColour(live);
  const idle: Colour = active ? otherColour(active) : 'blue';
  const idleName = colourDeployment(target.deployment, idle);
  const activeDeployment = active
    ? await readDeployment(client, ns, colourDeployment(target.deployment, active))
    : undefined;
  if (live) await takeLease(ctx, servicePath);
  ctx.guard({
    strategy: 'blue-green',
    namespace: ns,
    deployment: target.deployment,
    service: serviceName,
    holder: ctx.holder,
    settled: false,
  });

  const fromManifest = findDeployment(ctx.docs, target.deployment);
  const base = fromManifest?.object ?? (activeDeployment as unknown as Record<string, unknown> | undefined);
  if (!base) {
    throw new UserError(
      `blue-green: the first deployment needs manifests holding Deployment "${target.deployment}" (service "${serviceName}" selects no colour yet)`,
    );
  }
  const idleObject = colourVariant(base, idleName, idle, inputs.image, target.container);
  if (activeDeployment?.spec?.replicas !== undefined && !fromManifest?.object.spec) {
    idleObject.spec!.replicas = activeDeployment.spec.replicas;
  }
  // The live Service from the manifests keeps pointing at the live colour until the switch.
  const others: ManifestDoc[] = ctx.docs
    .filter((doc) => doc !== fromManifest)
    .map((doc) => {
      if (doc.object.kind !== 'Service' || doc.object.metadata.name !== serviceName) return doc;
      const copy = structuredClone(doc);
      copy.object.spec = copy.object.spec ?? {};
      const spec = copy.object.spec as { selector?: Record<string, string> };
      spec.selector = { ...(spec.selector ?? {}), [COLOUR_LABEL]: active ?? idle };
      return copy;
    });
  const previousImage = containerImage(activeDeployment?.spec?.template, target.container);
  const previousRevision = revisionOf(activeDeployment);
  const image = containerImage(idleObject.spec?.template, target.container);
  const idleDoc: ManifestDoc = {
    file: fromManifest?.file ?? 'generated',
    index: fromManifest?.index ?? 0,
    object: idleObject as unknown as ManifestDoc['object'],
  };
  const applied = await applyManifests(client, [...others, idleDoc]);
  for (const object of applied) ctx.note(`applied ${object.kind}/${object.name} from ${object.source}`);
  if (!live) await takeLease(ctx, servicePath);
  const existing = readState(await client.get<Service>(servicePath));
  const progressing: ReleaseState = {
    ...(existing ?? {}),
    strategy: 'blue-green',
    phase: 'progressing',
    ...(active ? { activeColor: active } : {}),
    ...(image ? { image } : {}),
    ...(previousImage ? { previousImage } : {}),
    service: serviceName,
    runId: ctx.holder,
  };
  await writeState(client, servicePath, progressing);

  const partial = {
    strategy: 'blue-green' as const,
    ...(previousImage ? { previousImage } : {}),
    ...(previousRevision !== undefined ? { previousRevision: String(previousRevision) } : {}),
    ...(image ? { image } : {}),
    ...(active ? { activeColor: active } : {}),
    firstDeploy: !active,
  };
  const rollout = await watchRollout(ctx, idleName);
  if (rollout.outcome === 'cancelled') throw ctx.signal.reason ?? new Error('cancelled');
  if (rollout.outcome !== 'done')
    throw new DeployFailure(`${idle} (${idleName}) did not become ready: ${rollout.message}`, partial);
  const revision = revisionOf(rollout.object);

  // Smoke-check the idle colour through its preview Service before any user traffic reaches it.
  const previewName = target.previewService ?? `${serviceName}-preview`;
  const liveNow = await client.get<Service>(servicePath);
  if (liveNow?.spec) {
    await client.apply(paths.service(ns, previewName), {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: previewName,
        namespace: ns,
        labels: { 'app.kubernetes.io/managed-by': 'deploy-actions' },
      },
      spec: {
        selector: { ...(liveNow.spec.selector ?? {}), [COLOUR_LABEL]: idle },
        ports: liveNow.spec.ports ?? [],
      },
    });
    ctx.note(`preview service ${previewName} selects ${idle}`);
  }
  if (inputs.previewUrl && ctx.config.deployment.healthChecks !== 'disabled') {
    const smoke = await checkHealth({
      baseUrl: inputs.previewUrl,
      paths: ctx.config.health.paths,
      timeoutMs: ctx.config.health.timeout,
      retries: ctx.config.health.retries,
      intervalMs: ctx.config.health.interval,
      signal: ctx.signal,
    });
    ctx.note(`preview smoke check: ${describeHealth(smoke)}`);
    if (!smoke.ok) {
      throw new DeployFailure(
        `smoke check of ${idle} through ${previewName} failed: ${describeHealth(smoke)}; traffic never switched`,
        {
          ...partial,
          ...(revision !== undefined ? { revision: String(revision) } : {}),
        },
      );
    }
  }

  const scaleDownAt =
    active && ctx.target.scaleDownDelayMs > 0
      ? new Date(Date.now() + ctx.target.scaleDownDelayMs).toISOString()
      : undefined;
  const switched: ReleaseState = {
    ...progressing,
    phase: 'switched',
    activeColor: idle,
    ...(active ? { previousColor: active } : {}),
    ...(revision !== undefined ? { revision } : {}),
    ...(previousRevision !== undefined ? { previousRevision } : {}),
    ...(scaleDownAt ? { scaleDownAt } : {}),
  };
  await switchServiceTo(client, ns, serviceName, idle, switched);
  ctx.note(`service ${serviceName} switched ${active ? `from ${active} ` : ''}to ${idle}`);
  const afterSwitch = {
    ...partial,
    activeColor: idle,
    ...(revision !== undefined ? { revision: String(revision) } : {}),
  };

  const health = await verifyHealth(ctx.config, target.healthUrl, ctx.signal);
  if (health) ctx.note(`health: ${describeHealth(health)}`);
  if (health && !health.ok)
    throw new DeployFailure(
      `health checks failed after switching to ${idle}: ${describeHealth(health)}`,
      afterSwitch,
    );

  // Complete before the previous colour goes: a cancel from here on finds nothing to undo.
  const done: ReleaseState = { ...switched, phase: 'complete' };
  await writeState(client, servicePath, done);
  if (active && ctx.target.scaleDownDelayMs <= 0) {
    await scaleDeployment(client, ns, colourDeployment(target.deployment, active), 0);
    ctx.note(`scaled the previous colour ${active} to 0 (no scale-down delay)`);
  } else if (active) {
    ctx.note(`previous colour ${active} kept running until ${scaleDownAt} for an instant rollback`);
  }
  return {
    ...afterSwitch,
    phase: 'complete',
    remainingSteps: [],
    ...(target.healthUrl ? { url: target.healthUrl } : {}),
    state: done,
  };
}
