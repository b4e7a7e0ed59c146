import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KObj, type KubeSim, startKubeSim } from '../../support/kube-sim/index.js';
import { apiError, clients, eventually, fetchJson, PatchStrategy, patchAs } from './helpers.js';

let sim: KubeSim;
let c: ReturnType<typeof clients>;
const ns = 'api';

beforeAll(async () => {
  sim = await startKubeSim({ namespace: ns, podReadyDelayMs: 50, clockSpeed: 10, bookmarkIntervalMs: 200 });
  c = clients(sim.kubeconfigPath);
});
afterAll(() => sim.stop());

const auth = () => ({ authorization: `Bearer ${sim.token}` });

function watchLines(path: string, until: (events: KObj[]) => boolean, timeoutMs = 5000): Promise<KObj[]> {
  return new Promise((resolve, reject) => {
    const events: KObj[] = [];
    const controller = new AbortController();
    const timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`watch timed out with ${JSON.stringify(events.map((e) => e.type))}`));
    }, timeoutMs);
    fetch(`${sim.url}${path}`, { headers: auth(), signal: controller.signal })
      .then(async (response) => {
        const decoder = new TextDecoder();
        let buffer = '';
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let i = buffer.indexOf('\n');
          while (i >= 0) {
            events.push(JSON.parse(buffer.slice(0, i)) as KObj);
            buffer = buffer.slice(i + 1);
            i = buffer.indexOf('\n');
          }
          if (until(events)) {
            clearTimeout(timer);
            controller.abort();
            resolve(events);
            return;
          }
        }
        clearTimeout(timer);
        resolve(events);
      })
      .catch((error) => {
        if ((error as Error).name !== 'AbortError') reject(error);
      });
  });
}

