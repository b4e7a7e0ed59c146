import { UserError } from '../errors.js';
import { colourDeployment, liveColour, otherColour, switchServiceTo } from './blue-green.js';
import { canaryNames, removeCanary } from './canary-traffic.js';
import type { KubeClient } from './client.js';
import { readDeployment, scaleDeployment, undoRollout, waitForRollout } from './deployments.js';
import { containerImage, type Deployment, revisionOf, type Service } from './objects.js';
import { paths } from './paths.js';
import { type ReleaseState, readState, type Strategy, writeState } from './release-state.js';

export interface RollbackRequest {
  namespace: string;
  deployment: string;
  /** The live Service (blue-green) or stable Service (canary); default the deployment name. */
  service?: string;
  container?: string;
  toRevision?: number;
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
  onConflict?: () => void;
}

export interface RollbackOutcome {
  strategy: Strategy;
  rolledBack: boolean;
  fromRevision?: string;
  toRevision?: string;
  image?: string;
  activeColor?: string;
  detail: string;
}

/** Where a workload's release state lives: the Deployment, or for blue-green the live Service. */
export async function findRelease(
  client: KubeClient,
  namespace: string,
  deployment: string,
  service?: string,
): Promise<{ state?: ReleaseState; deployment?: Deployment; service?: Service }> {
  const dep = await readDeployment(client, namespace, deployment);
  const depState = readState(dep);
  if (depState) return { state: depState, deployment: dep! };
  const svc = await client.get<Service>(paths.service(namespace, service ?? deployment));
  const svcState = readState(svc);
  if (svcState || liveColour(svc)) {
    return {
      state: svcState ?? { strategy: 'blue-green', phase: 'complete', activeColor: liveColour(svc)! },
      service: svc!,
    };
  }
  return { ...(dep ? { deployment: dep } : {}) };
}

/**
 * Undoes the current release the way its strategy allows: blue-green switches the Service
 * back to the previous colour (one patch), canary sends all traffic to stable and removes the
 * canary, rolling and recreate restore the previous ReplicaSet's template.
 */
export async function rollBackRelease(
  client: KubeClient,
  request: RollbackRequest,
): Promise<RollbackOutcome> {
  const { namespace, deployment } = request;
  const found = await findRelease(client, namespace, deployment, request.service);
  if (!found.state && !found.deployment) {
    throw new UserError(
      `deployment "${deployment}" does not exist in namespace "${namespace}", and no blue-green Service "${request.service ?? deployment}" either`,
    );
  }
  const state = found.state ?? { strategy: 'rolling', phase: 'complete' };
  if (state.phase === 'rolled-back' && request.toRevision === undefined) {
    return { strategy: state.strategy, rolledBack: false, detail: 'already rolled back; nothing to do' };
  }
  if (state.strategy === 'blue-green') return rollBackBlueGreen(client, request, state, found.service);
  if (state.strategy === 'canary' && state.phase === 'promoting')
    return rollBackPromotion(client, request, state);
  if (state.strategy === 'canary' && state.phase !== 'promoted')
    return rollBackCanary(client, request, state);
  return rollBackRollout(client, request, state);
}

async function rollBackBlueGreen(
  client: KubeClient,
  request: RollbackRequest,
  state: ReleaseState,
  service: Service | undefined,
): Promise<RollbackOutcome> {
  const { namespace, deployment } = request;
  const serviceName = service?.metadata.name ?? request.service ?? deployment;
  const active = liveColour(service) ?? state.activeColor;
  if (!active) throw new UserError(`service "${serviceName}" selects no colour; nothing to switch back`);
  const target = state.previousColor ?? otherColour(active);
  const targetName = colourDeployment(deployment, target);
  const previous = await readDeployment(client, namespace, targetName);
  if (!previous) {
    throw new UserError(
      `blue-green rollback needs deployment "${targetName}" (the previous colour), which does not exist`,
    );
  }
  const activeDeployment = await readDeployment(client, namespace, colourDeployment(deployment, active));
  if ((previous.spec?.replicas ?? 0) === 0) {
    // Scaled down after the delay: bring it back before any traffic goes to it.
    await scaleDeployment(client, namespace, targetName, activeDeployment?.spec?.replicas ?? 1);
  }
  const ready = await waitForRollout(client, namespace, targetName, {
    timeoutMs: request.timeoutMs,
    ...(request.signal ? { signal: request.signal } : {}),
    ...(request.onProgress ? { onProgress: request.onProgress } : {}),
  });
  if (ready.outcome !== 'done') {
    throw new Error(
      `previous colour ${target} is not ready (${ready.message}); the Service still points at ${active}`,
    );
  }
  const image = containerImage(previous.spec?.template, request.container);
  await switchServiceTo(client, namespace, serviceName, target, {
    ...state,
    phase: 'rolled-back',
    activeColor: target,
    previousColor: active,
    ...(image ? { image } : {}),
    ...(state.image ? { previousImage: state.image } : {}),
  });
  return {
    strategy: 'blue-green',
    rolledBack: true,
    fromRevision: active,
    toRevision: target,
    ...(image ? { image } : {}),
    activeColor: target,
    detail: `service "${serviceName}" switched back from ${active} to ${target}`,
  };
}

/**
 * A promotion that did not finish (the job was cancelled, or stable's rollout failed) leaves
 * stable somewhere between the two templates. Stable gets back the template it ran before the
 * promotion (`stableRevision`) and is watched until every pod runs it; only then does the
 * canary go, so traffic always has ready pods to go to and ends all on the previous release.
 */
