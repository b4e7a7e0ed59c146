import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyAuditFile } from '../../../shared/audit/index.js';
import { type ActionRun, type RunOptions, repoRoot, runAction } from '../../support/harness.js';
import type { KObj, KubeSim } from '../../support/kube-sim/index.js';

/**
 * What the deploy-strategy and rollback scenarios share: a workspace holding an environment
 * config and the fixture manifests, runs of the dist bundles against the simulator, and
 * readers for the audit trail they leave.
 */

export const IMAGE = 'registry.example/caresync/patient-api';
export const digest = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
export const pinned = (n: number) => `${IMAGE}@${digest(n)}`;

export interface WorkspaceOptions {
  namespace: string;
  deployment?: string;
  service?: string;
  ingress?: string;
  route?: string;
  /** Extra YAML appended under `deployment:`. */
  deployment_extra?: string;
  /** Whole sections appended to the config. */
  extra?: string;
  /** Health check timing (default 2s per request, 3 retries). */
  health?: { timeout?: string; retries?: number };
}

/** A workspace with deploy/environments/staging.yml and the fixture manifests under k8s/. */
export function workspace(sim: KubeSim, options: WorkspaceOptions): string {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-ws-'));
  mkdirSync(join(dir, 'deploy/environments'), { recursive: true });
  mkdirSync(join(dir, 'k8s'), { recursive: true });
  for (const file of ['patient-api.yml', 'broken.yml', 'ingress.yml', 'httproute.yml'])
    copyFileSync(join(repoRoot, 'test/fixtures/k8s', file), join(dir, 'k8s', file));
  const deployment = options.deployment ?? 'patient-api';
  const service = options.service ?? deployment;
  const config = `environment:
  name: staging
deployment:
  timeout: 20s
  leaseDuration: 5m
${options.deployment_extra ?? ''}kubernetes:
  namespace: ${options.namespace}
  deployment: ${deployment}
  container: patient-api
  service: ${service}
${options.ingress ? `  ingress: ${options.ingress}\n` : ''}${options.route ? `  httpRoute: ${options.route}\n` : ''}health:
  baseUrl: ${sim.appUrl}/services/${options.namespace}/${service}
  timeout: ${options.health?.timeout ?? '2s'}
  retries: ${options.health?.retries ?? 3}
  interval: 100ms
${options.extra ?? ''}`;
  writeFileSync(join(dir, 'deploy/environments/staging.yml'), config);
  return dir;
}

export function writeManifest(ws: string, name: string, text: string): string {
  writeFileSync(join(ws, 'k8s', name), text);
  return `k8s/${name}`;
}

/** Runs an action bundle against the simulator, with the audit log in the workspace. */
export function run(
  sim: KubeSim,
  action: 'deploy-strategy' | 'rollback',
  ws: string,
  inputs: Record<string, string | number | boolean | undefined>,
  options: Partial<RunOptions> = {},
): Promise<ActionRun> {
  return runAction({
    timeoutMs: 90_000,
    ...options,
    action,
    workspace: ws,
    inputs: { environment: 'staging', 'audit-log': join(ws, 'audit.jsonl'), ...inputs },
    env: { KUBECONFIG: sim.kubeconfigPath, ...(options.env ?? {}) },
  });
}

export interface AuditEvent {
  type: string;
  data: KObj;
}

/** The CloudEvents in the workspace's audit log, oldest first. */
export function auditEvents(ws: string): AuditEvent[] {
  return readFileSync(join(ws, 'audit.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as KObj)
    .map((record) => (record.event ?? record) as AuditEvent);
}

export async function auditVerifies(ws: string): Promise<boolean> {
  return (await verifyAuditFile(join(ws, 'audit.jsonl'))).ok;
}

/** The image of the first container of a Deployment's template. */
export function imageOf(sim: KubeSim, namespace: string, name: string): string | undefined {
  return sim.get('deployment', namespace, name)?.spec?.template?.spec?.containers?.[0]?.image;
}

/** A fresh namespace per scenario keeps them independent on one simulator. */
let counter = 0;
export function freshNamespace(sim: KubeSim, prefix: string): string {
  counter += 1;
  const name = `${prefix}-${process.pid}-${counter}`;
  sim.createNamespace(name);
  return name;
}

/**
 * The audit facts of an event (outcome, reason, approvers, details…): the data of a project
 * event, the customData of a CDEvent.
 */
export function factsOf(event: AuditEvent | undefined): Record<string, unknown> | undefined {
  const search = (value: unknown): Record<string, unknown> | undefined => {
    if (!value || typeof value !== 'object') return undefined;
    const record = value as Record<string, unknown>;
    if ('outcome' in record && 'action' in record) return record;
    for (const child of Object.values(record)) {
      const found = search(child);
      if (found) return found;
    }
    return undefined;
  };
  return search(event?.data);
}

/** The `details` an audit event carries. */
export function detailsOf(event: AuditEvent | undefined): Record<string, unknown> | undefined {
  return factsOf(event)?.details as Record<string, unknown> | undefined;
}

/** Diagnostics for a failed expectation: what the step printed. */
export function logOf(run: ActionRun): string {
  return `${run.stdout}\n${run.stderr}\n${run.post?.stdout ?? ''}`;
}
