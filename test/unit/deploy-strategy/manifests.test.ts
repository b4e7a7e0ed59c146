import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nextPosition, remainingSteps } from '../../../actions/deploy-strategy/canary-schedule.js';
import {
  loadManifests,
  placeInNamespace,
  substituteImage,
} from '../../../actions/deploy-strategy/manifests.js';
import { UserError } from '../../../shared/errors.js';

const fixtures = resolve(import.meta.dirname, '../../fixtures/k8s');
const DIGEST = `registry.example/caresync/patient-api@sha256:${'a'.repeat(64)}`;

describe('manifests', () => {
  it('loads multi-document files and substitutes the image by container name', () => {
    const docs = loadManifests(['patient-api.yml'], fixtures);
    expect(docs.map((d) => `${d.object.kind}/${d.object.metadata.name}#${d.index}`)).toEqual([
      'Deployment/patient-api#0',
      'Service/patient-api#1',
    ]);
    expect(substituteImage(docs, 'patient-api', DIGEST)).toBe(1);
    expect(JSON.stringify(docs[0]!.object)).toContain(DIGEST);
    placeInNamespace(docs, 'care');
    expect(docs.every((d) => d.object.metadata.namespace === 'care')).toBe(true);
  });
  it('names the container when it is missing', () => {
    const docs = loadManifests(['patient-api.yml'], fixtures);
    expect(() => substituteImage(docs, 'worker', DIGEST)).toThrow(/no container named "worker".*patient-api/);
  });
  it('names the file and document index of an invalid document', () => {
    expect(() => loadManifests(['broken.yml'], fixtures)).toThrow(
      /broken\.yml \(document 2\): missing apiVersion/,
    );
  });
  it('expands directories and refuses another namespace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'manifests-'));
    writeFileSync(
      join(dir, 'a.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: other\n',
    );
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    const docs = loadManifests([dir], '/');
    expect(docs).toHaveLength(1);
    expect(() => placeInNamespace(docs, 'care')).toThrow(UserError);
  });
});

describe('canary schedule', () => {
  const steps = [5, 25, 50, 75, 100];
  it('deploy starts at step 1 and leaves the rest to go', () => {
    const at = nextPosition('deploy', steps, undefined);
    expect(at).toEqual({ step: 1, weight: 5 });
    expect(remainingSteps(steps, at)).toEqual([2, 3, 4, 5]);
  });
  it('next-step moves one on and refuses past the end', () => {
    expect(nextPosition('next-step', steps, { step: 2, weight: 25 })).toEqual({ step: 3, weight: 50 });
    expect(() => nextPosition('next-step', steps, { step: 5, weight: 100 })).toThrow(/last step/);
  });
  it('set-weight by step is idempotent and by weight finds the step', () => {
    expect(nextPosition('set-weight', steps, { step: 3, weight: 50 }, { step: 3 })).toEqual({
      step: 3,
      weight: 50,
    });
    expect(nextPosition('set-weight', steps, { step: 1, weight: 5 }, { weight: 75 })).toEqual({
      step: 4,
      weight: 75,
    });
    expect(nextPosition('set-weight', steps, { step: 1, weight: 5 }, { weight: 10 })).toEqual({ weight: 10 });
    expect(() => nextPosition('set-weight', steps, { step: 1, weight: 5 }, { step: 9 })).toThrow(
      /past the last/,
    );
  });
  it('no steps remain at 100 % or off-schedule above all steps', () => {
    expect(remainingSteps(steps, { step: 5, weight: 100 })).toEqual([]);
    expect(remainingSteps(steps, { weight: 10 })).toEqual([2, 3, 4, 5]);
  });
});
