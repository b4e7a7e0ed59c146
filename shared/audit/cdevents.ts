import {
  type AuditEvent,
  type AuditOutcome,
  type AuditScope,
  auditFacts,
  compact,
  defaultChainId,
  type EventFacts,
  eventId,
  eventSource,
  eventTime,
  type FinishedOutcome,
} from './event.js';

/**
 * Builders for the CDEvents v0.5.1 events the actions emit, wrapped in CloudEvents 1.0 as the
 * CDEvents CloudEvents binding says (same id, source, type and time in both). CDEvents forbids
 * extra members in `context`, `subject` and `content`, so the audit facts (who, where, outcome)
 * travel in `customData`.
 */

export const CDEVENTS_SPEC_VERSION = '0.5.1';

export const CDEVENT_TYPES = {
  'pipelinerun.started': 'dev.cdevents.pipelinerun.started.0.3.0',
  'pipelinerun.finished': 'dev.cdevents.pipelinerun.finished.0.3.0',
  'taskrun.started': 'dev.cdevents.taskrun.started.0.3.0',
  'taskrun.finished': 'dev.cdevents.taskrun.finished.0.3.0',
  'artifact.packaged': 'dev.cdevents.artifact.packaged.0.3.0',
  'artifact.published': 'dev.cdevents.artifact.published.0.3.0',
  'service.deployed': 'dev.cdevents.service.deployed.0.3.0',
  'service.upgraded': 'dev.cdevents.service.upgraded.0.3.0',
  'service.rolledback': 'dev.cdevents.service.rolledback.0.3.0',
  'incident.detected': 'dev.cdevents.incident.detected.0.3.0',
} as const;

export type CdeventKind = keyof typeof CDEVENT_TYPES;

/** The `$id` of the official schema of a kind, e.g. `.../schema/service-deployed-event`. */
export function cdeventSchemaId(kind: CdeventKind): string {
  return `https://cdevents.dev/${CDEVENTS_SPEC_VERSION}/schema/${kind.replace('.', '-')}-event`;
}

/** A `uri` that always parses, for runs outside GitHub where no run URL exists. */
const LOCAL_RUN_URI = 'urn:deploy-actions:local-run';

type Finished<T> = Omit<T, 'outcome'> & { outcome: FinishedOutcome; errors?: string };

export interface PipelineRunParams extends EventFacts {
  /** Defaults to the workflow run attempt. */
  pipelineRunId?: string;
  /** Defaults to the workflow name. */
  pipelineName?: string;
  /** Defaults to the run URL. */
  url?: string;
}

export function pipelineRunStarted(scope: AuditScope, params: PipelineRunParams = {}): AuditEvent {
  return cdevent(scope, 'pipelinerun.started', params, 'started', {
    id: pipelineRunId(scope, params.pipelineRunId),
    content: {
      pipelineName: params.pipelineName ?? scope.run.workflow ?? 'unknown',
      uri: params.url ?? scope.run.runUrl ?? LOCAL_RUN_URI,
    },
  });
}

export function pipelineRunFinished(scope: AuditScope, params: Finished<PipelineRunParams>): AuditEvent {
  return cdevent(scope, 'pipelinerun.finished', params, params.outcome, {
    id: pipelineRunId(scope, params.pipelineRunId),
    content: {
      pipelineName: params.pipelineName ?? scope.run.workflow,
      uri: params.url ?? scope.run.runUrl,
      outcome: params.outcome,
      errors: params.errors ?? (params.outcome === 'success' ? undefined : params.reason),
    },
  });
}

export interface TaskRunParams extends EventFacts {
  /** Defaults to `<pipeline run>/jobs/<job>/<action>`. */
  taskRunId?: string;
  /** Defaults to the action name. */
  taskName?: string;
  url?: string;
  pipelineRunId?: string;
}

export function taskRunStarted(scope: AuditScope, params: TaskRunParams = {}): AuditEvent {
  return cdevent(scope, 'taskrun.started', params, 'started', taskRunSubject(scope, params, {}));
}

export function taskRunFinished(scope: AuditScope, params: Finished<TaskRunParams>): AuditEvent {
  return cdevent(
    scope,
    'taskrun.finished',
    params,
    params.outcome,
    taskRunSubject(scope, params, {
      outcome: params.outcome,
      errors: params.errors ?? (params.outcome === 'success' ? undefined : params.reason),
    }),
  );
}

export interface ArtifactPackagedParams extends EventFacts {
  /** A package URL, e.g. from `ociPurl(image, digest)`. */
  artifactId: string;
  /** The change the artifact was built from; defaults to the commit being built. */
  change?: { id: string; source?: string };
  sbomUri?: string;
}

export function artifactPackaged(scope: AuditScope, params: ArtifactPackagedParams): AuditEvent {
  const change = params.change ?? {
    id: scope.run.sha ?? 'unknown',
    source: scope.run.repository ? `/${scope.run.repository}` : undefined,
  };
  return cdevent(scope, 'artifact.packaged', params, 'success', {
    id: params.artifactId,
    content: {
      change: compact(change),
      sbom: params.sbomUri ? { uri: params.sbomUri } : undefined,
    },
  });
}

export interface ArtifactPublishedParams extends EventFacts {
  artifactId: string;
  sbomUri?: string;
  /** Who published; defaults to the actor. */
  user?: string;
}

