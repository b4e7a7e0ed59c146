import { UserError } from '../errors.js';
import type { KubeClient } from './client.js';
import { withConflictRetry } from './conflict.js';
import type { ObjectMeta } from './objects.js';

/**
 * The release state deploy-strategy keeps on the cluster object that anchors a workload (the
 * Deployment; the live Service for blue-green), so a later job, or the rollback action, can
 * continue or undo what an earlier one started.
 */

export const STATE_ANNOTATION = 'deploy-actions.io/state';
export const LEASE_ANNOTATION = 'deploy-actions.io/lease';

export type Strategy = 'rolling' | 'blue-green' | 'canary' | 'recreate';
export type TrafficMode = 'nginx' | 'httproute' | 'replicas';
export type Colour = 'blue' | 'green';

export interface ReleaseState {
  strategy: Strategy;
  /**
   * progressing → (canary → promoting | switched) → complete / promoted; or rolled-back /
   * aborted / failed. `promoting` lasts while stable takes the canary's template: whoever finds
   * it left behind restores stable to `stableRevision`.
   */
  phase:
    | 'progressing'
    | 'canary'
    | 'promoting'
    | 'switched'
    | 'complete'
    | 'promoted'
    | 'rolled-back'
    | 'aborted'
    | 'failed';
  image?: string;
  previousImage?: string;
  revision?: number;
  previousRevision?: number;
  activeColor?: Colour;
  previousColor?: Colour;
  /** When the previous colour may be scaled down (ISO time). */
  scaleDownAt?: string;
  step?: number;
  weight?: number;
  steps?: number[];
  traffic?: TrafficMode;
  canaryImage?: string;
  stableRevision?: number;
  /** Stable replicas before a replica-ratio canary took some away. */
  stableReplicas?: number;
  /** Objects the traffic goes through, so a later job finds them without inputs. */
  service?: string;
  ingress?: string;
  route?: string;
  runId?: string;
  updatedAt?: string;
}

export function readState(object: { metadata?: ObjectMeta } | undefined): ReleaseState | undefined {
  const raw = object?.metadata?.annotations?.[STATE_ANNOTATION];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as ReleaseState;
  } catch {
    return undefined;
  }
}

/** Merge-patch body that records `state` (and optionally more) on an object. */
export function statePatch(
  state: ReleaseState,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    ...extra,
    metadata: {
      ...((extra.metadata as Record<string, unknown> | undefined) ?? {}),
      annotations: {
        ...(((extra.metadata as Record<string, unknown> | undefined)?.annotations as object | undefined) ??
          {}),
        [STATE_ANNOTATION]: JSON.stringify({ ...state, updatedAt: new Date().toISOString() }),
      },
    },
  };
}

export async function writeState(client: KubeClient, path: string, state: ReleaseState): Promise<void> {
  await client.mergePatch(path, statePatch(state));
}

export interface Lease {
  holder: string;
  expiresAt: string;
}

export class LeaseHeldError extends UserError {
  override readonly name = 'LeaseHeldError';
}

/** Who holds a lease: the run, its attempt and the job, so a re-run of the same job can take over. */
export function leaseHolder(env: NodeJS.ProcessEnv = process.env): string {
  return [env.GITHUB_REPOSITORY, env.GITHUB_RUN_ID, env.GITHUB_RUN_ATTEMPT, env.GITHUB_JOB]
    .map((part) => part ?? '-')
    .join('/');
}

export function parseLease(object: { metadata?: ObjectMeta } | undefined): Lease | undefined {
  const raw = object?.metadata?.annotations?.[LEASE_ANNOTATION];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as Lease;
  } catch {
    return undefined;
  }
}

/**
 * Takes the lease annotation on the anchor object, refusing when another run holds an
 * unexpired one. The write carries the resourceVersion read, so two runs racing for it cannot
 * both win: the loser gets 409, re-reads, and sees the winner's lease.
 */
export async function acquireLease(
  client: KubeClient,
  path: string,
  holder: string,
  durationMs: number,
  onConflict?: () => void,
): Promise<boolean> {
  return withConflictRetry(
    async () => {
      const object = await client.get<{ metadata: ObjectMeta }>(path);
      if (!object) return false;
      const lease = parseLease(object);
      if (lease && lease.holder !== holder && Date.parse(lease.expiresAt) > Date.now()) {
        throw new LeaseHeldError(
          `${path.split('/').slice(-2).join('/')} is being deployed by another run (${lease.holder}) until ${lease.expiresAt}; refusing a concurrent deployment`,
        );
      }
      const next: Lease = { holder, expiresAt: new Date(Date.now() + durationMs).toISOString() };
      await client.mergePatch(path, {
        metadata: {
          resourceVersion: object.metadata.resourceVersion,
          annotations: { [LEASE_ANNOTATION]: JSON.stringify(next) },
        },
      });
      return true;
    },
    onConflict ? { onConflict } : {},
  );
}

/** Drops the lease if this run holds it. */
export async function releaseLease(client: KubeClient, path: string, holder: string): Promise<void> {
  await withConflictRetry(async () => {
    const object = await client.get<{ metadata: ObjectMeta }>(path);
    if (!object || parseLease(object)?.holder !== holder) return;
    await client.mergePatch(path, {
      metadata: {
        resourceVersion: object.metadata.resourceVersion,
        annotations: { [LEASE_ANNOTATION]: null },
      },
    });
  });
}
