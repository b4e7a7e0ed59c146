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

describe('deploy-strategy rolling against the API simulator', () => {
  it('applies the manifests with the image pinned by digest, watches the rollout and checks health', async () => {
    const namespace = freshNamespace(sim, 'rolling');
    const ws = workspace(sim, { namespace });
    const first = await run(sim, 'deploy-strategy', ws, {
      strategy: 'rolling',
      manifests: 'k8s/patient-api.yml',
      image: pinned(1),
    });
    expect(first.exitCode, logOf(first)).toBe(0);
    expect(first.outputs.revision).toBe('1');
    expect(imageOf(sim, namespace, 'patient-api')).toBe(pinned(1));

    const second = await run(sim, 'deploy-strategy', ws, {
      strategy: 'rolling',
      manifests: 'k8s/patient-api.yml',
      image: pinned(2),
    });
    expect(second.exitCode, logOf(second)).toBe(0);
    expect(second.outputs).toMatchObject({
      strategy: 'rolling',
      phase: 'complete',
      revision: '2',
      'previous-revision': '1',
      'previous-image': pinned(1),
      image: pinned(2),
      'rolled-back': 'false',
    });
    const deployment = sim.get('deployment', namespace, 'patient-api')!;
    expect(deployment.status.updatedReplicas).toBe(2);
    expect(deployment.status.availableReplicas).toBe(2);
    // The watch, not polling, saw the rollout through.
    expect(
      sim.requests.some((r) => r.verb === 'watch' && r.path.includes(`/namespaces/${namespace}/deployments`)),
    ).toBe(true);
    expect(second.stdout).toMatch(/health: health ok .*ready ok .*live ok/);
    expect(await auditVerifies(ws)).toBe(true);
    const types = auditEvents(ws).map((e) => e.type);
    expect(types.some((t) => t.includes('service.deployed'))).toBe(true);
    expect(types.some((t) => t.includes('service.upgraded'))).toBe(true);
  });
});

