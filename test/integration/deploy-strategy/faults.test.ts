import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type KubeSim, startKubeSim } from '../../support/kube-sim/index.js';
import {
  auditEvents,
  auditVerifies,
  digest,
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
afterEach(() => sim.faults.clear());

/** A namespace with release 1 rolled out, ready for a second release under some fault. */
async function deployedOnce(prefix: string): Promise<{ namespace: string; ws: string }> {
  const namespace = freshNamespace(sim, prefix);
  const ws = workspace(sim, { namespace });
  const first = await run(sim, 'deploy-strategy', ws, {
    strategy: 'rolling',
    manifests: 'k8s/patient-api.yml',
    image: pinned(1),
  });
  expect(first.exitCode, logOf(first)).toBe(0);
  return { namespace, ws };
}

const release2 = { strategy: 'rolling', manifests: 'k8s/patient-api.yml', image: pinned(2) };
const errorOf = (r: { annotations: { level: string; message: string }[] }) =>
  r.annotations.find((a) => a.level === 'error')?.message ?? '';

describe('deploy-strategy under API faults', () => {
  it('retries a PATCH answered 429 (Retry-After) and 500, and ends fully on the new release', async () => {
    const { namespace, ws } = await deployedOnce('retry');
    const path = `/namespaces/${namespace}/deployments/patient-api`;
    const throttled = sim.faults.add({ method: 'PATCH', path, status: 429, retryAfterSeconds: 1, times: 1 });
    const broken = sim.faults.add({ method: 'PATCH', path, status: 500, times: 1 });
    const result = await run(sim, 'deploy-strategy', ws, release2);
    expect(result.exitCode, logOf(result)).toBe(0);
    expect(throttled.hits).toBe(1);
    expect(broken.hits).toBe(1);
    expect(result.stdout).toMatch(/retrying: PATCH .*HTTP 429/);
    expect(result.stdout).toMatch(/retrying: PATCH .*HTTP 500/);
    expect(result.summary).toMatch(/Faults handled: 2 retried request\(s\)/);
    expect(imageOf(sim, namespace, 'patient-api')).toBe(pinned(2));
    expect(sim.get('deployment', namespace, 'patient-api')!.status.updatedReplicas).toBe(2);
    // The audit trail says which release serves, and that the faults were met.
    const events = auditEvents(ws);
    const upgraded = events.filter((e) => e.type.includes('service.upgraded')).at(-1);
    expect(JSON.stringify(upgraded)).toContain(digest(2));
    const finished = events.filter((e) => e.type.includes('taskrun.finished')).at(-1);
    expect(JSON.stringify(finished)).toMatch(/"retries":2/);
    expect(await auditVerifies(ws)).toBe(true);
  });

  it('resumes a dropped watch from the last resourceVersion', async () => {
    const { namespace, ws } = await deployedOnce('watch');
    sim.setImageBehaviour(pinned(2), { readyDelayMs: 1500 });
    const dropped = sim.faults.add({
      verb: 'watch',
      path: `/namespaces/${namespace}/deployments`,
      dropWatchAfterMs: 300,
      times: 1,
    });
    const result = await run(sim, 'deploy-strategy', ws, release2);
    expect(result.exitCode, logOf(result)).toBe(0);
    expect(dropped.hits).toBe(1);
    const watches = sim.requests.filter(
      (r) => r.verb === 'watch' && r.path.endsWith(`/namespaces/${namespace}/deployments`),
    );
    expect(watches.length).toBeGreaterThanOrEqual(2);
    expect(result.summary).toMatch(/[1-9]\d* watch resume\(s\)/);
    expect(imageOf(sim, namespace, 'patient-api')).toBe(pinned(2));
    expect(sim.get('deployment', namespace, 'patient-api')!.status.availableReplicas).toBe(2);
  });

  it('re-lists when the watch history was compacted (410 Gone) and still sees the rollout through', async () => {
    const { namespace, ws } = await deployedOnce('gone');
    sim.setImageBehaviour(pinned(2), { readyDelayMs: 2000 });
    const seen = sim.requests.length;
    const pending = run(sim, 'deploy-strategy', ws, release2);
    const isWatching = () =>
      sim.requests
        .slice(seen)
        .some((r) => r.verb === 'watch' && r.path.endsWith(`/namespaces/${namespace}/deployments`));
    await new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const timer = setInterval(() => {
        if (isWatching()) {
          clearInterval(timer);
          resolve();
        } else if (Date.now() - started > 20_000) {
          clearInterval(timer);
          reject(new Error('the step never opened a watch'));
        }
      }, 10);
    });
    // Something changes after the step's last event, then history is compacted past it.
    sim.create('configmap', namespace, { metadata: { name: 'unrelated' }, data: { a: '1' } });
    sim.compact();
    sim.dropWatches();
    const result = await pending;
    expect(result.exitCode, logOf(result)).toBe(0);
    expect(result.summary).toMatch(/[1-9]\d* re-list\(s\)/);
    expect(imageOf(sim, namespace, 'patient-api')).toBe(pinned(2));
    expect(sim.get('deployment', namespace, 'patient-api')!.status.availableReplicas).toBe(2);
  });

  it('re-reads and retries after a 409 Conflict', async () => {
    const { namespace, ws } = await deployedOnce('conflict');
    const conflict = sim.faults.add({
      method: 'PATCH',
      path: `/namespaces/${namespace}/deployments/patient-api`,
      status: 409,
      times: 1,
    });
    const result = await run(sim, 'deploy-strategy', ws, release2);
    expect(result.exitCode, logOf(result)).toBe(0);
    expect(conflict.hits).toBe(1);
    expect(result.summary).toMatch(/1 conflict\(s\) re-read/);
    expect(imageOf(sim, namespace, 'patient-api')).toBe(pinned(2));
  });
});