describe('REST basics', () => {
  it('requires the bearer token (401 Status) but serves /version and discovery to kubectl', async () => {
    const anonymous = await fetchJson(`${sim.url}/api/v1/namespaces`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    expect((await fetchJson(`${sim.url}/version`)).body.major).toBe('1');
    const apps = await fetchJson(`${sim.url}/apis/apps/v1`, { headers: auth() });
    expect(apps.body.resources.map((r: KObj) => r.name)).toEqual(
      expect.arrayContaining(['deployments', 'deployments/status', 'deployments/scale', 'replicasets']),
    );
    const groups = await fetchJson(`${sim.url}/apis`, { headers: auth() });
    expect(groups.body.groups.map((g: KObj) => g.name)).toEqual(
      expect.arrayContaining(['apps', 'networking.k8s.io', 'gateway.networking.k8s.io', 'autoscaling']),
    );
  });

  it('creates, lists with selectors and pages, replaces and deletes every supported kind', async () => {
    const base = `${sim.url}`;
    const bodies: [string, KObj][] = [
      [
        '/api/v1/namespaces/api/configmaps',
        { metadata: { name: 'cm1', labels: { a: '1' } }, data: { k: 'v' } },
      ],
      [
        '/api/v1/namespaces/api/configmaps',
        { metadata: { name: 'cm2', labels: { a: '2' } }, data: { k: 'v' } },
      ],
      ['/api/v1/namespaces/api/secrets', { metadata: { name: 's1' }, stringData: { password: 'x' } }],
      [
        '/api/v1/namespaces/api/services',
        { metadata: { name: 'svc' }, spec: { selector: { app: 'x' }, ports: [{ port: 80 }] } },
      ],
      [
        '/api/v1/namespaces/api/events',
        { metadata: { name: 'e1' }, involvedObject: { kind: 'Pod', name: 'p' }, reason: 'R' },
      ],
      [
        '/apis/networking.k8s.io/v1/namespaces/api/ingresses',
        {
          metadata: { name: 'ing' },
          spec: {
            rules: [
              {
                host: 'a.test',
                http: {
                  paths: [
                    {
                      path: '/',
                      pathType: 'Prefix',
                      backend: { service: { name: 'svc', port: { number: 80 } } },
                    },
                  ],
                },
              },
            ],
          },
        },
      ],
      [
        '/apis/gateway.networking.k8s.io/v1/namespaces/api/httproutes',
        {
          metadata: { name: 'route' },
          spec: { rules: [{ backendRefs: [{ name: 'svc', port: 80, weight: 90 }] }] },
        },
      ],
      [
        '/apis/autoscaling/v2/namespaces/api/horizontalpodautoscalers',
        {
          metadata: { name: 'hpa' },
          spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'x' }, maxReplicas: 5 },
        },
      ],
    ];
    for (const [path, body] of bodies) {
      const r = await fetchJson(`${base}${path}`, {
        method: 'POST',
        headers: { ...auth(), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(r.status, path).toBe(201);
      expect(r.body.metadata.uid).toBeTruthy();
    }
    const secret = await c.core.readNamespacedSecret({ name: 's1', namespace: ns });
    expect(secret.type).toBe('Opaque');
    expect(Buffer.from(secret.data!.password!, 'base64').toString()).toBe('x');
    const svc = await c.core.readNamespacedService({ name: 'svc', namespace: ns });
    expect(svc.spec?.clusterIP).toMatch(/^10\.96\./);
    expect(svc.spec?.ports?.[0]?.targetPort).toBe(80);

    const selected = await c.core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'a in (2,3)' });
    expect(selected.items.map((i) => i.metadata?.name)).toEqual(['cm2']);
    const byField = await c.core.listNamespacedConfigMap({
      namespace: ns,
      fieldSelector: 'metadata.name=cm1',
    });
    expect(byField.items.map((i) => i.metadata?.name)).toEqual(['cm1']);
    const page1 = await c.core.listNamespacedConfigMap({ namespace: ns, limit: 1 });
    expect(page1.items).toHaveLength(1);
    expect(page1.metadata?.remainingItemCount).toBe(1);
    const page2 = await c.core.listNamespacedConfigMap({
      namespace: ns,
      limit: 1,
      _continue: page1.metadata!._continue!,
    });
    expect(page2.items[0]?.metadata?.name).toBe('cm2');
    expect(page2.metadata?._continue).toBeUndefined();
    const all = await fetchJson(`${base}/api/v1/configmaps`, { headers: auth() });
    expect(all.body.kind).toBe('ConfigMapList');
    expect(all.body.items[0].kind).toBeUndefined();

    const cm = await c.core.readNamespacedConfigMap({ name: 'cm1', namespace: ns });
    cm.data = { k: 'v2' };
    const replaced = await c.core.replaceNamespacedConfigMap({ name: 'cm1', namespace: ns, body: cm });
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(Number(cm.metadata?.resourceVersion));

    const already = await apiError(
      c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'cm1' } } }),
    );
    expect(already.code).toBe(409);
    expect(already.body).toMatchObject({
      reason: 'AlreadyExists',
      message: 'configmaps "cm1" already exists',
    });
    const noNs = await apiError(
      c.core.createNamespacedConfigMap({ namespace: 'missing', body: { metadata: { name: 'x' } } }),
    );
    expect(noNs.code).toBe(404);
    expect(noNs.body.message).toBe('namespaces "missing" not found');

    await c.core.deleteNamespacedConfigMap({ name: 'cm2', namespace: ns });
    expect((await apiError(c.core.readNamespacedConfigMap({ name: 'cm2', namespace: ns }))).code).toBe(404);

    const smpOnCrd = await fetchJson(
      `${base}/apis/gateway.networking.k8s.io/v1/namespaces/api/httproutes/route`,
      {
        method: 'PATCH',
        headers: { ...auth(), 'content-type': 'application/strategic-merge-patch+json' },
        body: '{}',
      },
    );
    expect(smpOnCrd.status).toBe(415);
    const mergedRoute = await fetchJson(
      `${base}/apis/gateway.networking.k8s.io/v1/namespaces/api/httproutes/route`,
      {
        method: 'PATCH',
        headers: { ...auth(), 'content-type': 'application/merge-patch+json' },
        body: JSON.stringify({ spec: { rules: [{ backendRefs: [{ name: 'svc', port: 80, weight: 50 }] }] } }),
      },
    );
    expect(mergedRoute.body.spec.rules[0].backendRefs[0].weight).toBe(50);
    expect(mergedRoute.body.metadata.generation).toBe(2);
  });

  it('serves /status and /scale subresources, keeping spec and status apart', async () => {
    await c.apps.createNamespacedDeployment({
      namespace: ns,
      body: {
        metadata: { name: 'sub' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'sub' } },
          template: {
            metadata: { labels: { app: 'sub' } },
            spec: { containers: [{ name: 'a', image: 'sub:1' }] },
          },
        },
      },
    });
    await sim.waitForRollout(ns, 'sub');
    const scale = await c.apps.readNamespacedDeploymentScale({ name: 'sub', namespace: ns });
    expect(scale.spec?.replicas).toBe(1);
    expect(scale.status?.selector).toBe('app=sub');
    await c.apps.replaceNamespacedDeploymentScale({
      name: 'sub',
      namespace: ns,
      body: { ...scale, spec: { replicas: 3 } },
    });
    await eventually(() => sim.get('deployments', ns, 'sub')?.status?.readyReplicas === 3);
    const patchedScale = await c.apps.patchNamespacedDeploymentScale(
      { name: 'sub', namespace: ns, body: { spec: { replicas: 2 } } },
      patchAs(PatchStrategy.MergePatch),
    );
    expect(patchedScale.spec?.replicas).toBe(2);

    // Status written on the main resource is ignored; spec written on /status is ignored.
    const d = await c.apps.readNamespacedDeployment({ name: 'sub', namespace: ns });
    const gen = d.metadata!.generation!;
    const viaMain = await c.apps.patchNamespacedDeployment(
      { name: 'sub', namespace: ns, body: { status: { replicas: 99 } } },
      patchAs(PatchStrategy.MergePatch),
    );
    expect(viaMain.status?.replicas).not.toBe(99);
    const viaStatus = await c.apps.patchNamespacedDeploymentStatus(
      { name: 'sub', namespace: ns, body: { spec: { replicas: 7 }, status: { collisionCount: 1 } } },
      patchAs(PatchStrategy.MergePatch),
    );
    expect(viaStatus.spec?.replicas).toBe(2);
    expect(viaStatus.status?.collisionCount).toBe(1);
    expect(viaStatus.metadata?.generation).toBe(gen);
  });

  it('deletes with ownerReferences: foreground waits for dependents, orphan keeps them', async () => {
    const owner = await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'owner' } },
    });
    const ref = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'owner',
      uid: owner.metadata!.uid!,
      blockOwnerDeletion: true,
    };
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'dep1', ownerReferences: [ref] } },
    });
    await c.core.deleteNamespacedConfigMap({ name: 'owner', namespace: ns, propagationPolicy: 'Foreground' });
    await eventually(() => !sim.get('configmaps', ns, 'owner') && !sim.get('configmaps', ns, 'dep1'));

    const owner2 = await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'owner2' } },
    });
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: {
        metadata: { name: 'dep2', ownerReferences: [{ ...ref, name: 'owner2', uid: owner2.metadata!.uid! }] },
      },
    });
    await c.core.deleteNamespacedConfigMap({ name: 'owner2', namespace: ns, propagationPolicy: 'Orphan' });
    await eventually(() => !sim.get('configmaps', ns, 'owner2'));
    expect(sim.get('configmaps', ns, 'dep2')?.metadata.ownerReferences).toBeUndefined();
  });

  it('terminates a namespace with its contents', async () => {
    sim.createNamespace('doomed');
    await c.core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'x' } } });
    const ns2 = await c.core.deleteNamespace({ name: 'doomed' });
    expect(ns2).toBeTruthy();
    await eventually(() => !sim.get('namespaces', '', 'doomed'));
    expect(sim.list('configmaps', 'doomed')).toEqual([]);
  });
});

