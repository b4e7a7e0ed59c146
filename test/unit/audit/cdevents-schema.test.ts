import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import {
  artifactPackaged,
  artifactPublished,
  CDEVENT_TYPES,
  type CdeventKind,
  cdeventSchemaId,
  incidentDetected,
  ociPurl,
  pipelineRunFinished,
  pipelineRunStarted,
  serviceDeployed,
  serviceRolledBack,
  serviceUpgraded,
  taskRunFinished,
  taskRunStarted,
} from '../../../shared/audit/cdevents.js';
import type { AuditEvent, AuditScope } from '../../../shared/audit/event.js';
import { projectEvent } from '../../../shared/audit/project-event.js';
import { RUN, scope } from './helpers.js';

const SCHEMAS = join(import.meta.dirname, '../../fixtures/schemas/cdevents');
// ajv-formats is CommonJS: its module object is the plugin and also carries it as `default`.
const addFormats = addFormatsModule.default;

function validator(): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const dir of [SCHEMAS, join(SCHEMAS, 'links')]) {
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.json'))) {
      ajv.addSchema(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    }
  }
  return ajv;
}

const ajv = validator();

function expectValid(kind: CdeventKind, data: unknown): void {
  const validate = ajv.getSchema(cdeventSchemaId(kind));
  expect(validate, `schema for ${kind}`).toBeDefined();
  const valid = validate!(data);
  expect(validate!.errors ?? [], JSON.stringify(data)).toEqual([]);
  expect(valid).toBe(true);
}

const digest = 'sha256:0b31b1c02ff458ad9b7b81cbdf8f028bd54699fa151f221d1e8de6817db93427';
const artifactId = ociPurl('ghcr.io/caresync/patient-portal:1.4.2', digest);

const builders: Record<CdeventKind, (s: AuditScope) => AuditEvent> = {
  'pipelinerun.started': (s) => pipelineRunStarted(s),
  'pipelinerun.finished': (s) =>
    pipelineRunFinished(s, { outcome: 'failure', reason: 'canary error rate 2.1 %' }),
  'taskrun.started': (s) => taskRunStarted(s),
  'taskrun.finished': (s) => taskRunFinished(s, { outcome: 'success' }),
  'artifact.packaged': (s) => artifactPackaged(s, { artifactId, sbomUri: 'sbom.cdx.json', digest }),
  'artifact.published': (s) =>
    artifactPublished(s, { artifactId, digest, image: 'ghcr.io/caresync/patient-portal' }),
  'service.deployed': (s) =>
    serviceDeployed(s, { service: 'patient-portal-api', artifactId, digest, version: '1.4.2' }),
  'service.upgraded': (s) =>
    serviceUpgraded(s, { service: 'patient-portal-api', artifactId, version: '1.4.2' }),
  'service.rolledback': (s) =>
    serviceRolledBack(s, {
      service: 'patient-portal-api',
      artifactId,
      reason: 'P95 above 2 s',
      outcome: 'success',
    }),
  'incident.detected': (s) =>
    incidentDetected(s, {
      incidentId: 'canary-1',
      description: 'error rate above 1 %',
      service: 'patient-portal-api',
    }),
};

describe('CDEvents v0.5.1 schemas', () => {
  it('are draft 2020-12 and accept their own conformance examples', () => {
    const dir = join(SCHEMAS, 'conformance');
    const files = readdirSync(dir);
    expect(files).toHaveLength(Object.keys(CDEVENT_TYPES).length);
    for (const file of files) {
      const example = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      const kind = file.replace('.json', '').replace('_', '.') as CdeventKind;
      expect(example.context.type).toBe(CDEVENT_TYPES[kind]);
      expectValid(kind, example);
    }
    for (const file of readdirSync(SCHEMAS).filter((name) => name.endsWith('.json'))) {
      expect(JSON.parse(readFileSync(join(SCHEMAS, file), 'utf8')).$schema).toBe(
        'https://json-schema.org/draft/2020-12/schema',
      );
    }
  });

  it('reject what they should, so a passing builder means something', () => {
    const event = serviceDeployed(scope(), { service: 'api', artifactId });
    const data = structuredClone(event.data) as { subject: { content: Record<string, unknown> } };
    data.subject.content.actor = 'jane-doe';
    const validate = ajv.getSchema(cdeventSchemaId('service.deployed'))!;
    expect(validate(data)).toBe(false);
    expect(
      validate({ ...event.data, context: { ...(event.data.context as object), timestamp: 'yesterday' } }),
    ).toBe(false);
  });
});

