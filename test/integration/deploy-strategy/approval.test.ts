import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeGitHub } from '../../support/fake-github.js';
import { type KubeSim, startKubeSim } from '../../support/kube-sim/index.js';
import {
  auditEvents,
  auditVerifies,
  factsOf,
  freshNamespace,
  imageOf,
  logOf,
  pinned,
  run,
  workspace,
} from './kube-run.js';

let sim: KubeSim;
const github = new FakeGitHub();
beforeAll(async () => {
  sim = await startKubeSim({ podReadyDelayMs: 200, podStartDelayMs: 50 });
  await github.start();
});
afterAll(async () => {
  await sim?.stop();
  await github.stop();
});
beforeEach(() => {
  github.environments.clear();
  github.approvals.clear();
});

const APPROVAL_CHECKED = 'dev.deploy-actions.approval.checked.v1';

/** A workspace whose config says the environment may only be deployed from a protected job. */
function guardedWorkspace(namespace: string): string {
  return workspace(sim, { namespace, deployment_extra: '  requireApproval: true\n' });
}

function deployWithGitHub(ws: string, image: string) {
  return run(
    sim,
    'deploy-strategy',
    ws,
    { strategy: 'rolling', manifests: 'k8s/patient-api.yml', image },
    { githubApiUrl: github.url, githubToken: github.token },
  );
}

describe('deploy-strategy approval guard (deployment.requireApproval)', () => {
  it('deploys when the job environment has required reviewers, and records who approved', async () => {
    const namespace = freshNamespace(sim, 'approval-ok');
    const ws = guardedWorkspace(namespace);
    github.environments.set('staging', {
      name: 'staging',
      protection_rules: [
        { id: 1, type: 'wait_timer', wait_timer: 0 },
        {
          id: 2,
          type: 'required_reviewers',
          reviewers: [
            { type: 'User', reviewer: { login: 'octo-lead' } },
            { type: 'Team', reviewer: { slug: 'release-managers' } },
          ],
        },
      ],
    });
    github.approvals.set('7001', [
      {
        state: 'approved',
        comment: 'ship it',
        user: { login: 'octo-lead' },
        environments: [{ name: 'staging' }],
      },
      {
        state: 'approved',
        comment: 'other env',
        user: { login: 'someone' },
        environments: [{ name: 'prod' }],
      },
    ]);

    const deployed = await deployWithGitHub(ws, pinned(1));
    expect(deployed.exitCode, logOf(deployed)).toBe(0);
    expect(deployed.outputs.phase).toBe('complete');
    expect(imageOf(sim, namespace, 'patient-api')).toBe(pinned(1));
    expect(deployed.stdout).toContain(
      'environment "staging" requires review by octo-lead, release-managers; approved by octo-lead',
    );
    const asked = github.requests.find((r) => r.path === '/repos/caresync/patient-api/environments/staging');
    expect(asked?.headers.authorization).toBe(`Bearer ${github.token}`);
    expect(
      github.requests.some((r) => r.path === '/repos/caresync/patient-api/actions/runs/7001/approvals'),
    ).toBe(true);

    const events = auditEvents(ws);
    const checked = events.filter((e) => e.type === APPROVAL_CHECKED);
    expect(checked).toHaveLength(1);
    expect(factsOf(checked[0])).toMatchObject({
      outcome: 'success',
      details: { reviewers: ['octo-lead', 'release-managers'], approvers: ['octo-lead'] },
    });
    // The check comes before any change, and the deployment event names the approver.
    const order = events.map((e) => e.type);
    expect(order.indexOf(APPROVAL_CHECKED)).toBeLessThan(
      order.findIndex((type) => type.includes('service.deployed')),
    );
    expect(factsOf(events.find((e) => e.type.includes('service.deployed')))?.approvers).toEqual([
      'octo-lead',
    ]);
    expect(await auditVerifies(ws)).toBe(true);
  });

  it('refuses to deploy when the environment has no required reviewers, changing nothing', async () => {
    const namespace = freshNamespace(sim, 'approval-none');
    const ws = guardedWorkspace(namespace);
    github.environments.set('staging', {
      name: 'staging',
      protection_rules: [{ id: 1, type: 'branch_policy' }],
    });

    const refused = await deployWithGitHub(ws, pinned(1));
    expect(refused.exitCode).toBe(1);
    expect(refused.annotations.find((a) => a.level === 'error')?.message).toBe(
      'deployment.requireApproval is set, but environment "staging" has no required reviewers; refusing to deploy from an unprotected job',
    );
    expect(sim.get('deployment', namespace, 'patient-api')).toBeUndefined();
    expect(sim.get('service', namespace, 'patient-api')).toBeUndefined();
    expect(sim.requests.some((r) => r.method !== 'GET' && r.path.includes(`/namespaces/${namespace}/`))).toBe(
      false,
    );
    expect(refused.post?.exitCode).toBe(0);

    const events = auditEvents(ws);
    const checked = events.filter((e) => e.type === APPROVAL_CHECKED);
    expect(checked).toHaveLength(1);
    expect(factsOf(checked[0])).toMatchObject({
      outcome: 'failure',
      reason: expect.stringContaining('has no required reviewers'),
    });
    expect(events.some((e) => e.type.includes('service.'))).toBe(false);
    expect(await auditVerifies(ws)).toBe(true);
  });

  it('refuses when GitHub has no such environment, saying how to protect the job', async () => {
    const namespace = freshNamespace(sim, 'approval-missing');
    const ws = guardedWorkspace(namespace);
    const refused = await deployWithGitHub(ws, pinned(1));
    expect(refused.exitCode).toBe(1);
    expect(refused.annotations.find((a) => a.level === 'error')?.message).toBe(
      'deployment.requireApproval is set, but GitHub has no environment "staging" in caresync/patient-api: give the job "environment: staging" with required reviewers',
    );
    expect(sim.get('deployment', namespace, 'patient-api')).toBeUndefined();
    expect(factsOf(auditEvents(ws).find((e) => e.type === APPROVAL_CHECKED))).toMatchObject({
      outcome: 'failure',
    });
  });
});
