import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppSim, type TrafficSummary, type TrafficTarget } from './app-sim.js';
import { BehaviourRegistry, type ImageBehaviour, type ResolvedBehaviour } from './behaviour.js';
import { SimClock } from './clock.js';
import { Controllers } from './controller.js';
import { Faults } from './faults.js';
import { writeKubeconfig } from './kubeconfig.js';
import { type KObj, RESOURCE_TYPES, type ResourceType, T } from './resources.js';
import { type RequestRecord, Router } from './router.js';
import { ApiError } from './status.js';
import { type ListOptions, Store } from './store.js';
import { setTableClock } from './table.js';
import { generateTlsMaterial } from './tls.js';
import { WatchHub } from './watch.js';

/**
 * `startKubeSim()`: a Kubernetes API simulator on a free 127.0.0.1 port, with a kubeconfig
 * that `@kubernetes/client-node` and kubectl load as they would a real one. See README.md for
 * what it implements and what it does not.
 */

export type { TrafficSummary, TrafficTarget } from './app-sim.js';
export type { HealthState, ImageBehaviour, LatencyProfile } from './behaviour.js';
export { BEHAVIOUR_ANNOTATION } from './behaviour.js';
export type { FaultHandle, FaultRule, Verb } from './faults.js';
export type { KObj } from './resources.js';
export type { RequestRecord } from './router.js';

export interface KubeSimOptions {
  /** Port for the API server (default: a free one). */
  port?: number;
  /** Bearer token the API server accepts (default: random). */
  token?: string;
  /** Namespace created at start and set in the kubeconfig context (default `default`). */
  namespace?: string;
  /** Simulated ms per real ms (default 1). 60 makes a 10-minute progress deadline take 10 s. */
  clockSpeed?: number;
  /** Simulated ms from container start to Ready, unless an image behaviour says otherwise (default 500). */
  podReadyDelayMs?: number;
  /** Simulated ms from pod creation to running containers (default 100). */
  podStartDelayMs?: number;
  /** Simulated ms between crash-loop restarts (default 10 000). */
  crashLoopIntervalMs?: number;
  /** Simulated ms between watch BOOKMARK events when asked for (default 5 000). */
  bookmarkIntervalMs?: number;
  /** Watch events kept; older resourceVersions get 410 Gone (default 20 000). */
  historySize?: number;
  /** Write core/v1 Events from the controllers (default true). */
  events?: boolean;
  /** The behaviour of images no rule names (defaults: healthy, ready, no errors, ~20 ms). */
  defaultBehaviour?: ImageBehaviour;
  /** Where to write the kubeconfig (default: a new temporary directory). */
  kubeconfigPath?: string;
  /** Seed of the traffic simulation's random numbers. */
  seed?: number;
  /**
   * Serve the API over https with a throwaway CA (made with `openssl`) whose certificate the
   * kubeconfig carries as `certificate-authority-data` — what kubectl needs to send its token.
   * Default false: plain http with `insecure-skip-tls-verify`.
   */
  tls?: boolean;
  /** Port of the simulated applications and `/metrics` (default: a free one). */
  appPort?: number;
}

export type KindName = string;

export interface KubeSim {
  /** API server base URL (`http://127.0.0.1:PORT`, or `https://` with `tls: true`). */
  url: string;
  /** With `tls: true`: PEM of the CA that signed the server certificate (also in the kubeconfig). */
  caCert?: string;
  kubeconfigPath: string;
  token: string;
  namespace: string;
  clock: SimClock;
  /** Simulated applications: `/pods/{ns}/{pod}/health`, `/services/…`, `/metrics`. */
  appUrl: string;
  metricsUrl: string;
  podUrl(namespace: string, pod: string): string;
  faults: Faults;

  createNamespace(name: string, labels?: Record<string, string>): KObj;
  deleteNamespace(name: string): void;

  /** How pods running `image` (exact, `*` glob or RegExp) behave; applies to running pods too. */
  setImageBehaviour(image: string | RegExp, behaviour: ImageBehaviour): void;
  clearImageBehaviours(): void;

  traffic: {
    generate(target: TrafficTarget, count: number): TrafficSummary;
    start(target: TrafficTarget, rps: number): { stop: () => void; summary: TrafficSummary };
    route(target: TrafficTarget): KObj | undefined;
    metricsText(): string;
    reset(): void;
  };

