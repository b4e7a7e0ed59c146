import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/harness.js';
import { type KubeSim, startKubeSim } from '../../support/kube-sim/index.js';
import {
  auditEvents,
  auditVerifies,
  detailsOf,
  freshNamespace,
  imageOf,
  logOf,
  pinned,
  run,
  workspace,
  writeManifest,
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

  it('undoes a promotion whose stable rollout never completes, back to the previous template', async () => {
    const namespace = freshNamespace(sim, 'promote-bad');
    const ws = workspace(sim, { namespace, ingress: 'patient-api' });
    const stable = await run(sim, 'deploy-strategy', ws, {
      strategy: 'canary',
      manifests: 'k8s/patient-api.yml,k8s/ingress.yml',
      image: pinned(1),
    });
    expect(stable.exitCode, logOf(stable)).toBe(0);
    const start = await run(sim, 'deploy-strategy', ws, {
      strategy: 'canary',
      manifests: 'k8s/patient-api.yml',
      image: pinned(6),
    });
    expect(start.exitCode, logOf(start)).toBe(0);
    // The canary's pods stay ready; stable's new ones would take two minutes.
    sim.setImageBehaviour(pinned(6), { readyDelayMs: 120_000 });

    const promote = await run(sim, 'deploy-strategy', ws, {
      strategy: 'canary',
      action: 'promote',
      timeout: '3s',
    });
    expect(promote.exitCode).toBe(1);
    expect(promote.outputs).toMatchObject({
      phase: 'rolled-back',
      'rolled-back': 'true',
      'canary-weight': '0',
    });
    expect(promote.annotations.find((a) => a.level === 'error')!.message).toMatch(
      /promotion of patient-api did not complete: timed out.*; rolled back: promotion undone: deployment "patient-api" restored from revision 2 to the template of revision 1/,
    );
    expect(imageOf(sim, namespace, 'patient-api')).toBe(pinned(1));
    await sim.waitForRollout(namespace, 'patient-api', 10_000);
    expect(sim.get('deployment', namespace, 'patient-api-canary')).toBeUndefined();
    expect(sim.get('ingress', namespace, 'patient-api-canary')).toBeUndefined();
    expect(canaryShare(namespace)).toBe(0);
  });
});

describe('deploy-strategy canary by replica ratio (no ingress, no route)', () => {
  it('reports the weight the pod ratio actually gives, in the outputs, the summary and the audit trail', async () => {
    const namespace = freshNamespace(sim, 'ratio');
    const ws = workspace(sim, { namespace });
    const manifest = writeManifest(
      ws,
      'four.yml',
      readFileSync(join(repoRoot, 'test/fixtures/k8s/patient-api.yml'), 'utf8').replace(
        'replicas: 2',
        'replicas: 4',
      ),
    );
    const stable = await run(sim, 'deploy-strategy', ws, {
      strategy: 'canary',
      manifests: manifest,
      image: pinned(1),
    });
    expect(stable.exitCode, logOf(stable)).toBe(0);
    expect(stable.outputs.phase).toBe('complete');

    // Step 1 asks for 5 %; with 4 pods the nearest the ratio can do is 1 canary pod of 4.
    const start = await run(sim, 'deploy-strategy', ws, {
      strategy: 'canary',
      manifests: manifest,
      image: pinned(2),
    });
    expect(start.exitCode, logOf(start)).toBe(0);
    expect(start.outputs).toMatchObject({
      phase: 'canary',
      'canary-weight': '25',
      'remaining-steps': '[2,3,4,5]',
    });
    expect(JSON.parse(start.outputs.state!)).toMatchObject({ traffic: 'replicas', weight: 25, step: 1 });
    expect(start.summary).toContain(
      '| Canary weight | 25% by replica ratio: 1 canary pod(s) of 4 (asked 5%) |',
    );
    expect(sim.get('deployment', namespace, 'patient-api-canary')!.spec.replicas).toBe(1);
    expect(sim.get('deployment', namespace, 'patient-api')!.spec.replicas).toBe(3);
    await sim.waitForRollout(namespace, 'patient-api', 10_000);
    const early = sim.traffic.generate({ namespace, service: 'patient-api' }, 4000);
    expect((early.byTrack.canary ?? 0) / early.total).toBeGreaterThan(0.2);
    expect((early.byTrack.canary ?? 0) / early.total).toBeLessThan(0.3);

    const step3 = await run(sim, 'deploy-strategy', ws, {
      strategy: 'canary',
      action: 'set-weight',
      step: 3,
    });
    expect(step3.exitCode, logOf(step3)).toBe(0);
    expect(step3.outputs).toMatchObject({ 'canary-weight': '50', 'remaining-steps': '[4,5]' });
    expect(step3.summary).toContain('| Canary weight | 50% by replica ratio: 2 canary pod(s) of 4 |');
    expect(sim.get('deployment', namespace, 'patient-api')!.spec.replicas).toBe(2);

    const shifts = auditEvents(ws).filter((e) => e.type === 'dev.deploy-actions.traffic.shifted.v1');
    expect(shifts.map((e) => detailsOf(e))).toEqual([
      expect.objectContaining({ from: 0, to: 25, requested: 5, step: 1, via: 'replicas' }),
      expect.objectContaining({ from: 25, to: 50, step: 3, via: 'replicas' }),
    ]);

    const promoted = await run(sim, 'deploy-strategy', ws, { strategy: 'canary', action: 'promote' });
    expect(promoted.exitCode, logOf(promoted)).toBe(0);
    expect(promoted.outputs).toMatchObject({ phase: 'promoted', 'canary-weight': '0', image: pinned(2) });
    expect(sim.get('deployment', namespace, 'patient-api')!.spec.replicas).toBe(4);
    expect(sim.get('deployment', namespace, 'patient-api-canary')).toBeUndefined();
    expect(await auditVerifies(ws)).toBe(true);
  });
});
