import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../../../shared/kube/client.js';
import { sameTemplate } from '../../../shared/kube/deployments.js';
import { type Deployment, revisionOf } from '../../../shared/kube/objects.js';
import { paths } from '../../../shared/kube/paths.js';
import { type ReleaseState, readState, writeState } from '../../../shared/kube/release-state.js';
import { rollBackRelease } from '../../../shared/kube/roll-back.js';
import { type KubeSim, rolloutComplete, startKubeSim } from '../../support/kube-sim/index.js';

/**
 * An unfinished promotion (state `promoting`) is undone by putting stable back on the template
 * of `stableRevision` and only then removing the canary, whatever point the promotion reached.
 */

let sim: KubeSim;
let client: KubeClient;
const ns = 'promotion';

function workload(name: string, image: string, replicas: number, labels: Record<string, string>) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'app', image }] } },
    },
  };
}

/** A replica-ratio canary of `name` at 50 %: stable scaled to 1 of 2, canary running v2. */
async function stageCanary(name: string): Promise<ReleaseState> {
  sim.clearImageBehaviours();
  await client.apply(paths.deployment(ns, name), workload(name, 'registry.example/app:v1', 1, { app: name }));
  await sim.waitForRollout(ns, name);
  await client.apply(
    paths.deployment(ns, `${name}-canary`),
    workload(`${name}-canary`, 'registry.example/app:v2', 1, { 'deploy-actions.io/canary-of': name }),
  );
  await sim.waitForRollout(ns, `${name}-canary`);
  const state: ReleaseState = {
    strategy: 'canary',
    phase: 'promoting',
    weight: 50,
    traffic: 'replicas',
    stableRevision: 1,
    stableReplicas: 2,
    canaryImage: 'registry.example/app:v2',
    runId: 'run',
  };
  await writeState(client, paths.deployment(ns, name), state);
  return state;
}

beforeAll(async () => {
  sim = await startKubeSim({ podReadyDelayMs: 50, podStartDelayMs: 10 });
  sim.createNamespace(ns);
  client = await KubeClient.create({ source: { kind: 'file', path: sim.kubeconfigPath } });
});
afterAll(async () => {
  await sim?.stop();
});

describe('rolling back an unfinished promotion', () => {
  it('restores the previous template of a half-promoted stable, then removes the canary', async () => {
    await stageCanary('half');
    // The promotion got as far as the template and the replicas; the new pods never become ready.
    sim.setImageBehaviour('registry.example/app:v2', { readyDelayMs: 600_000 });
    await client.jsonPatch(paths.deployment(ns, 'half'), [
      {
        op: 'replace',
        path: '/spec/template/spec',
        value: { containers: [{ name: 'app', image: 'registry.example/app:v2' }] },
      },
      { op: 'replace', path: '/spec/replicas', value: 2 },
    ]);
    await sim.waitFor(
      () =>
        sim.get('deployment', ns, 'half')?.metadata.annotations?.['deployment.kubernetes.io/revision'] ===
        '2',
      5000,
      'the promotion to be revision 2',
    );

    const outcome = await rollBackRelease(client, { namespace: ns, deployment: 'half', timeoutMs: 10_000 });
    expect(outcome).toMatchObject({
      strategy: 'canary',
      rolledBack: true,
      fromRevision: '2',
      toRevision: '1',
      image: 'registry.example/app:v1',
    });
    expect(outcome.detail).toMatch(
      /^promotion undone: deployment "half" restored from revision 2 to the template of revision 1 \(now revision 3\); canary weight set to 0 and canary removed/,
    );
    const stable = (await client.get<Deployment>(paths.deployment(ns, 'half')))!;
    expect(stable.spec?.template?.spec?.containers?.[0]?.image).toBe('registry.example/app:v1');
    expect(stable.spec?.replicas).toBe(2);
    expect(rolloutComplete(sim.get('deployment', ns, 'half'))).toBe(true);
    expect(sim.get('deployment', ns, 'half-canary')).toBeUndefined();
    expect(readState(stable)).toMatchObject({ phase: 'rolled-back', weight: 0, revision: 3 });
  });

  it('leaves a template the promotion never reached alone, and still brings stable back to full size', async () => {
    await stageCanary('early');
    const outcome = await rollBackRelease(client, { namespace: ns, deployment: 'early', timeoutMs: 10_000 });
    expect(outcome.detail).toMatch(
      /^promotion undone: deployment "early" still had the template of revision 1;/,
    );
    const stable = (await client.get<Deployment>(paths.deployment(ns, 'early')))!;
    expect(revisionOf(stable)).toBe(1);
    expect(stable.spec?.replicas).toBe(2);
    expect(sim.get('deployment', ns, 'early-canary')).toBeUndefined();
    await sim.waitForRollout(ns, 'early');
  });
});

describe('sameTemplate', () => {
  it("ignores the ReplicaSet's pod-template-hash label and key order, not a changed image", () => {
    const deployment = {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'app', image: 'a:1', ports: [{ containerPort: 80 }] }] },
    };
    const replicaSet = {
      spec: { containers: [{ image: 'a:1', name: 'app', ports: [{ containerPort: 80 }] }] },
      metadata: { labels: { 'pod-template-hash': '5d8f', app: 'web' } },
    };
    expect(sameTemplate(deployment, replicaSet)).toBe(true);
    const changed = structuredClone(replicaSet);
    changed.spec.containers[0]!.image = 'a:2';
    expect(sameTemplate(deployment, changed)).toBe(false);
  });
});