  /** Store inspection, bypassing HTTP, auth and faults. */
  get(kind: KindName, namespace: string, name: string): KObj | undefined;
  list(kind: KindName, namespace?: string, options?: ListOptions): KObj[];
  /** Write directly (as a controller would), e.g. to stage a state. */
  create(kind: KindName, namespace: string, obj: KObj): KObj;
  resourceVersion(): number;
  /** Requests the API server answered, oldest first. */
  requests: RequestRecord[];
  /** Forget watch history: watches from any earlier resourceVersion get 410. */
  compact(): void;
  /** Cut every open watch stream. */
  dropWatches(): number;
  openWatches(): number;
  /** Resolves when `predicate` holds (checked on every change), or rejects after `timeoutMs` real ms. */
  waitFor(predicate: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  /** Resolves when the Deployment's rollout is complete (what `kubectl rollout status` waits for). */
  waitForRollout(namespace: string, name: string, timeoutMs?: number): Promise<KObj>;
  /** `kubectl rollout undo`: the template of `toRevision` (default: the previous one) back on the Deployment. */
  rollback(namespace: string, name: string, toRevision?: number): KObj;
  stop(): Promise<void>;
}

export function resolveKind(kind: KindName): ResourceType {
  const k = kind.toLowerCase();
  const type = RESOURCE_TYPES.find(
    (t) =>
      t.plural === k || t.singular === k || t.kind.toLowerCase() === k || (t.shortNames ?? []).includes(k),
  );
  if (!type) throw new Error(`kube-sim: unknown kind ${kind}`);
  return type;
}

/** Rollout complete by the rules `kubectl rollout status` applies. */
export function rolloutComplete(d: KObj | undefined): boolean {
  if (!d) return false;
  const s = d.status ?? {};
  const desired = d.spec?.replicas ?? 1;
  return (
    (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) &&
    (s.updatedReplicas ?? 0) === desired &&
    (s.replicas ?? 0) === desired &&
    (s.availableReplicas ?? 0) === desired
  );
}

export async function startKubeSim(options: KubeSimOptions = {}): Promise<KubeSim> {
  // First, so that a missing openssl leaves no clock or controller running.
  const tls = options.tls ? await generateTlsMaterial() : undefined;
  const clock = new SimClock(options.clockSpeed ?? 1);
  setTableClock(() => clock.now());
  const token = options.token ?? randomBytes(24).toString('hex');
  const namespace = options.namespace ?? 'default';
  const store = new Store(clock, { historySize: options.historySize ?? 20_000 });
  const defaults: ResolvedBehaviour = {
    readyDelayMs: options.podReadyDelayMs ?? 500,
    neverReady: false,
    crashLoop: false,
    pullError: false,
    health: 'healthy',
    ready: true,
    errorRate: 0,
    errorCode: 500,
    latency: { p50Ms: 20, p99Ms: 80 },
    ...(options.defaultBehaviour ?? {}),
  };
  const behaviours = new BehaviourRegistry(defaults);
  const controllers = new Controllers(store, clock, behaviours, {
    podStartDelayMs: options.podStartDelayMs ?? 100,
    crashLoopIntervalMs: options.crashLoopIntervalMs ?? 10_000,
    events: options.events ?? true,
  });
  const faults = new Faults();
  const watches = new WatchHub(store, clock, options.bookmarkIntervalMs ?? 5000);
  faults.dropWatchesHook = () => watches.dropAll();
  const router = new Router({ store, watches, faults, token });
  const appSim = new AppSim(store, clock, behaviours, options.seed);

  const sockets = new Set<Socket>();
  const server: Server = tls
    ? createHttpsServer({ key: tls.key, cert: tls.cert }, router.handle)
    : createServer(router.handle);
  server.keepAliveTimeout = 60_000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    await appSim.start(options.appPort ?? 0);
  } catch (error) {
    // A port in use, say: leave nothing running behind the error.
    controllers.stop();
    clock.stop();
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    await appSim.stop().catch(() => undefined);
    throw error;
  }
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;

