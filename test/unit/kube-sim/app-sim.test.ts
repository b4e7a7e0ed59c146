import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KObj, type KubeSim, startKubeSim } from '../../support/kube-sim/index.js';
import { deploymentManifest, fetchJson } from './helpers.js';

let sim: KubeSim;
const ns = 'apps';

function deploy(name: string, image: string, track: string, replicas = 2): KObj {
  const d = deploymentManifest(name, image, replicas);
  d.spec.selector.matchLabels = { app: name };
  d.spec.template.metadata.labels = { app: name, svc: 'shop', track };
  return sim.create('deployments', ns, d);
}

beforeAll(async () => {
  sim = await startKubeSim({ namespace: ns, podReadyDelayMs: 100, clockSpeed: 10, seed: 7 });
  sim.setImageBehaviour('shop:bad', {
    health: 'degraded',
    errorRate: 0.5,
    errorCode: 503,
    latency: { p50Ms: 900, p99Ms: 3000 },
  });
  deploy('shop', 'shop:good', 'stable', 3);
  deploy('shop-canary', 'shop:bad', 'canary', 1);
  sim.create('services', ns, {
    metadata: { name: 'shop' },
    spec: { selector: { app: 'shop' }, ports: [{ port: 80 }] },
  });
  sim.create('services', ns, {
    metadata: { name: 'shop-canary' },
    spec: { selector: { app: 'shop-canary' }, ports: [{ port: 80 }] },
  });
  const rule = (svc: string) => [
    {
      host: 'shop.test',
      http: {
        paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: svc, port: { number: 80 } } } }],
      },
    },
  ];
  sim.create('ingresses', ns, { metadata: { name: 'shop' }, spec: { rules: rule('shop') } });
  sim.create('ingresses', ns, {
    metadata: {
      name: 'shop-canary',
      annotations: {
        'nginx.ingress.kubernetes.io/canary': 'true',
        'nginx.ingress.kubernetes.io/canary-weight': '20',
        'nginx.ingress.kubernetes.io/canary-by-header': 'X-Canary',
      },
    },
    spec: { rules: rule('shop-canary') },
  });
  sim.create('httproutes', ns, {
    metadata: { name: 'shop' },
    spec: {
      rules: [
        {
          backendRefs: [
            { name: 'shop', port: 80, weight: 70 },
            { name: 'shop-canary', port: 80, weight: 30 },
          ],
        },
      ],
    },
  });
  await sim.waitForRollout(ns, 'shop');
  await sim.waitForRollout(ns, 'shop-canary');
});
afterAll(() => sim.stop());

describe('simulated applications', () => {
  it("serves /health, /ready and /live in the deployment guide's JSON per image", async () => {
    const [good] = sim.list('pods', ns, { labelSelector: 'app=shop' });
    const [bad] = sim.list('pods', ns, { labelSelector: 'app=shop-canary' });
    const health = await fetchJson(`${sim.podUrl(ns, good!.metadata.name)}/health`);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'healthy', checks: { database: { status: 'connected' } } });
    expect(typeof health.body.uptime).toBe('number');
    expect((await fetchJson(`${sim.podUrl(ns, good!.metadata.name)}/ready`)).body).toMatchObject({
      ready: true,
    });
    expect((await fetchJson(`${sim.podUrl(ns, good!.metadata.name)}/live`)).body).toMatchObject({
      alive: true,
    });
    const degraded = await fetchJson(`${sim.podUrl(ns, bad!.metadata.name)}/health`);
    expect(degraded.body.status).toBe('degraded');
    expect(degraded.body.checks.database.status).toBe('disconnected');

    sim.setImageBehaviour('shop:bad', { health: 'unhealthy' });
    const unhealthy = await fetchJson(`${sim.podUrl(ns, bad!.metadata.name)}/health`);
    expect(unhealthy.status).toBe(503);
    expect(unhealthy.body.status).toBe('unhealthy');
    sim.setImageBehaviour('shop:bad', {
      health: 'degraded',
      errorRate: 0.5,
      errorCode: 503,
      latency: { p50Ms: 900, p99Ms: 3000 },
    });
  });

  it('routes by NGINX canary weight and header, and by HTTPRoute weights', () => {
    const viaIngress = sim.traffic.generate({ namespace: ns, ingress: 'shop' }, 2000);
    const canaryShare = (viaIngress.byTrack.canary ?? 0) / viaIngress.total;
    expect(canaryShare).toBeGreaterThan(0.15);
    expect(canaryShare).toBeLessThan(0.25);
    expect(Object.keys(viaIngress.byPod)).toHaveLength(4);
    const forced = sim.traffic.generate(
      { namespace: ns, ingress: 'shop', headers: { 'X-Canary': 'always' } },
      50,
    );
    expect(forced.byTrack).toEqual({ canary: 50 });
    const viaRoute = sim.traffic.generate({ namespace: ns, httpRoute: 'shop' }, 2000);
    const routeShare = (viaRoute.byTrack.canary ?? 0) / viaRoute.total;
    expect(routeShare).toBeGreaterThan(0.25);
    expect(routeShare).toBeLessThan(0.35);
  });

  it('exposes Prometheus metrics with per-track error codes and a latency histogram', async () => {
    sim.traffic.reset();
    sim.traffic.generate({ namespace: ns, service: 'shop' }, 300);
    sim.traffic.generate({ namespace: ns, service: 'shop-canary' }, 300);
    const response = await fetch(sim.metricsUrl);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('# TYPE http_requests_total counter');
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    const sum = (re: RegExp) =>
      text
        .split('\n')
        .filter((l) => re.test(l))
        .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
    expect(sum(/^http_requests_total\{.*track="stable".*code="200"/)).toBe(300);
    const canaryErrors = sum(/^http_requests_total\{.*track="canary".*code="503"/);
    expect(canaryErrors).toBeGreaterThan(100);
    expect(canaryErrors).toBeLessThan(200);
    expect(text).toMatch(
      /http_request_duration_seconds_bucket\{namespace="apps",deployment="shop-canary",track="canary",pod="shop-canary-\w+-\w+",le="\+Inf"\} 300/,
    );
    const fastStable = sum(/^http_request_duration_seconds_bucket\{.*track="stable".*le="0.1"/);
    const fastCanary = sum(/^http_request_duration_seconds_bucket\{.*track="canary".*le="0.1"/);
    expect(fastStable).toBeGreaterThan(280);
    expect(fastCanary).toBeLessThan(20);
  });

  it('serves real HTTP requests through a Service and counts them', async () => {
    sim.traffic.reset();
    const r = await fetch(`${sim.appUrl}/services/${ns}/shop/api/orders`);
    expect(r.status).toBe(200);
    expect(r.headers.get('x-pod')).toMatch(/^shop-/);
    expect(sim.traffic.metricsText()).toMatch(
      /http_requests_total\{namespace="apps",deployment="shop",track="stable",pod="shop-\w+-\w+",code="200"\} 1/,
    );
    const steady = sim.traffic.start({ namespace: ns, service: 'shop' }, 100);
    await new Promise((res) => setTimeout(res, 300));
    steady.stop();
    expect(steady.summary.total).toBeGreaterThan(100);
  });
});
