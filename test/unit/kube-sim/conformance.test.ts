import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KObj, type KubeSim, rolloutComplete, startKubeSim } from '../../support/kube-sim/index.js';
import { apiError, clients, deploymentManifest, eventually, PatchStrategy, patchAs } from './helpers.js';

/**
 * The same scenarios, through @kubernetes/client-node, against the simulator — or against a
 * real cluster when KUBECONFIG names a kubeconfig file (a kind cluster in a workflow). The
 * assertions do not change with the target; only the setup does. In CI, where KUBECONFIG is
 * not set, the simulator is the target, so nothing here is ever skipped.
 */

const external =
  process.env.KUBECONFIG && existsSync(process.env.KUBECONFIG) ? process.env.KUBECONFIG : undefined;
const IMAGE_V1 = 'registry.k8s.io/pause:3.9';
const IMAGE_V2 = 'registry.k8s.io/pause:3.10';
const TIMEOUT = external ? 180_000 : 30_000;

let sim: KubeSim | undefined;
let c: ReturnType<typeof clients>;
const namespace = `conformance-${randomBytes(3).toString('hex')}`;

beforeAll(async () => {
  if (!external) sim = await startKubeSim({ podReadyDelayMs: 200, clockSpeed: 5 });
  c = clients(external ?? sim!.kubeconfigPath);
  await c.core.createNamespace({ body: { metadata: { name: namespace } } });
});

afterAll(async () => {
  await c?.core.deleteNamespace({ name: namespace }).catch(() => undefined);
  await sim?.stop();
});

/** Watches the Deployment through client-node's Watch until its rollout is complete. */
function watchRollout(name: string, fromVersion: string): Promise<KObj> {
  return new Promise((resolve, reject) => {
    let request: { abort(): void } | undefined;
    const timer = setTimeout(() => {
      request?.abort();
      reject(new Error(`rollout of ${name} did not complete`));
    }, TIMEOUT);
    c.watch
      .watch(
        `/apis/apps/v1/namespaces/${namespace}/deployments`,
        { fieldSelector: `metadata.name=${name}`, resourceVersion: fromVersion, allowWatchBookmarks: true },
        (type, obj: KObj) => {
          if ((type === 'ADDED' || type === 'MODIFIED') && rolloutComplete(obj)) {
            clearTimeout(timer);
            request?.abort();
            resolve(obj);
          }
        },
        (err) => {
          if (err && (err as Error).name !== 'AbortError') {
            clearTimeout(timer);
            reject(err);
          }
        },
      )
      .then((r) => {
        request = r;
      }, reject);
  });
}

