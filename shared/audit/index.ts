export { type Audit, type AuditOptions, createAudit, type EventSource, type ScopeUpdate } from './audit.js';
export { AuditLog, type AuditLogOptions, type AuditRecord } from './audit-log.js';
export * from './cdevents.js';
export type {
  ActionIdentity,
  AuditEvent,
  AuditFacts,
  AuditOutcome,
  AuditScope,
  CloudEvent,
  EventFacts,
  FinishedOutcome,
} from './event.js';
export { AuditDeliveryError, type DeliveryResult, HttpSink, type HttpSinkOptions } from './http-sink.js';
export {
  PROJECT_EVENT_PREFIX,
  type ProjectEventParams,
  projectEvent,
  projectEventType,
} from './project-event.js';
export { AuditSummary, eventOutcome, shortType } from './summary.js';
export {
  ChainVerifier,
  type TamperFinding,
  type TamperKind,
  type VerifyOptions,
  type VerifyResult,
  verifyAuditFile,
} from './verify.js';
