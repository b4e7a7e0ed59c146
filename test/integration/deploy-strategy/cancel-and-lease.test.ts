import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpRecorder } from '../../support/http-recorder.js';
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

describe('deploy-strategy cancellation and concurrency', () => {
  it('restores all traffic to stable in the post step when the job is cancelled mid-canary', async () => {
    const namespace = freshNamespace(sim, 'cancel');
    const ws = workspace(sim, { namespace, ingress: 'patient-api' });
    const stable = await run(sim, 'deploy-strategy', ws, {
      strategy: 'canary',
      manifests: 'k8s/patient-api.yml,k8s/ingress.yml',
      image: pinned(1),
    });
    expect(stable.exitCode, logOf(stable)).toBe(0);

    // The canary gets its 5 % within a couple of seconds, then waits on health checks that
    // never answer; the job is cancelled while it waits.
    const cancelled = await run(
      sim,
      'deploy-strategy',
      ws,
      {
        strategy: 'canary',
        manifests: 'k8s/patient-api.yml',
        image: pinned(2),
        'health-url': hangingApp.url,
      },
      { cancelAfterMs: 5000 },
    );
    expect(cancelled.exitCode).not.toBe(0);
    expect(
      sim.requests.some(
        (r) =>
          r.method === 'PATCH' && r.path.endsWith(`/namespaces/${namespace}/ingresses/patient-api-canary`),
      ),
      'the canary ingress carried traffic before the cancel',
    ).toBe(true);
    expect(cancelled.post?.exitCode, logOf(cancelled)).toBe(0);
    expect(cancelled.post?.stdout).toMatch(/canary weight set to 0 and canary removed/);
    expect(sim.get('ingress', namespace, 'patient-api-canary')).toBeUndefined();
    expect(sim.get('deployment', namespace, 'patient-api-canary')).toBeUndefined();
    expect(imageOf(sim, namespace, 'patient-api')).toBe(pinned(1));
    const summary = sim.traffic.generate({ namespace, ingress: 'patient-api' }, 500);
    expect(summary.byTrack.canary ?? 0).toBe(0);
    expect(sim.get('deployment', namespace, 'patient-api')!.metadata.annotations?.[LEASE]).toBeUndefined();
    const rolledBack = auditEvents(ws).find((e) => e.type.includes('service.rolledback'));
    expect(JSON.stringify(rolledBack)).toContain('cancelled');
    expect(await auditVerifies(ws)).toBe(true);
  });

  it('refuses a second run on the same deployment while the first holds the lease', async () => {
    const namespace = freshNamespace(sim, 'lease');
    const ws = workspace(sim, { namespace });
    const first = await run(sim, 'deploy-strategy', ws, {
      strategy: 'rolling',
      manifests: 'k8s/patient-api.yml',
      image: pinned(1),
    });
    expect(first.exitCode, logOf(first)).toBe(0);

    sim.setImageBehaviour(pinned(4), { readyDelayMs: 3000 });
    const slow = run(sim, 'deploy-strategy', ws, {
      strategy: 'rolling',
      manifests: 'k8s/patient-api.yml',
      image: pinned(4),
    });
    await sim.waitFor(
      () => !!sim.get('deployment', namespace, 'patient-api')?.metadata.annotations?.[LEASE],
      20_000,
      'the first run to take the lease',
    );
    const second = await run(
      sim,
      'deploy-strategy',
      ws,
      { strategy: 'rolling', manifests: 'k8s/patient-api.yml', image: pinned(5) },
      { env: { GITHUB_RUN_ID: '7002' } },
    );
    expect(second.exitCode).toBe(1);
    const error = second.annotations.find((a) => a.level === 'error')!.message;
    expect(error).toMatch(
      /deployments\/patient-api is being deployed by another run \(caresync\/patient-api\/7001\/1\/deploy\) until .*; refusing a concurrent deployment/,
    );
    const winner = await slow;
    expect(winner.exitCode, logOf(winner)).toBe(0);
    expect(imageOf(sim, namespace, 'patient-api')).toBe(pinned(4));
    expect(sim.get('deployment', namespace, 'patient-api')!.metadata.annotations?.[LEASE]).toBeUndefined();
  });
});
