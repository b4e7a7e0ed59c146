import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAudit } from '../../../shared/audit/audit.js';
import {
  pipelineRunStarted,
  serviceDeployed,
  serviceRolledBack,
  taskRunFinished,
} from '../../../shared/audit/cdevents.js';
import { projectEvent } from '../../../shared/audit/project-event.js';
import { eventOutcome, shortType } from '../../../shared/audit/summary.js';
import { verifyAuditFile } from '../../../shared/audit/verify.js';
import { registerSecret, resetSecretsForTest } from '../../../shared/secrets.js';
import { RUN, tempDir } from './helpers.js';
import { deadUrl, Receiver } from './receiver.js';

let dir: string;
let cleanup: () => void;
let file: string;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  file = join(dir, 'audit', 'deploy.jsonl');
  resetSecretsForTest();
});
afterEach(() => {
  cleanup();
  resetSecretsForTest();
});

const artifactId = 'pkg:oci/app@sha256%3Aabc';

function audit(extra: Partial<Parameters<typeof createAudit>[0]> = {}) {
  return createAudit({
    file,
    action: { name: 'deploy-strategy', version: '1.4.2' },
    context: RUN,
    environment: 'production',
    namespace: 'patient-portal',
    durability: 'write',
    ...extra,
  });
}

describe('createAudit', () => {
  it('writes events built from its scope and renders them for the step summary', async () => {
    const trail = audit();
    const started = await trail.emit((scope) => pipelineRunStarted(scope));
    trail.update({ approvers: ['alice-lead'], cluster: 'prod-eu-west-1' });
    const deployed = await trail.emit((scope) => serviceDeployed(scope, { service: 'api|v2', artifactId }));
    await trail.close();

    expect(started.seq).toBe(0);
    expect(deployed.event.data.customData).toMatchObject({
      approvers: ['alice-lead'],
      cluster: 'prod-eu-west-1',
    });
    expect(started.event.data.customData).not.toHaveProperty('approvers');

    const markdown = trail.summaryMarkdown();
    expect(markdown).toContain('### Audit events');
    expect(markdown).toContain('| Time | Type | Subject | Outcome | Seq | Hash |');
    expect(markdown).toContain(
      `| ${started.event.time} | \`pipelinerun.started\` | ${started.event.subject} | started | 0 | \`${started.hash.slice(0, 12)}\` |`,
    );
    expect(markdown).toContain('| api\\|v2 | success | 1 |');
    expect(markdown).toContain(`audithash \`${deployed.hash}\` in \`${file}\``);
    expect(await verifyAuditFile(file, { expectLastHash: deployed.hash, expectCount: 2 })).toMatchObject({
      ok: true,
    });
  });

  it('continues one chain across the actions of a job; each summary shows its own events', async () => {
    const build = audit({ hmacKey: 'k3y' });
    await build.emit((scope) => taskRunFinished(scope, { outcome: 'success' }));
    await build.close();
    const rollback = audit({ hmacKey: 'k3y', action: { name: 'rollback' } });
    const record = await rollback.emit((scope) =>
      serviceRolledBack(scope, { service: 'api', artifactId, reason: 'error rate 2 %' }),
    );
    await rollback.close();
    expect(record.seq).toBe(1);
    expect(rollback.summaryMarkdown()).not.toContain('taskrun.finished');
    expect(rollback.summaryMarkdown()).toContain('service.rolledback');
    expect(await verifyAuditFile(file, { hmacKey: 'k3y' })).toMatchObject({
      ok: true,
      records: 2,
      hmacChecked: true,
    });
  });

  it('returns an empty summary when nothing was emitted', async () => {
    const trail = audit();
    expect(trail.summaryMarkdown()).toBe('');
    await trail.close();
  });

  it('keeps a registered secret out of the file, the HTTP sink and the summary', async () => {
    const receiver = new Receiver();
    await receiver.start();
    try {
      registerSecret('pg-Pa55w0rd!');
      const trail = audit({ http: { url: receiver.url, secret: 'whsec_c2VjcmV0' } });
      await trail.emit((scope) =>
        projectEvent(scope, {
          thing: 'migration',
          verb: 'failed',
          subject: 'V7 using pg-Pa55w0rd!',
          outcome: 'failure',
          reason: 'connection to postgres://app:pg-Pa55w0rd!@db failed',
        }),
      );
      // A secret learned after the event was written is still kept out of the summary.
      registerSecret('late-token-123');
      await trail.emit((scope) =>
        projectEvent(scope, { thing: 'gate', verb: 'passed', subject: 'late-token-123' }),
      );
      await trail.close();
      const written = readFileSync(file, 'utf8');
      const sent = receiver.requests.map((r) => r.body).join('\n');
      const summary = trail.summaryMarkdown();
      for (const text of [written, sent, summary]) {
        expect(text).not.toContain('pg-Pa55w0rd!');
        expect(text).toContain('***');
      }
      expect(summary).not.toContain('late-token-123');
      expect(receiver.requests).toHaveLength(2);
      expect(sent).toBe(written.trimEnd());
    } finally {
      await receiver.stop();
    }
  });

  it('delivers over HTTP in order without blocking emit, and flushes on close', async () => {
    const receiver = new Receiver();
    await receiver.start();
    try {
      receiver.script({ status: 503, headers: { 'retry-after': '0' } });
      const trail = audit({ http: { url: receiver.url, retry: { baseDelayMs: 5 } } });
      for (let i = 0; i < 5; i++) {
        void trail.emit((scope) =>
          projectEvent(scope, { thing: 'traffic', verb: 'shifted', subject: `step-${i}` }),
        );
      }
      // On disk at once, whatever the network does.
      expect(readFileSync(file, 'utf8').trimEnd().split('\n')).toHaveLength(5);
      await trail.close();
      const delivered = receiver.requests.map((r) => JSON.parse(r.body).auditseq);
      expect(delivered).toEqual([0, 0, 1, 2, 3, 4]);
    } finally {
      await receiver.stop();
    }
  });

  it('does not fail the action when an optional endpoint is dead, but does when it is required', async () => {
    const url = await deadUrl();
    const warnings: string[] = [];
    const optional = audit({
      http: { url, attempts: 2, retry: { baseDelayMs: 5 }, warn: (m) => warnings.push(m) },
    });
    await expect(optional.emit((scope) => pipelineRunStarted(scope))).resolves.toMatchObject({ seq: 0 });
    await optional.close();
    expect(warnings).toHaveLength(1);

    const required = audit({ http: { url, attempts: 2, retry: { baseDelayMs: 5 }, required: true } });
    await expect(required.emit((scope) => pipelineRunStarted(scope))).rejects.toThrow(/was not delivered/);
    await required.close();
    // The event is in the log even though delivery failed.
    expect(await verifyAuditFile(file, { expectCount: 2 })).toMatchObject({ ok: true });
  });
});

describe('summary helpers', () => {
  it('shorten known types and read the outcome of both event families', () => {
    expect(shortType('dev.cdevents.service.deployed.0.3.0')).toBe('service.deployed');
    expect(shortType('dev.deploy-actions.quality-gate.evaluated.v1')).toBe('quality-gate.evaluated');
    expect(shortType('com.example.other')).toBe('com.example.other');
    const base = {
      specversion: '1.0',
      id: 'i',
      source: '/s',
      type: 't',
      time: 't',
      datacontenttype: 'application/json',
    } as const;
    expect(eventOutcome({ ...base, data: { customData: { outcome: 'failure' } } })).toBe('failure');
    expect(eventOutcome({ ...base, data: { outcome: 'skipped' } })).toBe('skipped');
    expect(eventOutcome({ ...base, data: {} })).toBeUndefined();
  });
});
