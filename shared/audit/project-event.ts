import {
  type AuditEvent,
  type AuditFacts,
  type AuditScope,
  auditFacts,
  defaultChainId,
  type EventFacts,
  eventId,
  eventSource,
  eventTime,
} from './event.js';

/**
 * Events no CDEvent fits (a migration applied, a quality gate judged, traffic shifted) use the
 * suite's own types, `dev.deploy-actions.<thing>.<verb>.v1`, with the audit facts as plain JSON.
 */

export const PROJECT_EVENT_PREFIX = 'dev.deploy-actions';

const TOKEN = /^[a-z][a-z0-9-]*$/;

export interface ProjectEventParams extends EventFacts {
  /** What the event is about, e.g. `migration`, `quality-gate`, `traffic`. */
  thing: string;
  /** What happened to it, e.g. `applied`, `evaluated`, `shifted`. */
  verb: string;
  /** The CloudEvents subject: the name of the thing, e.g. a migration version. */
  subject: string;
}

export interface ProjectEventData extends AuditFacts {
  subject: string;
  chainId?: string;
}

export function projectEventType(thing: string, verb: string): string {
  if (!TOKEN.test(thing) || !TOKEN.test(verb)) {
    throw new Error(`project event names must be lowercase words: got "${thing}.${verb}"`);
  }
  return `${PROJECT_EVENT_PREFIX}.${thing}.${verb}.v1`;
}

export function projectEvent(scope: AuditScope, params: ProjectEventParams): AuditEvent {
  const data: ProjectEventData = {
    subject: params.subject,
    ...auditFacts(scope, params, 'success'),
  };
  const chainId = scope.chainId ?? defaultChainId(scope.run);
  if (chainId) data.chainId = chainId;
  return {
    specversion: '1.0',
    id: eventId(params),
    source: eventSource(scope),
    type: projectEventType(params.thing, params.verb),
    time: eventTime(params),
    subject: params.subject,
    datacontenttype: 'application/json',
    data: { ...data },
  };
}
