import type { Deployment } from './objects.js';

export interface RolloutStatus {
  done: boolean;
  /** The rollout cannot finish on its own (progress deadline exceeded). */
  failed: boolean;
  message: string;
}

/**
 * Decides whether a Deployment has rolled out exactly as `kubectl rollout status` does
 * (DeploymentStatusViewer): the controller must have observed the current generation, the
 * Progressing condition must not say ProgressDeadlineExceeded, every replica must be updated,
 * old replicas gone, and the updated ones available.
 */
export function rolloutStatus(deployment: Deployment): RolloutStatus {
  const name = deployment.metadata.name ?? 'deployment';
  const generation = deployment.metadata.generation ?? 0;
  const status = deployment.status ?? {};
  if (generation > (status.observedGeneration ?? 0)) {
    return { done: false, failed: false, message: 'Waiting for deployment spec update to be observed...' };
  }
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return { done: false, failed: true, message: `deployment "${name}" exceeded its progress deadline` };
  }
  const desired = deployment.spec?.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const total = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  if (updated < desired) {
    return {
      done: false,
      failed: false,
      message: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${desired} new replicas have been updated...`,
    };
  }
  if (total > updated) {
    return {
      done: false,
      failed: false,
      message: `Waiting for deployment "${name}" rollout to finish: ${total - updated} old replicas are pending termination...`,
    };
  }
  if (available < updated) {
    return {
      done: false,
      failed: false,
      message: `Waiting for deployment "${name}" rollout to finish: ${available} of ${updated} updated replicas are available...`,
    };
  }
  return { done: true, failed: false, message: `deployment "${name}" successfully rolled out` };
}
