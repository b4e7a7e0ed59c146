import { describe, expect, it } from 'vitest';
import { fieldsOf, serverSideApply } from '../../support/kube-sim/apply.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from '../../support/kube-sim/patch.js';
import { parseFieldSelector, parseLabelSelector } from '../../support/kube-sim/selectors.js';
import { ApiError } from '../../support/kube-sim/status.js';

const deployment = () => ({
  metadata: { name: 'web', labels: { app: 'web', tier: 'fe' }, finalizers: ['a'] },
  spec: {
    replicas: 2,
    template: {
      spec: {
        containers: [
          { name: 'app', image: 'web:1', ports: [{ containerPort: 8080 }], env: [{ name: 'A', value: '1' }] },
          { name: 'sidecar', image: 'proxy:1' },
        ],
        tolerations: [{ key: 'x' }],
      },
    },
  },
});

describe('JSON Patch', () => {
  it('adds, replaces, removes, moves, copies and tests', () => {
    const out = applyJsonPatch(deployment(), [
      { op: 'test', path: '/spec/replicas', value: 2 },
      { op: 'replace', path: '/spec/replicas', value: 5 },
      { op: 'add', path: '/metadata/labels/track', value: 'canary' },
      { op: 'remove', path: '/metadata/labels/tier' },
      { op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'c3', image: 'x' } },
      { op: 'copy', from: '/metadata/labels/app', path: '/metadata/labels/copy' },
      { op: 'move', from: '/metadata/labels/copy', path: '/metadata/labels/moved' },
      { op: 'add', path: '/metadata/annotations', value: { 'a~b/c': '1' } },
    ]);
    expect(out.spec.replicas).toBe(5);
    expect(out.metadata.labels).toEqual({ app: 'web', track: 'canary', moved: 'web' });
    expect(out.spec.template.spec.containers.map((c: { name: string }) => c.name)).toEqual([
      'app',
      'sidecar',
      'c3',
    ]);
  });

  it('fails a failed test or a missing path with 422', () => {
    expect(() => applyJsonPatch(deployment(), [{ op: 'test', path: '/spec/replicas', value: 3 }])).toThrow(
      ApiError,
    );
    try {
      applyJsonPatch(deployment(), [{ op: 'replace', path: '/spec/nothing/here', value: 1 }]);
    } catch (error) {
      expect((error as ApiError).code).toBe(422);
    }
  });
});

describe('merge patch', () => {
  it('merges maps, replaces lists, deletes with null', () => {
    const out = applyMergePatch(deployment(), {
      metadata: { labels: { tier: null, track: 'stable' } },
      spec: { template: { spec: { containers: [{ name: 'only', image: 'x' }] } } },
    }) as ReturnType<typeof deployment>;
    expect(out.metadata.labels).toEqual({ app: 'web', track: 'stable' });
    expect(out.spec.template.spec.containers).toEqual([{ name: 'only', image: 'x' }]);
  });
});

describe('strategic merge patch', () => {
  it('merges containers by name and keeps the other fields and containers', () => {
    const out = applyStrategicMergePatch(deployment(), {
      spec: {
        template: {
          spec: { containers: [{ name: 'app', image: 'web:2', env: [{ name: 'B', value: '2' }] }] },
        },
      },
    });
    const [app, sidecar] = out.spec.template.spec.containers;
    expect(app.image).toBe('web:2');
    expect(app.ports).toEqual([{ containerPort: 8080 }]);
    expect(app.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ]);
    expect(sidecar.image).toBe('proxy:1');
  });

  it('honours $patch delete/replace, $retainKeys, $deleteFromPrimitiveList, atomic lists and finalizer sets', () => {
    const out = applyStrategicMergePatch(deployment(), {
      metadata: { finalizers: ['b'], labels: { tier: null } },
      spec: {
        template: {
          spec: {
            containers: [{ name: 'sidecar', $patch: 'delete' }],
            tolerations: [{ key: 'y' }],
          },
        },
      },
    });
    expect(out.metadata.finalizers).toEqual(['a', 'b']);
    expect(out.metadata.labels).toEqual({ app: 'web' });
    expect(out.spec.template.spec.containers.map((c: { name: string }) => c.name)).toEqual(['app']);
    expect(out.spec.template.spec.tolerations).toEqual([{ key: 'y' }]);

    const replaced = applyStrategicMergePatch(deployment(), {
      metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] },
      spec: { template: { spec: { containers: [{ name: 'new', image: 'n' }, { $patch: 'replace' }] } } },
    });
    expect(replaced.metadata.finalizers).toEqual([]);
    expect(replaced.spec.template.spec.containers).toEqual([{ name: 'new', image: 'n' }]);

    const retained = applyStrategicMergePatch(
      { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } },
      { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
    );
    expect(retained.spec.strategy).toEqual({ type: 'Recreate' });
  });
});

