import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpRecorder } from '../../support/http-recorder.js';
import { type KubeSim, rolloutComplete, startKubeSim } from '../../support/kube-sim/index.js';
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
} from './kube-run.js';

let sim: KubeSim;
/** An application whose health endpoint never answers: the step sits in its health checks. */
const hangingApp = new HttpRecorder(() => ({ status: 200, delayMs: 'hang' }));
beforeAll(async () => {
  sim = await startKubeSim({ podReadyDelayMs: 200, podStartDelayMs: 50 });
  await hangingApp.start();
});
afterAll(async () => {
  await sim?.stop();
  await hangingApp.stop();
});

const LEASE = 'deploy-actions.io/lease';
const STATE = 'deploy-actions.io/state';
const REVISION = 'deployment.kubernetes.io/revision';

function stateOf(kind: string, namespace: string, name: string): Record<string, unknown> {
  return JSON.parse(sim.get(kind, namespace, name)!.metadata.annotations[STATE]);
}

/** Images of the pods still running in the namespace (terminating ones left out). */
function podImages(namespace: string): string[] {
  const images = sim
    .list('pod', namespace)
    .filter((p) => !p.metadata.deletionTimestamp)
    .map((p) => p.spec.containers[0].image as string);
  return [...new Set(images)].sort();
}

/** Which colour's pods answer requests sent through the live Service. */
function servedColours(namespace: string): string[] {
  const summary = sim.traffic.generate({ namespace, service: 'patient-api' }, 200);
  const colours = new Set(
    Object.keys(summary.byPod).map((pod) => sim.get('pod', namespace, pod)?.metadata.labels?.version),
  );
  return [...colours].sort();
}

