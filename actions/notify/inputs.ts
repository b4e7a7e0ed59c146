import { UserError } from '../../shared/errors.js';
import {
  getBoolean,
  getDuration,
  getEnum,
  getInteger,
  getJsonObject,
  getList,
  getString,
} from '../../shared/inputs.js';
import { registerSecret } from '../../shared/secrets.js';
import { type DeploymentStatus, STATUSES } from './message.js';

export const TARGETS = ['slack', 'teams', 'pagerduty', 'webhook', 'github'] as const;
export type TargetName = (typeof TARGETS)[number];

/** Everything the action was given, read and checked once. */
export interface NotifyInputs {
  environment: string;
  status: DeploymentStatus;
  /** Explicit target list, or undefined for "whatever is configured". */
  targets?: TargetName[];
  configPath?: string;
  slackWebhookUrl?: string;
  slackToken?: string;
  slackChannel?: string;
  threadTs?: string;
  teamsWebhookUrl?: string;
  pagerdutyRoutingKey?: string;
  webhookUrl?: string;
  webhookSecret?: string;
  githubToken?: string;
  deploymentId?: number;
  environmentUrl?: string;
  productionEnvironment?: boolean;
  transientEnvironment: boolean;
  autoInactive: boolean;
  deploymentPayload?: Record<string, unknown>;
  service?: string;
  version?: string;
  image?: string;
  digest?: string;
  reason?: string;
  rollbackStatus?: string;
  startedAt?: Date;
  message?: string;
  includeCommitMessage: boolean;
  failOnError: boolean;
  dryRun: boolean;
  timeoutMs: number;
  slackApiUrl: string;
  pagerdutyApiUrl?: string;
  auditLog?: string;
}

/** Reads a secret input and masks it before anything can print it. */
function secretInput(name: string): string | undefined {
  const value = getString(name);
  if (value) registerSecret(value);
  return value;
}

function parseStartedAt(raw: string | undefined): Date | undefined {
  if (raw === undefined) return undefined;
  const date = /^\d+$/.test(raw) ? new Date(Number(raw) * 1000) : new Date(raw);
  if (Number.isNaN(date.getTime())) {
    throw new UserError(
      `input "started-at": expected an ISO 8601 time or Unix seconds, got ${JSON.stringify(raw)}`,
    );
  }
  return date;
}

function parseTargets(): TargetName[] | undefined {
  const listed = getList('targets');
  if (listed.length === 0) return undefined;
  for (const target of listed) {
    if (!(TARGETS as readonly string[]).includes(target)) {
      throw new UserError(
        `input "targets": "${target}" is not a target; expected some of ${TARGETS.join(', ')}`,
      );
    }
  }
  return [...new Set(listed)] as TargetName[];
}

function optionalBoolean(name: string): boolean | undefined {
  return getString(name) === undefined ? undefined : getBoolean(name, false);
}

function httpUrl(name: string, fallback: string): string {
  const value = getString(name) ?? fallback;
  if (!/^https?:\/\/[^\s]+$/.test(value)) throw new UserError(`input "${name}": expected an http(s) URL`);
  return value;
}

export function readInputs(): NotifyInputs {
  const digest = getString('digest');
  if (digest && !/^sha256:[0-9a-f]{64}$/.test(digest)) {
    throw new UserError(`input "digest": expected sha256:<64 hex digits>, got ${JSON.stringify(digest)}`);
  }
  const slackToken = secretInput('slack-token');
  const slackChannel = getString('slack-channel');
  if (slackToken && !slackChannel) {
    throw new UserError('input "slack-token" needs "slack-channel": chat.postMessage posts to a channel');
  }
  return {
    environment: getString('environment', { required: true }),
    status: getEnum('status', STATUSES, { required: true })!,
    targets: parseTargets(),
    configPath: getString('config'),
    slackWebhookUrl: secretInput('slack-webhook-url'),
    slackToken,
    slackChannel,
    threadTs: getString('thread-ts'),
    teamsWebhookUrl: secretInput('teams-webhook-url'),
    pagerdutyRoutingKey: secretInput('pagerduty-routing-key'),
    webhookUrl: secretInput('webhook-url'),
    webhookSecret: secretInput('webhook-secret'),
    githubToken: secretInput('github-token'),
    deploymentId: getInteger('deployment-id', { min: 1 }),
    environmentUrl: getString('environment-url'),
    productionEnvironment: optionalBoolean('production-environment'),
    transientEnvironment: getBoolean('transient-environment', false),
    autoInactive: getBoolean('auto-inactive', true),
    deploymentPayload: getJsonObject('deployment-payload'),
    service: getString('service'),
    version: getString('version'),
    image: getString('image'),
    digest,
    reason: getString('reason'),
    rollbackStatus: getString('rollback-status'),
    startedAt: parseStartedAt(getString('started-at')),
    message: getString('message'),
    includeCommitMessage: getBoolean('include-commit-message', false),
    failOnError: getBoolean('fail-on-error', true),
    dryRun: getBoolean('dry-run', false),
    timeoutMs: getDuration('timeout') ?? 60_000,
    slackApiUrl: httpUrl('slack-api-url', 'https://slack.com/api'),
    pagerdutyApiUrl:
      getString('pagerduty-api-url') === undefined ? undefined : httpUrl('pagerduty-api-url', ''),
    auditLog: getString('audit-log'),
  };
}
