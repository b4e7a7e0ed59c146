import { isNotFound } from './api-error.js';
import type { KubeClient } from './client.js';
import { withConflictRetry } from './conflict.js';
import { readDeployment, scaleDeployment } from './deployments.js';
import type { ObjectMeta } from './objects.js';
import { paths } from './paths.js';
import type { TrafficMode } from './release-state.js';

/** The objects of one canary: stable and canary workloads and how traffic reaches them. */
export interface CanaryTarget {
  namespace: string;
  stable: string;
  canary: string;
  service?: string;
  canaryService?: string;
  ingress?: string;
  canaryIngress?: string;
  route?: string;
  mode: TrafficMode;
  /** Stable replicas before the canary started (replica-ratio mode takes some away). */
  totalReplicas: number;
}

export const NGINX_CANARY = 'nginx.ingress.kubernetes.io/canary';
export const NGINX_CANARY_WEIGHT = 'nginx.ingress.kubernetes.io/canary-weight';

export function canaryNames(
  stable: string,
  service?: string,
  ingress?: string,
): { canary: string; canaryService?: string; canaryIngress?: string } {
  return {
    canary: `${stable}-canary`,
    ...(service ? { canaryService: `${service}-canary` } : {}),
    ...(ingress ? { canaryIngress: `${ingress}-canary` } : {}),
  };
}

/** How traffic is weighted: an HTTPRoute, else an NGINX Ingress, else replica ratio. */
export function trafficModeFor(options: { route?: string; ingress?: string; service?: string }): TrafficMode {
  if (options.route && options.service) return 'httproute';
  if (options.ingress && options.service) return 'nginx';
  return 'replicas';
}

interface Ingress {
  metadata: ObjectMeta;
  spec?: Record<string, unknown>;
}

/** Copy of the stable Ingress with every backend that points at the stable Service pointed at the canary's. */
export function canaryIngressFrom(
  stable: Ingress,
  target: CanaryTarget,
  weight: number,
): Record<string, unknown> {
  const spec = JSON.parse(
    JSON.stringify(stable.spec ?? {}, (key, value) =>
      key === 'service' &&
      value &&
      typeof value === 'object' &&
      (value as { name?: string }).name === target.service
        ? { ...value, name: target.canaryService }
        : value,
    ),
  ) as Record<string, unknown>;
  // The NGINX controller refuses two Ingresses for one host unless one is marked canary; TLS stays with the stable one.
  delete spec.tls;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: target.canaryIngress,
      namespace: target.namespace,
      labels: { ...(stable.metadata.labels ?? {}), 'app.kubernetes.io/managed-by': 'deploy-actions' },
      annotations: {
        ...Object.fromEntries(
          Object.entries(stable.metadata.annotations ?? {}).filter(([key]) =>
            key.startsWith('nginx.ingress.kubernetes.io/'),
          ),
        ),
        [NGINX_CANARY]: 'true',
        [NGINX_CANARY_WEIGHT]: String(weight),
      },
    },
    spec,
  };
}

interface BackendRef {
  name: string;
  weight?: number;
  [key: string]: unknown;
}

interface HttpRoute {
  metadata: ObjectMeta;
  spec?: { rules?: { backendRefs?: BackendRef[]; [key: string]: unknown }[]; [key: string]: unknown };
}

/** The route's rules with stable and canary weights set on every rule that sends to the stable Service. */
export function weightedRules(route: HttpRoute, target: CanaryTarget, weight: number | undefined) {
  return (route.spec?.rules ?? []).map((rule) => {
    const refs = rule.backendRefs ?? [];
    const stableRef = refs.find((ref) => ref.name === target.service);
    if (!stableRef) return rule;
    const others = refs.filter((ref) => ref.name !== target.service && ref.name !== target.canaryService);
    const next: BackendRef[] = [...others];
    if (weight === undefined) {
      const { weight: _weight, ...plain } = stableRef;
      next.unshift(plain as BackendRef);
    } else {
      next.unshift({ ...stableRef, weight: 100 - weight });
      next.push({ ...stableRef, name: target.canaryService!, weight });
    }
    return { ...rule, backendRefs: next };
  });
}

/** Replica-ratio split: canary replicas for a weight, at least one while the weight is above zero. */
export function replicaSplit(
  total: number,
  weight: number,
): { canary: number; stable: number; achieved: number } {
  if (total <= 0) return { canary: weight > 0 ? 1 : 0, stable: 0, achieved: weight > 0 ? 100 : 0 };
  const canary = weight <= 0 ? 0 : Math.min(total, Math.max(1, Math.round((total * weight) / 100)));
  const stable = weight >= 100 ? 0 : Math.max(total - canary, 1);
  return { canary, stable, achieved: Math.round((canary / (canary + stable)) * 100) };
}

/** Sends `weight` percent of traffic to the canary; returns the weight actually achieved. */
export async function setCanaryWeight(
  client: KubeClient,
  target: CanaryTarget,
  weight: number,
  onConflict?: () => void,
): Promise<number> {
  const ns = target.namespace;
  if (target.mode === 'nginx') {
    const stable = await client.get<Ingress>(paths.ingress(ns, target.ingress!));
    if (!stable) throw new Error(`ingress "${target.ingress}" does not exist in namespace "${ns}"`);
    await client.apply(paths.ingress(ns, target.canaryIngress!), canaryIngressFrom(stable, target, weight));
    return weight;
  }
  if (target.mode === 'httproute') {
    await withConflictRetry(
      async () => {
        const route = await client.get<HttpRoute>(paths.httpRoute(ns, target.route!));
        if (!route) throw new Error(`HTTPRoute "${target.route}" does not exist in namespace "${ns}"`);
        await client.mergePatch(paths.httpRoute(ns, target.route!), {
          metadata: { resourceVersion: route.metadata.resourceVersion },
          spec: { rules: weightedRules(route, target, weight) },
        });
      },
      onConflict ? { onConflict } : {},
    );
    return weight;
  }
  const split = replicaSplit(target.totalReplicas, weight);
  await scaleDeployment(client, ns, target.canary, split.canary);
  await scaleDeployment(client, ns, target.stable, split.stable);
  return split.achieved;
}

/** All traffic back to stable, then the canary workload, Service and Ingress removed. */
export async function removeCanary(
  client: KubeClient,
  target: CanaryTarget,
  onConflict?: () => void,
): Promise<void> {
  const ns = target.namespace;
  if (target.mode === 'replicas') {
    const stable = await readDeployment(client, ns, target.stable);
    if (stable && (stable.spec?.replicas ?? 0) < target.totalReplicas) {
      await scaleDeployment(client, ns, target.stable, target.totalReplicas);
    }
  } else if (target.mode === 'nginx' && target.canaryIngress) {
    await deleteIfPresent(client, paths.ingress(ns, target.canaryIngress));
  } else if (target.mode === 'httproute' && target.route) {
    await withConflictRetry(
      async () => {
        const route = await client.get<HttpRoute>(paths.httpRoute(ns, target.route!));
        if (!route) return;
        await client.mergePatch(paths.httpRoute(ns, target.route!), {
          metadata: { resourceVersion: route.metadata.resourceVersion },
          spec: { rules: weightedRules(route, target, undefined) },
        });
      },
      onConflict ? { onConflict } : {},
    );
  }
  await deleteIfPresent(client, paths.deployment(ns, target.canary));
  if (target.canaryService) await deleteIfPresent(client, paths.service(ns, target.canaryService));
}

export async function deleteIfPresent(client: KubeClient, path: string): Promise<void> {
  try {
    await client.request('DELETE', path);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}
