import { type RunContext, readRunContext } from '../run-context.js';
import { registerSecret } from '../secrets.js';
import { AuditLog, type AuditRecord } from './audit-log.js';
import type { ActionIdentity, AuditEvent, AuditScope } from './event.js';
import { type DeliveryResult, HttpSink, type HttpSinkOptions } from './http-sink.js';
import { AuditSummary } from './summary.js';

export interface AuditOptions {
  /** The JSONL log; created if missing, continued if it exists. Expose it as an action output. */
  file: string;
  action: ActionIdentity;
  /** Defaults to the runner environment. */
  context?: RunContext;
  environment?: string;
  environmentUrl?: string;
  cluster?: string;
  namespace?: string;
  approvers?: readonly string[];
  chainId?: string;
  hmacKey?: string | Uint8Array;
  http?: HttpSinkOptions;
  durability?: 'fsync' | 'write';
}

export type ScopeUpdate = Partial<Omit<AuditScope, 'action' | 'run'>>;

export type EventSource = AuditEvent | ((scope: AuditScope) => AuditEvent);

/** The one object an action uses to record what it does. */
export interface Audit {
  readonly file: string;
  readonly scope: Readonly<AuditScope>;
  /** Adds facts learned along the way, e.g. approvers or the namespace. */
  update(facts: ScopeUpdate): void;
  /**
   * Writes the event to the log (on disk before this returns, even if the promise is not
   * awaited) and queues its HTTP delivery. With a required HTTP sink the promise rejects when
   * delivery fails; otherwise it resolves once the event is on disk.
   */
  emit(event: EventSource): Promise<AuditRecord>;
  /** The step-summary section for the events of this step. */
  summaryMarkdown(): string;
  /** Waits for queued HTTP deliveries. */
  flush(): Promise<void>;
  /** Flushes and closes the log. */
  close(): Promise<void>;
}

export function createAudit(options: AuditOptions): Audit {
  return new AuditTrail(options);
}

class AuditTrail implements Audit {
  readonly file: string;
  private readonly mutableScope: AuditScope;
  private readonly log: AuditLog;
  private readonly http: HttpSink | undefined;
  private readonly required: boolean;
  private readonly summary: AuditSummary;
  private deliveries: Promise<unknown> = Promise.resolve();

  constructor(options: AuditOptions) {
    if (typeof options.hmacKey === 'string') registerSecret(options.hmacKey);
    this.file = options.file;
    this.mutableScope = {
      action: options.action,
      run: options.context ?? readRunContext(),
      environment: options.environment,
      environmentUrl: options.environmentUrl,
      cluster: options.cluster,
      namespace: options.namespace,
      approvers: options.approvers,
      chainId: options.chainId,
    };
    this.http = options.http ? new HttpSink(options.http) : undefined;
    this.required = options.http?.required ?? false;
    this.log = AuditLog.open(options.file, { hmacKey: options.hmacKey, durability: options.durability });
    this.summary = new AuditSummary(options.file);
  }

  get scope(): Readonly<AuditScope> {
    return this.mutableScope;
  }

  update(facts: ScopeUpdate): void {
    Object.assign(this.mutableScope, facts);
  }

  async emit(source: EventSource): Promise<AuditRecord> {
    const event = typeof source === 'function' ? source(this.mutableScope) : source;
    const record = this.log.append(event);
    this.summary.add(record);
    const http = this.http;
    if (http) {
      // Deliveries run one after another so the receiver sees the chain in order.
      const delivery: Promise<DeliveryResult> = this.deliveries.then(() => http.send(record));
      this.deliveries = delivery.catch(() => undefined);
      if (this.required) await delivery;
    }
    return record;
  }

  summaryMarkdown(): string {
    return this.summary.markdown();
  }

  async flush(): Promise<void> {
    await this.deliveries;
  }

  async close(): Promise<void> {
    await this.flush();
    this.log.close();
  }
}