describe('CDEvent builders', () => {
  for (const [kind, build] of Object.entries(builders) as [CdeventKind, (s: AuditScope) => AuditEvent][]) {
    it(`${kind} is a valid CDEvent in a CloudEvents 1.0 envelope`, () => {
      const event = build(scope());
      expectValid(kind, event.data);
      expect(event.type).toBe(CDEVENT_TYPES[kind]);
      expect(event).toMatchObject({
        specversion: '1.0',
        datacontenttype: 'application/json',
        source: '/caresync/patient-portal/actions/deploy-strategy',
        dataschema: cdeventSchemaId(kind),
      });
      expect(event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const context = event.data.context as Record<string, unknown>;
      expect(context).toMatchObject({
        specversion: '0.5.1',
        id: event.id,
        source: event.source,
        type: event.type,
        timestamp: event.time,
        chainId: 'caresync/patient-portal/actions/runs/9876543210/attempts/2',
      });
      expect(event.subject).toBe((event.data.subject as { id: string }).id);
      expect(event.data.customDataContentType).toBe('application/json');
      // Who, where, when and the outcome travel in customData.
      expect(event.data.customData).toMatchObject({
        action: { name: 'deploy-strategy', version: '1.4.2' },
        actor: 'jane-doe',
        triggeringActor: 'release-bot',
        approvers: ['alice-lead', 'bob-sre'],
        repository: 'caresync/patient-portal',
        runUrl: RUN.runUrl,
        environment: 'production',
        cluster: 'prod-eu-west-1',
        namespace: 'patient-portal',
        outcome: expect.any(String),
      });
    });

    it(`${kind} stays valid outside a runner, with nothing known`, () => {
      const bare: AuditScope = { action: { name: 'rollback' }, run: {} };
      const event = build(bare);
      expectValid(kind, event.data);
      expect(event.source).toBe('/local/actions/rollback');
    });
  }

  it('records the outcome and the reason of a failed run in the CDEvent and in customData', () => {
    const event = pipelineRunFinished(scope(), { outcome: 'failure', reason: 'quality gate failed' });
    expect((event.data.subject as { content: unknown }).content).toMatchObject({
      outcome: 'failure',
      errors: 'quality gate failed',
      uri: RUN.runUrl,
      pipelineName: 'Deploy production',
    });
    expect(event.data.customData).toMatchObject({ outcome: 'failure', reason: 'quality gate failed' });
  });

  it('uses given ids and times for reproducible events', () => {
    const event = taskRunStarted(scope(), { id: 'fixed-id', time: new Date('2026-01-02T03:04:05Z') });
    expect(event.id).toBe('fixed-id');
    expect(event.time).toBe('2026-01-02T03:04:05.000Z');
    expect(event.subject).toBe(
      'caresync/patient-portal/actions/runs/9876543210/attempts/2/jobs/deploy/deploy-strategy',
    );
  });

  it('lets one event override the scope environment', () => {
    const event = serviceDeployed(scope(), {
      service: 'api',
      artifactId,
      environment: 'staging',
      namespace: 'stg',
    });
    expect((event.data.subject as { content: { environment: unknown } }).content.environment).toEqual({
      id: 'staging',
    });
    expect(event.data.customData).toMatchObject({
      environment: 'staging',
      namespace: 'stg',
      cluster: 'prod-eu-west-1',
    });
  });
});

describe('ociPurl', () => {
  it('names an image by digest with its repository and tag as qualifiers', () => {
    expect(ociPurl('ghcr.io/caresync/Patient-Portal:1.4.2', digest)).toBe(
      'pkg:oci/patient-portal@sha256%3A0b31b1c02ff458ad9b7b81cbdf8f028bd54699fa151f221d1e8de6817db93427?repository_url=ghcr.io/caresync/Patient-Portal&tag=1.4.2',
    );
    expect(ociPurl('localhost:5000/app', 'sha256:ab')).toBe(
      'pkg:oci/app@sha256%3Aab?repository_url=localhost%3A5000/app',
    );
    expect(ociPurl('app@sha256:ff', 'sha256:ff')).toBe('pkg:oci/app@sha256%3Aff');
  });
});

describe('projectEvent', () => {
  it('uses the dev.deploy-actions type with plain JSON data carrying the audit facts', () => {
    const event = projectEvent(scope(), {
      thing: 'migration',
      verb: 'applied',
      subject: 'V7__add_insurance_number',
      checksums: { V7__add_insurance_number: 'sha256:1234' },
      reason: 'release 1.4.2',
    });
    expect(event.type).toBe('dev.deploy-actions.migration.applied.v1');
    expect(event.subject).toBe('V7__add_insurance_number');
    expect(event.data).toMatchObject({
      subject: 'V7__add_insurance_number',
      outcome: 'success',
      actor: 'jane-doe',
      approvers: ['alice-lead', 'bob-sre'],
      environment: 'production',
      runUrl: RUN.runUrl,
      checksums: { V7__add_insurance_number: 'sha256:1234' },
      chainId: 'caresync/patient-portal/actions/runs/9876543210/attempts/2',
    });
  });

  it('refuses type names that are not lowercase words', () => {
    expect(() => projectEvent(scope(), { thing: 'Migration', verb: 'applied', subject: 'x' })).toThrow(
      /lowercase/,
    );
    expect(() => projectEvent(scope(), { thing: 'a.b', verb: 'c', subject: 'x' })).toThrow(/lowercase/);
  });
});
