import { type DeploymentMessage, facts, headline, truncate } from '../message.js';
import type { DeliveryOptions } from './delivery-options.js';
import { describeFailure, postJson } from './post-json.js';
import type { TargetResult } from './result.js';

/** PagerDuty truncates nothing for you: a summary over 1024 characters is rejected. */
export const PAGERDUTY_SUMMARY_MAX = 1024;

export interface PagerDutyTarget {
  routingKey: string;
  /** Events API base, `https://events.pagerduty.com` unless overridden (EU accounts, tests). */
  apiUrl: string;
  /** `critical` for production failures by default. */
  severity?: 'critical' | 'error' | 'warning' | 'info';
}

/** Stable across runs so the next success resolves the incident a failure opened. */
export function dedupKey(message: DeploymentMessage): string {
  return ['deploy-actions', message.repository, message.environment, message.service]
    .filter(Boolean)
    .join('/');
}

type Plan = { kind: 'trigger' | 'resolve'; changeEvent: boolean } | { kind: 'none'; why: string };

/** Failures and roll-backs page; a success resolves the open incident and records a change. */
export function pagerDutyPlan(status: DeploymentMessage['status']): Plan {
  if (status === 'failure' || status === 'rolled-back') return { kind: 'trigger', changeEvent: false };
  if (status === 'success') return { kind: 'resolve', changeEvent: true };
  return { kind: 'none', why: `PagerDuty is told of failures, roll-backs and successes, not "${status}"` };
}

function links(message: DeploymentMessage) {
  return [
    message.runUrl && { href: message.runUrl, text: 'Workflow run' },
    message.commitUrl && { href: message.commitUrl, text: 'Commit' },
    message.environmentUrl && { href: message.environmentUrl, text: message.environment },
  ].filter(Boolean);
}

export function pagerDutyEvent(
  message: DeploymentMessage,
  target: PagerDutyTarget,
  action: 'trigger' | 'resolve',
) {
  const summaryText = [headline(message), message.reason].filter(Boolean).join(': ');
  const summary = truncate(summaryText, PAGERDUTY_SUMMARY_MAX);
  const severity =
    target.severity ??
    (message.status === 'failure' && message.environment === 'production' ? 'critical' : 'error');
  const event: Record<string, unknown> = {
    routing_key: target.routingKey,
    event_action: action,
    dedup_key: dedupKey(message),
  };
  if (action === 'trigger') {
    event.payload = {
      summary,
      source: message.repository,
      severity,
      timestamp: message.time,
      component: message.service ?? message.repository,
      group: message.environment,
      class: 'deployment',
      custom_details: Object.fromEntries(facts(message)),
    };
    event.links = links(message);
    if (message.runUrl) {
      event.client = 'deploy-actions';
      event.client_url = message.runUrl;
    }
  }
  return { event, truncated: summary !== summaryText ? ['summary'] : [] };
}

export function pagerDutyChangeEvent(message: DeploymentMessage, target: PagerDutyTarget) {
  return {
    routing_key: target.routingKey,
    payload: {
      summary: truncate(headline(message), PAGERDUTY_SUMMARY_MAX),
      timestamp: message.time,
      source: message.repository,
      custom_details: Object.fromEntries(facts(message)),
    },
    links: links(message),
  };
}

export async function sendPagerDuty(
  message: DeploymentMessage,
  target: PagerDutyTarget,
  options: DeliveryOptions,
): Promise<TargetResult> {
  const plan = pagerDutyPlan(message.status);
  if (plan.kind === 'none')
    return { target: 'pagerduty', ok: true, skipped: true, attempts: 0, detail: { why: plan.why } };
  const { event, truncated } = pagerDutyEvent(message, target, plan.kind);
  const base = target.apiUrl.replace(/\/+$/, '');
  const detail: Record<string, string> = { dedup_key: String(event.dedup_key), event_action: plan.kind };
  if (options.dryRun) {
    return {
      target: 'pagerduty',
      ok: true,
      skipped: true,
      attempts: 0,
      truncated,
      detail: { ...detail, payload: JSON.stringify({ ...event, routing_key: '***' }) },
    };
  }
  const outcome = await postJson(`${base}/v2/enqueue`, JSON.stringify(event), {}, options.retry);
  // The Events API answers 202 with {status: "success"}; 400 carries `errors`.
  const answer = outcome.json as { status?: string; message?: string; errors?: string[] } | undefined;
  let ok = outcome.status === 202;
  let attempts = outcome.attempts;
  let error = ok ? undefined : describeFailure(outcome, answer?.errors?.join('; ') ?? answer?.message);
  let httpStatus = outcome.status;
  if (ok && plan.changeEvent) {
    const change = await postJson(
      `${base}/v2/change/enqueue`,
      JSON.stringify(pagerDutyChangeEvent(message, target)),
      {},
      options.retry,
    );
    attempts += change.attempts;
    if (change.status !== 202) {
      ok = false;
      httpStatus = change.status;
      error = `change event: ${describeFailure(change)}`;
    } else {
      detail.change_event = 'sent';
    }
  }
  return { target: 'pagerduty', ok, httpStatus, attempts, truncated, detail, ...(error ? { error } : {}) };
}
