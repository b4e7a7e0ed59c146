/**
 * REST paths of the objects the actions touch. Plural names come from a table of the kinds
 * manifests usually hold, so applying needs no discovery round trips.
 */

const PLURALS: Record<string, string> = {
  Ingress: 'ingresses',
  NetworkPolicy: 'networkpolicies',
  PodDisruptionBudget: 'poddisruptionbudgets',
  HorizontalPodAutoscaler: 'horizontalpodautoscalers',
  Endpoints: 'endpoints',
};

const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'StorageClass',
  'PersistentVolume',
  'PriorityClass',
  'IngressClass',
  'GatewayClass',
]);

export function pluralOf(kind: string): string {
  const known = PLURALS[kind];
  if (known) return known;
  const lower = kind.toLowerCase();
  if (lower.endsWith('s')) return `${lower}es`;
  if (lower.endsWith('y')) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED.has(kind);
}

/** The collection path of a kind (`/apis/apps/v1/namespaces/x/deployments`). */
export function collectionPath(apiVersion: string, kind: string, namespace?: string): string {
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const scope = namespace && !isClusterScoped(kind) ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${scope}/${pluralOf(kind)}`;
}

export function objectPath(apiVersion: string, kind: string, name: string, namespace?: string): string {
  return `${collectionPath(apiVersion, kind, namespace)}/${encodeURIComponent(name)}`;
}

export const paths = {
  deployments: (ns: string) => collectionPath('apps/v1', 'Deployment', ns),
  deployment: (ns: string, name: string) => objectPath('apps/v1', 'Deployment', name, ns),
  replicaSets: (ns: string) => collectionPath('apps/v1', 'ReplicaSet', ns),
  service: (ns: string, name: string) => objectPath('v1', 'Service', name, ns),
  services: (ns: string) => collectionPath('v1', 'Service', ns),
  namespace: (name: string) => objectPath('v1', 'Namespace', name),
  ingress: (ns: string, name: string) => objectPath('networking.k8s.io/v1', 'Ingress', name, ns),
  ingresses: (ns: string) => collectionPath('networking.k8s.io/v1', 'Ingress', ns),
  httpRoute: (ns: string, name: string) => objectPath('gateway.networking.k8s.io/v1', 'HTTPRoute', name, ns),
};
