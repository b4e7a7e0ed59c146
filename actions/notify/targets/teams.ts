import { UserError } from '../../../shared/errors.js';
import { type DeploymentMessage, facts, headline, truncate } from '../message.js';
import type { DeliveryOptions } from './delivery-options.js';
import { describeFailure, postJson } from './post-json.js';
import type { TargetResult } from './result.js';

/** Teams rejects messages over about 28 KB; leave room for the envelope. */
export const TEAMS_MAX_BYTES = 28 * 1024;

/**
 * Office 365 connector webhooks (…webhook.office.com/webhookb2/…, outlook.office.com/webhook/…)
 * are retired by Microsoft; sending to one fails or silently drops. Say what to use instead.
 */
export function assertTeamsWorkflowUrl(url: string, where: string): void {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    throw new UserError(`${where}: not a valid URL`);
  }
  if (/(^|\.)webhook\.office\.com$/i.test(host) || /^outlook\.office(365)?\.com$/i.test(host)) {
    throw new UserError(
      `${where}: this is an Office 365 connector URL (${host}); Microsoft has retired connectors. ` +
        'Create a Workflows webhook instead (Teams channel → Workflows → "Post to a channel when a webhook request is received") and use its URL.',
    );
  }
}

const COLOR: Record<DeploymentMessage['status'], string> = {
  started: 'accent',
  success: 'good',
  failure: 'attention',
  cancelled: 'warning',
  'rolled-back': 'warning',
  'approval-needed': 'accent',
};

export function teamsPayload(message: DeploymentMessage): {
  payload: Record<string, unknown>;
  truncated: string[];
} {
  const truncated: string[] = [];
  const build = (limit: number) => {
    const body: Record<string, unknown>[] = [
      {
        type: 'TextBlock',
        size: 'Large',
        weight: 'Bolder',
        wrap: true,
        color: COLOR[message.status],
        text: headline(message),
      },
      {
        type: 'FactSet',
        facts: facts(message).map(([title, value]) => {
          const cut = truncate(value, limit);
          if (cut !== value && !truncated.includes(title)) truncated.push(title);
          return { title, value: cut };
        }),
      },
    ];
    if (truncated.length) {
      body.push({
        type: 'TextBlock',
        isSubtle: true,
        wrap: true,
        text: `Shortened to fit Teams' 28 KB limit: ${truncated.join(', ')}.`,
      });
    }
    const actions = [
      message.runUrl && { type: 'Action.OpenUrl', title: 'Workflow run', url: message.runUrl },
      message.commitUrl && { type: 'Action.OpenUrl', title: 'Commit', url: message.commitUrl },
      message.environmentUrl && {
        type: 'Action.OpenUrl',
        title: message.environment,
        url: message.environmentUrl,
      },
    ].filter(Boolean);
    return {
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          contentUrl: null,
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            msteams: { width: 'Full' },
            body,
            actions,
          },
        },
      ],
    };
  };
  // Shrink the longest free-text facts until the card fits.
  for (const limit of [Number.POSITIVE_INFINITY, 8000, 2000, 500]) {
    truncated.length = 0;
    const payload = build(limit);
    if (Buffer.byteLength(JSON.stringify(payload)) <= TEAMS_MAX_BYTES) return { payload, truncated };
  }
  return { payload: build(200), truncated };
}

export async function sendTeams(
  message: DeploymentMessage,
  webhookUrl: string,
  options: DeliveryOptions,
): Promise<TargetResult> {
  const { payload, truncated } = teamsPayload(message);
  if (options.dryRun)
    return {
      target: 'teams',
      ok: true,
      skipped: true,
      attempts: 0,
      truncated,
      detail: { payload: JSON.stringify(payload) },
    };
  const outcome = await postJson(webhookUrl, JSON.stringify(payload), {}, options.retry);
  // Workflows webhooks answer 202 Accepted; older flows 200.
  const ok = outcome.status === 200 || outcome.status === 202;
  return {
    target: 'teams',
    ok,
    httpStatus: outcome.status,
    attempts: outcome.attempts,
    truncated,
    ...(ok ? {} : { error: describeFailure(outcome) }),
  };
}
