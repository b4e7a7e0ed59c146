import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type KObj, type KubeSim, rolloutComplete, startKubeSim } from '../../support/kube-sim/index.js';
import { clients, deploymentManifest, eventually } from './helpers.js';

/**
 * The real kubectl against the simulator over TLS: get, apply (default strict validation, which
 * reads the OpenAPI v3 documents), rollout status / history / undo. kubectl is required: when it
 * is missing the suite fails and says so.
 */

const KUBECTL = process.env.KUBECTL ?? 'kubectl';
const NAMESPACE = 'shop';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let sim: KubeSim;
let dir: string;

function kubectl(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.KUBECONFIG;
    execFile(
      KUBECTL,
      ['--kubeconfig', sim.kubeconfigPath, '--cache-dir', join(dir, 'cache'), ...args],
      { env, timeout: 60_000 },
      (error, stdout, stderr) => {
        const e = error as (NodeJS.ErrnoException & { code?: number | string }) | null;
        if (e && typeof e.code === 'string') {
          reject(
            new Error(
              e.code === 'ENOENT'
                ? `kubectl is required by this test and "${KUBECTL}" was not found: install kubectl, or set KUBECTL to its path`
                : `kubectl could not run: ${e.message}`,
            ),
          );
          return;
        }
        resolve({ code: typeof e?.code === 'number' ? e.code : 0, stdout, stderr });
      },
    );
  });
}

/** Runs kubectl and fails with its output unless it exits 0. */
async function ok(...args: string[]): Promise<string> {
  const run = await kubectl(...args);
  if (run.code !== 0) {
    throw new Error(`kubectl ${args.join(' ')} exited ${run.code}\n${run.stdout}\n${run.stderr}`);
  }
  return run.stdout;
}

function manifest(
  name: string,
  image: string,
  extra: KObj = {},
  annotations: Record<string, string> = {},
): string {
  const m = deploymentManifest(name, image, 2, extra);
  m.metadata.annotations = annotations;
  const path = join(dir, `${name}-${image.replace(/[^a-z0-9]+/gi, '-')}.yaml`);
  writeFileSync(path, stringify(m));
  return path;
}

function deployment(name: string): KObj {
  const d = sim.get('deployments', NAMESPACE, name);
  if (!d) throw new Error(`deployment ${name} does not exist`);
  return d;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kube-sim-kubectl-'));
  sim = await startKubeSim({ tls: true, namespace: NAMESPACE, clockSpeed: 30, podReadyDelayMs: 3000 });
  const client = await kubectl('version', '--client');
  if (client.code !== 0) throw new Error(`kubectl version --client failed:\n${client.stderr}`);
});

