import { createHash } from 'node:crypto';
import type { BehaviourRegistry } from './behaviour.js';
import type { SimClock } from './clock.js';
import { canonical, clone } from './patch.js';
import { type KObj, T } from './resources.js';
import { labelSelectorMatcher } from './selectors.js';
import { ApiError } from './status.js';
import { randomSuffix, type Store, type StoreEvent } from './store.js';

/**
 * The controllers a rollout needs, on the simulated clock: the Deployment controller
 * (ReplicaSets by pod-template hash, rolling update within maxSurge/maxUnavailable, Recreate,
 * paused, revisions and rollback by template, status and conditions with the progress
 * deadline, history limit), the ReplicaSet controller (pods to the replica count), a kubelet
 * (pods scheduled, started, Ready after a delay, or not, per image behaviour) and the
 * endpoints controller (Endpoints follow Service selectors and readiness).
 */

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const HASH_LABEL = 'pod-template-hash';

export interface ControllerOptions {
  /** Simulated ms from pod creation to running containers. */
  podStartDelayMs: number;
  /** Simulated ms between crash-loop restarts. */
  crashLoopIntervalMs: number;
  /** Write core/v1 Events (ScalingReplicaSet…) as the controllers do. */
  events: boolean;
}

const NODE = 'kube-sim-node';
const INTERNAL = { manager: 'kube-controller-manager', skipManagedFields: true };
const KUBELET = { manager: 'kubelet', skipManagedFields: true, subresource: 'status' as const };

function controllerRef(obj: KObj): KObj | undefined {
  return (obj.metadata.ownerReferences ?? []).find((r: KObj) => r.controller);
}

/** FNV-1a over the template, in the alphabet the real controller uses. */
export function podTemplateHash(template: KObj, collisionCount = 0): string {
  const h = createHash('sha256')
    .update(canonical(stripHash(template)))
    .update(String(collisionCount))
    .digest();
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let out = '';
  for (let i = 0; i < 10; i++) out += alphabet[h[i]! % alphabet.length];
  return out;
}

function stripHash(template: KObj): KObj {
  const t = clone(template ?? {});
  if (t.metadata?.labels) {
    delete t.metadata.labels[HASH_LABEL];
    if (Object.keys(t.metadata.labels).length === 0) delete t.metadata.labels;
  }
  if (t.metadata) {
    delete t.metadata.creationTimestamp;
    if (Object.keys(t.metadata).length === 0) delete t.metadata;
  }
  return t;
}

function sameTemplate(a: KObj, b: KObj): boolean {
  return canonical(stripHash(a)) === canonical(stripHash(b));
}

/** `25%` of `total`, rounded up (surge) or down (unavailable), or an integer. */
export function resolveIntOrPercent(value: unknown, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.endsWith('%')) {
    const pct = Number(value.slice(0, -1));
    const raw = (pct * total) / 100;
    return roundUp ? Math.ceil(raw) : Math.floor(raw);
  }
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return 0;
}

function limits(d: KObj): { maxSurge: number; maxUnavailable: number } {
  const desired = d.spec.replicas ?? 1;
  if (d.spec.strategy?.type !== 'RollingUpdate') return { maxSurge: 0, maxUnavailable: desired };
  const ru = d.spec.strategy.rollingUpdate ?? {};
  const maxSurge = resolveIntOrPercent(ru.maxSurge ?? '25%', desired, true);
  let maxUnavailable = resolveIntOrPercent(ru.maxUnavailable ?? '25%', desired, false);
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable: Math.min(maxUnavailable, desired) };
}

function revisionOf(obj: KObj): number {
  return Number(obj.metadata.annotations?.[REVISION] ?? 0) || 0;
}

function podReady(pod: KObj): boolean {
  return (pod.status?.conditions ?? []).some((c: KObj) => c.type === 'Ready' && c.status === 'True');
}

function condition(status: KObj, type: string): KObj | undefined {
  return (status.conditions ?? []).find((c: KObj) => c.type === type);
}

export class Controllers {
  private readonly queue = new Set<string>();
  private scheduled = false;
  private readonly rsByOwner = new Map<string, Set<string>>();
  private readonly podsByOwner = new Map<string, Set<string>>();
  private readonly dirtyEndpoints = new Set<string>();
  private readonly podTimers = new Map<string, NodeJS.Timeout>();
  private readonly deadlineTimers = new Map<string, NodeJS.Timeout>();
  private nextPodIp = 1;
  private stopped = false;
  private readonly unsubscribe: () => void;
  private readonly unwatchBehaviours: () => void;
  private idleWaiters: (() => void)[] = [];

  private readonly store: Store;
  private readonly clock: SimClock;
  private readonly behaviours: BehaviourRegistry;
  private readonly options: ControllerOptions;