describe('deploy-strategy rolling failure', () => {
  it('rolls a release that never becomes ready back to the previous revision and fails with the reason', async () => {
    const namespace = freshNamespace(sim, 'never-ready');
    const ws = workspace(sim, { namespace });
    const first = await run(sim, 'deploy-strategy', ws, {
      strategy: 'rolling',
      manifests: 'k8s/patient-api.yml',
      image: pinned(1),
    });
    expect(first.exitCode, logOf(first)).toBe(0);
    sim.setImageBehaviour(pinned(3), { neverReady: true });

    const bad = await run(sim, 'deploy-strategy', ws, {
      strategy: 'rolling',
      manifests: 'k8s/patient-api.yml',
      image: pinned(3),
      timeout: '3s',
    });
    expect(bad.exitCode).toBe(1);
    expect(bad.outputs).toMatchObject({
      phase: 'rolled-back',
      'rolled-back': 'true',
      'previous-revision': '1',
    });
    const error = bad.annotations.find((a) => a.level === 'error')!.message;
    expect(error).toMatch(/rollout of patient-api did not complete: timed out/);
    expect(error).toMatch(/rolled back: .*template of revision 1/);
    expect(imageOf(sim, namespace, 'patient-api')).toBe(pinned(1));
    await sim.waitForRollout(namespace, 'patient-api', 10_000);
    const rolledBack = auditEvents(ws).find((e) => e.type.includes('service.rolledback'));
    expect(rolledBack).toBeDefined();
    expect(JSON.stringify(rolledBack)).toContain('did not complete');
    expect(await auditVerifies(ws)).toBe(true);
  });

  it('rolls back when the release rolls out but its /health answers unhealthy', async () => {
    const namespace = freshNamespace(sim, 'unhealthy');
    const ws = workspace(sim, { namespace });
    const first = await run(sim, 'deploy-strategy', ws, {
      strategy: 'rolling',
      manifests: 'k8s/patient-api.yml',
      image: pinned(1),
    });
    expect(first.exitCode, logOf(first)).toBe(0);
    sim.setImageBehaviour(pinned(6), { health: 'unhealthy' });

    const bad = await run(sim, 'deploy-strategy', ws, {
      strategy: 'rolling',
      manifests: 'k8s/patient-api.yml',
      image: pinned(6),
    });
    expect(bad.exitCode).toBe(1);
    expect(bad.outputs).toMatchObject({ phase: 'rolled-back', 'rolled-back': 'true', revision: '2' });
    const error = bad.annotations.find((a) => a.level === 'error')!.message;
    expect(error).toMatch(/health checks failed after the rollout: health failed/);
    await sim.waitForRollout(namespace, 'patient-api', 10_000);
    expect(imageOf(sim, namespace, 'patient-api')).toBe(pinned(1));
    expect(auditEvents(ws).some((e) => e.type.includes('service.rolledback'))).toBe(true);
  });

  it('recreate stops the old pods before the new release starts', async () => {
    const namespace = freshNamespace(sim, 'recreate');
    const ws = workspace(sim, { namespace });
    const first = await run(sim, 'deploy-strategy', ws, {
      strategy: 'rolling',
      manifests: 'k8s/patient-api.yml',
      image: pinned(1),
    });
    expect(first.exitCode, logOf(first)).toBe(0);
    const seen = sim.requests.length;
    const second = await run(sim, 'deploy-strategy', ws, {
      strategy: 'recreate',
      manifests: 'k8s/patient-api.yml',
      image: pinned(2),
    });
    expect(second.exitCode, logOf(second)).toBe(0);
    expect(second.outputs).toMatchObject({ strategy: 'recreate', phase: 'complete', revision: '2' });
    expect(second.stdout).toMatch(/scaled patient-api to 0 for the recreate/);
    // The scale-down went out before the new template was applied.
    const writes = sim.requests
      .slice(seen)
      .filter(
        (r) => r.method === 'PATCH' && r.path.endsWith(`/namespaces/${namespace}/deployments/patient-api`),
      );
    const applyIndex = writes.findIndex((r) => r.contentType === 'application/apply-patch+yaml');
    // The lease, then the scale to zero, then the new template.
    expect(applyIndex).toBeGreaterThanOrEqual(2);
    expect(sim.list('pod', namespace).every((p) => p.spec.containers[0].image === pinned(2))).toBe(true);
    expect(imageOf(sim, namespace, 'patient-api')).toBe(pinned(2));
  });

  it('dry-run sends every manifest through the API without storing anything', async () => {
    const namespace = freshNamespace(sim, 'dry-run');
    const ws = workspace(sim, { namespace });
    const first = await run(sim, 'deploy-strategy', ws, {
      strategy: 'rolling',
      manifests: 'k8s/patient-api.yml',
      image: pinned(1),
    });
    expect(first.exitCode, logOf(first)).toBe(0);
    const before = sim.get('deployment', namespace, 'patient-api')!.metadata.resourceVersion;
    const seen = sim.requests.length;
    const dry = await run(sim, 'deploy-strategy', ws, {
      strategy: 'rolling',
      manifests: 'k8s/patient-api.yml',
      image: pinned(2),
      'dry-run': true,
    });
    expect(dry.exitCode, logOf(dry)).toBe(0);
    expect(dry.outputs.phase).toBe('dry-run');
    expect(dry.summary).toMatch(
      /update Deployment\/patient-api \(k8s\/patient-api\.yml, document 1\): accepted by the server/,
    );
    const applies = sim.requests
      .slice(seen)
      .filter((r) => r.method === 'PATCH' && r.contentType === 'application/apply-patch+yaml');
    expect(applies.map((r) => r.path.split('/').slice(-2).join('/'))).toEqual([
      'deployments/patient-api',
      'services/patient-api',
    ]);
    expect(sim.get('deployment', namespace, 'patient-api')!.metadata.resourceVersion).toBe(before);
    expect(imageOf(sim, namespace, 'patient-api')).toBe(pinned(1));
  });
});