describe('deploy-strategy bad input', () => {
  it('reports the API 422 message with the file and document index, changing nothing', async () => {
    const { namespace, ws } = await deployedOnce('invalid');
    const file = writeManifest(
      ws,
      'invalid.yml',
      `apiVersion: v1
kind: ConfigMap
metadata:
  name: patient-api-settings
data:
  LOG_LEVEL: info
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: patient-api
spec:
  replicas: 2
  selector:
    matchLabels:
      app: patient-api
  template:
    metadata:
      labels:
        app: something-else
    spec:
      containers:
        - name: patient-api
          image: registry.example/caresync/patient-api:1.0.0
`,
    );
    const result = await run(sim, 'deploy-strategy', ws, { ...release2, manifests: file });
    expect(result.exitCode).toBe(1);
    expect(errorOf(result)).toMatch(
      /k8s\/invalid\.yml \(document 2\): Deployment "patient-api" was refused \(HTTP 422\): .*selector.* does not match template .*labels/,
    );
    expect(imageOf(sim, namespace, 'patient-api')).toBe(pinned(1));
  });

  it('names a missing namespace', async () => {
    const ws = workspace(sim, { namespace: 'no-such-namespace' });
    const result = await run(sim, 'deploy-strategy', ws, release2);
    expect(result.exitCode).toBe(1);
    expect(errorOf(result)).toBe('namespace "no-such-namespace" does not exist in the cluster');
  });

  it('names a missing deployment when only an image is given', async () => {
    const { namespace, ws } = await deployedOnce('missing');
    const result = await run(sim, 'deploy-strategy', ws, {
      strategy: 'rolling',
      deployment: 'ghost',
      image: pinned(2),
    });
    expect(result.exitCode).toBe(1);
    expect(errorOf(result)).toMatch(`deployment "ghost" does not exist in namespace "${namespace}"`);
  });

  it('names a container that is not there, in the manifests and on the cluster', async () => {
    const { namespace, ws } = await deployedOnce('container');
    const inManifests = await run(sim, 'deploy-strategy', ws, { ...release2, container: 'sidecar' });
    expect(inManifests.exitCode).toBe(1);
    expect(errorOf(inManifests)).toMatch(
      /input "container": no container named "sidecar" in the manifests \(containers found: patient-api\)/,
    );
    const onCluster = await run(sim, 'deploy-strategy', ws, {
      strategy: 'rolling',
      image: pinned(2),
      container: 'sidecar',
    });
    expect(onCluster.exitCode).toBe(1);
    expect(errorOf(onCluster)).toMatch(
      /deployment "patient-api" has no container "sidecar"; it has patient-api/,
    );
    expect(imageOf(sim, namespace, 'patient-api')).toBe(pinned(1));
  });
});
