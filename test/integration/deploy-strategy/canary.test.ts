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

const CANARY_WEIGHT = 'nginx.ingress.kubernetes.io/canary-weight';

/** Share of simulated requests through the ingress that land on the canary. */
function canaryShare(namespace: string): number {
  const summary = sim.traffic.generate({ namespace, ingress: 'patient-api' }, 4000);
  return (summary.byTrack.canary ?? 0) / summary.total;
}

describe('deploy-strategy canary through NGINX ingress weights', () => {
  it('deploys at 5 %, moves to step 2 (25 %), then promotes and removes the canary', async () => {
    const namespace = freshNamespace(sim, 'canary');
    const ws = workspace(sim, { namespace, ingress: 'patient-api' });
    const manifests = 'k8s/patient-api.yml,k8s/ingress.yml';
    const stable = await run(sim, 'deploy-strategy', ws, { strategy: 'canary', manifests, image: pinned(1) });
    expect(stable.exitCode, logOf(stable)).toBe(0);
    expect(stable.outputs.phase).toBe('complete');

    const start = await run(sim, 'deploy-strategy', ws, {
      strategy: 'canary',
      manifests: 'k8s/patient-api.yml',
      image: pinned(2),
    });
    expect(start.exitCode, logOf(start)).toBe(0);
    expect(start.outputs).toMatchObject({
      phase: 'canary',
      'canary-weight': '5',
      'remaining-steps': '[2,3,4,5]',
    });
    const canaryIngress = sim.get('ingress', namespace, 'patient-api-canary')!;
    expect(canaryIngress.metadata.annotations[CANARY_WEIGHT]).toBe('5');
    expect(imageOf(sim, namespace, 'patient-api-canary')).toBe(pinned(2));
    expect(imageOf(sim, namespace, 'patient-api')).toBe(pinned(1));
    const early = canaryShare(namespace);
    expect(early).toBeGreaterThan(0.02);
    expect(early).toBeLessThan(0.09);

    const step2 = await run(sim, 'deploy-strategy', ws, {
      strategy: 'canary',
      action: 'set-weight',
      step: 2,
    });
    expect(step2.exitCode, logOf(step2)).toBe(0);
    expect(step2.outputs).toMatchObject({
      phase: 'canary',
      'canary-weight': '25',
      'remaining-steps': '[3,4,5]',
    });
    expect(sim.get('ingress', namespace, 'patient-api-canary')!.metadata.annotations[CANARY_WEIGHT]).toBe(
      '25',
    );
    const later = canaryShare(namespace);
    expect(later).toBeGreaterThan(0.2);
    expect(later).toBeLessThan(0.3);

    const promoted = await run(sim, 'deploy-strategy', ws, { strategy: 'canary', action: 'promote' });
    expect(promoted.exitCode, logOf(promoted)).toBe(0);
    expect(promoted.outputs).toMatchObject({
      phase: 'promoted',
      'canary-weight': '0',
      'remaining-steps': '[]',
      image: pinned(2),
      'previous-image': pinned(1),
    });
    expect(imageOf(sim, namespace, 'patient-api')).toBe(pinned(2));
    expect(sim.get('deployment', namespace, 'patient-api-canary')).toBeUndefined();
    expect(sim.get('ingress', namespace, 'patient-api-canary')).toBeUndefined();
    expect(canaryShare(namespace)).toBe(0);
    await sim.waitFor(
      () => sim.list('pod', namespace).every((p) => !p.metadata.labels?.['deploy-actions.io/canary-of']),
      10_000,
      'the canary pods to be collected',
    );
    const shifts = auditEvents(ws).filter((e) => e.type.includes('traffic'));
    expect(shifts.length).toBeGreaterThanOrEqual(3);
    expect(await auditVerifies(ws)).toBe(true);
  });

  it('removes a canary that never becomes ready, leaving all traffic on stable', async () => {
    const namespace = freshNamespace(sim, 'canary-bad');
    const ws = workspace(sim, { namespace, ingress: 'patient-api' });
    const stable = await run(sim, 'deploy-strategy', ws, {
      strategy: 'canary',
      manifests: 'k8s/patient-api.yml,k8s/ingress.yml',
      image: pinned(1),
    });
    expect(stable.exitCode, logOf(stable)).toBe(0);
    sim.setImageBehaviour(pinned(7), { neverReady: true });

    const bad = await run(sim, 'deploy-strategy', ws, {
      strategy: 'canary',
      manifests: 'k8s/patient-api.yml',
      image: pinned(7),
      timeout: '2s',
    });
    expect(bad.exitCode).toBe(1);
    expect(bad.outputs).toMatchObject({ phase: 'rolled-back', 'canary-weight': '0', 'rolled-back': 'true' });
    expect(bad.annotations.find((a) => a.level === 'error')!.message).toMatch(
      /canary patient-api-canary did not become ready: timed out/,
    );
    expect(sim.get('deployment', namespace, 'patient-api-canary')).toBeUndefined();
    expect(sim.get('ingress', namespace, 'patient-api-canary')).toBeUndefined();
    expect(imageOf(sim, namespace, 'patient-api')).toBe(pinned(1));
    expect(canaryShare(namespace)).toBe(0);
  });

  it('weights HTTPRoute backendRefs, moves with next-step, and the rollback action removes the canary', async () => {
    const namespace = freshNamespace(sim, 'route');
    const ws = workspace(sim, { namespace, route: 'patient-api' });
    const stable = await run(sim, 'deploy-strategy', ws, {
      strategy: 'canary',
      manifests: 'k8s/patient-api.yml,k8s/httproute.yml',
      image: pinned(1),
    });
    expect(stable.exitCode, logOf(stable)).toBe(0);
    const weights = () =>
      Object.fromEntries(
        sim
          .get('httproute', namespace, 'patient-api')!
          .spec.rules[0].backendRefs.map((b: { name: string; weight?: number }) => [b.name, b.weight]),
      );

    const start = await run(sim, 'deploy-strategy', ws, {
      strategy: 'canary',
      manifests: 'k8s/patient-api.yml',
      image: pinned(2),
    });
    expect(start.exitCode, logOf(start)).toBe(0);
    expect(weights()).toEqual({ 'patient-api': 95, 'patient-api-canary': 5 });
    const next = await run(sim, 'deploy-strategy', ws, { strategy: 'canary', action: 'next-step' });
    expect(next.exitCode, logOf(next)).toBe(0);
    expect(next.outputs).toMatchObject({ 'canary-weight': '25', 'remaining-steps': '[3,4,5]' });
    expect(weights()).toEqual({ 'patient-api': 75, 'patient-api-canary': 25 });
    const routed = sim.traffic.generate({ namespace, httpRoute: 'patient-api' }, 4000);
    expect((routed.byTrack.canary ?? 0) / routed.total).toBeGreaterThan(0.2);

    const abort = await run(sim, 'rollback', ws, { when: 'always', reason: 'canary looks wrong' });
    expect(abort.exitCode, logOf(abort)).toBe(0);
    expect(abort.outputs).toMatchObject({ 'rolled-back': 'true', 'to-revision': '1', image: pinned(1) });
    expect(weights()).toEqual({ 'patient-api': undefined });
    expect(sim.get('deployment', namespace, 'patient-api-canary')).toBeUndefined();
    expect(sim.get('service', namespace, 'patient-api-canary')).toBeUndefined();
    const after = sim.traffic.generate({ namespace, httpRoute: 'patient-api' }, 500);
    expect(after.byTrack.canary ?? 0).toBe(0);
    expect(after.byTrack.stable).toBe(500);
  });
});
