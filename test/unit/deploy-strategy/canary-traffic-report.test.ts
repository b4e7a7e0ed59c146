import { describe, expect, it } from 'vitest';
import { parseManifests } from '../../../actions/deploy-strategy/manifests.js';
import { describeCanaryTraffic } from '../../../actions/deploy-strategy/report.js';
import { replicaSplit } from '../../../shared/kube/canary-traffic.js';

describe('describeCanaryTraffic', () => {
  it('states the replica-ratio weight the pods give, and the weight asked when it differs', () => {
    const split = replicaSplit(4, 5);
    expect(split).toEqual({ canary: 1, stable: 3, achieved: 25 });
    expect(
      describeCanaryTraffic({
        mode: 'replicas',
        requested: 5,
        achieved: split.achieved,
        canaryReplicas: split.canary,
        stableReplicas: split.stable,
      }),
    ).toBe('25% by replica ratio: 1 canary pod(s) of 4 (asked 5%)');
    expect(
      describeCanaryTraffic({
        mode: 'replicas',
        requested: 50,
        achieved: 50,
        canaryReplicas: 2,
        stableReplicas: 2,
      }),
    ).toBe('50% by replica ratio: 2 canary pod(s) of 4');
  });

  it('names the object that carries a routed weight', () => {
    expect(describeCanaryTraffic({ mode: 'nginx', requested: 5, achieved: 5, via: 'web-canary' })).toBe(
      '5% through NGINX canary ingress web-canary',
    );
    expect(describeCanaryTraffic({ mode: 'httproute', requested: 25, achieved: 25, via: 'web' })).toBe(
      '25% through HTTPRoute web',
    );
  });
});

describe('parseManifests', () => {
  it('labels each document of a rendered text with its source, as kustomize output is', () => {
    const text =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: b\n';
    const docs = parseManifests(text, 'kustomize k8s/overlays/staging');
    expect(docs.map((d) => [d.file, d.index, d.object.kind])).toEqual([
      ['kustomize k8s/overlays/staging', 0, 'ConfigMap'],
      ['kustomize k8s/overlays/staging', 2, 'Service'],
    ]);
    expect(() => parseManifests('kind: Service\n', 'kustomize k8s/x')).toThrow(
      'kustomize k8s/x (document 1): missing apiVersion, metadata.name',
    );
  });
});
