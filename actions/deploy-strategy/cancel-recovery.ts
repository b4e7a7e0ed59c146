import { errorMessage } from '../../shared/errors.js';
import { colourDeployment, liveColour } from '../../shared/kube/blue-green.js';
import type { KubeClient } from '../../shared/kube/client.js';
import { readDeployment } from '../../shared/kube/deployments.js';
import type { Service } from '../../shared/kube/objects.js';
import { paths } from '../../shared/kube/paths.js';
import type { ReleaseState } from '../../shared/kube/release-state.js';
import { findRelease, type RollbackOutcome, rollBackRelease } from '../../shared/kube/roll-back.js';
import { rolloutStatus } from '../../shared/kube/rollout-status.js';
import type { Guard } from './context.js';

/** The colour the live Service selects, and whether that colour's pods are all there and ready. */
export interface LiveColour {
  colour: string;
  ready: boolean;
  detail: string;
}

/** What the post step found after a cancelled job, and what it did about it. */
export interface CancelRecovery {
  /** The change the job was in the middle of; undefined when this run had not changed the release. */
  interrupted?: string;
  /** Release phase recorded on the cluster when the post step looked. */
  phase?: ReleaseState['phase'];
  /** Set when the change was undone. */
  rollback?: RollbackOutcome;
  /** Set when undoing the change failed. */
  error?: string;
  /** One line for the log, the summary and the audit trail. */
  detail: string;
  /** Blue-green: where the live Service points afterwards. */
  live?: LiveColour;
}

function describeInterrupted(state: ReleaseState): string {
  switch (state.phase) {
    case 'canary':
      return `canary at ${state.weight ?? 0}% traffic`;
    case 'promoting':
      return 'promotion of the canary to stable';
    case 'switched':
      return `blue-green switch to ${state.activeColor ?? 'the new colour'}, before its health checks passed`;
    case 'progressing':
      return state.strategy === 'blue-green'
        ? 'blue-green release to the idle colour, before the switch'
        : `${state.strategy} update`;
    default:
      return `${state.strategy} release in phase ${state.phase}`;
  }
}

/** Whether the Service's colour can serve: its rollout complete and at least one pod available. */
export async function liveColourOf(
  client: KubeClient,
  namespace: string,
  deployment: string,
  service: string,
): Promise<LiveColour | undefined> {
  const colour = liveColour(await client.get<Service>(paths.service(namespace, service)));
  if (!colour) return undefined;
  const name = colourDeployment(deployment, colour);
  const current = await readDeployment(client, namespace, name);
  if (!current) return { colour, ready: false, detail: `${colour} (${name}) does not exist` };
  const status = rolloutStatus(current);
  const available = current.status?.availableReplicas ?? 0;
  const ready = status.done && available > 0;
  return {
    colour,
    ready,
    detail: ready
      ? `${colour} (${name}) with ${available} ready pod(s)`
      : `${colour} (${name}), not ready: ${status.message}`,
  };
}

/**
 * Brings the cluster back to one release after the job was cancelled in the middle of a change
 * this run made (the state on the cluster names this run). What "one release" means per phase:
 * - canary: weight 0, canary removed, all traffic on stable;
 * - promoting: stable goes back to its previous template, then the canary goes. Finishing the
 *   promotion instead would mean waiting, in a job that was told to stop, for pods that may
 *   never become ready; the previous template still has running pods, so going back is quick
 *   and ends on a release known to work. A cancel means the same thing in every phase: back
 *   to what served before this run;
 * - blue-green switched: the Service is switched back to the previous colour once that colour
 *   is ready (it was kept running); the first release has no previous colour and stays;
 * - blue-green progressing: the Service never left the live colour, so nothing changes;
 * - rolling or recreate progressing: the previous revision's template is restored.
 * Never throws for a failed undo: the caller records the failure and where traffic stands.
 */
export async function recoverFromCancel(
  client: KubeClient,
  guard: Guard,
  options: { container?: string; timeoutMs: number; onProgress?: (message: string) => void },
): Promise<CancelRecovery> {
  const found = await findRelease(client, guard.namespace, guard.deployment, guard.service);
  const state = found.state;
  if (!state || state.runId !== guard.holder) {
    return { detail: 'the job was cancelled before it changed the release on the cluster; nothing to undo' };
  }
  const interrupted = describeInterrupted(state);
  const request = {
    namespace: guard.namespace,
    deployment: guard.deployment,
    ...(guard.service ? { service: guard.service } : {}),
    ...(options.container ? { container: options.container } : {}),
    timeoutMs: options.timeoutMs,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
  const base = { interrupted, phase: state.phase };
  const undo = async (): Promise<CancelRecovery> => {
    try {
      const rollback = await rollBackRelease(client, request);
      return { ...base, rollback, detail: rollback.detail };
    } catch (error) {
      return { ...base, error: errorMessage(error), detail: `could not undo the ${interrupted}` };
    }
  };

  if (state.strategy === 'blue-green') {
    let recovery: CancelRecovery;
    if (state.phase === 'switched' && state.previousColor) recovery = await undo();
    else if (state.phase === 'switched')
      recovery = {
        ...base,
        detail: `first release: the Service keeps selecting ${state.activeColor}, the only colour there is`,
      };
    else if (state.phase === 'progressing')
      recovery = {
        ...base,
        detail: `traffic never moved: the Service still selects ${state.activeColor ?? 'no colour yet'}`,
      };
    else return { ...base, detail: `the release had reached phase ${state.phase}; nothing to undo` };
    const live = await liveColourOf(
      client,
      guard.namespace,
      guard.deployment,
      guard.service ?? guard.deployment,
    );
    return { ...recovery, ...(live ? { live } : {}) };
  }
  if (state.phase === 'canary' || state.phase === 'promoting') return undo();
  if (state.phase === 'progressing') {
    if (state.previousRevision === undefined)
      return { ...base, detail: 'first release: there is no earlier revision to restore' };
    return undo();
  }
  return { ...base, detail: `the release had reached phase ${state.phase}; nothing to undo` };
}
