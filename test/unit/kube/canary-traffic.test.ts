import { describe, expect, it } from 'vitest';
import {
  type CanaryTarget,
  canaryIngressFrom,
  NGINX_CANARY,
  NGINX_CANARY_WEIGHT,
  replicaSplit,
  trafficModeFor,
  weightedRules,
} from '../../../shared/kube/canary-traffic.js';
import { objectPath, pluralOf } from '../../../shared/kube/paths.js';
import { readState, STATE_ANNOTATION, statePatch } from '../../../shared/kube/release-state.js';

const target: CanaryTarget = {
  namespace: 'care',
  stable: 'api',
  canary: 'api-canary',
  service: 'api',
  canaryService: 'api-canary',
  ingress: 'api',
  canaryIngress: 'api-canary',
  route: 'api',
  mode: 'nginx',
  totalReplicas: 4,
};

describe('canary traffic', () => {
  it('chooses HTTPRoute, then NGINX ingress, then replica ratio', () => {
    expect(trafficModeFor({ route: 'r', ingress: 'i', service: 's' })).toBe('httproute');
    expect(trafficModeFor({ ingress: 'i', service: 's' })).toBe('nginx');
    expect(trafficModeFor({ ingress: 'i' })).toBe('replicas');
  });
  it('builds the NGINX canary ingress pointing at the canary service with the weight', () => {
    const ingress = canaryIngressFrom(
      {
        metadata: {
          name: 'api',
          annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '1m', other: 'x' },
        },
        spec: {
          tls: [{ hosts: ['api.example'] }],
          rules: [
            {
              host: 'api.example',
              http: { paths: [{ path: '/', backend: { service: { name: 'api', port: { number: 80 } } } }] },
            },
          ],
        },
      },
      target,
      25,
    ) as { metadata: { name: string; annotations: Record<string, string> }; spec: Record<string, unknown> };
    expect(ingress.metadata.name).toBe('api-canary');
    expect(ingress.metadata.annotations[NGINX_CANARY]).toBe('true');
    expect(ingress.metadata.annotations[NGINX_CANARY_WEIGHT]).toBe('25');
    expect(ingress.metadata.annotations.other).toBeUndefined();
    expect(JSON.stringify(ingress.spec)).toContain('"name":"api-canary"');
    expect(ingress.spec.tls).toBeUndefined();
  });
  it('weights HTTPRoute backendRefs and removes the canary ref again', () => {
    const route = { metadata: {}, spec: { rules: [{ backendRefs: [{ name: 'api', port: 80 }] }] } };
    const weighted = weightedRules(route, target, 30);
    expect(weighted[0]!.backendRefs).toEqual([
      { name: 'api', port: 80, weight: 70 },
      { name: 'api-canary', port: 80, weight: 30 },
    ]);
    const restored = weightedRules({ metadata: {}, spec: { rules: weighted } }, target, undefined);
    expect(restored[0]!.backendRefs).toEqual([{ name: 'api', port: 80 }]);
  });
  it('splits replicas and reports the weight achieved', () => {
    expect(replicaSplit(4, 5)).toEqual({ canary: 1, stable: 3, achieved: 25 });
    expect(replicaSplit(4, 50)).toEqual({ canary: 2, stable: 2, achieved: 50 });
    expect(replicaSplit(4, 100)).toEqual({ canary: 4, stable: 0, achieved: 100 });
    expect(replicaSplit(4, 0)).toEqual({ canary: 0, stable: 4, achieved: 0 });
  });
  it('maps kinds to REST paths without discovery', () => {
    expect(pluralOf('Ingress')).toBe('ingresses');
    expect(pluralOf('HTTPRoute')).toBe('httproutes');
    expect(objectPath('apps/v1', 'Deployment', 'api', 'care')).toBe(
      '/apis/apps/v1/namespaces/care/deployments/api',
    );
    expect(objectPath('v1', 'Namespace', 'care', 'x')).toBe('/api/v1/namespaces/care');
  });
  it('round-trips the release state annotation', () => {
    const patch = statePatch({ strategy: 'canary', phase: 'canary', step: 2, weight: 25 }) as {
      metadata: { annotations: Record<string, string> };
    };
    const state = readState({ metadata: { annotations: patch.metadata.annotations } });
    expect(state).toMatchObject({ strategy: 'canary', phase: 'canary', step: 2, weight: 25 });
    expect(patch.metadata.annotations[STATE_ANNOTATION]).toContain('updatedAt');
  });
});
