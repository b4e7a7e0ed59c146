import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeSim, startKubeSim } from '../../support/kube-sim/index.js';
import {
  auditEvents,
  auditVerifies,
  freshNamespace,
  imageOf,
  logOf,
  pinned,
  run,
  workspace,
} from './kube-run.js';

let sim: KubeSim;
beforeAll(async () => {
  sim = await startKubeSim({ podReadyDelayMs: 200, podStartDelayMs: 50 });
});
afterAll(async () => {
  await sim?.stop();
});

/** Which colour's pods answer requests sent through the live Service. */
function servedColours(namespace: string): string[] {
  const summary = sim.traffic.generate({ namespace, service: 'patient-api' }, 200);
  const colours = new Set(
    Object.keys(summary.byPod).map((pod) => sim.get('pod', namespace, pod)?.metadata.labels?.version),
  );
  return [...colours].sort();
}

describe('deploy-strategy blue-green and rollback', () => {
  it('releases to the idle colour, switches the Service selector, and the rollback action switches back', async () => {
    const namespace = freshNamespace(sim, 'blue-green');
    const ws = workspace(sim, { namespace });
    const blue = await run(sim, 'deploy-strategy', ws, {
      strategy: 'blue-green',
      manifests: 'k8s/patient-api.yml',
      image: pinned(1),
    });
    expect(blue.exitCode, logOf(blue)).toBe(0);
    expect(blue.outputs['active-color']).toBe('blue');
    expect(servedColours(namespace)).toEqual(['blue']);

    const green = await run(sim, 'deploy-strategy', ws, {
      strategy: 'blue-green',
      manifests: 'k8s/patient-api.yml',
      image: pinned(2),
    });
    expect(green.exitCode, logOf(green)).toBe(0);
    expect(green.outputs).toMatchObject({
      phase: 'complete',
      'active-color': 'green',
      image: pinned(2),
      'previous-image': pinned(1),
    });
    expect(imageOf(sim, namespace, 'patient-api-green')).toBe(pinned(2));
    expect(sim.get('service', namespace, 'patient-api')!.spec.selector.version).toBe('green');
    expect(servedColours(namespace)).toEqual(['green']);
    // The previous colour stays up for an instant rollback.
    expect(sim.get('deployment', namespace, 'patient-api-blue')!.spec.replicas).toBe(2);

    const back = await run(sim, 'rollback', ws, { when: 'always', reason: 'bad release' });
    expect(back.exitCode, logOf(back)).toBe(0);
    expect(back.outputs).toMatchObject({
      'rolled-back': 'true',
      'from-revision': 'green',
      'to-revision': 'blue',
      image: pinned(1),
      trigger: 'always',
    });
    expect(sim.get('service', namespace, 'patient-api')!.spec.selector.version).toBe('blue');
    expect(servedColours(namespace)).toEqual(['blue']);
    const rolledBack = auditEvents(ws).filter((e) => e.type.includes('service.rolledback'));
    expect(rolledBack).toHaveLength(1);
    expect(JSON.stringify(rolledBack[0])).toContain('bad release');
    expect(await auditVerifies(ws)).toBe(true);
  });

  it('scales the previous colour down with no delay, and a rollback scales it back up before switching', async () => {
    const namespace = freshNamespace(sim, 'bg-scaled');
    const ws = workspace(sim, { namespace });
    for (const n of [1, 2]) {
      const release = await run(sim, 'deploy-strategy', ws, {
        strategy: 'blue-green',
        manifests: 'k8s/patient-api.yml',
        image: pinned(n),
        'scale-down-delay': '0s',
      });
      expect(release.exitCode, logOf(release)).toBe(0);
    }
    expect(sim.get('deployment', namespace, 'patient-api-blue')!.spec.replicas).toBe(0);
    expect(servedColours(namespace)).toEqual(['green']);

    const back = await run(sim, 'rollback', ws, { when: 'always' });
    expect(back.exitCode, logOf(back)).toBe(0);
    expect(back.outputs).toMatchObject({ 'rolled-back': 'true', 'to-revision': 'blue', image: pinned(1) });
    const blue = sim.get('deployment', namespace, 'patient-api-blue')!;
    expect(blue.spec.replicas).toBe(2);
    expect(blue.status.availableReplicas).toBe(2);
    expect(servedColours(namespace)).toEqual(['blue']);
  });
});
