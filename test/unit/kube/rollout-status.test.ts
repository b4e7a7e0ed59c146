import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../../shared/kube/objects.js';
import { rolloutStatus } from '../../../shared/kube/rollout-status.js';

function deployment(spec: number, status: Deployment['status'], generation = 2): Deployment {
  return { metadata: { name: 'api', generation }, spec: { replicas: spec }, status };
}

describe('rolloutStatus (kubectl rollout status rules)', () => {
  it('waits until the controller observed the new generation', () => {
    const s = rolloutStatus(
      deployment(2, { observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2 }),
    );
    expect(s).toMatchObject({ done: false, failed: false });
    expect(s.message).toContain('spec update to be observed');
  });
  it('reports updated, old and available replicas in order', () => {
    expect(
      rolloutStatus(deployment(3, { observedGeneration: 2, replicas: 3, updatedReplicas: 1 })).message,
    ).toContain('1 out of 3 new replicas');
    expect(
      rolloutStatus(deployment(2, { observedGeneration: 2, replicas: 3, updatedReplicas: 2 })).message,
    ).toContain('1 old replicas are pending termination');
    expect(
      rolloutStatus(
        deployment(2, { observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 1 }),
      ).message,
    ).toContain('1 of 2 updated replicas are available');
  });
  it('is done when every replica is updated and available', () => {
    expect(
      rolloutStatus(
        deployment(2, { observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2 }),
      ).done,
    ).toBe(true);
  });
  it('fails on ProgressDeadlineExceeded', () => {
    const s = rolloutStatus(
      deployment(2, {
        observedGeneration: 2,
        replicas: 2,
        updatedReplicas: 1,
        conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
      }),
    );
    expect(s).toMatchObject({ done: false, failed: true });
    expect(s.message).toContain('exceeded its progress deadline');
  });
});
