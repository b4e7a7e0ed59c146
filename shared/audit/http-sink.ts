import * as core from '@actions/core';
import { errorMessage } from '../errors.js';
import { type FetchRetryOptions, fetchWithRetry } from '../retry.js';
import { redactString, registerSecret } from '../secrets.js';
import { signWebhook } from '../webhook-signature.js';
import type { AuditRecord } from './audit-log.js';

export interface HttpSinkOptions {
  url: string;
  /** Signs every request; `whsec_<base64>` or raw text. */
  secret?: string;
  /** Throw when an event cannot be delivered; by default a failure is only a warning. */
  required?: boolean;
  headers?: Record<string, string>;
  /** Budget for one event across all its attempts. */
  deadlineMs?: number;
  /** Budget for one attempt. */
  timeoutMs?: number;
  attempts?: number;
  /** Retry tuning (tests) and the job's cancellation signal. */
  retry?: Pick<FetchRetryOptions, 'baseDelayMs' | 'maxDelayMs' | 'sleep' | 'random' | 'fetch' | 'signal'>;
  /** Where warnings go; the runner log by default. */
  warn?: (message: string) => void;
}

export interface DeliveryResult {
  ok: boolean;
  status?: number;
  attempts: number;
  error?: string;
}

export class AuditDeliveryError extends Error {
  override readonly name = 'AuditDeliveryError';
}

/** Well inside the 5-minute tolerance of Standard Webhooks, since the timestamp is signed once. */
const DEFAULT_DEADLINE_MS = 30_000;
const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * POSTs each record to an endpoint as a CloudEvents structured-mode JSON body, signed with
 * Standard Webhooks and GitHub-style headers. The record's id is the webhook-id on every
 * attempt, so a receiver can drop repeats. After a failed delivery the sink tries each later
 * event only once until one succeeds, so a dead endpoint cannot stall the deployment.
 */
export class HttpSink {
  readonly origin: string;
  private degraded = false;

  constructor(private readonly options: HttpSinkOptions) {
    this.origin = new URL(options.url).origin;
    if (options.secret) registerSecret(options.secret);
  }

  async send(record: AuditRecord<{ id?: unknown }>): Promise<DeliveryResult> {
    const body = redactString(record.line);
    const id = typeof record.event.id === 'string' ? record.event.id : `audit-${record.hash}`;
    const headers: Record<string, string> = {
      'content-type': 'application/cloudevents+json; charset=utf-8',
      ...this.options.headers,
    };
    if (this.options.secret) Object.assign(headers, signWebhook({ secret: this.options.secret, id, body }));
    else headers['webhook-id'] = id;

    let attempts = 0;
    let result: DeliveryResult;
    try {
      const response = await fetchWithRetry(
        this.options.url,
        { method: 'POST', headers, body },
        {
          ...this.options.retry,
          attempts: this.degraded ? 1 : (this.options.attempts ?? 5),
          deadlineMs: this.options.deadlineMs ?? DEFAULT_DEADLINE_MS,
          timeoutMs: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          onRetry: (info) => {
            attempts = info.attempt;
          },
        },
      );
      attempts += 1;
      await response.arrayBuffer().catch(() => undefined);
      result = response.ok
        ? { ok: true, status: response.status, attempts }
        : { ok: false, status: response.status, attempts, error: `HTTP ${response.status}` };
    } catch (error) {
      result = { ok: false, attempts: Math.max(1, attempts + 1), error: errorMessage(error) };
    }
    this.degraded = !result.ok;
    if (!result.ok) {
      // Retry errors already say how many attempts were made; a final status does not.
      const why =
        result.status === undefined
          ? result.error
          : `${result.error} after ${result.attempts} attempt${result.attempts === 1 ? '' : 's'}`;
      const message = redactString(
        `Audit event seq ${record.seq} was not delivered to ${this.origin}: ${why}`,
      );
      if (this.options.required) throw new AuditDeliveryError(message);
      (this.options.warn ?? core.warning)(message);
    }
    return result;
  }
}
