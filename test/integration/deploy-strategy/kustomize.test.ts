import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/harness.js';
import { type KubeSim, startKubeSim } from '../../support/kube-sim/index.js';
import { freshNamespace, imageOf, logOf, pinned, run, workspace } from './kube-run.js';

let sim: KubeSim;
beforeAll(async () => {
  sim = await startKubeSim({ podReadyDelayMs: 200, podStartDelayMs: 50 });
});
afterAll(async () => {
  await sim?.stop();
});

/** A workspace holding the kustomize fixture (a base, a staging overlay, a broken one) under k8s/kustomize. */
function kustomizeWorkspace(namespace: string): string {
  const ws = workspace(sim, { namespace });
  cpSync(join(repoRoot, 'test/fixtures/k8s/kustomize'), join(ws, 'k8s/kustomize'), { recursive: true });
  return ws;
}

const errorOf = (run: { annotations: { level: string; message: string }[] }) =>
  run.annotations.find((a) => a.level === 'error')?.message;

describe('deploy-strategy with a kustomization rendered by kubectl kustomize', () => {
  it('applies what the overlay renders: its replicas, image, annotations and generated ConfigMap', async () => {
    const namespace = freshNamespace(sim, 'kustomize');
    const ws = kustomizeWorkspace(namespace);
    const deployed = await run(sim, 'deploy-strategy', ws, {
      strategy: 'rolling',
      kustomize: 'k8s/kustomize/overlays/staging',
    });
    expect(deployed.exitCode, logOf(deployed)).toBe(0);
    expect(deployed.outputs).toMatchObject({
      phase: 'complete',
      image: 'registry.example/caresync/patient-api:1.1.0',
    });
    const configMaps = sim
      .list('configmap', namespace)
      .filter((c) => c.metadata.name.startsWith('patient-api-config-'));
    expect(configMaps).toHaveLength(1);
    const generated = configMaps[0]!.metadata.name as string;
    expect(configMaps[0]!.data).toEqual({ LOG_LEVEL: 'info' });
    expect(deployed.stdout).toContain(
      `applied ConfigMap/${generated} from kustomize k8s/kustomize/overlays/staging (document 1)`,
    );

    const deployment = sim.get('deployment', namespace, 'patient-api')!;
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.status.availableReplicas).toBe(3);
    expect(deployment.metadata.annotations['caresync.example/overlay']).toBe('staging');
    expect(deployment.metadata.labels['app.kubernetes.io/part-of']).toBe('caresync');
    expect(deployment.spec.template.spec.containers[0].envFrom).toEqual([
      { configMapRef: { name: generated } },
    ]);
    expect(
      sim.get('service', namespace, 'patient-api')!.metadata.annotations['caresync.example/overlay'],
    ).toBe('staging');

    // The image input still pins the rendered Deployment's container by digest.
    const pinnedRelease = await run(sim, 'deploy-strategy', ws, {
      strategy: 'rolling',
      kustomize: 'k8s/kustomize/overlays/staging',
      image: pinned(2),
    });
    expect(pinnedRelease.exitCode, logOf(pinnedRelease)).toBe(0);
    expect(imageOf(sim, namespace, 'patient-api')).toBe(pinned(2));
    expect(pinnedRelease.outputs['previous-image']).toBe('registry.example/caresync/patient-api:1.1.0');
  });

  it('fails with kubectl kustomize’s own error when the kustomization does not build, changing nothing', async () => {
    const namespace = freshNamespace(sim, 'kustomize-broken');
    const ws = kustomizeWorkspace(namespace);
    const broken = await run(sim, 'deploy-strategy', ws, {
      strategy: 'rolling',
      kustomize: 'k8s/kustomize/broken',
    });
    expect(broken.exitCode).toBe(1);
    expect(errorOf(broken)).toMatch(
      /^input "kustomize": kubectl kustomize k8s\/kustomize\/broken failed \(exit 1\): .*accumulating resources.*missing-deployment\.yaml.*no such file or directory/,
    );
    expect(sim.get('deployment', namespace, 'patient-api')).toBeUndefined();
  });

  it('says so when kubectl is not on the runner', async () => {
    const namespace = freshNamespace(sim, 'kustomize-no-kubectl');
    const ws = kustomizeWorkspace(namespace);
    const missing = await run(
      sim,
      'deploy-strategy',
      ws,
      { strategy: 'rolling', kustomize: 'k8s/kustomize/overlays/staging' },
      { env: { PATH: join(ws, 'no-tools-here') } },
    );
    expect(missing.exitCode).toBe(1);
    expect(errorOf(missing)).toBe(
      'input "kustomize": kubectl is not installed on the runner (it renders k8s/kustomize/overlays/staging with "kubectl kustomize"); install kubectl in an earlier step, e.g. with azure/setup-kubectl',
    );
    expect(sim.get('deployment', namespace, 'patient-api')).toBeUndefined();
  });

  it('names a kustomize path that is not a directory', async () => {
    const namespace = freshNamespace(sim, 'kustomize-file');
    const ws = kustomizeWorkspace(namespace);
    const wrong = await run(sim, 'deploy-strategy', ws, {
      strategy: 'rolling',
      kustomize: 'k8s/patient-api.yml',
    });
    expect(wrong.exitCode).toBe(1);
    expect(errorOf(wrong)).toBe('input "kustomize": k8s/patient-api.yml is not a directory');
  });
});