describe('server-side apply', () => {
  it('tracks fields per manager, conflicts on a different value, removes fields a manager stops applying', () => {
    const a1 = serverSideApply(undefined, deployment(), 'a', false, 'apps/v1', 't');
    expect(a1.metadata.managedFields[0]).toMatchObject({
      manager: 'a',
      operation: 'Apply',
      fieldsType: 'FieldsV1',
    });
    expect(a1.metadata.managedFields[0].fieldsV1['f:spec']['f:replicas']).toEqual({});
    expect(
      a1.metadata.managedFields[0].fieldsV1['f:spec']['f:template']['f:spec']['f:containers'][
        'k:{"name":"app"}'
      ],
    ).toHaveProperty('f:image');

    // Same value from another manager: shared, no conflict.
    const shared = serverSideApply(
      a1,
      { metadata: { name: 'web' }, spec: { replicas: 2 } },
      'b',
      false,
      'apps/v1',
      't',
    );
    expect(shared.spec.replicas).toBe(2);
    expect(() =>
      serverSideApply(
        shared,
        { metadata: { name: 'web' }, spec: { replicas: 4 } },
        'c',
        false,
        'apps/v1',
        't',
      ),
    ).toThrow(
      /Apply failed with 2 conflicts: conflict with "a" using apps\/v1: \.spec\.replicas\nconflict with "b"/,
    );

    // Manager a stops applying the sidecar and the tier label: both go.
    const next = deployment();
    next.spec.template.spec.containers = next.spec.template.spec.containers.slice(0, 1);
    delete (next.metadata.labels as Record<string, string>).tier;
    const a2 = serverSideApply(shared, next, 'a', false, 'apps/v1', 't');
    expect(a2.spec.template.spec.containers.map((c: { name: string }) => c.name)).toEqual(['app']);
    expect(a2.metadata.labels).toEqual({ app: 'web' });
    expect(fieldsOf(a2).size).toBeGreaterThan(5);
  });
});

describe('selectors', () => {
  it('parses equality, set-based and existence label selectors', () => {
    const m = parseLabelSelector('app=web,track in (canary, stable),!legacy,env!=prod,tier');
    expect(m({ app: 'web', track: 'canary', tier: 'fe' })).toBe(true);
    expect(m({ app: 'web', track: 'canary', tier: 'fe', legacy: 'y' })).toBe(false);
    expect(m({ app: 'web', track: 'other', tier: 'fe' })).toBe(false);
    expect(m({ app: 'web', track: 'stable', tier: 'fe', env: 'prod' })).toBe(false);
    expect(parseLabelSelector('x notin (a)')({ x: 'b' })).toBe(true);
  });

  it('parses field selectors on any dotted path', () => {
    const m = parseFieldSelector('metadata.name=web,status.phase!=Failed');
    expect(m({ metadata: { name: 'web' }, status: { phase: 'Running' } })).toBe(true);
    expect(m({ metadata: { name: 'web' }, status: { phase: 'Failed' } })).toBe(false);
  });
});
