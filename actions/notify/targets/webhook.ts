import type { AuditRecord } from '../../../shared/audit/index.js';
import { HttpSink } from '../../../shared/audit/index.js';
import type { WebhookTarget } from '../plan.js';
import type { DeliveryOptions } from './delivery-options.js';
import type { TargetResult } from './result.js';

/**
 * A generic webhook receives the audit record of this notification, exactly as it stands in
 * the chained log, signed like the audit HTTP sink (Standard Webhooks and X-Hub-Signature-256)
 * with the event id as the delivery id on every retry — it is the same delivery mechanism.
 */
export async function sendWebhook(
  record: AuditRecord,
  target: WebhookTarget,
  options: DeliveryOptions,
): Promise<TargetResult> {
  if (options.dryRun) {
    return { target: target.name, ok: true, skipped: true, attempts: 0, detail: { payload: record.line } };
  }
  const sink = new HttpSink({
    url: target.url,
    ...(target.secret ? { secret: target.secret } : {}),
    ...(target.headers ? { headers: target.headers } : {}),
    deadlineMs: options.retry.deadlineMs,
    ...(options.retry.timeoutMs ? { timeoutMs: options.retry.timeoutMs } : {}),
    retry: options.retry,
    // The result table reports the failure; no separate warning.
    warn: () => {},
  });
  const result = await sink.send(record);
  return {
    target: target.name,
    ok: result.ok,
    ...(result.status ? { httpStatus: result.status } : {}),
    attempts: result.attempts,
    ...(result.error ? { error: result.error } : {}),
    detail: { id: String(record.event.id), signed: target.secret ? 'yes' : 'no' },
  };
}
