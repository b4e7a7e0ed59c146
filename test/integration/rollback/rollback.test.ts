import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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
} from '../deploy-strategy/kube-run.js';

let sim: KubeSim;
let errorRate = 0;
/** A Prometheus answering instant queries: the error rate set by the test, P95 of 120 ms. */
const prometheus = new HttpRecorder((request) => {
  const query = new URLSearchParams(request.body).get('query') ?? '';
  const value = query.includes('histogram_quantile') ? '0.12' : String(errorRate);
  return {
    status: 200,
    body: { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, value] }] } },
  };
});

beforeAll(async () => {
  sim = await startKubeSim({ podReadyDelayMs: 200, podStartDelayMs: 50 });
  await prometheus.start();
});
afterAll(async () => {
  await sim?.stop();
  await prometheus.stop();
});
beforeEach(() => prometheus.reset());

const TRIGGERS = `rollback:
  triggers:
    healthSamples: 3
    sampleInterval: 50ms
`;

/** Two rolling releases, so revision 1 is there to go back to. */
async function twoReleases(namespace: string): Promise<string> {
  const ws = workspace(sim, { namespace, extra: TRIGGERS });
  for (const n of [1, 2]) {
    const release = await run(sim, 'deploy-strategy', ws, {
      strategy: 'rolling',
      manifests: 'k8s/patient-api.yml',
      image: pinned(n),
    });
    expect(release.exitCode, logOf(release)).toBe(0);
  }
  return ws;
}

describe('rollback action against the API simulator', () => {
  it('when: always restores the previous revision of a rolling release and verifies health', async () => {
    const namespace = freshNamespace(sim, 'undo');
    const ws = await twoReleases(namespace);
    const undo = await run(sim, 'rollback', ws, { when: 'always' });
    expect(undo.exitCode, logOf(undo)).toBe(0);
    expect(undo.outputs).toMatchObject({
      'rolled-back': 'true',
      'from-revision': '2',
      'to-revision': '1',
      image: pinned(1),
      trigger: 'always',
    });
    expect(imageOf(sim, namespace, 'patient-api')).toBe(pinned(1));
    const deployment = sim.get('deployment', namespace, 'patient-api')!;
    expect(deployment.metadata.annotations['deployment.kubernetes.io/revision']).toBe('3');
    expect(undo.summary).toMatch(/health ok/);
    expect(auditEvents(ws).some((e) => e.type.includes('service.rolledback'))).toBe(true);
    expect(await auditVerifies(ws)).toBe(true);
  });

  it('when: triggered rolls back when Prometheus reports an error rate above 1 %', async () => {
    const namespace = freshNamespace(sim, 'trig');
    const ws = await twoReleases(namespace);
    errorRate = 0.05;
    const undo = await run(sim, 'rollback', ws, { when: 'triggered', 'prometheus-url': prometheus.url });
    expect(undo.exitCode, logOf(undo)).toBe(0);
    expect(undo.outputs).toMatchObject({ 'rolled-back': 'true', trigger: 'error-rate', image: pinned(1) });
    expect(undo.outputs.reason).toMatch(/error-rate 5% \(limit 1%\)/);
    expect(prometheus.requests.length).toBeGreaterThanOrEqual(2);
    expect(imageOf(sim, namespace, 'patient-api')).toBe(pinned(1));
    const types = auditEvents(ws).map((e) => e.type);
    expect(types.some((t) => t.includes('incident.detected'))).toBe(true);
    expect(types.some((t) => t.includes('service.rolledback'))).toBe(true);
  });

  it('when: triggered leaves the release alone when the error rate is below 1 %', async () => {
    const namespace = freshNamespace(sim, 'calm');
    const ws = await twoReleases(namespace);
    errorRate = 0.002;
    const keep = await run(sim, 'rollback', ws, { when: 'triggered', 'prometheus-url': prometheus.url });
    expect(keep.exitCode, logOf(keep)).toBe(0);
    expect(keep.outputs).toMatchObject({
      'rolled-back': 'false',
      trigger: '',
      reason: 'no rollback trigger holds',
    });
    expect(imageOf(sim, namespace, 'patient-api')).toBe(pinned(2));
    expect(auditEvents(ws).some((e) => e.type.includes('service.rolledback'))).toBe(false);
  });
});
