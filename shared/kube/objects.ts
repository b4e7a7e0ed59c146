/** The few fields of Kubernetes objects the actions read, typed loosely on purpose. */

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion?: string;
  generation?: number;
  uid?: string;
  ownerReferences?: { uid?: string; kind?: string; name?: string }[];
}

export interface Container {
  name: string;
  image?: string;
  [key: string]: unknown;
}

export interface PodTemplate {
  metadata?: ObjectMeta;
  spec?: { containers?: Container[]; [key: string]: unknown };
}

export interface DeploymentCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface Deployment {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> };
    template?: PodTemplate;
    [key: string]: unknown;
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    unavailableReplicas?: number;
    conditions?: DeploymentCondition[];
  };
}

export interface ReplicaSet {
  metadata: ObjectMeta;
  spec?: { replicas?: number; template?: PodTemplate };
  status?: { replicas?: number };
}

export interface Service {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: { selector?: Record<string, string>; ports?: unknown[]; type?: string; [key: string]: unknown };
}

export interface KubeList<T> {
  metadata?: { resourceVersion?: string };
  items: T[];
}

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

export function revisionOf(object: { metadata?: ObjectMeta } | undefined): number | undefined {
  const raw = object?.metadata?.annotations?.[REVISION_ANNOTATION];
  const value = raw === undefined ? Number.NaN : Number(raw);
  return Number.isInteger(value) ? value : undefined;
}

/** The image of the named container, or of the first one. */
export function containerImage(template: PodTemplate | undefined, container?: string): string | undefined {
  const containers = template?.spec?.containers ?? [];
  return (container ? containers.find((c) => c.name === container) : containers[0])?.image;
}
