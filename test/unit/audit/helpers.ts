import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog, type AuditLogOptions } from '../../../shared/audit/audit-log.js';
import type { AuditScope } from '../../../shared/audit/event.js';
import { projectEvent } from '../../../shared/audit/project-event.js';
import type { RunContext } from '../../../shared/run-context.js';

export const RUN: RunContext = {
  actor: 'jane-doe',
  triggeringActor: 'release-bot',
  repository: 'caresync/patient-portal',
  ref: 'refs/heads/main',
  sha: '3f2a9c1d0b7e4f5a6c8d9e0f1a2b3c4d5e6f7a8b',
  workflow: 'Deploy production',
  job: 'deploy',
  runId: '9876543210',
  runAttempt: '2',
  runUrl: 'https://github.com/caresync/patient-portal/actions/runs/9876543210/attempts/2',
  eventName: 'workflow_dispatch',
  serverUrl: 'https://github.com',
};

export function scope(overrides: Partial<AuditScope> = {}): AuditScope {
  return {
    action: { name: 'deploy-strategy', version: '1.4.2' },
    run: RUN,
    environment: 'production',
    cluster: 'prod-eu-west-1',
    namespace: 'patient-portal',
    approvers: ['alice-lead', 'bob-sre'],
    ...overrides,
  };
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'audit-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function sampleEvent(i: number, details: Record<string, unknown> = {}) {
  return projectEvent(scope(), {
    thing: 'traffic',
    verb: 'shifted',
    subject: 'patient-portal-api',
    details: { weight: i, ...details },
  });
}

/** Writes `count` events with the real writer and returns the file's lines. */
export function writeLog(path: string, count: number, options: AuditLogOptions = {}): string[] {
  const log = AuditLog.open(path, { durability: 'write', ...options });
  for (let i = 0; i < count; i++) log.append(sampleEvent(i));
  log.close();
  return readLines(path);
}

export function readLines(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  return text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
}

export function writeLines(path: string, lines: readonly string[]): void {
  writeFileSync(path, lines.length ? `${lines.join('\n')}\n` : '');
}