describe('watch', () => {
  it('streams from a resourceVersion, turns selector changes into ADDED/DELETED, and sends bookmarks', async () => {
    const cm = await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'w1', labels: { w: 'yes' } } },
    });
    const from = cm.metadata!.resourceVersion!;
    const done = watchLines(
      `/api/v1/namespaces/${ns}/configmaps?watch=true&labelSelector=w%3Dyes&allowWatchBookmarks=true&resourceVersion=${from}`,
      (events) =>
        events.some((e) => e.type === 'BOOKMARK') && events.filter((e) => e.type !== 'BOOKMARK').length >= 3,
    );
    await c.core.patchNamespacedConfigMap(
      { name: 'w1', namespace: ns, body: { data: { a: '1' } } },
      patchAs(PatchStrategy.MergePatch),
    );
    await c.core.patchNamespacedConfigMap(
      { name: 'w1', namespace: ns, body: { metadata: { labels: { w: 'no' } } } },
      patchAs(PatchStrategy.MergePatch),
    );
    await c.core.patchNamespacedConfigMap(
      { name: 'w1', namespace: ns, body: { metadata: { labels: { w: 'yes' } } } },
      patchAs(PatchStrategy.MergePatch),
    );
    const events = await done;
    expect(events.filter((e) => e.type !== 'BOOKMARK').map((e) => e.type)).toEqual([
      'MODIFIED',
      'DELETED',
      'ADDED',
    ]);
    const bookmark = events.find((e) => e.type === 'BOOKMARK')!;
    expect(bookmark.object).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1' });
    expect(Number(bookmark.object.metadata.resourceVersion)).toBeGreaterThan(Number(from));
  });

  it('sends the current state first without a resourceVersion, and 410 after compaction', async () => {
    const initial = await watchLines(
      `/api/v1/namespaces/${ns}/configmaps?watch=1`,
      (events) => events.length >= 1,
    );
    expect(initial[0]?.type).toBe('ADDED');
    const rv = sim.resourceVersion();
    sim.compact();
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'after-compact' } } });
    const gone = await watchLines(
      `/api/v1/namespaces/${ns}/configmaps?watch=1&resourceVersion=${rv - 1}`,
      (e) => e.length >= 1,
    );
    expect(gone[0]).toMatchObject({ type: 'ERROR', object: { code: 410, reason: 'Expired' } });
    const ok = await watchLines(
      `/api/v1/namespaces/${ns}/configmaps?watch=1&resourceVersion=${rv}`,
      (e) => e.length >= 1,
    );
    expect(ok[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'after-compact' } } });
  });

  it("works through client-node's Watch and ends it when the simulator drops watches", async () => {
    const seen: string[] = [];
    const ended = new Promise<unknown>((resolve) => {
      void c.watch.watch(
        `/api/v1/namespaces/${ns}/configmaps`,
        { resourceVersion: String(sim.resourceVersion()) },
        (type, obj: KObj) => seen.push(`${type}:${obj.metadata.name}`),
        (err) => resolve(err),
      );
    });
    await eventually(() => sim.openWatches() > 0);
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'watched' } } });
    await eventually(() => seen.includes('ADDED:watched'));
    expect(sim.dropWatches()).toBeGreaterThan(0);
    await ended;
    expect(sim.openWatches()).toBe(0);
  });
});

