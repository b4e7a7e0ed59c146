import type { EnvironmentConfig } from '../../shared/config/index.js';
import { UserError } from '../../shared/errors.js';
import { registerSecret } from '../../shared/secrets.js';
import type { NotifyInputs, TargetName } from './inputs.js';
import type { GitHubDeploymentTarget } from './targets/github-deployment.js';
import type { PagerDutyTarget } from './targets/pagerduty.js';
import type { SlackTarget } from './targets/slack.js';
import { assertTeamsWorkflowUrl } from './targets/teams.js';

export interface WebhookTarget {
  name: string;
  url: string;
  secret?: string;
  headers?: Record<string, string>;
}

/** The targets this step will notify, with their credentials, after every check has passed. */
export interface TargetPlan {
  slack?: SlackTarget;
  teamsWebhookUrl?: string;
  pagerduty?: PagerDutyTarget;
  webhooks: WebhookTarget[];
  github?: GitHubDeploymentTarget;
}

export interface PlanContext {
  repository: string;
  ref: string;
  configFile?: string;
}

/**
 * Decides which targets to notify. An explicit `targets` list must be satisfiable (each named
 * target has its URL or key); without one, every target with credentials is used, and GitHub
 * only when a deployment id is given or it is named, because a job with `environment:` already
 * gets a GitHub deployment from the runner.
 */
export function planTargets(
  inputs: NotifyInputs,
  config: EnvironmentConfig,
  context: PlanContext,
): TargetPlan {
  const configured = config.notifications;
  const where = context.configFile ? `notifications in ${context.configFile}` : 'a config file';
  const plan: TargetPlan = { webhooks: [] };
  const wanted = (name: TargetName) => !inputs.targets || inputs.targets.includes(name);
  const missing = (name: TargetName, needs: string) =>
    new UserError(
      `target "${name}" was requested but has no ${needs} (give the input or set it in ${where})`,
    );

  if (wanted('slack')) {
    const webhookUrl =
      inputs.slackWebhookUrl ?? (inputs.slackToken ? undefined : configured.slack?.webhookUrl);
    const token = inputs.slackToken ?? (inputs.slackWebhookUrl ? undefined : configured.slack?.token);
    const channel = inputs.slackChannel ?? configured.slack?.channel;
    if (webhookUrl || (token && channel)) {
      plan.slack = { webhookUrl, token, channel, threadTs: inputs.threadTs, apiUrl: inputs.slackApiUrl };
    } else if (inputs.targets) {
      throw missing('slack', 'slack-webhook-url, or slack-token with slack-channel');
    }
  }
  if (wanted('teams')) {
    const url = inputs.teamsWebhookUrl ?? configured.teams?.webhookUrl;
    if (url) {
      assertTeamsWorkflowUrl(
        url,
        inputs.teamsWebhookUrl ? 'input "teams-webhook-url"' : 'notifications.teams.webhookUrl',
      );
      plan.teamsWebhookUrl = url;
    } else if (inputs.targets) {
      throw missing('teams', 'teams-webhook-url');
    }
  }
  if (wanted('pagerduty')) {
    const routingKey = inputs.pagerdutyRoutingKey ?? configured.pagerduty?.routingKey;
    if (routingKey) {
      plan.pagerduty = {
        routingKey,
        apiUrl: inputs.pagerdutyApiUrl ?? configured.pagerduty?.apiUrl ?? 'https://events.pagerduty.com',
        ...(configured.pagerduty?.severity ? { severity: configured.pagerduty.severity } : {}),
      };
    } else if (inputs.targets) {
      throw missing('pagerduty', 'pagerduty-routing-key');
    }
  }
  if (wanted('webhook')) {
    if (inputs.webhookUrl)
      plan.webhooks.push({ name: 'webhook', url: inputs.webhookUrl, secret: inputs.webhookSecret });
    for (const [index, hook] of (configured.webhooks ?? []).entries()) {
      plan.webhooks.push({
        name: `webhook:${hook.name ?? index + 1}`,
        url: hook.url,
        ...(hook.secret ? { secret: hook.secret } : {}),
        ...(hook.headers ? { headers: hook.headers } : {}),
      });
    }
    if (plan.webhooks.length === 0 && inputs.targets) throw missing('webhook', 'webhook-url');
  }
  const githubWanted = inputs.targets ? inputs.targets.includes('github') : inputs.deploymentId !== undefined;
  if (githubWanted) {
    if (!inputs.githubToken) throw missing('github', 'github-token');
    plan.github = {
      token: inputs.githubToken,
      repository: context.repository,
      ref: context.ref,
      deploymentId: inputs.deploymentId,
      transient: inputs.transientEnvironment,
      production: inputs.productionEnvironment ?? inputs.environment === 'production',
      autoInactive: inputs.autoInactive,
      payload: inputs.deploymentPayload,
      task: 'deploy',
    };
  }

  // URLs of chat and paging hooks are credentials: anyone holding one can post.
  for (const value of [
    plan.slack?.webhookUrl,
    plan.slack?.token,
    plan.teamsWebhookUrl,
    plan.pagerduty?.routingKey,
    ...plan.webhooks.flatMap((hook) => [hook.url, hook.secret]),
  ]) {
    if (value) registerSecret(value);
  }
  if (!plan.slack && !plan.teamsWebhookUrl && !plan.pagerduty && plan.webhooks.length === 0 && !plan.github) {
    throw new UserError(
      `nothing to notify: no target is configured for environment "${inputs.environment}". ` +
        `Give a target's URL or key as an input, or set ${where}.`,
    );
  }
  return plan;
}

export function plannedTargetNames(plan: TargetPlan): string[] {
  return [
    plan.slack && 'slack',
    plan.teamsWebhookUrl && 'teams',
    plan.pagerduty && 'pagerduty',
    ...plan.webhooks.map((hook) => hook.name),
    plan.github && 'github',
  ].filter((name): name is string => Boolean(name));
}