  if (!store.tryGet(T.namespaces, '', namespace)) {
    store.create(T.namespaces, '', { metadata: { name: namespace } }, { manager: 'kube-sim' });
  }
  const tempDir = options.kubeconfigPath ? undefined : mkdtempSync(join(tmpdir(), 'kube-sim-'));
  const kubeconfigPath = writeKubeconfig(options.kubeconfigPath ?? join(tempDir!, 'kubeconfig'), {
    server: url,
    token,
    namespace,
    caCert: tls?.caCert,
  });

  const waitFor = (predicate: () => boolean, timeoutMs = 30_000, what = 'condition'): Promise<void> =>
    new Promise((resolve, reject) => {
      if (predicate()) {
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        unsubscribe();
        reject(new Error(`kube-sim: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      // Checked at most once per turn of the event loop, however many changes it brought.
      let pending = false;
      const unsubscribe = store.subscribe(() => {
        if (pending) return;
        pending = true;
        setImmediate(() => {
          pending = false;
          let ok = false;
          try {
            ok = predicate();
          } catch {
            ok = false;
          }
          if (ok) {
            clearTimeout(timer);
            unsubscribe();
            resolve();
          }
        });
      });
    });

  let stopped = false;
  const sim: KubeSim = {
    url,
    ...(tls ? { caCert: tls.caCert } : {}),
    kubeconfigPath,
    token,
    namespace,
    clock,
    appUrl: appSim.url,
    metricsUrl: appSim.metricsUrl,
    podUrl: (ns, pod) => appSim.podUrl(ns, pod),
    faults,
    createNamespace(name, labels) {
      const existing = store.tryGet(T.namespaces, '', name);
      if (existing) return existing;
      return store.create(T.namespaces, '', { metadata: { name, labels } }, { manager: 'kube-sim' });
    },
    deleteNamespace(name) {
      try {
        store.delete(T.namespaces, '', name);
      } catch (error) {
        if (!(error instanceof ApiError && error.code === 404)) throw error;
      }
    },
    setImageBehaviour: (image, behaviour) => behaviours.set(image, behaviour),
    clearImageBehaviours: () => behaviours.clear(),
    traffic: {
      generate: (target, count) => appSim.generate(target, count),
      start: (target, rps) => appSim.startTraffic(target, rps),
      route: (target) => appSim.route(target),
      metricsText: () => appSim.metricsText(),
      reset: () => appSim.resetMetrics(),
    },
    get: (kind, ns, name) => store.tryGet(resolveKind(kind), ns, name),
    list: (kind, ns, listOptions) => store.list(resolveKind(kind), ns, listOptions),
    create: (kind, ns, obj) => store.create(resolveKind(kind), ns, obj, { manager: 'kube-sim' }),
    resourceVersion: () => store.resourceVersion,
    requests: router.requests,
    compact: () => store.compact(),
    dropWatches: () => watches.dropAll(),
    openWatches: () => watches.count,
    waitFor,
    async waitForRollout(ns, name, timeoutMs = 30_000) {
      await waitFor(
        () => rolloutComplete(store.peekOne(T.deployments, ns, name)),
        timeoutMs,
        `rollout of ${ns}/${name}`,
      );
      return store.get(T.deployments, ns, name);
    },
    rollback(ns, name, toRevision) {
      const d = store.get(T.deployments, ns, name);
      const owned = store
        .list(T.replicasets, ns)
        .filter((rs) => (rs.metadata.ownerReferences ?? []).some((r: KObj) => r.uid === d.metadata.uid))
        .sort(
          (a, b) =>
            Number(b.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0) -
            Number(a.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0),
        );
      const current = Number(d.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
      const target = toRevision
        ? owned.find(
            (rs) => Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision']) === toRevision,
          )
        : owned.find(
            (rs) => Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0) < current,
          );
      if (!target)
        throw new Error(`kube-sim: no revision ${toRevision ?? 'before the current one'} for ${ns}/${name}`);
      const template = structuredClone(target.spec.template);
      delete template.metadata?.labels?.['pod-template-hash'];
      return store.modify(T.deployments, ns, name, (o) => ({ ...o, spec: { ...o.spec, template } }), {
        manager: 'kubectl-rollout',
      });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      faults.clear();
      watches.dropAll();
      controllers.stop();
      clock.stop();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await appSim.stop();
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    },
  };
  return sim;
}
