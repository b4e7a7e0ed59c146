import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { BehaviourRegistry, ResolvedBehaviour } from './behaviour.js';
import type { SimClock } from './clock.js';
import { type KObj, T } from './resources.js';
import { labelSelectorMatcher } from './selectors.js';
import type { Store } from './store.js';

/**
 * The simulated applications inside the pods, over real loopback HTTP on one port:
 *
 * - `GET /pods/{ns}/{pod}/health|ready|live` answer with the deployment guide's JSON shapes
 *   (seed 002), by the pod's state and its image's behaviour; any other path under the pod is
 *   an application request (status and latency from the behaviour), counted in the metrics.
 * - `/services/{ns}/{svc}/…`, `/ingresses/{ns}/{name}/…`, `/httproutes/{ns}/{name}/…` route a
 *   request as the cluster would: over the Service's ready endpoints, with NGINX canary-ingress
 *   weights (`canary-weight`, `canary-by-header`), with HTTPRoute backendRef weights.
 * - `GET /metrics` is Prometheus text: `http_requests_total{namespace,deployment,track,pod,code}`
 *   and the `http_request_duration_seconds` histogram, for a real Prometheus to scrape.
 * - `generate()` / `startTraffic()` send simulated requests through the same routing without
 *   HTTP, at any rate on the simulated clock (latency is sampled, not waited for).
 */

export interface TrafficTarget {
  namespace: string;
  service?: string;
  ingress?: string;
  httpRoute?: string;
  path?: string;
  headers?: Record<string, string>;
}

export interface TrafficSummary {
  total: number;
  unroutable: number;
  byPod: Record<string, number>;
  byTrack: Record<string, number>;
  byCode: Record<string, number>;
}