async function rollBackPromotion(
  client: KubeClient,
  request: RollbackRequest,
  state: ReleaseState,
): Promise<RollbackOutcome> {
  const { namespace, deployment } = request;
  const stable = await readDeployment(client, namespace, deployment);
  if (!stable) throw new UserError(`deployment "${deployment}" does not exist in namespace "${namespace}"`);
  const restoreTo = request.toRevision ?? state.stableRevision;
  if (restoreTo === undefined) {
    throw new UserError(
      `deployment "${deployment}" was being promoted, but its state does not say which revision served before; restore it with "to-revision"`,
    );
  }
  const undo = await undoRollout(client, namespace, deployment, restoreTo);
  const total = state.stableReplicas ?? stable.spec?.replicas ?? 1;
  if ((stable.spec?.replicas ?? 0) !== total) await scaleDeployment(client, namespace, deployment, total);
  const done = await waitForRollout(client, namespace, deployment, {
    timeoutMs: request.timeoutMs,
    ...(request.signal ? { signal: request.signal } : {}),
    ...(request.onProgress ? { onProgress: request.onProgress } : {}),
  });
  if (done.outcome !== 'done') {
    throw new Error(
      `deployment "${deployment}" did not come back to revision ${restoreTo} (${done.message}); the canary is kept so traffic still has ready pods`,
    );
  }
  const names = canaryNames(deployment, state.service, state.ingress);
  await removeCanary(
    client,
    {
      namespace,
      stable: deployment,
      ...names,
      ...(state.service ? { service: state.service } : {}),
      ...(state.ingress ? { ingress: state.ingress } : {}),
      ...(state.route ? { route: state.route } : {}),
      mode: state.traffic ?? 'replicas',
      totalReplicas: total,
    },
    request.onConflict,
  );
  const image = containerImage(undo.template, request.container);
  const revision = revisionOf(done.object);
  await writeState(client, paths.deployment(namespace, deployment), {
    ...state,
    phase: 'rolled-back',
    weight: 0,
    ...(image ? { image } : {}),
    ...(state.canaryImage ? { previousImage: state.canaryImage } : {}),
    ...(revision !== undefined ? { revision } : {}),
  });
  const restored = undo.changed
    ? `deployment "${deployment}" restored from revision ${undo.fromRevision ?? '?'} to the template of revision ${restoreTo}${revision !== undefined ? ` (now revision ${revision})` : ''}`
    : `deployment "${deployment}" still had the template of revision ${restoreTo}`;
  return {
    strategy: 'canary',
    rolledBack: true,
    ...(undo.fromRevision !== undefined ? { fromRevision: String(undo.fromRevision) } : {}),
    toRevision: String(restoreTo),
    ...(image ? { image } : {}),
    detail: `promotion undone: ${restored}; canary weight set to 0 and canary removed; all traffic on stable`,
  };
}

async function rollBackCanary(
  client: KubeClient,
  request: RollbackRequest,
  state: ReleaseState,
): Promise<RollbackOutcome> {
  const { namespace, deployment } = request;
  const names = canaryNames(deployment, state.service, state.ingress);
  const stable = await readDeployment(client, namespace, deployment);
  await removeCanary(
    client,
    {
      namespace,
      stable: deployment,
      ...names,
      ...(state.service ? { service: state.service } : {}),
      ...(state.ingress ? { ingress: state.ingress } : {}),
      ...(state.route ? { route: state.route } : {}),
      mode: state.traffic ?? 'replicas',
      totalReplicas: state.stableReplicas ?? stable?.spec?.replicas ?? 1,
    },
    request.onConflict,
  );
  const image = containerImage(stable?.spec?.template, request.container);
  await writeState(client, paths.deployment(namespace, deployment), {
    ...state,
    phase: 'rolled-back',
    weight: 0,
    ...(image ? { image } : {}),
  });
  const revision = revisionOf(stable);
  return {
    strategy: 'canary',
    rolledBack: true,
    ...(state.canaryImage ? { fromRevision: `canary ${state.canaryImage}` } : {}),
    ...(revision !== undefined ? { toRevision: String(revision) } : {}),
    ...(image ? { image } : {}),
    detail: `canary weight set to 0 and canary removed; all traffic on stable${revision !== undefined ? ` revision ${revision}` : ''}`,
  };
}

async function rollBackRollout(
  client: KubeClient,
  request: RollbackRequest,
  state: ReleaseState,
): Promise<RollbackOutcome> {
  const { namespace, deployment } = request;
  const undo = await undoRollout(client, namespace, deployment, request.toRevision);
  const done = await waitForRollout(client, namespace, deployment, {
    timeoutMs: request.timeoutMs,
    ...(request.signal ? { signal: request.signal } : {}),
    ...(request.onProgress ? { onProgress: request.onProgress } : {}),
  });
  if (done.outcome !== 'done')
    throw new Error(`rollback of "${deployment}" did not complete: ${done.message}`);
  const image = containerImage(undo.template, request.container);
  const revision = revisionOf(done.object);
  await writeState(client, paths.deployment(namespace, deployment), {
    ...state,
    phase: 'rolled-back',
    ...(image ? { image } : {}),
    ...(revision !== undefined ? { revision } : {}),
  });
  return {
    strategy: state.strategy === 'canary' ? 'canary' : state.strategy,
    rolledBack: true,
    ...(undo.fromRevision !== undefined ? { fromRevision: String(undo.fromRevision) } : {}),
    toRevision: String(undo.toRevision),
    ...(image ? { image } : {}),
    detail: `deployment "${deployment}" restored to the template of revision ${undo.toRevision}${revision !== undefined ? ` (now revision ${revision})` : ''}`,
  };
}