export function artifactPublished(scope: AuditScope, params: ArtifactPublishedParams): AuditEvent {
  return cdevent(scope, 'artifact.published', params, 'success', {
    id: params.artifactId,
    content: {
      sbom: params.sbomUri ? { uri: params.sbomUri } : undefined,
      user: params.user ?? scope.run.actor,
    },
  });
}

export interface ServiceParams extends EventFacts {
  /** The service's name, e.g. the Kubernetes Deployment. */
  service: string;
  /** The artifact now running (rolled back to, for a rollback), as a package URL. */
  artifactId: string;
}

export function serviceDeployed(scope: AuditScope, params: ServiceParams): AuditEvent {
  return serviceEvent(scope, 'service.deployed', params);
}

export function serviceUpgraded(scope: AuditScope, params: ServiceParams): AuditEvent {
  return serviceEvent(scope, 'service.upgraded', params);
}

export function serviceRolledBack(scope: AuditScope, params: ServiceParams): AuditEvent {
  return serviceEvent(scope, 'service.rolledback', params);
}

export interface IncidentParams extends EventFacts {
  incidentId: string;
  description?: string;
  service?: string;
  artifactId?: string;
}

export function incidentDetected(scope: AuditScope, params: IncidentParams): AuditEvent {
  return cdevent(scope, 'incident.detected', params, 'detected', {
    id: params.incidentId,
    content: {
      description: params.description,
      environment: environmentRef(scope, params),
      service: params.service ? { id: params.service } : undefined,
      artifactId: params.artifactId,
    },
  });
}

/**
 * Package URL of an OCI image by digest (purl `oci` type): `pkg:oci/<name>@<digest>` with the
 * repository and tag as qualifiers, e.g. `pkg:oci/app@sha256%3A…?repository_url=ghcr.io/org/app`.
 */
export function ociPurl(image: string, digest: string): string {
  const withoutDigest = image.split('@')[0] ?? image;
  const slash = withoutDigest.lastIndexOf('/');
  const lastSegment = withoutDigest.slice(slash + 1);
  const colon = lastSegment.indexOf(':');
  const name = (colon >= 0 ? lastSegment.slice(0, colon) : lastSegment).toLowerCase();
  const tag = colon >= 0 ? lastSegment.slice(colon + 1) : undefined;
  const repository =
    withoutDigest.slice(0, slash + 1) + (colon >= 0 ? lastSegment.slice(0, colon) : lastSegment);
  const qualifiers: string[] = [];
  if (repository !== name) qualifiers.push(`repository_url=${encodeQualifier(repository)}`);
  if (tag) qualifiers.push(`tag=${encodeQualifier(tag)}`);
  const query = qualifiers.length ? `?${qualifiers.join('&')}` : '';
  return `pkg:oci/${encodeURIComponent(name)}@${encodeURIComponent(digest)}${query}`;
}

function encodeQualifier(value: string): string {
  return encodeURIComponent(value).replace(/%2F/g, '/');
}

function serviceEvent(
  scope: AuditScope,
  kind: 'service.deployed' | 'service.upgraded' | 'service.rolledback',
  params: ServiceParams,
): AuditEvent {
  return cdevent(scope, kind, params, 'success', {
    id: params.service,
    content: { environment: environmentRef(scope, params), artifactId: params.artifactId },
  });
}

function environmentRef(scope: AuditScope, facts: EventFacts): { id: string; source?: string } {
  return compact({ id: facts.environment ?? scope.environment ?? 'unknown', source: scope.environmentUrl });
}

function pipelineRunId(scope: AuditScope, explicit: string | undefined): string {
  return explicit ?? defaultChainId(scope.run) ?? 'local-run';
}

function taskRunSubject(
  scope: AuditScope,
  params: TaskRunParams,
  extra: Record<string, unknown>,
): { id: string; content: Record<string, unknown> } {
  const pipelineRun = pipelineRunId(scope, params.pipelineRunId);
  const job = scope.run.job ?? 'job';
  return {
    id: params.taskRunId ?? `${pipelineRun}/jobs/${job}/${scope.action.name}`,
    content: {
      taskName: params.taskName ?? scope.action.name,
      uri: params.url ?? scope.run.runUrl,
      pipelineRun: { id: pipelineRun },
      ...extra,
    },
  };
}

function cdevent(
  scope: AuditScope,
  kind: CdeventKind,
  facts: EventFacts,
  defaultOutcome: AuditOutcome,
  subject: { id: string; content: Record<string, unknown> },
): AuditEvent {
  const type = CDEVENT_TYPES[kind];
  const id = eventId(facts);
  const time = eventTime(facts);
  const source = eventSource(scope);
  return {
    specversion: '1.0',
    id,
    source,
    type,
    time,
    subject: subject.id,
    datacontenttype: 'application/json',
    dataschema: cdeventSchemaId(kind),
    data: {
      context: compact({
        specversion: CDEVENTS_SPEC_VERSION,
        id,
        source,
        type,
        timestamp: time,
        chainId: scope.chainId ?? defaultChainId(scope.run),
      }),
      subject: { id: subject.id, source, content: compact(subject.content) },
      customData: auditFacts(scope, facts, defaultOutcome),
      customDataContentType: 'application/json',
    },
  };
}
