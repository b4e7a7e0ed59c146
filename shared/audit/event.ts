import { randomUUID } from 'node:crypto';
import type { RunContext } from '../run-context.js';

/** A CloudEvents 1.0 event in the JSON structured format. */
export interface CloudEvent<Data = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time: string;
  subject?: string;
  datacontenttype: 'application/json';
  dataschema?: string;
  data: Data;
}

export type AuditEvent = CloudEvent<Record<string, unknown>>;

/** `started` for beginnings; `detected` for incidents; the rest say how something ended. */
export type AuditOutcome = 'started' | 'success' | 'failure' | 'cancel' | 'error' | 'skipped' | 'detected';

/** The outcomes CDEvents allows on a finished run. */
export type FinishedOutcome = 'success' | 'failure' | 'cancel' | 'error';

export interface ActionIdentity {
  name: string;
  version?: string;
}

/** What every event of one action run shares: who, and where. */
export interface AuditScope {
  action: ActionIdentity;
  run: RunContext;
  environment?: string;
  /** URL of the environment (the deployed app, or the GitHub environment page). */
  environmentUrl?: string;
  cluster?: string;
  namespace?: string;
  /** Reviewers who approved the deployment, when the action could learn them. */
  approvers?: readonly string[];
  /** Correlates the events of one workflow run attempt across actions. */
  chainId?: string;
}

/** Facts an event may add about what happened. Nothing here may hold a secret or PHI. */
export interface EventFacts {
  outcome?: AuditOutcome;
  /** Why: a failure message, the trigger of a rollback, a skip reason. */
  reason?: string;
  /** The version of the thing acted on (release, chart, migration target). */
  version?: string;
  image?: string;
  digest?: string;
  /** Named checksums, e.g. migration file → sha256. */
  checksums?: Record<string, string>;
  /** Overrides the scope's environment/cluster/namespace for this event. */
  environment?: string;
  cluster?: string;
  namespace?: string;
  /** Further facts specific to the event. */
  details?: Record<string, unknown>;
  /** Fixed values for reproducible output (tests); normally generated. */
  id?: string;
  time?: Date | string;
}

/** The audit facts every event carries (CDEvents `customData`, or the data of project events). */
export interface AuditFacts {
  action: ActionIdentity;
  outcome: AuditOutcome;
  actor?: string;
  triggeringActor?: string;
  approvers?: string[];
  repository?: string;
  ref?: string;
  sha?: string;
  workflow?: string;
  job?: string;
  runId?: string;
  runAttempt?: string;
  runUrl?: string;
  eventName?: string;
  environment?: string;
  cluster?: string;
  namespace?: string;
  reason?: string;
  version?: string;
  image?: string;
  digest?: string;
  checksums?: Record<string, string>;
  details?: Record<string, unknown>;
}

export function auditFacts(scope: AuditScope, facts: EventFacts, defaultOutcome: AuditOutcome): AuditFacts {
  const run = scope.run;
  return compact({
    action: compact({ name: scope.action.name, version: scope.action.version }),
    outcome: facts.outcome ?? defaultOutcome,
    actor: run.actor,
    triggeringActor: run.triggeringActor,
    approvers: scope.approvers?.length ? [...scope.approvers] : undefined,
    repository: run.repository,
    ref: run.ref,
    sha: run.sha,
    workflow: run.workflow,
    job: run.job,
    runId: run.runId,
    runAttempt: run.runAttempt,
    runUrl: run.runUrl,
    eventName: run.eventName,
    environment: facts.environment ?? scope.environment,
    cluster: facts.cluster ?? scope.cluster,
    namespace: facts.namespace ?? scope.namespace,
    reason: facts.reason,
    version: facts.version,
    image: facts.image,
    digest: facts.digest,
    checksums: facts.checksums,
    details: facts.details,
  });
}

/** `/<owner>/<repo>/actions/<action>`: a URI reference naming the producer. */
export function eventSource(scope: AuditScope): string {
  const repository = scope.run.repository ?? 'local';
  return `/${repository}/actions/${encodeURIComponent(scope.action.name)}`;
}

/** The default chain id: one per workflow run attempt, so all actions of a run correlate. */
export function defaultChainId(run: RunContext): string | undefined {
  if (!run.repository || !run.runId) return undefined;
  return `${run.repository}/actions/runs/${run.runId}/attempts/${run.runAttempt ?? '1'}`;
}

export function eventId(facts: EventFacts): string {
  return facts.id ?? randomUUID();
}

export function eventTime(facts: EventFacts): string {
  const time = facts.time ?? new Date();
  return typeof time === 'string' ? time : time.toISOString();
}

/**
 * A copy without undefined members. Schemas with `additionalProperties: false` and hash chains
 * both want exactly the keys that carry a value.
 */
export function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) if (inner !== undefined) out[key] = inner;
  return out as T;
}
