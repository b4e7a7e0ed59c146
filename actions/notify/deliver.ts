import type { AuditRecord } from '../../shared/audit/index.js';
import type { DeploymentMessage } from './message.js';
import type { TargetPlan } from './plan.js';
import type { DeliveryOptions } from './targets/delivery-options.js';
import { sendPagerDuty } from './targets/pagerduty.js';
import type { TargetResult } from './targets/result.js';
import { sendSlack } from './targets/slack.js';
import { sendTeams } from './targets/teams.js';
import { sendWebhook } from './targets/webhook.js';

/**
 * Sends to every planned target at once. Each sender reports failure in its result instead of
 * throwing, and anything unexpected is caught here too, so one target never stops the others.
 */
export async function deliverAll(
  plan: TargetPlan,
  message: DeploymentMessage,
  record: AuditRecord,
  options: DeliveryOptions,
): Promise<TargetResult[]> {
  const jobs: [string, () => Promise<TargetResult>][] = [];
  if (plan.slack) jobs.push(['slack', () => sendSlack(message, plan.slack!, options)]);
  if (plan.teamsWebhookUrl) jobs.push(['teams', () => sendTeams(message, plan.teamsWebhookUrl!, options)]);
  if (plan.pagerduty) jobs.push(['pagerduty', () => sendPagerDuty(message, plan.pagerduty!, options)]);
  for (const hook of plan.webhooks) jobs.push([hook.name, () => sendWebhook(record, hook, options)]);
  if (plan.github) {
    // Octokit is loaded only for the GitHub target: it is a large part of the bundle.
    jobs.push([
      'github-deployment',
      async () =>
        (await import('./targets/github-deployment.js')).sendGitHubDeployment(message, plan.github!, options),
    ]);
  }

  return Promise.all(
    jobs.map(async ([name, send]) => {
      try {
        return await send();
      } catch (error) {
        return {
          target: name,
          ok: false,
          attempts: 1,
          error: error instanceof Error ? error.message : String(error),
        };
      }
    }),
  );
}
