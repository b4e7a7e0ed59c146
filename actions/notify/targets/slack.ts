import { type DeploymentMessage, facts, headline, statusEmoji, truncate } from '../message.js';
import type { DeliveryOptions } from './delivery-options.js';
import { describeFailure, postJson } from './post-json.js';
import type { TargetResult } from './result.js';

// Slack's documented limits for Block Kit.
const HEADER_MAX = 150;
const FIELD_MAX = 2000;
const SECTION_MAX = 3000;
const FIELDS_PER_SECTION = 10;
const TEXT_MAX = 4000;

export interface SlackTarget {
  /** Incoming webhook URL; or a bot token with a channel for chat.postMessage. */
  webhookUrl?: string;
  token?: string;
  channel?: string;
  threadTs?: string;
  /** chat.postMessage endpoint base; the public API unless overridden (proxies, tests). */
  apiUrl: string;
}

export function slackPayload(message: DeploymentMessage): {
  payload: Record<string, unknown>;
  truncated: string[];
} {
  const truncated: string[] = [];
  const shorten = (label: string, text: string, max: number) => {
    const out = truncate(text, max);
    if (out !== text) truncated.push(label);
    return out;
  };
  const title = shorten('header', `${statusEmoji(message.status)} ${headline(message)}`, HEADER_MAX);
  const short = facts(message).filter(([label]) => !['Reason', 'Commit message', 'Note'].includes(label));
  const long = facts(message).filter(([label]) => ['Reason', 'Commit message', 'Note'].includes(label));
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: title, emoji: true } },
    {
      type: 'section',
      fields: short.slice(0, FIELDS_PER_SECTION).map(([label, value]) => ({
        type: 'mrkdwn',
        text: shorten(label, `*${label}*\n${escapeMrkdwn(value)}`, FIELD_MAX),
      })),
    },
  ];
  for (const [label, value] of long) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: shorten(label, `*${label}*\n${escapeMrkdwn(value)}`, SECTION_MAX) },
    });
  }
  const links = [
    message.runUrl && `<${message.runUrl}|Workflow run>`,
    message.commitUrl && `<${message.commitUrl}|Commit>`,
    message.environmentUrl && `<${message.environmentUrl}|${escapeMrkdwn(message.environment)}>`,
  ].filter(Boolean);
  if (links.length) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: links.join(' · ') }] });
  if (truncated.length) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `_Shortened to fit Slack's limits: ${truncated.join(', ')}._` }],
    });
  }
  // `text` is the notification and screen-reader fallback for the blocks.
  return { payload: { text: truncate(headline(message), TEXT_MAX), blocks }, truncated };
}

/** Slack mrkdwn treats &, < and > as control characters. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export async function sendSlack(
  message: DeploymentMessage,
  target: SlackTarget,
  options: DeliveryOptions,
): Promise<TargetResult> {
  const { payload, truncated } = slackPayload(message);
  if (target.threadTs) payload.thread_ts = target.threadTs;
  const name = target.webhookUrl ? 'slack (webhook)' : 'slack (chat.postMessage)';
  if (options.dryRun)
    return {
      target: name,
      ok: true,
      skipped: true,
      attempts: 0,
      truncated,
      detail: { payload: JSON.stringify(payload) },
    };

  if (target.webhookUrl) {
    const outcome = await postJson(target.webhookUrl, JSON.stringify(payload), {}, options.retry);
    // Incoming webhooks answer 200 with the plain text "ok", and errors as text codes.
    const ok = outcome.status === 200;
    return {
      target: name,
      ok,
      httpStatus: outcome.status,
      attempts: outcome.attempts,
      truncated,
      ...(ok ? {} : { error: describeFailure(outcome) }),
    };
  }
  const body = JSON.stringify({ channel: target.channel, ...payload });
  const outcome = await postJson(
    `${target.apiUrl.replace(/\/+$/, '')}/chat.postMessage`,
    body,
    { authorization: `Bearer ${target.token}`, 'content-type': 'application/json; charset=utf-8' },
    options.retry,
  );
  const answer = outcome.json as { ok?: boolean; ts?: string; channel?: string; error?: string } | undefined;
  // The Web API answers 200 even for failures; `ok: false` carries the reason.
  const ok = outcome.status === 200 && answer?.ok === true;
  return {
    target: name,
    ok,
    httpStatus: outcome.status,
    attempts: outcome.attempts,
    truncated,
    ...(ok && answer?.ts
      ? { detail: { ts: answer.ts, channel: answer.channel ?? target.channel ?? '' } }
      : {}),
    ...(ok ? {} : { error: describeFailure(outcome, answer?.error) }),
  };
}
