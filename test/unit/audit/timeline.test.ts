import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../../shared/audit/audit-log.js';
import { serviceRolledBack } from '../../../shared/audit/cdevents.js';
import { projectEvent } from '../../../shared/audit/project-event.js';
import {
  readTimeline,
  renderTimelineMarkdown,
  renderTimelineText,
  shortEventName,
} from '../../../shared/audit/timeline.js';
import { EXIT_OK, EXIT_USAGE, runVerifyCommand } from '../../../shared/audit/verify-command.js';
import { scope, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => void;
let path: string;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  path = join(dir, 'audit.jsonl');
  const log = AuditLog.open(path, { durability: 'write' });
  log.append(
    projectEvent(scope(), {
      thing: 'traffic',
      verb: 'shifted',
      subject: 'patient-api',
      details: { from: 0, to: 5, via: 'nginx', step: 1 },
    }),
  );
  log.append(
    serviceRolledBack(scope(), {
      service: 'patient-api',
      environment: 'production',
      artifactId: 'pkg:oci/patient-api@sha256%3Aabc',
      image: 'registry.example/patient-api@sha256:abc',
      reason: 'error rate 29% above the 1% threshold',
    }),
  );
  log.close();
});
afterEach(() => cleanup());

describe('audit timeline', () => {
  it('shortens CDEvents and the suite’s own event types', () => {
    expect(shortEventName('dev.cdevents.service.rolledback.0.3.0')).toBe('service.rolledback');
    expect(shortEventName('dev.deploy-actions.canary-analysis.decided.v1')).toBe('canary-analysis.decided');
    expect(shortEventName('com.example.other')).toBe('com.example.other');
  });

  it('tells who did what to what, with the outcome and a readable detail', async () => {
    const entries = await readTimeline(path);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({
      seq: 0,
      event: 'traffic.shifted',
      subject: 'patient-api',
      outcome: 'success',
      detail: expect.stringContaining('canary weight 0% → 5% via nginx'),
    });
    expect(entries[1]).toMatchObject({
      seq: 1,
      event: 'service.rolledback',
      detail: expect.stringContaining('reason: error rate 29% above the 1% threshold'),
    });
    expect(entries[0]!.actor).toBeTruthy();
    expect(renderTimelineText(entries).split('\n')).toHaveLength(2);
    const table = renderTimelineMarkdown(entries).split('\n');
    expect(table[0]).toBe('| # | time | job | action | actor | event | subject | outcome | details |');
    expect(table).toHaveLength(4);
  });

  it('is printed by the verifier after its result with --timeline or --markdown', async () => {
    let stdout = '';
    const io = { env: {}, stdout: (t: string) => (stdout += t), stderr: () => undefined };
    expect(await runVerifyCommand([path, '--timeline'], io)).toBe(EXIT_OK);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^OK .*2 records verified/);
    expect(lines[1]).toMatch(/traffic\.shifted patient-api \[success\] — canary weight 0% → 5%/);
    stdout = '';
    expect(await runVerifyCommand([path, '--markdown'], io)).toBe(EXIT_OK);
    expect(stdout).toMatch(/\| 1 \| .* \| service\.rolledback \|/);
    expect(await runVerifyCommand([path, '--timeline', '--json'], io)).toBe(EXIT_USAGE);
    expect(await runVerifyCommand([path, '--timeline', '--markdown'], io)).toBe(EXIT_USAGE);
  });
});