describe(`Kubernetes conformance (${external ? 'real cluster' : 'kube-sim'})`, () => {
  it('creates a Deployment and watches its rollout to completion', { timeout: TIMEOUT }, async () => {
    const created = await c.apps.createNamespacedDeployment({
      namespace,
      body: deploymentManifest('web', IMAGE_V1, 2),
    });
    expect(created.metadata?.generation).toBe(1);
    expect(created.metadata?.resourceVersion).toMatch(/^\d+$/);
    expect(created.spec?.strategy?.type).toBe('RollingUpdate');
    expect(created.spec?.revisionHistoryLimit).toBe(10);

    const done = await watchRollout('web', created.metadata!.resourceVersion!);
    expect(done.status.observedGeneration).toBe(1);
    expect(done.status.readyReplicas).toBe(2);
    expect(done.metadata.annotations['deployment.kubernetes.io/revision']).toBe('1');
    const progressing = done.status.conditions.find((x: KObj) => x.type === 'Progressing');
    expect(progressing.reason).toBe('NewReplicaSetAvailable');

    const rsList = await c.apps.listNamespacedReplicaSet({ namespace, labelSelector: 'app=web' });
    expect(rsList.items).toHaveLength(1);
    const rs = rsList.items[0]!;
    expect(rs.metadata?.labels?.['pod-template-hash']).toBeTruthy();
    expect(rs.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: 'Deployment',
      name: 'web',
      controller: true,
    });
    const pods = await c.core.listNamespacedPod({
      namespace,
      labelSelector: `app=web,pod-template-hash=${rs.metadata!.labels!['pod-template-hash']}`,
      fieldSelector: 'status.phase=Running',
    });
    expect(pods.items).toHaveLength(2);
  });

  it('rejects a stale update with 409 and an unknown name with 404, with Status bodies', async () => {
    const d = await c.apps.readNamespacedDeployment({ name: 'web', namespace });
    const stale = structuredClone(d);
    d.metadata!.labels = { ...d.metadata!.labels, touched: 'yes' };
    await c.apps.replaceNamespacedDeployment({ name: 'web', namespace, body: d });
    const conflict = await apiError(
      c.apps.replaceNamespacedDeployment({ name: 'web', namespace, body: stale }),
    );
    expect(conflict.code).toBe(409);
    expect(conflict.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Conflict', code: 409 });
    expect(conflict.body.message).toContain('the object has been modified');

    const missing = await apiError(c.apps.readNamespacedDeployment({ name: 'nope', namespace }));
    expect(missing.code).toBe(404);
    expect(missing.body).toMatchObject({ reason: 'NotFound', message: 'deployments.apps "nope" not found' });
  });

  it('answers 422 Invalid for a bad name and a selector that does not match the template', async () => {
    const badName = await apiError(
      c.apps.createNamespacedDeployment({ namespace, body: deploymentManifest('Bad_Name', IMAGE_V1) }),
    );
    expect(badName.code).toBe(422);
    expect(badName.body.reason).toBe('Invalid');
    expect(badName.body.details.causes[0].field).toBe('metadata.name');

    const mismatch = deploymentManifest('mismatch', IMAGE_V1);
    mismatch.spec.selector.matchLabels = { app: 'other' };
    const invalid = await apiError(c.apps.createNamespacedDeployment({ namespace, body: mismatch }));
    expect(invalid.code).toBe(422);
    expect(invalid.body.details.causes.map((x: KObj) => x.field)).toContain('spec.template.metadata.labels');
    expect(invalid.body.message).toContain('`selector` does not match template `labels`');
  });

  it('rolls out a strategic-merge-patched container image as revision 2', { timeout: TIMEOUT }, async () => {
    const patched = await c.apps.patchNamespacedDeployment(
      {
        name: 'web',
        namespace,
        body: { spec: { template: { spec: { containers: [{ name: 'app', image: IMAGE_V2 }] } } } },
      },
      patchAs(PatchStrategy.StrategicMergePatch),
    );
    const container = patched.spec!.template.spec!.containers[0]!;
    expect(container.image).toBe(IMAGE_V2);
    expect(container.ports?.[0]?.containerPort).toBe(8080);
    expect(patched.metadata?.generation).toBe(2);

    const done = await watchRollout('web', patched.metadata!.resourceVersion!);
    expect(done.metadata.annotations['deployment.kubernetes.io/revision']).toBe('2');
    expect(done.status.updatedReplicas).toBe(2);
    const rsList = await c.apps.listNamespacedReplicaSet({ namespace, labelSelector: 'app=web' });
    expect(rsList.items).toHaveLength(2);
    const byRevision = Object.fromEntries(
      rsList.items.map((rs) => [rs.metadata!.annotations!['deployment.kubernetes.io/revision'], rs]),
    );
    expect(byRevision['1']?.spec?.replicas).toBe(0);
    expect(byRevision['2']?.spec?.replicas).toBe(2);
    expect(byRevision['2']?.spec?.template?.spec?.containers[0]?.image).toBe(IMAGE_V2);
  });

  it('server-side apply: a conflict between field managers is 409 unless forced', async () => {
    const manifest = deploymentManifest('applied', IMAGE_V1, 1);
    const first = await c.apps.patchNamespacedDeployment(
      { name: 'applied', namespace, body: manifest, fieldManager: 'conformance-a' },
      patchAs(PatchStrategy.ServerSideApply),
    );
    expect(first.spec?.replicas).toBe(1);
    expect(first.metadata?.managedFields?.map((m) => [m.manager, m.operation])).toContainEqual([
      'conformance-a',
      'Apply',
    ]);

    const other = deploymentManifest('applied', IMAGE_V1, 3);
    const conflict = await apiError(
      c.apps.patchNamespacedDeployment(
        { name: 'applied', namespace, body: other, fieldManager: 'conformance-b' },
        patchAs(PatchStrategy.ServerSideApply),
      ),
    );
    expect(conflict.code).toBe(409);
    expect(conflict.body.reason).toBe('Conflict');
    expect(conflict.body.message).toContain('conflict with "conformance-a"');
    expect(conflict.body.details.causes).toContainEqual(
      expect.objectContaining({ reason: 'FieldManagerConflict', field: '.spec.replicas' }),
    );

    const forced = await c.apps.patchNamespacedDeployment(
      { name: 'applied', namespace, body: other, fieldManager: 'conformance-b', force: true },
      patchAs(PatchStrategy.ServerSideApply),
    );
    expect(forced.spec?.replicas).toBe(3);

    // A merge patch and a JSON patch by other managers take effect as well.
    const merged = await c.apps.patchNamespacedDeployment(
      { name: 'applied', namespace, body: { metadata: { annotations: { team: 'payments' } } } },
      patchAs(PatchStrategy.MergePatch),
    );
    expect(merged.metadata?.annotations?.team).toBe('payments');
    const jsonPatched = await c.apps.patchNamespacedDeployment(
      { name: 'applied', namespace, body: [{ op: 'replace', path: '/spec/replicas', value: 0 }] },
      patchAs(PatchStrategy.JsonPatch),
    );
    expect(jsonPatched.spec?.replicas).toBe(0);
  });

  it('garbage-collects ReplicaSets and Pods when their Deployment is deleted', {
    timeout: TIMEOUT,
  }, async () => {
    const before = await c.apps.listNamespacedReplicaSet({ namespace, labelSelector: 'app=web' });
    expect(before.items.length).toBeGreaterThan(0);
    await c.apps.deleteNamespacedDeployment({ name: 'web', namespace, propagationPolicy: 'Background' });
    await eventually(
      async () =>
        (await c.apps.listNamespacedReplicaSet({ namespace, labelSelector: 'app=web' })).items.length === 0,
      TIMEOUT,
      200,
    );
    await eventually(
      async () =>
        (await c.core.listNamespacedPod({ namespace, labelSelector: 'app=web' })).items.length === 0,
      TIMEOUT,
      200,
    );
  });

  it('answers a watch from a too-old resourceVersion with a 410 Expired ERROR event', async () => {
    const events: { type: string; obj: KObj }[] = [];
    const ended = new Promise<void>((resolve) => {
      void c.watch
        .watch(
          `/api/v1/namespaces/${namespace}/configmaps`,
          { resourceVersion: '1' },
          (type, obj: KObj) => events.push({ type, obj }),
          () => resolve(),
        )
        .then((req) => setTimeout(() => req.abort(), 10_000).unref());
    });
    await ended;
    expect(events[0]?.type).toBe('ERROR');
    expect(events[0]?.obj).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
    expect(events[0]?.obj.message).toMatch(/too old resource version/);
  });
});