describe('faults', () => {
  it('injects 429 with Retry-After, 500 for N requests, latency and connection resets', async () => {
    const h = sim.faults.tooManyRequests('/configmaps/cm1', 3, 1);
    const limited = await apiError(c.core.readNamespacedConfigMap({ name: 'cm1', namespace: ns }));
    expect(limited.code).toBe(429);
    expect(limited.body).toMatchObject({ reason: 'TooManyRequests', details: { retryAfterSeconds: 3 } });
    const raw = await fetchJson(`${sim.url}/api/v1/namespaces/${ns}/configmaps/cm1`, { headers: auth() });
    expect(raw.status).toBe(200);
    expect(h.hits).toBe(1);

    sim.faults.add({ path: /\/secrets/, verb: 'list', status: 500, times: 2 });
    expect((await apiError(c.core.listNamespacedSecret({ namespace: ns }))).code).toBe(500);
    expect((await apiError(c.core.listNamespacedSecret({ namespace: ns }))).code).toBe(500);
    expect((await c.core.listNamespacedSecret({ namespace: ns })).items.length).toBeGreaterThan(0);

    sim.faults.add({ path: '/configmaps/cm1', method: 'GET', latencyMs: 300, times: 1 });
    const started = Date.now();
    await c.core.readNamespacedConfigMap({ name: 'cm1', namespace: ns });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);

    sim.faults.add({ path: '/configmaps/cm1', reset: true, times: 1 });
    await expect(
      fetch(`${sim.url}/api/v1/namespaces/${ns}/configmaps/cm1`, { headers: auth() }),
    ).rejects.toThrow();

    sim.faults.add({ path: '/configmaps/cm1', method: 'PUT', status: 409, times: 1 });
    const cm = await c.core.readNamespacedConfigMap({ name: 'cm1', namespace: ns });
    const conflict = await apiError(
      c.core.replaceNamespacedConfigMap({ name: 'cm1', namespace: ns, body: cm }),
    );
    expect(conflict.body).toMatchObject({ reason: 'Conflict', code: 409 });
    sim.faults.clear();
  });

  it('cuts a watch stream after a delay', async () => {
    sim.faults.add({ path: '/configmaps', verb: 'watch', dropWatchAfterMs: 100, times: 1 });
    const err = await new Promise<unknown>((resolve) => {
      void c.watch.watch(
        `/api/v1/namespaces/${ns}/configmaps`,
        {},
        () => undefined,
        (e) => resolve(e ?? 'closed'),
      );
    });
    expect(err).toBeTruthy();
  });

  it('answers a server-side apply without fieldManager with 400', async () => {
    const r = await fetchJson(`${sim.url}/api/v1/namespaces/${ns}/configmaps/cm1`, {
      method: 'PATCH',
      headers: { ...auth(), 'content-type': 'application/apply-patch+yaml' },
      body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm1\n',
    });
    expect(r.status).toBe(400);
    const created = await fetchJson(
      `${sim.url}/api/v1/namespaces/${ns}/configmaps/applied-yaml?fieldManager=yaml`,
      {
        method: 'PATCH',
        headers: { ...auth(), 'content-type': 'application/apply-patch+yaml' },
        body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied-yaml\ndata:\n  k: v\n',
      },
    );
    expect(created.status).toBe(201);
    expect(created.body.data).toEqual({ k: 'v' });
  });
});