  constructor(store: Store, clock: SimClock, behaviours: BehaviourRegistry, options: ControllerOptions) {
    this.store = store;
    this.clock = clock;
    this.behaviours = behaviours;
    this.options = options;
    this.unsubscribe = store.subscribe((e) => this.observe(e));
    this.unwatchBehaviours = behaviours.onChange(() => this.refreshPods());
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    this.unwatchBehaviours();
    for (const t of this.podTimers.values()) this.clock.cancel(t);
    for (const t of this.deadlineTimers.values()) this.clock.cancel(t);
  }

  /** Resolves when the work queue is empty (timers may still be pending). */
  idle(): Promise<void> {
    if (!this.scheduled && this.queue.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private index(map: Map<string, Set<string>>, uid: string, key: string, add: boolean): void {
    let set = map.get(uid);
    if (add) {
      if (!set) {
        set = new Set();
        map.set(uid, set);
      }
      set.add(key);
    } else if (set) {
      set.delete(key);
      if (!set.size) map.delete(uid);
    }
  }

  private observe(event: StoreEvent): void {
    if (this.stopped) return;
    const obj = event.object;
    const ns = event.namespace;
    switch (event.resource.kind) {
      case 'Deployment':
        this.enqueue(`d/${ns}/${event.name}`);
        if (event.type === 'DELETED') this.clock.cancel(this.deadlineTimers.get(`${ns}/${event.name}`));
        break;
      case 'ReplicaSet': {
        const oldRef = event.old ? controllerRef(event.old) : undefined;
        const ref = controllerRef(obj);
        if (oldRef) this.index(this.rsByOwner, oldRef.uid, event.name, false);
        if (ref && event.type !== 'DELETED') this.index(this.rsByOwner, ref.uid, event.name, true);
        if (event.type !== 'DELETED') this.enqueue(`rs/${ns}/${event.name}`);
        const owner = ref ?? oldRef;
        if (owner?.kind === 'Deployment') this.enqueue(`d/${ns}/${owner.name}`);
        break;
      }
      case 'Pod': {
        const key = `${ns}/${event.name}`;
        const oldRef = event.old ? controllerRef(event.old) : undefined;
        const ref = controllerRef(obj);
        if (oldRef) this.index(this.podsByOwner, oldRef.uid, event.name, false);
        if (ref && event.type !== 'DELETED') this.index(this.podsByOwner, ref.uid, event.name, true);
        const owner = ref ?? oldRef;
        if (owner?.kind === 'ReplicaSet') this.enqueue(`rs/${ns}/${owner.name}`);
        if (event.type === 'ADDED') this.startPod(ns, event.name);
        if (event.type === 'DELETED') {
          this.clock.cancel(this.podTimers.get(key));
          this.podTimers.delete(key);
        }
        this.dirtyEndpoints.add(ns);
        this.schedule();
        break;
      }
      case 'Service':
        this.dirtyEndpoints.add(ns);
        if (event.type === 'DELETED') {
          try {
            this.store.delete(T.endpoints, ns, event.name);
          } catch {
            // Already gone.
          }
        }
        this.schedule();
        break;
    }
  }

  private enqueue(key: string): void {
    this.queue.add(key);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    if (this.stopped) return;
    let rounds = 0;
    while ((this.queue.size || this.dirtyEndpoints.size) && rounds++ < 50) {
      const keys = [...this.queue];
      this.queue.clear();
      for (const key of keys) {
        const [kind, ns, name] = key.split('/') as [string, string, string];
        try {
          if (kind === 'd') this.syncDeployment(ns, name);
          else this.syncReplicaSet(ns, name);
        } catch (error) {
          if (error instanceof ApiError && (error.code === 409 || error.code === 404)) this.queue.add(key);
          else console.error(`kube-sim: controller ${key}`, error);
        }
      }
      if (!this.queue.size) {
        const namespaces = [...this.dirtyEndpoints];
        this.dirtyEndpoints.clear();
        for (const ns of namespaces) this.syncEndpoints(ns);
      }
    }
    if (this.queue.size || this.dirtyEndpoints.size) this.schedule();
    else {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  // ------------------------------------------------------------------------------------------
  // Events

  private recordEvent(
    involved: KObj,
    reason: string,
    message: string,
    component: string,
    type = 'Normal',
  ): void {
    if (!this.options.events) return;
    const ns = involved.metadata.namespace ?? 'default';
    const now = this.clock.iso();
    try {
      this.store.create(
        T.events,
        ns,
        {
          metadata: {
            name: `${involved.metadata.name}.${Date.now().toString(16)}${randomSuffix(4)}`,
            namespace: ns,
          },
          involvedObject: {
            kind: involved.kind,
            namespace: ns,
            name: involved.metadata.name,
            uid: involved.metadata.uid,
            apiVersion: involved.apiVersion,
            resourceVersion: involved.metadata.resourceVersion,
          },
          reason,
          message,
          source: { component },
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
          type,
          eventTime: null,
          reportingComponent: component,
          reportingInstance: '',
        },
        INTERNAL,
      );
    } catch {
      // The namespace may be terminating.
    }
  }

  // ------------------------------------------------------------------------------------------
  // Deployments

  private ownedReplicaSets(d: KObj): KObj[] {
    const names = this.rsByOwner.get(d.metadata.uid);
    if (!names) return [];
    const out: KObj[] = [];
    for (const name of names) {
      const rs = this.store.peekOne(T.replicasets, d.metadata.namespace, name);
      if (rs && !rs.metadata.deletionTimestamp) out.push(rs);
    }
    return out;
  }

  private scaleReplicaSet(d: KObj, rs: KObj, replicas: number): void {
    const from = rs.spec.replicas ?? 0;
    if (from === replicas) return;
    const { maxSurge } = limits(d);
    this.store.modify(
      T.replicasets,
      rs.metadata.namespace,
      rs.metadata.name,
      (o) => {
        o.spec.replicas = replicas;
        o.metadata.annotations ??= {};
        o.metadata.annotations[DESIRED_REPLICAS] = String(d.spec.replicas);
        o.metadata.annotations[MAX_REPLICAS] = String(d.spec.replicas + maxSurge);
        return o;
      },
      INTERNAL,
    );
    const dir = replicas > from ? 'up' : 'down';
    this.recordEvent(
      d,
      'ScalingReplicaSet',
      `Scaled ${dir} replica set ${rs.metadata.name} from ${from} to ${replicas}`,
      'deployment-controller',
    );
  }

  private syncDeployment(ns: string, name: string): void {
    const d = this.store.peekOne(T.deployments, ns, name);
    if (!d || d.metadata.deletionTimestamp) return;
    const all = this.ownedReplicaSets(d);
    let newRS = all.find((rs) => sameTemplate(rs.spec.template, d.spec.template));
    const oldRSs = all.filter((rs) => rs !== newRS);
    const maxOldRevision = oldRSs.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
    const desired = d.spec.replicas ?? 1;
    const { maxSurge, maxUnavailable } = limits(d);
    let created = false;

    if (d.spec.paused) {
      this.syncStatus(d, newRS, oldRSs, false);
      return;
    }

    if (!newRS) {
      const hash = podTemplateHash(d.spec.template, d.status?.collisionCount ?? 0);
      const template = clone(d.spec.template);
      template.metadata ??= {};
      template.metadata.labels = { ...(template.metadata.labels ?? {}), [HASH_LABEL]: hash };
      const selector = clone(d.spec.selector);
      selector.matchLabels = { ...(selector.matchLabels ?? {}), [HASH_LABEL]: hash };
      const total = all.reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0);
      let initial = desired;
      if (d.spec.strategy?.type === 'RollingUpdate' && oldRSs.length) {
        initial = Math.max(0, Math.min(desired, desired + maxSurge - total));
      } else if (d.spec.strategy?.type === 'Recreate' && oldRSs.some((rs) => (rs.spec.replicas ?? 0) > 0)) {
        initial = 0;
      }
      const annotations: Record<string, string> = {};
      for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
        if (
          !k.startsWith('deployment.kubernetes.io/') &&
          k !== 'kubectl.kubernetes.io/last-applied-configuration'
        ) {
          annotations[k] = String(v);
        }
      }
      annotations[REVISION] = String(maxOldRevision + 1);
      annotations[DESIRED_REPLICAS] = String(desired);
      annotations[MAX_REPLICAS] = String(desired + maxSurge);
      newRS = this.store.create(
        T.replicasets,
        ns,
        {
          metadata: {
            name: `${name}-${hash}`,
            labels: template.metadata.labels,
            annotations,
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'Deployment',
                name,
                uid: d.metadata.uid,
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          },
          spec: { replicas: initial, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
        },
        INTERNAL,
      );
      created = true;
      this.index(this.rsByOwner, d.metadata.uid, newRS.metadata.name, true);
      if (initial > 0) {
        this.recordEvent(
          d,
          'ScalingReplicaSet',
          `Scaled up replica set ${newRS.metadata.name} from 0 to ${initial}`,
          'deployment-controller',
        );
      }
    } else if (revisionOf(newRS) <= maxOldRevision) {
      // An old template came back (rollback): its ReplicaSet becomes the newest revision.
      const previous = revisionOf(newRS);
      newRS = this.store.modify(
        T.replicasets,
        ns,
        newRS.metadata.name,
        (o) => {
          o.metadata.annotations ??= {};
          const history = o.metadata.annotations[REVISION_HISTORY];
          o.metadata.annotations[REVISION_HISTORY] = history ? `${history},${previous}` : String(previous);
          o.metadata.annotations[REVISION] = String(maxOldRevision + 1);
          return o;
        },
        INTERNAL,
      );
    }
    const rs = newRS!;

    if (d.metadata.annotations?.[REVISION] !== rs.metadata.annotations?.[REVISION]) {
      this.store.modify(
        T.deployments,
        ns,
        name,
        (o) => {
          o.metadata.annotations ??= {};
          o.metadata.annotations[REVISION] = rs.metadata.annotations[REVISION];
          return o;
        },
        INTERNAL,
      );
    }

    if (!created) {
      if (d.spec.strategy?.type === 'Recreate') this.rolloutRecreate(d, rs, oldRSs, desired);
      else this.rolloutRolling(d, rs, oldRSs, desired, maxSurge, maxUnavailable);
    }
    this.cleanupHistory(
      d,
      this.ownedReplicaSets(d).filter((x) => x.metadata.name !== rs.metadata.name),
    );
    const fresh = this.store.peekOne(T.deployments, ns, name);
    const freshRS = this.store.peekOne(T.replicasets, ns, rs.metadata.name);
    if (fresh) {
      this.syncStatus(
        fresh,
        freshRS,
        this.ownedReplicaSets(fresh).filter((x) => x.metadata.name !== rs.metadata.name),
        created,
      );
    }
  }

  private rolloutRecreate(d: KObj, newRS: KObj, oldRSs: KObj[], desired: number): void {
    let oldPods = 0;
    for (const rs of oldRSs) {
      if ((rs.spec.replicas ?? 0) > 0) this.scaleReplicaSet(d, rs, 0);
      oldPods += this.podsByOwner.get(rs.metadata.uid)?.size ?? 0;
    }
    if (oldPods === 0) this.scaleReplicaSet(d, newRS, desired);
  }

  private rolloutRolling(
    d: KObj,
    newRS: KObj,
    oldRSs: KObj[],
    desired: number,
    maxSurge: number,
    maxUnavailable: number,
  ): void {
    const all = [newRS, ...oldRSs];
    const total = () => all.reduce((n, rs) => n + (this.currentReplicas(rs) ?? 0), 0);
    // Scale the new ReplicaSet up within maxSurge.
    const newReplicas = newRS.spec.replicas ?? 0;
    if (newReplicas > desired) this.scaleReplicaSet(d, newRS, desired);
    else if (newReplicas < desired) {
      const room = desired + maxSurge - total();
      if (room > 0) this.scaleReplicaSet(d, newRS, newReplicas + Math.min(room, desired - newReplicas));
    }
    // Scale old ReplicaSets down within maxUnavailable.
    const fresh = this.store.peekOne(T.replicasets, newRS.metadata.namespace, newRS.metadata.name) ?? newRS;
    const allPods = total();
    const minAvailable = desired - maxUnavailable;
    const newUnavailable = (fresh.spec.replicas ?? 0) - (fresh.status?.availableReplicas ?? 0);
    let maxScaleDown = allPods - minAvailable - newUnavailable;
    if (maxScaleDown <= 0) return;
    const olds = oldRSs
      .map((rs) => this.store.peekOne(T.replicasets, rs.metadata.namespace, rs.metadata.name) ?? rs)
      .filter((rs) => (rs.spec.replicas ?? 0) > 0)
      .sort((a, b) => revisionOf(a) - revisionOf(b));
    // First the unhealthy replicas of old ReplicaSets.
    for (const rs of olds) {
      if (maxScaleDown <= 0) break;
      const unhealthy = (rs.spec.replicas ?? 0) - (rs.status?.availableReplicas ?? 0);
      if (unhealthy <= 0) continue;
      const down = Math.min(unhealthy, maxScaleDown);
      this.scaleReplicaSet(d, rs, rs.spec.replicas - down);
      rs.spec = { ...rs.spec, replicas: rs.spec.replicas - down };
      maxScaleDown -= down;
    }
    // Then available ones, keeping minAvailable.
    const available = [fresh, ...olds].reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0);
    let budget = Math.min(maxScaleDown, available - minAvailable);
    for (const rs of olds) {
      if (budget <= 0) break;
      const replicas =
        this.store.peekOne(T.replicasets, rs.metadata.namespace, rs.metadata.name)?.spec.replicas ?? 0;
      if (replicas <= 0) continue;
      const down = Math.min(replicas, budget);
      this.scaleReplicaSet(d, rs, replicas - down);
      budget -= down;
    }
  }

  private currentReplicas(rs: KObj): number {
    return this.store.peekOne(T.replicasets, rs.metadata.namespace, rs.metadata.name)?.spec.replicas ?? 0;
  }

  private cleanupHistory(d: KObj, oldRSs: KObj[]): void {
    const limit = d.spec.revisionHistoryLimit ?? 10;
    const idle = oldRSs
      .filter((rs) => (rs.spec.replicas ?? 0) === 0 && (rs.status?.replicas ?? 0) === 0)
      .sort((a, b) => revisionOf(a) - revisionOf(b));
    const excess = idle.length - limit;
    for (let i = 0; i < excess; i++) {
      const rs = idle[i]!;
      try {
        this.store.delete(T.replicasets, rs.metadata.namespace, rs.metadata.name);
      } catch {
        // Gone already.
      }
    }
  }

  private syncStatus(d: KObj, newRS: KObj | undefined, oldRSs: KObj[], created: boolean): void {
    const all = newRS ? [newRS, ...oldRSs] : oldRSs;
    const desired = d.spec.replicas ?? 1;
    const { maxUnavailable } = limits(d);
    const sum = (f: (rs: KObj) => number) => all.reduce((n, rs) => n + f(rs), 0);
    const prev: KObj = d.status ?? {};
    const status: KObj = {
      observedGeneration: d.metadata.generation,
      replicas: sum((rs) => rs.status?.replicas ?? 0),
      updatedReplicas: newRS?.status?.replicas ?? 0,
      readyReplicas: sum((rs) => rs.status?.readyReplicas ?? 0),
      availableReplicas: sum((rs) => rs.status?.availableReplicas ?? 0),
    };
    const specTotal = sum((rs) => rs.spec.replicas ?? 0);
    status.unavailableReplicas = Math.max(0, specTotal - status.availableReplicas);
    if (prev.collisionCount !== undefined) status.collisionCount = prev.collisionCount;
    const now = this.clock.iso();
    const conditions: KObj[] = clone(prev.conditions ?? []);
    const setCondition = (type: string, value: string, reason: string, message: string, touch = true) => {
      const existing = conditions.find((c) => c.type === type);
      if (existing) {
        if (existing.status !== value) existing.lastTransitionTime = now;
        if (existing.status !== value || existing.reason !== reason || touch) existing.lastUpdateTime = now;
        existing.status = value;
        existing.reason = reason;
        existing.message = message;
      } else {
        conditions.push({
          type,
          status: value,
          lastUpdateTime: now,
          lastTransitionTime: now,
          reason,
          message,
        });
      }
    };
    if (status.availableReplicas >= desired - maxUnavailable) {
      setCondition(
        'Available',
        'True',
        'MinimumReplicasAvailable',
        'Deployment has minimum availability.',
        false,
      );
    } else {
      setCondition(
        'Available',
        'False',
        'MinimumReplicasUnavailable',
        'Deployment does not have minimum availability.',
        false,
      );
    }
    const rsName = newRS?.metadata.name ?? '';
    const progressing = condition({ conditions }, 'Progressing');
    const deadline = d.spec.progressDeadlineSeconds;
    if (d.spec.paused) {
      if (progressing?.reason !== 'DeploymentPaused') {
        setCondition('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused');
      }
    } else if (progressing?.reason === 'DeploymentPaused') {
      setCondition('Progressing', 'Unknown', 'DeploymentResumed', 'Deployment is resumed');
    } else {
      const complete =
        status.updatedReplicas === desired &&
        status.replicas === desired &&
        status.availableReplicas === desired &&
        (newRS?.spec.replicas ?? 0) === desired;
      const progress =
        status.updatedReplicas > (prev.updatedReplicas ?? 0) ||
        status.readyReplicas > (prev.readyReplicas ?? 0) ||
        status.availableReplicas > (prev.availableReplicas ?? 0) ||
        status.replicas - status.updatedReplicas < (prev.replicas ?? 0) - (prev.updatedReplicas ?? 0);
      if (created) {
        setCondition('Progressing', 'True', 'NewReplicaSetCreated', `Created new replica set "${rsName}"`);
      } else if (complete) {
        if (progressing?.reason !== 'NewReplicaSetAvailable') {
          setCondition(
            'Progressing',
            'True',
            'NewReplicaSetAvailable',
            `ReplicaSet "${rsName}" has successfully progressed.`,
          );
        }
      } else if (!progressing) {
        setCondition('Progressing', 'True', 'FoundNewReplicaSet', `Found new replica set "${rsName}"`);
      } else if (progress || progressing.reason === 'NewReplicaSetAvailable') {
        setCondition('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`);
      } else if (
        deadline !== undefined &&
        progressing.reason !== 'ProgressDeadlineExceeded' &&
        this.clock.now() - Date.parse(progressing.lastUpdateTime) >= deadline * 1000
      ) {
        setCondition(
          'Progressing',
          'False',
          'ProgressDeadlineExceeded',
          `ReplicaSet "${rsName}" has timed out progressing.`,
        );
      }
      const current = condition({ conditions }, 'Progressing');
      const key = `${d.metadata.namespace}/${d.metadata.name}`;
      this.clock.cancel(this.deadlineTimers.get(key));
      this.deadlineTimers.delete(key);
      if (
        deadline !== undefined &&
        current?.status === 'True' &&
        current.reason !== 'NewReplicaSetAvailable'
      ) {
        const due = Date.parse(current.lastUpdateTime) + deadline * 1000 - this.clock.now();
        this.deadlineTimers.set(
          key,
          this.clock.after(Math.max(0, due) + 1000, () => this.enqueue(`d/${key}`)),
        );
      }
    }
    // Conditions in the order the real controller keeps them: Available, Progressing.
    conditions.sort((a, b) => (a.type === 'Available' ? -1 : b.type === 'Available' ? 1 : 0));
    status.conditions = conditions;
    if (canonical(status) === canonical(prev)) return;
    this.store.modify(
      T.deployments,
      d.metadata.namespace,
      d.metadata.name,
      (o) => {
        o.status = status;
        return o;
      },
      { ...INTERNAL, subresource: 'status' },
    );
  }

  // ------------------------------------------------------------------------------------------
  // ReplicaSets

  private ownedPods(rs: KObj): KObj[] {
    const names = this.podsByOwner.get(rs.metadata.uid);
    if (!names) return [];
    const out: KObj[] = [];
    for (const name of names) {
      const pod = this.store.peekOne(T.pods, rs.metadata.namespace, name);
      if (pod) out.push(pod);
    }
    return out;
  }

  private syncReplicaSet(ns: string, name: string): void {
    const rs = this.store.peekOne(T.replicasets, ns, name);
    if (!rs || rs.metadata.deletionTimestamp) return;
    let pods = this.ownedPods(rs).filter((p) => !p.metadata.deletionTimestamp);
    const want = rs.spec.replicas ?? 0;
    if (pods.length < want) {
      for (let i = pods.length; i < want; i++) {
        const template = rs.spec.template ?? {};
        const created = this.store.create(
          T.pods,
          ns,
          {
            metadata: {
              name: `${name}-${randomSuffix()}`,
              labels: { ...(template.metadata?.labels ?? {}) },
              annotations: template.metadata?.annotations ? { ...template.metadata.annotations } : undefined,
              ownerReferences: [
                {
                  apiVersion: 'apps/v1',
                  kind: 'ReplicaSet',
                  name,
                  uid: rs.metadata.uid,
                  controller: true,
                  blockOwnerDeletion: true,
                },
              ],
            },
            spec: { ...clone(template.spec ?? {}), nodeName: NODE },
          },
          INTERNAL,
        );
        this.index(this.podsByOwner, rs.metadata.uid, created.metadata.name, true);
        this.recordEvent(
          rs,
          'SuccessfulCreate',
          `Created pod: ${created.metadata.name}`,
          'replicaset-controller',
        );
      }
    } else if (pods.length > want) {
      const rank = (p: KObj) => (p.status?.phase === 'Pending' ? 0 : podReady(p) ? 2 : 1);
      const victims = [...pods]
        .sort(
          (a, b) =>
            rank(a) - rank(b) || (b.metadata.creationTimestamp > a.metadata.creationTimestamp ? 1 : -1),
        )
        .slice(0, pods.length - want);
      for (const pod of victims) {
        try {
          this.store.delete(T.pods, ns, pod.metadata.name);
          this.recordEvent(
            rs,
            'SuccessfulDelete',
            `Deleted pod: ${pod.metadata.name}`,
            'replicaset-controller',
          );
        } catch {
          // Gone already.
        }
      }
    }
    pods = this.ownedPods(rs).filter((p) => !p.metadata.deletionTimestamp);
    const minReady = (rs.spec.minReadySeconds ?? 0) * 1000;
    const now = this.clock.now();
    let available = 0;
    let waitMs = Number.POSITIVE_INFINITY;
    for (const p of pods) {
      if (!podReady(p)) continue;
      const since = Date.parse(condition(p.status, 'Ready')?.lastTransitionTime ?? '') || 0;
      if (minReady === 0 || now - since >= minReady) available++;
      else waitMs = Math.min(waitMs, since + minReady - now);
    }
    if (Number.isFinite(waitMs)) this.clock.after(waitMs + 1000, () => this.enqueue(`rs/${ns}/${name}`));
    const selector = labelSelectorMatcher(rs.spec.selector);
    const status: KObj = {
      replicas: pods.length,
      fullyLabeledReplicas: pods.filter((p) => selector(p.metadata.labels)).length,
      readyReplicas: pods.filter(podReady).length,
      availableReplicas: available,
      observedGeneration: rs.metadata.generation,
    };
    if (rs.status?.conditions) status.conditions = rs.status.conditions;
    if (canonical(status) === canonical(rs.status ?? {})) return;
    this.store.modify(
      T.replicasets,
      ns,
      name,
      (o) => {
        o.status = status;
        return o;
      },
      { ...INTERNAL, subresource: 'status' },
    );
  }

  // ------------------------------------------------------------------------------------------
  // Kubelet

  private startPod(ns: string, name: string): void {
    const key = `${ns}/${name}`;
    this.clock.cancel(this.podTimers.get(key));
    this.podTimers.set(
      key,
      this.clock.after(this.options.podStartDelayMs, () => this.runPod(ns, name)),
    );
  }

  /** Re-evaluate every pod against the (changed) image behaviours. */
  refreshPods(): void {
    for (const pod of this.store.peek(T.pods)) {
      if (pod.status?.phase === 'Pending' && !pod.status?.containerStatuses) continue;
      this.runPod(pod.metadata.namespace, pod.metadata.name);
    }
  }

  private writePodStatus(ns: string, name: string, mutate: (pod: KObj) => void): void {
    try {
      this.store.modify(
        T.pods,
        ns,
        name,
        (o) => {
          mutate(o);
          return o;
        },
        KUBELET,
      );
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 404)) throw error;
    }
  }

  private runPod(ns: string, name: string): void {
    const pod = this.store.peekOne(T.pods, ns, name);
    if (!pod || pod.metadata.deletionTimestamp) return;
    const key = `${ns}/${name}`;
    const b = this.behaviours.forPod(pod);
    const now = this.clock.iso();
    const containers: KObj[] = pod.spec.containers ?? [];
    if (!pod.spec.nodeName) {
      this.store.modify(T.pods, ns, name, (o) => ({ ...o, spec: { ...o.spec, nodeName: NODE } }), INTERNAL);
    }
    const ip = pod.status?.podIP ?? this.allocateIp();
    const base = (o: KObj) => {
      o.status.hostIP = '10.0.0.10';
      o.status.hostIPs = [{ ip: '10.0.0.10' }];
      o.status.podIP = ip;
      o.status.podIPs = [{ ip }];
      o.status.startTime ??= now;
    };
    const setConditions = (o: KObj, ready: boolean, initialized = true) => {
      const prev: KObj[] = o.status.conditions ?? [];
      const mk = (type: string, value: boolean) => {
        const old = prev.find((c) => c.type === type);
        const status = value ? 'True' : 'False';
        return {
          type,
          status,
          lastProbeTime: null,
          lastTransitionTime: old && old.status === status ? old.lastTransitionTime : now,
        };
      };
      o.status.conditions = [
        mk('PodReadyToStartContainers', initialized),
        mk('Initialized', true),
        mk('Ready', ready),
        mk('ContainersReady', ready),
        mk('PodScheduled', true),
      ];
    };
    const statuses = (
      state: (c: KObj) => KObj,
      ready: boolean,
      extra: (c: KObj, prev?: KObj) => KObj = () => ({}),
    ) =>
      containers.map((c) => {
        const prev = (pod.status?.containerStatuses ?? []).find((s: KObj) => s.name === c.name);
        return {
          name: c.name,
          image: c.image,
          imageID: `${String(c.image).split(':')[0]}@sha256:${createHash('sha256').update(String(c.image)).digest('hex')}`,
          containerID: `containerd://${createHash('sha256').update(`${ns}/${name}/${c.name}`).digest('hex')}`,
          ready,
          started: !!state(c).running,
          restartCount: prev?.restartCount ?? 0,
          state: state(c),
          ...extra(c, prev),
        };
      });

    if (b.pullError) {
      this.writePodStatus(ns, name, (o) => {
        base(o);
        o.status.phase = 'Pending';
        setConditions(o, false, true);
        o.status.containerStatuses = statuses(
          (c) => ({
            waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}"` },
          }),
          false,
        ).map((s) => ({ ...s, containerID: undefined, imageID: '' }));
      });
      return;
    }
    if (b.crashLoop) {
      this.writePodStatus(ns, name, (o) => {
        base(o);
        o.status.phase = 'Running';
        setConditions(o, false);
        o.status.containerStatuses = statuses(
          (c) => ({
            waiting: {
              reason: 'CrashLoopBackOff',
              message: `back-off 10s restarting failed container=${c.name} pod=${name}_${ns}(${pod.metadata.uid})`,
            },
          }),
          false,
          (_c, prev) => ({
            restartCount: (prev?.restartCount ?? 0) + 1,
            lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: now, finishedAt: now } },
          }),
        );
      });
      this.podTimers.set(
        key,
        this.clock.after(this.options.crashLoopIntervalMs, () => this.runPod(ns, name)),
      );
      return;
    }
    const running = (ready: boolean) =>
      this.writePodStatus(ns, name, (o) => {
        base(o);
        o.status.phase = 'Running';
        setConditions(o, ready);
        const startedAt = (pod.status?.containerStatuses ?? [])[0]?.state?.running?.startedAt ?? now;
        o.status.containerStatuses = statuses(() => ({ running: { startedAt } }), ready);
      });
    const readyNow = podReady(pod);
    const wantReady = !b.neverReady;
    if (!wantReady) {
      running(false);
      return;
    }
    if (readyNow) {
      running(true);
      return;
    }
    running(false);
    this.clock.cancel(this.podTimers.get(key));
    this.podTimers.set(
      key,
      this.clock.after(b.readyDelayMs, () => {
        const current = this.store.peekOne(T.pods, ns, name);
        if (!current || current.metadata.deletionTimestamp) return;
        const again = this.behaviours.forPod(current);
        if (again.neverReady || again.crashLoop || again.pullError) return;
        const startedAt =
          (current.status?.containerStatuses ?? [])[0]?.state?.running?.startedAt ?? this.clock.iso();
        this.writePodStatus(ns, name, (o) => {
          setConditions(o, true);
          o.status.containerStatuses = (o.status.containerStatuses ?? []).map((s: KObj) => ({
            ...s,
            ready: true,
            started: true,
            state: { running: { startedAt } },
          }));
        });
      }),
    );
  }

  private allocateIp(): string {
    const n = this.nextPodIp++;
    return `10.244.${(n >> 8) & 255}.${n & 255}`;
  }

  // ------------------------------------------------------------------------------------------
  // Endpoints

  private syncEndpoints(ns: string): void {
    const pods = this.store.peek(T.pods, ns).filter((p) => p.status?.podIP && !p.metadata.deletionTimestamp);
    for (const svc of this.store.peek(T.services, ns)) {
      const selector = svc.spec?.selector;
      if (!selector || Object.keys(selector).length === 0) continue;
      const match = labelSelectorMatcher({ matchLabels: selector });
      const selected = pods.filter((p) => match(p.metadata.labels));
      const address = (p: KObj) => ({
        ip: p.status.podIP,
        nodeName: p.spec.nodeName,
        targetRef: { kind: 'Pod', namespace: ns, name: p.metadata.name, uid: p.metadata.uid },
      });
      const ready = selected.filter(podReady).map(address);
      const notReady = selected.filter((p) => !podReady(p)).map(address);
      const ports = (svc.spec.ports ?? []).map((port: KObj) => {
        let target = port.targetPort ?? port.port;
        if (typeof target === 'string') {
          const named = selected
            .flatMap((p) => p.spec.containers ?? [])
            .flatMap((c: KObj) => c.ports ?? [])
            .find((cp: KObj) => cp.name === target);
          target = named?.containerPort ?? port.port;
        }
        const out: KObj = { port: target, protocol: port.protocol ?? 'TCP' };
        if (port.name) out.name = port.name;
        return out;
      });
      const subsets: KObj[] = [];
      if (ready.length || notReady.length) {
        const subset: KObj = {};
        if (ready.length) subset.addresses = ready;
        if (notReady.length) subset.notReadyAddresses = notReady;
        subset.ports = ports;
        subsets.push(subset);
      }
      const existing = this.store.peekOne(T.endpoints, ns, svc.metadata.name);
      const labels = {
        ...(svc.metadata.labels ?? {}),
        'endpoints.kubernetes.io/managed-by': 'endpoint-controller',
      };
      if (!existing) {
        this.store.create(
          T.endpoints,
          ns,
          { metadata: { name: svc.metadata.name, labels }, subsets },
          INTERNAL,
        );
      } else if (canonical(existing.subsets ?? []) !== canonical(subsets)) {
        this.store.modify(
          T.endpoints,
          ns,
          svc.metadata.name,
          (o) => {
            o.subsets = subsets;
            if (!subsets.length) delete o.subsets;
            return o;
          },
          INTERNAL,
        );
      }
    }
  }
}