afterAll(async () => {
  await sim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('kubectl against kube-sim', () => {
  it('writes an https kubeconfig with the CA, which client-node loads as well', async () => {
    expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.caCert).toContain('BEGIN CERTIFICATE');
    const { core } = clients(sim.kubeconfigPath);
    const ns = await core.readNamespace({ name: NAMESPACE });
    expect(ns.metadata?.name).toBe(NAMESPACE);
    const version = await ok('version', '-o', 'json');
    expect(JSON.parse(version).serverVersion).toMatchObject({ major: '1', minor: '32' });
  });

  it('get deployments: none yet', async () => {
    const run = await kubectl('get', 'deployments');
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`No resources found in ${NAMESPACE} namespace.`);
  });

  it('apply -f creates the Deployment, and rollout status waits for it', async () => {
    const out = await ok(
      'apply',
      '-f',
      manifest('web', 'shop:1.0.0', {}, { 'kubernetes.io/change-cause': 'v1' }),
    );
    expect(out.trim()).toBe('deployment.apps/web created');
    const created = deployment('web');
    expect(created.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toContain(
      'shop:1.0.0',
    );
    expect(created.metadata.managedFields.map((m: KObj) => m.manager)).toContain('kubectl-client-side-apply');

    const status = await ok('rollout', 'status', 'deployment/web', '--timeout=60s');
    expect(status).toContain('deployment "web" successfully rolled out');
    expect(rolloutComplete(deployment('web'))).toBe(true);

    const table = await ok('get', 'deployments');
    const lines = table.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/);
    expect(lines[1]).toMatch(/^web\s+2\/2\s+2\s+2\s+\S+$/);

    const json = JSON.parse(await ok('get', 'deployment', 'web', '-o', 'json'));
    expect(json.status.readyReplicas).toBe(2);
  });

  it('apply -f of a new image is a strategic merge patch, rolled out as revision 2', async () => {
    const out = await ok(
      'apply',
      '-f',
      manifest('web', 'shop:2.0.0', {}, { 'kubernetes.io/change-cause': 'v2' }),
    );
    expect(out.trim()).toBe('deployment.apps/web configured');
    const patched = deployment('web');
    expect(patched.metadata.generation).toBe(2);
    expect(patched.spec.template.spec.containers).toEqual([
      expect.objectContaining({
        name: 'app',
        image: 'shop:2.0.0',
        ports: [expect.objectContaining({ containerPort: 8080 })],
      }),
    ]);
    const patch = sim.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/deployments/web'));
    expect(patch.at(-1)?.contentType).toBe('application/strategic-merge-patch+json');

    const status = await ok('rollout', 'status', 'deployment/web', '--timeout=60s');
    expect(status).toContain('deployment "web" successfully rolled out');
    const done = deployment('web');
    expect(rolloutComplete(done)).toBe(true);
    expect(done.metadata.annotations['deployment.kubernetes.io/revision']).toBe('2');
  });

  it('rollout history lists the revisions with their change causes', async () => {
    const out = await ok('rollout', 'history', 'deployment/web');
    expect(out).toContain('deployment.apps/web');
    expect(out).toMatch(/REVISION\s+CHANGE-CAUSE/);
    expect(out).toMatch(/^1\s+v1$/m);
    expect(out).toMatch(/^2\s+v2$/m);
    const one = await ok('rollout', 'history', 'deployment/web', '--revision=1');
    expect(one).toContain('shop:1.0.0');
  });

  it('rollout undo puts the previous template back as revision 3', async () => {
    const out = await ok('rollout', 'undo', 'deployment/web');
    expect(out.trim()).toBe('deployment.apps/web rolled back');
    expect(deployment('web').spec.template.spec.containers[0].image).toBe('shop:1.0.0');

    const status = await ok('rollout', 'status', 'deployment/web', '--timeout=60s');
    expect(status).toContain('deployment "web" successfully rolled out');
    const done = deployment('web');
    expect(done.metadata.annotations['deployment.kubernetes.io/revision']).toBe('3');
    expect(done.status.updatedReplicas).toBe(2);
    const images = await eventually(() => {
      const pods = sim.list('pods', NAMESPACE, { labelSelector: 'app=web' });
      return pods.length === 2 ? pods.map((p) => p.spec.containers[0].image) : undefined;
    });
    expect(images).toEqual(['shop:1.0.0', 'shop:1.0.0']);

    const history = await ok('rollout', 'history', 'deployment/web');
    expect(history).toMatch(/^2\s+v2$/m);
    expect(history).toMatch(/^3\s+v1$/m);
    expect(history).not.toMatch(/^1\s/m);
  });

  it('rollout status fails once a never-ready release passes its progress deadline', async () => {
    await ok('apply', '-f', manifest('stuck', 'shop:1.0.0', { progressDeadlineSeconds: 60 }));
    await ok('rollout', 'status', 'deployment/stuck', '--timeout=60s');
    await ok('apply', '-f', manifest('stuck', 'shop:never-ready', { progressDeadlineSeconds: 60 }));
    // 60 simulated seconds pass in 2 real ones at clock speed 30.
    const run = await kubectl('rollout', 'status', 'deployment/stuck', '--timeout=60s');
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('deployment "stuck" exceeded its progress deadline');
    const progressing = deployment('stuck').status.conditions.find((c: KObj) => c.type === 'Progressing');
    expect(progressing).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
  });
});