describe('deploy-strategy cancelled in the middle of a promotion or a blue-green switch', () => {
  it('puts stable back on its previous template and removes the canary when cancelled mid-promotion', async () => {
    const namespace = freshNamespace(sim, 'cancel-promote');
    const ws = workspace(sim, { namespace, ingress: 'patient-api' });
    const stable = await run(sim, 'deploy-strategy', ws, {
      strategy: 'canary',
      manifests: 'k8s/patient-api.yml,k8s/ingress.yml',
      image: pinned(1),
    });
    expect(stable.exitCode, logOf(stable)).toBe(0);
    const canary = await run(sim, 'deploy-strategy', ws, {
      strategy: 'canary',
      manifests: 'k8s/patient-api.yml',
      image: pinned(3),
    });
    expect(canary.exitCode, logOf(canary)).toBe(0);
    expect(canary.outputs['canary-weight']).toBe('5');
    const revisionBefore = sim.get('deployment', namespace, 'patient-api')!.metadata.annotations[REVISION];

    // New pods of the release now take two minutes to become ready (the canary's stay ready),
    // so the promotion is still rolling stable over when the job is cancelled.
    sim.setImageBehaviour(pinned(3), { readyDelayMs: 120_000 });
    const promote = await run(
      sim,
      'deploy-strategy',
      ws,
      { strategy: 'canary', action: 'promote' },
      { cancelAfterMs: 8000 },
    );
    expect(promote.exitCode).not.toBe(0);
    expect(promote.annotations.find((a) => a.level === 'error')?.message).toMatch(
      /cancelled.*; the post step undoes whatever this run left unfinished$/,
    );
    expect(promote.stdout).toMatch(/promoting: patient-api takes the canary's template/);
    const promoted = sim
      .list('replicaset', namespace)
      .find(
        (rs) =>
          rs.metadata.name.startsWith('patient-api-') &&
          !rs.metadata.name.startsWith('patient-api-canary') &&
          rs.spec.template.spec.containers[0].image === pinned(3),
      );
    expect(promoted, 'stable had started rolling to the canary template').toBeDefined();

    expect(promote.post?.exitCode, logOf(promote)).toBe(0);
    expect(promote.post?.stdout).toMatch(
      new RegExp(
        `promotion undone: deployment "patient-api" restored from revision \\d+ to the template of revision ${revisionBefore}.*canary removed`,
      ),
    );
    const after = sim.get('deployment', namespace, 'patient-api')!;
    expect(imageOf(sim, namespace, 'patient-api')).toBe(pinned(1));
    expect(rolloutComplete(after)).toBe(true);
    expect(after.spec.replicas).toBe(2);
    expect(sim.get('deployment', namespace, 'patient-api-canary')).toBeUndefined();
    expect(sim.get('ingress', namespace, 'patient-api-canary')).toBeUndefined();
    await sim.waitFor(
      () => podImages(namespace).join() === pinned(1),
      10_000,
      'only pods of the previous release',
    );
    const traffic = sim.traffic.generate({ namespace, ingress: 'patient-api' }, 500);
    expect(traffic.byTrack.canary ?? 0).toBe(0);
    expect(stateOf('deployment', namespace, 'patient-api')).toMatchObject({
      phase: 'rolled-back',
      weight: 0,
      image: pinned(1),
    });
    expect(after.metadata.annotations[LEASE]).toBeUndefined();

    const rolledBack = auditEvents(ws).filter((e) => e.type.includes('service.rolledback'));
    expect(rolledBack).toHaveLength(1);
    expect(detailsOf(rolledBack[0])).toMatchObject({
      cancelled: true,
      interrupted: 'promotion of the canary to stable',
      phase: 'promoting',
      strategy: 'canary',
      toRevision: revisionBefore,
    });
    expect(await auditVerifies(ws)).toBe(true);
  });

  it('switches the live Service back to the previous, ready colour when cancelled after the switch', async () => {
    const namespace = freshNamespace(sim, 'cancel-switch');
    // Health requests hang for 30 s each: the step is still checking green when it is cancelled.
    const ws = workspace(sim, { namespace, health: { timeout: '30s', retries: 3 } });
    const blue = await run(sim, 'deploy-strategy', ws, {
      strategy: 'blue-green',
      manifests: 'k8s/patient-api.yml',
      image: pinned(1),
    });
    expect(blue.exitCode, logOf(blue)).toBe(0);

    const green = await run(
      sim,
      'deploy-strategy',
      ws,
      {
        strategy: 'blue-green',
        manifests: 'k8s/patient-api.yml',
        image: pinned(4),
        'health-url': hangingApp.url,
      },
      { cancelAfterMs: 8000 },
    );
    expect(green.exitCode).not.toBe(0);
    expect(green.stdout, 'the switch happened before the cancel').toMatch(
      /service patient-api switched from blue to green/,
    );
    expect(green.post?.exitCode, logOf(green)).toBe(0);
    expect(green.post?.stdout).toMatch(/service "patient-api" switched back from green to blue/);
    expect(green.post?.stdout).toMatch(
      /the live Service selects blue \(patient-api-blue\) with 2 ready pod\(s\)/,
    );

    const service = sim.get('service', namespace, 'patient-api')!;
    expect(service.spec.selector.version).toBe('blue');
    const blueDeployment = sim.get('deployment', namespace, 'patient-api-blue')!;
    expect(rolloutComplete(blueDeployment)).toBe(true);
    expect(blueDeployment.status.availableReplicas).toBe(2);
    expect(servedColours(namespace)).toEqual(['blue']);
    expect(stateOf('service', namespace, 'patient-api')).toMatchObject({
      phase: 'rolled-back',
      activeColor: 'blue',
      image: pinned(1),
    });
    expect(service.metadata.annotations[LEASE]).toBeUndefined();

    const rolledBack = auditEvents(ws).filter((e) => e.type.includes('service.rolledback'));
    expect(rolledBack).toHaveLength(1);
    expect(detailsOf(rolledBack[0])).toMatchObject({
      cancelled: true,
      phase: 'switched',
      strategy: 'blue-green',
      fromRevision: 'green',
      toRevision: 'blue',
      liveColor: 'blue',
      liveReady: true,
    });
    expect(String(detailsOf(rolledBack[0])?.interrupted)).toMatch(/blue-green switch to green/);
    expect(await auditVerifies(ws)).toBe(true);
  });

  it('leaves the live Service on the ready colour and records it when cancelled before the switch', async () => {
    const namespace = freshNamespace(sim, 'cancel-pre-switch');
    const ws = workspace(sim, { namespace });
    const blue = await run(sim, 'deploy-strategy', ws, {
      strategy: 'blue-green',
      manifests: 'k8s/patient-api.yml',
      image: pinned(1),
    });
    expect(blue.exitCode, logOf(blue)).toBe(0);

    sim.setImageBehaviour(pinned(5), { readyDelayMs: 120_000 });
    const green = await run(
      sim,
      'deploy-strategy',
      ws,
      { strategy: 'blue-green', manifests: 'k8s/patient-api.yml', image: pinned(5) },
      { cancelAfterMs: 8000 },
    );
    expect(green.exitCode).not.toBe(0);
    expect(green.stdout).not.toMatch(/switched/);
    expect(imageOf(sim, namespace, 'patient-api-green')).toBe(pinned(5));
    expect(green.post?.exitCode, logOf(green)).toBe(0);
    expect(green.post?.stdout).toMatch(/traffic never moved: the Service still selects blue/);

    const service = sim.get('service', namespace, 'patient-api')!;
    expect(service.spec.selector.version).toBe('blue');
    expect(rolloutComplete(sim.get('deployment', namespace, 'patient-api-blue'))).toBe(true);
    expect(servedColours(namespace)).toEqual(['blue']);
    expect(service.metadata.annotations[LEASE]).toBeUndefined();

    const events = auditEvents(ws);
    expect(events.filter((e) => e.type.includes('service.rolledback'))).toHaveLength(0);
    const cancelled = events.find((e) => e.type === 'dev.deploy-actions.deployment.cancelled.v1');
    expect(detailsOf(cancelled)).toMatchObject({
      cancelled: true,
      phase: 'progressing',
      liveColor: 'blue',
      liveReady: true,
      detail: 'traffic never moved: the Service still selects blue',
    });
    expect(await auditVerifies(ws)).toBe(true);
  });
});
