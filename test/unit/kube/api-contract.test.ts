import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeApiError } from '../../../shared/kube/api-error.js';
import { KubeClient } from '../../../shared/kube/client.js';
import { replicaSetsOf, undoRollout } from '../../../shared/kube/deployments.js';
import type { Deployment, KubeList } from '../../../shared/kube/objects.js';
import { paths } from '../../../shared/kube/paths.js';
import { acquireLease, LeaseHeldError } from '../../../shared/kube/release-state.js';
import { type KubeSim, startKubeSim } from '../../support/kube-sim/index.js';

/**
 * The API behaviour shared/kube relies on, checked against the simulator through the same
 * client the actions use: each of these is what a real API server does too.
 */

let sim: KubeSim;
let client: KubeClient;
const ns = 'contract';

function deployment(name: string, image: string): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image }] },
      },
    },
  };
}

beforeAll(async () => {
  sim = await startKubeSim({ podReadyDelayMs: 50, podStartDelayMs: 10 });
  sim.createNamespace(ns);
  client = await KubeClient.create({ source: { kind: 'file', path: sim.kubeconfigPath } });
  for (const name of ['alpha', 'beta'])
    await client.apply(paths.deployment(ns, name), deployment(name, 'registry.example/app:1'));
});
afterAll(async () => {
  await sim?.stop();
});

describe('Kubernetes API behaviour shared/kube relies on', () => {
  it('narrows a list to one object with fieldSelector metadata.name', async () => {
    const list = await client.request<KubeList<Deployment>>('GET', paths.deployments(ns), {
      query: { fieldSelector: 'metadata.name=beta' },
    });
    expect(list.items.map((d) => d.metadata.name)).toEqual(['beta']);
    expect(list.metadata?.resourceVersion).toMatch(/^\d+$/);
  });

  it('answers 409 to a merge patch carrying a stale metadata.resourceVersion', async () => {
    const path = paths.deployment(ns, 'alpha');
    const read = (await client.get<Deployment>(path))!;
    await client.mergePatch(path, { metadata: { annotations: { touched: 'yes' } } });
    const stale = client.mergePatch(path, {
      metadata: { resourceVersion: read.metadata.resourceVersion, annotations: { stale: 'yes' } },
    });
    await expect(stale).rejects.toBeInstanceOf(KubeApiError);
    await expect(stale).rejects.toMatchObject({ status: 409 });
    expect(sim.get('deployment', ns, 'alpha')!.metadata.annotations.stale).toBeUndefined();
  });

  it('lets only one of two racing runs take the lease', async () => {
    const path = paths.deployment(ns, 'beta');
    const results = await Promise.allSettled([
      acquireLease(client, path, 'run-a', 60_000),
      acquireLease(client, path, 'run-b', 60_000),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(LeaseHeldError);
  });

  it('links ReplicaSets to their Deployment by owner reference and undoes by JSON patch of /spec/template', async () => {
    await sim.waitForRollout(ns, 'alpha', 10_000);
    await client.mergePatch(paths.deployment(ns, 'alpha'), {
      spec: { template: { spec: { containers: [{ name: 'app', image: 'registry.example/app:2' }] } } },
    });
    await sim.waitForRollout(ns, 'alpha', 10_000);
    const alpha = (await client.get<Deployment>(paths.deployment(ns, 'alpha')))!;
    const history = await replicaSetsOf(client, alpha);
    expect(history.map((rs) => rs.metadata.ownerReferences?.[0]?.uid)).toEqual([
      alpha.metadata.uid,
      alpha.metadata.uid,
    ]);
    const undo = await undoRollout(client, ns, 'alpha');
    expect(undo).toMatchObject({ fromRevision: 2, toRevision: 1 });
    await sim.waitForRollout(ns, 'alpha', 10_000);
    const after = sim.get('deployment', ns, 'alpha')!;
    expect(after.spec.template.spec.containers[0].image).toBe('registry.example/app:1');
    expect(after.metadata.annotations['deployment.kubernetes.io/revision']).toBe('3');
  });
});
