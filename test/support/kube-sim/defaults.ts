import type { KObj } from './resources.js';

/**
 * The defaulting the real API server applies on write, for the fields rollouts and diffs see:
 * Deployment strategy and limits, pod spec and container defaults, Service type/ports/clusterIP,
 * Secret type and stringData, Namespace phase.
 */

function defaultPodSpec(spec: KObj | undefined): void {
  if (!spec || typeof spec !== 'object') return;
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  for (const list of ['containers', 'initContainers']) {
    for (const c of (spec[list] ?? []) as KObj[]) {
      if (!c || typeof c !== 'object') continue;
      const image = String(c.image ?? '');
      const tag = image.includes('@') ? 'digest' : /:[^/]+$/.exec(image)?.[0]?.slice(1);
      c.imagePullPolicy ??= !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
      c.terminationMessagePath ??= '/dev/termination-log';
      c.terminationMessagePolicy ??= 'File';
      c.resources ??= {};
      for (const p of (c.ports ?? []) as KObj[]) if (p && typeof p === 'object') p.protocol ??= 'TCP';
    }
  }
}

function defaultWorkload(obj: KObj): void {
  obj.spec ??= {};
  obj.spec.replicas ??= 1;
  obj.spec.template ??= {};
  obj.spec.template.metadata ??= {};
  obj.spec.template.metadata.creationTimestamp ??= null;
  defaultPodSpec(obj.spec.template.spec);
}

let nextClusterIp = 1;

export function applyDefaults(kind: string, obj: KObj): void {
  switch (kind) {
    case 'Deployment': {
      defaultWorkload(obj);
      const spec = obj.spec;
      spec.revisionHistoryLimit ??= 10;
      spec.progressDeadlineSeconds ??= 600;
      spec.strategy ??= {};
      spec.strategy.type ??= 'RollingUpdate';
      if (spec.strategy.type === 'RollingUpdate') {
        spec.strategy.rollingUpdate ??= {};
        spec.strategy.rollingUpdate.maxSurge ??= '25%';
        spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
      }
      break;
    }
    case 'ReplicaSet':
      defaultWorkload(obj);
      break;
    case 'Pod':
      defaultPodSpec(obj.spec);
      obj.status ??= {};
      obj.status.phase ??= 'Pending';
      obj.status.qosClass ??= 'BestEffort';
      break;
    case 'Service': {
      obj.spec ??= {};
      const spec = obj.spec;
      spec.type ??= 'ClusterIP';
      spec.sessionAffinity ??= 'None';
      if (spec.type !== 'ExternalName') {
        spec.internalTrafficPolicy ??= 'Cluster';
        if (spec.clusterIP === undefined || spec.clusterIP === '') {
          const n = nextClusterIp++;
          spec.clusterIP = `10.96.${(n >> 8) & 255}.${n & 255}`;
        }
        spec.clusterIPs ??= [spec.clusterIP];
        spec.ipFamilies ??= ['IPv4'];
        spec.ipFamilyPolicy ??= 'SingleStack';
      }
      for (const p of (spec.ports ?? []) as KObj[]) {
        if (!p || typeof p !== 'object') continue;
        p.protocol ??= 'TCP';
        p.targetPort ??= p.port;
      }
      obj.status ??= { loadBalancer: {} };
      break;
    }
    case 'Secret':
      obj.type ??= 'Opaque';
      if (obj.stringData && typeof obj.stringData === 'object') {
        obj.data ??= {};
        for (const [k, v] of Object.entries(obj.stringData as KObj)) {
          obj.data[k] = Buffer.from(String(v)).toString('base64');
        }
        delete obj.stringData;
      }
      break;
    case 'Namespace':
      obj.spec ??= {};
      obj.spec.finalizers ??= ['kubernetes'];
      obj.status ??= {};
      obj.status.phase ??= 'Active';
      obj.metadata.labels ??= {};
      obj.metadata.labels['kubernetes.io/metadata.name'] = obj.metadata.name;
      break;
    case 'Event':
      obj.type ??= 'Normal';
      break;
  }
}