export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Series {
  labels: { namespace: string; deployment: string; track: string; pod: string };
  codes: Map<string, number>;
  buckets: number[];
  sum: number;
  count: number;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function podReady(pod: KObj): boolean {
  return (pod.status?.conditions ?? []).some((c: KObj) => c.type === 'Ready' && c.status === 'True');
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

export class AppSim {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly series = new Map<string, Series>();
  private readonly rng: () => number;
  private readonly generators = new Set<NodeJS.Timeout>();
  private unroutable = 0;
  url = '';

  private readonly store: Store;
  private readonly clock: SimClock;
  private readonly behaviours: BehaviourRegistry;

  constructor(store: Store, clock: SimClock, behaviours: BehaviourRegistry, seed = 42) {
    this.store = store;
    this.clock = clock;
    this.behaviours = behaviours;
    this.rng = mulberry32(seed);
  }

  async start(port = 0): Promise<string> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error) => {
        if (!res.headersSent) sendJson(res, 500, { error: String(error) });
      });
    });
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const t of this.generators) clearInterval(t);
    this.generators.clear();
    if (!this.server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  podUrl(namespace: string, pod: string): string {
    return `${this.url}/pods/${namespace}/${pod}`;
  }

  get metricsUrl(): string {
    return `${this.url}/metrics`;
  }

  // ------------------------------------------------------------------------------------------
  // Pods and routing

  private deploymentOf(pod: KObj): string {
    const ref = (pod.metadata.ownerReferences ?? []).find((r: KObj) => r.controller);
    if (!ref) return '';
    if (ref.kind !== 'ReplicaSet') return ref.name;
    const rs = this.store.peekOne(T.replicasets, pod.metadata.namespace, ref.name);
    const owner = (rs?.metadata.ownerReferences ?? []).find(
      (r: KObj) => r.controller && r.kind === 'Deployment',
    );
    return owner?.name ?? '';
  }

  private trackOf(pod: KObj, deployment: string): string {
    const labels = pod.metadata.labels ?? {};
    return (
      labels.track ?? labels['app.kubernetes.io/track'] ?? (/-canary$/.test(deployment) ? 'canary' : 'stable')
    );
  }

  private readyPods(namespace: string, service: string): KObj[] {
    const svc = this.store.peekOne(T.services, namespace, service);
    if (!svc?.spec?.selector) return [];
    const match = labelSelectorMatcher({ matchLabels: svc.spec.selector });
    return this.store
      .peek(T.pods, namespace)
      .filter((p) => match(p.metadata.labels) && podReady(p) && !p.metadata.deletionTimestamp);
  }

  private pick<V>(items: V[]): V | undefined {
    if (!items.length) return undefined;
    return items[Math.floor(this.rng() * items.length)];
  }

  private weighted<V>(items: { value: V; weight: number }[]): V | undefined {
    const total = items.reduce((n, i) => n + Math.max(0, i.weight), 0);
    if (total <= 0) return undefined;
    let r = this.rng() * total;
    for (const item of items) {
      r -= Math.max(0, item.weight);
      if (r < 0) return item.value;
    }
    return items[items.length - 1]?.value;
  }

  private ingressService(ing: KObj, path: string): string | undefined {
    for (const rule of ing.spec?.rules ?? []) {
      for (const p of rule.http?.paths ?? []) {
        if (path.startsWith(p.path ?? '/')) return p.backend?.service?.name;
      }
    }
    return ing.spec?.defaultBackend?.service?.name;
  }

  /** The Service an Ingress sends this request to, canary ingresses for the same host included. */
  private routeIngress(
    namespace: string,
    name: string,
    path: string,
    headers: Record<string, string>,
  ): string | undefined {
    const main = this.store.peekOne(T.ingresses, namespace, name);
    if (!main) return undefined;
    const hosts = new Set((main.spec?.rules ?? []).map((r: KObj) => r.host ?? ''));
    const canaries = this.store
      .peek(T.ingresses, namespace)
      .filter(
        (i) =>
          i !== main &&
          i.metadata.annotations?.['nginx.ingress.kubernetes.io/canary'] === 'true' &&
          (i.spec?.rules ?? []).some((r: KObj) => hosts.has(r.host ?? '')),
      );
    for (const canary of canaries) {
      const a = canary.metadata.annotations ?? {};
      const header = a['nginx.ingress.kubernetes.io/canary-by-header'];
      if (header) {
        const value = headers[header.toLowerCase()];
        const wanted = a['nginx.ingress.kubernetes.io/canary-by-header-value'];
        if (wanted ? value === wanted : value === 'always') return this.ingressService(canary, path);
        if (!wanted && value === 'never') continue;
      }
      const weight = Number(a['nginx.ingress.kubernetes.io/canary-weight'] ?? 0);
      const total = Number(a['nginx.ingress.kubernetes.io/canary-weight-total'] ?? 100);
      if (weight > 0 && this.rng() * total < weight) return this.ingressService(canary, path);
    }
    return this.ingressService(main, path);
  }

  private routeHttpRoute(
    namespace: string,
    name: string,
    path: string,
  ): { ns: string; service: string } | undefined {
    const route = this.store.peekOne(T.httproutes, namespace, name);
    if (!route) return undefined;
    const rules: KObj[] = route.spec?.rules ?? [];
    const rule =
      rules.find((r) =>
        (r.matches ?? [{ path: { type: 'PathPrefix', value: '/' } }]).some((m: KObj) => {
          const v = m.path?.value ?? '/';
          return m.path?.type === 'Exact' ? path === v : path.startsWith(v);
        }),
      ) ?? rules[0];
    const refs: KObj[] = (rule?.backendRefs ?? []).filter((b: KObj) => (b.kind ?? 'Service') === 'Service');
    const chosen = this.weighted(refs.map((b) => ({ value: b, weight: b.weight ?? 1 })));
    return chosen ? { ns: chosen.namespace ?? namespace, service: chosen.name } : undefined;
  }

  /** The pod a request to `target` lands on, or undefined when nothing is ready to serve it. */
  route(target: TrafficTarget): KObj | undefined {
    const path = target.path ?? '/';
    const headers = Object.fromEntries(
      Object.entries(target.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
    );
    let ns = target.namespace;
    let service = target.service;
    if (target.ingress) service = this.routeIngress(ns, target.ingress, path, headers);
    else if (target.httpRoute) {
      const r = this.routeHttpRoute(ns, target.httpRoute, path);
      ns = r?.ns ?? ns;
      service = r?.service;
    }
    if (!service) return undefined;
    return this.pick(this.readyPods(ns, service));
  }

  // ------------------------------------------------------------------------------------------
  // Requests and metrics

  private sampleLatencySeconds(b: ResolvedBehaviour): number {
    const { p50Ms, p99Ms } = b.latency;
    const sigma = p99Ms > p50Ms ? Math.log(p99Ms / p50Ms) / 2.326 : 0;
    const u1 = Math.max(this.rng(), 1e-12);
    const u2 = this.rng();
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    return (p50Ms * Math.exp(sigma * z)) / 1000;
  }

  /** Serve one application request on `pod`: its status code and latency, recorded in metrics. */
  serveRequest(pod: KObj): { code: number; seconds: number } {
    const b = this.behaviours.forPod(pod);
    const code = this.rng() < b.errorRate ? b.errorCode : 200;
    const seconds = this.sampleLatencySeconds(b);
    this.record(pod, code, seconds);
    return { code, seconds };
  }

  private record(pod: KObj, code: number, seconds: number): void {
    const deployment = this.deploymentOf(pod);
    const labels = {
      namespace: pod.metadata.namespace,
      deployment,
      track: this.trackOf(pod, deployment),
      pod: pod.metadata.name,
    };
    const key = `${labels.namespace}/${labels.pod}`;
    let s = this.series.get(key);
    if (!s) {
      s = { labels, codes: new Map(), buckets: LATENCY_BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    s.codes.set(String(code), (s.codes.get(String(code)) ?? 0) + 1);
    LATENCY_BUCKETS.forEach((le, i) => {
      if (seconds <= le) s.buckets[i]! += 1;
    });
    s.sum += seconds;
    s.count += 1;
  }

  /** Send `count` simulated requests to `target` (no HTTP, no waiting). */
  generate(target: TrafficTarget, count: number): TrafficSummary {
    const summary: TrafficSummary = { total: 0, unroutable: 0, byPod: {}, byTrack: {}, byCode: {} };
    for (let i = 0; i < count; i++) {
      summary.total++;
      const pod = this.route(target);
      if (!pod) {
        summary.unroutable++;
        this.unroutable++;
        summary.byCode['503'] = (summary.byCode['503'] ?? 0) + 1;
        continue;
      }
      const { code } = this.serveRequest(pod);
      const track = this.trackOf(pod, this.deploymentOf(pod));
      summary.byPod[pod.metadata.name] = (summary.byPod[pod.metadata.name] ?? 0) + 1;
      summary.byTrack[track] = (summary.byTrack[track] ?? 0) + 1;
      summary.byCode[String(code)] = (summary.byCode[String(code)] ?? 0) + 1;
    }
    return summary;
  }

  /** Steady simulated traffic at `rps` requests per simulated second until stopped. */
  startTraffic(target: TrafficTarget, rps: number): { stop: () => void; summary: TrafficSummary } {
    const summary: TrafficSummary = { total: 0, unroutable: 0, byPod: {}, byTrack: {}, byCode: {} };
    const tickMs = 100;
    let carry = 0;
    const timer = setInterval(() => {
      carry += (rps * tickMs * this.clock.speed) / 1000;
      const n = Math.floor(carry);
      carry -= n;
      const s = this.generate(target, n);
      summary.total += s.total;
      summary.unroutable += s.unroutable;
      for (const [field, from] of [
        ['byPod', s.byPod],
        ['byTrack', s.byTrack],
        ['byCode', s.byCode],
      ] as const) {
        const into = summary[field];
        for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
      }
    }, tickMs);
    timer.unref();
    this.generators.add(timer);
    return {
      summary,
      stop: () => {
        clearInterval(timer);
        this.generators.delete(timer);
      },
    };
  }

  resetMetrics(): void {
    this.series.clear();
    this.unroutable = 0;
  }

  /** Prometheus text exposition format 0.0.4; `filter` narrows to some pods. */
  metricsText(filter?: (labels: Series['labels']) => boolean): string {
    const lines: string[] = [];
    const all = [...this.series.values()].filter((s) => !filter || filter(s.labels));
    const lbl = (l: Series['labels'], extra = '') =>
      `namespace="${escapeLabel(l.namespace)}",deployment="${escapeLabel(l.deployment)}",track="${escapeLabel(l.track)}",pod="${escapeLabel(l.pod)}"${extra}`;
    lines.push('# HELP http_requests_total Total HTTP requests served by the simulated application.');
    lines.push('# TYPE http_requests_total counter');
    for (const s of all) {
      for (const [code, n] of [...s.codes].sort())
        lines.push(`http_requests_total{${lbl(s.labels, `,code="${code}"`)}} ${n}`);
    }
    lines.push('# HELP http_request_duration_seconds HTTP request latency of the simulated application.');
    lines.push('# TYPE http_request_duration_seconds histogram');
    for (const s of all) {
      LATENCY_BUCKETS.forEach((le, i) => {
        lines.push(`http_request_duration_seconds_bucket{${lbl(s.labels, `,le="${le}"`)}} ${s.buckets[i]}`);
      });
      lines.push(`http_request_duration_seconds_bucket{${lbl(s.labels, ',le="+Inf"')}} ${s.count}`);
      lines.push(`http_request_duration_seconds_sum{${lbl(s.labels)}} ${s.sum}`);
      lines.push(`http_request_duration_seconds_count{${lbl(s.labels)}} ${s.count}`);
    }
    lines.push('# HELP kube_sim_unroutable_requests_total Simulated requests that found no ready pod.');
    lines.push('# TYPE kube_sim_unroutable_requests_total counter');
    lines.push(`kube_sim_unroutable_requests_total ${this.unroutable}`);
    return `${lines.join('\n')}\n`;
  }

  // ------------------------------------------------------------------------------------------
  // HTTP

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://app-sim');
    const segments = url.pathname
      .split('/')
      .filter((s) => s !== '')
      .map(decodeURIComponent);
    if (url.pathname === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(this.metricsText());
      return;
    }
    const [kind, ns, name, ...rest] = segments;
    const path = `/${rest.join('/')}`;
    if (!kind || !ns || !name) {
      sendJson(res, 404, {
        error: 'use /pods/{ns}/{pod}/…, /services/{ns}/{svc}/…, /ingresses/…, /httproutes/… or /metrics',
      });
      return;
    }
    let pod: KObj | undefined;
    if (kind === 'pods') {
      pod = this.store.peekOne(T.pods, ns, name);
      if (!pod) {
        sendJson(res, 404, { error: `pod ${ns}/${name} not found` });
        return;
      }
      if (path === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
        res.end(this.metricsText((l) => l.namespace === ns && l.pod === name));
        return;
      }
    } else {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      const target: TrafficTarget = { namespace: ns, path, headers };
      if (kind === 'services') target.service = name;
      else if (kind === 'ingresses') target.ingress = name;
      else if (kind === 'httproutes') target.httpRoute = name;
      else {
        sendJson(res, 404, { error: `unknown route kind ${kind}` });
        return;
      }
      pod = this.route(target);
      if (!pod) {
        this.unroutable++;
        sendJson(res, 503, { error: 'no ready endpoints' });
        return;
      }
    }
    this.servePod(pod, path, res);
  }

  private servePod(pod: KObj, path: string, res: ServerResponse): void {
    const running =
      pod.status?.phase === 'Running' &&
      !(pod.status?.containerStatuses ?? []).some((s: KObj) => s.state?.waiting);
    if (!running) {
      sendJson(res, 502, { error: `pod ${pod.metadata.name} is not running` });
      return;
    }
    const b = this.behaviours.forPod(pod);
    const timestamp = new Date(this.clock.now()).toISOString();
    const started = Date.parse(pod.status?.startTime ?? '') || this.clock.now();
    const uptime = Math.max(0, Math.floor((this.clock.now() - started) / 1000));
    res.setHeader('x-pod', pod.metadata.name);
    if (path === '/health') {
      const database =
        b.health === 'healthy' ? 'connected' : b.health === 'degraded' ? 'disconnected' : 'error';
      sendJson(res, b.health === 'unhealthy' ? 503 : 200, {
        status: b.health,
        timestamp,
        uptime,
        checks: {
          database: { status: database, responseTime: Math.round(b.latency.p50Ms) },
          memory: { used: 128, total: 512, percentage: 25 },
        },
        environment: 'production',
      });
      return;
    }
    if (path === '/ready') {
      const ready = podReady(pod) && b.ready && b.health !== 'unhealthy';
      sendJson(res, ready ? 200 : 503, {
        ready,
        timestamp,
        checks: { database: b.health !== 'unhealthy' && b.health !== 'degraded', server: ready },
      });
      return;
    }
    if (path === '/live') {
      sendJson(res, 200, { alive: true, timestamp, uptime });
      return;
    }
    const { code, seconds } = this.serveRequest(pod);
    const reply = () =>
      sendJson(res, code, code < 400 ? { ok: true, pod: pod.metadata.name } : { error: `simulated ${code}` });
    const wait = this.clock.realMs(seconds * 1000);
    if (wait < 1) reply();
    else setTimeout(reply, wait).unref();
  }
}
