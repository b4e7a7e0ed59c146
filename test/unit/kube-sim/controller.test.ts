import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KObj, type KubeSim, startKubeSim } from '../../support/kube-sim/index.js';
import { clients, deploymentManifest, eventually, PatchStrategy, patchAs } from './helpers.js';

let sim: KubeSim;
let c: ReturnType<typeof clients>;
const ns = 'ctl';

beforeAll(async () => {
  sim = await startKubeSim({ namespace: ns, podReadyDelayMs: 400, clockSpeed: 20 });
  c = clients(sim.kubeconfigPath);
});
afterAll(() => sim.stop());

const ready = (p: KObj) =>
  (p.status?.conditions ?? []).some((x: KObj) => x.type === 'Ready' && x.status === 'True');
const podsOf = (app: string) => sim.list('pods', ns, { labelSelector: `app=${app}` });
const setImage = (name: string, image: string) =>
  c.apps.patchNamespacedDeployment(
    { name, namespace: ns, body: { spec: { template: { spec: { containers: [{ name: 'app', image }] } } } } },
    patchAs(PatchStrategy.StrategicMergePatch),
  );
const condition = (d: KObj | undefined, type: string) =>
  (d?.status?.conditions ?? []).find((x: KObj) => x.type === type);

describe('Deployment controller', () => {
  it('rolls out within maxSurge and maxUnavailable', async () => {
    await c.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('surge', 'app:1', 4, {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      }),
    });
    await sim.waitForRollout(ns, 'surge');
    let maxPods = 0;
    let minReady = Number.POSITIVE_INFINITY;
    const sample = setInterval(() => {
      const pods = podsOf('surge');
      maxPods = Math.max(maxPods, pods.length);
      minReady = Math.min(minReady, pods.filter(ready).length);
    }, 2);
    await setImage('surge', 'app:2');
    const done = await sim.waitForRollout(ns, 'surge');
    clearInterval(sample);
    expect(maxPods).toBe(5);
    expect(minReady).toBeGreaterThanOrEqual(4);
    expect(done.metadata.annotations['deployment.kubernetes.io/revision']).toBe('2');
    expect(done.status).toMatchObject({
      replicas: 4,
      updatedReplicas: 4,
      readyReplicas: 4,
      availableReplicas: 4,
    });
    expect(podsOf('surge').every((p) => p.spec.containers[0].image === 'app:2')).toBe(true);
    const events = sim.list('events', ns, {
      fieldSelector: 'involvedObject.name=surge,reason=ScalingReplicaSet',
    });
    expect(events.some((e) => /Scaled down replica set surge-\w+ from \d to \d/.test(e.message))).toBe(true);
  });

  it('reports ProgressDeadlineExceeded when the new image never becomes Ready, keeping the old pods', async () => {
    sim.setImageBehaviour('app:never', { neverReady: true });
    await c.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('stuck', 'app:1', 3, { progressDeadlineSeconds: 30 }),
    });
    await sim.waitForRollout(ns, 'stuck');
    await setImage('stuck', 'app:never');
    await sim.waitFor(
      () =>
        condition(sim.get('deployments', ns, 'stuck'), 'Progressing')?.reason === 'ProgressDeadlineExceeded',
      10_000,
      'progress deadline',
    );
    const d = sim.get('deployments', ns, 'stuck')!;
    expect(condition(d, 'Progressing')).toMatchObject({
      status: 'False',
      message: expect.stringMatching(/ReplicaSet "stuck-\w+" has timed out progressing\./),
    });
    expect(d.status.availableReplicas).toBeGreaterThanOrEqual(2);
    expect(condition(d, 'Available')?.status).toBe('True');
    const pods = podsOf('stuck');
    expect(pods.filter((p) => p.spec.containers[0].image === 'app:never').every((p) => !ready(p))).toBe(true);
    const probe = await fetch(
      `${sim.podUrl(ns, pods.find((p) => p.spec.containers[0].image === 'app:never')!.metadata.name)}/ready`,
    );
    expect(probe.status).toBe(503);
  });

  it('rolls back by reapplying the previous ReplicaSet template (kubectl rollout undo)', async () => {
    const before = sim.list('replicasets', ns, { labelSelector: 'app=stuck' });
    const rev1 = before.find((rs) => rs.metadata.annotations['deployment.kubernetes.io/revision'] === '1')!;
    sim.rollback(ns, 'stuck');
    const done = await sim.waitForRollout(ns, 'stuck', 10_000);
    expect(done.metadata.annotations['deployment.kubernetes.io/revision']).toBe('3');
    expect(done.spec.template.spec.containers[0].image).toBe('app:1');
    const reused = sim.get('replicasets', ns, rev1.metadata.name)!;
    expect(reused.metadata.annotations['deployment.kubernetes.io/revision']).toBe('3');
    expect(reused.metadata.annotations['deployment.kubernetes.io/revision-history']).toBe('1');
    expect(reused.spec.replicas).toBe(3);
    expect(sim.list('replicasets', ns, { labelSelector: 'app=stuck' })).toHaveLength(2);
    expect(condition(done, 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
  });

  it('does not roll out while paused, and does on resume', async () => {
    await c.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('paused', 'app:1', 2),
    });
    await sim.waitForRollout(ns, 'paused');
    await c.apps.patchNamespacedDeployment(
      { name: 'paused', namespace: ns, body: { spec: { paused: true } } },
      patchAs(PatchStrategy.MergePatch),
    );
    await setImage('paused', 'app:2');
    await eventually(
      () => condition(sim.get('deployments', ns, 'paused'), 'Progressing')?.reason === 'DeploymentPaused',
    );
    expect(sim.list('replicasets', ns, { labelSelector: 'app=paused' })).toHaveLength(1);
    await c.apps.patchNamespacedDeployment(
      { name: 'paused', namespace: ns, body: { spec: { paused: false } } },
      patchAs(PatchStrategy.MergePatch),
    );
    await eventually(() => sim.list('replicasets', ns, { labelSelector: 'app=paused' }).length === 2);
    const done = await sim.waitForRollout(ns, 'paused');
    expect(done.spec.template.spec.containers[0].image).toBe('app:2');
  });

  it('Recreate stops every old pod before starting new ones', async () => {
    await c.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('recreate', 'app:1', 2, { strategy: { type: 'Recreate' } }),
    });
    await sim.waitForRollout(ns, 'recreate');
    let mixed = false;
    const sample = setInterval(() => {
      const images = new Set(podsOf('recreate').map((p) => p.spec.containers[0].image));
      if (images.size > 1) mixed = true;
    }, 2);
    await setImage('recreate', 'app:2');
    await sim.waitForRollout(ns, 'recreate');
    clearInterval(sample);
    expect(mixed).toBe(false);
  });

  it('keeps revisionHistoryLimit old ReplicaSets', async () => {
    await c.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('history', 'app:1', 1, { revisionHistoryLimit: 1 }),
    });
    for (const tag of ['2', '3', '4']) {
      await sim.waitForRollout(ns, 'history');
      await setImage('history', `app:${tag}`);
    }
    await sim.waitForRollout(ns, 'history');
    await eventually(() => sim.list('replicasets', ns, { labelSelector: 'app=history' }).length === 2);
  });

  it('keeps Endpoints in step with Service selectors and pod readiness', async () => {
    await c.core.createNamespacedService({
      namespace: ns,
      body: {
        metadata: { name: 'surge' },
        spec: { selector: { app: 'surge' }, ports: [{ port: 80, targetPort: 'http' }] },
      },
    });
    await eventually(() => sim.get('endpoints', ns, 'surge')?.subsets?.[0]?.addresses?.length === 4);
    const ep = sim.get('endpoints', ns, 'surge')!;
    expect(ep.subsets[0].ports).toEqual([{ port: 8080, protocol: 'TCP' }]);
    sim.setImageBehaviour('app:2', { neverReady: true });
    await eventually(
      () => (sim.get('endpoints', ns, 'surge')?.subsets?.[0]?.notReadyAddresses ?? []).length === 4,
    );
    sim.setImageBehaviour('app:2', {});
  });

  it('shows crash loops and image pull errors in pod status', async () => {
    sim.setImageBehaviour('app:crash', { crashLoop: true });
    await c.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('crash', 'app:crash', 1),
    });
    await c.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('pull', 'app:pull-error', 1),
    });
    await eventually(
      () => podsOf('crash')[0]?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff',
    );
    await eventually(
      () => podsOf('pull')[0]?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff',
    );
    expect(podsOf('pull')[0]?.status?.phase).toBe('Pending');
    expect(podsOf('crash')[0]?.status?.containerStatuses?.[0]?.restartCount).toBeGreaterThan(0);
  });
});
