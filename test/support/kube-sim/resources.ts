/**
 * The resource types the simulator serves: where each lives in the REST tree, its kind, and the
 * behaviour the API server gives it (namespaced, status subresource, generation tracking).
 */

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are open JSON; every module reads them by path.
export type KObj = Record<string, any>;

export interface ResourceType {
  /** '' for the core group. */
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  /** Has a `/status` subresource: the main resource ignores status, `/status` ignores spec. */
  status: boolean;
  /** `metadata.generation` is bumped when anything but metadata/status changes. */
  generation: boolean;
  scale?: boolean;
  categories?: string[];
}

export const RESOURCE_TYPES: ResourceType[] = [
  {
    group: '',
    version: 'v1',
    plural: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    status: true,
    generation: false,
  },
  {
    group: '',
    version: 'v1',
    plural: 'pods',
    singular: 'pod',
    kind: 'Pod',
    namespaced: true,
    shortNames: ['po'],
    status: true,
    generation: false,
    categories: ['all'],
  },
  {
    group: '',
    version: 'v1',
    plural: 'services',
    singular: 'service',
    kind: 'Service',
    namespaced: true,
    shortNames: ['svc'],
    status: true,
    generation: false,
    categories: ['all'],
  },
  {
    group: '',
    version: 'v1',
    plural: 'endpoints',
    singular: 'endpoints',
    kind: 'Endpoints',
    namespaced: true,
    shortNames: ['ep'],
    status: false,
    generation: false,
  },
  {
    group: '',
    version: 'v1',
    plural: 'configmaps',
    singular: 'configmap',
    kind: 'ConfigMap',
    namespaced: true,
    shortNames: ['cm'],
    status: false,
    generation: false,
  },
  {
    group: '',
    version: 'v1',
    plural: 'secrets',
    singular: 'secret',
    kind: 'Secret',
    namespaced: true,
    status: false,
    generation: false,
  },
  {
    group: '',
    version: 'v1',
    plural: 'events',
    singular: 'event',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
    status: false,
    generation: false,
  },
  {
    group: 'apps',
    version: 'v1',
    plural: 'deployments',
    singular: 'deployment',
    kind: 'Deployment',
    namespaced: true,
    shortNames: ['deploy'],
    status: true,
    generation: true,
    scale: true,
    categories: ['all'],
  },
  {
    group: 'apps',
    version: 'v1',
    plural: 'replicasets',
    singular: 'replicaset',
    kind: 'ReplicaSet',
    namespaced: true,
    shortNames: ['rs'],
    status: true,
    generation: true,
    scale: true,
    categories: ['all'],
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    plural: 'ingresses',
    singular: 'ingress',
    kind: 'Ingress',
    namespaced: true,
    shortNames: ['ing'],
    status: true,
    generation: true,
  },
  {
    group: 'gateway.networking.k8s.io',
    version: 'v1',
    plural: 'httproutes',
    singular: 'httproute',
    kind: 'HTTPRoute',
    namespaced: true,
    status: true,
    generation: true,
  },
  {
    group: 'autoscaling',
    version: 'v2',
    plural: 'horizontalpodautoscalers',
    singular: 'horizontalpodautoscaler',
    kind: 'HorizontalPodAutoscaler',
    namespaced: true,
    shortNames: ['hpa'],
    status: true,
    generation: true,
    categories: ['all'],
  },
];

export function groupVersion(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** `deployments.apps`, `pods`: the name the API server uses in messages. */
export function qualifiedResource(type: ResourceType): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

/** `Deployment.apps`, `Pod`: the name the API server uses in 422 messages. */
export function qualifiedKind(type: ResourceType): string {
  return type.group ? `${type.kind}.${type.group}` : type.kind;
}

export function typeKey(type: ResourceType): string {
  return `${type.group}/${type.plural}`;
}

export function findType(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => t.group === group && t.version === version && t.plural === plural);
}

export function typeByKind(kind: string, apiVersion?: string): ResourceType | undefined {
  return RESOURCE_TYPES.find(
    (t) => t.kind === kind && (apiVersion === undefined || groupVersion(t) === apiVersion),
  );
}

export function mustType(group: string, plural: string): ResourceType {
  const type = RESOURCE_TYPES.find((t) => t.group === group && t.plural === plural);
  if (!type) throw new Error(`kube-sim: unknown resource ${plural}.${group}`);
  return type;
}

export const T = {
  namespaces: mustType('', 'namespaces'),
  pods: mustType('', 'pods'),
  services: mustType('', 'services'),
  endpoints: mustType('', 'endpoints'),
  configmaps: mustType('', 'configmaps'),
  secrets: mustType('', 'secrets'),
  events: mustType('', 'events'),
  deployments: mustType('apps', 'deployments'),
  replicasets: mustType('apps', 'replicasets'),
  ingresses: mustType('networking.k8s.io', 'ingresses'),
  httproutes: mustType('gateway.networking.k8s.io', 'httproutes'),
  hpas: mustType('autoscaling', 'horizontalpodautoscalers'),
};
