import { UserError } from '../errors.js';
import type { KubeClient } from './client.js';
import { withConflictRetry } from './conflict.js';
import { type Deployment, type KubeList, type PodTemplate, type ReplicaSet, revisionOf } from './objects.js';
import { paths } from './paths.js';
import { rolloutStatus } from './rollout-status.js';
import { type WaitResult, waitFor } from './wait-for.js';

export function readDeployment(
  client: KubeClient,
  namespace: string,
  name: string,
): Promise<Deployment | undefined> {
  return client.get<Deployment>(paths.deployment(namespace, name));
}

export async function requireNamespace(client: KubeClient, namespace: string): Promise<void> {
  if (!(await client.get(paths.namespace(namespace)))) {
    throw new UserError(`namespace "${namespace}" does not exist in the cluster`);
  }
}

/** Watches a Deployment until `kubectl rollout status` would call it done, failed, or the time is up. */
export function waitForRollout(
  client: KubeClient,
  namespace: string,
  name: string,
  options: { timeoutMs: number; signal?: AbortSignal; onProgress?: (message: string) => void },
): Promise<WaitResult<Deployment>> {
  return waitFor<Deployment>(client, {
    collection: paths.deployments(namespace),
    name,
    timeoutMs: options.timeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    judge: (deployment) =>
      deployment
        ? rolloutStatus(deployment)
        : { done: false, message: `waiting for deployment "${name}" to exist` },
  });
}

/** Sets one container's image; a 409 re-reads and redoes the change. */
export async function setContainerImage(
  client: KubeClient,
  namespace: string,
  name: string,
  container: string | undefined,
  image: string,
  onConflict?: () => void,
): Promise<Deployment> {
  return withConflictRetry(
    async () => {
      const deployment = await readDeployment(client, namespace, name);
      if (!deployment) throw new UserError(`deployment "${name}" does not exist in namespace "${namespace}"`);
      const containers = deployment.spec?.template?.spec?.containers ?? [];
      const target = container ? containers.find((c) => c.name === container) : containers[0];
      if (!target) {
        throw new UserError(
          `deployment "${name}" has no container "${container}"; it has ${containers.map((c) => c.name).join(', ') || 'none'}`,
        );
      }
      return client.mergePatch<Deployment>(paths.deployment(namespace, name), {
        metadata: { resourceVersion: deployment.metadata.resourceVersion },
        spec: {
          template: {
            spec: { containers: containers.map((c) => (c === target ? { ...c, image } : c)) },
          },
        },
      });
    },
    onConflict ? { onConflict } : {},
  );
}

export async function scaleDeployment(
  client: KubeClient,
  namespace: string,
  name: string,
  replicas: number,
): Promise<void> {
  await client.mergePatch(paths.deployment(namespace, name), { spec: { replicas } });
}

/** The Deployment's ReplicaSets (its revisions), oldest first. */
export async function replicaSetsOf(client: KubeClient, deployment: Deployment): Promise<ReplicaSet[]> {
  const namespace = deployment.metadata.namespace ?? '';
  const list = await client.request<KubeList<ReplicaSet>>('GET', paths.replicaSets(namespace));
  const uid = deployment.metadata.uid;
  const labels = deployment.spec?.selector?.matchLabels ?? {};
  return list.items
    .filter((rs) =>
      uid && rs.metadata.ownerReferences?.length
        ? rs.metadata.ownerReferences.some((owner) => owner.uid === uid)
        : Object.entries(labels).every(([key, value]) => rs.metadata.labels?.[key] === value),
    )
    .filter((rs) => revisionOf(rs) !== undefined)
    .sort((a, b) => (revisionOf(a) ?? 0) - (revisionOf(b) ?? 0));
}

export interface UndoResult {
  fromRevision?: number;
  toRevision: number;
  template: PodTemplate;
  /** False when the Deployment already had that template, so nothing was written. */
  changed: boolean;
}

/** JSON with object keys sorted, so two templates compare equal whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

/** Whether two pod templates are the same once the ReplicaSet's pod-template-hash label is set aside. */
export function sameTemplate(a: PodTemplate | undefined, b: PodTemplate | undefined): boolean {
  const strip = (t: PodTemplate | undefined) => {
    const copy = structuredClone(t ?? {});
    if (copy.metadata?.labels) delete copy.metadata.labels['pod-template-hash'];
    return canonical(copy);
  };
  return strip(a) === strip(b);
}

/**
 * What `kubectl rollout undo` does: copy the pod template of an earlier ReplicaSet (the one
 * before the current revision, or `toRevision`) back into the Deployment.
 */
export async function undoRollout(
  client: KubeClient,
  namespace: string,
  name: string,
  toRevision?: number,
): Promise<UndoResult> {
  const deployment = await readDeployment(client, namespace, name);
  if (!deployment) throw new UserError(`deployment "${name}" does not exist in namespace "${namespace}"`);
  const current = revisionOf(deployment);
  const history = await replicaSetsOf(client, deployment);
  const target =
    toRevision !== undefined
      ? history.find((rs) => revisionOf(rs) === toRevision)
      : [...history].reverse().find((rs) => (revisionOf(rs) ?? 0) < (current ?? Number.MAX_SAFE_INTEGER));
  if (!target?.spec?.template) {
    const known = history.map((rs) => revisionOf(rs)).join(', ') || 'none';
    throw new UserError(
      toRevision !== undefined
        ? `deployment "${name}" has no revision ${toRevision} (revisions: ${known})`
        : `deployment "${name}" has no earlier revision to roll back to (revisions: ${known})`,
    );
  }
  const template = structuredClone(target.spec.template);
  if (template.metadata?.labels) delete template.metadata.labels['pod-template-hash'];
  // As kubectl does, a Deployment already on that template is left alone rather than re-written.
  const changed = !sameTemplate(deployment.spec?.template, template);
  if (changed) {
    await client.jsonPatch(paths.deployment(namespace, name), [
      { op: 'replace', path: '/spec/template', value: template },
    ]);
  }
  return {
    ...(current !== undefined ? { fromRevision: current } : {}),
    toRevision: revisionOf(target)!,
    template,
    changed,
  };
}
